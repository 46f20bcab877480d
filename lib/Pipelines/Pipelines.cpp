//===- Pipelines.cpp - The staged Tessera pipeline ------------------------===//

#include "tessera/Pipelines/Pipelines.h"

#include "tessera/Conversion/Passes.h"
#include "tessera/Dialect/BFN/Transforms/Passes.h"
#include "tessera/Dialect/EBT/Transforms/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void tessera::buildGraphCleanupPipeline(OpPassManager &pm) {
  pm.addPass(bfn::createBFNCanonicalizePass());
  pm.addPass(ebt::createEBTCanonicalizePass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void tessera::buildToSchedulePipeline(OpPassManager &pm) {
  pm.addPass(ebt::createEBTLowerPass());
  pm.addPass(createTesseraToSchedulePass());
}

void tessera::buildToTilePipeline(OpPassManager &pm,
                                  const TesseraPipelineOptions &options) {
  TesseraToTilePassOptions tile;
  tile.target = options.target;
  tile.outParams = options.outParams;
  // TF32 mma.sync needs sm_80 or newer (the default chip is sm_90); wgmma
  // is sm_90a's alone (arch-specific: not in sm_90 or later chips' code).
  unsigned sm = 90;
  StringRef chip = options.chip;
  tile.wgmma = options.target == "nvvm" && chip == "sm_90a";
  chip.consume_back("a");
  tile.tensorCores =
      options.target == "nvvm" &&
      (chip.empty() ||
       (chip.consume_front("sm_") && !chip.getAsInteger(10, sm) && sm >= 80));
  pm.addPass(createTesseraToTilePass(tile));
}

void tessera::buildToTargetPipeline(OpPassManager &pm,
                                    const TesseraPipelineOptions &options) {
  TesseraToTargetPassOptions target;
  target.target = options.target;
  target.chip = options.chip;
  target.features = options.features;
  pm.addPass(createTesseraToTargetPass(target));
}

LogicalResult
tessera::buildTesseraPipeline(OpPassManager &pm,
                              const TesseraPipelineOptions &options) {
  StringRef stop = options.stopAfter;
  if (failed(verifyTargetName(options.target)) ||
      !llvm::is_contained({"graph", "schedule", "tile", "target"}, stop))
    return failure();
  buildGraphCleanupPipeline(pm);
  if (stop == "graph")
    return success();
  buildToSchedulePipeline(pm);
  if (stop == "schedule")
    return success();
  buildToTilePipeline(pm, options);
  if (stop == "tile")
    return success();
  buildToTargetPipeline(pm, options);
  return success();
}

void tessera::registerTesseraPipelines() {
  // registerPassPipeline rather than PassPipelineRegistration: an unknown
  // target or stage must reach the caller as an error, not a silent default.
  registerPassPipeline(
      "tessera-pipeline",
      "Graph IR to target code: clean-up, Schedule, Tile and Target stages "
      "(stop-after selects the last stage)",
      [](OpPassManager &pm, StringRef optionsStr,
         function_ref<LogicalResult(const Twine &)> errorHandler) {
        TesseraPipelineOptions options;
        if (failed(options.parseFromString(optionsStr)))
          return failure();
        if (failed(buildTesseraPipeline(pm, options)))
          return errorHandler("tessera-pipeline: unknown target '" +
                              options.target + "' or stop-after '" +
                              options.stopAfter +
                              "' (targets: cpu, nvvm, rocdl; stages: graph, "
                              "schedule, tile, target)");
        return success();
      },
      [](function_ref<void(const detail::PassOptions &)> optHandler) {
        optHandler(TesseraPipelineOptions());
      });
}
