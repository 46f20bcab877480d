//===- TiledContraction.cpp - Register-tiled GPU contractions ------------===//
//
// A block computes a bm x bn tile of outputs of one batch point; each stage
// of bk reduction steps, its threads load the operands' tiles (bm x bk of
// `a`, bk x bn of `b`) from global memory into shared memory, coalesced
// along whichever dim the operand stores innermost, then each thread runs
// the op's body over its tm x tn outputs, carried in registers, from the
// shared tiles. Every output still sees the reduction in order, one step
// at a time, so the result is the one a thread per output computes; except
// on tensor cores (Plan::mma), whose 3xTF32 products keep about f32
// accuracy but not its roundings, and whose warp groups (Plan::groups) sum
// parts of the reduction apart and add them in group order.
//
//===----------------------------------------------------------------------===//

#include "TiledContraction.h"

#include "SiteLoops.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "llvm/ADT/StringSet.h"

using namespace mlir;
namespace tc = tessera::tiled_contraction;

namespace {

constexpr int64_t kStage = 32;
/// Stages of the 16 x 16 tiles: the EBT B1 step's y W_y (64 x 512 over
/// 128, 128 blocks) in one stage of 128 instead of four of 32: the whole
/// inference 0.139-0.142 -> 0.124-0.126 ms on the H100 (64: 0.131-0.133).
constexpr int64_t kLongStage = 128;
/// A tile size is taken when it gives at least this many blocks (one per
/// SM of an H100); otherwise the next smaller one. Smaller tiles reuse
/// less per shared-memory load, but an idle SM reuses nothing.
constexpr int64_t kMinBlocks = 132;
struct TileShape {
  int64_t bm, bn, tm, tn;
};
/// Block tiles and thread tiles, largest first. A 4 x 4 thread tile reads
/// its operands as two 4-wide vectors per reduction step for 16
/// multiply-adds (with a scalar shared load per operand element the H100
/// waited on shared memory: the B8 EBT head's 2048 x 1024 x 256
/// contraction took about 72 us).
constexpr TileShape kTiles[] = {
    {64, 64, 4, 4}, {64, 32, 4, 4}, {32, 32, 4, 4}, {16, 16, 1, 1}};
/// Below these extents a tile is mostly padding or has nothing to reuse.
constexpr int64_t kMinExtent = 16;
/// CUDA's limit on grid dims y and z.
constexpr int64_t kMaxGridYZ = 65535;

constexpr int64_t kWarp = 32, kWarpColumns = 8, kRunSteps = 8;

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

unsigned dimOf(AffineExpr e) { return cast<AffineDimExpr>(e).getPosition(); }

bool isPureScalarBody(linalg::LinalgOp op) {
  for (Operation &o : op.getBlock()->without_terminator())
    if (!isPure(&o) || o.getNumRegions() || isa<linalg::IndexOp>(o))
      return false;
  return true;
}

/// bf16 and f16 values are exact in TF32 (8 and 11 significant bits of
/// its 11, f16's exponent range inside f32's).
bool isTf32Exact(Type t) { return t.isBF16() || t.isF16(); }

/// A body `out + a * b` (one fma, or a mul and an add) in f32, a and b f32
/// or extended to it from a type exact in TF32: what a tensor-core tile
/// computes.
bool isMultiplyAddBody(linalg::LinalgOp op, BlockArgument a, BlockArgument b,
                       BlockArgument out) {
  if (!out.getType().isF32())
    return false;
  // x is `in` itself (f32) or its extension to f32.
  auto is = [](Value x, BlockArgument in) {
    if (x == in)
      return in.getType().isF32();
    auto ext = x.getDefiningOp<arith::ExtFOp>();
    return ext && ext.getIn() == in && isTf32Exact(in.getType()) &&
           ext.getType().isF32();
  };
  auto product = [&](Value x, Value y) {
    return (is(x, a) && is(y, b)) || (is(x, b) && is(y, a));
  };
  int64_t extensions = !a.getType().isF32() + !b.getType().isF32();
  int64_t ops = llvm::range_size(op.getBlock()->without_terminator());
  Value yielded = op.getBlock()->getTerminator()->getOperand(0);
  if (auto fma = yielded.getDefiningOp<math::FmaOp>())
    return fma.getC() == out && product(fma.getA(), fma.getB()) &&
           ops == 1 + extensions;
  auto add = yielded.getDefiningOp<arith::AddFOp>();
  if (!add || ops != 2 + extensions)
    return false;
  Value other = add.getLhs() == out ? add.getRhs() : add.getLhs();
  auto mul = other.getDefiningOp<arith::MulFOp>();
  return mul && (add.getLhs() == out || add.getRhs() == out) &&
         product(mul.getLhs(), mul.getRhs());
}

constexpr llvm::StringLiteral kMmaBf16Marker = "__tessera_mma_m16n8k16_bf16";
constexpr llvm::StringLiteral kMmaF16Marker = "__tessera_mma_m16n8k16_f16";
/// cp.async's commit of a group, and its wait until at most N groups are
/// pending (the marker's name ends in N).
constexpr llvm::StringLiteral kCommitMarker = "__tessera_cp_async_commit";
constexpr llvm::StringLiteral kWaitMarker = "__tessera_cp_async_wait_";
std::string waitMarker(int64_t pending) {
  return (kWaitMarker + llvm::Twine(pending)).str();
}

/// Reduction steps per TF32 mma (m16n8k8), and per 16-bit one (m16n8k16).
constexpr int64_t kMmaSteps = 8;
constexpr int64_t kMma16Steps = 16;
/// Reduction steps per step of \p p's inner loop (one mma, or one
/// multiply-add on CUDA cores).
int64_t stepsPerStep(const tc::Plan &p) {
  return p.mma16 ? kMma16Steps : p.mma ? kMmaSteps : 1;
}
/// Padding of the 16-bit mma tiles' rows: 16 bytes, so that ldmatrix's
/// row addresses stay 16-byte aligned and its 8 rows fall in 8 different
/// groups of 4 banks.
constexpr int64_t kMma16Pad = 8;
/// Shared memory the two stage tiles of a contraction may take (of the 48
/// KB a block can have statically).
constexpr int64_t kMaxStageBytes = 40 * 1024;
/// Warps a grid of tensor-core tiles should have: 16 per SM of an H100 (4
/// per scheduler), below which warp groups split the reduction. (At 32 the
/// B8 EBT head's y W_y, 512 blocks of 4 warps over 256, took 2 groups:
/// bf16 12.3 -> 17.9 us on the H100.)
constexpr int64_t kWantedWarps = 132 * 16;
/// Stages a reduction keeps when tensor-core stages grow past 64 steps.
constexpr int64_t kMinStages = 8;
/// Stage tiles in a cp.async ring (Plan::ring), taken by 16-bit reductions
/// of at least kMinStages stages where they fit in kMaxRingBytes of dynamic
/// shared memory (two blocks per SM of an H100, 228 KB, with the warp
/// groups' sum tile). Measured on the B8 EBT head's G W^T (bf16, 2048 x 256
/// over 1024 in 8 stages of 128, 64 x 32 tiles, 2 warp groups): 10.1 us
/// register-staged, 9.4 with a ring of 3, 9.9 with 4 (104 KB); copies that
/// bypass L1 (cp.async.cg) 12.8 (two blocks of an SM share W^T's rows).
constexpr int64_t kRingStages = 3;
constexpr int64_t kMaxRingBytes = 80 * 1024;
/// wgmma (Plan::wgmma): warpgroup tiles of 64 x 64 (one m64n64k16 per 16
/// steps), stages of 64 steps (one 128-byte swizzle atom of 16-bit steps)
/// or twice that, up to kWgmmaRing of them in flight.
constexpr int64_t kWgmmaTile = 64, kWgmmaStage = 64, kWgmmaRing = 4;
constexpr int64_t kWarpgroup = 128;
/// An H100's SMs, the shared memory of each, and what each block on one
/// reserves of it.
constexpr int64_t kSMs = 132, kSharedBytesPerSM = 228 * 1024,
                  kReservedSharedBytes = 1024,
                  kMaxSharedBytesPerBlock = 227 * 1024;
/// Blocks a wgmma grid should have: 90% of an H100's SMs.
constexpr int64_t kMinWgmmaBlocks = 120;
/// Bytes a 128-byte swizzle atom spans (8 rows of 128 bytes) and the
/// alignment its tiles need: the swizzle XORs address bits 4-6 with 7-9.
constexpr int64_t kSwizzleRow = 128, kSwizzleAtom = 1024;
/// m64nNk16 wgmma: the marker's name goes on with N, "k16_", the operand
/// type and b's major-ness (_bk, _bn).
constexpr llvm::StringLiteral kWgmmaMarker = "__tessera_wgmma_m64n";
constexpr llvm::StringLiteral kWgmmaFenceMarker = "__tessera_wgmma_fence";
constexpr llvm::StringLiteral kWgmmaCommitMarker = "__tessera_wgmma_commit";
constexpr llvm::StringLiteral kWgmmaWaitMarker = "__tessera_wgmma_wait_";
constexpr llvm::StringLiteral kProxyFenceMarker =
    "__tessera_fence_proxy_async_shared";

} // namespace

/// Whether \p in (a memref) is read \p lanes elements at a time along its
/// innermost dim, which is loop dim \p d: 16-byte copies of whole rows
/// (an identity layout, a static innermost extent that they divide).
static bool copiesAlong(linalg::LinalgOp op, OpOperand *in, unsigned d,
                        int64_t lanes) {
  auto type = dyn_cast<MemRefType>(in->get().getType());
  return type && type.getLayout().isIdentity() &&
         !type.isDynamicDim(type.getRank() - 1) &&
         type.getShape().back() % lanes == 0 &&
         dimOf(op.getMatchingIndexingMap(in).getResults().back()) == d;
}

/// Whether \p in's share of a tensor-core stage of \p p, \p width rows of
/// bk steps, copies as 16-byte vectors along its rows, the same whole
/// number of them per thread (its tile then holds rows of steps).
static bool rowsTile(linalg::LinalgOp op, const tc::Plan &p, OpOperand *in,
                     int64_t width) {
  int64_t lanes = 128 / getElementTypeOrSelf(in->get()).getIntOrFloatBitWidth();
  return p.mma && copiesAlong(op, in, p.r, lanes) && p.rSize % lanes == 0 &&
         p.bk % lanes == 0 && (width * p.bk / lanes) % p.threads() == 0;
}

