//===- TesseraToTarget.cpp - tessera-to-target ----------------------------===//
//
// Tile IR -> Target IR. cpu: the llvm dialect (strided metadata expanded,
// structured control flow to branches, libm for the math the LLVM
// intrinsics lack: erfc, expm1, log1p, tan, ...). nvvm/rocdl: not yet.
//
//===----------------------------------------------------------------------===//

#include "tessera/Conversion/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"

namespace tessera {
#define GEN_PASS_DEF_TESSERATOTARGETPASS
#include "tessera/Conversion/Passes.h.inc"
} // namespace tessera

using namespace mlir;

static void buildCpuTargetPipeline(OpPassManager &pm) {
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  // Before convert-to-llvm: its math patterns would expand expm1/log1p into
  // exp - 1 / log(1 + x) and lose the digits they exist for.
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createConvertToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

namespace {
struct TesseraToTargetPass
    : public tessera::impl::TesseraToTargetPassBase<TesseraToTargetPass> {
  using TesseraToTargetPassBase::TesseraToTargetPassBase;

  void getDependentDialects(DialectRegistry &registry) const override {
    TesseraToTargetPassBase::getDependentDialects(registry);
    OpPassManager pm(ModuleOp::getOperationName());
    buildCpuTargetPipeline(pm);
    pm.getDependentDialects(registry);
  }

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
    if (target != "cpu") {
      // Every op of the module needs translating for a GPU target.
      if (failed(tessera::reportUnimplemented(
              getOperation(), stage, [](Operation *) { return true; })))
        signalPassFailure();
      return;
    }
    // Tile IR only: tensors and graph ops need the earlier stages.
    if (failed(tessera::reportUnimplemented(
            getOperation(), stage, [](Operation *op) {
              auto isTensor = [](Type t) { return isa<TensorType>(t); };
              return tessera::isTesseraGraphOp(op) ||
                     llvm::any_of(op->getOperandTypes(), isTensor) ||
                     llvm::any_of(op->getResultTypes(), isTensor);
            }))) {
      signalPassFailure();
      return;
    }
    OpPassManager pm(ModuleOp::getOperationName());
    buildCpuTargetPipeline(pm);
    if (failed(runPipeline(pm, getOperation())))
      signalPassFailure();
  }
};
} // namespace
