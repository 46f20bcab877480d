//===- LinalgBuilders.cpp - Small linalg.generic builders -----------------===//

#include "tessera/Conversion/LinalgBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <limits>

using namespace mlir;

AffineMap tessera::prefixMap(MLIRContext *ctx, unsigned rank, unsigned prefix) {
  SmallVector<AffineExpr> exprs;
  for (unsigned d = 0; d < prefix; ++d)
    exprs.push_back(getAffineDimExpr(d, ctx));
  return AffineMap::get(rank, 0, exprs, ctx);
}

linalg::GenericOp tessera::buildGeneric(
    OpBuilder &b, Location loc, unsigned parallel, unsigned reduction,
    ArrayRef<LinalgOperand> ins, ArrayRef<LinalgOperand> outs,
    function_ref<void(OpBuilder &, Location, ValueRange)> body) {
  unsigned rank = parallel + reduction;
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps;
  SmallVector<Value> inVals, outVals;
  SmallVector<Type> resultTypes;
  for (const LinalgOperand &o : ins) {
    maps.push_back(prefixMap(ctx, rank, o.prefix));
    inVals.push_back(o.value);
  }
  for (const LinalgOperand &o : outs) {
    maps.push_back(prefixMap(ctx, rank, o.prefix));
    outVals.push_back(o.value);
    resultTypes.push_back(o.value.getType());
  }
  SmallVector<utils::IteratorType> iters(parallel,
                                         utils::IteratorType::parallel);
  iters.append(reduction, utils::IteratorType::reduction);
  return linalg::GenericOp::create(b, loc, resultTypes, inVals, outVals, maps,
                                   iters, body);
}

Value tessera::emptyLike(OpBuilder &b, Location loc, Value like, unsigned take,
                         ArrayRef<int64_t> extra, Type elt) {
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, like);
  sizes.resize(take);
  for (int64_t e : extra)
    sizes.push_back(b.getIndexAttr(e));
  return tensor::EmptyOp::create(b, loc, sizes, elt);
}

Value tessera::cstF32(OpBuilder &b, Location loc, double v) {
  return arith::ConstantOp::create(b, loc,
                                   b.getF32FloatAttr(static_cast<float>(v)));
}

Value tessera::cstLike(OpBuilder &b, Location loc, Type like, double v) {
  FloatAttr scalar = b.getFloatAttr(getElementTypeOrSelf(like), v);
  if (auto vec = dyn_cast<VectorType>(like))
    return arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(vec, scalar.getValue()));
  return arith::ConstantOp::create(b, loc, scalar);
}

Value tessera::toF32(OpBuilder &b, Location loc, Value v) {
  Type t = v.getType();
  if (t.isF32())
    return v;
  if (t.isF64())
    return arith::TruncFOp::create(b, loc, b.getF32Type(), v);
  if (isa<FloatType>(t))
    return arith::ExtFOp::create(b, loc, b.getF32Type(), v);
  if (t.isIndex())
    v = arith::IndexCastOp::create(b, loc, b.getI64Type(), v);
  return arith::SIToFPOp::create(b, loc, b.getF32Type(), v);
}

Value tessera::fromF32(OpBuilder &b, Location loc, Value v, Type t) {
  if (t == v.getType())
    return v;
  if (t.getIntOrFloatBitWidth() > 32)
    return arith::ExtFOp::create(b, loc, t, v);
  return arith::TruncFOp::create(b, loc, t, v);
}

Value tessera::filled(OpBuilder &b, Location loc, Value empty, double v) {
  Type elt = cast<RankedTensorType>(empty.getType()).getElementType();
  Value c = arith::ConstantOp::create(b, loc, b.getFloatAttr(elt, v));
  return linalg::FillOp::create(b, loc, c, empty).getResult(0);
}

LogicalResult tessera::decomposeAggregatedOps(Operation *root,
                                              StringRef stage) {
  SmallVector<linalg::AggregatedOpInterface> ops;
  root->walk([&](linalg::AggregatedOpInterface op) { ops.push_back(op); });
  for (linalg::AggregatedOpInterface op : ops) {
    OpBuilder b(op);
    FailureOr<SmallVector<Value>> parts = op.decomposeOperation(b);
    if (failed(parts))
      return op->emitError() << stage << ": cannot decompose '"
                             << op->getName() << "'";
    op->replaceAllUsesWith(*parts);
    op->erase();
  }
  return success();
}