std::optional<tc::Plan> tc::plan(linalg::LinalgOp op, TensorCores tensorCores) {
  if (op.getNumDpsInits() != 1 || op.getNumReductionLoops() != 1 ||
      op.getNumParallelLoops() < 2 || !isPureScalarBody(op))
    return std::nullopt;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (llvm::any_of(ranges, ShapedType::isDynamic))
    return std::nullopt;
  OpOperand *out = op.getDpsInitOperand(0);
  AffineMap outMap = op.getMatchingIndexingMap(out);
  if (!outMap.isProjectedPermutation() ||
      outMap.getNumResults() != op.getNumParallelLoops())
    return std::nullopt;
  Plan p;
  for (auto [d, it] : llvm::enumerate(op.getIteratorTypesArray()))
    if (it == utils::IteratorType::reduction)
      p.r = d;
  // The output indexed by every parallel dim, the reduction by none.
  if (outMap.isFunctionOfDim(p.r))
    return std::nullopt;
  p.n = dimOf(outMap.getResults().back());

  SmallVector<OpOperand *> used;
  for (OpOperand *in : op.getDpsInputOperands())
    if (!op.getMatchingBlockArgument(in).use_empty())
      used.push_back(in);
  if (used.size() != 2)
    return std::nullopt;
  for (OpOperand *in : used) {
    auto type = dyn_cast<ShapedType>(in->get().getType());
    AffineMap map = op.getMatchingIndexingMap(in);
    if (!type || !type.getElementType().isIntOrFloat() ||
        in->get() == out->get() || !map.isProjectedPermutation() ||
        !map.isFunctionOfDim(p.r))
      return std::nullopt;
  }
  OpOperand *a = used[0], *b = used[1];
  if (op.getMatchingIndexingMap(a).isFunctionOfDim(p.n))
    std::swap(a, b);
  AffineMap aMap = op.getMatchingIndexingMap(a);
  AffineMap bMap = op.getMatchingIndexingMap(b);
  if (aMap.isFunctionOfDim(p.n) || !bMap.isFunctionOfDim(p.n))
    return std::nullopt;
  for (AffineExpr e : outMap.getResults().drop_back()) {
    unsigned d = dimOf(e);
    bool inA = aMap.isFunctionOfDim(d), inB = bMap.isFunctionOfDim(d);
    if (inA && inB)
      p.batchDims.push_back(d);
    else if (inA)
      p.mDims.push_back(d);
    else
      return std::nullopt; // an output dim neither operand reads
  }
  if (p.mDims.empty())
    return std::nullopt;
  for (unsigned d : p.batchDims)
    p.batch *= ranges[d];
  for (unsigned d : p.mDims)
    p.m *= ranges[d];
  p.nSize = ranges[p.n];
  p.rSize = ranges[p.r];
  if (p.m < kMinExtent || p.nSize < kMinExtent || p.rSize < kMinExtent ||
      p.batch > kMaxGridYZ)
    return std::nullopt;
  // Few outputs whose inputs all read the reduction innermost: a warp per
  // output with coalesced lanes along it (SiteLoops.h) does better.
  if (tessera::site_loops::fewOutputs(op) &&
      llvm::all_of(used, [&](OpOperand *in) {
        return dimOf(op.getMatchingIndexingMap(in).getResults().back()) ==
               p.r;
      }))
    return std::nullopt;
  p.a = a->getOperandNumber();
  p.b = b->getOperandNumber();
  for (TileShape t : kTiles) {
    p.bm = t.bm;
    p.bn = t.bn;
    p.tm = t.tm;
    p.tn = t.tn;
    if (ceilDiv(p.m, t.bm) * ceilDiv(p.nSize, t.bn) * p.batch >= kMinBlocks)
      break;
  }
  p.bk = kStage;
  // 16 x 16 tiles (a small problem: a thread per output) are bound by the
  // latency of each stage's loads and barriers, not by reuse: up to
  // kLongStage steps per stage, whole stages where the reduction allows.
  if (p.tm == 1 && p.tn == 1)
    p.bk = std::clamp<int64_t>(p.rSize / kStage * kStage, kStage, kLongStage);
  // Tile loads hand out whole rows and runs of steps (slotsOf).
  auto loadable = [](const Plan &p) {
    for (int64_t width : {p.bm, p.bn})
      if (p.threads() % width || p.threads() % kRunSteps ||
          p.bk % kRunSteps || (p.bk * width) % p.threads())
        return false;
    return true;
  };
  if (!loadable(p))
    return std::nullopt;
  if (ceilDiv(p.m, p.bm) > kMaxGridYZ)
    return std::nullopt;
  // Warp tiles of 32 x 16 over whole mma steps; the output in fresh order
  // (its shape, not its layout, is what the fragments index).
  p.mma = tensorCores != TensorCores::none && p.tm == 4 && p.tn == 4 &&
          p.bm % 32 == 0 && p.bn % 16 == 0 && p.rSize % kMmaSteps == 0 &&
          isMultiplyAddBody(op, op.getMatchingBlockArgument(a),
                            op.getMatchingBlockArgument(b),
                            op.getMatchingBlockArgument(out));
  // Warp tiles of 32 x 32 where the block is wide enough: the fragments a
  // warp loads from shared memory serve 8 mma tiles instead of 4, with
  // half the warps per block (measured on an H200, B8 EBT gradient G W^T,
  // 256 blocks: 58 us with 2 warps each, 63 with 4 of 32 x 16).
  // (The same conditions on the thread count as above: the tile loads.)
  // Two 16-bit operands keep 32 x 16 warp tiles: their fragments are one
  // ldmatrix per 16 rows either way, and twice the warps hide more latency
  // (B8 EBT head on the H100, bf16: y W_y 12.8 -> 12.0 us, G W^T 11.3 ->
  // 10.4).
  Type aType = cast<ShapedType>(a->get().getType()).getElementType();
  Type bType = cast<ShapedType>(b->get().getType()).getElementType();
  bool sixteen = aType == bType && isTf32Exact(aType);
  int64_t half = p.threads() / 2;
  if (p.mma && !sixteen && p.bn % 32 == 0 && half % kRunSteps == 0 &&
      half % p.bm == 0 && half % p.bn == 0 && (p.bk * p.bm) % half == 0 &&
      (p.bk * p.bn) % half == 0)
    p.tn = 8;
  p.mma16 = p.mma && sixteen &&
            p.rSize % kMma16Steps == 0 && p.bk % kMma16Steps == 0 &&
            p.tn % 4 == 0;
  // On tensor cores, stages of twice the steps (again while at least
  // kMinStages stages remain) where the reduction and shared memory allow:
  // half the barriers and stage loads per reduction (B8 EBT head on the
  // H100: y W_y in bf16 19.1 -> 17.1 us with 64 steps, G W^T in f32 34.7
  // -> 31.9 us; G W^T in bf16, 16 stages of a global load's latency each,
  // 12.6 -> 11.0 us with 128 steps; y W_y in 2 stages of 128, 12.8 -> 13.0).
  auto stageBytes = [&](int64_t bk) {
    return bk * (p.bm + p.bn + 16) * (p.mma16 ? 2 : 4);
  };
  if (p.mma && p.rSize % (2 * p.bk) == 0 &&
      stageBytes(2 * p.bk) <= kMaxStageBytes)
    p.bk *= 2;
  while (p.mma && p.rSize % (2 * p.bk) == 0 &&
         p.rSize / (2 * p.bk) >= kMinStages &&
         stageBytes(2 * p.bk) <= kMaxStageBytes)
    p.bk *= 2;
  // Few warps for the GPU and a reduction of several whole stages: groups
  // of warps split each stage's steps (Plan::groups), as many as bring the
  // grid to kWantedWarps, each with at least one mma step per stage, and
  // the groups' sums (one group's outputs at a time) fitting in shared
  // memory beside the tiles.
  int64_t stepSize = stepsPerStep(p);
  int64_t warps = ceilDiv(p.m, p.bm) * ceilDiv(p.nSize, p.bn) * p.batch *
                  p.threads() / kWarp;
  int64_t tileBytes = stageBytes(p.bk);
  int64_t sumBytes = p.tm * p.tn * p.threads() * 4;
  for (int64_t groups : {4, 2}) {
    Plan grouped = p;
    grouped.groups = groups;
    if (p.mma && warps * groups <= kWantedWarps &&
        p.rSize % p.bk == 0 && p.rSize / p.bk >= 2 &&
        (p.bk / stepSize) % groups == 0 &&
        tileBytes + sumBytes <= kMaxStageBytes && loadable(grouped)) {
      p = grouped;
      break;
    }
  }
  // A long 16-bit reduction: its stages in a cp.async ring, where both
  // tiles are rows of steps (bm + bn rows of bk + kMma16Pad 16-bit steps
  // per stage).
  if (p.mma16 && p.rSize % p.bk == 0 && p.rSize / p.bk >= kMinStages &&
      rowsTile(op, p, a, p.bm) && rowsTile(op, p, b, p.bn) &&
      kRingStages * (p.bm + p.bn) * (p.bk + kMma16Pad) * 2 <= kMaxRingBytes)
    p.ring = kRingStages;
  // sm_90a: one or two warpgroups per block on wgmma, where a is stored
  // along the reduction (K-major atoms) and b along it or along the output
  // columns (N-major atoms), whole stages of kWgmmaStage steps or twice
  // that, each copied as 16-byte vectors.
  int64_t lanes = 8;
  if (tensorCores == TensorCores::wgmma && p.mma16 &&
      p.rSize % kWgmmaStage == 0 && copiesAlong(op, a, p.r, lanes) &&
      (copiesAlong(op, b, p.r, lanes) || copiesAlong(op, b, p.n, lanes)) &&
      ceilDiv(p.m, kWgmmaTile) <= kMaxGridYZ) {
    p.wgmma = true;
    // Two warpgroups (128 rows) where that still gives nearly a block per
    // SM (kMinWgmmaBlocks): b's tile serves both, and the whole of a short
    // reduction fits in shared memory. (The B8 EBT head's y W_y, 2048 x
    // 1024 over 256: 11.4 us in 64 x 64 tiles, 10.3 in 128 x 64, 11.4 in
    // 128 x 128 with m64n128k16, whose 128 blocks have half the warps.)
    p.bn = kWgmmaTile;
    p.bm = p.m > kWgmmaTile && ceilDiv(p.m, 2 * kWgmmaTile) *
                                       ceilDiv(p.nSize, p.bn) * p.batch >=
                                   kMinWgmmaBlocks
               ? 2 * kWgmmaTile
               : kWgmmaTile;
    p.tm = 2;
    p.tn = p.bn / 4;
    // Stages of 128 steps where the reduction has kWgmmaRing such:
    // half the waits and barriers per step.
    p.bk = p.rSize % (2 * kWgmmaStage) == 0 &&
                   p.rSize / (2 * kWgmmaStage) >= kWgmmaRing
               ? 2 * kWgmmaStage
               : kWgmmaStage;
    p.groups = 1;
    // The deepest ring, up to the whole reduction or kWgmmaRing stages,
    // that keeps the grid in the waves the shallowest takes: a stage
    // waits for its copies where they are not ahead, but a second wave
    // waits for the whole first (the B8 EBT head's y W_y, 512 blocks of
    // 64 rows: 11.4 us with 3 stages, 4 blocks per SM; 15.1 with 4, 3).
    int64_t blocks = ceilDiv(p.m, p.bm) * ceilDiv(p.nSize, p.bn) * p.batch;
    auto bytes = [&](int64_t ring) {
      return ring * (p.bm + p.bn) * p.bk * 2 + kSwizzleAtom;
    };
    auto waves = [&](int64_t ring) {
      return ceilDiv(blocks, kSMs * (kSharedBytesPerSM /
                                     (bytes(ring) + kReservedSharedBytes)));
    };
    int64_t most = std::min<int64_t>(p.rSize / p.bk, kWgmmaRing);
    int64_t fewest = std::min<int64_t>(most, 2);
    p.ring = fewest;
    while (p.ring < most && waves(p.ring + 1) <= waves(fewest) &&
           bytes(p.ring + 1) <= kMaxSharedBytesPerBlock)
      ++p.ring;
  }
  return p;
}

