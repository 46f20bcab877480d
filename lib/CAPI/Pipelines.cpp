//===- Pipelines.cpp - C API of the staged Tessera pipeline ---------------===//

#include "mlir-c/Tessera/Pipelines.h"

#include "tessera/Conversion/Passes.h"
#include "tessera/Pipelines/Pipelines.h"

#include "mlir/CAPI/Pass.h"
#include "mlir/CAPI/Support.h"
#include "mlir/Pass/PassManager.h"

using namespace mlir;

static tessera::TesseraPipelineOptions *unwrapOptions(TesseraPipelineOptions o) {
  return static_cast<tessera::TesseraPipelineOptions *>(o.ptr);
}

TesseraPipelineOptions tesseraPipelineOptionsCreate(void) {
  return {new tessera::TesseraPipelineOptions()};
}

void tesseraPipelineOptionsDestroy(TesseraPipelineOptions options) {
  delete unwrapOptions(options);
}

MlirLogicalResult tesseraPipelineOptionsSetTarget(TesseraPipelineOptions options,
                                                  MlirStringRef target) {
  if (tesseraPipelineOptionsIsNull(options) ||
      failed(tessera::verifyTargetName(unwrap(target))))
    return mlirLogicalResultFailure();
  unwrapOptions(options)->target = unwrap(target).str();
  return mlirLogicalResultSuccess();
}

MlirLogicalResult tesseraPipelineOptionsSetChip(TesseraPipelineOptions options,
                                                MlirStringRef chip) {
  if (tesseraPipelineOptionsIsNull(options))
    return mlirLogicalResultFailure();
  unwrapOptions(options)->chip = unwrap(chip).str();
  return mlirLogicalResultSuccess();
}

MlirLogicalResult
tesseraPipelineOptionsSetFeatures(TesseraPipelineOptions options,
                                  MlirStringRef features) {
  if (tesseraPipelineOptionsIsNull(options))
    return mlirLogicalResultFailure();
  unwrapOptions(options)->features = unwrap(features).str();
  return mlirLogicalResultSuccess();
}

MlirLogicalResult
tesseraPipelineOptionsSetStopAfter(TesseraPipelineOptions options,
                                   MlirStringRef stage) {
  StringRef s = unwrap(stage);
  if (tesseraPipelineOptionsIsNull(options) ||
      !llvm::is_contained({"graph", "schedule", "tile", "target"}, s))
    return mlirLogicalResultFailure();
  unwrapOptions(options)->stopAfter = s.str();
  return mlirLogicalResultSuccess();
}

MlirLogicalResult tesseraPopulatePipeline(MlirOpPassManager pm,
                                          TesseraPipelineOptions options) {
  if (!pm.ptr || tesseraPipelineOptionsIsNull(options))
    return mlirLogicalResultFailure();
  return wrap(tessera::buildTesseraPipeline(*unwrap(pm), *unwrapOptions(options)));
}
