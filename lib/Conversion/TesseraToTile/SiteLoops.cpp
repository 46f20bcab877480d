//===- SiteLoops.cpp - Linalg ops to loops over sites --------------------===//
//
// Upstream's linalg vectorizer maps the whole iteration space of an op to
// one n-D vector and needs a known combiner (add, max, ...) for every
// reduction. The fused receiver+KL and the categorical update reduce the
// alphabet with a running (max, rescaled sum) pair, which has none. Here
// lanes hold sites instead: the reduction dimensions stay loops whose body
// is the op's scalar body applied to whole vectors (CPU) or to one site
// per thread (GPU), so any reduction vectorises across sites, whatever it
// carries, and its state lives in registers. On the GPU an alphabet too
// long for one thread per site is split across a warp instead, where every
// carried value has a merge: a sum, max or min, the online log-sum-exp of
// the BFN lowering, or a pick of the class at a given index.
//
//===----------------------------------------------------------------------===//

#include "SiteLoops.h"
#include "TiledContraction.h"

#include "tessera/Conversion/LinalgBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include <limits>
#include <numeric>

using namespace mlir;
using tessera::site_loops::barrier;
using tessera::site_loops::initialFill;

constexpr llvm::StringLiteral kBarrierMarker = "__tessera_tile_barrier";

/// Lanes of a warp split (the NVIDIA warp; AMD wavefronts of 64 run it as
/// two halves, shuffles staying within 32 lanes).
constexpr int64_t kWarp = 32;
/// Reductions longer than this are split across lanes (when their state
/// merges); shorter ones stay a thread per site, staged where they can be.
/// Measured on the H100 (fused KL at 2^24 elements, split vs staged): K =
/// 27 0.29 vs 0.13 ms, K = 32 0.15 vs 0.09, K = 128 0.086 vs 0.105, K =
/// 256 0.24 vs 0.25.
constexpr int64_t kMinSplitClasses = 64;

/// When fusing the consumer pays (the categorical update on the H100, fused
/// vs two kernels): across a warp split when there are enough sites to fill
/// the GPU (K = 256, 262144 sites: 0.32 vs 0.53 ms; K = 8192, 2048 sites:
/// 0.24 vs 0.17), in a thread per site when a site's classes are a few
/// adjacent words (K = 2: 0.059 vs 0.128 ms; K = 8: 0.21 vs 0.17).
constexpr int64_t kMinFusedSplitSites = 8192;
/// A site split across the warps of a block, merged through shared memory:
/// for alphabets this long over at most this many sites, where a warp per
/// site leaves the GPU idle. Measured on the H100, warp vs block per site:
/// fused KL at 256 x 65536 0.324 vs 0.082 ms, the update's reduction 0.159
/// ms after; at 2048 x 8192, 0.075 vs 0.068 ms and the update 0.184 vs
/// 0.152.
constexpr int64_t kMinBlockSplitClasses = 8192;
constexpr int64_t kMaxBlockSplitSites = 2048;
constexpr int64_t kBlockSplitWarps = 8;
/// Classes a lane of a warp split loads at once: 16 bytes of f32.
constexpr int64_t kVectorClasses = 4;
constexpr int64_t kMaxFusedThreadClasses = 4;
/// How far ahead the CPU's blocked site loops prefetch their rows.
/// Measured for the fused KL at 1M x 27 (1 thread): 1, 2, 4 and 8 tiles
/// ahead (1.7, 3.5, 6.9 and 14 KB) 25.7, 24.9, 20.1 and 21.6 ms, 30 without.
constexpr int64_t kPrefetchBytes = 6 * 1024;

Operation *tessera::site_loops::callMarker(OpBuilder &b, Location loc,
                                           ModuleOp module, StringRef name,
                                           TypeRange results,
                                           ValueRange operands) {
  if (!module.lookupSymbol(name)) {
    OpBuilder top = OpBuilder::atBlockBegin(module.getBody());
    func::FuncOp::create(
        top, loc, name,
        top.getFunctionType(TypeRange(operands), results))
        .setPrivate();
  }
  return func::CallOp::create(b, loc, name, results, operands);
}

void tessera::site_loops::barrier(OpBuilder &b, Location loc, ModuleOp module) {
  callMarker(b, loc, module, kBarrierMarker, TypeRange{});
}

linalg::FillOp tessera::site_loops::initialFill(linalg::GenericOp op, Value init) {
  auto arg = dyn_cast<BlockArgument>(init);
  if (!init.getDefiningOp<memref::AllocOp>() &&
      !(arg && isa<FunctionOpInterface>(arg.getOwner()->getParentOp())))
    return {};
  linalg::FillOp fill;
  for (Operation *user : init.getUsers()) {
    if (user == op)
      continue;
    auto f = dyn_cast<linalg::FillOp>(user);
    if (f && f->getBlock() == op->getBlock() && f->isBeforeInBlock(op)) {
      if (fill)
        return {};
      fill = f;
      continue;
    }
    if (user->getBlock() != op->getBlock() || !op->isBeforeInBlock(user))
      return {};
  }
  if (fill && fill.getOutputs()[0] != init)
    return {};
  return fill;
}

namespace {

/// Element types a vector lane can hold and LLVM can gather.
bool isLaneType(Type t) {
  if (isa<IndexType>(t))
    return true;
  if (auto i = dyn_cast<IntegerType>(t))
    return i.getWidth() >= 8;
  return isa<FloatType>(t);
}

/// Integer division traps on x86 for a zero divisor, and a masked-off lane
/// holds a zero: such bodies keep their scalar loops.
bool mayTrapInDeadLane(Operation *op) {
  return isa<arith::DivSIOp, arith::DivUIOp, arith::RemSIOp, arith::RemUIOp,
             arith::CeilDivSIOp, arith::CeilDivUIOp, arith::FloorDivSIOp>(op);
}

/// Classes per stage of a staged GPU launch: one 128-byte row segment per
/// warp load.
constexpr int64_t kStageClasses = 32;
/// A staged launch loads its tiles in groups of this many elements per
/// input, all of a group's loads issued before its stores: LLVM leaves a
/// loop of 27 steps (K = 27) unrolled by nothing, one load in flight per
/// input. 1M x 27 f32 on the H100: the fused KL 0.095 -> 0.083 ms, the
/// update 0.134 -> 0.122 (groups of 4: 0.083 / 0.131; of 32: 0.084 /
/// 0.145).
constexpr int64_t kStageLoadsInFlight = 8;
/// Bytes per load of a staged launch's tiles that hold whole rows, and per
/// store of its fused consumer's results: 1M x 27 on the H100, bf16 (f16)
/// update 0.113 ms with an element per load and store -> 0.097 (0.096)
/// with 8 bytes -> 0.090 (0.089) with 16, the bf16 fused KL 0.072 ->
/// 0.066; f32 unchanged (0.083 / 0.120-0.122).
constexpr int64_t kStageVectorBytes = 16;

/// Elements of \p type per kStageVectorBytes access where such accesses
/// split both its elements and a block's \p blockElements whole (a static
/// identity layout: a block's elements are one run of memory); else 1.
int64_t stageLanes(MemRefType type, int64_t blockElements) {
  if (!type.hasStaticShape() || !type.getLayout().isIdentity() ||
      type.getElementTypeBitWidth() % 8 != 0)
    return 1;
  int64_t v = kStageVectorBytes / (type.getElementTypeBitWidth() / 8);
  if (v < 2 || type.getNumElements() % v || blockElements % v)
    return 1;
  return v;
}
/// Beyond this many classes a staged launch has too few sites to fill the
/// GPU and its barriers cost more than the coalescing saves (measured on
/// the H100: K = 512 0.58 ms staged, 0.17 ms not).
constexpr int64_t kMaxStagedClasses = 256;

class SiteLoopBuilder {
public:
  SiteLoopBuilder(linalg::GenericOp op, int64_t width, int64_t gpuBlock)
      : op(op), width(width), gpuBlock(gpuBlock) {}

  /// Whether the op qualifies; picks the lane dimension.
  bool analyse();
  /// The op fused into this one's site loop (erased by rewrite), if any.
  linalg::GenericOp fusedConsumer() const { return consumer; }
  void rewrite(RewriterBase &rewriter);

private:
  bool usesLaneDim(AffineMap map) const {
    return map.isFunctionOfDim(laneDim);
  }
  bool usesReductionDim(AffineMap map) const {
    return llvm::any_of(reductionDims,
                        [&](unsigned d) { return map.isFunctionOfDim(d); });
  }
  bool findSinkable(unsigned out);

  SmallVector<Value> indicesFor(OpBuilder &b, Location loc, AffineMap map);
  Value read(OpBuilder &b, Location loc, OpOperand &operand);
  /// The inputs whose rows along the (single) reduction are contiguous and
  /// aligned for loads of \p classesPerLoad classes (identity layout, rows
  /// a multiple of the width), when the reduction splits evenly into chunks
  /// of them for \p lanes lanes; empty otherwise.
  SmallVector<OpOperand *> vectorInputs(int64_t classesPerLoad, int64_t lanes);
  /// `count` classes of `operand` from the current dims on, in one load
  /// aligned to its size (vectorInputs guarantees it).
  Value loadClasses(OpBuilder &b, Location loc, OpOperand &operand,
                    int64_t count) {
    auto type = cast<MemRefType>(operand.get().getType());
    // Aligned to the load's size up to 16 bytes (what a wider load of
    // these rows can count on).
    unsigned bytes = type.getElementTypeBitWidth() / 8;
    return vector::LoadOp::create(
        b, loc, VectorType::get({count}, type.getElementType()), operand.get(),
        indicesFor(b, loc, op.getMatchingIndexingMap(&operand)),
        /*nontemporal=*/false,
        llvm::MaybeAlign(std::min<int64_t>(count * bytes, 16)));
  }
  /// On the GPU, a thread per site over 2 or 4 classes: the inputs whose
  /// whole row one load reads (vectorInputs); empty otherwise.
  SmallVector<OpOperand *> rowInputs() {
    if (gpuBlock <= 0 || width != 1 || warpSplit || reductionDims.size() != 1)
      return {};
    int64_t classes = op.getStaticLoopRanges()[reductionDims.front()];
    if (classes != 2 && classes != kVectorClasses)
      return {};
    return vectorInputs(classes, 1);
  }
  void write(OpBuilder &b, Location loc, OpOperand &operand, Value value);
  std::pair<SmallVector<Value>, Value>
  laneAddresses(OpBuilder &b, Location loc, Value memref,
                ArrayRef<Value> indices, unsigned pos);
  Value toVector(OpBuilder &b, Location loc, Value v);
  Value laneNumbers(OpBuilder &b, Location loc);
  /// An output in a fresh buffer whose only other user is its initial
  /// fill: its stores are dead.
  bool deadScratch(unsigned i) {
    Value init = op.getDpsInits()[i];
    return scratch.contains(i) && init.getDefiningOp<memref::AllocOp>() &&
           init.hasNUses(2);
  }
  void cloneBodyOp(OpBuilder &b, Operation &bodyOp, IRMapping &map);
  SmallVector<Value> loadRows(OpBuilder &b, Location loc, OpOperand &operand,
                              Value start, int64_t count);
  SmallVector<Value> transposeRows(OpBuilder &b, Location loc,
                                   SmallVector<Value> rows, int64_t count);
  SmallVector<Value> loadChunks(OpBuilder &b, Location loc, OpOperand &operand,
                                int64_t count);
  SmallVector<Value> deinterleave(OpBuilder &b, Location loc,
                                  ArrayRef<Value> chunks, int64_t count);
  /// Columns of the staged tiles. Rows are padded by one element so that a
  /// thread's row and a warp's column fall in 32 different banks; where a
  /// stage holds whole rows of an odd number of classes, an unpadded row
  /// does that already (t K + c differ mod 32 for 32 threads t), and the
  /// tile is then the block's rows as one run (flatStage): 16-byte loads
  /// go in whole, the fused consumer reads its runs whole (1M x 27 on the
  /// H100: bf16 update 0.090 -> 0.081 ms, 89% -> 98% of copy; f32 0.121 ->
  /// 0.118; the KL unchanged).
  int64_t stageColumns() {
    return flatStage() ? blockedExtent : kStageClasses + 1;
  }
  bool flatStage() {
    return blockedExtent <= kStageClasses && blockedExtent % 2 == 1;
  }
  /// A site-major buffer of rows (an input, an output, a flatStage tile)
  /// as one dimension.
  Value flatten(OpBuilder &b, Location loc, Value rows) {
    return memref::CollapseShapeOp::create(
        b, loc, rows, ArrayRef<ReassociationIndices>{{0, 1}});
  }
  /// Elements per load of \p in into a stage of \p count classes: more
  /// than one where the stage holds whole rows (count is the reduction's
  /// extent) of a site-major input with a static identity layout whose
  /// elements split into whole kStageVectorBytes loads, per block too.
  int64_t stageVector(OpOperand *in, int64_t count) {
    auto type = dyn_cast<MemRefType>(in->get().getType());
    if (count != blockedExtent || !type ||
        op.getMatchingIndexingMap(in) != rowsMap())
      return 1;
    return stageLanes(type, stageBlock * count);
  }
  scf::ValueVector stagedBlock(
      OpBuilder &b, Location loc, Value start, int64_t count, ValueRange state,
      function_ref<scf::ValueVector(OpBuilder &, Location, ValueRange,
                                    IRMapping)>
          step,
      const IRMapping &invariant);

  /// The indexing of an input stored as rows of the (single) reduction:
  /// (lane dim, reduction dim).
  AffineMap rowsMap() {
    MLIRContext *ctx = op.getContext();
    return AffineMap::get(op.getNumLoops(), 0,
                          {getAffineDimExpr(laneDim, ctx),
                           getAffineDimExpr(reductionDims.front(), ctx)},
                          ctx);
  }
  /// A vector of `width` zeros of \p element (masked loads' pass-through).
  Value zeroLanes(OpBuilder &b, Location loc, Type element) {
    return arith::ConstantOp::create(
        b, loc,
        cast<TypedAttr>(b.getZeroAttr(VectorType::get({width}, element))));
  }
  /// How many tiles ahead the blocked rows are prefetched: kPrefetchBytes
  /// of \p operand's tiles (width rows of blockedExtent elements).
  int64_t prefetchTiles(OpOperand &operand) {
    int64_t tileBytes = width * blockedExtent *
                        cast<MemRefType>(operand.get().getType())
                            .getElementTypeBitWidth() /
                        8;
    return std::max<int64_t>(1, kPrefetchBytes / std::max<int64_t>(1, tileBytes));
  }
  /// The outputs the reduction loop carries (all but the sunk ones).
  SmallVector<unsigned> carriedOutputs() {
    SmallVector<unsigned> carried;
    for (unsigned i = 0; i < op.getNumDpsInits(); ++i)
      if (!sunkOutputs.contains(i))
        carried.push_back(i);
    return carried;
  }
  bool findMerges();
  void findBlockLse();
  void findGatherPicks();
  void findRowOps();
  void findConsumer();
  /// For a contraction split over warps: the elementwise op right after it
  /// over the same outputs (the EBT step's update after G W^T), run by the
  /// lane that writes each output, from its value in registers.
  void findEpilogue();
  /// The consumer's element at its loop indices \p at, reading this op's
  /// outputs from \p results (registers).
  void emitConsumerAt(OpBuilder &b, Location loc, ArrayRef<Value> results,
                      ArrayRef<Value> at);
  /// Output i is only read back by the fused consumer (or not at all):
  /// its stores are dead.
  bool onlyForConsumer(unsigned i);
  void emitConsumer(OpBuilder &b, Location loc, ArrayRef<Value> results,
                    Value live);
  void emitStagedConsumer(OpBuilder &b, Location loc, ArrayRef<Value> results);
  void emitVectorConsumer(OpBuilder &b, Location loc, ArrayRef<Value> results);
  /// A staged launch (a thread per site, blocked inputs through shared
  /// memory), as rewrite builds it.
  bool staged() const {
    return gpuBlock > 0 && width == 1 && !warpSplit && !blocked.empty() &&
           !reductionDims.empty();
  }
  /// Whether \p hit holds for \p v or anything it is computed from in the
  /// body.
  bool sliceReaches(Value v, function_ref<bool(Value)> hit);
  bool readsState(Value v);
  scf::ValueVector mergeLanes(OpBuilder &b, Location loc, ValueRange state,
                              ValueRange other);

