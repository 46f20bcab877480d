//===- TesseraToTile.cpp - tessera-to-tile --------------------------------===//
//
// Schedule IR -> Tile IR. cpu: elementwise ops on tensors to linalg,
// one-shot bufferization across function
// boundaries (identity layouts, C-compatible descriptors), linalg to
// vectorised (SiteLoops.h) or scalar parallel loops over the sites,
// buffer deallocation. nvvm/rocdl: grids of one thread per site
// (GPUPlacement.h).
//
//===----------------------------------------------------------------------===//

#include "tessera/Conversion/LinalgBuilders.h"
#include "tessera/Conversion/Passes.h"

#include "SiteLoops.h"
#include "GPUPlacement.h"
#include "TiledContraction.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

namespace tessera {
#define GEN_PASS_DEF_TESSERATOTILEPASS
#include "tessera/Conversion/Passes.h.inc"
} // namespace tessera

using namespace mlir;

/// A public function's caller is outside the module and owns the argument
/// buffers: bufferization must not write into them (it would clobber a
/// runtime user's inputs), so their tensors are marked read-only.
static void markPublicArgumentsReadOnly(ModuleOp module) {
  for (auto func : module.getOps<func::FuncOp>()) {
    if (func.isExternal() || !func.isPublic())
      continue;
    for (auto [i, type] : llvm::enumerate(func.getArgumentTypes()))
      if (isa<TensorType>(type) &&
          !func.getArgAttr(i, bufferization::BufferizationDialect::
                                  kWritableAttrName))
        func.setArgAttr(
            i, bufferization::BufferizationDialect::kWritableAttrName,
            BoolAttr::get(module.getContext(), false));
  }
}

/// An elementwise op whose result is only the float extension of a
/// narrower value (the generated gradient through a bf16 pre-activation,
/// widened for the contraction that reads it) stores the narrow value, and
/// the ops that read it extend it: exact, half the bytes written and read
/// again, and a contraction reading it sees a 16-bit operand (16-bit mma
/// on tensor cores). Only where every reader is a linalg.generic input.
static void narrowExtendedResults(ModuleOp module) {
  IRRewriter rewriter(module.getContext());
  SmallVector<linalg::GenericOp> ops;
  module.walk([&](linalg::GenericOp op) {
    if (op.hasPureTensorSemantics() && op.getNumReductionLoops() == 0)
      ops.push_back(op);
  });
  for (linalg::GenericOp op : ops) {
    // The results to narrow and the extensions they yield.
    SmallVector<std::pair<unsigned, arith::ExtFOp>> narrowed;
    for (OpResult result : op->getResults()) {
      OpOperand *init = op.getDpsInitOperand(result.getResultNumber());
      auto ext = op.getMatchingYieldValue(init)->get().getDefiningOp<arith::ExtFOp>();
      if (!ext || ext->getBlock() != op.getBody() ||
          !op.getMatchingBlockArgument(init).use_empty() || result.use_empty() ||
          !llvm::all_of(result.getUses(), [](OpOperand &use) {
            auto user = dyn_cast<linalg::GenericOp>(use.getOwner());
            return user && user.hasPureTensorSemantics() &&
                   user.isDpsInput(&use);
          }))
        continue;
      narrowed.push_back({result.getResultNumber(), ext});
    }
    if (narrowed.empty())
      continue;
    Location loc = op.getLoc();
    rewriter.setInsertionPoint(op);
    SmallVector<Value> inits(op.getDpsInits());
    SmallVector<Type> types(op->getResultTypes());
    for (auto [i, ext] : narrowed) {
      inits[i] = tensor::EmptyOp::create(
          rewriter, loc, tensor::getMixedSizes(rewriter, loc, inits[i]),
          ext.getIn().getType());
      types[i] = inits[i].getType();
    }
    auto narrowOp = linalg::GenericOp::create(
        rewriter, loc, types, op.getDpsInputs(), inits,
        op.getIndexingMapsArray(), op.getIteratorTypesArray());
    rewriter.inlineRegionBefore(op.getRegion(), narrowOp.getRegion(),
                                narrowOp.getRegion().begin());
    // (The body moved with its ops: the extensions are the same ops.)
    auto yield = cast<linalg::YieldOp>(narrowOp.getBody()->getTerminator());
    for (auto [i, ext] : narrowed) {
      Type narrow = ext.getIn().getType();
      narrowOp.getMatchingBlockArgument(narrowOp.getDpsInitOperand(i))
          .setType(narrow);
      yield->setOperand(i, ext.getIn());
      if (ext->use_empty())
        rewriter.eraseOp(ext);
      // Each reader extends the narrow value where it reads it.
      for (OpOperand &use :
           llvm::make_early_inc_range(op->getResult(i).getUses())) {
        auto user = cast<linalg::GenericOp>(use.getOwner());
        BlockArgument arg = user.getMatchingBlockArgument(&use);
        Type wide = arg.getType();
        arg.setType(narrow);
        rewriter.setInsertionPointToStart(user.getBody());
        Value widened = arith::ExtFOp::create(rewriter, loc, wide, arg);
        rewriter.replaceAllUsesExcept(arg, widened, widened.getDefiningOp());
        rewriter.modifyOpInPlace(user, [&] { use.set(narrowOp->getResult(i)); });
      }
    }
    // The other results' readers read the new op's (the narrowed ones' have
    // all moved above).
    rewriter.replaceAllUsesWith(op->getResults(), narrowOp->getResults());
    rewriter.eraseOp(op);
  }
}

