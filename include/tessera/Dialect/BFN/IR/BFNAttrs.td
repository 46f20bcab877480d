//===- BFNAttrs.td - BFN enums and attributes --------------*- tablegen -*-===//

#ifndef TESSERA_DIALECT_BFN_IR_BFNATTRS_TD
#define TESSERA_DIALECT_BFN_IR_BFNATTRS_TD

include "tessera/Dialect/BFN/IR/BFNDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

def BFN_Family : I32EnumAttr<"Family", "BFN distribution family", [
    I32EnumAttrCase<"categorical", 0>,
    I32EnumAttrCase<"gaussian", 1>,
    I32EnumAttrCase<"discretized", 2>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::tessera::bfn";
}

def BFN_SimplexForm : I32EnumAttr<"SimplexForm",
    "how a simplex stores its probabilities", [
    I32EnumAttrCase<"prob", 0>,
    I32EnumAttrCase<"log", 1>,
    I32EnumAttrCase<"logits", 2>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::tessera::bfn";
}

def BFN_ScheduleKind : I32EnumAttr<"ScheduleKind", "accuracy schedule shape", [
    I32EnumAttrCase<"paper_cts", 0>,
    I32EnumAttrCase<"paper_discrete", 1>,
    I32EnumAttrCase<"linear", 2>,
    I32EnumAttrCase<"cosine", 3>,
    I32EnumAttrCase<"poly", 4>,
    I32EnumAttrCase<"custom", 5>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::tessera::bfn";
}

def BFN_Reduction : I32EnumAttr<"Reduction", "loss reduction over variables", [
    I32EnumAttrCase<"none", 0>,
    I32EnumAttrCase<"sum", 1>,
    I32EnumAttrCase<"mean", 2>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::tessera::bfn";
}
def BFN_ReductionAttr : EnumAttr<BFN_Dialect, BFN_Reduction, "reduction"> {
  let summary = "reduction of per-variable losses: none, sum (paper) or mean (reference)";
  let assemblyFormat = "`<` $value `>`";
}

def BFN_ReceiverForm : I32EnumAttr<"ReceiverForm",
    "categorical receiver used by the discrete-time KL", [
    I32EnumAttrCase<"joint", 0>,
    I32EnumAttrCase<"factorized", 1>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::tessera::bfn";
}
def BFN_ReceiverFormAttr : EnumAttr<BFN_Dialect, BFN_ReceiverForm, "receiver_form"> {
  let summary = "joint K-dimensional mixture (paper) or product of K marginals (reference code)";
  let assemblyFormat = "`<` $value `>`";
}

def BFN_Convention : I32EnumAttr<"Convention",
    "paper formulas or the reference code's numerics", [
    I32EnumAttrCase<"paper", 0>,
    I32EnumAttrCase<"reference", 1>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::tessera::bfn";
}
def BFN_ConventionAttr : EnumAttr<BFN_Dialect, BFN_Convention, "convention"> {
  let summary = "paper (default) or reference-code numerics (docs/bfn-math.md section 6)";
  let assemblyFormat = "`<` $value `>`";
}

def BFN_FinalSample : I32EnumAttr<"FinalSample",
    "how the sampling loop turns the last output distribution into data", [
    I32EnumAttrCase<"mode", 0>,
    I32EnumAttrCase<"sample", 1>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::tessera::bfn";
}
def BFN_FinalSampleAttr : EnumAttr<BFN_Dialect, BFN_FinalSample, "final"> {
  let summary = "final sample: mode (reference code) or a draw (paper)";
  let assemblyFormat = "`<` $value `>`";
}

//===----------------------------------------------------------------------===//
// Accuracy schedule
//===----------------------------------------------------------------------===//

