//===- LoopHoisting.cpp - Loop-invariant work of inference loops ---------===//

#include "LoopHoisting.h"

#include "tessera/Conversion/ReverseMode.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Transforms/CSE.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"

using namespace mlir;

namespace {
/// Recomputed in the body, a light op is written in place and can fuse with
/// its consumer.
bool isLight(Operation *op) {
  return isa<tensor::EmptyOp, tensor::SplatOp, linalg::FillOp,
             linalg::BroadcastOp>(op) &&
         isMemoryEffectFree(op);
}

/// An elementwise op whose output starts as a fill reads the fill's value,
/// not the buffer: each output element is visited once. Generated
/// gradients accumulate into zero-filled outputs (`out + contribution`);
/// without the read, the op can fuse into its consumer.
struct FoldFillIntoElementwiseInit : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics() || op.getNumReductionLoops() > 0)
      return failure();
    bool changed = false;
    for (OpOperand &init : op.getDpsInitsMutable()) {
      auto fill = init.get().getDefiningOp<linalg::FillOp>();
      BlockArgument arg = op.getMatchingBlockArgument(&init);
      if (!fill || arg.use_empty() ||
          !op.getMatchingIndexingMap(&init).isPermutation() ||
          fill.getInputs()[0].getType() != arg.getType())
        continue;
      rewriter.modifyOpInPlace(op, [&] {
        rewriter.replaceAllUsesWith(arg, fill.getInputs()[0]);
        init.set(fill.getOutputs()[0]);
      });
      changed = true;
    }
    return success(changed);
  }
};

} // namespace

void tessera::ebt::fuseElementwiseChains(LoopLikeOpInterface loop) {
  MLIRContext *ctx = loop->getContext();
  RewritePatternSet patterns(ctx);
  patterns.add<FoldFillIntoElementwiseInit>(ctx);
  // Tensor arith (the sum of a gradient's contributions) as linalg, so it
  // fuses too.
  linalg::populateElementwiseToLinalgConversionPatterns(patterns);
  linalg::populateEraseUnusedOperandsAndResultsPatterns(patterns);
  // Elementwise into elementwise only, one producer per consumer use and
  // read without a broadcast: no work is duplicated, and a contraction's
  // operand is never recomputed per reduction step.
  linalg::ControlFusionFn control = [](OpOperand *use) {
    auto producer = use->get().getDefiningOp<linalg::GenericOp>();
    auto consumer = dyn_cast<linalg::GenericOp>(use->getOwner());
    if (!producer || !consumer || !producer->hasOneUse() ||
        producer.getNumReductionLoops() > 0 ||
        consumer.getNumReductionLoops() > 0 ||
        !consumer.getMatchingIndexingMap(use).isPermutation())
      return false;
    return llvm::none_of(producer.getDpsInitsMutable(), [&](OpOperand &init) {
      return producer.payloadUsesValueFromOperand(&init);
    });
  };
  linalg::populateElementwiseOpsFusionPatterns(patterns, control);
  // Frozen once: each of the loop's regions gets the same set.
  FrozenRewritePatternSet frozen(std::move(patterns));
  for (Region *region : loop.getLoopRegions())
    (void)applyPatternsGreedily(*region, frozen);
}

void tessera::ebt::rematerializeLightOps(LoopLikeOpInterface loop) {
  SmallVector<Region *> regions = loop.getLoopRegions();
  if (regions.size() != 1 || !regions.front()->hasOneBlock())
    return;
  Block &body = regions.front()->front();
  OpBuilder b(&body, body.begin());
  IRMapping clones;
  SmallVector<Operation *> originals;
  std::function<Value(Value)> inside = [&](Value v) -> Value {
    if (Value c = clones.lookupOrNull(v))
      return c;
    Operation *def = v.getDefiningOp();
    if (!def || !isLight(def) || loop->isAncestor(def))
      return v;
    for (Value operand : def->getOperands())
      inside(operand); // chains of light ops come along, in order
    Operation *copy = b.clone(*def, clones);
    b.setInsertionPointAfter(copy);
    originals.push_back(def);
    return clones.lookup(v);
  };
  SmallVector<Operation *> users;
  loop->walk([&](Operation *op) {
    if (op != loop.getOperation())
      users.push_back(op);
  });
  for (Operation *op : users)
    for (OpOperand &use : op->getOpOperands())
      if (Value v = inside(use.get()); v != use.get())
        use.set(v);
  for (Operation *op : llvm::reverse(originals))
    if (op->use_empty())
      op->erase();
}


