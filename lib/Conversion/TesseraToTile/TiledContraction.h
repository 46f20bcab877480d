//===- TiledContraction.h - Register-tiled GPU contractions -----*- C++ -*-===//
//
// The GPU strategy of tessera-to-tile for matmul-like linalg ops: output
// tiles per block, staged through shared memory, several outputs per thread
// in registers. A thread per output reads both operands from global memory
// once per multiply-add; a tile reads each operand element once per block
// and reuses it from shared memory and registers.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_LIB_CONVERSION_TESSERATOTILE_TILEDCONTRACTION_H
#define TESSERA_LIB_CONVERSION_TESSERATOTILE_TILEDCONTRACTION_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/PatternMatch.h"

#include <optional>

namespace tessera::tiled_contraction {

/// How a contraction is tiled. Its parallel dims split into batch dims (read
/// by both operands: one block row per point, grid z), M dims (read by `a`
/// only, delinearised in output order) and the N dim (the output's
/// innermost, read by `b` only); one reduction dim `r`.
struct Plan {
  unsigned a = 0, b = 0; // input operand numbers
  unsigned r = 0, n = 0;
  llvm::SmallVector<unsigned> batchDims, mDims;
  int64_t m = 1, nSize = 1, rSize = 1, batch = 1;
  /// Block tile (bm x bn outputs), per-thread tile (tm x tn: thread (ty, tx)
  /// owns rows ty * tm .. ty * tm + tm - 1, columns likewise), reduction
  /// stage of bk.
  int64_t bm = 0, bn = 0, tm = 0, tn = 0, bk = 0;
  /// On tensor cores (NVIDIA, a multiply-add body in f32 on f32, bf16 or
  /// f16 operands): each warp computes 32 x 4 tn outputs as 2 x tn / 2
  /// m16n8k8 TF32 tiles, each f32 product as three (3xTF32: the operands
  /// split into a TF32 high and low part, a_hi b_hi + a_hi b_lo + a_lo
  /// b_hi), so the result keeps about f32 accuracy; bf16 and f16 operands
  /// are exact in TF32 (no low part: two mma, or one). The shared tiles
  /// hold f32. A thread holds 4 x tn outputs:
  /// rows g, g + 8, g + 16, g + 24 and columns 8i + 2t, 8i + 2t + 1 of its
  /// warp's tile (g = lane / 4, t = lane % 4).
  bool mma = false;
  /// On tensor cores with both operands bf16 (or both f16): m16n8k16 mma on
  /// them directly, fragments read by ldmatrix (a from an a tile stored
  /// rows x steps, b from a rows x steps tile where b is stored along the
  /// reduction, else transposed from its steps x columns tile), the tiles
  /// holding the operands' own type: per 16 steps, four ldmatrix and one
  /// mma per 16 x 8 tile where TF32 took 32 scalar loads and 16 mma.
  bool mma16 = false;
  /// On tensor cores, groups of warps that split each stage's steps (and
  /// so the reduction) between them, each group computing the whole block
  /// tile: more warps per SM where the grid has few blocks and the
  /// reduction is long (the EBT gradient G W^T: 2048 x 256 over 1024, 256
  /// blocks of 2 warps). The groups' sums are added in group order through
  /// shared memory at the end.
  int64_t groups = 1;
  /// On 16-bit tensor cores, a long reduction's stage tiles in a ring of
  /// this many in dynamic shared memory, each filled by cp.async (global to
  /// shared, no registers between) ring - 1 stages ahead of the mma that
  /// reads it: that many stages' loads are in flight at once, where the
  /// register-staged stages have one. 0: register-staged stages.
  int64_t ring = 0;
  /// On sm_90a's warpgroup tensor cores (with mma16 and ring): a block is
  /// one or two warpgroups (bm = 64 or 128 rows, 64 each) over bn = 64
  /// columns, computing with wgmma.mma_async m64n64k16 on both operands
  /// read from shared memory through matrix descriptors; stages of bk =
  /// 64 or 128 steps in a ring in wgmma's 128-byte swizzled layout: a's
  /// (and b's, where b is stored along the reduction) as K-major atoms of
  /// 8 rows x 64 steps, else b's as N-major atoms of 8 steps x 64
  /// columns. Warp w holds rows 16w .. 16w + 15 of the accumulators, a
  /// thread rows g and g + 8 and columns 8i + 2t, 8i + 2t + 1 (tm = 2, tn
  /// = bn / 4: the mma.sync layout above, in warp rows of 16).
  bool wgmma = false;
  /// Threads of one group, and of the block.
  int64_t groupThreads() const { return (bm / tm) * (bn / tn); }
  int64_t threads() const { return groups * groupThreads(); }
};

/// The tensor-core instructions a plan may use: none (CUDA cores), warp
/// mma.sync (sm_80 and newer), or also sm_90a's warpgroup wgmma.
enum class TensorCores { none, mmaSync, wgmma };

/// A plan when \p op (on tensors or buffers) is a contraction of two inputs
/// over one static reduction with a pure scalar body, big enough to pay
/// for tiles, and not one the warp split of SiteLoops.h serves better
/// (few outputs, every input reading the reduction innermost). With
/// \p tensorCores (NVIDIA targets), a plan on tensor cores where the op
/// qualifies (Plan::mma, Plan::wgmma).
std::optional<Plan> plan(mlir::linalg::LinalgOp op,
                         TensorCores tensorCores = TensorCores::none);

/// The op that copies or broadcasts another buffer into \p op's output
/// (a fresh allocation) right before it, with no other writes between and
/// every other user of the output after \p op: \p op can read its
/// initial values from the source (the projection h W_h that starts each
/// step's y W_y in the EBT loop) instead of a copy written then read.
mlir::linalg::GenericOp initialCopy(mlir::linalg::GenericOp op);

/// The elementwise op that is the only reader of \p op's output (a fresh
/// allocation), right after it with no writes between, reading it through
/// a permutation and writing fresh buffers nothing before it touches: it
/// can run on each output as it leaves the registers (an activation's
/// gradient after y W, the update y - eta g after the gradient), and the
/// output is never written.
mlir::linalg::GenericOp epilogue(mlir::linalg::GenericOp op);

/// Replaces \p op (on buffers) by a gpu.launch computing it as \p p says:
/// its output starts from the value of its initial fill (SiteLoops.h
/// initialFill, which goes), from the source of \p copy (initialCopy,
/// which goes) or from what it holds; it is written once, or, with a
/// \p consumer (epilogue), the consumer's outputs are, and the consumer
/// and the output's allocation go.
void lower(mlir::RewriterBase &rewriter, mlir::linalg::GenericOp op,
           const Plan &p, mlir::linalg::GenericOp copy = {},
           mlir::linalg::GenericOp consumer = {});

/// The 16-bit mma (Plan::mma16), the cp.async group commits and waits
/// (Plan::ring) and the wgmma ops and fences (Plan::wgmma) are calls to
/// marker functions until buffer deallocation has run (it rejects ops
/// without declared memory effects, as nvvm.mma.sync and
/// nvvm.cp.async.wait.group are); this turns them into those ops.
void materializeMarkers(mlir::ModuleOp module);

} // namespace tessera::tiled_contraction

#endif // TESSERA_LIB_CONVERSION_TESSERATOTILE_TILEDCONTRACTION_H
