//===- EBTLower.cpp - tessera-ebt-lower ------------------------------------===//

#include "tessera/Dialect/EBT/Transforms/Passes.h"
#include "tessera/Conversion/Passes.h"

namespace tessera::ebt {
#define GEN_PASS_DEF_EBTLOWERPASS
#include "tessera/Dialect/EBT/Transforms/Passes.h.inc"
} // namespace tessera::ebt

using namespace mlir;

namespace {
struct EBTLowerPass
    : public tessera::ebt::impl::EBTLowerPassBase<EBTLowerPass> {
  void runOnOperation() override {
    Dialect *ebt = getContext().getLoadedDialect<tessera::ebt::EBTDialect>();
    if (failed(tessera::reportUnimplemented(
            getOperation(), "tessera-ebt-lower",
            [&](Operation *op) { return ebt && op->getDialect() == ebt; })))
      signalPassFailure();
  }
};
} // namespace
