//===- BFNTypes.td - BFN types -----------------------------*- tablegen -*-===//

#ifndef TESSERA_DIALECT_BFN_IR_BFNTYPES_TD
#define TESSERA_DIALECT_BFN_IR_BFNTYPES_TD

include "tessera/Dialect/BFN/IR/BFNAttrs.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/BuiltinTypeInterfaces.td"

class BFN_Type<string name, string typeMnemonic, list<Trait> traits = []>
    : TypeDef<BFN_Dialect, name, traits> {
  let mnemonic = typeMnemonic;
}

def BFN_SimplexType : BFN_Type<"Simplex", "simplex"> {
  let summary = "categorical parameters: one probability vector over K classes per site";
  let description = [{
    Parameters of a factorised categorical distribution: a tensor of shape
    `sites x K` whose last dimension lies on the probability simplex. The
    form says what is stored: probabilities (the default); with `log`,
    log-probabilities (the numerically preferred form, `docs/bfn-math.md`
    §7); with `logits`, log-probabilities up to an additive constant per site
    (`ln theta_k + c`). The categorical Bayesian update of `logits` is one
    elementwise add with no normalisation; readers normalise with a
    log-sum-exp where they need probabilities. Because `c` grows with the
    accumulated accuracy, `logits` is stored in `f32` only. The element type
    is the storage type (`f32`, `f16` or `bf16`); arithmetic on it is always
    fp32. `K` is static and at least 2; site dimensions are static or
    dynamic.

    ```mlir
    !bfn.simplex<64x27xf32>          // probabilities, 64 sites, K = 27
    !bfn.simplex<8x?x256xbf16, log>  // log-probabilities, bf16 storage
    !bfn.simplex<64x27xf32, logits>  // unnormalised log-probabilities
    ```
  }];
  let parameters = (ins ArrayRefParameter<"int64_t">:$shape,
                        "::mlir::Type":$elementType,
                        "::tessera::bfn::SimplexForm":$form);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// K, the number of classes (or bins).
    int64_t getAlphabetSize() const { return getShape().back(); }
    /// The site dimensions, i.e. the shape without K.
    ::llvm::ArrayRef<int64_t> getSiteShape() const { return getShape().drop_back(); }
    /// `tensor<shape x elementType>`: the tensor that holds the parameters.
    ::mlir::RankedTensorType getStorageType() const;
    /// True if the stored values are logarithms (`log` or `logits`).
    bool getLogSpace() const { return getForm() != SimplexForm::prob; }
    /// True unless the form is `logits` (each site sums to one as stored).
    bool isNormalized() const { return getForm() != SimplexForm::logits; }
  }];
}

def BFN_GaussType : BFN_Type<"Gauss", "gauss"> {
  let summary = "Gaussian parameters: mean and precision per site";
  let description = [{
    Parameters `(mu, rho)` of a factorised Gaussian input distribution, one
    mean and one precision per site. Used by the `gaussian` and
    `discretized` families. The element type is the storage type of both;
    precisions reach `sigma1^-2` (1e6 for `sigma1 = 1e-3`), beyond fp16, so
    `f16` storage is only sound for mild schedules.

    ```mlir
    !bfn.gauss<64xf32>
    ```
  }];
  let parameters = (ins ArrayRefParameter<"int64_t">:$shape,
                        "::mlir::Type":$elementType);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    ::llvm::ArrayRef<int64_t> getSiteShape() const { return getShape(); }
    /// `tensor<shape x elementType>`: the type of the mean and of the precision.
    ::mlir::RankedTensorType getStorageType() const;
  }];
}

def BFN_AccuracyType : BFN_Type<"Accuracy", "accuracy"> {
  let summary = "an accuracy (precision-like, > 0) of the sender distribution";
  let description = [{
    A scalar accuracy. Accuracies are additive: two Bayesian updates with
    accuracies `a` and `b` are distributed as one update with `a + b`
    (`bfn.accuracy_add`). A per-sample accuracy is a ranked tensor of
    `!bfn.accuracy`, broadcast over the trailing site dimensions.

    ```mlir
    !bfn.accuracy
    tensor<16x!bfn.accuracy>
    ```
  }];
}

class BFN_DistType<string name, string typeMnemonic, string role>
    : BFN_Type<name, typeMnemonic> {
  let summary = role # " distribution of a BFN family over a tensor of sites";
  let parameters = (ins EnumParameter<BFN_Family>:$family,
                        "int64_t":$bins,
                        ArrayRefParameter<"int64_t">:$shape,
                        "::mlir::Type":$elementType);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Site dimensions (for categorical, the shape without K).
    ::llvm::ArrayRef<int64_t> getSiteShape() const {
      return getFamily() == Family::categorical ? getShape().drop_back()
                                                : getShape();
    }
    /// The type of one sample `y`: `tensor<shape x f32>`.
    ::mlir::RankedTensorType getSampleType() const;
  }];
}

def BFN_SenderType : BFN_DistType<"Sender", "sender", "sender"> {
  let description = [{
    The sender distribution `p_S(y | x; alpha)`: data plus noise of accuracy
    `alpha`. For `categorical` the sample shape is `sites x K`
    (`N(alpha (K e_x - 1), alpha K I)`), otherwise `sites` (`N(x, 1/alpha)`).
    `discretized<B>` carries the number of bins so that the sender pairs with
    the matching receiver.

    ```mlir
    !bfn.sender<categorical, 64x27xf32>
    !bfn.sender<gaussian, 64xf32>
    !bfn.sender<discretized<16>, 64xf32>
    ```
  }];
}

def BFN_ReceiverType : BFN_DistType<"Receiver", "receiver", "receiver"> {
  let description = [{
    The receiver distribution `p_R(y | theta; t, alpha)`: the output
    distribution convolved with sender noise. `categorical`: mixture of K
    K-dimensional Gaussians; `gaussian`: `N(x_hat, 1/alpha)`;
    `discretized<B>`: mixture over the B bin centres.

    ```mlir
    !bfn.receiver<categorical, 64x27xf32>
    !bfn.receiver<discretized<256>, 3x32x32xf32>
    ```
  }];
}

#endif // TESSERA_DIALECT_BFN_IR_BFNTYPES_TD