/// The accumulation `out + x * y` of a reduction's body (a matmul's, a
/// generated gradient's) as one math.fma, on every target: one instruction
/// per step where the hardware has fused multiply-add (every GPU, AVX-512),
/// one rounding instead of two, and the same result on the CPU and the GPU
/// (each output reduced in the same order on both). Named contractions are
/// generalised first.
static void fuseMultiplyAdds(ModuleOp module) {
  IRRewriter rewriter(module.getContext());
  SmallVector<linalg::LinalgOp> named;
  module.walk([&](linalg::LinalgOp op) {
    if (!isa<linalg::GenericOp>(op) && op.hasPureTensorSemantics() &&
        isa<linalg::ContractionOpInterface>(op.getOperation()))
      named.push_back(op);
  });
  for (linalg::LinalgOp op : named) {
    rewriter.setInsertionPoint(op);
    (void)linalg::generalizeNamedOp(rewriter, op);
  }
  module.walk([&](linalg::GenericOp op) {
    if (op.getNumReductionLoops() == 0)
      return;
    Block *body = op.getBody();
    for (OpOperand &init : op.getDpsInitsMutable()) {
      BlockArgument out = op.getMatchingBlockArgument(&init);
      Value yielded = op.getMatchingYieldValue(&init)->get();
      auto add = yielded.getDefiningOp<arith::AddFOp>();
      if (!add || add->getBlock() != body)
        continue;
      Value other = add.getLhs() == out   ? add.getRhs()
                    : add.getRhs() == out ? add.getLhs()
                                          : Value();
      auto mul = other ? other.getDefiningOp<arith::MulFOp>() : arith::MulFOp();
      if (!mul || !mul->hasOneUse() || mul->getBlock() != body)
        continue;
      rewriter.setInsertionPoint(add);
      Value fma = math::FmaOp::create(rewriter, add.getLoc(), mul.getLhs(),
                                      mul.getRhs(), out);
      rewriter.replaceOp(add, fma);
      rewriter.eraseOp(mul);
    }
  });
}

