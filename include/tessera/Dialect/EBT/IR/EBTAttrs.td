//===- EBTAttrs.td - EBT enums and attributes --------------*- tablegen -*-===//

#ifndef TESSERA_DIALECT_EBT_IR_EBTATTRS_TD
#define TESSERA_DIALECT_EBT_IR_EBTATTRS_TD

include "tessera/Dialect/EBT/IR/EBTDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def EBT_InitKind : I32EnumAttr<"InitKind", "initial candidate state", [
    I32EnumAttrCase<"noise", 0>,
    I32EnumAttrCase<"zeros", 1>,
    I32EnumAttrCase<"context", 2>,
    I32EnumAttrCase<"base", 3>]> {
  let cppNamespace = "::tessera::ebt";
}

def EBT_Granularity : I32EnumAttr<"Granularity",
    "granularity of self-verification", [
    I32EnumAttrCase<"token", 0>,
    I32EnumAttrCase<"sequence", 1>]> {
  let cppNamespace = "::tessera::ebt";
}

def EBT_PolicyKind : I32EnumAttr<"PolicyKind", "inner-loop update rule", [
    I32EnumAttrCase<"sgd", 0>,
    I32EnumAttrCase<"langevin", 1>,
    I32EnumAttrCase<"coordinate", 2>,
    I32EnumAttrCase<"simplex", 3>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::tessera::ebt";
}

def EBT_Placement : I32EnumAttr<"Placement", "where Langevin noise enters", [
    I32EnumAttrCase<"pre", 0>,
    I32EnumAttrCase<"eval_only", 1>,
    I32EnumAttrCase<"ula", 2>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::tessera::ebt";
}

def EBT_Selection : I32EnumAttr<"Selection", "coordinate choice", [
    I32EnumAttrCase<"greedy", 0>,
    I32EnumAttrCase<"cyclic", 1>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::tessera::ebt";
}

def EBT_PolicyAttr : AttrDef<EBT_Dialect, "Policy"> {
  let mnemonic = "policy";
  let summary = "inner-loop update policy";
  let description = [{
    How one inner step turns the state `y` and the energy gradient `g` (taken
    at the policy's evaluation point) into the next state
    (`docs/ebt-math.md` §2). `xi` is a fresh standard normal per step.

    | policy | evaluation point | update |
    | --- | --- | --- |
    | `sgd` | `y` | `y - eta g` |
    | `langevin` (`placement = pre`, default) | `q = y + sigma xi` | `q - eta g` |
    | `langevin, placement = eval_only` | `y + sigma xi` | `y - eta g` |
    | `langevin, placement = ula` | `y` | `y - eta g + sqrt(2 eta temperature) xi` |
    | `coordinate, greedy` | `y` | `y_j - eta g_j` at `j = argmax_j abs(g_j)` per block |
    | `coordinate, cyclic` | `y` | `y_j - eta g_j` at `j = step mod n` |
    | `simplex` | `p = softmax(y + sigma xi)` | `p - eta g`, `g = dE/dp` |

    ```mlir
    #ebt.policy<sgd>
    #ebt.policy<langevin, sigma = 5.000000e-01>
    #ebt.policy<langevin, placement = ula, temperature = 2.500000e-01>
    #ebt.policy<coordinate, greedy>
    #ebt.policy<simplex, sigma = 1.000000e+00>
    ```
  }];
  let parameters = (ins EnumParameter<EBT_PolicyKind>:$kind,
                        APFloatParameter<"noise std (langevin pre/eval_only, simplex)">:$sigma,
                        EnumParameter<EBT_Placement>:$placement,
                        APFloatParameter<"ULA temperature">:$temperature,
                        EnumParameter<EBT_Selection>:$selection);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// True when the update draws a fresh normal per step.
    bool drawsNoise() const;
    /// True when the noise is `sigma xi` (langevin pre/eval_only, simplex),
    /// so a run-time `sigma` operand can set it.
    bool hasNoiseStd() const {
      return getKind() == PolicyKind::simplex ||
             (getKind() == PolicyKind::langevin &&
              getPlacement() != Placement::ula);
    }
    /// True when the update needs the step index (cyclic coordinates).
    bool needsStep() const {
      return getKind() == PolicyKind::coordinate &&
             getSelection() == Selection::cyclic;
    }
  }];
}

#endif // TESSERA_DIALECT_EBT_IR_EBTATTRS_TD
