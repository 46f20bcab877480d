//===- Passes.h - ebt passes -------------------------------------*- C++ -*-===//

#ifndef TESSERA_DIALECT_EBT_TRANSFORMS_PASSES_H
#define TESSERA_DIALECT_EBT_TRANSFORMS_PASSES_H

#include "tessera/Dialect/EBT/IR/EBT.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Pass/Pass.h"

namespace tessera::ebt {

#define GEN_PASS_DECL
#include "tessera/Dialect/EBT/Transforms/Passes.h.inc"

/// Adds the canonicalization patterns of every EBT op to \p patterns.
void populateEBTCanonicalizationPatterns(mlir::RewritePatternSet &patterns);

#define GEN_PASS_REGISTRATION
#include "tessera/Dialect/EBT/Transforms/Passes.h.inc"

} // namespace tessera::ebt

#endif // TESSERA_DIALECT_EBT_TRANSFORMS_PASSES_H
