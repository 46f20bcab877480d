//===- BFN.h - Bayesian Flow Network dialect --------------------*- C++ -*-===//

#ifndef TESSERA_DIALECT_BFN_IR_BFN_H
#define TESSERA_DIALECT_BFN_IR_BFN_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "tessera/Dialect/BFN/IR/BFNDialect.h.inc"
#include "tessera/Dialect/BFN/IR/BFNEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "tessera/Dialect/BFN/IR/BFNAttrs.h.inc"

#define GET_TYPEDEF_CLASSES
#include "tessera/Dialect/BFN/IR/BFNTypes.h.inc"

#define GET_OP_CLASSES
#include "tessera/Dialect/BFN/IR/BFNOps.h.inc"

namespace tessera::bfn {

/// Distribution of one random draw tensor.
enum class DrawKind { uniform, normal };

/// One draw tensor an op consumes: its shape (fp32) and distribution.
struct DrawSpec {
  mlir::RankedTensorType type;
  DrawKind kind;
};

/// The draws that bfn.paramize, bfn.sample, bfn.flow_step and bfn.generate
/// consume, in order: what `draws(...)` must hold and what `rng(...)`
/// generates. `what` receives a description for diagnostics. Empty for other
/// ops.
llvm::SmallVector<DrawSpec> getDrawSpecs(mlir::Operation *op,
                                         std::string &what);

} // namespace tessera::bfn

#endif // TESSERA_DIALECT_BFN_IR_BFN_H