namespace {
/// The candidates loop `scf.for %k = 0 to K` over `all` (K x C...), whose
/// body takes slice k of `all`, computes, and inserts the result at k of
/// its iteration argument, as the same ops on all K candidates at once:
/// each linalg op that reads a candidate gets a leading parallel dim (named
/// ops generalised first), fills and empties of candidate shape a leading
/// K. The K gradients of a step then run as one kernel per op instead of K.
/// Leaves the loop as it is (failure) when an op of the body cannot take
/// the extra dim: only new ops are erased then.
class CandidateBatcher {
public:
  explicit CandidateBatcher(scf::ForOp loop) : loop(loop), b(loop) {
    recorder.block = loop->getBlock();
    b.setListener(&recorder);
  }

  LogicalResult run() {
    if (succeeded(batch()))
      return success();
    for (Operation *op : llvm::reverse(recorder.created))
      op->erase();
    return failure();
  }

private:
  /// Every op the batcher puts before the loop (sizes for empties
  /// included), to erase on failure.
  struct Recorder : public OpBuilder::Listener {
    Block *block = nullptr;
    SmallVector<Operation *> created;
    void notifyOperationInserted(Operation *op,
                                 OpBuilder::InsertPoint) override {
      if (op->getBlock() == block)
        created.push_back(op);
    }
  } recorder;
  scf::ForOp loop;
  OpBuilder b;
  IRMapping map;
  llvm::DenseSet<Value> batched;
  Value count; // K
  std::optional<int64_t> staticCount;

  /// The tensor whose leading size `v` has, followed back through
  /// destination-style results (their init's size) and empties made with
  /// the leading tensor.dim of another tensor.
  static Value leadingRoot(Value v) {
    while (true) {
      if (auto dps = v.getDefiningOp<DestinationStyleOpInterface>()) {
        v = dps.getTiedOpOperand(cast<OpResult>(v))->get();
        continue;
      }
      auto empty = v.getDefiningOp<tensor::EmptyOp>();
      auto size = empty ? dyn_cast<Value>(empty.getMixedSizes()[0]) : Value();
      auto dim = size ? size.getDefiningOp<tensor::DimOp>() : tensor::DimOp();
      if (!dim || !isConstantIntValue(dim.getDimension(), 0))
        return v;
      v = dim.getSource();
    }
  }

  /// Whether `t`'s leading dim is the loop's trip count K: statically, or
  /// K is the leading tensor.dim of a tensor of the same leading size.
  bool hasCount(Value t) {
    auto type = cast<RankedTensorType>(t.getType());
    if (!type.isDynamicDim(0))
      return staticCount == type.getDimSize(0);
    auto dim = count.getDefiningOp<tensor::DimOp>();
    return dim && isConstantIntValue(dim.getDimension(), 0) &&
           leadingRoot(dim.getSource()) == leadingRoot(t);
  }

  RankedTensorType withCount(Type t) {
    auto r = cast<RankedTensorType>(t);
    SmallVector<int64_t> shape = {staticCount ? *staticCount : ShapedType::kDynamic};
    llvm::append_range(shape, r.getShape());
    return RankedTensorType::get(shape, r.getElementType());
  }

