//===- Pipelines.h - The staged Tessera pipeline ----------------*- C++ -*-===//

#ifndef TESSERA_PIPELINES_PIPELINES_H
#define TESSERA_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassOptions.h"

#include "llvm/ADT/StringRef.h"

#include <string>

namespace mlir {
class OpPassManager;
} // namespace mlir

namespace tessera {

/// Options of `tessera-pipeline`.
struct TesseraPipelineOptions
    : public mlir::PassPipelineOptions<TesseraPipelineOptions> {
  PassOptions::Option<std::string> target{
      *this, "target", llvm::cl::desc("Target: cpu, nvvm or rocdl"),
      llvm::cl::init("cpu")};
  PassOptions::Option<std::string> chip{
      *this, "chip",
      llvm::cl::desc("Chip (sm_80, sm_90, gfx90a, gfx942); empty picks the "
                     "target's default"),
      llvm::cl::init("")};
  PassOptions::Option<std::string> features{
      *this, "features", llvm::cl::desc("Target features"),
      llvm::cl::init("")};
  PassOptions::Option<std::string> stopAfter{
      *this, "stop-after",
      llvm::cl::desc("Last stage to run: graph, schedule, tile or target"),
      llvm::cl::init("target")};
  PassOptions::Option<bool> outParams{
      *this, "out-params",
      llvm::cl::desc("Memref results become caller-allocated trailing "
                     "arguments (the artifact ABI)"),
      llvm::cl::init(false)};
};

/// Graph IR clean-up: tessera-bfn-canonicalize, tessera-ebt-canonicalize,
/// canonicalize, cse.
void buildGraphCleanupPipeline(mlir::OpPassManager &pm);
/// Graph -> Schedule: tessera-ebt-lower, tessera-to-schedule.
void buildToSchedulePipeline(mlir::OpPassManager &pm);
/// Schedule -> Tile: tessera-to-tile{target}.
void buildToTilePipeline(mlir::OpPassManager &pm,
                         const TesseraPipelineOptions &options);
/// Tile -> Target: tessera-to-target{target chip features}.
void buildToTargetPipeline(mlir::OpPassManager &pm,
                           const TesseraPipelineOptions &options);

/// All stages up to `stop-after`. Fails (adding nothing) on an unknown target
/// or stage name.
llvm::LogicalResult buildTesseraPipeline(mlir::OpPassManager &pm,
                                         const TesseraPipelineOptions &options);

/// Registers `tessera-pipeline`.
void registerTesseraPipelines();

} // namespace tessera

#endif // TESSERA_PIPELINES_PIPELINES_H
