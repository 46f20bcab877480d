//===- EBTCanonicalize.cpp - tessera-ebt-canonicalize ---------------------===//

#include "tessera/Dialect/EBT/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/LoopLikeInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"

namespace tessera::ebt {
#define GEN_PASS_DEF_EBTCANONICALIZEPASS
#include "tessera/Dialect/EBT/Transforms/Passes.h.inc"
} // namespace tessera::ebt

using namespace mlir;
using namespace tessera::ebt;

void tessera::ebt::populateEBTCanonicalizationPatterns(
    RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  Dialect *ebt = ctx->getLoadedDialect<EBTDialect>();
  ebt->getCanonicalizationPatterns(patterns);
  for (RegisteredOperationName op : ctx->getRegisteredOperations())
    if (&op.getDialect() == ebt)
      op.getCanonicalizationPatterns(patterns, ctx);
}

namespace {
/// Ops that are cheaper to recompute where a loop uses them than to keep
/// materialised across its iterations: a hoisted fill or broadcast that
/// feeds an op's `outs` would be copied every iteration (the op overwrites
/// it), while recomputed in the body it is written in place and can fuse
/// with its consumer.
bool isLight(Operation *op) {
  return isa<tensor::EmptyOp, tensor::SplatOp, linalg::FillOp,
             linalg::BroadcastOp>(op) &&
         isMemoryEffectFree(op);
}

/// Clones the light ops (and the light ops they depend on) that are defined
/// outside `loop` and used inside it into the start of its body, uses
/// inside the loop switched to the clones; originals left without uses are
/// erased.
void rematerializeLightOps(LoopLikeOpInterface loop) {
  SmallVector<Region *> regions = loop.getLoopRegions();
  if (regions.size() != 1 || !regions.front()->hasOneBlock())
    return;
  Block &body = regions.front()->front();
  OpBuilder b(&body, body.begin());
  IRMapping clones;
  SmallVector<Operation *> originals;
  std::function<Value(Value)> inside = [&](Value v) -> Value {
    if (Value c = clones.lookupOrNull(v))
      return c;
    Operation *def = v.getDefiningOp();
    if (!def || !isLight(def) || loop->isAncestor(def))
      return v;
    for (Value operand : def->getOperands())
      inside(operand); // chains of light ops come along, in order
    Operation *copy = b.clone(*def, clones);
    b.setInsertionPointAfter(copy);
    originals.push_back(def);
    return clones.lookup(v);
  };
  SmallVector<Operation *> users;
  loop->walk([&](Operation *op) {
    if (op != loop.getOperation())
      users.push_back(op);
  });
  for (Operation *op : users)
    for (OpOperand &use : op->getOpOperands())
      if (Value v = inside(use.get()); v != use.get())
        use.set(v);
  for (Operation *op : llvm::reverse(originals))
    if (op->use_empty())
      op->erase();
}

struct EBTCanonicalizePass
    : public tessera::ebt::impl::EBTCanonicalizePassBase<EBTCanonicalizePass> {
  using EBTCanonicalizePassBase::EBTCanonicalizePassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    RewritePatternSet patterns(&getContext());
    populateEBTCanonicalizationPatterns(patterns);
    if (failed(applyPatternsGreedily(module, std::move(patterns)))) {
      signalPassFailure();
      return;
    }
    if (!hoist && !rematerialize)
      return;
    // Only loops that run inner steps: the context h and its encoder are
    // invariant across steps and candidates. Innermost loops first, so that
    // code hoisted out of one loop can leave the enclosing one too; light
    // ops then come back next to their users.
    Dialect *ebt = getContext().getLoadedDialect<EBTDialect>();
    module.walk([&](LoopLikeOpInterface loop) {
      bool hasEBT = false;
      loop->walk([&](Operation *op) {
        hasEBT |= op->getDialect() == ebt;
        return hasEBT ? WalkResult::interrupt() : WalkResult::advance();
      });
      if (!hasEBT)
        return;
      if (hoist)
        moveLoopInvariantCode(loop);
      if (rematerialize)
        rematerializeLightOps(loop);
    });
  }
};
} // namespace