  /// Slice k (offset k, size 1 on dim 0, whole along the others, unit
  /// strides) of a K x ... tensor.
  bool isCandidateSlice(OffsetSizeAndStrideOpInterface op, Value whole,
                        Value part) {
    auto t = cast<RankedTensorType>(whole.getType());
    if (op.getMixedOffsets().size() != static_cast<size_t>(t.getRank()) ||
        cast<RankedTensorType>(part.getType()).getRank() != t.getRank() - 1)
      return false;
    for (int64_t d = 0; d < t.getRank(); ++d) {
      OpFoldResult off = op.getMixedOffsets()[d], size = op.getMixedSizes()[d];
      if (!isConstantIntValue(op.getMixedStrides()[d], 1))
        return false;
      if (d == 0) {
        if (dyn_cast_if_present<Value>(off) != loop.getInductionVar() ||
            !isConstantIntValue(size, 1))
          return false;
        continue;
      }
      if (!isConstantIntValue(off, 0))
        return false;
      std::optional<int64_t> s = getConstantIntValue(size);
      if (t.isDynamicDim(d) || !s || *s != t.getDimSize(d))
        return false;
    }
    return true;
  }

  /// An empty K x (`like`'s shape) tensor.
  Value batchedEmpty(Location loc, Value like) {
    SmallVector<OpFoldResult> sizes = {
        staticCount ? OpFoldResult(b.getIndexAttr(*staticCount)) : OpFoldResult(count)};
    llvm::append_range(sizes, tensor::getMixedSizes(b, loc, like));
    return tensor::EmptyOp::create(
        b, loc, sizes, cast<RankedTensorType>(like.getType()).getElementType());
  }

  /// `v` along K (itself when it already is).
  Value batchedBroadcast(Location loc, Value v) {
    if (batched.contains(v))
      return v;
    Value r = linalg::BroadcastOp::create(b, loc, v, batchedEmpty(loc, v),
                                          ArrayRef<int64_t>{0})
                  .getResult()[0];
    batched.insert(r);
    return r;
  }

  /// An output of candidate shape for a batched op: a batched empty or
  /// fill when `v` is one, else `v` broadcast along K.
  Value batchedInit(Location loc, Value v) {
    if (batched.contains(v))
      return v;
    Value init;
    if (v.getDefiningOp<tensor::EmptyOp>())
      init = batchedEmpty(loc, v);
    else if (auto fill = v.getDefiningOp<linalg::FillOp>();
             fill && fill.getOutputs()[0].getDefiningOp<tensor::EmptyOp>())
      init = linalg::FillOp::create(b, loc, fill.getInputs(),
                                    ValueRange{batchedEmpty(loc, v)})
                 .getResult(0);
    else
      return batchedBroadcast(loc, v);
    batched.insert(init);
    return init;
  }

  LogicalResult batchGeneric(linalg::GenericOp op) {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    SmallVector<Value> ins, outs;
    SmallVector<AffineMap> maps;
    unsigned n = op.getNumLoops();
    for (OpOperand &operand : op->getOpOperands()) {
      Value v = map.lookupOrDefault(operand.get());
      if (op.isDpsInit(&operand))
        v = batchedInit(loc, v);
      AffineMap old = op.getMatchingIndexingMap(&operand);
      SmallVector<AffineExpr> results;
      if (batched.contains(v)) {
        if (!isa<RankedTensorType>(v.getType()))
          return failure();
        results.push_back(getAffineDimExpr(0, ctx));
      }
      for (AffineExpr e : old.shiftDims(1).getResults())
        results.push_back(e);
      maps.push_back(AffineMap::get(n + 1, 0, results, ctx));
      (op.isDpsInit(&operand) ? outs : ins).push_back(v);
    }
    SmallVector<utils::IteratorType> iterators = {utils::IteratorType::parallel};
    llvm::append_range(iterators, op.getIteratorTypesArray());
    SmallVector<Type> types;
    for (Value v : outs)
      types.push_back(v.getType());
    auto gen = linalg::GenericOp::create(b, loc, types, ins, outs, maps, iterators);
    // Values the payload captures from the loop body map to their clones.
    IRMapping body = map;
    op.getRegion().cloneInto(&gen.getRegion(), body);
    gen.getRegion().walk([&](linalg::IndexOp index) {
      OpBuilder ib(index);
      Value shifted = linalg::IndexOp::create(ib, index.getLoc(), index.getDim() + 1);
      index.replaceAllUsesWith(shifted);
      index.erase();
    });
    for (auto [old, now] : llvm::zip(op.getResults(), gen.getResults())) {
      map.map(old, now);
      batched.insert(now);
    }
    return success();
  }