  linalg::GenericOp op;
  int64_t width;
  /// Threads per block on the GPU (0 on the CPU): with blocked inputs the op
  /// becomes a gpu.launch that stages them through shared memory.
  int64_t gpuBlock;
  // The staged launch: its block size, the site of the block's first
  // thread, the thread, the number of sites, and a shared tile per blocked
  // input.
  int64_t stageBlock = 0;
  Value blockBase, thread, siteCount;
  SmallVector<Value> stages;
  unsigned laneDim = 0;
  SmallVector<unsigned> parallelDims, reductionDims;
  /// Outputs computed after the reduction loop from the final carried
  /// values, and the body ops that compute them.
  llvm::DenseSet<unsigned> sunkOutputs;
  llvm::SetVector<Operation *> sunkOps;
  /// Inputs strided along the lanes and contiguous along the (single)
  /// reduction dimension, of static extent >= width: read as width x width
  /// blocks of rows, transposed in registers (loadRows, transposeRows), not
  /// gathered.
  SmallVector<OpOperand *> blocked;
  int64_t blockedExtent = 0;
  /// On the CPU with fewer classes than lanes: the tile's rows are
  /// contiguous, read as `classes` whole vectors (loadChunks) and split
  /// into columns by shuffles (deinterleave), where each class took a
  /// gather of 16 lanes.
  bool flatRows = false;
  /// The warp split (GPU, one long reduction): a warp per site, lane l
  /// reducing classes l, l + 32, ...; the lanes' states merged by xor
  /// shuffles. How each carried output merges (carried order), and for a
  /// pick the body's condition, whose hits are carried as an i1 flag.
  enum class MergeKind { combine, fmaSum, lseSum, pick };
  struct Merge {
    MergeKind kind;
    Operation *combiner = nullptr; // combine: the body's add/max/min
    unsigned partner = 0;          // lseSum: carried index of its max
    Value condition;               // pick
  };
  /// The elementwise op right after this one that reads its per-site
  /// results (the normalisation after a log-sum-exp), fused into the same
  /// site loop on the GPU: its per-site inputs come from registers and the
  /// intermediate buffers are never written.
  linalg::GenericOp consumer;
  /// For an epilogue (findEpilogue; empty otherwise): this op's loop that
  /// each of the consumer's loops is.
  SmallVector<int64_t> epilogueDims;
  /// Allocations and constants between the op and its consumer: they move
  /// above the fused loop.
  SmallVector<Operation *> between;
  /// A consumer fused into a staged launch: its body ops computed once per
  /// site (from this op's results and other per-site inputs), the values of
  /// those the per-element ops read, and a shared tile for each (one word
  /// per thread) through which the block's threads share them.
  llvm::SetVector<Operation *> perSiteOps;
  SmallVector<Value> perSiteValues;
  SmallVector<memref::GlobalOp> perSiteTiles;
  SmallVector<Value> perSiteStages;
  bool warpSplit = false;
  /// Lanes per site of the split: a power of two up to a warp, so that a
  /// warp holds 32 / lanes sites and xor shuffles below it stay in a site.
  int64_t lanesPerSite = kWarp;
  /// Warps per site: above 1, a site's classes are split across the warps
  /// of a block (one site per block), whose states merge through shared
  /// memory after the warps' shuffles.
  int64_t siteWarps = 1;
  SmallVector<Merge> merges;
  /// On the CPU, a carried online log-sum-exp (the positions of its max and
  /// sum among the carried outputs, and the term it adds per class) that
  /// the other carried outputs never read: a block of classes in registers
  /// then reduces it in two passes (the block's max, then the sum of its
  /// exps, merged into the state once), where the online step chains an
  /// exp through every class. The step's body ops are not cloned per class.
  struct BlockLse {
    unsigned max, sum;
    Value term;
  };
  std::optional<BlockLse> blockLse;
  llvm::DenseSet<Operation *> lseStepOps;
  /// On the CPU, a carried pick of a blocked input at a class given per site
  /// (select(k == x, y, acc): the KL's y_x) read by one gather after the
  /// reduction, not selected per class: its position among the carried
  /// outputs, the input and the class.
  struct GatherPick {
    unsigned pos;
    OpOperand *input;
    Value cls;
  };
  SmallVector<GatherPick> gatherPicks;
  /// On the CPU, the body ops computed on a block's rows before the
  /// transpose (elementwise ops of blocked inputs and constants: the
  /// update's ln theta + y), and the values the rest of the body reads of
  /// the rows (blocked inputs' elements or those ops' results), each
  /// transposed once per block: the one term of the KL and the update where
  /// both inputs were.
  llvm::SetVector<Operation *> rowOps;
  SmallVector<Value> rowValues;
  /// Body ops not cloned per class (the CPU's blocked forms above and the
  /// ops that only feed them).
  llvm::DenseSet<Operation *> skipPerClass;
  /// Whether the carried output at \p pos keeps its state through the class
  /// steps (computed once per block or after the loop instead).
  bool frozen(unsigned pos) const {
    return (blockLse && (pos == blockLse->max || pos == blockLse->sum)) ||
           llvm::any_of(gatherPicks,
                        [&](const GatherPick &p) { return p.pos == pos; });
  }
  /// The thread's lane in its warp, its warp in the block (siteWarps > 1),
  /// and its lane among all of its site's (warp * 32 + lane).
  Value lane, warpId, siteLane;
  memref::GlobalOp mergeTile;
  /// Outputs last written by a fill (initialFill).
  llvm::DenseMap<unsigned, linalg::FillOp> scratch;
  // Per emitted tile.
  SmallVector<Value> dims;
  Value laneBase, mask, remaining;
};

} // namespace

bool SiteLoopBuilder::analyse() {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInits() == 0)
    return false;
  for (auto [d, it] : llvm::enumerate(op.getIteratorTypesArray()))
    (it == utils::IteratorType::parallel ? parallelDims : reductionDims)
        .push_back(d);
  if (parallelDims.empty())
    return false;
  for (OpOperand &operand : op->getOpOperands()) {
    Type type = operand.get().getType();
    // Scalar inputs (a fill's value) are the same in every lane.
    if (!op.isDpsInit(&operand) && isLaneType(type))
      continue;
    auto memref = dyn_cast<MemRefType>(type);
    if (!memref || !isLaneType(memref.getElementType()))
      return false;
    for (AffineExpr e : op.getMatchingIndexingMap(&operand).getResults())
      if (!isa<AffineDimExpr, AffineConstantExpr>(e))
        return false;
  }
  for (Operation &bodyOp : op.getBody()->without_terminator()) {
    if (isa<linalg::IndexOp, arith::ConstantOp>(bodyOp))
      continue;
    Dialect *dialect = bodyOp.getDialect();
    if (!dialect || !isa<arith::ArithDialect, math::MathDialect>(dialect) ||
        !bodyOp.hasTrait<OpTrait::Elementwise>() ||
        bodyOp.getNumRegions() != 0 ||
        (width > 1 && mayTrapInDeadLane(&bodyOp)))
      return false;
    auto scalar = [](Type t) { return isLaneType(t) || t.isInteger(1); };
    if (!llvm::all_of(bodyOp.getOperandTypes(), scalar) ||
        !llvm::all_of(bodyOp.getResultTypes(), scalar))
      return false;
  }

  // Every output must hold one element per lane; among the dimensions that
  // allow it, the one most operands keep contiguous (innermost on ties).
  int bestScore = -1;
  for (unsigned d : parallelDims) {
    int score = 0;
    bool everyOutput = true;
    for (OpOperand &operand : op->getOpOperands()) {
      AffineMap map = op.getMatchingIndexingMap(&operand);
      bool isInit = op.isDpsInit(&operand);
      if (isInit && !map.isFunctionOfDim(d))
        everyOutput = false;
      if (map.getNumResults() &&
          map.getResults().back() == getAffineDimExpr(d, op.getContext()))
        ++score;
    }
    if (everyOutput && score >= bestScore) {
      bestScore = score;
      laneDim = d;
    }
  }
  if (bestScore < 0)
    return false;
  // Lane accesses go through masked loads, gathers and scatters, which
  // address from a unit-stride innermost dimension.
  for (OpOperand &operand : op->getOpOperands())
    if (width > 1 && usesLaneDim(op.getMatchingIndexingMap(&operand)) &&
        !cast<MemRefType>(operand.get().getType()).isLastDimUnitStride())
      return false;
  if (reductionDims.size() == 1 &&
      (width == 16 || (width == 1 && gpuBlock > 0 &&
                       parallelDims.size() == 1))) {
    unsigned r = reductionDims.front();
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    for (OpOperand *in : op.getDpsInputOperands()) {
      AffineMap map = op.getMatchingIndexingMap(in);
      auto type = dyn_cast<MemRefType>(in->get().getType());
      // On the GPU 16-bit rows are staged too: read by a thread per site
      // they were the one uncoalesced input (bf16 KL at 1M x 27 on the
      // H100: 0.084 -> 0.072 ms). The CPU's row transposes are for 32-bit
      // lanes.
      unsigned bits = type ? type.getElementTypeBitWidth() : 0;
      // On the CPU rows shorter than a vector are read as whole vectors
      // of the tile's contiguous rows (flatRows).
      bool flat = width > 1 && !ShapedType::isDynamic(ranges[r]) &&
                  ranges[r] >= 2 && ranges[r] < width && type &&
                  type.getLayout().isIdentity() && type.hasStaticShape() &&
                  type.getRank() == 2 &&
                  map == rowsMap();
      if ((bits == 32 || (bits == 16 && width == 1)) &&
          !ShapedType::isDynamic(ranges[r]) &&
          (ranges[r] >= (width > 1 ? width : 16) || flat) &&
          (width > 1 || ranges[r] <= kMaxStagedClasses) &&
          usesLaneDim(map) && map.getNumResults() &&
          map.getResults().back() == getAffineDimExpr(r, op.getContext()) &&
          !op.getMatchingBlockArgument(in).use_empty())
        blocked.push_back(in);
    }
    blockedExtent = ranges[r];
    flatRows = width > 1 && !blocked.empty() && blockedExtent < width;
  }
  for (OpOperand &init : op.getDpsInitsMutable())
    if (linalg::FillOp fill = initialFill(op, init.get());
        fill && llvm::count(op->getOperands(), init.get()) == 1)
      scratch[init.getOperandNumber() - op.getNumDpsInputs()] = fill;

  if (reductionDims.empty())
    return true;
  // Outputs the body never reads back can be finished after the loop when
  // they are a function of the other outputs' final values.
  SmallVector<unsigned> candidates;
  for (auto [i, arg] : llvm::enumerate(op.getRegionOutputArgs()))
    if (arg.use_empty())
      candidates.push_back(i);
  for (unsigned i : candidates)
    sunkOutputs.insert(i);
  bool changed = true;
  while (changed) {
    changed = false;
    sunkOps.clear();
    for (unsigned i : candidates)
      if (sunkOutputs.contains(i) && !findSinkable(i)) {
        sunkOutputs.erase(i);
        changed = true;
        break;
      }
  }
  if (gpuBlock > 0 && width == 1 && parallelDims.size() > 1 &&
      reductionDims.size() == 1) {
    // Several parallel dims (a contraction: G W^T of a gradient): the split
    // only when a thread per output would leave the GPU nearly idle, as
    // each lane then reads its own elements where threads shared them.
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    // And only when every input read along the reduction has it innermost:
    // the lanes' loads are then consecutive (y W reads W[d, f] along f, the
    // output's dim, and stays a thread per output).
    unsigned r = reductionDims.front();
    bool alongLanes = llvm::all_of(op.getDpsInputOperands(), [&](OpOperand *in) {
      AffineMap map = op.getMatchingIndexingMap(in);
      return !usesReductionDim(map) ||
             op.getMatchingBlockArgument(in).use_empty() ||
             map.getResults().back() == getAffineDimExpr(r, op.getContext());
    });
    int64_t classes = ranges[r];
    if (!ShapedType::isDynamic(classes) && classes > kMinSplitClasses &&
        tessera::site_loops::fewOutputs(op) && alongLanes && findMerges()) {
      warpSplit = true;
      lanesPerSite = kWarp;
      blocked.clear();
      findEpilogue();
    }
    return true;
  }
  if (gpuBlock > 0 && width == 1 && parallelDims.size() == 1 &&
      reductionDims.size() == 1) {
    int64_t classes = op.getStaticLoopRanges()[reductionDims.front()];
    if (!ShapedType::isDynamic(classes) && classes > kMaxFusedThreadClasses &&
        findMerges()) {
      // Long reductions split; shorter ones only when the consumer then
      // fuses (its stores coalesce across the lanes) and the classes fill
      // the lanes (update, fused split vs two kernels: K = 8 0.12 vs 0.17
      // ms, K = 32 0.16 vs 0.19, K = 27 0.27 vs 0.25).
      warpSplit = true;
      lanesPerSite = std::min<int64_t>(kWarp, llvm::PowerOf2Ceil(classes));
      findConsumer();
      if (classes <= kMinSplitClasses &&
          (!consumer || classes % lanesPerSite != 0)) {
        consumer = nullptr;
        between.clear();
        warpSplit = false;
        lanesPerSite = kWarp;
        merges.clear();
      } else {
        blocked.clear();
        std::optional<int64_t> sites =
            op.getStaticLoopRanges()[parallelDims.front()];
        if (!consumer && lanesPerSite == kWarp &&
            classes >= kMinBlockSplitClasses &&
            !ShapedType::isDynamic(*sites) && *sites <= kMaxBlockSplitSites)
          siteWarps = kBlockSplitWarps;
      }
    }
    if (!warpSplit)
      findConsumer();
  }
  if (width > 1 && reductionDims.size() == 1 && !blocked.empty()) {
    findBlockLse();
    findGatherPicks();
    findRowOps();
  }
  if (width > 1 && parallelDims.size() == 1 && reductionDims.size() == 1)
    findConsumer();
  return true;
}

void SiteLoopBuilder::findBlockLse() {
  auto yield = cast<linalg::YieldOp>(op.getBody()->getTerminator());
  SmallVector<unsigned> carried = carriedOutputs();
  auto stateArg = [&](unsigned i) { return op.getRegionOutputArgs()[i]; };
  for (auto [pos, i] : llvm::enumerate(carried)) {
    std::optional<tessera::LseStepParts> lse =
        tessera::matchLseStep(yield.getValues()[i]);
    if (!lse || lse->s != stateArg(i) || readsState(lse->a))
      continue;
    auto partner = llvm::find_if(carried, [&](unsigned j) {
      return stateArg(j) == lse->m && yield.getValues()[j] == lse->newMax;
    });
    if (partner == carried.end())
      continue;
    Value m = lse->m, s = lse->s;
    auto readsPair = [&](Value x) { return x == m || x == s; };
    if (llvm::any_of(carried, [&](unsigned k) {
          return k != i && k != *partner &&
                 sliceReaches(yield.getValues()[k], readsPair);
        }))
      continue;
    blockLse = BlockLse{static_cast<unsigned>(partner - carried.begin()),
                        static_cast<unsigned>(pos), lse->a};
    for (Operation &bodyOp : op.getBody()->without_terminator())
      if (llvm::any_of(bodyOp.getOperands(), [&](Value v) {
            Operation *def = v.getDefiningOp();
            return readsPair(v) || (def && lseStepOps.contains(def));
          }))
        lseStepOps.insert(&bodyOp);
    return;
  }
}

