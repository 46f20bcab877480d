//===- Compile.cpp - C API: compile a module into an artifact -------------===//

#include "mlir-c/Tessera/Compile.h"

#include "tessera/Pipelines/Pipelines.h"
#include "tessera/Target/Artifact.h"

#include "mlir/CAPI/IR.h"
#include "mlir/CAPI/Support.h"


using namespace mlir;

MlirLogicalResult tesseraCompileToArtifact(MlirModule module,
                                           TesseraPipelineOptions options,
                                           MlirStringRef outputPath) {
  if (mlirModuleIsNull(module) || tesseraPipelineOptionsIsNull(options) ||
      !outputPath.data || !outputPath.length)
    return mlirLogicalResultFailure();
  ModuleOp op = unwrap(module);
  auto *pipeline = static_cast<tessera::TesseraPipelineOptions *>(options.ptr);
  if (pipeline->stopAfter != "target") {
    op.emitError() << "tesseraCompileToArtifact: stop-after must be "
                      "'target', not '"
                   << pipeline->stopAfter << "'";
    return mlirLogicalResultFailure();
  }
  tessera::ArtifactOptions artifact;
  artifact.target = pipeline->target;
  artifact.chip = pipeline->chip;
  artifact.features = pipeline->features;
  return wrap(tessera::compileToArtifact(op, artifact, unwrap(outputPath)));
}
