/*===- Pipelines.h - C API of the staged Tessera pipeline ---------*- C -*-===*\
|*                                                                            *|
|* Options of `tessera-pipeline` as an opaque handle, and population of a     *|
|* pass manager with the pipeline.                                            *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef TESSERA_C_PIPELINES_H
#define TESSERA_C_PIPELINES_H

#include "mlir-c/Pass.h"
#include "mlir-c/Support.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Owned handle to pipeline options. */
typedef struct TesseraPipelineOptions {
  void *ptr;
} TesseraPipelineOptions;

/** True if the handle is null. */
static inline bool tesseraPipelineOptionsIsNull(TesseraPipelineOptions o) {
  return !o.ptr;
}

/** Creates options with the defaults: target cpu, default chip, no extra
 *  features, all stages. The caller owns the result. */
MLIR_CAPI_EXPORTED TesseraPipelineOptions tesseraPipelineOptionsCreate(void);

/** Destroys options created by tesseraPipelineOptionsCreate (null is fine). */
MLIR_CAPI_EXPORTED void
tesseraPipelineOptionsDestroy(TesseraPipelineOptions options);

/** Sets the target: "cpu", "nvvm" or "rocdl"; fails on anything else or a
 *  null handle, leaving the options unchanged. */
MLIR_CAPI_EXPORTED MlirLogicalResult
tesseraPipelineOptionsSetTarget(TesseraPipelineOptions options,
                                MlirStringRef target);

/** Sets the chip (e.g. "sm_90", "gfx942"); empty selects the target's
 *  default. Fails on a null handle. */
MLIR_CAPI_EXPORTED MlirLogicalResult tesseraPipelineOptionsSetChip(
    TesseraPipelineOptions options, MlirStringRef chip);

/** Sets target features (e.g. "+ptx80"). Fails on a null handle. */
MLIR_CAPI_EXPORTED MlirLogicalResult tesseraPipelineOptionsSetFeatures(
    TesseraPipelineOptions options, MlirStringRef features);

/** Sets the last stage: "graph", "schedule", "tile" or "target"; fails on
 *  anything else or a null handle. */
MLIR_CAPI_EXPORTED MlirLogicalResult tesseraPipelineOptionsSetStopAfter(
    TesseraPipelineOptions options, MlirStringRef stage);

/** Appends the Tessera pipeline to `pm` (a module-level pass manager).
 *  Fails on null arguments. */
MLIR_CAPI_EXPORTED MlirLogicalResult tesseraPopulatePipeline(
    MlirOpPassManager pm, TesseraPipelineOptions options);

#ifdef __cplusplus
}
#endif

#endif /* TESSERA_C_PIPELINES_H */
