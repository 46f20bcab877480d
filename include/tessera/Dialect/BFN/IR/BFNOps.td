//===- BFNOps.td - BFN operations --------------------------*- tablegen -*-===//

#ifndef TESSERA_DIALECT_BFN_IR_BFNOPS_TD
#define TESSERA_DIALECT_BFN_IR_BFNOPS_TD

include "tessera/Dialect/BFN/IR/BFNDialect.td"
include "tessera/Dialect/BFN/IR/BFNAttrs.td"
include "tessera/Dialect/BFN/IR/BFNTypes.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/IR/RegionKindInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

def BFN_Params : AnyTypeOf<[BFN_SimplexType, BFN_GaussType], "BFN parameters">;
def BFN_TimeLike : AnyTypeOf<[F32, RankedTensorOf<[F32]>],
                             "f32 time or a tensor of f32 times">;
def BFN_AccuracyLike
    : AnyTypeOf<[BFN_AccuracyType, RankedTensorOf<[BFN_AccuracyType]>],
                "accuracy or a tensor of accuracies">;
def BFN_StepLike : AnyTypeOf<[Index, AnySignlessInteger,
                              RankedTensorOf<[Index, AnySignlessInteger]>],
                             "step index or a tensor of step indices">;
def BFN_Count : AnyTypeOf<[Index, AnySignlessInteger], "step count">;
def BFN_Draws : RankedTensorOf<[F32]>;
def BFN_Dist : AnyTypeOf<[BFN_SenderType, BFN_ReceiverType], "sender or receiver">;
def BFN_FloatTensor : RankedTensorOf<[AnyFloat]>;
def BFN_Data : RankedTensorOf<[AnySignlessInteger, AnyFloat], [],
    "data: integer class labels (categorical) or floats in [-1, 1]">;
def BFN_Loss : AnyTypeOf<[F32, RankedTensorOf<[F32]>], "f32 loss">;


//===----------------------------------------------------------------------===//
// Accuracies and schedules
//===----------------------------------------------------------------------===//

def BFN_AccuracyConstantOp : BFN_Op<"accuracy_constant", [ConstantLike, Pure]> {
  let summary = "a constant accuracy";
  let description = [{
    A compile-time accuracy. The value must be positive and finite.

    ```mlir
    %a = bfn.accuracy_constant 5.000000e-01
    ```
  }];
  let arguments = (ins F64Attr:$value);
  let results = (outs BFN_AccuracyType:$result);
  let assemblyFormat = "$value attr-dict";
  let hasFolder = 1;
  let hasVerifier = 1;
}

def BFN_BetaOp : BFN_Op<"beta", [Pure,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "total accuracy beta(t) of the Bayesian flow at time t";
  let description = [{
    Evaluates the schedule's `beta(t)`, the accuracy accumulated from
    `t = 0`. `t` is an `f32` or a tensor of them (one per sample); the result
    has the same shape. Constant `t` must lie in `[0, 1]`; with a constant `t`
    and a built-in schedule the op folds.

    ```mlir
    %b = bfn.beta #bfn.schedule<paper_cts, sigma1 = 1.000000e-03>(%t) : f32 -> !bfn.accuracy
    ```
  }];
  let arguments = (ins BFN_TimeLike:$t, BFN_ScheduleAttr:$schedule);
  let results = (outs BFN_AccuracyLike:$beta);
  let assemblyFormat =
      "qualified($schedule) `(` $t `)` attr-dict `:` type($t) `->` type($beta)";
  let hasFolder = 1;
  let hasVerifier = 1;
}