void SiteLoopBuilder::findGatherPicks() {
  auto yield = cast<linalg::YieldOp>(op.getBody()->getTerminator());
  unsigned r = reductionDims.front();
  SmallVector<unsigned> carried = carriedOutputs();
  llvm::DenseSet<Operation *> picked;
  for (auto [pos, i] : llvm::enumerate(carried)) {
    if (frozen(pos))
      continue;
    BlockArgument state = op.getRegionOutputArgs()[i];
    auto sel = yield.getValues()[i].getDefiningOp<arith::SelectOp>();
    if (!sel || sel->getBlock() != op.getBody() ||
        sel.getFalseValue() != state || !state.hasOneUse())
      continue;
    // The picked value: a blocked input's element, its rows whole and
    // contiguous (what one gather addresses as row * K + class).
    auto value = dyn_cast<BlockArgument>(sel.getTrueValue());
    if (!value || value.getOwner() != op.getBody())
      continue;
    OpOperand *input = op.getMatchingOpOperand(value);
    auto type = dyn_cast<MemRefType>(input->get().getType());
    if (!llvm::is_contained(blocked, input) ||
        op.getMatchingIndexingMap(input) != rowsMap() || !type ||
        type.getElementType() != state.getType() ||
        !type.getLayout().isIdentity() || !type.hasStaticShape() ||
        type.getNumElements() >= (int64_t(1) << 31))
      continue;
    auto cmp = sel.getCondition().getDefiningOp<arith::CmpIOp>();
    if (!cmp || cmp.getPredicate() != arith::CmpIPredicate::eq)
      continue;
    auto isClass = [&](Value v) {
      auto index = v.getDefiningOp<linalg::IndexOp>();
      return index && index.getDim() == r;
    };
    Value cls = isClass(cmp.getLhs())   ? cmp.getRhs()
                : isClass(cmp.getRhs()) ? cmp.getLhs()
                                        : Value();
    // The class depends on per-site inputs only (the label).
    if (!cls || !cls.getType().isIndex() || readsState(cls) ||
        sliceReaches(cls, [&](Value x) {
          auto arg = dyn_cast<BlockArgument>(x);
          if (arg && arg.getOwner() == op.getBody())
            return usesReductionDim(
                op.getMatchingIndexingMap(op.getMatchingOpOperand(arg)));
          auto index = x.getDefiningOp<linalg::IndexOp>();
          return index && index.getDim() != laneDim;
        }))
      continue;
    gatherPicks.push_back({static_cast<unsigned>(pos), input, cls});
    picked.insert(sel);
  }
  // What only feeds the picks (their compares, the label's cast) is not
  // needed per class either.
  llvm::DenseSet<Operation *> unused(picked.begin(), picked.end());
  bool changed = true;
  while (changed) {
    changed = false;
    for (Operation &bodyOp : op.getBody()->without_terminator())
      if (!unused.contains(&bodyOp) && !bodyOp.use_empty() &&
          llvm::all_of(bodyOp.getUsers(),
                       [&](Operation *u) { return unused.contains(u); })) {
        unused.insert(&bodyOp);
        changed = true;
      }
  }
  skipPerClass.insert(unused.begin(), unused.end());
  skipPerClass.insert(lseStepOps.begin(), lseStepOps.end());
}

void SiteLoopBuilder::findRowOps() {
  llvm::DenseSet<Value> onRows;
  for (OpOperand *in : blocked)
    onRows.insert(op.getMatchingBlockArgument(in));
  for (Operation &bodyOp : op.getBody()->without_terminator()) {
    if (isa<linalg::IndexOp, arith::ConstantOp>(bodyOp) ||
        skipPerClass.contains(&bodyOp))
      continue;
    if (llvm::all_of(bodyOp.getOperands(), [&](Value v) {
          return onRows.contains(v) || v.getDefiningOp<arith::ConstantOp>();
        })) {
      rowOps.insert(&bodyOp);
      onRows.insert(bodyOp.getResults().begin(), bodyOp.getResults().end());
    }
  }
  auto needed = [&](Value v) {
    if (blockLse && v == blockLse->term)
      return true;
    return llvm::any_of(v.getUsers(), [&](Operation *u) {
      return !rowOps.contains(u) && !skipPerClass.contains(u);
    });
  };
  for (OpOperand *in : blocked)
    if (needed(op.getMatchingBlockArgument(in)))
      rowValues.push_back(op.getMatchingBlockArgument(in));
  for (Operation *o : rowOps)
    for (Value v : o->getResults())
      if (needed(v))
        rowValues.push_back(v);
  skipPerClass.insert(rowOps.begin(), rowOps.end());
}

/// The linalg.generic right after \p op past allocations and constants
/// (collected in \p skipped: they move above \p op when it is fused).
static linalg::GenericOp nextGeneric(Operation *op,
                                     SmallVectorImpl<Operation *> &skipped) {
  Operation *next = op->getNextNode();
  while (next && isa<memref::AllocOp, arith::ConstantOp>(next)) {
    skipped.push_back(next);
    next = next->getNextNode();
  }
  return dyn_cast_or_null<linalg::GenericOp>(next);
}

/// An operand of an op fused after this one (a consumer or an epilogue)
/// that is a scalar input: the same in every lane.
static bool scalarOperand(linalg::GenericOp c, OpOperand &operand) {
  return !c.isDpsInit(&operand) && isLaneType(operand.get().getType());
}

/// The buffer of such an operand when it is one of lane elements read
/// through a projected permutation (what the fused loops index); null
/// otherwise.
static MemRefType laneBuffer(linalg::GenericOp c, OpOperand &operand) {
  auto memref = dyn_cast<MemRefType>(operand.get().getType());
  if (!memref || !isLaneType(memref.getElementType()) ||
      !c.getMatchingIndexingMap(&operand).isProjectedPermutation())
    return {};
  return memref;
}

/// Whether \p c's body is elementwise arith and math (and index and
/// constants): what a fused consumer can clone per element.
static bool elementwiseBody(linalg::GenericOp c) {
  return llvm::all_of(c.getBody()->without_terminator(), [](Operation &o) {
    if (isa<linalg::IndexOp, arith::ConstantOp>(o))
      return true;
    Dialect *dialect = o.getDialect();
    return dialect && isa<arith::ArithDialect, math::MathDialect>(dialect) &&
           o.hasTrait<OpTrait::Elementwise>() && !o.getNumRegions();
  });
}

/// Whether \p operand of a consumer reads, through another view, the
/// buffer of one of \p op's outputs: it would see them before the op's
/// stores, which come after the consumer's.
static bool readsOutputsThroughView(linalg::LinalgOp op, OpOperand &operand) {
  auto root = [](Value v) {
    return memref::skipViewLikeOps(cast<MemrefValue>(v));
  };
  return !llvm::is_contained(op.getDpsInits(), operand.get()) &&
         llvm::any_of(op.getDpsInits(), [&](Value init) {
           return root(init) == root(operand.get());
         });
}

void SiteLoopBuilder::findConsumer() {
  SmallVector<Operation *> skipped;
  linalg::GenericOp c = nextGeneric(op, skipped);
  if (!c || !c.hasPureBufferSemantics() || c.getNumLoops() != 2 ||
      c.getNumReductionLoops() != 0)
    return;
  SmallVector<int64_t> mine = op.getStaticLoopRanges();
  SmallVector<int64_t> theirs = c.getStaticLoopRanges();
  int64_t sites = mine[parallelDims.front()];
  if (ShapedType::isDynamic(sites) || theirs[0] != sites ||
      ShapedType::isDynamic(theirs[1]))
    return;
  if (width == 1 && !staged() &&
      (warpSplit ? sites < kMinFusedSplitSites
                 : theirs[1] > kMaxFusedThreadClasses))
    return;
  MLIRContext *ctx = op.getContext();
  AffineMap siteOnly = AffineMap::get(2, 0, {getAffineDimExpr(0, ctx)}, ctx);
  for (OpOperand &operand : c->getOpOperands()) {
    if (scalarOperand(c, operand))
      continue;
    MemRefType memref = laneBuffer(c, operand);
    AffineMap map = c.getMatchingIndexingMap(&operand);
    if (!memref)
      return;
    // This op's outputs are read per site only, and never written; nor
    // read through another view (which would see them before the op's
    // stores, that come after the consumer's).
    if (llvm::is_contained(op.getDpsInits(), operand.get()) &&
        (c.isDpsInit(&operand) || map != siteOnly))
      return;
    if (readsOutputsThroughView(op, operand))
      return;
    // Spread over the block's threads, a staged consumer writes each
    // element once: its outputs are indexed by both dims.
    if (staged() && c.isDpsInit(&operand) && !map.isPermutation())
      return;
    // On the CPU elements go in vectors along the rows (whole rows taken
    // flat at fewer classes than lanes): unit-stride rows, contiguous for
    // the flat form.
    if (width > 1 &&
        (!(map == siteOnly || map.isIdentity()) ||
         !memref.isLastDimUnitStride() ||
         (map.isIdentity() && theirs[1] < width &&
          !memref.getLayout().isIdentity())))
      return;
  }
  if (!elementwiseBody(c))
    return;
  if (staged() || width > 1) {
    // Per-site values: the consumer's inputs read at the site only, and
    // what its body computes from them (constants and scalar operands are
    // the same everywhere).
    llvm::DenseSet<Value> perSite, uniform;
    for (OpOperand &operand : c->getOpOperands()) {
      BlockArgument arg = c.getMatchingBlockArgument(&operand);
      if (!isa<MemRefType>(operand.get().getType()))
        uniform.insert(arg);
      else if (!c.isDpsInit(&operand) &&
               c.getMatchingIndexingMap(&operand) == siteOnly)
        perSite.insert(arg);
    }
    perSiteOps.clear();
    for (Operation &bodyOp : c.getBody()->without_terminator()) {
      if (isa<arith::ConstantOp>(bodyOp)) {
        uniform.insert(bodyOp.getResult(0));
        continue;
      }
      if (isa<linalg::IndexOp>(bodyOp) ||
          !llvm::all_of(bodyOp.getOperands(), [&](Value v) {
            return perSite.contains(v) || uniform.contains(v);
          }))
        continue;
      perSiteOps.insert(&bodyOp);
      perSite.insert(bodyOp.getResults().begin(), bodyOp.getResults().end());
    }
    perSiteValues.clear();
    auto addValue = [&](Value v) {
      for (Operation *user : v.getUsers())
        if (!perSiteOps.contains(user)) {
          perSiteValues.push_back(v);
          return;
        }
    };
    for (BlockArgument arg : c.getBody()->getArguments())
      if (perSite.contains(arg))
        addValue(arg);
    for (Operation *o : perSiteOps)
      for (Value v : o->getResults())
        addValue(v);
    if (!llvm::all_of(perSiteValues,
                      [](Value v) { return isLaneType(v.getType()); })) {
      perSiteOps.clear();
      perSiteValues.clear();
      return;
    }
  }
  consumer = c;
  between = std::move(skipped);
}

void SiteLoopBuilder::findEpilogue() {
  SmallVector<Operation *> skipped;
  linalg::GenericOp c = nextGeneric(op, skipped);
  if (!c || !c.hasPureBufferSemantics() || c.getNumLoops() == 0 ||
      c.getNumLoops() != c.getNumParallelLoops() || !elementwiseBody(c))
    return;
  // Each loop of the epilogue is one of this op's parallel dims, of the
  // same extent, found through this op's outputs it reads (where they are
  // written: through a permutation) and never writes.
  SmallVector<int64_t> mine = op.getStaticLoopRanges();
  SmallVector<int64_t> theirs = c.getStaticLoopRanges();
  SmallVector<int64_t> dimOf(c.getNumLoops(), -1);
  for (OpOperand &operand : c->getOpOperands()) {
    if (scalarOperand(c, operand))
      continue;
    AffineMap theirMap = c.getMatchingIndexingMap(&operand);
    if (!laneBuffer(c, operand) || readsOutputsThroughView(op, operand))
      return;
    OpOperand *init = nullptr;
    for (OpOperand &o : op.getDpsInitsMutable())
      if (o.get() == operand.get())
        init = &o;
    if (!init)
      continue;
    if (c.isDpsInit(&operand) || !theirMap.isPermutation())
      return;
    AffineMap myMap = op.getMatchingIndexingMap(init);
    for (unsigned j = 0; j < theirMap.getNumResults(); ++j)
      dimOf[theirMap.getDimPosition(j)] = myMap.getDimPosition(j);
  }
  for (auto [d, opDim] : llvm::enumerate(dimOf))
    if (opDim < 0 || ShapedType::isDynamic(theirs[d]) || theirs[d] != mine[opDim])
      return;
  consumer = c;
  epilogueDims = std::move(dimOf);
  between = std::move(skipped);
}

void SiteLoopBuilder::emitConsumerAt(OpBuilder &b, Location loc,
                                     ArrayRef<Value> results,
                                     ArrayRef<Value> at) {
  IRMapping map;
  for (OpOperand &operand : consumer->getOpOperands()) {
    BlockArgument arg = consumer.getMatchingBlockArgument(&operand);
    if (arg.use_empty())
      continue;
    auto mine = llvm::find(op.getDpsInits(), operand.get());
    if (mine != op.getDpsInits().end())
      map.map(arg, results[mine - op.getDpsInits().begin()]);
    else if (!isa<MemRefType>(operand.get().getType()))
      map.map(arg, operand.get());
    else
      map.map(arg, memref::LoadOp::create(
                       b, loc, operand.get(),
                       applyPermutationMap<Value>(
                           consumer.getMatchingIndexingMap(&operand), at)));
  }
  for (Operation &bodyOp : consumer.getBody()->without_terminator()) {
    if (auto index = dyn_cast<linalg::IndexOp>(bodyOp))
      map.map(index.getResult(), at[index.getDim()]);
    else
      b.clone(bodyOp, map);
  }
  auto yield = cast<linalg::YieldOp>(consumer.getBody()->getTerminator());
  for (auto [init, v] :
       llvm::zip(consumer.getDpsInitsMutable(), yield.getValues()))
    memref::StoreOp::create(
        b, loc, map.lookupOrDefault(v), init.get(),
        applyPermutationMap<Value>(consumer.getMatchingIndexingMap(&init), at));
}

bool SiteLoopBuilder::onlyForConsumer(unsigned i) {
  if (!consumer)
    return false;
  Value init = op.getDpsInits()[i];
  if (!init.getDefiningOp<memref::AllocOp>())
    return false;
  for (Operation *user : init.getUsers())
    if (user != op.getOperation() && user != consumer.getOperation() &&
        !(scratch.contains(i) && user == scratch[i].getOperation()))
      return false;
  return true;
}

/// The consumer's classes for this site: strided over the lanes of a warp
/// split, one after another otherwise; its reads of this op's outputs are
/// the values in registers.
void SiteLoopBuilder::emitConsumer(OpBuilder &b, Location loc,
                                   ArrayRef<Value> results, Value live) {
  OpBuilder::InsertionGuard g(b);
  if (live) {
    auto guard = scf::IfOp::create(b, loc, live, /*withElse=*/false);
    b.setInsertionPointToStart(guard.thenBlock());
  }
  Value site = dims[parallelDims.front()];
  Value start = warpSplit ? lane : arith::ConstantIndexOp::create(b, loc, 0);
  Value step = arith::ConstantIndexOp::create(b, loc, warpSplit ? lanesPerSite : 1);
  Value end = arith::ConstantIndexOp::create(b, loc,
                                             consumer.getStaticLoopRanges()[1]);
  scf::ForOp::create(b, loc, start, end, step, ValueRange{},
                     [&](OpBuilder &b, Location loc, Value k, ValueRange) {
                       emitConsumerAt(b, loc, results, {site, k});
                       scf::YieldOp::create(b, loc);
                     });
}