linalg::GenericOp tc::initialCopy(linalg::GenericOp op) {
  Value init = op.getDpsInits()[0];
  if (!init.getDefiningOp<memref::AllocOp>())
    return {};
  Operation *prev = op->getPrevNode();
  while (prev && (isa<memref::AllocOp>(prev) || isMemoryEffectFree(prev)))
    prev = prev->getPrevNode();
  auto copy = dyn_cast_or_null<linalg::GenericOp>(prev);
  if (!copy || copy.getNumDpsInputs() != 1 || copy.getNumDpsInits() != 1 ||
      copy.getDpsInits()[0] != init ||
      copy.getNumParallelLoops() != copy.getNumLoops() ||
      !isa<MemRefType>(copy.getDpsInputs()[0].getType()))
    return {};
  auto yield = cast<linalg::YieldOp>(copy.getBody()->getTerminator());
  if (!copy.getBody()->without_terminator().empty() ||
      yield.getValues()[0] !=
          copy.getMatchingBlockArgument(copy.getDpsInputOperand(0)) ||
      !copy.getMatchingIndexingMap(copy.getDpsInitOperand(0)).isIdentity() ||
      !copy.getMatchingIndexingMap(copy.getDpsInputOperand(0))
           .isProjectedPermutation())
    return {};
  for (Operation *user : init.getUsers())
    if (user != copy && user != op &&
        (user->getBlock() != op->getBlock() || !op->isBeforeInBlock(user)))
      return {};
  return copy;
}

linalg::GenericOp tc::epilogue(linalg::GenericOp op) {
  Value result = op.getDpsInits()[0];
  if (!result.getDefiningOp<memref::AllocOp>())
    return {};
  linalg::GenericOp consumer;
  for (Operation *user : result.getUsers()) {
    // What writes the output before (its fill, initial copy) sees nothing
    // of what the op would store.
    if (user == op || (user->getBlock() == op->getBlock() &&
                       user->isBeforeInBlock(op)))
      continue;
    auto generic = dyn_cast<linalg::GenericOp>(user);
    if (consumer || !generic)
      return {};
    consumer = generic;
  }
  if (!consumer || consumer->getBlock() != op->getBlock() ||
      !op->isBeforeInBlock(consumer) ||
      consumer.getNumParallelLoops() != consumer.getNumLoops() ||
      !isPureScalarBody(consumer))
    return {};
  OpOperand *read = nullptr;
  for (OpOperand *in : consumer.getDpsInputOperands())
    if (in->get() == result) {
      if (read)
        return {};
      read = in;
    }
  if (!read || !consumer.getMatchingIndexingMap(read).isPermutation())
    return {};
  for (Operation *o = op->getNextNode(); o != consumer; o = o->getNextNode())
    if (!isa<memref::AllocOp>(o) && !isMemoryEffectFree(o))
      return {};
  // The consumer's outputs are written while other blocks still read the
  // contraction's inputs: fresh buffers nothing before it touches.
  // Its operands are read at its loop indices (dims only).
  for (OpOperand *in : consumer.getDpsInputOperands())
    if (!consumer.getMatchingIndexingMap(in).isProjectedPermutation())
      return {};
  for (OpOperand &init : consumer.getDpsInitsMutable()) {
    // Allocated in this block: a view of it that the contraction could read
    // would be a user before the consumer.
    auto alloc = init.get().getDefiningOp<memref::AllocOp>();
    if (init.get() == result || !alloc ||
        alloc->getBlock() != op->getBlock() ||
        !consumer.getMatchingIndexingMap(&init).isProjectedPermutation())
      return {};
    for (Operation *user : init.get().getUsers())
      if (user != consumer && user->getBlock() == op->getBlock() &&
          user->isBeforeInBlock(consumer))
        return {};
  }
  return consumer;
}

