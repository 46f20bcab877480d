//===- TesseraToSchedule.cpp - tessera-to-schedule ------------------------===//

#include "tessera/Conversion/Passes.h"

namespace tessera {
#define GEN_PASS_DEF_TESSERATOSCHEDULEPASS
#include "tessera/Conversion/Passes.h.inc"
} // namespace tessera

using namespace mlir;

namespace {
struct TesseraToSchedulePass
    : public tessera::impl::TesseraToSchedulePassBase<TesseraToSchedulePass> {
  void runOnOperation() override {
    if (failed(tessera::reportUnimplemented(getOperation(),
                                            "tessera-to-schedule",
                                            tessera::isTesseraGraphOp)))
      signalPassFailure();
  }
};
} // namespace
