//===- EBTCanonicalize.cpp - tessera-ebt-canonicalize ---------------------===//

#include "tessera/Dialect/EBT/Transforms/Passes.h"

#include "LoopHoisting.h"

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
