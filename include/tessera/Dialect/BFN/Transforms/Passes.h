//===- Passes.h - bfn passes -------------------------------------*- C++ -*-===//

#ifndef TESSERA_DIALECT_BFN_TRANSFORMS_PASSES_H
#define TESSERA_DIALECT_BFN_TRANSFORMS_PASSES_H

#include "tessera/Dialect/BFN/IR/BFN.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Pass/Pass.h"

namespace tessera::bfn {

#define GEN_PASS_DECL
#include "tessera/Dialect/BFN/Transforms/Passes.h.inc"

/// Moves every inline network region of bfn.flow_step / bfn.generate in
/// `module` into a private func.func and names it as the op's network.
void outlineNetworks(mlir::ModuleOp module);

/// Adds the canonicalization patterns of every BFN op to \p patterns.
void populateBFNCanonicalizationPatterns(mlir::RewritePatternSet &patterns);

#define GEN_PASS_REGISTRATION
#include "tessera/Dialect/BFN/Transforms/Passes.h.inc"

} // namespace tessera::bfn

#endif // TESSERA_DIALECT_BFN_TRANSFORMS_PASSES_H
