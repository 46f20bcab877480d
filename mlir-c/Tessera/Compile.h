/*===- Compile.h - C API: compile a module into an artifact -------*- C -*-===*\
|*                                                                            *|
|* What `tessera-compile` does, for C hosts: lower a module through the       *|
|* Tessera pipeline and write one shared object that libtessera_rt loads.     *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef TESSERA_C_COMPILE_H
#define TESSERA_C_COMPILE_H

#include "mlir-c/IR.h"
#include "mlir-c/Support.h"
#include "mlir-c/Tessera/Pipelines.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Lowers `module` in place with the target, chip and features of `options`
 *  (its stop-after must be "target", the default) and writes the artifact to
 *  `outputPath`. On failure the reasons reach the context's diagnostic
 *  handlers, no file is left at `outputPath`, and the module may be
 *  partially lowered. Fails on null arguments. */
MLIR_CAPI_EXPORTED MlirLogicalResult
tesseraCompileToArtifact(MlirModule module, TesseraPipelineOptions options,
                         MlirStringRef outputPath);

#ifdef __cplusplus
}
#endif

#endif /* TESSERA_C_COMPILE_H */
