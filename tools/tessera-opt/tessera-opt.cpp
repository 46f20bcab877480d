//===- tessera-opt.cpp - Tessera optimizer driver -------------------------===//
//
// mlir-opt with the bfn/ebt dialects, every Tessera pass and pipeline, and the
// upstream dialects and passes the Tessera pipeline produces and consumes.
//
//===----------------------------------------------------------------------===//

#include "tessera/InitAll.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  tessera::registerAllDialects(registry);
  tessera::registerAllPasses();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "Tessera BFN/EBT optimizer\n", registry));
}