/// A contraction whose input is laid out with a reduction dim innermost but
/// is also indexed by the output's innermost (lane) dim, such as the
/// gradient G W^T of a matmul through W, reads that input with a stride
/// along the lanes: uncoalesced on the GPU (0.70 ms vs 0.06 for the same
/// work laid out the other way, EBT head at 512 x 256 x 1024), gathers on
/// the CPU. When another parallel dim re-reads the input (so one copy
/// pays off), the input is transposed once to put the lane dim innermost.
/// On the GPU (\p gpu), contractions with few outputs
/// (site_loops::fewOutputs) are left alone: their lanes split the
/// reduction and read its innermost dim; so are tiled ones
/// (TiledContraction.h), which stage their operands through shared memory
/// along whichever dim is contiguous.
static void transposeStridedLaneInputs(ModuleOp module, bool gpu) {
  constexpr int64_t kMinRereads = 4;
  SmallVector<linalg::GenericOp> ops;
  module.walk([&](linalg::GenericOp op) {
    if (op.hasPureTensorSemantics() && op.getNumReductionLoops() > 0 &&
        op.getNumDpsInits() == 1)
      ops.push_back(op);
  });
  for (linalg::GenericOp op : ops) {
    AffineMap outMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
    if (outMap.getNumResults() == 0)
      continue;
    auto laneExpr = dyn_cast<AffineDimExpr>(outMap.getResults().back());
    if (!laneExpr)
      continue;
    unsigned lane = laneExpr.getPosition();
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
    if (gpu && (tessera::site_loops::fewOutputs(op) ||
                tessera::tiled_contraction::plan(op)))
      continue;
    for (OpOperand *in : op.getDpsInputOperands()) {
      auto type = dyn_cast<RankedTensorType>(in->get().getType());
      AffineMap map = op.getMatchingIndexingMap(in);
      if (!type || type.getRank() < 2 || !map.isProjectedPermutation() ||
          op.getMatchingBlockArgument(in).use_empty())
        continue;
      auto inner = dyn_cast<AffineDimExpr>(map.getResults().back());
      std::optional<unsigned> lanePos = map.getResultPosition(laneExpr);
      if (!inner ||
          iterators[inner.getPosition()] != utils::IteratorType::reduction ||
          !lanePos)
        continue;
      bool reread = false;
      for (auto [d, it] : llvm::enumerate(iterators))
        if (it == utils::IteratorType::parallel && d != lane &&
            !map.isFunctionOfDim(d) && !ShapedType::isDynamic(ranges[d]) &&
            ranges[d] >= kMinRereads)
          reread = true;
      if (!reread)
        continue;
      // The lane dim's result moves last; the others keep their order.
      SmallVector<int64_t> perm;
      for (int64_t i = 0; i < type.getRank(); ++i)
        if (i != static_cast<int64_t>(*lanePos))
          perm.push_back(i);
      perm.push_back(*lanePos);
      OpBuilder b(op);
      Location loc = op.getLoc();
      SmallVector<OpFoldResult> sizes =
          tensor::getMixedSizes(b, loc, in->get());
      SmallVector<OpFoldResult> permuted;
      SmallVector<AffineExpr> results;
      for (int64_t i : perm) {
        permuted.push_back(sizes[i]);
        results.push_back(map.getResult(i));
      }
      Value init = tensor::EmptyOp::create(b, loc, permuted, type.getElementType());
      Value transposed =
          linalg::TransposeOp::create(b, loc, in->get(), init, perm).getResult()[0];
      SmallVector<AffineMap> maps = op.getIndexingMapsArray();
      maps[in->getOperandNumber()] =
          AffineMap::get(map.getNumDims(), 0, results, op.getContext());
      in->set(transposed);
      op.setIndexingMapsAttr(b.getAffineMapArrayAttr(maps));
    }
  }
}

