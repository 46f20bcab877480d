//===- SiteLoops.h - Linalg ops to loops over sites -------------*- C++ -*-===//
//
// The loop strategy of tessera-to-tile for linalg ops on buffers. One
// parallel dimension (the sites) is stepped by a width: on the CPU 16 sites
// held in vector lanes, on the GPU 1 (a thread per site). Reductions (the
// alphabet, a matmul's contraction) run as scf.for loops whose state is
// carried in registers, so that a K-reduction that carries a running
// log-sum-exp state vectorises without a known combiner and never
// round-trips through memory per class.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_LIB_CONVERSION_TESSERATOTILE_SITELOOPS_H
#define TESSERA_LIB_CONVERSION_TESSERATOTILE_SITELOOPS_H

#include "TiledContraction.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinOps.h"

namespace tessera::site_loops {

/// A GPU contraction over several parallel dims is split across the lanes
/// of a warp (one output per warp) only up to this many outputs; beyond,
/// a thread per output fills the GPU and threads share their loads. EBT
/// gradient G W^T on the H100: 16 x 128 outputs over 512 (split pays),
/// 512 x 256 over 1024 (a thread per output, W^T transposed, pays).
constexpr int64_t kMaxSplitOutputs = 32768;

/// The linalg.fill that last wrote output \p init of \p op before it: in
/// the same block, with every other user of the buffer after \p op, and
/// the buffer a fresh allocation or a function argument (nothing else
/// aliases it). The op can take the fill's value instead of reading the
/// buffer, and the fill goes: a reduction's running state (max, sum)
/// starts in registers, and an output the op never reads is not written
/// twice.
mlir::linalg::FillOp initialFill(mlir::linalg::GenericOp op, mlir::Value init);

/// A call to the private function \p name of \p module (declared on first
/// use, its type from \p operands and \p results): a marker standing for a
/// GPU op that buffer deallocation would reject (an op without declared
/// memory effects), turned into that op after it has run.
mlir::Operation *callMarker(mlir::OpBuilder &b, mlir::Location loc,
                            mlir::ModuleOp module, llvm::StringRef name,
                            mlir::TypeRange results,
                            mlir::ValueRange operands = {});

/// A block-wide barrier in a launch being built, as a call to a marker
/// function (materializeBarriers).
void barrier(mlir::OpBuilder &b, mlir::Location loc, mlir::ModuleOp module);

/// Whether `op`'s parallel loops have static extents whose product (its
/// outputs) is at most kMaxSplitOutputs.
bool fewOutputs(mlir::linalg::LinalgOp op);

/// Rewrites every linalg op on buffers whose body is elementwise
/// arith/math (named ops are generalised first) into an scf.parallel over
/// its parallel dimensions, with scf.for loops over the reduction
/// dimensions inside that carry the op's outputs as loop values. One
/// parallel dimension, the one most operands store contiguously, is
/// stepped by \p width: with width > 1 it is held in vector lanes (masked
/// at the edge; operands strided along it gathered, or read as transposed
/// row blocks); with width 1 everything stays scalar. Results that the
/// reduction never reads back (a KL finished from a running max and sum)
/// are computed once after the reduction loop, and a fill-initialised
/// scratch buffer of the running state is replaced by its value. Ops that
/// do not qualify are left for the plain loop lowering; width 0 leaves
/// every op.
/// With \p gpuBlock > 0 (the GPU, width 1), an op with a single reduction
/// of static extent 16 .. 256 over inputs stored site-major becomes a
/// gpu.launch
/// of up to gpuBlock threads per block instead: each block stages
/// sites x (up to) 32-class tiles of those inputs (32- or 16-bit) through
/// shared memory with coalesced loads, each thread reduces its own site
/// from there. One of
/// static extent > 64 over a single site dimension whose carried values
/// all have a merge (sum, max/min, the online log-sum-exp of lseStep, a
/// pick at a class index) becomes a launch of a warp per site instead,
/// the lanes striding the classes and merged by xor shuffles (a block per
/// site, its warps' states merged through shared memory, for long
/// alphabets over few sites). An
/// elementwise op right after such a reduction (a warp split over at least
/// 8192 sites, or a thread per site over at most 4 classes) that reads its
/// per-site results is fused into the same loop, reading them from
/// registers; a shorter reduction (a power of two from 8 to 64 classes)
/// with such a consumer is split over that many lanes to fuse it. A
/// contraction split a warp per output runs the elementwise op right after
/// it over the same outputs (the EBT step's update after G W^T) as its
/// epilogue, where lane 0 writes each output.
/// With \p tensorCores (NVIDIA), contractions that qualify are tiled on
/// those tensor cores (TiledContraction.h).
void lowerToSiteLoops(mlir::ModuleOp module, int64_t width,
                      int64_t gpuBlock = 0,
                      tiled_contraction::TensorCores tensorCores =
                          tiled_contraction::TensorCores::none);

/// The staged launches' barriers are calls to a marker function until
/// buffer deallocation has run (it rejects gpu.barrier, an op without
/// declared memory effects); this turns them into gpu.barrier.
void materializeBarriers(mlir::ModuleOp module);

/// A shared-memory tile for a launch being built: a private workgroup
/// memref.global of \p shape (16-byte aligned, uniquely named in
/// \p module), read in the launch with memref.get_global. Not a launch
/// attribution: buffer deallocation would add ownership arguments to the
/// launch's region. eraseHostStageTiles drops the host module's copy.
mlir::memref::GlobalOp sharedTile(mlir::ModuleOp module, mlir::Location loc,
                                  llvm::ArrayRef<int64_t> shape,
                                  mlir::Type elementType);

/// After kernel outlining: the staged launches' shared tiles are
/// workgroup memref.globals, copied into each gpu.module that uses them;
/// the host module's originals go.
void eraseHostStageTiles(mlir::ModuleOp module);

/// The number of points of \p loop when its bounds and steps are constants
/// (0 when some dimension is empty), nullopt otherwise.
std::optional<int64_t> staticTripCount(mlir::scf::ParallelOp loop);

} // namespace tessera::site_loops

#endif // TESSERA_LIB_CONVERSION_TESSERATOTILE_SITELOOPS_H
