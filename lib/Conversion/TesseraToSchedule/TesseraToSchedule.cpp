//===- TesseraToSchedule.cpp - tessera-to-schedule ------------------------===//

#include "tessera/Conversion/Passes.h"

#include "tessera/Conversion/BFNToSchedule/BFNToSchedule.h"

namespace tessera {
#define GEN_PASS_DEF_TESSERATOSCHEDULEPASS
#include "tessera/Conversion/Passes.h.inc"
} // namespace tessera

using namespace mlir;

namespace {
struct TesseraToSchedulePass
    : public tessera::impl::TesseraToSchedulePassBase<TesseraToSchedulePass> {
  void runOnOperation() override {
    // ebt lowering lands with its own issue: report it before touching bfn.
    if (failed(tessera::reportUnimplemented(
            getOperation(), "tessera-to-schedule", [](Operation *op) {
              return op->getName().getDialectNamespace() == "ebt";
            })) ||
        failed(tessera::lowerBFNToSchedule(getOperation())))
      signalPassFailure();
  }
};
} // namespace
