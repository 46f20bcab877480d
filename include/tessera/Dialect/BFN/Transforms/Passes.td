//===- Passes.td - bfn passes ------------------------------*- tablegen -*-===//

#ifndef TESSERA_DIALECT_BFN_TRANSFORMS_PASSES_TD
#define TESSERA_DIALECT_BFN_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def BFNCanonicalizePass : Pass<"tessera-bfn-canonicalize", "::mlir::ModuleOp"> {
  let summary = "Fold and normalise bfn IR (the seed's bfn-cleanup)";
  let description = [{
    Cleans up Graph-level `bfn` IR before lowering:

    - folds schedules at constant arguments (`bfn.beta`, `bfn.rate`,
      `bfn.alpha` become `bfn.accuracy_constant` / `arith.constant`),
      accuracy additions and reads of constant accuracies;
    - rewrites a Bayesian-flow sample at `t = 0` to the prior;
    - normalises simplex types: `bfn.simplex_cast` chains collapse where the
      intermediate type loses nothing, identity casts and
      `bfn.pack`/`bfn.unpack` round trips vanish;
    - outlines inline network regions of `bfn.flow_step` / `bfn.generate`
      into private `func.func`s (`outline-networks`), so every network is a
      callee that later passes can analyse and reuse;
    - removes dead pure ops, among them unused sender/receiver pairs.

    ```mlir
    // before
    %a = bfn.alpha #bfn.schedule<paper_discrete, beta1 = 9.0>(%c1 of %c4) : index, index -> !bfn.accuracy
    // after
    %a = bfn.accuracy_constant 5.625000e-01
    ```
  }];
  let dependentDialects = [
    "::tessera::bfn::BFNDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::func::FuncDialect"
  ];
  let options = [
    Option<"outlineNetworks", "outline-networks", "bool", /*default=*/"true",
           "Outline inline network regions into private func.funcs">
  ];
}

#endif // TESSERA_DIALECT_BFN_TRANSFORMS_PASSES_TD
