//===- Philox.cpp - The counter-based random stream of Tessera ------------===//

#include "tessera/Conversion/Philox.h"

#include "tessera/Conversion/LinalgBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cmath>

using namespace mlir;
using tessera::cstF32;

namespace {

Value cstI32(OpBuilder &b, Location l, uint32_t v) {
  return arith::ConstantOp::create(b, l, b.getI32IntegerAttr(static_cast<int32_t>(v)));
}

Value cstI64(OpBuilder &b, Location l, int64_t v) {
  return arith::ConstantOp::create(b, l, b.getI64IntegerAttr(v));
}

/// One 32x32 -> 64 bit multiply: (hi, lo).
std::pair<Value, Value> mulhilo(OpBuilder &b, Location l, uint32_t m, Value x) {
  Type i64 = b.getI64Type(), i32 = b.getI32Type();
  Value p = arith::MulIOp::create(b, l, arith::ExtUIOp::create(b, l, i64, x),
                                  cstI64(b, l, m));
  Value hi = arith::TruncIOp::create(
      b, l, i32, arith::ShRUIOp::create(b, l, p, cstI64(b, l, 32)));
  Value lo = arith::TruncIOp::create(b, l, i32, p);
  return {hi, lo};
}

/// Philox4x32-10 (Salmon et al., SC'11): 10 rounds, key bumped by the Weyl
/// constants between rounds. Returns the first two output words.
std::pair<Value, Value> philox(OpBuilder &b, Location l, Value c0, Value c1,
                               Value c2, Value c3, Value k0, Value k1) {
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      k0 = arith::AddIOp::create(b, l, k0, cstI32(b, l, 0x9E3779B9u));
      k1 = arith::AddIOp::create(b, l, k1, cstI32(b, l, 0xBB67AE85u));
    }
    auto [hi0, lo0] = mulhilo(b, l, 0xD2511F53u, c0);
    auto [hi1, lo1] = mulhilo(b, l, 0xCD9E8D57u, c2);
    Value n0 = arith::XOrIOp::create(b, l, arith::XOrIOp::create(b, l, hi1, c1), k0);
    Value n2 = arith::XOrIOp::create(b, l, arith::XOrIOp::create(b, l, hi0, c3), k1);
    c0 = n0;
    c1 = lo1;
    c2 = n2;
    c3 = lo0;
  }
  return {c0, c1};
}

/// 24 high bits of a word as a float in [0, 1) (exact in fp32), or in
/// (0, 1] with `openAtZero`.
Value unitFloat(OpBuilder &b, Location l, Value word, bool openAtZero) {
  Value top = arith::ShRUIOp::create(b, l, word, cstI32(b, l, 8));
  if (openAtZero)
    top = arith::AddIOp::create(b, l, top, cstI32(b, l, 1));
  Value f = arith::UIToFPOp::create(b, l, b.getF32Type(), top);
  return arith::MulFOp::create(b, l, f, cstF32(b, l, std::ldexp(1.0, -24)));
}

} // namespace

FailureOr<Value> tessera::philoxDraws(OpBuilder &b, Location loc,
                                      RankedTensorType type, bool normal,
                                      Value seed, Value offset, uint32_t stream,
                                      ValueRange dynamicSizes) {
  if (dynamicSizes.size() != static_cast<size_t>(type.getNumDynamicDims()))
    return failure();
  ArrayRef<int64_t> shape = type.getShape();
  unsigned rank = shape.size();
  // Row-major strides of the linear element index, as i64 values (products
  // of the dynamic sizes where there are any).
  SmallVector<Value> strides(rank);
  {
    Value stride = cstI64(b, loc, 1);
    unsigned dyn = dynamicSizes.size();
    for (int d = static_cast<int>(rank) - 1; d >= 0; --d) {
      strides[d] = stride;
      Value size =
          ShapedType::isDynamic(shape[d])
              ? Value(arith::IndexCastOp::create(b, loc, b.getI64Type(),
                                                 dynamicSizes[--dyn]))
              : cstI64(b, loc, shape[d]);
      if (d > 0)
        stride = arith::MulIOp::create(b, loc, stride, size);
    }
  }
  Value init = tensor::EmptyOp::create(b, loc, type, dynamicSizes);
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps = {AffineMap::get(rank, 0, {}, ctx),
                                 AffineMap::get(rank, 0, {}, ctx),
                                 AffineMap::getMultiDimIdentityMap(rank, ctx)};
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  auto gen = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, ValueRange{seed, offset},
      ValueRange{init}, maps, iters,
      [&](OpBuilder &bb, Location l, ValueRange a) {
        Type i64 = bb.getI64Type(), i32 = bb.getI32Type();
        Value e = cstI64(bb, l, 0);
        for (int d = static_cast<int>(rank) - 1; d >= 0; --d) {
          Value idx = arith::IndexCastOp::create(bb, l, i64,
                                                 linalg::IndexOp::create(bb, l, d));
          e = arith::AddIOp::create(bb, l, e,
                                    arith::MulIOp::create(bb, l, idx, strides[d]));
        }
        Value ctr = arith::AddIOp::create(bb, l, a[1], e);
        Value c0 = arith::TruncIOp::create(bb, l, i32, ctr);
        Value c1 = arith::TruncIOp::create(
            bb, l, i32, arith::ShRUIOp::create(bb, l, ctr, cstI64(bb, l, 32)));
        Value k0 = arith::TruncIOp::create(bb, l, i32, a[0]);
        Value k1 = arith::TruncIOp::create(
            bb, l, i32, arith::ShRUIOp::create(bb, l, a[0], cstI64(bb, l, 32)));
        auto [r0, r1] = philox(bb, l, c0, c1, cstI32(bb, l, stream),
                               cstI32(bb, l, 0), k0, k1);
        Value v;
        if (!normal) {
          v = unitFloat(bb, l, r0, false);
        } else {
          Value u1 = unitFloat(bb, l, r0, true);
          Value u2 = unitFloat(bb, l, r1, false);
          Value rad = math::SqrtOp::create(
              bb, l, arith::MulFOp::create(bb, l, cstF32(bb, l, -2.0),
                                           math::LogOp::create(bb, l, u1)));
          Value ang = math::CosOp::create(
              bb, l, arith::MulFOp::create(bb, l, u2, cstF32(bb, l, 2.0 * M_PI)));
          v = arith::MulFOp::create(bb, l, rad, ang);
        }
        linalg::YieldOp::create(bb, l, v);
      });
  return gen.getResult(0);
}