void tc::lower(RewriterBase &rewriter, linalg::GenericOp op, const Plan &p,
               linalg::GenericOp copy, linalg::GenericOp consumer) {
  Location loc = op.getLoc();
  auto module = op->getParentOfType<ModuleOp>();
  OpOperand &aIn = op->getOpOperand(p.a), &bIn = op->getOpOperand(p.b);
  OpOperand &out = *op.getDpsInitOperand(0);
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  linalg::FillOp fill = tessera::site_loops::initialFill(op, out.get());
  // What lies between the op and its epilogue (allocations, pure ops:
  // epilogue) moves above the launch that runs both.
  if (consumer)
    while (op->getNextNode() != consumer.getOperation())
      rewriter.moveOpBefore(op->getNextNode(), op);

  // Shared tiles (SiteLoops.h sharedTile), rows padded so that a warp
  // storing one column of a tile (an operand read along the reduction)
  // spreads over the banks: by one element, or by a thread tile's vector
  // where rows must stay aligned for its loads.
  // On tensor cores the tiles hold f32 (narrow operands extended as they
  // are stored, once per element instead of once per use).
  // Operands whose tile holds rows of steps, copied from global memory as
  // 16-byte vectors along the reduction (operands stored along it, as y in
  // y W and both operands of G W^T are): a's for 16-bit mma (ldmatrix reads
  // its fragments); on TF32 either operand's, whose fragments ldmatrix
  // then reads too (an f32 as two b16: thread i of an 8 x 8 matrix gets
  // row i / 4, element i % 4, the m16n8k8 TF32 layout), where each
  // fragment element was a scalar load.
  // Whether \p in is stored with the reduction innermost.
  auto alongR = [&](OpOperand &in) {
    return dimOf(op.getMatchingIndexingMap(&in).getResults().back()) == p.r;
  };
  bool aRows = rowsTile(op, p, &aIn, p.bm);
  bool bRows = rowsTile(op, p, &bIn, p.bn) && p.tn % 4 == 0;
  auto tileGlobal = [&](OpOperand &in, int64_t cols, int64_t vector) {
    return tessera::site_loops::sharedTile(
        module, loc, {p.bk, cols + vector},
        p.mma && !p.mma16
            ? rewriter.getF32Type()
            : cast<ShapedType>(in.get().getType()).getElementType());
  };
  // A tile of `width` rows of steps: of the operand's own type for 16-bit
  // mma (rows padded by kMma16Pad), else f32 (padded by 4 words: ldmatrix's
  // 8 rows of 16 bytes then fall in 8 different groups of 4 banks).
  auto rowsGlobal = [&](OpOperand &in, int64_t width) {
    return p.mma16
               ? tessera::site_loops::sharedTile(
                     module, loc, {width, p.bk + kMma16Pad},
                     cast<ShapedType>(in.get().getType()).getElementType())
               : tessera::site_loops::sharedTile(
                     module, loc, {width, p.bk + 4}, rewriter.getF32Type());
  };
  // 16-bit mma: a's tile is rows x steps (ldmatrix reads a's fragments as
  // rows of 8 steps), b's too where b is stored along the reduction, else
  // steps x columns (read transposed).
  // A ring (Plan::ring) where both tiles are rows of steps, copied as the
  // 16-byte vectors cp.async copies: ring x rows x (steps + padding)
  // tiles of the operands' type in dynamic shared memory, a's then b's.
  bool ring = !p.wgmma && p.ring > 0 && aRows && bRows;
  auto bytesOf = [](MemRefType type) {
    return type.getNumElements() * type.getElementTypeBitWidth() / 8;
  };
  memref::GlobalOp aTile, bTile;
  MemRefType aRingType, bRingType;
  int64_t ringBytes = 0;
  auto workgroup = gpu::AddressSpaceAttr::get(rewriter.getContext(),
                                              gpu::AddressSpace::Workgroup);
  if (ring) {
    auto ringOf = [&](OpOperand &in, int64_t width) {
      return MemRefType::get(
          {p.ring, width, p.bk + kMma16Pad},
          cast<ShapedType>(in.get().getType()).getElementType(),
          MemRefLayoutAttrInterface(), workgroup);
    };
    aRingType = ringOf(aIn, p.bm);
    bRingType = ringOf(bIn, p.bn);
    ringBytes = bytesOf(aRingType) + bytesOf(bRingType);
  } else if (p.wgmma) {
    // wgmma (Plan::wgmma): per slot and operand, 128-byte swizzled lines
    // of 64 steps or columns, 1024-byte aligned (the launch asks for an
    // atom more, the kernel aligns the start): K-major tiles (a's, and b's
    // where b is stored along the reduction) as bk / 64 blocks of rows x
    // 64 steps, an N-major b's as bn / 64 blocks of bk steps x 64 columns.
    auto ringOf = [&](OpOperand &in, int64_t rows) {
      bool kMajor = alongR(in);
      return MemRefType::get(
          {p.ring, (kMajor ? p.bk : rows) / kWgmmaStage, kMajor ? rows : p.bk,
           kWgmmaStage},
          cast<ShapedType>(in.get().getType()).getElementType(),
          MemRefLayoutAttrInterface(), workgroup);
    };
    aRingType = ringOf(aIn, p.bm);
    bRingType = ringOf(bIn, p.bn);
    ringBytes = bytesOf(aRingType) + bytesOf(bRingType) + kSwizzleAtom;
  } else {
    aTile = p.mma16 || aRows ? rowsGlobal(aIn, p.bm)
                             : tileGlobal(aIn, p.bm, p.tm);
    bTile = bRows ? rowsGlobal(bIn, p.bn)
                  : tileGlobal(bIn, p.bn, p.mma16 ? kMma16Pad : p.tn);
  }

  rewriter.setInsertionPoint(op);
  OpBuilder &b = rewriter;
  auto cst = [&](int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); };
  Value dynamicBytes;
  if (ring || p.wgmma)
    dynamicBytes = arith::ConstantIntOp::create(b, loc, ringBytes, 32);
  auto launch = gpu::LaunchOp::create(
      b, loc, cst(ceilDiv(p.nSize, p.bn)), cst(ceilDiv(p.m, p.bm)),
      cst(p.batch), cst(p.threads()), cst(1), cst(1), dynamicBytes);
  OpBuilder::InsertionGuard guard(rewriter);
  b.setInsertionPointToStart(&launch.getBody().front());
  auto add = [&](Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); };
  auto rem = [&](Value x, int64_t y) { return arith::RemUIOp::create(b, loc, x, cst(y)); };
  auto div = [&](Value x, int64_t y) { return arith::DivUIOp::create(b, loc, x, cst(y)); };
  // x clamped so that `whole` elements from it stay below size.
  auto clamp = [&](Value x, int64_t size, int64_t whole = 1) {
    return arith::MinUIOp::create(b, loc, x, cst(size - whole));
  };

  // The tiles the stage's arithmetic reads (in a ring, the stage's slot,
  // set per stage).
  Value as, bs, aRing, bRing;
  // wgmma: the rings' shared-memory address (i64).
  Value ringAddress;
  if (ring || p.wgmma) {
    // a's ring, then b's, in the dynamic shared memory; wgmma's from its
    // first 1024-byte boundary.
    Value bytes = gpu::DynamicSharedMemoryOp::create(
        b, loc,
        MemRefType::get({ShapedType::kDynamic}, b.getI8Type(),
                        MemRefLayoutAttrInterface(), workgroup));
    Value start, aOffset = cst(0), bOffset = cst(bytesOf(aRingType));
    if (p.wgmma) {
      start = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, bytes);
      aOffset = rem(arith::SubIOp::create(b, loc, cst(kSwizzleAtom),
                                          rem(start, kSwizzleAtom)),
                    kSwizzleAtom);
    }
    aRing =
        memref::ViewOp::create(b, loc, aRingType, bytes, aOffset, ValueRange{});
    if (p.wgmma)
      bOffset = add(aOffset, bOffset);
    bRing =
        memref::ViewOp::create(b, loc, bRingType, bytes, bOffset, ValueRange{});
    if (p.wgmma)
      ringAddress = arith::IndexCastOp::create(b, loc, b.getI64Type(),
                                               add(start, aOffset));
  } else {
    as = memref::GetGlobalOp::create(b, loc, aTile.getType(), aTile.getSymName());
    bs = memref::GetGlobalOp::create(b, loc, bTile.getType(), bTile.getSymName());
  }
  Value tid = launch.getThreadIds().x;
  // A warp covers 8 x 4 thread tiles (columns x rows), not 16 x 2: its
  // shared reads per step then touch 8 column vectors and 4 row vectors,
  // two 128-byte wavefronts, instead of 16 and 2 (three). Shared memory
  // bandwidth is what bounds these tiles (Nsight Compute, B8 EBT head:
  // L1 throughput 84%, 55% of issue slots used, with 16 x 2).
  int64_t colThreads = p.bn / p.tn, rowThreads = p.bm / p.tm;
  Value tx, ty;
  // Tensor cores: the warp's 32 x 16 tile, the lane's group and thread in
  // group (Plan::mma).
  Value warpRow, warpCol, group, inGroup;
  // ldmatrix.x4: lanes 8q .. 8q + 7 address the rows of matrix q (the
  // lane's row), q's low and high bit pick the matrix's quarter of the
  // fragment; each offset by 8 rows or by a matrix's steps.
  Value matrixRow, lowQuarter, highQuarter;
  auto quarter = [&](Value bit, int64_t by) {
    return arith::MulIOp::create(b, loc, bit, cst(by)).getResult();
  };
  // The thread's warp group (Plan::groups) and its thread in the group.
  Value warpGroup, inWarpGroup;
  if (p.mma) {
    Value warp = div(tid, kWarp), lane = rem(tid, kWarp);
    if (p.groups > 1) {
      warpGroup = div(tid, p.groupThreads());
      inWarpGroup = rem(tid, p.groupThreads());
      warp = rem(warp, p.groupThreads() / kWarp);
    }
    // (wgmma: a warp holds 16 rows of the warpgroup's 64.)
    int64_t warpCols = 4 * p.tn, warpsPerRow = p.bn / warpCols;
    warpRow = arith::MulIOp::create(b, loc, div(warp, warpsPerRow),
                                    cst(p.wgmma ? 16 : 32));
    warpCol =
        arith::MulIOp::create(b, loc, rem(warp, warpsPerRow), cst(warpCols));
    group = div(lane, 4);
    inGroup = rem(lane, 4);
    matrixRow = rem(lane, 8);
    lowQuarter = rem(div(lane, 8), 2);
    highQuarter = div(lane, 16);
  } else if (colThreads % kWarpColumns == 0 &&
      rowThreads % (kWarp / kWarpColumns) == 0) {
    Value warp = div(tid, kWarp), lane = rem(tid, kWarp);
    int64_t warpsPerRow = colThreads / kWarpColumns;
    tx = add(arith::MulIOp::create(b, loc, rem(warp, warpsPerRow),
                                   cst(kWarpColumns)),
             rem(lane, kWarpColumns));
    ty = add(arith::MulIOp::create(b, loc, div(warp, warpsPerRow),
                                   cst(kWarp / kWarpColumns)),
             div(lane, kWarpColumns));
  } else {
    tx = rem(tid, colThreads);
    ty = div(tid, colThreads);
  }
  Value tyBase, txBase;
  if (!p.mma) {
    tyBase = arith::MulIOp::create(b, loc, ty, cst(p.tm));
    txBase = arith::MulIOp::create(b, loc, tx, cst(p.tn));
  }
  Value m0 = arith::MulIOp::create(b, loc, launch.getBlockIds().y, cst(p.bm));
  Value n0 = arith::MulIOp::create(b, loc, launch.getBlockIds().x, cst(p.bn));

  // The op's loop indices at the point being read or written; batch dims
  // fixed per block, last fastest (as M dims, atOutput).
  SmallVector<Value> dims(op.getNumLoops());
  auto delinearize = [&](Value v, ArrayRef<unsigned> ds) {
    for (size_t i = ds.size(); i-- > 1;) {
      dims[ds[i]] = rem(v, ranges[ds[i]]);
      v = div(v, ranges[ds[i]]);
    }
    dims[ds.front()] = v;
  };
  if (!p.batchDims.empty())
    delinearize(launch.getBlockIds().z, p.batchDims);
  auto indices = [&](OpOperand &operand) {
    return applyPermutationMap<Value>(op.getMatchingIndexingMap(&operand),
                                      dims);
  };

  SmallVector<Value> rows, cols;
  if (p.mma) {
    Value pair = arith::MulIOp::create(b, loc, inGroup, cst(2));
    for (int64_t i = 0; i < p.tm; ++i)
      rows.push_back(add(m0, add(warpRow, add(group, cst(8 * i)))));
    for (int64_t j = 0; j < p.tn; ++j)
      cols.push_back(
          add(n0, add(warpCol, add(pair, cst(j / 2 * 8 + j % 2)))));
  } else {
    for (int64_t i = 0; i < p.tm; ++i)
      rows.push_back(add(m0, add(tyBase, cst(i))));
    for (int64_t j = 0; j < p.tn; ++j)
      cols.push_back(add(n0, add(txBase, cst(j))));
  }

  // On tensor cores a thread's outputs j and j + 1 are neighbours in a row
  // (mma's accumulator layout): read and written as pairs, one 8-byte
  // access where two 4-byte ones filled half of each 32-byte sector (the
  // B8 EBT head's gradient stores, Nsight Compute).
  int64_t run = p.mma && p.nSize % 2 == 0 ? 2 : 1;
  // (Clamped so that a whole run stays in range: even, as runs start.)
  auto atOutput = [&](int64_t i, int64_t j) {
    delinearize(clamp(rows[i], p.m), p.mDims);
    dims[p.n] = clamp(cols[j], p.nSize, run);
  };
  // `run` values of `memref` at consecutive values of loop dim `d` from
  // `loops` (the loop indices of the op `map` belongs to): one vector
  // access where they are consecutive in memory, one scalar read for all
  // where the operand does not depend on `d`.
  auto position = [&](AffineMap map, unsigned d) {
    return map.getResultPosition(b.getAffineDimExpr(d));
  };
  auto contiguous = [&](Value memref, AffineMap map, unsigned d) {
    auto type = cast<MemRefType>(memref.getType());
    std::optional<unsigned> pos = position(map, d);
    return run > 1 && pos && *pos + 1 == map.getNumResults() &&
           type.getLayout().isIdentity() && type.hasStaticShape() &&
           type.getShape().back() % run == 0;
  };
  auto loadRun = [&](Value memref, AffineMap map, ArrayRef<Value> loops,
                     unsigned d) {
    SmallVector<Value> at = applyPermutationMap<Value>(map, loops);
    Type element = cast<MemRefType>(memref.getType()).getElementType();
    SmallVector<Value> values;
    if (contiguous(memref, map, d)) {
      Value v = vector::LoadOp::create(
          b, loc, VectorType::get({run}, element), memref, at,
          /*nontemporal=*/false,
          llvm::MaybeAlign(run * element.getIntOrFloatBitWidth() / 8));
      for (int64_t e = 0; e < run; ++e)
        values.push_back(vector::ExtractOp::create(b, loc, v, e));
      return values;
    }
    std::optional<unsigned> pos = position(map, d);
    Value first = memref::LoadOp::create(b, loc, memref, at);
    values.push_back(first);
    for (int64_t e = 1; e < run; ++e) {
      if (!pos) {
        values.push_back(first);
        continue;
      }
      SmallVector<Value> next(at);
      next[*pos] = add(at[*pos], cst(e));
      values.push_back(memref::LoadOp::create(b, loc, memref, next));
    }
    return values;
  };
  auto storeRun = [&](ValueRange values, Value memref, AffineMap map,
                      ArrayRef<Value> loops, unsigned d) {
    SmallVector<Value> at = applyPermutationMap<Value>(map, loops);
    Type element = cast<MemRefType>(memref.getType()).getElementType();
    if (contiguous(memref, map, d)) {
      Value v = vector::FromElementsOp::create(
          b, loc, VectorType::get({run}, element), values);
      vector::StoreOp::create(
          b, loc, v, memref, at, /*nontemporal=*/false,
          llvm::MaybeAlign(run * element.getIntOrFloatBitWidth() / 8));
      return;
    }
    std::optional<unsigned> pos = position(map, d);
    for (auto [e, v] : llvm::enumerate(values)) {
      SmallVector<Value> next(at);
      if (pos && e)
        next[*pos] = add(at[*pos], cst(e));
      memref::StoreOp::create(b, loc, v, memref, next);
    }
  };
  // The output buffer's dims as loop indices (its identity map).
  AffineMap bufferMap = AffineMap::getMultiDimIdentityMap(
      op.getMatchingIndexingMap(&out).getNumResults(), b.getContext());
  unsigned bufferN = bufferMap.getNumResults() - 1;

  SmallVector<Value> initial;
  for (int64_t i = 0; i < p.tm; ++i)
    for (int64_t j = 0; j < p.tn; j += run) {
      if (fill) {
        initial.append(run, fill.getInputs()[0]);
        continue;
      }
      atOutput(i, j);
      SmallVector<Value> at = indices(out);
      // The copy's loops are the buffer's dims.
      llvm::append_range(
          initial,
          copy ? loadRun(copy.getDpsInputs()[0],
                         copy.getMatchingIndexingMap(copy.getDpsInputOperand(0)),
                         at, bufferN)
               : loadRun(out.get(), bufferMap, at, bufferN));
    }

  // Where each thread puts its share of an operand's tile: consecutive
  // threads take consecutive elements along the dim the operand stores
  // innermost (coalesced loads).
  // A slot of `lanes` > 1 is that many consecutive columns of one step,
  // read with one vector load.
  struct Slot {
    Value kk, cc;
    int64_t lanes = 1;
    /// The lanes are consecutive steps of one column (a's rows of the
    /// 16-bit mma tile, stored steps innermost), not columns of one step.
    bool alongSteps = false;
  };
  // Columns per 16-byte load of an operand stored columns innermost, when
  // its rows and the tile's columns split into whole, aligned loads (an
  // identity layout, rows and the column extent multiples of it); 1 if not.
  auto vectorLanes = [&](OpOperand &in, int64_t width, int64_t extent) {
    auto type = cast<MemRefType>(in.get().getType());
    int64_t lanes = 128 / type.getElementTypeBitWidth();
    int64_t count = p.bk * width / p.threads();
    if (!type.getLayout().isIdentity() || type.isDynamicDim(type.getRank() - 1) ||
        type.getShape().back() % lanes != 0 || extent % lanes != 0 ||
        width % lanes != 0 || p.threads() % (width / lanes) != 0 ||
        count % lanes != 0)
      return int64_t(1);
    return lanes;
  };
  auto slotsOf = [&](OpOperand &in, int64_t width) {
    SmallVector<Slot> slots;
    int64_t count = p.bk * width / p.threads();
    if (!alongR(in)) {
      // A warp's load: 32 consecutive columns of one reduction step (as
      // 32 vectors of 16 bytes where they split so); its store fills one
      // row of the tile.
      bool isA = &in == &aIn;
      int64_t lanes =
          isA && p.mDims.size() != 1 ? 1 : vectorLanes(in, width,
                                                       isA ? p.m : p.nSize);
      int64_t perRow = width / lanes;
      Value cc = rem(tid, perRow), kk = div(tid, perRow);
      if (lanes > 1)
        cc = arith::MulIOp::create(b, loc, cc, cst(lanes));
      for (int64_t e = 0; e < count / lanes; ++e)
        slots.push_back(
            {add(kk, cst(e * (p.threads() / perRow))), cc, lanes});
      return slots;
    }
    // Stored along the reduction, the tile is a transpose: a warp's load is
    // kRunSteps consecutive steps (a 32-byte sector of f32) of 32 /
    // kRunSteps columns, so that its stores (rows of kRunSteps steps, each
    // a row apart) fall in 32 different banks of the padded tile. A whole
    // warp along the steps stored into 8 banks (4-way conflicts: with both
    // operands so, the stores took most of the B8 EBT gradient's shared
    // bandwidth).
    Value low = rem(tid, kRunSteps), rest = div(tid, kRunSteps);
    for (int64_t e = 0; e < count; ++e) {
      Value r = add(rest, cst(e * (p.threads() / kRunSteps)));
      Value kk = add(arith::MulIOp::create(b, loc, div(r, width),
                                           cst(kRunSteps)),
                     low);
      slots.push_back({kk, rem(r, width)});
    }
    return slots;
  };
  // The 16-bit mma's a tile holds rows of steps: an operand stored along
  // the reduction (y in y W) copies into it as 16-byte vectors, 8 steps of
  // a row per load and store, where scalar 2-byte loads took a load and a
  // store per element.
  auto rowVectorSlots = [&](OpOperand &in, int64_t width) {
    auto type = cast<MemRefType>(in.get().getType());
    int64_t lanes = 128 / type.getElementTypeBitWidth();
    int64_t vectors = width * p.bk / lanes;
    SmallVector<Slot> slots;
    int64_t perRow = p.bk / lanes;
    for (int64_t e = 0; e < vectors / p.threads(); ++e) {
      Value v = add(tid, cst(e * p.threads()));
      slots.push_back({arith::MulIOp::create(b, loc, rem(v, perRow),
                                             cst(lanes)),
                       div(v, perRow), lanes, /*alongSteps=*/true});
    }
    return slots;
  };
  SmallVector<Slot> aSlots, bSlots;
  if (!p.wgmma) {
    aSlots = aRows ? rowVectorSlots(aIn, p.bm) : slotsOf(aIn, p.bm);
    bSlots = bRows ? rowVectorSlots(bIn, p.bn) : slotsOf(bIn, p.bn);
  }
  // The thread's share of an operand's tile for the stage at k0, from
  // global memory (indices clamped: past the last stage, the values are
  // never used).
  auto fetch = [&](OpOperand &in, ArrayRef<Slot> slots, Value k0, bool isA) {
    SmallVector<Value> values;
    for (Slot slot : slots) {
      dims[p.r] = clamp(add(k0, slot.kk), p.rSize,
                        slot.alongSteps ? slot.lanes : 1);
      // A vector's columns stay whole: clamped to the last full vector.
      if (isA)
        delinearize(clamp(add(m0, slot.cc), p.m,
                          slot.alongSteps ? 1 : slot.lanes),
                    p.mDims);
      else
        dims[p.n] = clamp(add(n0, slot.cc), p.nSize,
                          slot.alongSteps ? 1 : slot.lanes);
      if (slot.lanes == 1) {
        values.push_back(memref::LoadOp::create(b, loc, in.get(), indices(in)));
        continue;
      }
      Type element = cast<MemRefType>(in.get().getType()).getElementType();
      values.push_back(vector::LoadOp::create(
          b, loc, VectorType::get({slot.lanes}, element), in.get(), indices(in),
          /*nontemporal=*/false, llvm::MaybeAlign(16)));
    }
    return values;
  };
  auto stash = [&](Value tile, ArrayRef<Slot> slots, ValueRange values,
                   bool stepsInner = false) {
    auto tileType = cast<MemRefType>(tile.getType());
    Type element = tileType.getElementType();
    int64_t elementBytes = element.getIntOrFloatBitWidth() / 8;
    for (auto [slot, loaded] : llvm::zip(slots, values)) {
      // A vector whose lanes are consecutive in the tile too (rows of
      // steps, or columns of a tile stored steps x columns) is one store
      // where its rows stay 16-byte aligned: the B8 EBT head's W_y tile
      // took 8 scalar stores per load.
      int64_t bytes = slot.lanes * elementBytes;
      bool whole = slot.alongSteps ||
                   (slot.lanes > 1 && !stepsInner &&
                    (tileType.getShape().back() * elementBytes) % bytes == 0);
      if (whole) {
        Value v = loaded;
        if (getElementTypeOrSelf(v) != element)
          v = arith::ExtFOp::create(
              b, loc, VectorType::get({slot.lanes}, element), v);
        SmallVector<Value, 2> at = {slot.kk, slot.cc};
        if (slot.alongSteps)
          std::swap(at[0], at[1]);
        vector::StoreOp::create(b, loc, v, tile, at, /*nontemporal=*/false,
                                llvm::MaybeAlign(std::min<int64_t>(bytes, 16)));
        continue;
      }
      for (int64_t i = 0; i < slot.lanes; ++i) {
        Value v = slot.lanes == 1
                      ? loaded
                      : Value(vector::ExtractOp::create(b, loc, loaded, i));
        if (v.getType() != element)
          v = arith::ExtFOp::create(b, loc, element, v);
        Value col = add(slot.cc, cst(i));
        memref::StoreOp::create(b, loc, v, tile,
                                stepsInner ? ValueRange{col, slot.kk}
                                           : ValueRange{slot.kk, col});
      }
    }
  };

  BlockArgument aArg = op.getMatchingBlockArgument(&aIn);
  BlockArgument bArg = op.getMatchingBlockArgument(&bIn);
  BlockArgument outArg = op.getMatchingBlockArgument(&out);
  Value yielded = op.getBody()->getTerminator()->getOperand(0);
  // Reduction step kk of the stage: every output of the thread, from the
  // shared tiles.
  auto step = [&](OpBuilder &b, Location loc, Value kk, ValueRange acc) {
    auto read = [&](Value tile, Value base, int64_t count) {
      SmallVector<Value> values;
      auto type = cast<MemRefType>(tile.getType());
      if (count == 1) {
        values.push_back(
            memref::LoadOp::create(b, loc, tile, ValueRange{kk, base}));
        return values;
      }
      auto vec = vector::LoadOp::create(
          b, loc, VectorType::get({count}, type.getElementType()), tile,
          ValueRange{kk, base}, /*nontemporal=*/false,
          llvm::MaybeAlign(count * type.getElementTypeBitWidth() / 8));
      for (int64_t i = 0; i < count; ++i)
        values.push_back(vector::ExtractOp::create(b, loc, vec, i));
      return values;
    };
    SmallVector<Value> av = read(as, tyBase, p.tm);
    SmallVector<Value> bv = read(bs, txBase, p.tn);
    SmallVector<Value> next;
    for (int64_t i = 0; i < p.tm; ++i)
      for (int64_t j = 0; j < p.tn; ++j) {
        IRMapping map;
        map.map(aArg, av[i]);
        map.map(bArg, bv[j]);
        map.map(outArg, acc[i * p.tn + j]);
        for (Operation &o : op.getBody()->without_terminator())
          b.clone(o, map);
        next.push_back(map.lookupOrDefault(yielded));
      }
    return next;
  };

  // kMmaSteps reduction steps from kk on tensor cores (Plan::mma): per
  // 16 x 8 tile of the warp, the fragments of the PTX ISA's m16n8k8 TF32
  // layout read from the shared tiles (a: rows g, g + 8 at steps t, t + 4;
  // b: column g at steps t, t + 4), each split into TF32 high and low
  // parts, three mma accumulating the small products first (two, or one,
  // when an operand is bf16 or f16: all high part).
  bool aExact = isTf32Exact(
      cast<ShapedType>(aIn.get().getType()).getElementType());
  bool bExact = isTf32Exact(
      cast<ShapedType>(bIn.get().getType()).getElementType());
  auto mmaStep = [&](OpBuilder &b, Location loc, Value kk, ValueRange acc) {
    Value k0 = add(kk, inGroup), k4 = add(k0, cst(4));
    Type f32 = b.getF32Type(), i32 = b.getI32Type();
    Value highMask =
        arith::ConstantIntOp::create(b, loc, i32, int64_t(0xffffe000));
    // The high part and the rest; an operand exact in TF32 is all high
    // part (no low part: its mma are not issued).
    auto split = [&](ArrayRef<Value> xs, ArrayRef<int64_t> shape,
                     bool exact) {
      auto type = VectorType::get(shape, f32);
      if (exact)
        return std::make_pair(
            Value(vector::FromElementsOp::create(b, loc, type, xs)), Value());
      SmallVector<Value> hi, lo;
      Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0));
      for (Value x : xs) {
        Value h = arith::BitcastOp::create(
            b, loc, f32,
            arith::AndIOp::create(
                b, loc, arith::BitcastOp::create(b, loc, i32, x), highMask));
        hi.push_back(h);
        // An infinity is all high part (inf - inf would be a NaN).
        Value whole =
            arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, h, x);
        lo.push_back(arith::SelectOp::create(
            b, loc, whole, zero, arith::SubFOp::create(b, loc, x, h)));
      }
      return std::make_pair(
          Value(vector::FromElementsOp::create(b, loc, type, hi)),
          Value(vector::FromElementsOp::create(b, loc, type, lo)));
    };
    auto load = [&](Value tile, Value k, Value c) {
      return memref::LoadOp::create(b, loc, tile, ValueRange{k, c}).getResult();
    };
    // ldmatrix.x4 on a rows tile: its four registers, as f32.
    auto matrices = [&](Value tile, Value row, Value step) {
      Value frag = nvgpu::LdMatrixOp::create(
          b, loc, VectorType::get({4, 1}, f32), tile, ValueRange{row, step},
          /*transpose=*/false, /*numTiles=*/4);
      SmallVector<Value> regs;
      for (int64_t j = 0; j < 4; ++j)
        regs.push_back(
            vector::ExtractOp::create(b, loc, frag, ArrayRef<int64_t>{j, 0}));
      return regs;
    };
    SmallVector<std::pair<Value, Value>> aFrags, bFrags;
    for (int64_t mi = 0; mi < 2; ++mi) {
      if (aRows) {
        // Rows 0-7 and 8-15 at steps 0-3, then at steps 4-7.
        aFrags.push_back(split(
            matrices(as,
                     add(warpRow, add(cst(mi * 16),
                                      add(quarter(lowQuarter, 8), matrixRow))),
                     add(kk, quarter(highQuarter, 4))),
            {4, 1}, aExact));
        continue;
      }
      Value r = add(warpRow, add(group, cst(mi * 16))), r8 = add(r, cst(8));
      aFrags.push_back(split({load(as, k0, r), load(as, k0, r8),
                              load(as, k4, r), load(as, k4, r8)},
                             {4, 1}, aExact));
    }
    for (int64_t ni = 0; ni < p.tn / 2; ++ni) {
      if (bRows) {
        // Two 8-column tiles per ldmatrix: steps 0-3 and 4-7 of each.
        if (ni % 2)
          continue;
        SmallVector<Value> regs = matrices(
            bs,
            add(warpCol,
                add(cst(ni * 8), add(quarter(highQuarter, 8), matrixRow))),
            add(kk, quarter(lowQuarter, 4)));
        bFrags.push_back(split({regs[0], regs[1]}, {2, 1}, bExact));
        bFrags.push_back(split({regs[2], regs[3]}, {2, 1}, bExact));
        continue;
      }
      Value c = add(warpCol, add(group, cst(ni * 8)));
      bFrags.push_back(
          split({load(bs, k0, c), load(bs, k4, c)}, {2, 1}, bExact));
    }
    SmallVector<Value> next(acc.begin(), acc.end());
    auto cType = VectorType::get({2, 2}, f32);
    for (int64_t mi = 0; mi < 2; ++mi)
      for (int64_t ni = 0; ni < p.tn / 2; ++ni) {
        int64_t at[4] = {(2 * mi) * p.tn + 2 * ni, (2 * mi) * p.tn + 2 * ni + 1,
                         (2 * mi + 1) * p.tn + 2 * ni,
                         (2 * mi + 1) * p.tn + 2 * ni + 1};
        Value c = vector::FromElementsOp::create(
            b, loc, cType,
            ValueRange{next[at[0]], next[at[1]], next[at[2]], next[at[3]]});
        auto [aHi, aLo] = aFrags[mi];
        auto [bHi, bLo] = bFrags[ni];
        for (auto [x, y] : {std::make_pair(aLo, bHi), std::make_pair(aHi, bLo),
                            std::make_pair(aHi, bHi)})
          if (x && y)
            c = nvgpu::MmaSyncOp::create(b, loc, x, y, c,
                                         ArrayRef<int64_t>{16, 8, 8},
                                         /*tf32Enabled=*/true);
        for (int64_t e = 0; e < 4; ++e)
          next[at[e]] = vector::ExtractOp::create(
              b, loc, c, ArrayRef<int64_t>{e / 2, e % 2});
      }
    return next;
  };
  // kMma16Steps reduction steps from kk on 16-bit tensor cores
  // (Plan::mma16): per 16 rows of the warp's tile, a's m16n8k16 fragment
  // in one ldmatrix.x4 (its four 8 x 8 matrices: rows 0-7 and 8-15 at
  // steps 0-7, then at steps 8-15; lanes 8q .. 8q + 7 address matrix q's
  // rows), per two 8-column tiles b's fragments in one transposing
  // ldmatrix.x4 (steps 0-7 and 8-15 of the first tile, then of the
  // second), each register two packed elements as mma takes them.
  auto mma16Step = [&](OpBuilder &b, Location loc, Value kk, ValueRange acc) {
    Type i32 = b.getI32Type(), f32 = b.getF32Type();
    Type element = cast<MemRefType>(as.getType()).getElementType();
    Value low8 = quarter(lowQuarter, 8), high8 = quarter(highQuarter, 8);
    // NVVM's mma takes f16 pairs as vector<2xf16>, bf16 pairs as i32.
    auto registers = [&](Value frag) {
      SmallVector<Value> regs;
      for (int64_t j = 0; j < 4; ++j) {
        Value pair = vector::ExtractOp::create(b, loc, frag, j);
        if (element.isBF16())
          pair = vector::ExtractOp::create(
              b, loc,
              vector::BitCastOp::create(b, loc, VectorType::get({1}, i32),
                                        pair),
              0);
        regs.push_back(pair);
      }
      return regs;
    };
    auto fragType = VectorType::get({4, 2}, element);
    SmallVector<SmallVector<Value>> aRegs, bRegs;
    for (int64_t mi = 0; mi < 2; ++mi)
      aRegs.push_back(registers(nvgpu::LdMatrixOp::create(
          b, loc, fragType, as,
          ValueRange{add(warpRow, add(cst(mi * 16), add(low8, matrixRow))),
                     add(kk, high8)},
          /*transpose=*/false, /*numTiles=*/4)));
    for (int64_t np = 0; np < p.tn / 4; ++np) {
      // b stored along the reduction has a rows x steps tile too: its
      // fragments are its rows' (ldmatrix without transposing), lanes 8q ..
      // 8q + 7 addressing columns 0-7 then 8-15 at steps 0-7 then 8-15.
      Value cols = add(warpCol, add(cst(np * 16), high8));
      SmallVector<Value> regs = registers(
          bRows ? nvgpu::LdMatrixOp::create(b, loc, fragType, bs,
                                            ValueRange{add(cols, matrixRow),
                                                       add(kk, low8)},
                                            /*transpose=*/false,
                                            /*numTiles=*/4)
                : nvgpu::LdMatrixOp::create(
                      b, loc, fragType, bs,
                      ValueRange{add(kk, add(low8, matrixRow)), cols},
                      /*transpose=*/true, /*numTiles=*/4));
      bRegs.push_back({regs[0], regs[1]});
      bRegs.push_back({regs[2], regs[3]});
    }
    // The mma is a call to a marker function until buffer deallocation has
    // run (materializeMma), as the barriers are.
    StringRef marker = element.isBF16() ? kMmaBf16Marker : kMmaF16Marker;
    SmallVector<Value> next(acc.begin(), acc.end());
    for (int64_t mi = 0; mi < 2; ++mi)
      for (int64_t ni = 0; ni < p.tn / 2; ++ni) {
        int64_t at[4] = {(2 * mi) * p.tn + 2 * ni, (2 * mi) * p.tn + 2 * ni + 1,
                         (2 * mi + 1) * p.tn + 2 * ni,
                         (2 * mi + 1) * p.tn + 2 * ni + 1};
        SmallVector<Value> operands(aRegs[mi]);
        llvm::append_range(operands, bRegs[ni]);
        for (int64_t e : at)
          operands.push_back(next[e]);
        Operation *d = tessera::site_loops::callMarker(
            b, loc, module, marker, TypeRange{f32, f32, f32, f32}, operands);
        for (int64_t e = 0; e < 4; ++e)
          next[at[e]] = d->getResult(e);
      }
    return next;
  };
  int64_t stepSize = stepsPerStep(p);
  auto anyStep = [&](OpBuilder &b, Location loc, Value kk, ValueRange acc) {
    return p.mma16 ? mma16Step(b, loc, kk, acc)
           : p.mma ? mmaStep(b, loc, kk, acc)
                   : step(b, loc, kk, acc);
  };

  int64_t outputs = p.tm * p.tn;
  // Warp groups after the first start from zero.
  Value firstGroup;
  if (p.groups > 1) {
    firstGroup = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                       warpGroup, cst(0));
    Value zero = arith::ConstantOp::create(
        b, loc, b.getZeroAttr(outArg.getType()));
    for (Value &v : initial)
      v = arith::SelectOp::create(b, loc, firstGroup, v, zero);
  }
  // The stage's arithmetic on the tiles `as` and `bs`: the group's share
  // of the steps, or all of them.
  auto compute = [&](Value k0, ValueRange acc) {
    SmallVector<Value> cur(acc.begin(), acc.end());
    if (p.groups > 1) {
      // The group's share of the stage's steps.
      int64_t share = p.bk / p.groups;
      Value first = arith::MulIOp::create(b, loc, warpGroup, cst(share));
      for (int64_t kk = 0; kk < share; kk += stepSize)
        cur = anyStep(b, loc, add(first, cst(kk)), cur);
    } else if (p.rSize % p.bk == 0) {
      // Whole stages, unrolled: shared-memory offsets are immediates.
      for (int64_t kk = 0; kk < p.bk; kk += stepSize)
        cur = anyStep(b, loc, cst(kk), cur);
    } else {
      Value left = arith::SubIOp::create(b, loc, cst(p.rSize), k0);
      Value count = arith::MinUIOp::create(b, loc, left, cst(p.bk));
      cur = scf::ForOp::create(
                b, loc, cst(0), count, cst(stepSize), cur,
                [&](OpBuilder &b, Location loc, Value kk, ValueRange acc) {
                  scf::YieldOp::create(b, loc, anyStep(b, loc, kk, acc));
                })
                .getResults();
    }
    return cur;
  };
  // In a ring, the stage \p distance after the one at k0, copied into its
  // slot by \p copyStage(k0, slot); past the last stage nothing is copied
  // (an empty commit group follows).
  auto copyAhead = [&](Value k0, int64_t distance,
                       function_ref<void(Value, Value)> copyStage) {
    Value ahead = add(k0, cst(distance * p.bk));
    auto more = scf::IfOp::create(
        b, loc,
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, ahead,
                              cst(p.rSize)),
        /*withElseRegion=*/false);
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(more.thenBlock());
    copyStage(ahead, rem(add(div(k0, p.bk), cst(distance)), p.ring));
  };
  auto marker = [&](StringRef name) {
    tessera::site_loops::callMarker(b, loc, module, name, TypeRange{});
  };
  scf::ForOp stages;
  if (p.wgmma) {
    // A stage's tiles as 16-byte vectors, consecutive threads taking
    // consecutive vectors of a line, each copied by cp.async to its
    // swizzled place: vector c of line l goes to 16-byte column c % 8 ^
    // l % 8 of block c / 8 (wgmma's 128-byte swizzle, which the
    // descriptors name). Lines are a's rows
    // (vectors along the steps), b's rows where b is stored along the
    // reduction, else b's steps (vectors along the columns). Rows past the
    // edges are clamped (their outputs are not stored); an N-major b's
    // columns are multiples of 8 (Plan::wgmma), so a clamped vector is
    // wholly past the edge.
    bool bAlongR = alongR(bIn);
    int64_t lanes = 8, perAtom = kWgmmaStage / lanes;
    auto copyStage = [&](Value k0, Value into) {
      auto copy = [&](OpOperand &in, Value ring, int64_t rows, bool isA) {
        // A K-major line (a row) has bk / 8 vectors, in bk / 64 blocks;
        // an N-major one (a step) bn / 8, in bn / 64 blocks.
        bool kMajor = isA || bAlongR;
        int64_t perLine = (kMajor ? p.bk : p.bn) / lanes;
        int64_t lines = kMajor ? rows : p.bk;
        for (int64_t e = 0; e < lines * perLine / p.threads(); ++e) {
          Value v = add(tid, cst(e * p.threads()));
          Value line = div(v, perLine), c = rem(v, perLine);
          Value block = div(c, perAtom);
          Value at = arith::MulIOp::create(
              b, loc,
              arith::XOrIOp::create(b, loc, rem(c, perAtom), rem(line, 8)),
              cst(lanes));
          Value along = arith::MulIOp::create(b, loc, c, cst(lanes));
          if (isA) {
            dims[p.r] = add(k0, along);
            delinearize(clamp(add(m0, line), p.m), p.mDims);
          } else if (bAlongR) {
            dims[p.r] = add(k0, along);
            dims[p.n] = clamp(add(n0, line), p.nSize);
          } else {
            dims[p.r] = add(k0, line);
            dims[p.n] = clamp(add(n0, along), p.nSize, lanes);
          }
          nvgpu::DeviceAsyncCopyOp::create(
              b, loc, ring, ValueRange{into, block, line, at}, in.get(),
              indices(in), b.getIndexAttr(lanes), /*srcElements=*/Value(),
              /*bypassL1=*/UnitAttr());
        }
      };
      copy(aIn, aRing, p.bm, /*isA=*/true);
      copy(bIn, bRing, p.bn, /*isA=*/false);
    };
    // Stage s goes to slot s % ring, ring - 1 stages ahead, one commit
    // group per stage (as Plan::ring's); a ring of every stage has them
    // all copied first.
    int64_t stageCount = p.rSize / p.bk;
    int64_t distance = p.ring == stageCount ? p.ring : p.ring - 1;
    for (int64_t s = 0; s < distance; ++s) {
      copyStage(cst(s * p.bk), cst(s));
      marker(kCommitMarker);
    }
    // Matrix descriptors (PTX ISA, "Matrix Descriptor Format"): the start
    // address, leading and stride byte offsets (>> 4) and the swizzle mode
    // (1: 128 bytes). The stride offset is an atom's 1024 bytes, from one
    // group of 8 lines to the next; the leading offset, which a K-major
    // tile ignores, is an N-major one's from one block of 64 columns to
    // the next.
    Type i64 = b.getI64Type();
    auto i64Const = [&](int64_t v) {
      return arith::ConstantIntOp::create(b, loc, i64, v).getResult();
    };
    auto fixedBits = [&](Value tiles) {
      int64_t leading =
          tiles == bRing && !bAlongR ? p.bk * kSwizzleRow : kSwizzleAtom;
      return (int64_t(1) << 62) | ((kSwizzleAtom >> 4) << 32) |
             ((leading >> 4) << 16);
    };
    // A warpgroup's a starts 64 rows into the tile per warpgroup before it.
    Value aStart = arith::IndexCastOp::create(
        b, loc, i64,
        arith::MulIOp::create(b, loc, div(tid, kWarpgroup),
                              cst(kWgmmaTile * kSwizzleRow)));
    // Step j of 16: 32 bytes into the lines of a K-major tile's block
    // j / 4 (the hardware swizzles the address it forms), 16 lines into
    // an N-major tile.
    auto stepOffset = [&](Value tiles, int64_t j) {
      auto type = cast<MemRefType>(tiles.getType());
      if (tiles == bRing && !bAlongR)
        return j * kMma16Steps * kSwizzleRow;
      int64_t steps = j * kMma16Steps;
      return steps / kWgmmaStage * type.getDimSize(2) * kSwizzleRow +
             steps % kWgmmaStage * type.getElementTypeBitWidth() / 8;
    };
    auto descriptor = [&](Value slot, Value tiles, int64_t j) {
      int64_t step = stepOffset(tiles, j);
      auto type = cast<MemRefType>(tiles.getType());
      Value offset = i64Const(tiles == aRing ? 0 : bytesOf(aRingType));
      if (tiles == aRing)
        offset = arith::AddIOp::create(b, loc, offset, aStart);
      Value address = arith::AddIOp::create(
          b, loc, ringAddress,
          arith::AddIOp::create(
              b, loc,
              arith::MulIOp::create(
                  b, loc, arith::IndexCastOp::create(b, loc, i64, slot),
                  i64Const(bytesOf(type) / p.ring)),
              arith::AddIOp::create(b, loc, offset, i64Const(step))));
      Value field = arith::AndIOp::create(
          b, loc, arith::ShRUIOp::create(b, loc, address, i64Const(4)),
          i64Const(0x3fff));
      return arith::OrIOp::create(b, loc, field, i64Const(fixedBits(tiles)))
          .getResult();
    };
    Type element = aRingType.getElementType();
    std::string name =
        (kWgmmaMarker + Twine(p.bn) + "k16_" +
         (element.isBF16() ? "bf16" : "f16") + (bAlongR ? "_bk" : "_bn"))
            .str();
    // Loaded initial values (a copy's source, the output's contents) are
    // added after the reduction: the first stage's wgmma would wait for
    // their loads (the B8 EBT head's y W_y starts from h W_h: 7% of its
    // samples at the first wgmma.fence).
    SmallVector<Value> start = initial;
    if (!fill)
      start.assign(
          initial.size(),
          arith::ConstantOp::create(b, loc, b.getZeroAttr(outArg.getType())));
    stages = scf::ForOp::create(
        b, loc, cst(0), cst(p.rSize), cst(p.bk), start,
        [&](OpBuilder &, Location, Value k0, ValueRange acc) {
          marker(waitMarker(distance - 1));
          marker(kProxyFenceMarker);
          tessera::site_loops::barrier(b, loc, module);
          Value stage = div(k0, p.bk);
          Value slot = rem(stage, p.ring);
          marker(kWgmmaFenceMarker);
          // The accumulators in wgmma's order: register 4q + 2i + e holds
          // row g + 8i, column 8q + 2t + e (Plan::wgmma), output
          // i * tn + 2q + e here.
          SmallVector<int64_t> order;
          for (int64_t q = 0; q < p.tn / 2; ++q)
            for (int64_t i = 0; i < 2; ++i)
              for (int64_t e = 0; e < 2; ++e)
                order.push_back(i * p.tn + 2 * q + e);
          SmallVector<Value> cur(acc.begin(), acc.end());
          SmallVector<Type> f32s(order.size(), b.getF32Type());
          for (int64_t j = 0; j < p.bk / kMma16Steps; ++j) {
            SmallVector<Value> operands = {descriptor(slot, aRing, j),
                                           descriptor(slot, bRing, j)};
            for (int64_t o : order)
              operands.push_back(cur[o]);
            Operation *d = tessera::site_loops::callMarker(b, loc, module, name,
                                                           f32s, operands);
            for (auto [r, o] : llvm::enumerate(order))
              cur[o] = d->getResult(r);
          }
          marker(kWgmmaCommitMarker);
          // The slot of the stage before, which every thread's wgmma has
          // finished reading (the barrier above), takes the stage ring - 1
          // ahead while this stage's wgmma run (a ring of every stage is
          // never refilled).
          if (distance < stageCount)
            copyAhead(k0, distance, copyStage);
          marker(kCommitMarker);
          // (Keeping a stage's wgmma in flight past the next stage's
          // barrier: B8 EBT G W^T 6.6 -> 6.5 us with a ring of 5 refilled a
          // stage later, no gain with 4; y W_y, whose ring holds every
          // stage, unchanged.)
          marker((kWgmmaWaitMarker + "0").str());
          scf::YieldOp::create(b, loc, cur);
        });
    marker(waitMarker(0));
  } else if (ring) {
    // Stage s goes to slot s % ring by cp.async, one commit group per
    // stage, ring - 1 stages ahead: at stage s a thread waits until its
    // copies of s have landed (ring - 2 younger groups may be pending),
    // the barrier makes everyone's visible and ends everyone's reads of
    // slot (s - 1) % ring, which then takes stage s + ring - 1.
    auto copyStage = [&](Value k0, Value into) {
      auto copy = [&](OpOperand &in, ArrayRef<Slot> slots, Value tiles,
                      bool isA) {
        for (Slot slot : slots) {
          dims[p.r] = clamp(add(k0, slot.kk), p.rSize, slot.lanes);
          if (isA)
            delinearize(clamp(add(m0, slot.cc), p.m), p.mDims);
          else
            dims[p.n] = clamp(add(n0, slot.cc), p.nSize);
          nvgpu::DeviceAsyncCopyOp::create(
              b, loc, tiles, ValueRange{into, slot.cc, slot.kk}, in.get(),
              indices(in), b.getIndexAttr(slot.lanes), /*srcElements=*/Value(),
              /*bypassL1=*/UnitAttr());
        }
      };
      copy(aIn, aSlots, aRing, /*isA=*/true);
      copy(bIn, bSlots, bRing, /*isA=*/false);
    };
    for (int64_t s = 0; s + 1 < p.ring; ++s) {
      copyStage(cst(s * p.bk), cst(s));
      marker(kCommitMarker);
    }
    stages = scf::ForOp::create(
        b, loc, cst(0), cst(p.rSize), cst(p.bk), initial,
        [&](OpBuilder &, Location, Value k0, ValueRange acc) {
          marker(waitMarker(p.ring - 2));
          tessera::site_loops::barrier(b, loc, module);
          Value stage = div(k0, p.bk);
          copyAhead(k0, p.ring - 1, copyStage);
          marker(kCommitMarker);
          Value slot = rem(stage, p.ring);
          auto slotOf = [&](Value tiles) {
            auto type = cast<MemRefType>(tiles.getType());
            SmallVector<OpFoldResult> offsets = {slot, b.getIndexAttr(0),
                                                 b.getIndexAttr(0)};
            SmallVector<OpFoldResult> sizes = {
                b.getIndexAttr(1), b.getIndexAttr(type.getDimSize(1)),
                b.getIndexAttr(type.getDimSize(2))};
            SmallVector<OpFoldResult> strides(3, b.getIndexAttr(1));
            auto tile = memref::SubViewOp::inferRankReducedResultType(
                {type.getDimSize(1), type.getDimSize(2)}, type, offsets, sizes,
                strides);
            return memref::SubViewOp::create(b, loc, cast<MemRefType>(tile),
                                             tiles, offsets, sizes, strides)
                .getResult();
          };
          as = slotOf(aRing);
          bs = slotOf(bRing);
          scf::YieldOp::create(b, loc, compute(k0, acc));
        });
    // No copy outlives the kernel.
    marker(waitMarker(0));
  } else {
    // Software-pipelined: each stage's global loads are issued before the
    // previous stage's arithmetic and carried in registers, so their
    // latency overlaps it.
    SmallVector<Value> carried = initial;
    llvm::append_range(carried, fetch(aIn, aSlots, cst(0), /*isA=*/true));
    llvm::append_range(carried, fetch(bIn, bSlots, cst(0), /*isA=*/false));
    stages = scf::ForOp::create(
        b, loc, cst(0), cst(p.rSize), cst(p.bk), carried,
        [&](OpBuilder &, Location, Value k0, ValueRange iter) {
          ValueRange acc = iter.take_front(outputs);
          stash(as, aSlots, iter.slice(outputs, aSlots.size()),
                /*stepsInner=*/p.mma16 || aRows);
          stash(bs, bSlots, iter.take_back(bSlots.size()),
                /*stepsInner=*/bRows);
          tessera::site_loops::barrier(b, loc, module);
          Value next = add(k0, cst(p.bk));
          SmallVector<Value> pending = fetch(aIn, aSlots, next, /*isA=*/true);
          llvm::append_range(pending, fetch(bIn, bSlots, next, /*isA=*/false));
          SmallVector<Value> cur = compute(k0, acc);
          // The next stage overwrites the tiles every thread reads here.
          tessera::site_loops::barrier(b, loc, module);
          llvm::append_range(cur, pending);
          scf::YieldOp::create(b, loc, cur);
        });
  }

  // The groups' sums, added in group order by the first group: group g
  // writes its outputs to shared memory (a word per thread and output,
  // consecutive threads in consecutive banks), the first adds them.
  SmallVector<Value> sums(stages.getResults().take_front(outputs));
  if (p.wgmma && !fill)
    for (auto [sum, init] : llvm::zip(sums, initial))
      sum = arith::AddFOp::create(b, loc, init, sum);
  scf::IfOp only;
  if (p.groups > 1) {
    memref::GlobalOp sumTile = tessera::site_loops::sharedTile(
        module, loc, {outputs, p.groupThreads()}, outArg.getType());
    Value buffer = memref::GetGlobalOp::create(b, loc, sumTile.getType(),
                                               sumTile.getSymName());
    for (int64_t g = 1; g < p.groups; ++g) {
      Value writer = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                           warpGroup, cst(g));
      auto write = scf::IfOp::create(b, loc, writer, /*withElseRegion=*/false);
      {
        OpBuilder::InsertionGuard g(b);
        b.setInsertionPointToStart(write.thenBlock());
        for (int64_t o = 0; o < outputs; ++o)
          memref::StoreOp::create(b, loc, sums[o], buffer,
                                  ValueRange{cst(o), inWarpGroup});
      }
      tessera::site_loops::barrier(b, loc, module);
      auto read = scf::IfOp::create(b, loc, TypeRange(ValueRange(sums)),
                                    firstGroup, /*withElseRegion=*/true);
      {
        OpBuilder::InsertionGuard g(b);
        b.setInsertionPointToStart(read.thenBlock());
        SmallVector<Value> added;
        for (int64_t o = 0; o < outputs; ++o)
          added.push_back(arith::AddFOp::create(
              b, loc, sums[o],
              memref::LoadOp::create(b, loc, buffer,
                                     ValueRange{cst(o), inWarpGroup})));
        scf::YieldOp::create(b, loc, added);
        b.setInsertionPointToStart(read.elseBlock());
        scf::YieldOp::create(b, loc, sums);
      }
      sums.assign(read.getResults().begin(), read.getResults().end());
      // The next group overwrites what the first group reads here.
      if (g + 1 < p.groups)
        tessera::site_loops::barrier(b, loc, module);
    }
    // Only the first group holds the outputs.
    only = scf::IfOp::create(b, loc, firstGroup, /*withElseRegion=*/false);
    b.setInsertionPointToStart(only.thenBlock());
  }

  OpOperand *consumerRead = nullptr;
  if (consumer)
    for (OpOperand *in : consumer.getDpsInputOperands())
      if (in->get() == out.get())
        consumerRead = in;
  bool rowEdge = p.m % p.bm != 0, colEdge = p.nSize % p.bn != 0;
  // Every run's consumer inputs are loaded before the first store: the
  // stores may alias the inputs as far as the backend knows, so a load
  // after a store waits for nothing but is kept behind it, and each run
  // would wait out a global load's latency in turn (the B8 EBT head's
  // G W^T, whose update reads y: four such waits, a tenth of its stalls).
  // The indices are clamped (atOutput), so the loads of runs past the
  // edges read in-range elements nobody uses; only the stores are guarded.
  struct Run {
    int64_t i, j;
    ValueRange results;
    SmallVector<Value> at, cdims;
    unsigned cn = 0;
    SmallVector<IRMapping> maps;
  };
  SmallVector<Run> runs;
  AffineMap readMap;
  if (consumer)
    readMap = consumer.getMatchingIndexingMap(consumerRead);
  for (int64_t i = 0; i < p.tm; ++i)
    for (int64_t j = 0; j < p.tn; j += run) {
      Run &r = runs.emplace_back();
      r.i = i;
      r.j = j;
      r.results = ValueRange(sums).slice(i * p.tn + j, run);
      atOutput(i, j);
      r.at = indices(out);
      if (!consumer)
        continue;
      // The consumer at these elements: its loop indices from the
      // output's (a permutation), the results from registers.
      r.cdims.resize(consumer.getNumLoops());
      for (auto [pos, e] : llvm::enumerate(readMap.getResults()))
        r.cdims[dimOf(e)] = r.at[pos];
      r.cn = dimOf(readMap.getResult(bufferN));
      r.maps.resize(run);
      for (OpOperand &operand : consumer->getOpOperands()) {
        BlockArgument arg = consumer.getMatchingBlockArgument(&operand);
        if (&operand == consumerRead) {
          for (int64_t e = 0; e < run; ++e)
            r.maps[e].map(arg, r.results[e]);
          continue;
        }
        if (arg.use_empty())
          continue;
        if (!isa<MemRefType>(operand.get().getType())) {
          for (IRMapping &map : r.maps)
            map.map(arg, operand.get());
          continue;
        }
        SmallVector<Value> values =
            loadRun(operand.get(), consumer.getMatchingIndexingMap(&operand),
                    r.cdims, r.cn);
        for (int64_t e = 0; e < run; ++e)
          r.maps[e].map(arg, values[e]);
      }
    }
  for (Run &r : runs) {
    // What the op (or its consumer, each of its results) stores here: the
    // values, where, and the map from the loop indices at hand to there.
    struct Store {
      SmallVector<Value> values;
      Value memref;
      AffineMap map;
    };
    SmallVector<Store> stores;
    if (!consumer) {
      stores.push_back({SmallVector<Value>(r.results), out.get(), bufferMap});
    } else {
      for (IRMapping &map : r.maps)
        for (Operation &o : consumer.getBody()->without_terminator())
          b.clone(o, map);
      for (auto [init, v] :
           llvm::zip(consumer.getDpsInitsMutable(),
                     consumer.getBody()->getTerminator()->getOperands())) {
        SmallVector<Value> values;
        for (IRMapping &map : r.maps)
          values.push_back(map.lookupOrDefault(v));
        stores.push_back(
            {values, init.get(), consumer.getMatchingIndexingMap(&init)});
      }
    }
    auto store = [&] {
      for (Store &s : stores)
        storeRun(s.values, s.memref, s.map, consumer ? r.cdims : r.at,
                 consumer ? r.cn : bufferN);
    };
    // A run's columns are all in range or none (even columns, an even
    // extent).
    Value live;
    auto both = [&](Value c) {
      live = live ? Value(arith::AndIOp::create(b, loc, live, c)) : c;
    };
    if (rowEdge)
      both(arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                 rows[r.i], cst(p.m)));
    if (colEdge)
      both(arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                 cols[r.j], cst(p.nSize)));
    if (!live) {
      store();
      continue;
    }
    auto ifOp = scf::IfOp::create(b, loc, live, /*withElseRegion=*/false);
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(ifOp.thenBlock());
    store();
  }
  if (only)
    b.setInsertionPointAfter(only);
  gpu::TerminatorOp::create(b, loc);

  if (fill)
    rewriter.eraseOp(fill);
  if (copy)
    rewriter.eraseOp(copy);
  Operation *result = out.get().getDefiningOp();
  if (consumer)
    rewriter.eraseOp(consumer);
  rewriter.eraseOp(op);
  // The output's allocation, when nothing else writes it (an initial
  // fill, a copy the op did not take) before.
  if (consumer && result->use_empty())
    rewriter.eraseOp(result);
}

