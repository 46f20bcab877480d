//===- Passes.cpp - C API of the Tessera passes ---------------------------===//

#include "mlir-c/Tessera/Passes.h"

#include "tessera/Conversion/Passes.h"
#include "tessera/Dialect/BFN/Transforms/Passes.h"
#include "tessera/Dialect/EBT/Transforms/Passes.h"
#include "tessera/InitAll.h"

#include "mlir/CAPI/Pass.h"
#include "mlir/Pass/Pass.h"

using namespace mlir;

extern "C" {
namespace tessera::bfn {
#include "tessera/Dialect/BFN/Transforms/Passes.capi.cpp.inc"
} // namespace tessera::bfn
namespace tessera::ebt {
#include "tessera/Dialect/EBT/Transforms/Passes.capi.cpp.inc"
} // namespace tessera::ebt
namespace tessera {
#include "tessera/Conversion/Passes.capi.cpp.inc"
} // namespace tessera
}

void tesseraRegisterPasses(void) {
  tessera::registerTesseraPassesAndPipelines();
}

void tesseraRegisterAllPasses(void) { tessera::registerAllPasses(); }