  LogicalResult batch() {
    Block &body = *loop.getBody();
    if (loop.getNumResults() != 1 || !isConstantIntValue(loop.getLowerBound(), 0) ||
        !isConstantIntValue(loop.getStep(), 1))
      return failure();
    auto yield = cast<scf::YieldOp>(body.getTerminator());
    auto insert = yield.getOperand(0).getDefiningOp<tensor::InsertSliceOp>();
    BlockArgument acc = loop.getRegionIterArgs()[0];
    if (!insert || insert.getDest() != acc || !acc.hasOneUse() ||
        !isCandidateSlice(insert, acc, insert.getSource()))
      return failure();
    count = loop.getUpperBound();
    staticCount = getConstantIntValue(count);
    // The loop writes every row of its result only when it has K rows.
    if (!hasCount(loop.getInitArgs()[0]))
      return failure();
    // Named ops become generics (fills stay: they batch as fills).
    IRRewriter rewriter(loop.getContext());
    SmallVector<linalg::LinalgOp> named;
    body.walk([&](linalg::LinalgOp op) {
      if (!isa<linalg::GenericOp, linalg::FillOp>(op) && op->getBlock() == &body)
        named.push_back(op);
    });
    for (linalg::LinalgOp op : named) {
      rewriter.setInsertionPoint(op);
      if (failed(linalg::generalizeNamedOp(rewriter, op)))
        return failure();
    }
    for (Operation &op : body.without_terminator()) {
      if (&op == insert.getOperation())
        continue;
      if (auto slice = dyn_cast<tensor::ExtractSliceOp>(&op);
          slice && !loop->isAncestor(slice.getSource().getParentBlock()->getParentOp()) &&
          isCandidateSlice(slice, slice.getSource(), slice.getResult())) {
        // The whole K x C tensor; K must be the loop's trip count.
        if (!hasCount(slice.getSource()))
          return failure();
        map.map(slice.getResult(), slice.getSource());
        batched.insert(slice.getSource());
        continue;
      }
      // Any other use of k, or of a candidate from a nested region, is out.
      bool usesK = false, capturesBatched = false;
      op.walk([&](Operation *nested) {
        for (Value v : nested->getOperands()) {
          usesK |= v == loop.getInductionVar();
          if (nested != &op && !op.isAncestor(v.getParentBlock()->getParentOp()))
            capturesBatched |= batched.contains(map.lookupOrDefault(v));
        }
      });
      if (usesK || capturesBatched)
        return failure();
      bool anyBatched = llvm::any_of(op.getOperands(), [&](Value v) {
        return batched.contains(map.lookupOrDefault(v));
      });
      if (!anyBatched) {
        // What LICM left in the loop and does not read a candidate runs K
        // times there: only side-effect free ops may run once instead.
        if (!isMemoryEffectFree(&op))
          return failure();
        b.clone(op, map);
        continue;
      }
      if (auto fill = dyn_cast<linalg::FillOp>(&op)) {
        Value out = map.lookupOrDefault(fill.getOutputs()[0]);
        if (!batched.contains(out) || batched.contains(map.lookupOrDefault(fill.getInputs()[0])))
          return failure();
        auto f = linalg::FillOp::create(
            b, fill.getLoc(), ValueRange{map.lookupOrDefault(fill.getInputs()[0])},
            ValueRange{out});
        map.map(fill.getResult(0), f.getResult(0));
        batched.insert(f.getResult(0));
        continue;
      }
      // Elementwise arith/math on whole tensors (the gradient's sums of
      // contributions): the same op on K x shape, unbatched operands
      // broadcast along K.
      if (op.hasTrait<OpTrait::Elementwise>() && op.getNumRegions() == 0 &&
          llvm::all_of(op.getOperandTypes(), llvm::IsaPred<RankedTensorType>) &&
          llvm::all_of(op.getResultTypes(), llvm::IsaPred<RankedTensorType>)) {
        SmallVector<Value> operands;
        for (Value v : op.getOperands())
          operands.push_back(batchedBroadcast(op.getLoc(), map.lookupOrDefault(v)));
        SmallVector<Type> types;
        for (Type t : op.getResultTypes())
          types.push_back(withCount(t));
        OperationState state(op.getLoc(), op.getName(), operands, types,
                             op.getAttrs());
        Operation *now = b.create(state);
        for (auto [old, v] : llvm::zip(op.getResults(), now->getResults())) {
          map.map(old, v);
          batched.insert(v);
        }
        continue;
      }
      auto gen = dyn_cast<linalg::GenericOp>(&op);
      if (!gen || !gen.hasPureTensorSemantics() || failed(batchGeneric(gen)))
        return failure();
    }
    Value result = map.lookupOrDefault(insert.getSource());
    if (!batched.contains(result))
      return failure();
    if (result.getType() != loop.getResult(0).getType())
      result = tensor::CastOp::create(b, loop.getLoc(), loop.getResult(0).getType(),
                                      result);
    loop.getResult(0).replaceAllUsesWith(result);
    loop.erase();
    return success();
  }
};
} // namespace

