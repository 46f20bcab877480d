//===- ShapeUtils.h - Shape checks shared by the Tessera verifiers -*- C++ -*-===//
//
// The bfn and ebt verifiers compare shapes where dynamic sizes match anything,
// and name shapes in their messages the same way: "[8, ?, 27]".
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_DIALECT_UTILS_SHAPEUTILS_H
#define TESSERA_DIALECT_UTILS_SHAPEUTILS_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace tessera {

/// "[8, ?, 27]" for diagnostics.
inline std::string formatShape(llvm::ArrayRef<int64_t> shape) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << '[';
  llvm::interleave(
      shape,
      [&](int64_t d) {
        if (mlir::ShapedType::isDynamic(d))
          os << '?';
        else
          os << d;
      },
      [&] { os << ", "; });
  os << ']';
  return s;
}

/// Same rank, and every pair of sizes equal or one of them dynamic.
inline bool isCompatibleShape(llvm::ArrayRef<int64_t> a,
                              llvm::ArrayRef<int64_t> b) {
  return mlir::succeeded(mlir::verifyCompatibleShape(a, b));
}

/// `prefix` is compatible with the leading dimensions of `shape`.
inline bool isCompatiblePrefix(llvm::ArrayRef<int64_t> prefix,
                               llvm::ArrayRef<int64_t> shape) {
  return prefix.size() <= shape.size() &&
         isCompatibleShape(prefix, shape.take_front(prefix.size()));
}

} // namespace tessera

#endif // TESSERA_DIALECT_UTILS_SHAPEUTILS_H