/// Elementwise ops on whole tensors to linalg, then one-shot bufferization
/// (and, for entries, caller-allocated results).
static void buildBufferizePipeline(OpPassManager &pm, bool outParams) {
  pm.addPass(createConvertElementwiseToLinalgPass());
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  // Step loops carry parameters that each step rewrites into a new buffer.
  bufferize.allowReturnAllocsFromLoops = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  if (outParams) {
    // Right after bufferization, before deallocation: a returned buffer
    // allocated in the function is replaced by the caller's argument.
    bufferization::BufferResultsToOutParamsPassOptions results;
    results.hoistStaticAllocs = true;
    results.modifyPublicFunctions = true;
    pm.addPass(bufferization::createBufferResultsToOutParamsPass(results));
  }
}

/// memref.copy -> linalg.copy, so that copies become parallel loops like
/// every other buffer-to-buffer op: on the GPU they become grids, on the
/// CPU strided copies (slices of a dynamic candidate count, ...) need no
/// `memrefCopy` from the MLIR runner library, so artifacts keep depending
/// on libc and libm only.
static void convertCopiesToLinalg(ModuleOp module) {
  module.walk([](memref::CopyOp copy) {
    OpBuilder b(copy);
    linalg::CopyOp::create(b, copy.getLoc(), copy.getSource(),
                           copy.getTarget());
    copy.erase();
  });
}

/// Steps of a site loop: its trips times those of the longest loop nested
/// in it, unknown bounds counting as large.
static int64_t siteLoopWork(scf::ParallelOp loop) {
  constexpr int64_t kLarge = int64_t(1) << 40;
  int64_t inner = 1;
  loop.getBody()->walk([&](scf::ForOp nested) {
    std::optional<APInt> trips = nested.getStaticTripCount();
    inner = std::max(inner, trips ? int64_t(trips->getLimitedValue(kLarge))
                                  : kLarge);
  });
  std::optional<int64_t> outer = tessera::site_loops::staticTripCount(loop);
  if (!outer)
    return kLarge;
  return *outer >= kLarge / inner ? kLarge : *outer * inner;
}

/// Every site loop but the outermost ones with enough work becomes a nest
/// of scf.for, so that only those fork threads.
static void serializeSmallSiteLoops(ModuleOp module) {
  constexpr int64_t kMinThreadedWork = int64_t(1) << 15;
  SmallVector<scf::ParallelOp> serial;
  module.walk([&](scf::ParallelOp loop) {
    if (loop.getNumResults() == 0 &&
        (loop->getParentOfType<scf::ParallelOp>() ||
         siteLoopWork(loop) < kMinThreadedWork))
      serial.push_back(loop);
  });
  // The walk is post-order: inner loops are rebuilt first, so that an outer
  // one clones the rebuilt nest and never a loop still in the list.
  for (scf::ParallelOp loop : serial) {
    OpBuilder b(loop);
    scf::buildLoopNest(
        b, loop.getLoc(), loop.getLowerBound(), loop.getUpperBound(),
        loop.getStep(), [&](OpBuilder &b, Location, ValueRange ivs) {
          IRMapping map;
          map.map(loop.getInductionVars(), ivs);
          for (Operation &op : loop.getBody()->without_terminator())
            b.clone(op, map);
        });
    loop.erase();
  }
}

/// convert-scf-to-openmp wraps each loop body in a memref.alloca_scope,
/// which must stay one block: the target stage's scf-to-cf would split it
/// at the body's loops. Without allocas in it the scope bounds nothing.
static void inlineEmptyAllocaScopes(ModuleOp module) {
  SmallVector<memref::AllocaScopeOp> scopes;
  module.walk([&](memref::AllocaScopeOp scope) {
    if (scope.getBodyRegion().walk([](memref::AllocaOp) {
          return WalkResult::interrupt();
        }).wasInterrupted())
      return;
    scopes.push_back(scope);
  });
  IRRewriter rewriter(module.getContext());
  for (memref::AllocaScopeOp scope : scopes) {
    Block &body = scope.getBodyRegion().front();
    auto ret = cast<memref::AllocaScopeReturnOp>(body.getTerminator());
    SmallVector<Value> results(ret.getResults());
    rewriter.eraseOp(ret);
    rewriter.inlineBlockBefore(&body, scope);
    rewriter.replaceOp(scope, results);
  }
}