/// The consumer in a staged launch: each thread computes its site's
/// per-site values into shared memory, then the block runs the consumer's
/// sites x classes elements in order (consecutive threads, consecutive
/// elements of the block's rows: coalesced loads and stores, where a
/// thread per row would touch a cache line per thread and class). The
/// update at 1M x 27 on the H100: 0.307 ms as two kernels, 0.164 fused.
void SiteLoopBuilder::emitStagedConsumer(OpBuilder &b, Location loc,
                                         ArrayRef<Value> results) {
  auto cst = [&](int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); };
  ModuleOp module = op->getParentOfType<ModuleOp>();
  auto yield = cast<linalg::YieldOp>(consumer.getBody()->getTerminator());
  // Where the block's whole rows fit one stage, the shared tile still
  // holds the consumer's reads of a blocked input.
  auto stagedRows = [&](OpOperand &operand) -> Value {
    if (blockedExtent > kStageClasses)
      return Value();
    for (auto [in, stage] : llvm::zip(blocked, stages))
      if (in->get() == operand.get() &&
          op.getMatchingIndexingMap(in) == rowsMap() &&
          consumer.getMatchingIndexingMap(&operand).isIdentity())
        return stage;
    return Value();
  };
  // Maps the consumer's block arguments at (site, k); per-site ones only
  // when \p perSite, with k unused.
  auto mapArguments = [&](OpBuilder &b, IRMapping &map, Value site, Value k,
                          bool perSite, Value row = Value()) {
    Value at[2] = {site, k};
    for (OpOperand &operand : consumer->getOpOperands()) {
      BlockArgument arg = consumer.getMatchingBlockArgument(&operand);
      if (arg.use_empty() || map.contains(arg))
        continue;
      AffineMap m = consumer.getMatchingIndexingMap(&operand);
      if (!isa<MemRefType>(operand.get().getType())) {
        map.map(arg, operand.get());
        continue;
      }
      if (perSite && m.isFunctionOfDim(1))
        continue;
      auto mine = llvm::find(op.getDpsInits(), operand.get());
      if (mine != op.getDpsInits().end()) {
        // This op's results are in registers (its buffers may be gone).
        if (perSite)
          map.map(arg, results[mine - op.getDpsInits().begin()]);
        continue;
      }
      if (!perSite && llvm::all_of(arg.getUsers(), [&](Operation *user) {
            return perSiteOps.contains(user);
          }))
        continue;
      if (Value stage = !perSite ? stagedRows(operand) : Value()) {
        map.map(arg, memref::LoadOp::create(b, loc, stage, ValueRange{row, k}));
        continue;
      }
      map.map(arg, memref::LoadOp::create(b, loc, operand.get(),
                                          applyPermutationMap<Value>(m, at)));
    }
    for (Operation &bodyOp : consumer.getBody()->without_terminator())
      if (isa<arith::ConstantOp>(bodyOp))
        b.clone(bodyOp, map);
  };
  IRMapping own;
  mapArguments(b, own, dims[laneDim], Value(), /*perSite=*/true);
  for (Operation *o : perSiteOps)
    b.clone(*o, own);
  for (auto [v, stage] : llvm::zip(perSiteValues, perSiteStages))
    memref::StoreOp::create(b, loc, own.lookup(v), stage, ValueRange{thread});
  barrier(b, loc, module);
  int64_t classes = consumer.getStaticLoopRanges()[1];
  Value k = cst(classes);
  // Where the block's rows are one stage, each thread takes runs of
  // consecutive elements and stores each output's run with one
  // kStageVectorBytes store (2-byte stores of bf16 results left the
  // update at 1M x 27 at 71% of copy).
  // (Runs are powers of two: the shortest output's run splits the others'
  // memory whole too.)
  int64_t run = 1;
  if (blockedExtent <= kStageClasses) {
    run = kStageVectorBytes;
    for (OpOperand &init : consumer.getDpsInitsMutable()) {
      auto type = dyn_cast<MemRefType>(init.get().getType());
      run = type && consumer.getMatchingIndexingMap(&init).isIdentity()
                ? std::min(run, stageLanes(type, stageBlock * classes))
                : 1;
    }
  }
  int64_t runs = stageBlock * classes / run;
  scf::ForOp::create(
      b, loc, cst(0), cst(llvm::divideCeil(classes, run)), cst(1),
      ValueRange{},
      [&](OpBuilder &b, Location loc, Value e, ValueRange) {
        Value idx = arith::AddIOp::create(
            b, loc, arith::MulIOp::create(b, loc, e, cst(stageBlock)), thread);
        // The block's last run again where idx runs past it (the same
        // values stored again).
        Value first = idx;
        if (run > 1)
          first = arith::MulIOp::create(
              b, loc, arith::MinUIOp::create(b, loc, idx, cst(runs - 1)),
              cst(run));
        // Runs split at whole sites' ends: all of a run's sites are in
        // range or none.
        Value live = arith::CmpIOp::create(
            b, loc, arith::CmpIPredicate::ult,
            arith::AddIOp::create(b, loc, blockBase,
                                  arith::DivUIOp::create(b, loc, first, k)),
            siteCount);
        auto guard = scf::IfOp::create(b, loc, live, /*withElse=*/false);
        OpBuilder in = OpBuilder::atBlockBegin(guard.thenBlock());
        SmallVector<SmallVector<Value>> values(consumer.getNumDpsInits());
        Value start[2];
        // From a flat tile, a staged input's run is one vector load.
        SmallVector<std::pair<BlockArgument, Value>> runsOf;
        if (run > 1 && flatStage())
          for (OpOperand *operand : consumer.getDpsInputOperands()) {
            BlockArgument arg = consumer.getMatchingBlockArgument(operand);
            Value stage = arg.use_empty() ? Value() : stagedRows(*operand);
            if (!stage)
              continue;
            Type element = cast<MemRefType>(stage.getType()).getElementType();
            int64_t bytes = run * element.getIntOrFloatBitWidth() / 8;
            runsOf.push_back(
                {arg, vector::LoadOp::create(
                          in, loc, VectorType::get({run}, element),
                          flatten(in, loc, stage), ValueRange{first},
                          /*nontemporal=*/false,
                          llvm::MaybeAlign(std::min<int64_t>(bytes, 16)))});
          }
        for (int64_t i = 0; i < run; ++i) {
          Value f = i ? Value(arith::AddIOp::create(in, loc, first, cst(i)))
                      : first;
          Value row = arith::DivUIOp::create(in, loc, f, k);
          Value col = arith::RemUIOp::create(in, loc, f, k);
          Value site = arith::AddIOp::create(in, loc, blockBase, row);
          if (!i) {
            start[0] = site;
            start[1] = col;
          }
          IRMapping map;
          for (auto [v, stage] : llvm::zip(perSiteValues, perSiteStages))
            map.map(v, memref::LoadOp::create(in, loc, stage, ValueRange{row}));
          for (auto [arg, vec] : runsOf)
            map.map(arg, vector::ExtractOp::create(in, loc, vec, i));
          mapArguments(in, map, site, col, /*perSite=*/false, row);
          Value at[2] = {site, col};
          for (Operation &bodyOp : consumer.getBody()->without_terminator()) {
            if (auto index = dyn_cast<linalg::IndexOp>(bodyOp))
              map.map(index.getResult(), at[index.getDim()]);
            else if (!perSiteOps.contains(&bodyOp) &&
                     !isa<arith::ConstantOp>(bodyOp))
              in.clone(bodyOp, map);
          }
          for (auto [j, v] : llvm::enumerate(yield.getValues()))
            values[j].push_back(map.lookupOrDefault(v));
        }
        for (auto [init, vs] : llvm::zip(consumer.getDpsInitsMutable(), values)) {
          if (run == 1) {
            memref::StoreOp::create(
                in, loc, vs.front(), init.get(),
                applyPermutationMap<Value>(
                    consumer.getMatchingIndexingMap(&init), start));
            continue;
          }
          auto type = cast<MemRefType>(init.get().getType());
          Value flat = flatten(in, loc, init.get());
          Value at = arith::AddIOp::create(
              in, loc, arith::MulIOp::create(in, loc, start[0], k), start[1]);
          vector::StoreOp::create(
              in, loc,
              vector::FromElementsOp::create(
                  in, loc, VectorType::get({run}, type.getElementType()), vs),
              flat, ValueRange{at}, /*nontemporal=*/false,
              llvm::MaybeAlign(run * type.getElementTypeBitWidth() / 8));
        }
        scf::YieldOp::create(b, loc);
      });
}

/// The consumer on the CPU, after the tile's reduction: its per-site
/// values computed once on the lane vectors (one vector log per 16 sites
/// for the update's normalisation, where the consumer alone took a libm
/// call per site), then its elements in vectors along the rows, reading
/// the inputs again while the tile's rows are still in cache. With fewer
/// classes than lanes the tile's rows are taken flat, `classes` vectors
/// each spanning several sites, the per-site values shuffled to match;
/// otherwise a row at a time, `width` classes per vector.
void SiteLoopBuilder::emitVectorConsumer(OpBuilder &b, Location loc,
                                         ArrayRef<Value> results) {
  auto cst = [&](int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); };
  auto yield = cast<linalg::YieldOp>(consumer.getBody()->getTerminator());
  int64_t classes = consumer.getStaticLoopRanges()[1];
  IRMapping own;
  for (OpOperand &operand : consumer->getOpOperands()) {
    BlockArgument arg = consumer.getMatchingBlockArgument(&operand);
    if (arg.use_empty())
      continue;
    if (!isa<MemRefType>(operand.get().getType())) {
      own.map(arg, operand.get());
      continue;
    }
    if (consumer.getMatchingIndexingMap(&operand).isFunctionOfDim(1))
      continue;
    auto mine = llvm::find(op.getDpsInits(), operand.get());
    if (mine != op.getDpsInits().end()) {
      own.map(arg, toVector(b, loc, results[mine - op.getDpsInits().begin()]));
      continue;
    }
    Type element = cast<MemRefType>(operand.get().getType()).getElementType();
    own.map(arg, vector::MaskedLoadOp::create(
                     b, loc, VectorType::get({width}, element), operand.get(),
                     ValueRange{laneBase}, mask, zeroLanes(b, loc, element)));
  }
  for (Operation &bodyOp : consumer.getBody()->without_terminator())
    if (isa<arith::ConstantOp>(bodyOp))
      b.clone(bodyOp, own);
  for (Operation *o : perSiteOps)
    cloneBodyOp(b, *o, own);

  // The consumer's per-element ops on one vector of elements: `perSite`
  // gives each per-site value's vector, `load` each input's and `index`
  // each loop index's; `store` writes each output's.
  auto elements = [&](OpBuilder &b, function_ref<Value(Value)> perSite,
                      function_ref<Value(Value, Type)> load,
                      function_ref<Value(unsigned)> index,
                      function_ref<void(Value, Value)> store) {
    IRMapping map = own;
    for (Value v : perSiteValues)
      map.map(v, perSite(own.lookupOrDefault(v)));
    for (OpOperand &operand : consumer->getOpOperands()) {
      BlockArgument arg = consumer.getMatchingBlockArgument(&operand);
      if (!arg.use_empty() && !map.contains(arg) &&
          consumer.getMatchingIndexingMap(&operand).isFunctionOfDim(1))
        map.map(arg, load(operand.get(), arg.getType()));
    }
    for (Operation &bodyOp : consumer.getBody()->without_terminator()) {
      if (auto idx = dyn_cast<linalg::IndexOp>(bodyOp))
        map.map(idx.getResult(), index(idx.getDim()));
      else if (!perSiteOps.contains(&bodyOp) && !isa<arith::ConstantOp>(bodyOp))
        cloneBodyOp(b, bodyOp, map);
    }
    for (auto [init, v] :
         llvm::zip(consumer.getDpsInits(), yield.getValues()))
      store(init, toVector(b, loc, map.lookupOrDefault(v)));
  };
  auto vectorOf = [&](Type element) {
    return VectorType::get({width}, element);
  };
  auto indexVector = [&](ArrayRef<int64_t> values) -> Value {
    return arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(vectorOf(b.getIndexType()), values));
  };

  if (classes < width) {
    // Flat: element e of the tile's rows is class e % classes of site e /
    // classes; `classes` vectors cover the tile's width sites.
    llvm::DenseMap<Value, Value> flat;
    auto flatView = [&](Value memref) {
      Value &v = flat[memref];
      if (!v)
        v = memref::CollapseShapeOp::create(
            b, loc, memref, ArrayRef<ReassociationIndices>{{0, 1}});
      return v;
    };
    Value base = arith::MulIOp::create(b, loc, laneBase, cst(classes));
    Value total = arith::MulIOp::create(b, loc, remaining, cst(classes));
    for (int64_t c = 0; c < classes; ++c) {
      Value at = arith::AddIOp::create(b, loc, base, cst(c * width));
      Value chunkMask = vector::CreateMaskOp::create(
          b, loc, vectorOf(b.getI1Type()),
          ValueRange{arith::SubIOp::create(b, loc, total, cst(c * width))});
      SmallVector<int64_t> siteOf(width), classOf(width);
      for (int64_t i = 0; i < width; ++i) {
        siteOf[i] = (c * width + i) / classes;
        classOf[i] = (c * width + i) % classes;
      }
      elements(
          b,
          [&](Value v) -> Value {
            v = toVector(b, loc, v);
            return vector::ShuffleOp::create(b, loc, v, v, siteOf);
          },
          [&](Value memref, Type element) -> Value {
            return vector::MaskedLoadOp::create(
                b, loc, vectorOf(element), flatView(memref), at, chunkMask,
                zeroLanes(b, loc, element));
          },
          [&](unsigned d) -> Value {
            if (d == 1)
              return indexVector(classOf);
            return arith::AddIOp::create(
                b, loc, vector::BroadcastOp::create(
                            b, loc, vectorOf(b.getIndexType()), laneBase),
                indexVector(siteOf));
          },
          [&](Value memref, Value v) {
            vector::MaskedStoreOp::create(b, loc, flatView(memref), at,
                                          chunkMask, v);
          });
    }
    return;
  }
  // A row at a time: the tile's live sites, width classes per vector.
  Value rows = arith::MinUIOp::create(b, loc, remaining, cst(width));
  scf::ForOp::create(
      b, loc, cst(0), rows, cst(1), ValueRange{},
      [&](OpBuilder &b, Location loc, Value j, ValueRange) {
        Value site = arith::AddIOp::create(b, loc, laneBase, j);
        scf::ForOp::create(
            b, loc, cst(0), cst(classes), cst(width), ValueRange{},
            [&](OpBuilder &b, Location loc, Value kb, ValueRange) {
              Value rowMask = vector::CreateMaskOp::create(
                  b, loc, vectorOf(b.getI1Type()),
                  ValueRange{arith::SubIOp::create(b, loc, cst(classes), kb)});
              elements(
                  b,
                  [&](Value v) -> Value {
                    if (!isa<VectorType>(v.getType()))
                      return v;
                    return vector::BroadcastOp::create(
                        b, loc, vectorOf(getElementTypeOrSelf(v)),
                        vector::ExtractOp::create(b, loc, v,
                                                  ArrayRef<OpFoldResult>{j}));
                  },
                  [&](Value memref, Type element) -> Value {
                    return vector::MaskedLoadOp::create(
                        b, loc, vectorOf(element), memref,
                        ValueRange{site, kb}, rowMask,
                        zeroLanes(b, loc, element));
                  },
                  [&](unsigned d) -> Value {
                    if (d == 0)
                      return site;
                    return arith::AddIOp::create(
                        b, loc,
                        vector::BroadcastOp::create(
                            b, loc, vectorOf(b.getIndexType()), kb),
                        laneNumbers(b, loc));
                  },
                  [&](Value memref, Value v) {
                    vector::MaskedStoreOp::create(b, loc, memref,
                                                  ValueRange{site, kb},
                                                  rowMask, v);
                  });
              scf::YieldOp::create(b, loc);
            });
        scf::YieldOp::create(b, loc);
      });
}

