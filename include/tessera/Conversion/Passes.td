//===- Passes.td - Tessera pipeline stages -----------------*- tablegen -*-===//

#ifndef TESSERA_CONVERSION_PASSES_TD
#define TESSERA_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def TesseraToSchedulePass : Pass<"tessera-to-schedule", "::mlir::ModuleOp"> {
  let summary = "Graph IR to Schedule IR: bfn/ebt to linalg on tensors and scf loops";
  let description = [{
    Lowers every `bfn` and `ebt` op to `linalg` on tensors plus `scf`,
    `arith`, `math` and `tensor`: receiver + KL fused into one `linalg` op that
    reduces over the alphabet in log space, `bayes_update` as one elementwise
    op per family, accuracy schedules hoisted into precomputed tables, the
    step and candidate loops explicit.

    Not implemented yet: every bfn/ebt op is reported as an error naming the
    op; IR without them passes unchanged.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

def TesseraToTilePass : Pass<"tessera-to-tile", "::mlir::ModuleOp"> {
  let summary = "Schedule IR to Tile IR: tiling, bufferization, mapping to the target";
  let description = [{
    Tiles and fuses per target, bufferizes, and maps loops to GPU blocks and
    threads (`nvvm`, `rocdl`) or to CPU threads and vectors (`cpu`); the
    categorical alphabet reduction gets its own warp/register strategy.

    Not implemented yet: every op on tensors (and every bfn/ebt op) is
    reported as an error naming the op; IR already on memrefs and scalars
    passes unchanged.
  }];
  let options = [
    Option<"target", "target", "std::string", /*default=*/"\"cpu\"",
           "Target: cpu, nvvm or rocdl">
  ];
  let dependentDialects = [
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect"
  ];
}

def TesseraToTargetPass : Pass<"tessera-to-target", "::mlir::ModuleOp"> {
  let summary = "Tile IR to Target IR: NVVM/ROCDL/LLVM and device binaries";
  let description = [{
    Lowers Tile IR to the `nvvm`, `rocdl` or `llvm` dialect and serialises
    device code (PTX/cubin for `sm_80`/`sm_90`, HSACO for `gfx90a`/`gfx942`)
    into the module, ready for the host artifact.

    Not implemented yet: every op of a non-empty module is reported as an
    error naming the op.
  }];
  let options = [
    Option<"target", "target", "std::string", /*default=*/"\"cpu\"",
           "Target: cpu, nvvm or rocdl">,
    Option<"chip", "chip", "std::string", /*default=*/"\"\"",
           "Chip: sm_80, sm_90 (nvvm), gfx90a, gfx942 (rocdl); empty picks the "
           "target's default (sm_90, gfx90a, host)">,
    Option<"features", "features", "std::string", /*default=*/"\"\"",
           "Target features, e.g. +ptx80 or +avx512f">
  ];
}

#endif // TESSERA_CONVERSION_PASSES_TD
