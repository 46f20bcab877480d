//===- Passes.h - Tessera pipeline stage passes -----------------*- C++ -*-===//

#ifndef TESSERA_CONVERSION_PASSES_H
#define TESSERA_CONVERSION_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"

#include "llvm/ADT/StringRef.h"

#include <functional>

namespace tessera {

#define GEN_PASS_DECL
#include "tessera/Conversion/Passes.h.inc"

/// Reports every op that \p needsWork selects as "not yet implemented" by
/// \p stage, one error per op name, and returns failure if there was one.
/// Stages whose lowering has not landed use it so that they never pass IR
/// through silently.
llvm::LogicalResult
reportUnimplemented(mlir::Operation *root, llvm::StringRef stage,
                    const std::function<bool(mlir::Operation *)> &needsWork);

/// True for ops of the bfn and ebt dialects.
bool isTesseraGraphOp(mlir::Operation *op);

/// Validates a `target` pass option: cpu, nvvm or rocdl.
llvm::LogicalResult verifyTargetName(llvm::StringRef target);

#define GEN_PASS_REGISTRATION
#include "tessera/Conversion/Passes.h.inc"

} // namespace tessera

#endif // TESSERA_CONVERSION_PASSES_H
