//===- Philox.h - The counter-based random stream of Tessera ----*- C++ -*-===//
//
// One definition of rng(seed, offset), shared by every lowering that draws.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_CONVERSION_PHILOX_H
#define TESSERA_CONVERSION_PHILOX_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

namespace tessera {

/// A tensor of `type` (f32) holding draw stream `stream` of rng(seed,
/// offset): element e (row-major) is Philox4x32-10 with key
/// (lo32(seed), hi32(seed)) and counter (lo32(offset + e), hi32(offset + e),
/// stream, 0); a uniform is (r0 >> 8) 2^-24, a normal
/// sqrt(-2 ln u1) cos(2 pi u2) with u1 = ((r0 >> 8) + 1) 2^-24,
/// u2 = (r1 >> 8) 2^-24. `seed` and `offset` are i64 values. Only the leading
/// dimension may be dynamic, its size given by `leadingSize`; fails
/// otherwise.
mlir::FailureOr<mlir::Value> philoxDraws(mlir::OpBuilder &b,
                                         mlir::Location loc,
                                         mlir::RankedTensorType type,
                                         bool normal, mlir::Value seed,
                                         mlir::Value offset, uint32_t stream,
                                         mlir::Value leadingSize = {});

} // namespace tessera

#endif // TESSERA_CONVERSION_PHILOX_H
