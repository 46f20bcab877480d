//===- BFNToSchedule.h - bfn to linalg on tensors ---------------*- C++ -*-===//
//
// The bfn part of tessera-to-schedule, in two phases:
//  1. compute ops (paramize, output, sample, kl, losses, bayes_update) become
//     linalg on tensors; bfn-typed values stay at the boundary through
//     bfn.unpack / bfn.pack / bfn.accuracy_value;
//  2. a type conversion erases the bfn types: !bfn.simplex -> tensor,
//     !bfn.gauss -> (mean, precision) tensors, !bfn.accuracy -> f32, and lowers
//     the value ops (schedules, accuracies, prior, casts, pack/unpack),
//     function signatures, calls, returns and scf loops with them.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_CONVERSION_BFNTOSCHEDULE_BFNTOSCHEDULE_H
#define TESSERA_CONVERSION_BFNTOSCHEDULE_BFNTOSCHEDULE_H

#include "tessera/Dialect/BFN/IR/BFN.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/DialectConversion.h"

namespace tessera {

/// !bfn.simplex -> tensor, !bfn.gauss -> 2 tensors, !bfn.accuracy -> f32
/// (also as tensor element type); everything else unchanged.
class BFNTypeConverter : public mlir::TypeConverter {
public:
  BFNTypeConverter();
};

/// Phase 1 patterns.
void populateBFNComputeToSchedulePatterns(mlir::RewritePatternSet &patterns);

/// Phase 2 patterns (with the func/call/return/scf structural ones).
void populateBFNTypeLoweringPatterns(BFNTypeConverter &converter,
                                     mlir::RewritePatternSet &patterns);

/// Runs both phases on `module`. Ops that cannot be lowered (yet) are
/// reported with a diagnostic naming the op and the reason.
llvm::LogicalResult lowerBFNToSchedule(mlir::ModuleOp module);

/// The schedule's beta(t), alpha(t) and alpha_i, emitted in f64 from f64
/// operands (docs/bfn-math.md section 7: tables in fp64, then round).
/// Fail (with a diagnostic at `loc`) only for a custom schedule lacking the
/// function the quantity needs.
mlir::FailureOr<mlir::Value> emitBeta(mlir::OpBuilder &b, mlir::Location loc,
                                      bfn::ScheduleAttr schedule,
                                      mlir::Value t);
mlir::FailureOr<mlir::Value> emitRate(mlir::OpBuilder &b, mlir::Location loc,
                                      bfn::ScheduleAttr schedule,
                                      mlir::Value t);
mlir::FailureOr<mlir::Value> emitAlpha(mlir::OpBuilder &b, mlir::Location loc,
                                       bfn::ScheduleAttr schedule,
                                       mlir::Value i, mlir::Value n);
/// gamma(t) = beta / (1 + beta), via -expm1(2 t ln sigma1) for paper_cts.
mlir::FailureOr<mlir::Value> emitGamma(mlir::OpBuilder &b, mlir::Location loc,
                                       bfn::ScheduleAttr schedule,
                                       mlir::Value t);

} // namespace tessera

#endif // TESSERA_CONVERSION_BFNTOSCHEDULE_BFNTOSCHEDULE_H
