//===- Autodiff.cpp - Reverse-mode differentiation of energy functions ----===//
//
// Generates dE/dy for `ebt.grad_y`: the gradient of the sum of the energies
// E(h, y) with respect to y, as a new func.func built at compile time.
//
// The energy is cloned and normalised so that every computation on tensors is
// a linalg.generic (named linalg ops generalised, elementwise arith/math on
// tensors converted). The adjoint of a generic with respect to one operand is
// another generic over the same iteration space: its body replays the scalar
// forward code, runs scalar reverse mode from the output adjoints, and
// reduces over the dimensions the operand does not index. Reductions must be
// sums (matmul, matvec, pooling by addition); tensor reshapes and slices
// have their structural adjoints. Calls are inlined, aggregated ops
// (softmax) decomposed and concatenations turned into slices first. Anything
// else is rejected with the op's name. The scalar rules are shared
// (tessera/Conversion/ReverseMode.h).
//
//===----------------------------------------------------------------------===//

#include "tessera/Dialect/EBT/Transforms/Passes.h"

#include "tessera/Conversion/LinalgBuilders.h"
#include "tessera/Conversion/ReverseMode.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

using namespace mlir;
using namespace tessera::ebt;

namespace {

/// Zeros of \p like's shape, of its element type or \p element; -0.0 for
/// an \p accumulator: the identity of addition (-0 + x is x for every x,
/// where +0 + -0 is +0), so that a sum into it folds to its first term
/// once the fill is folded into the sum (an elementwise op's adjoint is
/// then its contribution, with nothing added).
Value zerosLike(OpBuilder &b, Location loc, Value like, Type element = {},
                bool accumulator = false) {
  auto t = cast<RankedTensorType>(like.getType());
  if (!element)
    element = t.getElementType();
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, like);
  Value e = tensor::EmptyOp::create(b, loc, sizes, element);
  Value z = arith::ConstantOp::create(
      b, loc, accumulator ? b.getFloatAttr(element, -0.0)
                          : b.getZeroAttr(element));
  return linalg::FillOp::create(b, loc, z, e).getResult(0);
}

/// \p v (f32) rounded elementwise to the element type of \p like.
Value truncLike(OpBuilder &b, Location loc, Value v, Value like) {
  auto t = cast<RankedTensorType>(like.getType());
  unsigned rank = t.getRank();
  Value e = tessera::emptyLike(b, loc, like, rank, {}, t.getElementType());
  return tessera::buildGeneric(
             b, loc, rank, 0, {{v, rank}}, {{e, rank}},
             [&](OpBuilder &bb, Location l, ValueRange args) {
               linalg::YieldOp::create(
                   bb, l, ValueRange{arith::TruncFOp::create(
                              bb, l, t.getElementType(), args[0])});
             })
      .getResult(0);
}

Value splatLike(OpBuilder &b, Location loc, Value like, double v) {
  auto t = cast<RankedTensorType>(like.getType());
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, like);
  Value e = tensor::EmptyOp::create(b, loc, sizes, t.getElementType());
  Value c = arith::ConstantOp::create(b, loc, b.getFloatAttr(t.getElementType(), v));
  return linalg::FillOp::create(b, loc, c, e).getResult(0);
}

Value cst(OpBuilder &b, Location loc, Type t, double v) {
  return arith::ConstantOp::create(b, loc, b.getFloatAttr(t, v));
}

bool dependsOn(Value v, Value arg, Block &block) {
  SmallVector<Value> work = {v};
  DenseSet<Value> seen;
  while (!work.empty()) {
    Value x = work.pop_back_val();
    if (x == arg)
      return true;
    if (!seen.insert(x).second)
      continue;
    Operation *def = x.getDefiningOp();
    if (def && def->getBlock() == &block)
      llvm::append_range(work, def->getOperands());
  }
  return false;
}

