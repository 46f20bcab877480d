//===- TesseraToTarget.cpp - tessera-to-target ----------------------------===//

#include "tessera/Conversion/Passes.h"

namespace tessera {
#define GEN_PASS_DEF_TESSERATOTARGETPASS
#include "tessera/Conversion/Passes.h.inc"
} // namespace tessera

using namespace mlir;

namespace {
struct TesseraToTargetPass
    : public tessera::impl::TesseraToTargetPassBase<TesseraToTargetPass> {
  using TesseraToTargetPassBase::TesseraToTargetPassBase;

  LogicalResult initialize(MLIRContext *ctx) override {
    if (succeeded(tessera::verifyTargetName(target)))
      return success();
    return emitError(UnknownLoc::get(ctx))
           << "tessera-to-target: unknown target '" << target
           << "'; expected cpu, nvvm or rocdl";
  }

  void runOnOperation() override {
    std::string stage = "tessera-to-target{target=" + target +
                        (chip.empty() ? "" : " chip=" + chip) + "}";
    // Every op of the module needs translating; nothing is at target level
    // until this stage lands.
    if (failed(tessera::reportUnimplemented(
            getOperation(), stage, [](Operation *) { return true; })))
      signalPassFailure();
  }
};
} // namespace
