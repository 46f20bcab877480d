//===- tessera-compile.cpp - compile a module into an artifact ------------===//
//
// tessera-compile in.mlir --target=cpu -o out.so
//
// Runs tessera-pipeline with the artifact ABI and writes one host shared
// object the C runtime (libtessera_rt) loads. Diagnostics go to stderr; the
// exit status is 1 on any failure and no output file is left behind.
//
//===----------------------------------------------------------------------===//

#include "tessera/InitAll.h"
#include "tessera/Target/Artifact.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;
namespace cl = llvm::cl;

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::opt<std::string> input(cl::Positional, cl::desc("<input .mlir>"),
                             cl::init("-"));
  cl::opt<std::string> output("o", cl::desc("Output shared object"),
                              cl::value_desc("file"), cl::Required);
  cl::opt<std::string> target("target", cl::desc("cpu, nvvm or rocdl"),
                              cl::init("cpu"));
  cl::opt<std::string> chip(
      "chip", cl::desc("CPU name or GPU chip (default: the host / target's)"),
      cl::init(""));
  cl::opt<std::string> features("features", cl::desc("Target features"),
                                cl::init(""));
  cl::opt<unsigned> optLevel("O", cl::desc("LLVM optimisation level"),
                             cl::Prefix, cl::init(2));
  cl::ParseCommandLineOptions(argc, argv,
                              "Tessera compiler: MLIR to a loadable artifact\n");

  DialectRegistry registry;
  tessera::registerAllDialects(registry);
  MLIRContext context(registry);
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);

  std::string error;
  std::unique_ptr<llvm::MemoryBuffer> file = openInputFile(input, &error);
  if (!file) {
    llvm::errs() << "tessera-compile: " << error << "\n";
    return 1;
  }
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  if (!module)
    return 1;

  tessera::ArtifactOptions options;
  options.target = target;
  options.chip = chip;
  options.features = features;
  options.optLevel = optLevel;
  return failed(tessera::compileToArtifact(*module, options, output));
}
