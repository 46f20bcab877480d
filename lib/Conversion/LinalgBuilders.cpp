//===- LinalgBuilders.cpp - Small linalg.generic builders -----------------===//

#include "tessera/Conversion/LinalgBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

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
