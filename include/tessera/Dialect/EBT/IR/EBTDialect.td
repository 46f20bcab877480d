//===- EBTDialect.td - Energy-Based Transformer dialect ----*- tablegen -*-===//

#ifndef TESSERA_DIALECT_EBT_IR_EBTDIALECT_TD
#define TESSERA_DIALECT_EBT_IR_EBTDIALECT_TD

include "mlir/IR/OpBase.td"

def EBT_Dialect : Dialect {
  let name = "ebt";
  let cppNamespace = "::tessera::ebt";
  let summary = "Energy-Based Transformer inference as a compiler pattern";
  let description = [{
    The `ebt` dialect models System-2 inference of Energy-Based Transformers
    (Gladstone et al., 2025, arXiv:2507.02092): a learned energy `E(h, y)`
    scores a candidate `y` given context features `h`; prediction minimises
    the energy over `y` with gradient steps, from `K` candidates, and keeps
    the lowest-energy one (self-verification).

    Energy functions are ordinary `func.func`s of upstream ops referenced by
    symbol, `(h, y) -> E`, where `E` is an `f32` tensor whose shape is a
    proper prefix of `y`'s: one energy per token when only `y`'s last
    (feature) dimension is dropped (token-wise), fewer when whole sequences
    are scored (sequence-wise). Their gradient with respect to `y` is
    produced by the compiler (`ebt.grad_y`).

    Candidates are stacked along a new leading dimension `K`. Random draws
    are counter based (Philox 4x32-10): `rng(%seed, %offset)` or the draws
    themselves, `draws(...)`. Semantics and golden values:
    `docs/ebt-math.md`.
  }];
  let useDefaultAttributePrinterParser = 1;
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::func::FuncDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect"
  ];
  let extraClassDeclaration = [{
    void registerAttributes();
  }];
}

class EBT_Op<string mnemonic, list<Trait> traits = []>
    : Op<EBT_Dialect, mnemonic, traits>;

#endif // TESSERA_DIALECT_EBT_IR_EBTDIALECT_TD
