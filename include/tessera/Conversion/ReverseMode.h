//===- ReverseMode.h - Reverse-mode differentiation of scalar code -*- C++ -*-===//
//
// The scalar core of Tessera's compile-time differentiation, shared by the
// energy gradients of `ebt.grad_y` (which replay it inside linalg.generic
// bodies) and the accuracy rate of a `custom` BFN schedule (dbeta/dt of the
// user's beta function).
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_CONVERSION_REVERSEMODE_H
#define TESSERA_CONVERSION_REVERSEMODE_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/DenseMap.h"

namespace tessera {

/// Scalar reverse mode over straight-line `ops` (in program order), building
/// the adjoint code at `b`. `adj` starts with the seeds (adjoints of some
/// results); afterwards it holds the adjoint of every float value the seeds
/// depend on. Covers arith and math on floats; returns the first op that
/// needs an adjoint and has no rule, or null on success.
mlir::Operation *scalarReverse(mlir::OpBuilder &b,
                               llvm::ArrayRef<mlir::Operation *> ops,
                               llvm::DenseMap<mlir::Value, mlir::Value> &adj);

/// Replaces `call` by a copy of the body of `callee`, a single-block
/// function.
void inlineCall(mlir::func::CallOp call, mlir::func::FuncOp callee);

/// Inlines every func.call in `fn`, repeatedly, so that a function built
/// from helpers is differentiated as one straight-line body. Callees must be
/// single-block functions; recursion is reported. Diagnostics start with
/// `stage` and name the function as `what` (e.g. "energy '@E'").
mlir::LogicalResult inlineCalls(mlir::func::FuncOp fn, llvm::StringRef stage,
                                llvm::StringRef what,
                                mlir::SymbolTableCollection &tables);

/// The derivative of a scalar function `(f) -> f` (`f` a float type) with a
/// straight-line body, as a new private function next to `fn`, named `name`
/// (made unique). On failure the reason is reported at `user` (the op that
/// needs the derivative), prefixed by `stage`.
mlir::FailureOr<mlir::func::FuncOp>
createScalarDerivative(mlir::func::FuncOp fn, llvm::StringRef name,
                       mlir::Operation *user, llvm::StringRef stage,
                       mlir::SymbolTableCollection &tables);

} // namespace tessera

#endif // TESSERA_CONVERSION_REVERSEMODE_H
