//===- EBT.h - Energy-Based Transformer dialect --------------------*- C++ -*-===//

#ifndef TESSERA_DIALECT_EBT_IR_EBT_H
#define TESSERA_DIALECT_EBT_IR_EBT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
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

#include "tessera/Dialect/EBT/IR/EBTDialect.h.inc"
#include "tessera/Dialect/EBT/IR/EBTEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "tessera/Dialect/EBT/IR/EBTAttrs.h.inc"


#define GET_OP_CLASSES
#include "tessera/Dialect/EBT/IR/EBTOps.h.inc"

#endif // TESSERA_DIALECT_EBT_IR_EBT_H