/// Whether \p v depends on a carried output inside the body.
bool SiteLoopBuilder::sliceReaches(Value v, function_ref<bool(Value)> hit) {
  SmallVector<Value> worklist{v};
  llvm::DenseSet<Value> seen;
  while (!worklist.empty()) {
    Value x = worklist.pop_back_val();
    if (!seen.insert(x).second)
      continue;
    if (hit(x))
      return true;
    Operation *def = x.getDefiningOp();
    if (def && def->getBlock() == op.getBody())
      llvm::append_range(worklist, def->getOperands());
  }
  return false;
}

bool SiteLoopBuilder::readsState(Value v) {
  return sliceReaches(v, [&](Value x) {
    auto arg = dyn_cast<BlockArgument>(x);
    return arg && arg.getOwner() == op.getBody() &&
           op.isDpsInit(op.getMatchingOpOperand(arg));
  });
}

/// A merge for every carried output, or false (the op stays a thread per
/// site).
bool SiteLoopBuilder::findMerges() {
  auto yield = cast<linalg::YieldOp>(op.getBody()->getTerminator());
  SmallVector<unsigned> carried = carriedOutputs();
  auto stateArg = [&](unsigned i) { return op.getRegionOutputArgs()[i]; };
  for (unsigned i : carried) {
    Type t = stateArg(i).getType();
    if (!t.isF32() && !t.isInteger(32))
      return false; // what a shuffle moves
    Value y = yield.getValues()[i];
    Operation *def = y.getDefiningOp();
    if (!def || def->getBlock() != op.getBody())
      return false;
    if (isa<arith::AddFOp, arith::AddIOp, arith::MaximumFOp, arith::MinimumFOp,
            arith::MaxNumFOp, arith::MinNumFOp>(def)) {
      Value lhs = def->getOperand(0), rhs = def->getOperand(1);
      Value term = lhs == stateArg(i) ? rhs : rhs == stateArg(i) ? lhs : Value();
      if (term && !readsState(term)) {
        merges.push_back({MergeKind::combine, def});
        continue;
      }
    }
    // fma(x, y, acc) (a multiply-add, tessera-to-tile's first step): the
    // lanes' partial sums add.
    if (auto fma = dyn_cast<math::FmaOp>(def);
        fma && fma.getC() == stateArg(i) && !readsState(fma.getA()) &&
        !readsState(fma.getB())) {
      merges.push_back({MergeKind::fmaSum});
      continue;
    }
    if (std::optional<tessera::LseStepParts> lse = tessera::matchLseStep(y);
        lse && lse->s == stateArg(i) && !readsState(lse->a)) {
      auto partner = llvm::find_if(carried, [&](unsigned j) {
        return stateArg(j) == lse->m && yield.getValues()[j] == lse->newMax;
      });
      if (partner != carried.end()) {
        merges.push_back(
            {MergeKind::lseSum, nullptr,
             static_cast<unsigned>(partner - carried.begin())});
        continue;
      }
    }
    // select(k == w, v, acc): at most one class hits, so the lane that
    // did (if any) holds the value.
    if (auto sel = dyn_cast<arith::SelectOp>(def);
        sel && sel.getFalseValue() == stateArg(i) &&
        !readsState(sel.getTrueValue())) {
      auto cmp = sel.getCondition().getDefiningOp<arith::CmpIOp>();
      auto isClass = [&](Value v) {
        auto index = v.getDefiningOp<linalg::IndexOp>();
        return index && index.getDim() == reductionDims.front();
      };
      // Neither the carried state nor anything that varies along the
      // reduction (inputs indexed by it, the class index itself).
      auto reductionFree = [&](Value v) {
        return !readsState(v) && !sliceReaches(v, [&](Value x) {
          auto arg = dyn_cast<BlockArgument>(x);
          if (arg && arg.getOwner() == op.getBody())
            return usesReductionDim(
                op.getMatchingIndexingMap(op.getMatchingOpOperand(arg)));
          return isClass(x);
        });
      };
      if (cmp && cmp.getPredicate() == arith::CmpIPredicate::eq &&
          ((isClass(cmp.getLhs()) && reductionFree(cmp.getRhs())) ||
           (isClass(cmp.getRhs()) && reductionFree(cmp.getLhs())))) {
        merges.push_back({MergeKind::pick, nullptr, 0, sel.getCondition()});
        continue;
      }
    }
    return false;
  }
  return true;
}

/// One butterfly stage: this lane's carried state (then its pick flags)
/// merged with another lane's.
scf::ValueVector SiteLoopBuilder::mergeLanes(OpBuilder &b, Location loc,
                                             ValueRange state,
                                             ValueRange other) {
  unsigned n = merges.size();
  scf::ValueVector merged(state.begin(), state.end());
  unsigned flag = n;
  for (auto [i, m] : llvm::enumerate(merges)) {
    switch (m.kind) {
    case MergeKind::combine:
      merged[i] = b.create(loc, m.combiner->getName().getIdentifier(),
                           ValueRange{state[i], other[i]},
                           state[i].getType(), m.combiner->getAttrs())
                      ->getResult(0);
      break;
    case MergeKind::fmaSum:
      merged[i] = arith::AddFOp::create(b, loc, state[i], other[i]);
      break;
    case MergeKind::lseSum:
      merged[i] = tessera::lseMerge(b, loc, state[m.partner], state[i],
                           other[m.partner], other[i]);
      break;
    case MergeKind::pick:
      merged[i] = arith::SelectOp::create(b, loc, other[flag], other[i],
                                          state[i]);
      merged[flag] = arith::OrIOp::create(b, loc, state[flag], other[flag]);
      ++flag;
      break;
    }
  }
  return merged;
}

/// Collects into sunkOps the body ops computing output \p out from the
/// yields of carried outputs and reduction-invariant values; false when it
/// needs anything the reduction loop varies.
bool SiteLoopBuilder::findSinkable(unsigned out) {
  auto yield = cast<linalg::YieldOp>(op.getBody()->getTerminator());
  llvm::DenseSet<Value> carriedYields;
  for (auto [i, v] : llvm::enumerate(yield.getValues()))
    if (!sunkOutputs.contains(i))
      carriedYields.insert(v);
  SmallVector<Value> worklist{yield.getValues()[out]};
  llvm::SetVector<Operation *> slice;
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    if (carriedYields.contains(v))
      continue;
    if (auto arg = dyn_cast<BlockArgument>(v)) {
      if (arg.getOwner() != op.getBody())
        continue;
      OpOperand *operand = op.getMatchingOpOperand(arg);
      if (op.isDpsInit(operand) ||
          usesReductionDim(op.getMatchingIndexingMap(operand)))
        return false;
      continue;
    }
    Operation *def = v.getDefiningOp();
    if (def->getBlock() != op.getBody())
      continue;
    if (auto index = dyn_cast<linalg::IndexOp>(def))
      if (llvm::is_contained(reductionDims, index.getDim()))
        return false;
    if (slice.insert(def))
      llvm::append_range(worklist, def->getOperands());
  }
  sunkOps.insert(slice.begin(), slice.end());
  return true;
}

SmallVector<Value> SiteLoopBuilder::indicesFor(OpBuilder &b, Location loc,
                                              AffineMap map) {
  SmallVector<Value> indices;
  for (AffineExpr e : map.getResults()) {
    if (auto dim = dyn_cast<AffineDimExpr>(e))
      indices.push_back(dims[dim.getPosition()]);
    else
      indices.push_back(arith::ConstantIndexOp::create(
          b, loc, cast<AffineConstantExpr>(e).getValue()));
  }
  return indices;
}

/// Base indices and lane offsets (in elements) of a gather/scatter whose
/// lanes run along result \p pos. Where every offset into the buffer
/// provably fits in i32, the base is the buffer's origin and the whole
/// offset is an i32 vector: a loop-invariant base with 32-bit indices is
/// what x86 needs for one vgatherdps of 16 lanes instead of four 8-lane
/// gathers of 64-bit addresses.
std::pair<SmallVector<Value>, Value>
SiteLoopBuilder::laneAddresses(OpBuilder &b, Location loc, Value memref,
                              ArrayRef<Value> indices, unsigned pos) {
  auto type = cast<MemRefType>(memref.getType());
  auto [strides, offset] = type.getStridesAndOffset();
  bool fitsI32 = type.hasStaticShape() &&
                 llvm::none_of(strides, ShapedType::isDynamic);
  int64_t extent = 1;
  for (auto [size, stride] : llvm::zip(type.getShape(), strides))
    extent += size > 0 ? (size - 1) * stride : 0;
  fitsI32 = fitsI32 && extent + width * strides[pos] < (int64_t(1) << 31);
  if (fitsI32) {
    auto i32s = VectorType::get({width}, b.getI32Type());
    SmallVector<int32_t> lanes;
    for (int64_t lane = 0; lane < width; ++lane)
      lanes.push_back(int32_t(lane * strides[pos]));
    Value linear = arith::ConstantIndexOp::create(b, loc, 0);
    for (auto [index, stride] : llvm::zip(indices, strides))
      linear = arith::AddIOp::create(
          b, loc, linear,
          arith::MulIOp::create(
              b, loc, index, arith::ConstantIndexOp::create(b, loc, stride)));
    Value linear32 =
        arith::IndexCastOp::create(b, loc, b.getI32Type(), linear);
    Value offsets = arith::AddIOp::create(
        b, loc, arith::ConstantOp::create(b, loc, b.getI32VectorAttr(lanes)),
        vector::BroadcastOp::create(b, loc, i32s, linear32));
    SmallVector<Value> origin(indices.size(),
                              arith::ConstantIndexOp::create(b, loc, 0));
    return {origin, offsets};
  }
  Value stride;
  if (ShapedType::isDynamic(strides[pos]))
    stride = memref::ExtractStridedMetadataOp::create(b, loc, memref)
                 .getStrides()[pos];
  else
    stride = arith::ConstantIndexOp::create(b, loc, strides[pos]);
  Value offsets = arith::MulIOp::create(b, loc, laneNumbers(b, loc),
                                        toVector(b, loc, stride));
  return {SmallVector<Value>(indices), offsets};
}

/// 0, 1, ..., width-1 as indices (a constant: vector.step has no lowering
/// in convert-to-llvm).
Value SiteLoopBuilder::laneNumbers(OpBuilder &b, Location loc) {
  SmallVector<int64_t> lanes(width);
  std::iota(lanes.begin(), lanes.end(), 0);
  auto type = VectorType::get({width}, b.getIndexType());
  return arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(type, ArrayRef<int64_t>(lanes)));
}

SmallVector<OpOperand *> SiteLoopBuilder::vectorInputs(int64_t classesPerLoad,
                                                       int64_t lanes) {
  SmallVector<OpOperand *> wide;
  if (reductionDims.size() != 1)
    return wide;
  unsigned r = reductionDims.front();
  int64_t classes = op.getStaticLoopRanges()[r];
  if (ShapedType::isDynamic(classes) || classes % (lanes * classesPerLoad) != 0)
    return wide;
  for (OpOperand *in : op.getDpsInputOperands()) {
    auto type = dyn_cast<MemRefType>(in->get().getType());
    AffineMap map = op.getMatchingIndexingMap(in);
    if (!type || !type.getElementType().isIntOrFloat() ||
        !usesReductionDim(map) || op.getMatchingBlockArgument(in).use_empty())
      continue;
    // Rows start kVectorClasses-aligned from an aligned base: no offset,
    // unit innermost stride, a row length that is a multiple of the width.
    if (!type.getLayout().isIdentity() ||
        map.getResults().back() != getAffineDimExpr(r, op.getContext()) ||
        type.isDynamicDim(type.getRank() - 1) ||
        type.getShape().back() % classesPerLoad != 0 ||
        type.getElementTypeBitWidth() < 16)
      continue;
    wide.push_back(in);
  }
  return wide;
}

Value SiteLoopBuilder::read(OpBuilder &b, Location loc, OpOperand &operand) {
  Value memref = operand.get();
  if (!isa<MemRefType>(memref.getType()))
    return memref;
  AffineMap map = op.getMatchingIndexingMap(&operand);
  SmallVector<Value> indices = indicesFor(b, loc, map);
  if (!usesLaneDim(map) || width == 1)
    return memref::LoadOp::create(b, loc, memref, indices);
  auto type = VectorType::get(
      {width}, cast<MemRefType>(memref.getType()).getElementType());
  Value passThru = zeroLanes(b, loc, type.getElementType());
  unsigned pos = *map.getResultPosition(getAffineDimExpr(laneDim,
                                                         op.getContext()));
  if (pos + 1 == map.getNumResults())
    return vector::MaskedLoadOp::create(b, loc, type, memref, indices, mask,
                                        passThru);
  auto [base, offsets] = laneAddresses(b, loc, memref, indices, pos);
  return vector::GatherOp::create(b, loc, type, memref, base, offsets, mask,
                                  passThru);
}

void SiteLoopBuilder::write(OpBuilder &b, Location loc, OpOperand &operand,
                           Value value) {
  Value memref = operand.get();
  AffineMap map = op.getMatchingIndexingMap(&operand);
  SmallVector<Value> indices = indicesFor(b, loc, map);
  if (width == 1) {
    memref::StoreOp::create(b, loc, value, memref, indices);
    return;
  }
  value = toVector(b, loc, value);
  unsigned pos = *map.getResultPosition(getAffineDimExpr(laneDim,
                                                         op.getContext()));
  if (pos + 1 == map.getNumResults()) {
    vector::MaskedStoreOp::create(b, loc, memref, indices, mask, value);
    return;
  }
  auto [base, offsets] = laneAddresses(b, loc, memref, indices, pos);
  vector::ScatterOp::create(b, loc, /*resultType=*/Type(), memref, base,
                            offsets, mask, value);
}

Value SiteLoopBuilder::toVector(OpBuilder &b, Location loc, Value v) {
  if (width == 1 || isa<VectorType>(v.getType()))
    return v;
  return vector::BroadcastOp::create(b, loc,
                                     VectorType::get({width}, v.getType()), v);
}

/// Columns start .. start+count-1 of \p operand for the width sites of the
/// tile, as width contiguous row loads (masked at the tile's and the
/// reduction's edge) that transposeRows turns into columns in registers,
/// instead of count gathers.
SmallVector<Value> SiteLoopBuilder::loadRows(OpBuilder &b, Location loc,
                                            OpOperand &operand, Value start,
                                            int64_t count) {
  unsigned r = reductionDims.front();
  // The same block of the tile kPrefetchBytes ahead, row by row, into the
  // caches: the tile's work is long enough (a thousand instructions at K =
  // 27) that the out-of-order window does not reach the next tile's loads,
  // which then wait on memory (the fused KL at 1M x 27: 30 -> 20 ms).
  int64_t ahead = prefetchTiles(operand);
  int64_t laneExtentPos = *op.getMatchingIndexingMap(&operand)
                               .getResultPosition(getAffineDimExpr(
                                   laneDim, op.getContext()));
  Value lastSite = arith::SubIOp::create(
      b, loc, memref::DimOp::create(b, loc, operand.get(), laneExtentPos),
      arith::ConstantIndexOp::create(b, loc, 1));
  AffineMap map = op.getMatchingIndexingMap(&operand);
  for (int64_t j = 0; j < width; ++j) {
    dims[laneDim] = arith::MinUIOp::create(
        b, loc,
        arith::AddIOp::create(
            b, loc, laneBase,
            arith::ConstantIndexOp::create(b, loc, ahead * width + j)),
        lastSite);
    dims[r] = start;
    memref::PrefetchOp::create(b, loc, operand.get(), indicesFor(b, loc, map),
                               /*isWrite=*/false, /*localityHint=*/3,
                               /*isDataCache=*/true);
  }
  Type element = cast<MemRefType>(operand.get().getType()).getElementType();
  auto rowType = VectorType::get({width}, element);
  Value zero = zeroLanes(b, loc, element);
  Value countV = arith::ConstantIndexOp::create(b, loc, count);
  Value none = arith::ConstantIndexOp::create(b, loc, 0);
  SmallVector<Value> rows;
  for (int64_t j = 0; j < width; ++j) {
    Value jv = arith::ConstantIndexOp::create(b, loc, j);
    dims[laneDim] = arith::AddIOp::create(b, loc, laneBase, jv);
    dims[r] = start;
    Value live = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, jv,
                                       remaining);
    Value n = arith::SelectOp::create(b, loc, live, countV, none);
    Value rowMask = vector::CreateMaskOp::create(
        b, loc, VectorType::get({width}, b.getI1Type()), ValueRange{n});
    Value row = vector::MaskedLoadOp::create(
        b, loc, rowType, operand.get(), indicesFor(b, loc, map), rowMask,
        zero);
    rows.push_back(row);
  }
  dims[laneDim] = laneBase;
  return rows;
}

