//===- BFNDialect.td - Bayesian Flow Network dialect -------*- tablegen -*-===//

#ifndef TESSERA_DIALECT_BFN_IR_BFNDIALECT_TD
#define TESSERA_DIALECT_BFN_IR_BFNDIALECT_TD

include "mlir/IR/OpBase.td"

def BFN_Dialect : Dialect {
  let name = "bfn";
  let cppNamespace = "::tessera::bfn";
  let summary = "Bayesian Flow Networks as first-class compiler patterns";
  let description = [{
    The `bfn` dialect models Bayesian Flow Networks (Graves et al., 2023,
    arXiv:2308.07037) at the graph level: the input-distribution parameters
    (`!bfn.simplex`, `!bfn.gauss`), accuracies (`!bfn.accuracy`) and the
    accuracy schedule (`#bfn.schedule`), the sender and receiver distributions
    (`!bfn.sender`, `!bfn.receiver`), the closed-form Bayesian update, the
    Bayesian flow used in training, the output distribution built from
    network outputs, the discrete-time, continuous-time and reconstruction
    losses, a single generative step with its network, and the n-step
    sampling loop.

    Three families are covered: `categorical` (discrete data, parameters on
    the probability simplex), `gaussian` (continuous data) and `discretized`
    (continuous parameters, data quantised into bins). The family of an op is
    carried by its types; ops that cannot tell it from their types (the
    network-carrying ops on Gaussian state) take a `bins` attribute.

    Numerics follow `docs/bfn-math.md`: KL is KL(sender || receiver), the
    categorical path works in log space, accuracies are formed as
    differences of the schedule `beta(t)`.

    Random draws are counter based: every op that draws takes either a
    Philox 4x32-10 key `rng(%seed, %offset)` (two `i64`) or the draws
    themselves `draws(...)` as explicit tensors, so a result computed elsewhere
    can be reproduced exactly. The verifier of each op states the draws it
    takes, in order (for example `bfn.sample` of a categorical receiver: one
    uniform per site, then K standard normals per site; `bfn.generate`: the
    per-step draws stacked over a leading step dimension).

    `rng(%seed, %offset)` is defined as `draws(D_0, D_1, ...)` where element
    `e` (row-major position) of draw tensor `D_j` comes from Philox4x32-10
    with key `(lo32(seed), hi32(seed))` and counter
    `(lo32(offset + e), hi32(offset + e), j, 0)`, output words `r0, r1`:
    a uniform is `(r0 >> 8) * 2^-24` in [0, 1); a standard normal is
    `sqrt(-2 ln u1) cos(2 pi u2)` with `u1 = ((r0 >> 8) + 1) * 2^-24` and
    `u2 = (r1 >> 8) * 2^-24`, in fp32. The stream depends on nothing else
    (no tiling, no thread count, no backend). Successive calls should
    advance `offset` by at least the number of elements drawn.
  }];
  let useDefaultTypePrinterParser = 1;
  let useDefaultAttributePrinterParser = 1;
  let hasConstantMaterializer = 1;
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::func::FuncDialect",
    "::mlir::tensor::TensorDialect"
  ];
  let extraClassDeclaration = [{
    void registerTypes();
    void registerAttributes();
  }];
}

class BFN_Op<string mnemonic, list<Trait> traits = []>
    : Op<BFN_Dialect, mnemonic, traits>;

#endif // TESSERA_DIALECT_BFN_IR_BFNDIALECT_TD