/// The ops the call to marker \p name stands for, built before \p call,
/// with the values that replace its results; false if \p name is not one
/// of this file's markers.
static bool materialize(func::CallOp call, StringRef name) {
  OpBuilder b(call);
  Location loc = call.getLoc();
  MLIRContext *ctx = b.getContext();
  Type f32 = b.getF32Type();
  ValueRange ops = call.getOperands();
  SmallVector<Value> results;
  // The struct an NVVM mma returns, as its f32 parts.
  auto parts = [&](Value d, int64_t count) {
    for (int64_t e = 0; e < count; ++e)
      results.push_back(LLVM::ExtractValueOp::create(b, loc, d, e));
  };
  int64_t pending = 0;
  if (name == kMmaBf16Marker || name == kMmaF16Marker) {
    auto type =
        name == kMmaBf16Marker ? NVVM::MMATypes::bf16 : NVVM::MMATypes::f16;
    auto result = LLVM::LLVMStructType::getLiteral(ctx, {f32, f32, f32, f32});
    parts(NVVM::MmaOp::create(
              b, loc, result, ops.take_front(4), ops.slice(4, 2),
              ops.take_back(4), ArrayRef<int64_t>{16, 8, 16}, std::nullopt,
              std::nullopt, std::array<NVVM::MMATypes, 2>{type, type},
              std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row,
                                             NVVM::MMALayout::col}),
          4);
  } else if (name.starts_with(kWgmmaMarker)) {
    // m64nNk16 on two descriptors, the accumulators an LLVM struct; b
    // K-major (`_bk`: wgmma's "col") or N-major (`_bn`: transposed).
    auto type = NVVM::WGMMATypesAttr::get(ctx, name.contains("_bf16_")
                                                   ? NVVM::WGMMATypes::bf16
                                                   : NVVM::WGMMATypes::f16);
    auto bLayout =
        name.ends_with("_bk") ? NVVM::MMALayout::col : NVVM::MMALayout::row;
    int64_t n = 0;
    (void)name.drop_front(kWgmmaMarker.size()).consumeInteger(10, n);
    ValueRange acc = ops.drop_front(2);
    auto structType = LLVM::LLVMStructType::getLiteral(
        ctx, SmallVector<Type>(acc.size(), f32));
    Value in = LLVM::UndefOp::create(b, loc, structType);
    for (auto [i, v] : llvm::enumerate(acc))
      in = LLVM::InsertValueOp::create(b, loc, in, v, i);
    auto one = NVVM::WGMMAScaleInAttr::get(ctx, NVVM::WGMMAScaleIn::one);
    parts(NVVM::WgmmaMmaAsyncOp::create(
              b, loc, structType, in, ops[0], ops[1],
              NVVM::MMAShapeAttr::get(ctx, 64, n, 16), type, type,
              NVVM::WGMMATypesAttr::get(ctx, NVVM::WGMMATypes::f32),
              NVVM::WGMMAScaleOutAttr::get(ctx, NVVM::WGMMAScaleOut::one), one,
              one, NVVM::MMALayoutAttr::get(ctx, NVVM::MMALayout::row),
              NVVM::MMALayoutAttr::get(ctx, bLayout),
              /*satfinite=*/NVVM::MMAIntOverflowAttr()),
          acc.size());
  } else if (name == kWgmmaFenceMarker) {
    NVVM::WgmmaFenceAlignedOp::create(b, loc);
  } else if (name == kWgmmaCommitMarker) {
    NVVM::WgmmaGroupSyncAlignedOp::create(b, loc);
  } else if (name.starts_with(kWgmmaWaitMarker)) {
    name.drop_front(kWgmmaWaitMarker.size()).getAsInteger(10, pending);
    NVVM::WgmmaWaitGroupSyncOp::create(b, loc, uint64_t(pending));
  } else if (name == kProxyFenceMarker) {
    // What cp.async wrote, visible to wgmma's reads.
    NVVM::FenceProxyOp::create(
        b, loc, NVVM::ProxyKindAttr::get(ctx, NVVM::ProxyKind::async_shared),
        NVVM::SharedSpaceAttr::get(ctx, NVVM::SharedSpace::shared_cta));
  } else if (name == kCommitMarker) {
    NVVM::CpAsyncCommitGroupOp::create(b, loc);
  } else if (name.starts_with(kWaitMarker)) {
    name.drop_front(kWaitMarker.size()).getAsInteger(10, pending);
    NVVM::CpAsyncWaitGroupOp::create(b, loc, pending);
  } else {
    return false;
  }
  call.replaceAllUsesWith(results);
  return true;
}

void tc::materializeMarkers(ModuleOp module) {
  SmallVector<func::CallOp> calls;
  module.walk([&](func::CallOp call) { calls.push_back(call); });
  llvm::StringSet<> markers;
  for (func::CallOp call : calls)
    if (materialize(call, call.getCallee())) {
      markers.insert(call.getCallee());
      call.erase();
    }
  for (const auto &name : markers.keys())
    if (auto fn = module.lookupSymbol<func::FuncOp>(name))
      fn.erase();
}