SmallVector<Value> SiteLoopBuilder::transposeRows(OpBuilder &b, Location loc,
                                                  SmallVector<Value> rows,
                                                  int64_t count) {
  // Swap the off-diagonal h x h blocks of every 2h x 2h block, for h =
  // width/2 .. 1: log2(width) rounds of width two-source shuffles (one
  // vpermt2ps each on AVX-512), the classic transpose network.
  for (int64_t h = width / 2; h >= 1; h /= 2) {
    SmallVector<Value> next(rows);
    for (int64_t i = 0; i < width; ++i) {
      if (i & h)
        continue;
      SmallVector<int64_t> lo, hi;
      for (int64_t p = 0; p < width; ++p) {
        lo.push_back((p & h) ? width + p - h : p);
        hi.push_back((p & h) ? width + p : p + h);
      }
      next[i] = vector::ShuffleOp::create(b, loc, rows[i], rows[i + h], lo);
      next[i + h] =
          vector::ShuffleOp::create(b, loc, rows[i], rows[i + h], hi);
    }
    rows = next;
  }
  rows.resize(count);
  return rows;
}

/// The tile's rows of \p operand (all of its `count` classes) as `count`
/// vectors of width consecutive elements, masked past the last site; and
/// the same vectors of the tile kPrefetchBytes ahead prefetched.
SmallVector<Value> SiteLoopBuilder::loadChunks(OpBuilder &b, Location loc,
                                               OpOperand &operand,
                                               int64_t count) {
  auto cst = [&](int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); };
  auto type = cast<MemRefType>(operand.get().getType());
  auto chunkType = VectorType::get({width}, type.getElementType());
  Value flat = memref::CollapseShapeOp::create(
      b, loc, operand.get(), ArrayRef<ReassociationIndices>{{0, 1}});
  Value base = arith::MulIOp::create(b, loc, laneBase, cst(count));
  Value total = arith::MulIOp::create(b, loc, remaining, cst(count));
  int64_t ahead = prefetchTiles(operand);
  Value zero = zeroLanes(b, loc, type.getElementType());
  SmallVector<Value> chunks;
  for (int64_t c = 0; c < count; ++c) {
    Value at = arith::AddIOp::create(b, loc, base, cst(c * width));
    Value soon = arith::MinUIOp::create(
        b, loc, arith::AddIOp::create(b, loc, at, cst(ahead * width * count)),
        cst(type.getNumElements() - 1));
    memref::PrefetchOp::create(b, loc, flat, ValueRange{soon},
                               /*isWrite=*/false, /*localityHint=*/3,
                               /*isDataCache=*/true);
    Value chunkMask = vector::CreateMaskOp::create(
        b, loc, VectorType::get({width}, b.getI1Type()),
        ValueRange{arith::SubIOp::create(b, loc, total, cst(c * width))});
    chunks.push_back(vector::MaskedLoadOp::create(b, loc, chunkType, flat, at,
                                                  chunkMask, zero));
  }
  return chunks;
}

/// Column k of the tile (lane i: element i * count + k of the chunks) from
/// the chunks it spans: a two-source shuffle of the first two, then one
/// more per further chunk, each keeping the lanes already filled
/// (count - 1 shuffles per column).
SmallVector<Value> SiteLoopBuilder::deinterleave(OpBuilder &b, Location loc,
                                                 ArrayRef<Value> chunks,
                                                 int64_t count) {
  SmallVector<Value> columns;
  for (int64_t k = 0; k < count; ++k) {
    auto chunkOf = [&](int64_t i) { return (i * count + k) / width; };
    auto offsetOf = [&](int64_t i) { return (i * count + k) % width; };
    int64_t first = chunkOf(0), last = chunkOf(width - 1);
    if (first == last) {
      SmallVector<int64_t> lanes;
      for (int64_t i = 0; i < width; ++i)
        lanes.push_back(offsetOf(i));
      columns.push_back(vector::ShuffleOp::create(b, loc, chunks[first],
                                                  chunks[first], lanes));
      continue;
    }
    SmallVector<int64_t> lanes;
    for (int64_t i = 0; i < width; ++i)
      lanes.push_back(chunkOf(i) == first       ? offsetOf(i)
                      : chunkOf(i) == first + 1 ? width + offsetOf(i)
                                                : 0);
    Value column = vector::ShuffleOp::create(b, loc, chunks[first],
                                             chunks[first + 1], lanes);
    for (int64_t c = first + 2; c <= last; ++c) {
      for (int64_t i = 0; i < width; ++i)
        lanes[i] = chunkOf(i) == c ? width + offsetOf(i) : i;
      column = vector::ShuffleOp::create(b, loc, column, chunks[c], lanes);
    }
    columns.push_back(column);
  }
  return columns;
}

/// Classes start .. start+count-1 of the blocked inputs for the launch's
/// block: every thread loads count elements of each input's tile, in
/// groups of kStageLoadsInFlight loads, the tile's elements taken in
/// row-major order (consecutive threads, consecutive elements: where the
/// stage holds whole rows, as at K = 27, a warp reads 32 consecutive
/// elements of memory, none twice; there, stageVector elements per load)
/// into shared memory, then each thread runs its own site's steps from its
/// row there. Rows past the last site are clamped to the last one (their
/// values are never used), so that every thread reaches both barriers.
scf::ValueVector SiteLoopBuilder::stagedBlock(
    OpBuilder &b, Location loc, Value start, int64_t count, ValueRange state,
    function_ref<scf::ValueVector(OpBuilder &, Location, ValueRange,
                                  IRMapping)>
        step,
    const IRMapping &invariant) {
  unsigned r = reductionDims.front();
  Value site = dims[laneDim];
  auto cst = [&](int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); };
  Value classes = cst(count), last = arith::SubIOp::create(
                                 b, loc, siteCount, cst(1));
  // Loads of each input: per thread, `count` elements, or where the stage
  // holds whole rows of a site-major input (its block's tile is then one
  // run of memory) kStageVectorBytes at a time, across row ends.
  SmallVector<int64_t> lanes, loads;
  int64_t most = 0;
  for (OpOperand *in : blocked) {
    int64_t v = stageVector(in, count);
    lanes.push_back(v);
    loads.push_back(v == 1 ? count : llvm::divideCeil(count, v));
    most = std::max(most, loads.back());
  }
  // The tile's row and class of element f of the block's.
  auto rowAndClass = [&](Value f) {
    Value row = arith::DivUIOp::create(b, loc, f, classes);
    return std::make_pair(row, Value(arith::RemUIOp::create(b, loc, f, classes)));
  };
  for (int64_t g = 0; g < most; g += kStageLoadsInFlight) {
    // A load (an element, or a vector of the block's elements from
    // `first` on) and the tile it goes to.
    struct Loaded {
      Value x, stage, first;
    };
    SmallVector<Loaded> loaded;
    for (auto [in, stage, v, n] : llvm::zip(blocked, stages, lanes, loads)) {
      for (int64_t e = g; e < std::min(n, g + kStageLoadsInFlight); ++e) {
        Value idx = arith::AddIOp::create(b, loc, cst(e * stageBlock), thread);
        if (v == 1) {
          auto [row, col] = rowAndClass(idx);
          dims[laneDim] = arith::MinUIOp::create(
              b, loc, arith::AddIOp::create(b, loc, blockBase, row), last);
          dims[r] = arith::AddIOp::create(b, loc, start, col);
          Value x = memref::LoadOp::create(
              b, loc, in->get(),
              indicesFor(b, loc, op.getMatchingIndexingMap(in)));
          loaded.push_back({x, stage, idx});
          continue;
        }
        // Vector idx of the block's (the last one where idx runs past it:
        // its elements are stored again, unchanged); past the last site,
        // the input's last vector (rows whose values are never used).
        auto type = cast<MemRefType>(in->get().getType());
        Value first = arith::MulIOp::create(
            b, loc,
            arith::MinUIOp::create(b, loc, idx,
                                   cst(stageBlock * count / v - 1)),
            cst(v));
        Value at = arith::MinUIOp::create(
            b, loc,
            arith::AddIOp::create(
                b, loc, arith::MulIOp::create(b, loc, blockBase, classes),
                first),
            cst(type.getNumElements() - v));
        Value x = vector::LoadOp::create(
            b, loc, VectorType::get({v}, type.getElementType()),
            flatten(b, loc, in->get()), ValueRange{at},
            /*nontemporal=*/false, llvm::MaybeAlign(kStageVectorBytes));
        loaded.push_back({x, stage, first});
      }
    }
    for (auto &[x, stage, first] : loaded) {
      auto vec = dyn_cast<VectorType>(x.getType());
      // A flat tile takes a vector whole, at its first element.
      if (vec && flatStage()) {
        vector::StoreOp::create(b, loc, x, flatten(b, loc, stage),
                                ValueRange{first}, /*nontemporal=*/false,
                                llvm::MaybeAlign(kStageVectorBytes));
        continue;
      }
      for (int64_t i = 0; i < (vec ? vec.getNumElements() : 1); ++i) {
        auto [row, col] =
            rowAndClass(i ? Value(arith::AddIOp::create(b, loc, first, cst(i)))
                          : first);
        memref::StoreOp::create(
            b, loc,
            vec ? Value(vector::ExtractOp::create(b, loc, x, i)) : x, stage,
            ValueRange{row, col});
      }
    }
  }
  dims[laneDim] = site;
  barrier(b, loc, op->getParentOfType<ModuleOp>());
  auto loop = scf::ForOp::create(
      b, loc, cst(0), cst(count), cst(1), state,
      [&](OpBuilder &b, Location loc, Value c, ValueRange args) {
        dims[r] = arith::AddIOp::create(b, loc, start, c);
        IRMapping map = invariant;
        for (auto [in, stage] : llvm::zip(blocked, stages))
          map.map(op.getMatchingBlockArgument(in),
                  memref::LoadOp::create(b, loc, stage, ValueRange{thread, c}));
        scf::YieldOp::create(b, loc, step(b, loc, args, map));
      });
  barrier(b, loc, op->getParentOfType<ModuleOp>());
  return scf::ValueVector(loop.getResults().begin(), loop.getResults().end());
}

/// An op whose operands are all scalars (the same for every lane) is cloned
/// as it is; otherwise it is rebuilt on vectors, its scalar operands
/// broadcast.
void SiteLoopBuilder::cloneBodyOp(OpBuilder &b, Operation &bodyOp,
                                 IRMapping &map) {
  Location loc = bodyOp.getLoc();
  if (auto index = dyn_cast<linalg::IndexOp>(bodyOp)) {
    Value v = dims[index.getDim()];
    if (index.getDim() == laneDim && width > 1) {
      v = arith::AddIOp::create(b, loc, laneNumbers(b, loc),
                                toVector(b, loc, laneBase));
    }
    map.map(index.getResult(), v);
    return;
  }
  SmallVector<Value> operands = llvm::map_to_vector(
      bodyOp.getOperands(), [&](Value v) { return map.lookupOrDefault(v); });
  if (llvm::none_of(operands,
                    [](Value v) { return isa<VectorType>(v.getType()); })) {
    b.clone(bodyOp, map);
    return;
  }
  for (Value &v : operands)
    v = toVector(b, loc, v);
  SmallVector<Type> types = llvm::map_to_vector(
      bodyOp.getResultTypes(),
      [&](Type t) -> Type { return VectorType::get({width}, t); });
  Operation *vectorOp = b.create(loc, bodyOp.getName().getIdentifier(),
                                 operands, types, bodyOp.getAttrs());
  map.map(bodyOp.getResults(), vectorOp->getResults());
}

