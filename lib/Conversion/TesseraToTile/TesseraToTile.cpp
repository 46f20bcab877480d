//===- TesseraToTile.cpp - tessera-to-tile --------------------------------===//
//
// Schedule IR -> Tile IR. cpu: elementwise ops on tensors to linalg,
// one-shot bufferization across function
// boundaries (identity layouts, C-compatible descriptors), linalg to parallel
// loops over the sites, buffer deallocation. nvvm/rocdl: not yet.
//
//===----------------------------------------------------------------------===//

#include "tessera/Conversion/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Pass/PassManager.h"

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

static void buildCpuTilePipeline(OpPassManager &pm, bool outParams) {
  // Elementwise arith/math on whole tensors become linalg.generic first.
  pm.addPass(createConvertElementwiseToLinalgPass());
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  // Step loops carry parameters that each step rewrites into a new buffer.
  bufferize.allowReturnAllocsFromLoops = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  if (outParams) {
    // Right after bufferization, before deallocation: a returned buffer
    // allocated in the function is replaced by the caller's argument.
    bufferization::BufferResultsToOutParamsPassOptions results;
    results.hoistStaticAllocs = true;
    results.modifyPublicFunctions = true;
    pm.addPass(bufferization::createBufferResultsToOutParamsPass(results));
  }
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToParallelLoopsPass());
  bufferization::buildBufferDeallocationPipeline(pm);
  pm.addPass(createConvertBufferizationToMemRefPass());
}

namespace {
struct TesseraToTilePass
    : public tessera::impl::TesseraToTilePassBase<TesseraToTilePass> {
  using TesseraToTilePassBase::TesseraToTilePassBase;

  void getDependentDialects(DialectRegistry &registry) const override {
    TesseraToTilePassBase::getDependentDialects(registry);
    OpPassManager pm(ModuleOp::getOperationName());
    buildCpuTilePipeline(pm, /*outParams=*/true);
    pm.getDependentDialects(registry);
  }

  LogicalResult initialize(MLIRContext *ctx) override {
    if (succeeded(tessera::verifyTargetName(target)))
      return success();
    return emitError(UnknownLoc::get(ctx))
           << "tessera-to-tile: unknown target '" << target
           << "'; expected cpu, nvvm or rocdl";
  }

  void runOnOperation() override {
    std::string stage = "tessera-to-tile{target=" + target + "}";
    if (target != "cpu") {
      if (failed(tessera::reportUnimplemented(getOperation(), stage,
                                              needsTiling)))
        signalPassFailure();
      return;
    }
    // Graph ops must have gone through tessera-to-schedule first.
    if (failed(tessera::reportUnimplemented(getOperation(), stage,
                                            tessera::isTesseraGraphOp))) {
      signalPassFailure();
      return;
    }
    OpPassManager pm(ModuleOp::getOperationName());
    buildCpuTilePipeline(pm, outParams);
    if (failed(runPipeline(pm, getOperation())))
      signalPassFailure();
  }
};
} // namespace
