//===- TesseraToTile.cpp - tessera-to-tile --------------------------------===//

#include "tessera/Conversion/Passes.h"

#include "mlir/IR/BuiltinTypes.h"

namespace tessera {
#define GEN_PASS_DEF_TESSERATOTILEPASS
#include "tessera/Conversion/Passes.h.inc"
} // namespace tessera

using namespace mlir;

/// Ops that still carry tensors (or graph ops) have not been tiled and
/// bufferized yet.
static bool needsTiling(Operation *op) {
  auto isTensor = [](Type t) { return isa<TensorType>(t); };
  return tessera::isTesseraGraphOp(op) ||
         llvm::any_of(op->getOperandTypes(), isTensor) ||
         llvm::any_of(op->getResultTypes(), isTensor);
}

namespace {
struct TesseraToTilePass
    : public tessera::impl::TesseraToTilePassBase<TesseraToTilePass> {
  using TesseraToTilePassBase::TesseraToTilePassBase;

  LogicalResult initialize(MLIRContext *ctx) override {
    if (succeeded(tessera::verifyTargetName(target)))
      return success();
    return emitError(UnknownLoc::get(ctx))
           << "tessera-to-tile: unknown target '" << target
           << "'; expected cpu, nvvm or rocdl";
  }

  void runOnOperation() override {
    std::string stage = "tessera-to-tile{target=" + target + "}";
    if (failed(tessera::reportUnimplemented(getOperation(), stage,
                                            needsTiling)))
      signalPassFailure();
  }
};
} // namespace