void tessera::ebt::hoistInferenceWork(ModuleOp module) {
  SmallVector<func::CallOp> calls;
  module.walk([&](func::CallOp call) {
    Operation *loop = call->getParentOp();
    while (loop && !isa<LoopLikeOpInterface>(loop))
      loop = loop->getParentOp();
    if (loop && loop->hasAttr(kMappingAttr))
      calls.push_back(call);
  });
  SymbolTableCollection tables;
  llvm::SetVector<func::FuncOp> callees;
  for (func::CallOp call : calls) {
    auto callee =
        tables.lookupNearestSymbolFrom<func::FuncOp>(call, call.getCalleeAttr());
    // Energies are single-block functions of upstream ops (the verifier of
    // the energy signature and the differentiation see to it).
    if (!callee || callee.isExternal() || !callee.getBody().hasOneBlock())
      continue;
    tessera::inlineCall(call, callee);
    callees.insert(callee);
  }
  // Post-order: inner loops first, so work hoisted out of the candidates
  // loop can leave the steps loop too. Collected again after each step
  // that may erase loops (CSE merging identical ones, batching).
  SmallVector<LoopLikeOpInterface> loops;
  auto collectLoops = [&] {
    loops.clear();
    module.walk([&](LoopLikeOpInterface loop) {
      if (loop->hasAttr(kMappingAttr))
        loops.push_back(loop);
    });
  };
  collectLoops();
  for (LoopLikeOpInterface loop : loops)
    moveLoopInvariantCode(loop);
  // Hoisted copies of the same work (the weights used by the gradient and
  // by the final energies) become one.
  llvm::SetVector<Operation *> functions;
  for (LoopLikeOpInterface loop : loops)
    if (auto fn = loop->getParentOfType<FunctionOpInterface>())
      functions.insert(fn);
  IRRewriter rewriter(module.getContext());
  for (Operation *fn : functions) {
    DominanceInfo dominance(fn);
    eliminateCommonSubExpressions(rewriter, dominance, fn);
  }
  // The candidates of a step at once where the body allows it.
  collectLoops();
  for (LoopLikeOpInterface loop : loops) {
    auto forOp = dyn_cast<scf::ForOp>(loop.getOperation());
    auto mapping = loop->getAttrOfType<StringAttr>(kMappingAttr);
    if (forOp && mapping && mapping.getValue() == "candidates")
      (void)CandidateBatcher(forOp).run();
  }
  collectLoops();
  for (LoopLikeOpInterface loop : loops) {
    rematerializeLightOps(loop);
    fuseElementwiseChains(loop);
  }
  for (func::FuncOp callee : callees)
    if (callee.isPrivate() &&
        SymbolTable::symbolKnownUseEmpty(callee, module))
      callee.erase();
}
