/*===- Passes.h - C API of the Tessera passes ---------------------*- C -*-===*\
|*                                                                            *|
|* Creation and registration of every Tessera pass (generated from the pass   *|
|* TableGen files): mlirCreateTesseraBFNBFNCanonicalizePass(),                *|
|* mlirCreateTesseraEBTEBTCanonicalizePass(), mlirCreateTesseraEBTEBTLower... *|
|* mlirCreateTesseraTesseraToSchedulePass(), ... and group registration.      *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef TESSERA_C_PASSES_H
#define TESSERA_C_PASSES_H

#include "mlir-c/Pass.h"

#include "tessera/Conversion/Passes.capi.h.inc"
#include "tessera/Dialect/BFN/Transforms/Passes.capi.h.inc"
#include "tessera/Dialect/EBT/Transforms/Passes.capi.h.inc"

#ifdef __cplusplus
extern "C" {
#endif

/** Registers every Tessera pass and `tessera-pipeline`, so that textual
 *  pipelines (mlirParsePassPipeline) can name them. */
MLIR_CAPI_EXPORTED void tesseraRegisterPasses(void);

/** Registers the Tessera passes and pipelines plus every upstream pass. */
MLIR_CAPI_EXPORTED void tesseraRegisterAllPasses(void);

#ifdef __cplusplus
}
#endif

#endif /* TESSERA_C_PASSES_H */