def BFN_RateOp : BFN_Op<"rate", [Pure,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "accuracy rate alpha(t) = dbeta/dt";
  let description = [{
    Evaluates `alpha(t) = beta'(t)`, the weight of the continuous-time loss.
    For a `custom` schedule without `rate = @fn` the rate is the derivative
    of the `beta` function, formed by the lowering.

    ```mlir
    %r = bfn.rate #bfn.schedule<cosine, beta1 = 4.000000e+00>(%t) : f32 -> f32
    ```
  }];
  let arguments = (ins BFN_TimeLike:$t, BFN_ScheduleAttr:$schedule);
  let results = (outs BFN_TimeLike:$rate);
  let assemblyFormat =
      "qualified($schedule) `(` $t `)` attr-dict `:` type($t) `->` type($rate)";
  let hasFolder = 1;
  let hasVerifier = 1;
}

def BFN_AlphaOp : BFN_Op<"alpha", [Pure,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "accuracy alpha_i of step i of n";
  let description = [{
    `alpha_i = beta(i/n) - beta((i-1)/n)` for `i` in `[1, n]`, so the step
    accuracies of an n-step process add up to `beta(1)` exactly. `i` may be a
    tensor of per-sample steps (discrete-time training).

    ```mlir
    %a = bfn.alpha #bfn.schedule<paper_discrete, beta1 = 9.000000e+00>(%i of %n) : index, index -> !bfn.accuracy
    ```
  }];
  let arguments = (ins BFN_StepLike:$i, BFN_Count:$n, BFN_ScheduleAttr:$schedule);
  let results = (outs BFN_AccuracyLike:$alpha);
  let assemblyFormat = "qualified($schedule) `(` $i `of` $n `)` attr-dict `:` "
                       "type($i) `,` type($n) `->` type($alpha)";
  let hasFolder = 1;
  let hasVerifier = 1;
}

