//===- InitAll.cpp - Register every Tessera dialect and pass --------------===//

#include "tessera/InitAll.h"

#include "tessera/Conversion/Passes.h"
#include "tessera/Dialect/BFN/IR/BFN.h"
#include "tessera/Dialect/BFN/Transforms/Passes.h"
#include "tessera/Dialect/EBT/IR/EBT.h"
#include "tessera/Dialect/EBT/Transforms/Passes.h"
#include "tessera/Pipelines/Pipelines.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"

void tessera::registerTesseraDialects(mlir::DialectRegistry &registry) {
  registry.insert<bfn::BFNDialect, ebt::EBTDialect>();
}

void tessera::registerAllDialects(mlir::DialectRegistry &registry) {
  registerTesseraDialects(registry);
  // The pipeline goes through most of upstream (linalg, bufferization,
  // vector, gpu, nvvm/rocdl, llvm), with their interface extensions.
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  // Serialising gpu.module to PTX/HSACO and embedding the binaries in the
  // host module translate through these.
  mlir::registerAllToLLVMIRTranslations(registry);
}

void tessera::registerTesseraPassesAndPipelines() {
  bfn::registerTesseraBFNPasses();
  ebt::registerTesseraEBTPasses();
  registerTesseraPasses(); // the pipeline stages, generated
  registerTesseraPipelines();
}

void tessera::registerAllPasses() {
  registerTesseraPassesAndPipelines();
  mlir::registerAllPasses();
}
