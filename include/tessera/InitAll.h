//===- InitAll.h - Register every Tessera dialect and pass ------*- C++ -*-===//
//
// The one place every entry point (tessera-opt, the mlir-opt plugin, the C
// API) gets its dialects, passes and pipelines from.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_INITALL_H
#define TESSERA_INITALL_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace tessera {

/// Inserts the bfn and ebt dialects only.
void registerTesseraDialects(mlir::DialectRegistry &registry);

/// Inserts bfn, ebt and the upstream dialects the Tessera pipeline parses
/// and produces (func, arith, math, tensor, linalg, scf, memref, bufferization,
/// vector, gpu, nvvm, rocdl, llvm, ...), with their interface extensions.
void registerAllDialects(mlir::DialectRegistry &registry);

/// Registers the Tessera passes and pipelines.
void registerTesseraPassesAndPipelines();

/// Registers the Tessera passes and pipelines plus the upstream passes the
/// pipeline is made of.
void registerAllPasses();

} // namespace tessera

#endif // TESSERA_INITALL_H