static void buildCpuLoopsPipeline(OpPassManager &pm) {
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToParallelLoopsPass());
  bufferization::buildBufferDeallocationPipeline(pm);
  pm.addPass(createConvertBufferizationToMemRefPass());
}

/// What the tile stage may run contractions on: tensor cores on NVIDIA
/// only, wgmma only where asked for (sm_90a code).
static tessera::tiled_contraction::TensorCores
tensorCoresFor(StringRef target, bool tensorCores, bool wgmma) {
  using tessera::tiled_contraction::TensorCores;
  if (target != "nvvm" || !tensorCores)
    return TensorCores::none;
  return wgmma ? TensorCores::wgmma : TensorCores::mmaSync;
}

/// The GPU tile stage interleaves upstream pipelines with the placement
/// steps upstream has no pass for.
static LogicalResult
runGpuTileStage(ModuleOp module, bool outParams, int64_t blockSize,
                tessera::tiled_contraction::TensorCores tensorCores,
                StringRef stage,
                function_ref<LogicalResult(OpPassManager &)> runPipeline) {
  OpPassManager bufferize(ModuleOp::getOperationName());
  buildBufferizePipeline(bufferize, outParams);
  if (failed(runPipeline(bufferize)))
    return failure();
  convertCopiesToLinalg(module);
  // One thread per site, the alphabet reduction in its registers.
  tessera::site_loops::lowerToSiteLoops(module, /*width=*/1, blockSize,
                                        tensorCores);

  OpPassManager loops(ModuleOp::getOperationName());
  loops.addNestedPass<func::FuncOp>(createConvertLinalgToParallelLoopsPass());
  if (failed(runPipeline(loops)) ||
      failed(tessera::gpu_tile::placeHostCode(module, stage, blockSize)))
    return failure();

  OpPassManager grids(ModuleOp::getOperationName());
  grids.addNestedPass<func::FuncOp>(createGpuMapParallelLoopsPass());
  grids.addPass(createConvertParallelLoopToGpuPass());
  grids.addPass(createCanonicalizerPass());
  if (failed(runPipeline(grids)))
    return failure();
  tessera::gpu_tile::allocateOnDevice(module);

  OpPassManager ownership(ModuleOp::getOperationName());
  ownership.addPass(bufferization::createOwnershipBasedBufferDeallocationPass());
  ownership.addPass(createCanonicalizerPass());
  ownership.addPass(bufferization::createBufferDeallocationSimplificationPass());
  if (failed(runPipeline(ownership)))
    return failure();
  tessera::gpu_tile::lowerDeviceDeallocs(module);
  tessera::site_loops::materializeBarriers(module);
  tessera::tiled_contraction::materializeMarkers(module);

  OpPassManager streams(ModuleOp::getOperationName());
  // Constants and index computations move into the launches first, so that
  // kernels see their loop bounds, steps and shuffle offsets as immediates
  // instead of kernel arguments.
  streams.addNestedPass<func::FuncOp>(createGpuLaunchSinkIndexComputationsPass());
  streams.addPass(createGpuKernelOutliningPass());
  // Parallel loops nested in a site loop (a reduction between two parallel
  // dimensions) run sequentially in the site's thread.
  streams.addNestedPass<gpu::GPUModuleOp>(createParallelForToNestedForsPass());
  streams.addPass(createCSEPass());
  streams.addPass(createCanonicalizerPass());
  // One stream per host region: launches, copies and frees are queued and
  // the host waits only where it needs a result.
  streams.addNestedPass<func::FuncOp>(createGpuAsyncRegionPass());
  if (failed(runPipeline(streams)))
    return failure();
  tessera::gpu_tile::mergeKernelModules(module);
  tessera::site_loops::eraseHostStageTiles(module);
  return success();
}

