//===- LoopHoisting.h - Loop-invariant work of inference loops --*- C++ -*-===//
//
// Shared by tessera-ebt-canonicalize and tessera-ebt-lower: what moves out
// of the loops that run inner steps, and what comes back in.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_LIB_DIALECT_EBT_TRANSFORMS_LOOPHOISTING_H
#define TESSERA_LIB_DIALECT_EBT_TRANSFORMS_LOOPHOISTING_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Interfaces/LoopLikeInterface.h"

namespace tessera::ebt {

/// The attribute tessera-ebt-lower puts on the loops it builds: "steps"
/// (the T inner steps) or "candidates" (the K candidates).
constexpr llvm::StringLiteral kMappingAttr = "tessera.mapping";

/// Clones the light ops (empty, splat, fill, broadcast: cheaper to recompute
/// than to keep across iterations, where a hoisted one feeding an op's
/// `outs` is copied every iteration) that are defined outside `loop` and
/// used inside it into the start of its body, and the light ops they depend
/// on; originals left without uses are erased.
void rematerializeLightOps(mlir::LoopLikeOpInterface loop);

/// Fuses the chains of elementwise linalg ops in `loop`'s body into single
/// ops (the gradient of an activation: its backward and the seed it
/// scales), after folding the zero fills generated gradients accumulate
/// into and dropping operands no body reads. A contraction never takes an
/// elementwise producer in: it would recompute it per reduction step.
void fuseElementwiseChains(mlir::LoopLikeOpInterface loop);

/// Inlines the calls in the loops tessera-ebt-lower builds (those with a
/// `tessera.mapping`) and moves what does not depend on the loops out of
/// them, innermost first: the head's weights and the context's projection
/// are computed once per inference, not once per candidate and step. Then
/// turns each candidates loop it can into the same ops over all candidates
/// (a leading K dim), brings light ops back and fuses elementwise chains.
/// Private callees left without calls are erased.
void hoistInferenceWork(mlir::ModuleOp module);

} // namespace tessera::ebt

#endif // TESSERA_LIB_DIALECT_EBT_TRANSFORMS_LOOPHOISTING_H