void SiteLoopBuilder::rewrite(RewriterBase &rewriter) {
  Location loc = op.getLoc();
  for (Operation *o : between)
    rewriter.moveOpBefore(o, op);
  rewriter.setInsertionPoint(op);
  SmallVector<Range> ranges =
      cast<linalg::LinalgOp>(op.getOperation()).createLoopRanges(rewriter, loc);
  auto value = [&](OpFoldResult r) {
    return getValueOrCreateConstantIndexOp(rewriter, loc, r);
  };
  SmallVector<Value> lbs, ubs, steps;
  for (unsigned d : parallelDims) {
    lbs.push_back(value(ranges[d].offset));
    ubs.push_back(value(ranges[d].size));
    steps.push_back(d == laneDim
                        ? arith::ConstantIndexOp::create(rewriter, loc, width)
                        : value(ranges[d].stride));
  }
  auto yield = cast<linalg::YieldOp>(op.getBody()->getTerminator());
  auto inits = op.getDpsInitsMutable();
  SmallVector<unsigned> carried = carriedOutputs();

  auto tile = [&](OpBuilder &b, Location loc, ValueRange ivs) {
        dims.assign(op.getNumLoops(), Value());
        for (auto [d, iv] : llvm::zip(parallelDims, ivs))
          dims[d] = iv;
        laneBase = dims[laneDim];
        remaining = arith::SubIOp::create(
            b, loc, ubs[llvm::find(parallelDims, laneDim) -
                        parallelDims.begin()],
            laneBase);
        if (width > 1)
          mask = vector::CreateMaskOp::create(
              b, loc, VectorType::get({width}, b.getI1Type()),
              ValueRange{remaining});

        // Values that do not change along the reduction.
        IRMapping invariant;
        for (OpOperand *in : op.getDpsInputOperands())
          if (!usesReductionDim(op.getMatchingIndexingMap(in)) &&
              !op.getMatchingBlockArgument(in).use_empty())
            invariant.map(op.getMatchingBlockArgument(in), read(b, loc, *in));
        SmallVector<Value> initial(inits.size());
        for (auto [i, init] : llvm::enumerate(inits)) {
          if (op.getMatchingBlockArgument(&init).use_empty() &&
              (reductionDims.empty() || sunkOutputs.contains(i)))
            continue;
          auto it = scratch.find(i);
          initial[i] = toVector(b, loc,
                                it != scratch.end()
                                    ? it->second.getInputs()[0]
                                    : read(b, loc, init));
        }

        auto body = [&](OpBuilder &b, Location loc, IRMapping map) {
          for (OpOperand *in : op.getDpsInputOperands()) {
            BlockArgument arg = op.getMatchingBlockArgument(in);
            if (usesReductionDim(op.getMatchingIndexingMap(in)) &&
                !map.contains(arg) &&
                llvm::any_of(arg.getUsers(), [&](Operation *u) {
                  return !skipPerClass.contains(u);
                }))
              map.map(arg, read(b, loc, *in));
          }
          for (Operation &bodyOp : op.getBody()->without_terminator())
            if (!skipPerClass.contains(&bodyOp))
              cloneBodyOp(b, bodyOp, map);
          return map;
        };

        SmallVector<Value> results(inits.size());
        if (reductionDims.empty()) {
          IRMapping map = invariant;
          for (auto [i, init] : llvm::enumerate(inits))
            if (initial[i])
              map.map(op.getMatchingBlockArgument(&init), initial[i]);
          map = body(b, loc, map);
          for (auto [i, v] : llvm::enumerate(yield.getValues()))
            results[i] = map.lookupOrDefault(v);
        } else {
          SmallVector<Value> rlbs, rubs, rsteps, iterArgs;
          for (unsigned d : reductionDims) {
            rlbs.push_back(value(ranges[d].offset));
            rubs.push_back(value(ranges[d].size));
            rsteps.push_back(value(ranges[d].stride));
          }
          for (unsigned i : carried)
            iterArgs.push_back(initial[i]);
          // One step of the reduction: the body at the current dims, on
          // the carried state, with \p preloaded inputs already read.
          auto step = [&](OpBuilder &b, Location loc, ValueRange state,
                          IRMapping map, IRMapping *bodyMap = nullptr) {
            for (auto [i, arg] : llvm::zip(carried, state))
              map.map(op.getMatchingBlockArgument(&inits[i]), arg);
            map = body(b, loc, map);
            if (bodyMap)
              *bodyMap = map;
            scf::ValueVector next;
            for (auto [pos, i] : llvm::enumerate(carried))
              next.push_back(frozen(pos)
                                 ? state[pos]
                                 : toVector(b, loc,
                                            map.lookupOrDefault(
                                                yield.getValues()[i])));
            return next;
          };
          // `count` classes from `start` on, unrolled, class c of body
          // value `keys[i]` (an input's element, or a row op's result)
          // taken from what was already computed (`value(b, loc, i, c)`);
          // `each` sees every step's body mapping.
          using ClassValue =
              function_ref<Value(OpBuilder &, Location, unsigned, int64_t)>;
          auto unrolled = [&](OpBuilder &b, Location loc, Value start,
                              int64_t count, ValueRange state,
                              ArrayRef<Value> keys, ClassValue value,
                              function_ref<void(IRMapping &)> each = nullptr) {
            scf::ValueVector cur(state.begin(), state.end());
            for (int64_t c = 0; c < count; ++c) {
              dims[reductionDims.front()] =
                  c == 0 ? start
                         : Value(arith::AddIOp::create(
                               b, loc, start,
                               arith::ConstantIndexOp::create(b, loc, c)));
              IRMapping map = invariant;
              for (auto [i, key] : llvm::enumerate(keys))
                map.map(key, value(b, loc, i, c));
              cur = step(b, loc, cur, map, each ? &map : nullptr);
              if (each)
                each(map);
            }
            return cur;
          };
          auto argsOf = [&](ArrayRef<OpOperand *> ins) {
            return llvm::map_to_vector(ins, [&](OpOperand *in) -> Value {
              return op.getMatchingBlockArgument(in);
            });
          };
          // Class c of the i-th of `loads` (vectors of classes).
          auto element = [](ArrayRef<Value> loads) {
            return [loads](OpBuilder &b, Location loc, unsigned i,
                           int64_t c) -> Value {
              return vector::ExtractOp::create(b, loc, loads[i], c);
            };
          };
          // The log-sum-exp of a block in two passes (blockLse): the max
          // and the sum of exps of its classes' terms by pairwise trees,
          // merged into the state once.
          auto mergeBlockLse = [&](OpBuilder &b, Location loc,
                                   ArrayRef<Value> terms,
                                   scf::ValueVector &cur) {
            auto tree = [&](ArrayRef<Value> values,
                            function_ref<Value(Value, Value)> combine) {
              SmallVector<Value> v(values);
              for (size_t gap = 1; gap < v.size(); gap *= 2)
                for (size_t i = 0; i + gap < v.size(); i += 2 * gap)
                  v[i] = combine(v[i], v[i + gap]);
              return v.empty() ? Value() : v.front();
            };
            auto max = [&](Value x, Value y) -> Value {
              return arith::MaximumFOp::create(b, loc, x, y);
            };
            Value bm = tree(terms, max);
            SmallVector<Value> exps;
            for (Value t : terms)
              exps.push_back(math::ExpOp::create(
                  b, loc, arith::SubFOp::create(b, loc, t, bm)));
            Value bs = tree(exps, [&](Value x, Value y) -> Value {
              return arith::AddFOp::create(b, loc, x, y);
            });
            // A block of -inf terms is empty (its exps would be NaN).
            Value empty = arith::CmpFOp::create(
                b, loc, arith::CmpFPredicate::OEQ, bm,
                tessera::cstLike(b, loc, bm.getType(),
                                 -std::numeric_limits<double>::infinity()));
            bs = arith::SelectOp::create(
                b, loc, empty, tessera::cstLike(b, loc, bm.getType(), 0.0), bs);
            Value m = cur[blockLse->max], s = cur[blockLse->sum];
            cur[blockLse->sum] = tessera::lseMerge(b, loc, m, s, bm, bs);
            cur[blockLse->max] = max(m, bm);
          };
          // Blocks of width classes, unrolled: each blocked input is
          // loaded as rows and transposed once per block.
          auto block = [&](OpBuilder &b, Location loc, Value start,
                           int64_t count, ValueRange state) {
            if (stageBlock)
              return stagedBlock(b, loc, start, count, state, step, invariant);
            // The rows of the blocked inputs the body reads, the row ops on
            // them, and a transpose per value read further.
            SmallVector<IRMapping> rowMaps(flatRows ? count : width);
            for (OpOperand *in : blocked) {
              BlockArgument arg = op.getMatchingBlockArgument(in);
              if (llvm::all_of(arg.getUsers(), [&](Operation *u) {
                    return skipPerClass.contains(u) && !rowOps.contains(u);
                  }) &&
                  !llvm::is_contained(rowValues, Value(arg)))
                continue;
              for (auto [j, row] : llvm::enumerate(
                       flatRows ? loadChunks(b, loc, *in, count)
                                : loadRows(b, loc, *in, start, count)))
                rowMaps[j].map(arg, row);
            }
            if (!rowOps.empty())
              for (IRMapping &rm : rowMaps) {
                for (Operation &bodyOp : op.getBody()->without_terminator())
                  if (isa<arith::ConstantOp>(bodyOp))
                    b.clone(bodyOp, rm);
                for (Operation *o : rowOps)
                  cloneBodyOp(b, *o, rm);
              }
            SmallVector<SmallVector<Value>> columns;
            for (Value v : rowValues) {
              SmallVector<Value> pieces = llvm::map_to_vector(
                  rowMaps, [&](IRMapping &rm) { return rm.lookup(v); });
              columns.push_back(flatRows
                                    ? deinterleave(b, loc, pieces, count)
                                    : transposeRows(b, loc, pieces, count));
            }
            SmallVector<Value> terms;
            auto collect = [&](IRMapping &map) {
              terms.push_back(toVector(b, loc, map.lookup(blockLse->term)));
            };
            scf::ValueVector cur = unrolled(
                b, loc, start, count, state, rowValues,
                [&](OpBuilder &, Location, unsigned i, int64_t c) {
                  return columns[i][c];
                },
                blockLse ? function_ref<void(IRMapping &)>(collect) : nullptr);
            if (blockLse)
              mergeBlockLse(b, loc, terms, cur);
            return cur;
          };
          scf::LoopNest nest;
          if (warpSplit) {
            unsigned r = reductionDims.front();
            siteLane = lane;
            if (siteWarps > 1)
              siteLane = arith::AddIOp::create(
                  b, loc,
                  arith::MulIOp::create(
                      b, loc, warpId,
                      arith::ConstantIndexOp::create(b, loc, kWarp)),
                  lane);
            Value zeroLane = arith::CmpIOp::create(
                b, loc, arith::CmpIPredicate::eq, siteLane,
                arith::ConstantIndexOp::create(b, loc, 0));
            // Lane 0 starts from the initial state, the others from the
            // merge's identity (a pick from the initial value, no hit).
            scf::ValueVector state;
            for (auto [init, m] : llvm::zip(iterArgs, merges)) {
              Type t = init.getType();
              std::optional<TypedAttr> identity;
              if (m.kind == MergeKind::lseSum)
                identity = b.getFloatAttr(t, 0.0);
              else if (m.kind == MergeKind::fmaSum)
                identity = b.getFloatAttr(t, -0.0);
              else if (m.kind == MergeKind::combine)
                identity = arith::getNeutralElement(m.combiner);
              if (!identity) {
                state.push_back(init);
                continue;
              }
              Value id = arith::ConstantOp::create(b, loc, *identity);
              state.push_back(
                  arith::SelectOp::create(b, loc, zeroLane, init, id));
            }
            for (const Merge &m : merges)
              if (m.kind == MergeKind::pick)
                state.push_back(arith::ConstantOp::create(
                    b, loc, b.getBoolAttr(false)));
            unsigned n = merges.size();
            // Inputs read along the reduction from contiguous rows load
            // several classes per lane at once when the rows split evenly
            // into warp-wide chunks: 16 bytes of the narrowest such input
            // (kVectorClasses of f32, twice that of bf16 or f16, whose f32
            // partners then take two 128-bit loads).
            auto narrow = [](OpOperand *in) {
              return cast<MemRefType>(in->get().getType())
                         .getElementTypeBitWidth() <= 16;
            };
            SmallVector<OpOperand *> wide;
            int64_t v = 1;
            if (lanesPerSite == kWarp) {
              wide = vectorInputs(2 * kVectorClasses, kWarp * siteWarps);
              v = 2 * kVectorClasses;
              if (!llvm::any_of(wide, narrow)) {
                wide = vectorInputs(kVectorClasses, kWarp * siteWarps);
                v = kVectorClasses;
              }
            }
            // Measured on the H100 at 256K x 256: the fused KL 0.235 ->
            // 0.203 ms, the update with its fused normalisation 0.317 ->
            // 0.46 ms in f32 but 0.267 -> 0.208 in bf16; so a fused
            // consumer of f32 rows only keeps them scalar (an epilogue
            // reads no rows).
            if (consumer && epilogueDims.empty() &&
                !llvm::any_of(wide, narrow))
              wide.clear();
            if (wide.empty())
              v = 1;
            Value lanes = arith::ConstantIndexOp::create(
                b, loc, lanesPerSite * siteWarps * v);
            Value first = v == 1 ? siteLane
                                 : Value(arith::MulIOp::create(
                                       b, loc, siteLane,
                                       arith::ConstantIndexOp::create(b, loc, v)));
            auto loop = scf::ForOp::create(
                b, loc, first, value(ranges[r].size), lanes, state,
                [&](OpBuilder &b, Location loc, Value k, ValueRange args) {
                  dims[r] = k;
                  SmallVector<Value> loaded;
                  for (OpOperand *in : wide)
                    loaded.push_back(loadClasses(b, loc, *in, v));
                  SmallVector<Value> flags(args.drop_front(n).begin(),
                                           args.drop_front(n).end());
                  scf::ValueVector cur = unrolled(
                      b, loc, k, v, args.take_front(n), argsOf(wide),
                      element(loaded), [&](IRMapping &map) {
                        unsigned flag = 0;
                        for (const Merge &m : merges)
                          if (m.kind == MergeKind::pick) {
                            flags[flag] = arith::OrIOp::create(
                                b, loc, flags[flag], map.lookup(m.condition));
                            ++flag;
                          }
                      });
                  llvm::append_range(cur, flags);
                  scf::YieldOp::create(b, loc, cur);
                });
            state.assign(loop.getResults().begin(), loop.getResults().end());
            Type i32 = b.getI32Type();
            Value warp = arith::ConstantIntOp::create(b, loc, i32, kWarp);
            auto shuffleMerge = [&](int64_t lanes) {
              for (int64_t offset = lanes / 2; offset >= 1; offset /= 2) {
                Value off = arith::ConstantIntOp::create(b, loc, i32, offset);
                scf::ValueVector other;
                for (Value v : state) {
                  bool flagBit = v.getType().isInteger(1);
                  Value moved =
                      flagBit ? Value(arith::ExtUIOp::create(b, loc, i32, v))
                              : v;
                  Value got = gpu::ShuffleOp::create(b, loc, moved, off, warp,
                                                     gpu::ShuffleMode::XOR)
                                  .getShuffleResult();
                  if (flagBit)
                    got = arith::TruncIOp::create(b, loc, b.getI1Type(), got);
                  other.push_back(got);
                }
                state = mergeLanes(b, loc, state, other);
              }
            };
            shuffleMerge(lanesPerSite);
            if (siteWarps > 1) {
              // Lane 0 of each warp holds its warp's state: through shared
              // memory (as 32-bit words) to lanes 0 .. siteWarps - 1 of
              // every warp, merged there by shuffles again.
              auto tile = memref::GetGlobalOp::create(
                  b, loc, mergeTile.getType(), mergeTile.getSymName());
              auto toWord = [&](Value v) -> Value {
                if (v.getType().isInteger(1))
                  return arith::ExtUIOp::create(b, loc, i32, v);
                if (v.getType().isF32())
                  return arith::BitcastOp::create(b, loc, i32, v);
                return v;
              };
              auto fromWord = [&](Value w, Type t) -> Value {
                if (t.isInteger(1))
                  return arith::TruncIOp::create(b, loc, t, w);
                if (t.isF32())
                  return arith::BitcastOp::create(b, loc, t, w);
                return w;
              };
              Value first = arith::CmpIOp::create(
                  b, loc, arith::CmpIPredicate::eq, lane,
                  arith::ConstantIndexOp::create(b, loc, 0));
              auto put = scf::IfOp::create(b, loc, first, /*withElse=*/false);
              {
                OpBuilder::InsertionGuard g(b);
                b.setInsertionPointToStart(put.thenBlock());
                for (auto [i, v] : llvm::enumerate(state))
                  memref::StoreOp::create(
                      b, loc, toWord(v), tile,
                      ValueRange{warpId,
                                 arith::ConstantIndexOp::create(b, loc, i)});
              }
              barrier(b, loc, op->getParentOfType<ModuleOp>());
              Value from = arith::MinUIOp::create(
                  b, loc, lane,
                  arith::ConstantIndexOp::create(b, loc, siteWarps - 1));
              for (size_t i = 0; i < state.size(); ++i)
                state[i] = fromWord(
                    memref::LoadOp::create(
                        b, loc, tile,
                        ValueRange{from,
                                   arith::ConstantIndexOp::create(b, loc, i)}),
                    state[i].getType());
              shuffleMerge(siteWarps);
            }
            state.resize(n);
            nest.results = state;
          } else if (!blocked.empty()) {
            int64_t blockClasses = stageBlock ? kStageClasses : width;
            int64_t full = blockedExtent / blockClasses * blockClasses;
            scf::ValueVector state(iterArgs.begin(), iterArgs.end());
            if (full > 0) {
              auto loop = scf::ForOp::create(
                  b, loc, arith::ConstantIndexOp::create(b, loc, 0),
                  arith::ConstantIndexOp::create(b, loc, full),
                  arith::ConstantIndexOp::create(b, loc, blockClasses), state,
                  [&](OpBuilder &b, Location loc, Value kb, ValueRange args) {
                    scf::YieldOp::create(b, loc,
                                         block(b, loc, kb, blockClasses, args));
                  });
              state.assign(loop.getResults().begin(),
                           loop.getResults().end());
            }
            if (blockedExtent > full)
              state = block(b, loc, arith::ConstantIndexOp::create(b, loc, full),
                            blockedExtent - full, state);
            nest.results = state;
          } else if (SmallVector<OpOperand *> wide = rowInputs();
                     !wide.empty()) {
            // A GPU thread's whole row of at most kVectorClasses classes in
            // one load per input (8 bytes at K = 2), the classes unrolled.
            int64_t classes = op.getStaticLoopRanges()[reductionDims.front()];
            Value zero = arith::ConstantIndexOp::create(b, loc, 0);
            dims[reductionDims.front()] = zero;
            SmallVector<Value> rows;
            for (OpOperand *in : wide)
              rows.push_back(loadClasses(b, loc, *in, classes));
            nest.results = unrolled(b, loc, zero, classes, iterArgs,
                                    argsOf(wide), element(rows));
          } else {
            nest = scf::buildLoopNest(
                b, loc, rlbs, rubs, rsteps, iterArgs,
                [&](OpBuilder &b, Location loc, ValueRange rivs,
                    ValueRange args) -> scf::ValueVector {
                  for (auto [d, iv] : llvm::zip(reductionDims, rivs))
                    dims[d] = iv;
                  return step(b, loc, args, invariant);
                });
          }
          // After the loop, the reduction dimensions are not defined; sunk
          // ops never read them.
          for (unsigned d : reductionDims)
            dims[d] = Value();
          // The picks: one gather per tile at each site's class (from its
          // per-site inputs), the state kept where the class is out of
          // range (no class hit).
          for (const GatherPick &p : gatherPicks) {
            llvm::DenseSet<Operation *> slice;
            SmallVector<Value> worklist{p.cls};
            while (!worklist.empty()) {
              Operation *def = worklist.pop_back_val().getDefiningOp();
              if (def && def->getBlock() == op.getBody() &&
                  slice.insert(def).second)
                llvm::append_range(worklist, def->getOperands());
            }
            IRMapping m = invariant;
            for (Operation &bodyOp : op.getBody()->without_terminator())
              if (slice.contains(&bodyOp))
                cloneBodyOp(b, bodyOp, m);
            Value cls = toVector(b, loc, m.lookupOrDefault(p.cls));
            int64_t classes =
                cast<MemRefType>(p.input->get().getType()).getShape()[1];
            auto indexVec = VectorType::get({width}, b.getIndexType());
            Value k = arith::ConstantOp::create(
                b, loc, DenseElementsAttr::get(indexVec, ArrayRef<int64_t>(
                                                             classes)));
            Value inRange = arith::CmpIOp::create(
                b, loc, arith::CmpIPredicate::ult, cls, k);
            Value offsets = arith::IndexCastOp::create(
                b, loc, VectorType::get({width}, b.getI32Type()),
                arith::AddIOp::create(
                    b, loc,
                    arith::MulIOp::create(b, loc, laneNumbers(b, loc), k),
                    cls));
            Value zero = arith::ConstantIndexOp::create(b, loc, 0);
            Value passThru = nest.results[p.pos];
            nest.results[p.pos] = vector::GatherOp::create(
                b, loc, cast<VectorType>(passThru.getType()), p.input->get(),
                ValueRange{laneBase, zero}, offsets,
                Value(arith::AndIOp::create(b, loc, mask, inRange)),
                passThru);
          }
          IRMapping finish = invariant;
          for (auto [i, v] : llvm::zip(carried, nest.results)) {
            results[i] = v;
            finish.map(yield.getValues()[i], v);
          }
          for (Operation &bodyOp : op.getBody()->without_terminator())
            if (sunkOps.contains(&bodyOp))
              cloneBodyOp(b, bodyOp, finish);
          for (unsigned i : sunkOutputs) {
            // Bufferization gives an output the body never reads an
            // uninitialised buffer, so an empty reduction has no value to
            // keep here: finishing from the initial state is as good.
            results[i] = toVector(
                b, loc, finish.lookupOrDefault(yield.getValues()[i]));
          }
        }
        Value live;
        if (stageBlock || warpSplit) {
          // Threads past the last site computed on a clamped one.
          live = arith::CmpIOp::create(
              b, loc, arith::CmpIPredicate::ult,
              arith::AddIOp::create(b, loc, blockBase, thread), siteCount);
        }
        if (consumer && stageBlock)
          emitStagedConsumer(b, loc, results);
        else if (consumer && width > 1)
          emitVectorConsumer(b, loc, results);
        else if (consumer && epilogueDims.empty())
          emitConsumer(b, loc, results, live);
        if (live) {
          // Of a warp (a block, split over its warps), lane 0 writes.
          Value writer = live;
          if (warpSplit)
            writer = arith::AndIOp::create(
                b, loc, live,
                arith::CmpIOp::create(
                    b, loc, arith::CmpIPredicate::eq, siteLane,
                    arith::ConstantIndexOp::create(b, loc, 0)));
          auto guard = scf::IfOp::create(b, loc, writer, /*withElse=*/false);
          b.setInsertionPointToStart(guard.thenBlock());
        }
        for (auto [i, init] : llvm::enumerate(inits))
          if (!deadScratch(i) && !onlyForConsumer(i))
            write(b, loc, init, results[i]);
        if (consumer && !epilogueDims.empty())
          emitConsumerAt(b, loc, results,
                         llvm::map_to_vector(epilogueDims, [&](int64_t d) {
                           return dims[d];
                         }));
      };
  // A launch of x * y threads per block over the sites (a site per thread
  // along y, or along x), each thread on its clamped site; prologue runs
  // first in the body.
  auto launchOverSites = [&](int64_t x, int64_t y, bool sitesAlongY,
                             function_ref<void(gpu::LaunchOp)> prologue,
                             bool sitePerBlock = false) {
    siteCount = ubs.front();
    for (Value ub : ArrayRef<Value>(ubs).drop_front())
      siteCount = arith::MulIOp::create(rewriter, loc, siteCount, ub);
    Value perBlock = arith::ConstantIndexOp::create(
        rewriter, loc, sitePerBlock ? 1 : sitesAlongY ? y : x);
    Value grid = arith::CeilDivUIOp::create(rewriter, loc, siteCount, perBlock);
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    auto launch = gpu::LaunchOp::create(
        rewriter, loc, grid, one, one,
        arith::ConstantIndexOp::create(rewriter, loc, x),
        arith::ConstantIndexOp::create(rewriter, loc, y), one);
    OpBuilder::InsertionGuard g(rewriter);
    rewriter.setInsertionPointToStart(&launch.getBody().front());
    prologue(launch);
    thread = sitePerBlock ? Value(arith::ConstantIndexOp::create(rewriter, loc, 0))
             : sitesAlongY ? launch.getThreadIds().y
                           : launch.getThreadIds().x;
    blockBase =
        arith::MulIOp::create(rewriter, loc, launch.getBlockIds().x, perBlock);
    Value site = arith::MinUIOp::create(
        rewriter, loc, arith::AddIOp::create(rewriter, loc, blockBase, thread),
        arith::SubIOp::create(rewriter, loc, siteCount, one));
    // Several parallel dims: the site index delinearised, last dim fastest.
    SmallVector<Value> ivs(ubs.size());
    for (size_t i = ubs.size(); i-- > 1;) {
      ivs[i] = arith::RemUIOp::create(rewriter, loc, site, ubs[i]);
      site = arith::DivUIOp::create(rewriter, loc, site, ubs[i]);
    }
    ivs[0] = site;
    tile(rewriter, loc, ivs);
    rewriter.setInsertionPointToEnd(&launch.getBody().front());
    gpu::TerminatorOp::create(rewriter, loc);
  };
  if (warpSplit && siteWarps > 1) {
    // A site per block: 32 lanes along x, siteWarps warps along y, and a
    // word per warp and carried value (and pick flag) to merge them.
    int64_t words = 0;
    for (const Merge &m : merges)
      words += m.kind == MergeKind::pick ? 2 : 1;
    mergeTile = tessera::site_loops::sharedTile(
        op->getParentOfType<ModuleOp>(), loc, {siteWarps, words},
        rewriter.getI32Type());
    launchOverSites(kWarp, siteWarps, /*sitesAlongY=*/true,
                    [&](gpu::LaunchOp launch) {
                      lane = launch.getThreadIds().x;
                      warpId = launch.getThreadIds().y;
                    },
                    /*sitePerBlock=*/true);
  } else if (warpSplit) {
    // lanesPerSite lanes along x, gpuBlock / lanesPerSite sites per block
    // along y (consecutive threads: a warp holds 32 / lanesPerSite sites).
    launchOverSites(lanesPerSite,
                    std::max<int64_t>(1, gpuBlock / lanesPerSite),
                    /*sitesAlongY=*/true,
                    [&](gpu::LaunchOp launch) { lane = launch.getThreadIds().x; });
  } else if (gpuBlock > 0 && !blocked.empty() && !reductionDims.empty()) {
    // One site per thread, blocks of stageBlock sites, the blocked inputs'
    // tiles in shared memory (rows padded by one element: a thread's row
    // and a warp's stores both fall in 32 different banks).
    stageBlock = gpuBlock;
    while (stageBlock > 32 &&
           stageBlock * ((kStageClasses + 1) * 4 * int64_t(blocked.size()) +
                         8 * int64_t(perSiteValues.size())) >
               40 * 1024)
      stageBlock /= 2;
    SmallVector<memref::GlobalOp> tiles;
    auto module = op->getParentOfType<ModuleOp>();
    for (OpOperand *in : blocked)
      tiles.push_back(tessera::site_loops::sharedTile(
          module, loc, {stageBlock, stageColumns()},
          cast<MemRefType>(in->get().getType()).getElementType()));
    if (consumer)
      for (Value v : perSiteValues)
        perSiteTiles.push_back(tessera::site_loops::sharedTile(
            module, loc, {stageBlock}, v.getType()));
    launchOverSites(stageBlock, 1, /*sitesAlongY=*/false,
                    [&](gpu::LaunchOp) {
                      stages.clear();
                      for (memref::GlobalOp tile : tiles)
                        stages.push_back(memref::GetGlobalOp::create(
                            rewriter, loc, tile.getType(), tile.getSymName()));
                      perSiteStages.clear();
                      for (memref::GlobalOp tile : perSiteTiles)
                        perSiteStages.push_back(memref::GetGlobalOp::create(
                            rewriter, loc, tile.getType(), tile.getSymName()));
                    });
  } else {
    scf::ParallelOp::create(rewriter, loc, lbs, ubs, steps, tile);
  }
  SmallVector<Operation *> deadAllocs;
  for (unsigned i = 0; i < op.getNumDpsInits(); ++i)
    if (onlyForConsumer(i) && !deadScratch(i))
      deadAllocs.push_back(op.getDpsInits()[i].getDefiningOp());
  for (auto [i, fill] : scratch) {
    if (deadScratch(i))
      deadAllocs.push_back(fill.getOutputs()[0].getDefiningOp());
    rewriter.eraseOp(fill);
  }
  if (consumer)
    rewriter.eraseOp(consumer);
  rewriter.eraseOp(op);
  for (Operation *alloc : deadAllocs)
    rewriter.eraseOp(alloc);
}

