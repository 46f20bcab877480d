//===- CpuVectorize.h - Site vectorisation of Tile IR on the CPU -*- C++ -*-===//
//
// The CPU strategy of tessera-to-tile for linalg ops on buffers: one
// parallel dimension (the sites) is mapped to vector lanes, and reductions
// (the alphabet, a matmul's contraction) run as scalar-trip loops over
// whole vectors of sites, so that a K-reduction that carries a running
// log-sum-exp state vectorises without a known combiner.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_LIB_CONVERSION_TESSERATOTILE_CPUVECTORIZE_H
#define TESSERA_LIB_CONVERSION_TESSERATOTILE_CPUVECTORIZE_H

#include "mlir/IR/BuiltinOps.h"

namespace tessera::cpu_tile {

/// Rewrites every linalg op on buffers whose body is elementwise
/// arith/math (named ops are generalised first) into an scf.parallel over
/// its parallel dimensions, one of them stepped by \p width and held in
/// vector lanes (masked at the edge), with scf.for loops over the
/// reduction dimensions inside. The lane dimension is the parallel
/// dimension most operands store contiguously; operands strided along it
/// are gathered. Results that the reduction never reads back (a KL finished
/// from a running max and sum) are computed once after the reduction loop.
/// Ops that do not qualify are left for the scalar loop lowering.
void vectorizeSiteLoops(mlir::ModuleOp module, int64_t width);

} // namespace tessera::cpu_tile

#endif // TESSERA_LIB_CONVERSION_TESSERATOTILE_CPUVECTORIZE_H