std::pair<Value, Value> tessera::lseStep(OpBuilder &b, Location loc, Value a,
                                         Value m, Value s) {
  Value nm = arith::MaximumFOp::create(b, loc, m, a);
  Value d = math::AbsFOp::create(b, loc, arith::SubFOp::create(b, loc, a, m));
  Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, d));
  Value grew = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, a, m);
  Value one = cstF32(b, loc, 1.0);
  Value rescaled = arith::AddFOp::create(
      b, loc, arith::MulFOp::create(b, loc, s, e), one);
  Value added = arith::AddFOp::create(b, loc, s, e);
  Value ns = arith::SelectOp::create(b, loc, grew, rescaled, added);
  Value ninf = cstF32(b, loc, -std::numeric_limits<double>::infinity());
  Value dead = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, nm, ninf);
  ns = arith::SelectOp::create(b, loc, dead, cstF32(b, loc, 0.0), ns);
  return {nm, ns};
}

std::optional<tessera::LseStepParts> tessera::matchLseStep(Value ns) {
  // Mirrors lseStep op by op; any other shape is not ours.
  auto isConst = [](Value v, double c) {
    FloatAttr attr;
    return matchPattern(v, m_Constant(&attr)) &&
           attr.getValueAsDouble() == c;
  };
  auto outer = ns.getDefiningOp<arith::SelectOp>();
  if (!outer || !isConst(outer.getTrueValue(), 0.0))
    return std::nullopt;
  auto dead = outer.getCondition().getDefiningOp<arith::CmpFOp>();
  if (!dead || dead.getPredicate() != arith::CmpFPredicate::OEQ ||
      !isConst(dead.getRhs(), -std::numeric_limits<double>::infinity()))
    return std::nullopt;
  auto nm = dead.getLhs().getDefiningOp<arith::MaximumFOp>();
  auto sel = outer.getFalseValue().getDefiningOp<arith::SelectOp>();
  if (!nm || !sel)
    return std::nullopt;
  Value m = nm.getLhs(), a = nm.getRhs();
  auto grew = sel.getCondition().getDefiningOp<arith::CmpFOp>();
  auto rescaled = sel.getTrueValue().getDefiningOp<arith::AddFOp>();
  auto added = sel.getFalseValue().getDefiningOp<arith::AddFOp>();
  if (!grew || grew.getPredicate() != arith::CmpFPredicate::OGT ||
      grew.getLhs() != a || grew.getRhs() != m || !rescaled || !added ||
      !isConst(rescaled.getRhs(), 1.0))
    return std::nullopt;
  auto mul = rescaled.getLhs().getDefiningOp<arith::MulFOp>();
  if (!mul)
    return std::nullopt;
  Value s = mul.getLhs(), e = mul.getRhs();
  if (added.getLhs() != s || added.getRhs() != e)
    return std::nullopt;
  auto exp = e.getDefiningOp<math::ExpOp>();
  auto neg = exp ? exp.getOperand().getDefiningOp<arith::NegFOp>() : nullptr;
  auto abs = neg ? neg.getOperand().getDefiningOp<math::AbsFOp>() : nullptr;
  auto sub = abs ? abs.getOperand().getDefiningOp<arith::SubFOp>() : nullptr;
  if (!sub || sub.getLhs() != a || sub.getRhs() != m)
    return std::nullopt;
  return LseStepParts{a, m, s, nm};
}

Value tessera::lseMerge(OpBuilder &b, Location loc, Value mA, Value sA,
                        Value mB, Value sB) {
  // One exp, as in lseStep: the smaller side is rescaled by exp(-|mA - mB|).
  Value d = math::AbsFOp::create(b, loc, arith::SubFOp::create(b, loc, mA, mB));
  Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, d));
  Value aBigger = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, mA, mB);
  Value keepA = arith::AddFOp::create(b, loc, sA,
                                      arith::MulFOp::create(b, loc, sB, e));
  Value keepB = arith::AddFOp::create(b, loc,
                                      arith::MulFOp::create(b, loc, sA, e), sB);
  Value s = arith::SelectOp::create(b, loc, aBigger, keepA, keepB);
  Value m = arith::MaximumFOp::create(b, loc, mA, mB);
  // Constants shaped like the operands: the CPU merges vectors of sites.
  Value ninf =
      cstLike(b, loc, mA.getType(), -std::numeric_limits<double>::infinity());
  Value dead = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, m, ninf);
  return arith::SelectOp::create(b, loc, dead,
                                 cstLike(b, loc, mA.getType(), 0.0), s);
}