namespace {
struct TesseraToTilePass
    : public tessera::impl::TesseraToTilePassBase<TesseraToTilePass> {
  using TesseraToTilePassBase::TesseraToTilePassBase;

  void getDependentDialects(DialectRegistry &registry) const override {
    TesseraToTilePassBase::getDependentDialects(registry);
    OpPassManager pm(ModuleOp::getOperationName());
    buildBufferizePipeline(pm, /*outParams=*/true);
    buildCpuLoopsPipeline(pm);
    pm.addPass(createConvertSCFToOpenMPPass());
    pm.addNestedPass<func::FuncOp>(createGpuMapParallelLoopsPass());
    pm.addPass(createConvertParallelLoopToGpuPass());
    pm.addNestedPass<func::FuncOp>(createGpuLaunchSinkIndexComputationsPass());
    pm.addPass(createGpuKernelOutliningPass());
    pm.addNestedPass<func::FuncOp>(createGpuAsyncRegionPass());
    pm.getDependentDialects(registry);
    registry.insert<gpu::GPUDialect>();
  }

  LogicalResult initialize(MLIRContext *ctx) override {
    if (failed(tessera::verifyTargetName(target)))
      return emitError(UnknownLoc::get(ctx))
             << "tessera-to-tile: unknown target '" << target
             << "'; expected cpu, nvvm or rocdl";
    if (blockSize <= 0 || blockSize > 1024)
      return emitError(UnknownLoc::get(ctx))
             << "tessera-to-tile: block-size must be in [1, 1024], got "
             << static_cast<int64_t>(blockSize);
    if (vectorWidth < 0 || vectorWidth > 256)
      return emitError(UnknownLoc::get(ctx))
             << "tessera-to-tile: vector-width must be in [0, 256], got "
             << static_cast<int64_t>(vectorWidth);
    return success();
  }

  void runOnOperation() override {
    std::string stage = "tessera-to-tile{target=" + target + "}";
    // Graph ops must have gone through tessera-to-schedule first.
    if (failed(tessera::reportUnimplemented(getOperation(), stage,
                                            tessera::isTesseraGraphOp))) {
      signalPassFailure();
      return;
    }
    auto run = [&](OpPassManager &pm) { return runPipeline(pm, getOperation()); };
    if (failed(tessera::decomposeAggregatedOps(getOperation(), stage))) {
      signalPassFailure();
      return;
    }
    markPublicArgumentsReadOnly(getOperation());
    narrowExtendedResults(getOperation());
    fuseMultiplyAdds(getOperation());
    transposeStridedLaneInputs(getOperation(), /*gpu=*/target != "cpu");
    if (target != "cpu") {
      if (failed(runGpuTileStage(getOperation(), outParams, blockSize,
                                 tensorCoresFor(target, tensorCores, wgmma),
                                 stage, run)))
        signalPassFailure();
      return;
    }
    OpPassManager bufferize(ModuleOp::getOperationName());
    buildBufferizePipeline(bufferize, outParams);
    if (failed(run(bufferize))) {
      signalPassFailure();
      return;
    }
    convertCopiesToLinalg(getOperation());
    tessera::site_loops::lowerToSiteLoops(getOperation(), vectorWidth);
    OpPassManager loops(ModuleOp::getOperationName());
    buildCpuLoopsPipeline(loops);
    if (failed(run(loops))) {
      signalPassFailure();
      return;
    }
    if (!cpuThreads)
      return;
    serializeSmallSiteLoops(getOperation());
    OpPassManager threads(ModuleOp::getOperationName());
    threads.addPass(createConvertSCFToOpenMPPass());
    if (failed(run(threads))) {
      signalPassFailure();
      return;
    }
    inlineEmptyAllocaScopes(getOperation());
  }
};
} // namespace
