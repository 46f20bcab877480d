//===- LinalgBuilders.h - Small linalg.generic builders ---------*- C++ -*-===//
//
// The lowerings build many generics over "prefix-indexed" operands: a tensor
// indexed by the leading dims of the iteration space (sites, sites x K, a
// batch prefix), or a scalar indexed by nothing.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_CONVERSION_LINALGBUILDERS_H
#define TESSERA_CONVERSION_LINALGBUILDERS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"

namespace tessera {

/// An operand of a generic: `value` indexed by the first `prefix` dims of
/// the iteration space (0 for scalars).
struct LinalgOperand {
  mlir::Value value;
  unsigned prefix;
};

/// `(d0, ..., d_{rank-1}) -> (d0, ..., d_{prefix-1})`.
mlir::AffineMap prefixMap(mlir::MLIRContext *ctx, unsigned rank,
                          unsigned prefix);

/// A generic with `parallel` leading parallel dims and `reduction` trailing
/// reduction dims; results take the types of `outs`.
mlir::linalg::GenericOp buildGeneric(
    mlir::OpBuilder &b, mlir::Location loc, unsigned parallel,
    unsigned reduction, llvm::ArrayRef<LinalgOperand> ins,
    llvm::ArrayRef<LinalgOperand> outs,
    llvm::function_ref<void(mlir::OpBuilder &, mlir::Location,
                            mlir::ValueRange)>
        body);

/// Replaces every op under `root` that implements
/// linalg::AggregatedOpInterface (linalg.softmax, ...) by its
/// decomposition into generics and named ops, which the later stages and
/// the energy differentiation handle. Fails with the op named when one
/// cannot be decomposed.
mlir::LogicalResult decomposeAggregatedOps(mlir::Operation *root,
                                           llvm::StringRef stage);

/// tensor.empty with the first `take` sizes of `like`, then `extra` static
/// sizes.
mlir::Value emptyLike(mlir::OpBuilder &b, mlir::Location loc, mlir::Value like,
                      unsigned take, llvm::ArrayRef<int64_t> extra,
                      mlir::Type elt);

/// An f32 constant.
mlir::Value cstF32(mlir::OpBuilder &b, mlir::Location loc, double v);

/// A float constant of type \p like: a scalar, or a splat of a vector of
/// floats (the CPU's site loops compute on vectors of sites).
mlir::Value cstLike(mlir::OpBuilder &b, mlir::Location loc, mlir::Type like,
                    double v);

/// The fp32 compute value of a float, index or signless integer scalar.
mlir::Value toF32(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v);

/// An fp32 value converted to the float type `t` (storage or wider).
mlir::Value fromF32(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v,
                    mlir::Type t);

/// `empty` filled with the float `v`.
mlir::Value filled(mlir::OpBuilder &b, mlir::Location loc, mlir::Value empty,
                   double v);

/// One step of an online log-sum-exp over f32: (m, s) -> (max(m, a),
/// rescaled sum), with one exp: e = exp(-|a - m|) rescales the old sum when
/// a is the new max and is the new term otherwise. All-(-inf) prefixes keep
/// s = 0 instead of producing NaN.
std::pair<mlir::Value, mlir::Value> lseStep(mlir::OpBuilder &b,
                                            mlir::Location loc, mlir::Value a,
                                            mlir::Value m, mlir::Value s);

/// The operands of a sum `ns` built by lseStep: the term `a`, the running
/// max `m` and sum `s` it started from, and the new max; nullopt when `ns`
/// is not lseStep's sum. Lets a later stage recognise the online
/// log-sum-exp in a reduction body and split it (lseMerge).
struct LseStepParts {
  mlir::Value a, m, s, newMax;
};
std::optional<LseStepParts> matchLseStep(mlir::Value ns);

/// The sum of two partial online log-sum-exps (mA, sA) and (mB, sB) over
/// disjoint terms, relative to max(mA, mB); 0 when both are empty (-inf).
mlir::Value lseMerge(mlir::OpBuilder &b, mlir::Location loc, mlir::Value mA,
                     mlir::Value sA, mlir::Value mB, mlir::Value sB);

} // namespace tessera

#endif // TESSERA_CONVERSION_LINALGBUILDERS_H