void tessera::site_loops::lowerToSiteLoops(
    ModuleOp module, int64_t width, int64_t gpuBlock,
    tiled_contraction::TensorCores tensorCores) {
  if (width < 1)
    return;
  IRRewriter rewriter(module.getContext());
  // Fills stay named: the op they initialise may absorb them (initialFill);
  // the rest are plain store loops LLVM vectorises by itself.
  SmallVector<linalg::LinalgOp> named;
  module.walk([&](linalg::LinalgOp op) {
    if (!isa<linalg::GenericOp, linalg::FillOp>(op) &&
        op.hasPureBufferSemantics())
      named.push_back(op);
  });
  for (linalg::LinalgOp op : named) {
    rewriter.setInsertionPoint(op);
    (void)linalg::generalizeNamedOp(rewriter, op);
  }
  SmallVector<linalg::GenericOp> generics;
  module.walk([&](linalg::GenericOp op) { generics.push_back(op); });
  llvm::DenseSet<Operation *> fused;
  // Tiled contractions first claim the copies that initialise them: those
  // come earlier in the walk and would become loops of their own.
  struct Tiled {
    tessera::tiled_contraction::Plan plan;
    linalg::GenericOp copy, consumer;
  };
  llvm::MapVector<Operation *, Tiled> tiled;
  llvm::DenseMap<Operation *, Operation *> claimed;
  if (gpuBlock > 0)
    for (linalg::GenericOp op : generics)
      if (auto plan = tessera::tiled_contraction::plan(op, tensorCores)) {
        // Each copy or consumer goes to one contraction (a copy of one
        // contraction's output into another's initial value is the
        // first's epilogue).
        linalg::GenericOp copy = tessera::tiled_contraction::initialCopy(op);
        linalg::GenericOp consumer = tessera::tiled_contraction::epilogue(op);
        if (copy && claimed.contains(copy))
          copy = {};
        if (consumer && claimed.contains(consumer))
          consumer = {};
        if (copy)
          claimed[copy] = op;
        if (consumer)
          claimed[consumer] = op;
        tiled[op] = {*plan, copy, consumer};
      }
  for (linalg::GenericOp op : generics) {
    if (fused.contains(op) || claimed.contains(op))
      continue;
    if (auto it = tiled.find(op); it != tiled.end()) {
      tessera::tiled_contraction::lower(rewriter, op, it->second.plan,
                                        it->second.copy, it->second.consumer);
      continue;
    }
    SiteLoopBuilder builder(op, width, gpuBlock);
    if (!builder.analyse())
      continue;
    if (linalg::GenericOp consumer = builder.fusedConsumer()) {
      fused.insert(consumer);
      // A reduction's fused consumer stays fused: the contraction that
      // claimed it (the copy it initialises from, its epilogue) does
      // without.
      if (auto it = claimed.find(consumer); it != claimed.end()) {
        Tiled &t = tiled[it->second];
        (t.copy == consumer ? t.copy : t.consumer) = {};
        claimed.erase(it);
      }
    }
    builder.rewrite(rewriter);
  }
}

memref::GlobalOp tessera::site_loops::sharedTile(ModuleOp module,
                                                 Location loc,
                                                 ArrayRef<int64_t> shape,
                                                 Type elementType) {
  auto workgroup = gpu::AddressSpaceAttr::get(
      module.getContext(), gpu::GPUDialect::getWorkgroupAddressSpace());
  SymbolTable symbols(module);
  OpBuilder top = OpBuilder::atBlockBegin(module.getBody());
  auto global = memref::GlobalOp::create(
      top, loc, "__tessera_stage", top.getStringAttr("private"),
      MemRefType::get(shape, elementType, MemRefLayoutAttrInterface(),
                      workgroup),
      /*initial_value=*/Attribute(), /*constant=*/false,
      /*alignment=*/top.getI64IntegerAttr(16));
  symbols.insert(global);
  return global;
}

void tessera::site_loops::eraseHostStageTiles(ModuleOp module) {
  for (auto global :
       llvm::make_early_inc_range(module.getOps<memref::GlobalOp>()))
    if (auto space = dyn_cast_or_null<gpu::AddressSpaceAttr>(
            global.getType().getMemorySpace());
        space && space.getValue() == gpu::AddressSpace::Workgroup &&
        SymbolTable::symbolKnownUseEmpty(global, module))
      global.erase();
}

void tessera::site_loops::materializeBarriers(ModuleOp module) {
  auto marker = module.lookupSymbol<func::FuncOp>(kBarrierMarker);
  if (!marker)
    return;
  module.walk([](func::CallOp call) {
    if (call.getCallee() != kBarrierMarker)
      return;
    OpBuilder b(call);
    gpu::BarrierOp::create(b, call.getLoc());
    call.erase();
  });
  marker.erase();
}

bool tessera::site_loops::fewOutputs(linalg::LinalgOp op) {
  int64_t outputs = 1;
  for (auto [range, it] :
       llvm::zip(op.getStaticLoopRanges(), op.getIteratorTypesArray()))
    if (it == utils::IteratorType::parallel) {
      if (ShapedType::isDynamic(range) || outputs > kMaxSplitOutputs)
        return false;
      outputs *= range;
    }
  return outputs <= kMaxSplitOutputs;
}

std::optional<int64_t>
tessera::site_loops::staticTripCount(scf::ParallelOp loop) {
  int64_t trips = 1;
  for (auto [lb, ub, step] : llvm::zip(
           loop.getLowerBound(), loop.getUpperBound(), loop.getStep())) {
    std::optional<int64_t> l = getConstantIntValue(lb);
    std::optional<int64_t> u = getConstantIntValue(ub);
    std::optional<int64_t> s = getConstantIntValue(step);
    if (!l || !u || !s || *s <= 0)
      return std::nullopt;
    trips *= std::max<int64_t>(0, (*u - *l + *s - 1) / *s);
  }
  return trips;
}