def BFN_ScheduleAttr : AttrDef<BFN_Dialect, "Schedule"> {
  let mnemonic = "schedule";
  let summary = "accuracy schedule beta(t) with its rate alpha(t) and step accuracies alpha_i";
  let description = [{
    An accuracy schedule `beta(t)` on `[0, 1]` with `beta(0) = 0`, `beta`
    non-decreasing and `beta(1) = beta1`. Accuracies are additive, so the
    accuracy of step `i` of `n` is always the difference
    `alpha_i = beta(i/n) - beta((i-1)/n)` (or an algebraically identical
    closed form) and `sum_i alpha_i = beta1` exactly.

    | kind | beta(t) | parameters |
    | --- | --- | --- |
    | `paper_cts` | `sigma1^(-2t) - 1` | `sigma1` in (0, 1), default 1e-3 |
    | `paper_discrete` | `beta1 t^2` | `beta1` (or `sqrt_beta1`) |
    | `linear` | `beta1 t` | `beta1` |
    | `cosine` | `tan^2(phi t)`, `phi = atan(sqrt(beta1))` | `beta1` |
    | `poly` | `beta1 t^p`, `p >= 1` | `beta1`, `power` |
    | `custom` | `@beta(t)` | `beta1`, `beta = @fn`, optional `rate = @fn` |

    `paper_cts` and `paper_discrete` are the paper's schedules for
    continuous/discretised and discrete data. `sqrt_beta1 = s` is accepted
    as a spelling of `beta1 = s^2` (the reference code's parameter) and is
    printed as `beta1`. A `custom` schedule names `func.func`s of type
    `(f32) -> f32`; the ops that use it check that they exist. Without
    `rate = @fn`, `tessera-to-schedule` derives `alpha(t) = beta'(t)` from a
    straight-line `beta` by reverse mode.

    Examples:

    ```mlir
    #bfn.schedule<paper_cts, sigma1 = 1.000000e-03>
    #bfn.schedule<paper_discrete, beta1 = 9.000000e+00>
    #bfn.schedule<poly, beta1 = 4.000000e+00, power = 3.000000e+00>
    #bfn.schedule<custom, beta1 = 2.000000e+00, beta = @my_beta, rate = @my_rate>
    ```
  }];
  let parameters = (ins
    EnumParameter<BFN_ScheduleKind>:$kind,
    APFloatParameter<"beta(1)">:$beta1,
    APFloatParameter<"sigma1 of paper_cts, else 0">:$sigma1,
    APFloatParameter<"exponent of poly, else 0">:$power,
    OptionalParameter<"::mlir::FlatSymbolRefAttr">:$betaFn,
    OptionalParameter<"::mlir::FlatSymbolRefAttr">:$rateFn
  );
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let builders = [
    AttrBuilder<(ins "ScheduleKind":$kind, "double":$param,
                     CArg<"double", "0.0">:$power,
                     CArg<"::mlir::FlatSymbolRefAttr", "{}">:$betaFn,
                     CArg<"::mlir::FlatSymbolRefAttr", "{}">:$rateFn)>
  ];
  let extraClassDeclaration = [{
    /// Builds a schedule from its user-facing parameter (`sigma1` for
    /// paper_cts, `beta1` otherwise); reports invalid parameters through
    /// `emitError` and returns null.
    static ScheduleAttr getFromParam(
        ::llvm::function_ref<::mlir::InFlightDiagnostic()> emitError,
        ::mlir::MLIRContext *context, ScheduleKind kind, double param,
        double power, ::mlir::FlatSymbolRefAttr betaFn,
        ::mlir::FlatSymbolRefAttr rateFn);
    /// beta(t), alpha(t) = dbeta/dt and alpha_i evaluated in double precision
    /// on the host; std::nullopt for `custom`, whose beta is IR.
    std::optional<double> evalBeta(double t) const;
    std::optional<double> evalRate(double t) const;
    std::optional<double> evalAlpha(int64_t i, int64_t n) const;
    double getBeta1Value() const { return getBeta1().convertToDouble(); }
  }];
}

#endif // TESSERA_DIALECT_BFN_IR_BFNATTRS_TD