def BFN_AccuracyAddOp : BFN_Op<"accuracy_add", [Pure, Commutative,
    SameOperandsAndResultType]> {
  let summary = "additivity: the accuracy of two successive updates";
  let description = [{
    Updating with accuracy `a` and then `b` is distributed as one update with
    `a + b`.

    ```mlir
    %c = bfn.accuracy_add %a, %b : !bfn.accuracy
    ```
  }];
  let arguments = (ins BFN_AccuracyLike:$lhs, BFN_AccuracyLike:$rhs);
  let results = (outs BFN_AccuracyLike:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($result)";
  let hasFolder = 1;
}

def BFN_AccuracyValueOp : BFN_Op<"accuracy_value", [Pure]> {
  let summary = "the f32 value of an accuracy";
  let description = [{
    Reads an accuracy as `f32` (or a tensor of `f32`) for ordinary arithmetic.

    ```mlir
    %v = bfn.accuracy_value %a : !bfn.accuracy -> f32
    ```
  }];
  let arguments = (ins BFN_AccuracyLike:$accuracy);
  let results = (outs BFN_TimeLike:$value);
  let assemblyFormat = "$accuracy attr-dict `:` type($accuracy) `->` type($value)";
  let hasFolder = 1;
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Parameters
//===----------------------------------------------------------------------===//

def BFN_PriorOp : BFN_Op<"prior", [Pure]> {
  let summary = "the prior input distribution theta_0";
  let description = [{
    The fixed prior: uniform `1/K` per site for `!bfn.simplex` (`-ln K` in log
    space), `mu = 0, rho = 1` for `!bfn.gauss`.

    ```mlir
    %theta0 = bfn.prior : !bfn.simplex<64x27xf32, log>
    ```
  }];
  let results = (outs BFN_Params:$theta);
  let assemblyFormat = "attr-dict `:` type($theta)";
}

def BFN_PackOp : BFN_Op<"pack", [Pure]> {
  let summary = "view tensors as BFN parameters";
  let description = [{
    Wraps storage tensors as parameters: one tensor of the simplex's shape
    (probabilities, or log-probabilities for a `log` simplex), or the mean
    and precision tensors of a `!bfn.gauss`. Values are not checked at run
    time.

    ```mlir
    %theta = bfn.pack %mu, %rho : tensor<64xf32>, tensor<64xf32> -> !bfn.gauss<64xf32>
    ```
  }];
  let arguments = (ins Variadic<BFN_FloatTensor>:$storage);
  let results = (outs BFN_Params:$theta);
  let assemblyFormat = "$storage attr-dict `:` type($storage) `->` type($theta)";
  let hasFolder = 1;
  let hasVerifier = 1;
}

def BFN_UnpackOp : BFN_Op<"unpack", [Pure]> {
  let summary = "the storage tensors of BFN parameters";
  let description = [{
    Inverse of `bfn.pack`.

    ```mlir
    %logp = bfn.unpack %theta : !bfn.simplex<64x27xf32, log> -> tensor<64x27xf32>
    ```
  }];
  let arguments = (ins BFN_Params:$theta);
  let results = (outs Variadic<BFN_FloatTensor>:$storage);
  let assemblyFormat = "$theta attr-dict `:` type($theta) `->` type($storage)";
  let hasFolder = 1;
  let hasVerifier = 1;
}

def BFN_SimplexCastOp : BFN_Op<"simplex_cast", [Pure]> {
  let summary = "change the representation or storage type of simplex parameters";
  let description = [{
    Converts between the probability, log-probability and logits forms and
    between storage element types, keeping the shape. Conversions compute in
    fp32; leaving the `logits` form normalises with a log-sum-exp over K.

    ```mlir
    %l = bfn.simplex_cast %p : !bfn.simplex<64x27xbf16> to !bfn.simplex<64x27xf32, log>
    ```
  }];
  let arguments = (ins BFN_SimplexType:$source);
  let results = (outs BFN_SimplexType:$result);
  let assemblyFormat =
      "$source attr-dict `:` qualified(type($source)) `to` qualified(type($result))";
  let hasFolder = 1;
  let hasVerifier = 1;
}

def BFN_ParamizeOp : BFN_Op<"paramize", [Pure, AttrSizedOperandSegments,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "Bayesian-flow sample theta ~ p_F(theta | x; t)";
  let description = [{
    Draws the input-distribution parameters after total accuracy `beta(t)`
    in one shot (training). Categorical (`x` integer labels, result
    `!bfn.simplex`): `ln theta = log_softmax(beta (K e_x - 1) + sqrt(beta K) eps)`.
    Gaussian kinds (`x` floats, result `!bfn.gauss`):
    `mu = gamma x + sqrt(gamma (1 - gamma)) eps`, `rho = 1 + beta`,
    `gamma = beta / (1 + beta)`. At `t = 0` this is the prior.

    Draws: `K` standard normals per site (categorical) or one (Gaussian),
    from the Philox key or given as `draws(%eps)` with the shape of the
    parameters' storage.

    `convention = #bfn.convention<reference>` reproduces the reference code:
    categorical `t` clamped to `1 - 1e-6` and `theta = 1/K` exactly when
    `sqrt(beta) < 1e-10`; Gaussian `gamma = 1 - sigma1^(2t)` in fp32 instead
    of `-expm1(2t ln sigma1)`.

    ```mlir
    %theta = bfn.paramize %x at #bfn.schedule<paper_discrete, beta1 = 5.625000e-01>(%t)
        rng(%seed, %offset) : tensor<64xi32>, f32 -> !bfn.simplex<64x27xf32, log>
    ```
  }];
  let arguments = (ins BFN_Data:$x, BFN_TimeLike:$t, BFN_ScheduleAttr:$schedule,
                       Optional<I64>:$seed, Optional<I64>:$offset,
                       Variadic<BFN_Draws>:$draws,
                       DefaultValuedAttr<BFN_ConventionAttr, "::tessera::bfn::Convention::paper">:$convention);
  let results = (outs BFN_Params:$theta);
  let assemblyFormat = "$x `at` qualified($schedule) `(` $t `)` "
      "(`rng` `(` $seed^ `,` $offset `)`)? (`draws` `(` $draws^ `:` type($draws) `)`)? attr-dict `:` type($x) `,` type($t) `->` type($theta)";
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

//===----------------------------------------------------------------------===//
// Distributions
//===----------------------------------------------------------------------===//

def BFN_OutputOp : BFN_Op<"output", [Pure, AttrSizedOperandSegments,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "output distribution p_O from network outputs";
  let description = [{
    Turns the network's outputs into the output distribution.

    - categorical: `logits` (`sites x K`) to log-probabilities
      `log_softmax(logits)`, a `log` simplex.
    - gaussian: noise prediction `eps_hat` with the parameters it was computed
      from and the time: `x_hat = mu/gamma - sqrt((1-gamma)/gamma) eps_hat`,
      clipped to `[-1, 1]`, `x_hat = 0` below `t_min`. Result: a tensor of
      `x_hat` (the output is a point mass).
    - discretized: `(mu_eps, ln sigma_eps)` to the bin probabilities of
      `N(mu_x, sigma_x^2)` with the outer edges pinned, a `log` simplex over
      the bins.

    `convention = #bfn.convention<reference>` reproduces the reference code:
    `gamma = 1 - sigma1^(2 max(t, t_min))` in fp32, and for discretized data
    `ln sigma_eps` clamped to `[-10, 10]` and `sigma_x` to `[1e-3, 10]`.

    ```mlir
    %logp = bfn.output %logits : (tensor<64x27xf32>) -> !bfn.simplex<64x27xf32, log>
    %xhat = bfn.output %eps given %theta at #bfn.schedule<paper_cts, sigma1 = 1.000000e-03>(%t)
        : (tensor<64xf32>, !bfn.gauss<64xf32>, f32) -> tensor<64xf32>
    ```
  }];
  let arguments = (ins Variadic<BFN_FloatTensor>:$net,
                       Optional<BFN_GaussType>:$theta,
                       Optional<BFN_TimeLike>:$t,
                       OptionalAttr<BFN_ScheduleAttr>:$schedule,
                       DefaultValuedAttr<F64Attr, "1.0e-6">:$t_min,
                       DefaultValuedAttr<BFN_ConventionAttr, "::tessera::bfn::Convention::paper">:$convention);
  let results = (outs AnyTypeOf<[BFN_SimplexType, RankedTensorOf<[F32]>]>:$output);
  let assemblyFormat = [{
    $net (`given` $theta^ `at` qualified($schedule) `(` $t `)`)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def BFN_SenderOp : BFN_Op<"sender", [Pure]> {
  let summary = "sender distribution p_S(y | x; alpha)";
  let description = [{
    Data plus noise of accuracy `alpha`. The result type names the family:
    categorical takes integer labels, the Gaussian kinds take floats. The
    value is a distribution; `bfn.sample` draws from it and `bfn.kl` /
    `bfn.discrete_loss` score against it.

    ```mlir
    %s = bfn.sender %x, %alpha : tensor<64xi32>, !bfn.accuracy -> !bfn.sender<categorical, 64x27xf32>
    ```
  }];
  let arguments = (ins BFN_Data:$x, BFN_AccuracyLike:$alpha);
  let results = (outs BFN_SenderType:$sender);
  let assemblyFormat =
      "$x `,` $alpha attr-dict `:` type($x) `,` type($alpha) `->` qualified(type($sender))";
  let hasVerifier = 1;
}

def BFN_ReceiverOp : BFN_Op<"receiver", [Pure]> {
  let summary = "receiver distribution p_R(y | theta; t, alpha)";
  let description = [{
    The output distribution convolved with sender noise of accuracy `alpha`:
    from a `log` simplex over K classes (categorical), a log simplex over
    bins (`discretized<B>`), or a tensor of `x_hat` (gaussian).

    ```mlir
    %r = bfn.receiver %logp, %alpha : !bfn.simplex<64x27xf32, log>, !bfn.accuracy -> !bfn.receiver<categorical, 64x27xf32>
    ```
  }];
  let arguments = (ins AnyTypeOf<[BFN_SimplexType, BFN_FloatTensor]>:$output,
                       BFN_AccuracyLike:$alpha);
  let results = (outs BFN_ReceiverType:$receiver);
  let assemblyFormat = "$output `,` $alpha attr-dict `:` type($output) `,` "
                       "type($alpha) `->` qualified(type($receiver))";
  let hasVerifier = 1;
}

def BFN_SampleOp : BFN_Op<"sample", [Pure, AttrSizedOperandSegments]> {
  let summary = "draw y from a sender or receiver distribution";
  let description = [{
    Draws one sample `y` (fp32, the distribution's sample shape). Draws per
    site: sender categorical `K` normals, sender Gaussian kinds 1 normal;
    receiver categorical 1 uniform (class by inverse CDF) and `K` normals,
    receiver gaussian 1 normal, receiver discretized 2 normals (bin via
    `z ~ N(mu_x, sigma_x^2)`, then `y`). Explicit draws come in that order.

    ```mlir
    %y = bfn.sample %s rng(%seed, %offset) : !bfn.sender<categorical, 64x27xf32> -> tensor<64x27xf32>
    ```
  }];
  let arguments = (ins BFN_Dist:$dist, Optional<I64>:$seed, Optional<I64>:$offset,
                       Variadic<BFN_Draws>:$draws);
  let results = (outs RankedTensorOf<[F32]>:$y);
  let assemblyFormat = "$dist (`rng` `(` $seed^ `,` $offset `)`)? (`draws` `(` $draws^ `:` type($draws) `)`)?"
                       " attr-dict `:` type($dist) `->` type($y)";
  let hasVerifier = 1;
}

def BFN_KLOp : BFN_Op<"kl", [Pure]> {
  let summary = "per-variable KL(sender || receiver)";
  let description = [{
    KL divergence from the receiver to the sender, in the direction of the
    paper's bound: the expectation is under the sender. Gaussian: exact,
    `(alpha/2)(x - x_hat)^2`, no sample. Categorical and discretized: the
    one-sample value `ln p_S(y) - ln p_R(y)` at a sender sample `y`
    (categorical: `y_x - LSE_k(ln p_O(k) + y_k)`). `receiver_form`
    (categorical only) selects the paper's joint mixture (default) or the
    reference code's receiver: the product of the K one-dimensional
    marginals, over mixture weights floored at fp32 epsilon and
    renormalised. Result: one `f32` per site.

    ```mlir
    %kl = bfn.kl %s, %r at %y : !bfn.sender<categorical, 64x27xf32>, !bfn.receiver<categorical, 64x27xf32>, tensor<64x27xf32> -> tensor<64xf32>
    ```
  }];
  let arguments = (ins BFN_SenderType:$sender, BFN_ReceiverType:$receiver,
                       Optional<RankedTensorOf<[F32]>>:$y,
                       OptionalAttr<BFN_ReceiverFormAttr>:$receiver_form);
  let results = (outs RankedTensorOf<[F32]>:$kl);
  let assemblyFormat = [{
    $sender `,` $receiver (`at` $y^)? attr-dict `:` qualified(type($sender)) `,`
    qualified(type($receiver)) (`,` type($y)^)? `->` type($kl)
  }];
  let hasVerifier = 1;
}

def BFN_BayesUpdateOp : BFN_Op<"bayes_update", [Pure,
    AllTypesMatch<["theta", "result"]>]> {
  let summary = "closed-form Bayesian update theta' = h(theta, y, alpha)";
  let description = [{
    Exact posterior of the input distribution after observing `y`.
    Categorical: `ln theta' = ln theta + y - LSE_k(ln theta_k + y_k)`; the
    accuracy enters through `y`, so no `alpha` operand. On a `logits`
    simplex the update is `theta' = theta + y`, one elementwise op: the
    normalisation is left to the readers. Gaussian:
    `rho' = rho + alpha`, `mu' = mu + alpha (y - mu) / (rho + alpha)`.

    Canonicalisation merges two successive categorical updates whose
    intermediate parameters have no other use into one update with
    `y1 + y2` (additivity: exact in log space).

    ```mlir
    %t1 = bfn.bayes_update %theta, %y : !bfn.simplex<64x27xf32, log>, tensor<64x27xf32>
    %g1 = bfn.bayes_update %g, %yg, %alpha : !bfn.gauss<64xf32>, tensor<64xf32>, !bfn.accuracy
    ```
  }];
  let arguments = (ins BFN_Params:$theta, RankedTensorOf<[F32]>:$y,
                       Optional<BFN_AccuracyLike>:$alpha);
  let results = (outs BFN_Params:$result);
  let assemblyFormat = [{
    $theta `,` $y (`,` $alpha^)? attr-dict `:` type($theta) `,` type($y)
    (`,` type($alpha)^)?
  }];
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

def BFN_DiscreteLossOp : BFN_Op<"discrete_loss", [Pure]> {
  let summary = "discrete-time loss sample n * KL(sender || receiver)";
  let description = [{
    One-sample estimator of the n-step loss `L^n` at a step whose sender and
    receiver are given: `n * KL`, per site, then reduced (`none`, `sum` over
    all sites as in the paper, `mean` as in the reference code). The sample
    `y` follows the rules of `bfn.kl`.

    ```mlir
    %l = bfn.discrete_loss %s, %r, %n at %y {reduction = #bfn.reduction<sum>}
        : !bfn.sender<categorical, 64x27xf32>, !bfn.receiver<categorical, 64x27xf32>, index, tensor<64x27xf32> -> f32
    ```
  }];
  let arguments = (ins BFN_SenderType:$sender, BFN_ReceiverType:$receiver,
                       BFN_Count:$n, Optional<RankedTensorOf<[F32]>>:$y,
                       OptionalAttr<BFN_ReceiverFormAttr>:$receiver_form,
                       DefaultValuedAttr<BFN_ReductionAttr,
                           "::tessera::bfn::Reduction::sum">:$reduction);
  let results = (outs BFN_Loss:$loss);
  let assemblyFormat = [{
    $sender `,` $receiver `,` $n (`at` $y^)? attr-dict `:` qualified(type($sender))
    `,` qualified(type($receiver)) `,` type($n) (`,` type($y)^)? `->` type($loss)
  }];
  let hasVerifier = 1;
}

def BFN_ContinuousLossOp : BFN_Op<"continuous_loss", [Pure,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "continuous-time loss sample alpha(t) * W";
  let description = [{
    `L^inf` integrand at time `t`: `alpha(t) * W` with `W = (K/2)||e_x - e_hat||^2`
    (categorical, `e_hat = p_O`), `(1/2)(x - x_hat)^2` (gaussian, output is
    `x_hat`) or `(1/2)(x - k_hat)^2` (discretized, `k_hat` the mean bin
    centre under `p_O`). Exact for any schedule.

    ```mlir
    %l = bfn.continuous_loss %x, %logp at #bfn.schedule<paper_discrete, beta1 = 5.625000e-01>(%t)
        : tensor<64xi32>, !bfn.simplex<64x27xf32, log>, f32 -> f32
    ```
  }];
  let arguments = (ins BFN_Data:$x,
                       AnyTypeOf<[BFN_SimplexType, RankedTensorOf<[F32]>]>:$output,
                       BFN_TimeLike:$t, BFN_ScheduleAttr:$schedule,
                       DefaultValuedAttr<BFN_ReductionAttr,
                           "::tessera::bfn::Reduction::sum">:$reduction);
  let results = (outs BFN_Loss:$loss);
  let assemblyFormat = [{
    $x `,` $output `at` qualified($schedule) `(` $t `)` attr-dict `:` type($x) `,`
    type($output) `,` type($t) `->` type($loss)
  }];
  let hasVerifier = 1;
}

def BFN_ReconstructionLossOp : BFN_Op<"reconstruction_loss", [Pure]> {
  let summary = "reconstruction loss -ln p_O(x | theta; 1)";
  let description = [{
    Negative log-likelihood of the data under the final output distribution:
    categorical `-ln p_O(x)`, discretized `-ln p_O(bin(x))`. A Gaussian
    output is a point mass without finite likelihood and is rejected; build a
    discretized output for it instead.

    ```mlir
    %l = bfn.reconstruction_loss %x, %logp : tensor<64xi32>, !bfn.simplex<64x27xf32, log> -> f32
    ```
  }];
  let arguments = (ins BFN_Data:$x,
                       AnyTypeOf<[BFN_SimplexType, RankedTensorOf<[F32]>]>:$output,
                       DefaultValuedAttr<BFN_ReductionAttr,
                           "::tessera::bfn::Reduction::sum">:$reduction);
  let results = (outs BFN_Loss:$loss);
  let assemblyFormat =
      "$x `,` $output attr-dict `:` type($x) `,` type($output) `->` type($loss)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Network-carrying ops
//===----------------------------------------------------------------------===//

class BFN_NetworkOp<string mnemonic, list<Trait> traits = []>
    : BFN_Op<mnemonic, !listconcat(traits, [AttrSizedOperandSegments,
        IsolatedFromAbove, SingleBlock,
        DeclareOpInterfaceMethods<SymbolUserOpInterface>])> {
  code networkDecl = [{
    /// The family these parameters and `bins` describe.
    Family getFamily();
    /// The network signature: (parameter view, t, extra args) -> outputs.
    ::mlir::FunctionType getNetworkType();
    /// True when the network is given inline rather than by symbol.
    bool hasInlineNetwork() { return !getBody().empty(); }
  }];
}

def BFN_FlowStepOp : BFN_NetworkOp<"flow_step", [Pure, AllTypesMatch<["theta", "result"]>]> {
  let summary = "one generative step: network, output, sender sample, update";
  let description = [{
    Step `i` of `n` of the generative process from `theta_{i-1}`: run the
    network at `t = (i-1)/n`, form the output distribution, draw `x'` from it,
    draw `y ~ p_S(. | x'; alpha_i)` and return the Bayesian update.

    The network is either a `func.func` named by `network @f` or the op's
    region (isolated from above, terminated by `bfn.yield`). Its arguments
    are the parameter view (simplex: probabilities `sites x K` in the
    simplex's storage type; Gaussian: the means), the time `t : f32`, then
    the values listed after the network (weights); its results are the
    network outputs of `bfn.output` for the family (`logits`; `eps_hat`;
    `mu_eps, ln_sigma_eps` when `bins` is set). `t_min` and `convention`
    apply to the output distribution as in `bfn.output`.

    Draws per site: categorical 1 uniform + `K` normals, gaussian 1 normal,
    discretized 2 normals.

    ```mlir
    %next = bfn.flow_step %theta step %i of %n, #bfn.schedule<paper_discrete, beta1 = 9.000000e+00>
        rng(%seed, %off) network @net(%w) : !bfn.simplex<64x2xf32, log>, index, index, tensor<2x2xf32>
    ```
  }];
  let arguments = (ins BFN_Params:$theta, BFN_Count:$i, BFN_Count:$n,
                       BFN_ScheduleAttr:$schedule,
                       Optional<I64>:$seed, Optional<I64>:$offset,
                       Variadic<BFN_Draws>:$draws,
                       OptionalAttr<FlatSymbolRefAttr>:$network,
                       Variadic<AnyType>:$net_args,
                       OptionalAttr<ConfinedAttr<I64Attr, [IntMinValue<2>]>>:$bins,
                       DefaultValuedAttr<F64Attr, "1.0e-6">:$t_min,
                       DefaultValuedAttr<BFN_ConventionAttr, "::tessera::bfn::Convention::paper">:$convention);
  let results = (outs BFN_Params:$result);
  let regions = (region AnyRegion:$body);
  let assemblyFormat = [{
    $theta `step` $i `of` $n `,` qualified($schedule)
    (`bins` $bins^)?
    (`rng` `(` $seed^ `,` $offset `)`)? (`draws` `(` $draws^ `:` type($draws) `)`)?
    `network` ($network^)? `(` $net_args `)` attr-dict-with-keyword ($body^)? `:` type($theta)
    `,` type($i) `,` type($n) (`,` type($net_args)^)?
  }];
  let extraClassDeclaration = networkDecl;
  let hasVerifier = 1;
  let hasRegionVerifier = 1;
}

def BFN_GenerateOp : BFN_NetworkOp<"generate", [Pure]> {
  let summary = "n-step BFN sampling";
  let description = [{
    The generative loop: from `theta` (usually `bfn.prior`) run `n`
    `bfn.flow_step`s, then turn the output distribution at `t = 1` into data:
    categorical class labels (integer result), discretized bin centres or
    continuous `x_hat` (float result). `final` picks the mode (reference
    code, default) or a draw (paper); continuous data always return `x_hat`.
    The network is given as for `bfn.flow_step`.

    Explicit draws stack the per-step draws of `bfn.flow_step` along a new
    leading dimension of size `n`, plus, for `final = sample`, one more
    uniform (categorical) or normal (discretized) per site in a last operand.

    ```mlir
    %x = bfn.generate %theta0 steps %n, #bfn.schedule<paper_discrete, beta1 = 9.000000e+00>
        rng(%seed, %off) network @net(%w) : !bfn.simplex<64x2xf32, log>, index, tensor<2x2xf32> -> tensor<64xi32>
    ```
  }];
  let arguments = (ins BFN_Params:$theta, BFN_Count:$n,
                       BFN_ScheduleAttr:$schedule,
                       Optional<I64>:$seed, Optional<I64>:$offset,
                       Variadic<BFN_Draws>:$draws,
                       OptionalAttr<FlatSymbolRefAttr>:$network,
                       Variadic<AnyType>:$net_args,
                       OptionalAttr<ConfinedAttr<I64Attr, [IntMinValue<2>]>>:$bins,
                       DefaultValuedAttr<F64Attr, "1.0e-6">:$t_min,
                       DefaultValuedAttr<BFN_ConventionAttr, "::tessera::bfn::Convention::paper">:$convention,
                       DefaultValuedAttr<BFN_FinalSampleAttr,
                           "::tessera::bfn::FinalSample::mode">:$final);
  let results = (outs BFN_Data:$samples);
  let regions = (region AnyRegion:$body);
  let assemblyFormat = [{
    $theta `steps` $n `,` qualified($schedule)
    (`bins` $bins^)?
    (`rng` `(` $seed^ `,` $offset `)`)? (`draws` `(` $draws^ `:` type($draws) `)`)?
    `network` ($network^)? `(` $net_args `)` attr-dict-with-keyword ($body^)? `:` type($theta)
    `,` type($n) (`,` type($net_args)^)? `->` type($samples)
  }];
  let extraClassDeclaration = networkDecl;
  let hasVerifier = 1;
  let hasRegionVerifier = 1;
}

def BFN_YieldOp : BFN_Op<"yield", [Pure, ReturnLike, Terminator,
    ParentOneOf<["FlowStepOp", "GenerateOp"]>]> {
  let summary = "network outputs of an inline BFN network region";
  let description = [{
    Terminates the network region of `bfn.flow_step` / `bfn.generate` with
    the network outputs.

    ```mlir
    bfn.yield %logits : tensor<64x2xf32>
    ```
  }];
  let arguments = (ins Variadic<AnyType>:$results);
  let assemblyFormat = "($results^ `:` type($results))? attr-dict";
}

#endif // TESSERA_DIALECT_BFN_IR_BFNOPS_TD
