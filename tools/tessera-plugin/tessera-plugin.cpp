//===- tessera-plugin.cpp - Tessera as an mlir-opt plugin -----------------===//
//
// Loaded by the packaged mlir-opt with --load-dialect-plugin (bfn, ebt) and
// --load-pass-plugin (passes and tessera-pipeline). Upstream MLIR comes from
// the host's libMLIR.so; this object holds only Tessera code.
//
//===----------------------------------------------------------------------===//

#include "tessera/InitAll.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/Plugins/DialectPlugin.h"
#include "mlir/Tools/Plugins/PassPlugin.h"

#include "llvm/Config/llvm-config.h"
#include "llvm/Support/Compiler.h"

extern "C" LLVM_ATTRIBUTE_WEAK mlir::DialectPluginLibraryInfo
mlirGetDialectPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "TesseraDialects", LLVM_VERSION_STRING,
          [](mlir::DialectRegistry *registry) {
            tessera::registerTesseraDialects(*registry);
          }};
}

extern "C" LLVM_ATTRIBUTE_WEAK mlir::PassPluginLibraryInfo
mlirGetPassPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "TesseraPasses", LLVM_VERSION_STRING,
          []() { tessera::registerTesseraPassesAndPipelines(); }};
}