/// Adjoints of the operands of `g` given adjoints `dRes` of its results
/// (null where a result has none). Calls `accumulate(operand, contribution)`.
LogicalResult genericAdjoint(OpBuilder &b, linalg::GenericOp g,
                             ArrayRef<Value> dRes,
                             function_ref<bool(Value)> isActive,
                             function_ref<void(Value, Value)> accumulate) {
  Location loc = g.getLoc();
  Block &body = g.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  unsigned nIn = g.getNumDpsInputs(), nOut = g.getNumDpsInits();
  unsigned rank = g.getNumLoops();
  SmallVector<AffineMap> maps = g.getIndexingMapsArray();
  bool reduces = g.getNumReductionLoops() > 0;
  for (AffineMap m : maps)
    if (!m.isProjectedPermutation())
      return g.emitError() << "tessera-ebt-lower: cannot differentiate a "
                              "linalg.generic with non-projected indexing maps";
  // Reductions: y = init + sum(e), or max/min(init, e), with e independent
  // of every out argument. A sum passes its adjoint to init and to every
  // term; a max/min to the selected term only (a subgradient; init is taken
  // as the constant it is in a stable log-sum-exp or softmax).
  enum class Combiner { none, sum, extremum };
  SmallVector<Combiner> combiner(nOut, Combiner::none);
  SmallVector<Value> terms(nOut);
  if (reduces) {
    for (unsigned r = 0; r < nOut; ++r) {
      if (!dRes[r])
        continue;
      Value y = yield.getOperand(r);
      Operation *def = y.getDefiningOp();
      Value outArg = body.getArgument(nIn + r);
      Value term;
      if (def && def->getNumOperands() == 2 &&
          isa<arith::AddFOp, arith::MaximumFOp, arith::MinimumFOp,
              arith::MaxNumFOp, arith::MinNumFOp>(def)) {
        if (def->getOperand(0) == outArg)
          term = def->getOperand(1);
        else if (def->getOperand(1) == outArg)
          term = def->getOperand(0);
      }
      bool ok = static_cast<bool>(term);
      for (unsigned o = 0; ok && o < nOut; ++o)
        ok = !dependsOn(term, body.getArgument(nIn + o), body);
      if (!ok)
        return g.emitError() << "tessera-ebt-lower: cannot differentiate a "
                                "linalg.generic reduction whose combiner is "
                                "not a sum, max or min";
      terms[r] = term;
      if (isa<arith::AddFOp>(def)) {
        combiner[r] = Combiner::sum;
        accumulate(g.getDpsInits()[r], dRes[r]); // d init = d y
      } else {
        combiner[r] = Combiner::extremum;
      }
    }
  }
  // One adjoint generic per differentiable operand.
  SmallVector<unsigned> targets;
  for (unsigned k = 0; k < nIn + nOut; ++k) {
    Value operand = g->getOperand(k);
    auto tt = dyn_cast<RankedTensorType>(operand.getType());
    if (!tt || !isa<FloatType>(tt.getElementType()))
      continue;
    if (k >= nIn && (reduces || body.getArgument(k).use_empty()))
      continue; // handled above, or not read
    if (body.getArgument(k).use_empty() || !isActive(operand))
      continue;
    targets.push_back(k);
  }
  for (unsigned k : targets) {
    Value operand = g->getOperand(k);
    AffineMap target = maps[k];
    SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::reduction);
    for (AffineExpr e : target.getResults())
      iters[cast<AffineDimExpr>(e).getPosition()] = utils::IteratorType::parallel;
    SmallVector<Value> ins(g->getOperands());
    SmallVector<AffineMap> newMaps(maps);
    SmallVector<unsigned> seedArg(nOut, ~0u), finalArg(nOut, ~0u);
    for (unsigned r = 0; r < nOut; ++r) {
      if (!dRes[r])
        continue;
      seedArg[r] = ins.size();
      ins.push_back(dRes[r]);
      newMaps.push_back(maps[nIn + r]);
      if (combiner[r] == Combiner::extremum) {
        finalArg[r] = ins.size();
        ins.push_back(g->getResult(r));
        newMaps.push_back(maps[nIn + r]);
      }
    }
    // A float narrower than f32 (bf16, f16 storage) accumulates its adjoint
    // over a reduction in f32, rounded once at the end, not at every step.
    Type element = cast<RankedTensorType>(operand.getType()).getElementType();
    bool widen = element.getIntOrFloatBitWidth() < 32 &&
                 llvm::is_contained(iters, utils::IteratorType::reduction);
    Value init = zerosLike(b, loc, operand, widen ? b.getF32Type() : element,
                           /*accumulator=*/true);
    newMaps.push_back(target);
    bool failedBody = false;
    auto adjoint = linalg::GenericOp::create(
        b, loc, TypeRange{init.getType()}, ins, ValueRange{init}, newMaps, iters,
        [&](OpBuilder &bb, Location l, ValueRange args) {
          IRMapping map;
          for (unsigned i = 0; i < nIn + nOut; ++i)
            map.map(body.getArgument(i), args[i]);
          SmallVector<Operation *> replayed;
          for (Operation &op : body.without_terminator())
            replayed.push_back(bb.clone(op, map));
          DenseMap<Value, Value> adj;
          for (unsigned r = 0; r < nOut; ++r) {
            if (seedArg[r] == ~0u)
              continue;
            Value dy = args[seedArg[r]];
            if (combiner[r] == Combiner::none) {
              adj[map.lookupOrDefault(yield.getOperand(r))] = dy;
              continue;
            }
            Value term = map.lookupOrDefault(terms[r]);
            if (combiner[r] == Combiner::extremum) {
              Value hit = arith::CmpFOp::create(bb, l, arith::CmpFPredicate::OEQ,
                                                term, args[finalArg[r]]);
              dy = arith::SelectOp::create(bb, l, hit, dy,
                                           cst(bb, l, dy.getType(), 0.0));
            }
            // Value first: inserting into the map invalidates iterators.
            auto it = adj.find(term);
            Value sum = it == adj.end()
                            ? dy
                            : Value(arith::AddFOp::create(bb, l, it->second, dy));
            adj[term] = sum;
          }
          if (Operation *bad = tessera::scalarReverse(bb, replayed, adj)) {
            g.emitError() << "tessera-ebt-lower: cannot differentiate '"
                          << bad->getName() << "' in the body of this op";
            failedBody = true;
            linalg::YieldOp::create(bb, l, ValueRange{args.back()});
            return;
          }
          Value acc = args.back();
          auto it = adj.find(args[k]);
          Value contrib = it == adj.end() ? Value() : it->second;
          // The reverse of the body's extension rounded the contribution to
          // the operand's type: an f32 accumulator takes it unrounded.
          if (auto round = contrib ? contrib.getDefiningOp<arith::TruncFOp>()
                                   : arith::TruncFOp();
              round && round.getIn().getType() == acc.getType())
            contrib = round.getIn();
          if (contrib && contrib.getType() != acc.getType())
            contrib = acc.getType().getIntOrFloatBitWidth() >
                              contrib.getType().getIntOrFloatBitWidth()
                          ? Value(arith::ExtFOp::create(bb, l, acc.getType(),
                                                        contrib))
                          : Value(arith::TruncFOp::create(bb, l, acc.getType(),
                                                          contrib));
          Value next = contrib ? Value(arith::AddFOp::create(bb, l, acc, contrib)) : acc;
          linalg::YieldOp::create(bb, l, next);
        });
    if (failedBody)
      return failure();
    accumulate(operand, widen ? truncLike(b, loc, adjoint.getResult(0), operand)
                              : adjoint.getResult(0));
  }
  return success();
}

} // namespace

