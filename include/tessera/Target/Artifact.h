//===- Artifact.h - compile a module into a loadable artifact --*- C++ -*-===//
//
// An artifact is one host shared object: the host code of every public
// function, a `_tessera_entry_<name>(void **args)` trampoline per function
// with a uniform calling convention, and `tessera_manifest`, a text table of
// the entries' signatures the runtime checks arguments against. The format
// is documented in docs/artifact.md.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_TARGET_ARTIFACT_H
#define TESSERA_TARGET_ARTIFACT_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"

#include <string>

namespace tessera {

struct ArtifactOptions {
  /// cpu, nvvm or rocdl.
  std::string target = "cpu";
  /// CPU name or GPU chip; empty picks the host CPU / the target default.
  std::string chip;
  std::string features;
  /// LLVM optimisation level of the host code.
  unsigned optLevel = 2;
};

/// Lowers `module` (Graph, Schedule or Tile IR) through `tessera-pipeline`
/// with the artifact ABI and writes the shared object to `outputPath`.
/// Failures (unsupported entry signature, an op a stage rejects, a failing
/// linker) are reported as diagnostics on the module's context, and no file
/// is left at `outputPath`.
mlir::LogicalResult compileToArtifact(mlir::ModuleOp module,
                                      const ArtifactOptions &options,
                                      llvm::StringRef outputPath);

} // namespace tessera

#endif // TESSERA_TARGET_ARTIFACT_H