FailureOr<func::FuncOp>
tessera::ebt::getOrCreateEnergyGradient(func::FuncOp energy,
                                        SymbolTableCollection &tables) {
  MLIRContext *ctx = energy.getContext();
  auto module = energy->getParentOfType<ModuleOp>();
  SymbolTable &symbols = tables.getSymbolTable(module);
  std::string name = (energy.getName() + "_grad_y").str();
  FunctionType et = energy.getFunctionType();
  auto want = FunctionType::get(ctx, et.getInputs(), {et.getInput(1)});
  if (auto existing = symbols.lookup<func::FuncOp>(name)) {
    if (existing.getFunctionType() == want)
      return existing;
    return energy.emitError() << "tessera-ebt-lower: '@" << name
                              << "' exists with another type";
  }
  if (energy.isExternal())
    return energy.emitError() << "tessera-ebt-lower: energy '@"
                              << energy.getName()
                              << "' has no body to differentiate";
  if (!energy.getBody().hasOneBlock())
    return energy.emitError() << "tessera-ebt-lower: energy '@"
                              << energy.getName()
                              << "' has control flow; only straight-line "
                                 "energies are differentiated";
  OpBuilder b(ctx);
  b.setInsertionPointAfter(energy);
  auto grad = func::FuncOp::create(b, energy.getLoc(), name, want);
  grad.setPrivate();
  symbols.insert(grad);
  IRMapping map;
  energy.getBody().cloneInto(&grad.getBody(), map);
  if (failed(tessera::inlineCalls(
          grad, "tessera-ebt-lower",
          ("energy '@" + energy.getName() + "'").str(), tables)))
    return failure();

  // Everything on tensors as linalg.generic: aggregated ops (softmax)
  // decomposed first, then named ops generalised, concatenations turned
  // into insert_slices.
  if (failed(tessera::decomposeAggregatedOps(grad, "tessera-ebt-lower")))
    return failure();
  {
    RewritePatternSet patterns(ctx);
    tensor::populateDecomposeTensorConcatPatterns(patterns);
    linalg::populateElementwiseToLinalgConversionPatterns(patterns);
    linalg::populateLinalgNamedOpsGeneralizationPatterns(patterns);
    if (failed(applyPatternsGreedily(grad, std::move(patterns))))
      return grad.emitError("tessera-ebt-lower: could not normalise the energy");
  }

  Block &block = grad.getBody().front();
  auto ret = cast<func::ReturnOp>(block.getTerminator());
  SmallVector<Operation *> ops =
      llvm::to_vector(llvm::make_pointer_range(block.without_terminator()));
  b.setInsertionPoint(ret);
  Location loc = ret.getLoc();
  // Activity: only values that depend on y get adjoints, so context-only
  // work (keys and values computed from h) is not differentiated.
  DenseSet<Value> active = {block.getArgument(1)};
  for (Operation *op : ops)
    if (llvm::any_of(op->getOperands(), [&](Value v) { return active.contains(v); }))
      active.insert(op->result_begin(), op->result_end());
  DenseMap<Value, Value> adj;
  auto accumulate = [&](Value v, Value a) {
    if (!active.contains(v))
      return;
    auto it = adj.find(v);
    if (it == adj.end())
      adj[v] = a;
    else
      it->second = arith::AddFOp::create(b, loc, it->second, a);
  };
  // Structural adjoints are built only for values that depend on y.
  auto accumulateBuilt = [&](Value v, function_ref<Value()> build) {
    if (active.contains(v))
      accumulate(v, build());
  };
  // d(sum E)/dE = 1.
  adj[ret.getOperand(0)] = splatLike(b, loc, ret.getOperand(0), 1.0);
  for (Operation *op : llvm::reverse(ops)) {
    SmallVector<Value> dRes;
    bool any = false;
    for (Value r : op->getResults()) {
      auto it = adj.find(r);
      dRes.push_back(it == adj.end() ? Value() : it->second);
      any |= it != adj.end();
    }
    if (!any)
      continue;
    if (auto g = dyn_cast<linalg::GenericOp>(op)) {
      if (failed(genericAdjoint(
              b, g, dRes, [&](Value v) { return active.contains(v); },
              accumulate)))
        return failure();
    } else if (auto e = dyn_cast<tensor::ExpandShapeOp>(op)) {
      accumulateBuilt(e.getSrc(), [&] {
        return tensor::CollapseShapeOp::create(b, loc, e.getSrcType(), dRes[0],
                                               e.getReassociationIndices());
      });
    } else if (auto c = dyn_cast<tensor::CollapseShapeOp>(op)) {
      accumulateBuilt(c.getSrc(), [&] {
        return tensor::ExpandShapeOp::create(b, loc, c.getSrcType(), dRes[0],
                                             c.getReassociationIndices());
      });
    } else if (auto s = dyn_cast<tensor::ExtractSliceOp>(op)) {
      accumulateBuilt(s.getSource(), [&] {
        return tensor::InsertSliceOp::create(
            b, loc, dRes[0], zerosLike(b, loc, s.getSource()),
            s.getMixedOffsets(), s.getMixedSizes(), s.getMixedStrides());
      });
    } else if (auto s = dyn_cast<tensor::InsertSliceOp>(op)) {
      accumulateBuilt(s.getSource(), [&] {
        return tensor::ExtractSliceOp::create(
            b, loc, s.getSourceType(), dRes[0], s.getMixedOffsets(),
            s.getMixedSizes(), s.getMixedStrides());
      });
      accumulateBuilt(s.getDest(), [&] {
        return tensor::InsertSliceOp::create(
            b, loc, zerosLike(b, loc, s.getSource()), dRes[0],
            s.getMixedOffsets(), s.getMixedSizes(), s.getMixedStrides());
      });
    } else if (isa<tensor::EmptyOp, arith::ConstantOp>(op)) {
      continue;
    } else {
      return op->emitError() << "tessera-ebt-lower: cannot differentiate '"
                             << op->getName() << "' in energy '@"
                             << energy.getName() << "'";
    }
  }
  Value y = block.getArgument(1);
  auto it = adj.find(y);
  Value g = it == adj.end() ? zerosLike(b, loc, y) : it->second;
  ret->setOperands(ValueRange{g});
  return grad;
}
