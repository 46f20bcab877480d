//===- BFNToSchedule.cpp - bfn to linalg on tensors -----------------------===//
//
// Formulas: docs/bfn-math.md. Every reduction over the alphabet is one pass
// with an online max + sum of exponentials in fp32; storage types are widened
// to fp32 on load and narrowed on store.
//
//===----------------------------------------------------------------------===//

#include "tessera/Conversion/BFNToSchedule/BFNToSchedule.h"

#include "tessera/Conversion/LinalgBuilders.h"
#include "tessera/Conversion/Philox.h"
#include "tessera/Conversion/ReverseMode.h"
#include "tessera/Dialect/BFN/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Func/Transforms/FuncConversions.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/Patterns.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/MapVector.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace tessera;
using namespace tessera::bfn;

//===----------------------------------------------------------------------===//
// Scalar helpers
//===----------------------------------------------------------------------===//

static Value cstF64(OpBuilder &b, Location loc, double v) {
  return arith::ConstantOp::create(b, loc, b.getF64FloatAttr(v));
}

/// Widens storage/index/integer scalars to f64 (schedule arithmetic).
static Value toF64(OpBuilder &b, Location loc, Value v) {
  Type t = v.getType();
  if (t.isF64())
    return v;
  if (isa<FloatType>(t))
    return arith::ExtFOp::create(b, loc, b.getF64Type(), v);
  if (t.isIndex())
    v = arith::IndexCastOp::create(b, loc, b.getI64Type(), v);
  return arith::SIToFPOp::create(b, loc, b.getF64Type(), v);
}

static Value toIndex(OpBuilder &b, Location loc, Value v) {
  if (v.getType().isIndex())
    return v;
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), v);
}

/// Bin centre (2k + 1)/B - 1 of an index k, in fp32.
static Value binCentre(OpBuilder &b, Location l, Value k, int64_t bins) {
  Value kf = toF32(b, l, k);
  Value two = arith::MulFOp::create(b, l, kf, cstF32(b, l, 2.0));
  Value num = arith::AddFOp::create(b, l, two, cstF32(b, l, 1.0));
  return arith::SubFOp::create(
      b, l, arith::DivFOp::create(b, l, num, cstF32(b, l, static_cast<double>(bins))),
      cstF32(b, l, 1.0));
}

//===----------------------------------------------------------------------===//
// Schedules in f64
//===----------------------------------------------------------------------===//

static Value callF32Fn(OpBuilder &b, Location loc, FlatSymbolRefAttr fn,
                       Value tF64) {
  Value t32 = arith::TruncFOp::create(b, loc, b.getF32Type(), tF64);
  Value r = func::CallOp::create(b, loc, fn, TypeRange{b.getF32Type()},
                                 ValueRange{t32})
                .getResult(0);
  return arith::ExtFOp::create(b, loc, b.getF64Type(), r);
}

static double cosinePhi(ScheduleAttr s) {
  return std::atan(std::sqrt(s.getBeta1Value()));
}

FailureOr<Value> tessera::emitBeta(OpBuilder &b, Location loc,
                                   ScheduleAttr s, Value t) {
  double b1 = s.getBeta1Value();
  switch (s.getKind()) {
  case ScheduleKind::paper_cts: {
    double ls = std::log(s.getSigma1().convertToDouble());
    Value x = arith::MulFOp::create(b, loc, t, cstF64(b, loc, -2.0 * ls));
    return Value(math::ExpM1Op::create(b, loc, x));
  }
  case ScheduleKind::paper_discrete:
  case ScheduleKind::poly: {
    Value p = math::PowFOp::create(
        b, loc, t, cstF64(b, loc, s.getPower().convertToDouble()));
    return Value(arith::MulFOp::create(b, loc, p, cstF64(b, loc, b1)));
  }
  case ScheduleKind::linear:
    return Value(arith::MulFOp::create(b, loc, t, cstF64(b, loc, b1)));
  case ScheduleKind::cosine: {
    Value x = arith::MulFOp::create(b, loc, t, cstF64(b, loc, cosinePhi(s)));
    Value tn = math::TanOp::create(b, loc, x);
    return Value(arith::MulFOp::create(b, loc, tn, tn));
  }
  case ScheduleKind::custom:
    return callF32Fn(b, loc, s.getBetaFn(), t);
  }
  return failure();
}

FailureOr<Value> tessera::emitRate(OpBuilder &b, Location loc, ScheduleAttr s,
                                   Value t) {
  double b1 = s.getBeta1Value();
  switch (s.getKind()) {
  case ScheduleKind::paper_cts: {
    double ls = std::log(s.getSigma1().convertToDouble());
    Value x = arith::MulFOp::create(b, loc, t, cstF64(b, loc, -2.0 * ls));
    Value e = math::ExpOp::create(b, loc, x);
    return Value(arith::MulFOp::create(b, loc, e, cstF64(b, loc, -2.0 * ls)));
  }
  case ScheduleKind::paper_discrete:
  case ScheduleKind::poly: {
    double p = s.getPower().convertToDouble();
    Value tp = math::PowFOp::create(b, loc, t, cstF64(b, loc, p - 1.0));
    return Value(arith::MulFOp::create(b, loc, tp, cstF64(b, loc, p * b1)));
  }
  case ScheduleKind::linear:
    return cstF64(b, loc, b1);
  case ScheduleKind::cosine: {
    double phi = cosinePhi(s);
    Value x = arith::MulFOp::create(b, loc, t, cstF64(b, loc, phi));
    Value tn = math::TanOp::create(b, loc, x);
    Value c = math::CosOp::create(b, loc, x);
    Value c2 = arith::MulFOp::create(b, loc, c, c);
    Value num = arith::MulFOp::create(b, loc, tn, cstF64(b, loc, 2.0 * phi));
    return Value(arith::DivFOp::create(b, loc, num, c2));
  }
  case ScheduleKind::custom:
    if (!s.getRateFn())
      return emitError(loc) << "the rate of a custom schedule without "
                               "'rate = @fn' (a compiler-derived dbeta/dt) "
                               "is not yet implemented";
    return callF32Fn(b, loc, s.getRateFn(), t);
  }
  return failure();
}

FailureOr<Value> tessera::emitAlpha(OpBuilder &b, Location loc,
                                    ScheduleAttr s, Value i, Value n) {
  double b1 = s.getBeta1Value();
  Value one = cstF64(b, loc, 1.0);
  Value im1 = arith::SubFOp::create(b, loc, i, one);
  switch (s.getKind()) {
  case ScheduleKind::paper_cts: {
    // sigma1^(-2i/n) (1 - sigma1^(2/n)), the second factor via expm1.
    double ls = std::log(s.getSigma1().convertToDouble());
    Value in = arith::DivFOp::create(b, loc, i, n);
    Value e = math::ExpOp::create(
        b, loc, arith::MulFOp::create(b, loc, in, cstF64(b, loc, -2.0 * ls)));
    Value twoOverN = arith::DivFOp::create(b, loc, cstF64(b, loc, 2.0 * ls), n);
    Value m = math::ExpM1Op::create(b, loc, twoOverN);
    Value neg = arith::NegFOp::create(b, loc, m);
    return Value(arith::MulFOp::create(b, loc, e, neg));
  }
  case ScheduleKind::paper_discrete:
  case ScheduleKind::poly: {
    Value p = cstF64(b, loc, s.getPower().convertToDouble());
    Value a = math::PowFOp::create(b, loc, i, p);
    Value c = math::PowFOp::create(b, loc, im1, p);
    Value d = math::PowFOp::create(b, loc, n, p);
    Value num = arith::SubFOp::create(b, loc, a, c);
    Value q = arith::DivFOp::create(b, loc, num, d);
    return Value(arith::MulFOp::create(b, loc, q, cstF64(b, loc, b1)));
  }
  case ScheduleKind::linear:
    return Value(arith::DivFOp::create(b, loc, cstF64(b, loc, b1), n));
  case ScheduleKind::cosine: {
    // tan^2 a - tan^2 b = sin(a+b) sin(a-b) / (cos^2 a cos^2 b).
    Value phi = cstF64(b, loc, cosinePhi(s));
    Value pn = arith::DivFOp::create(b, loc, phi, n);
    Value a = arith::MulFOp::create(b, loc, pn, i);
    Value c = arith::MulFOp::create(b, loc, pn, im1);
    Value s1 = math::SinOp::create(b, loc, pn);
    Value s2 = math::SinOp::create(b, loc, arith::AddFOp::create(b, loc, a, c));
    Value ca = math::CosOp::create(b, loc, a);
    Value cb = math::CosOp::create(b, loc, c);
    Value den = arith::MulFOp::create(
        b, loc, arith::MulFOp::create(b, loc, ca, ca),
        arith::MulFOp::create(b, loc, cb, cb));
    return Value(arith::DivFOp::create(
        b, loc, arith::MulFOp::create(b, loc, s1, s2), den));
  }
  case ScheduleKind::custom: {
    Value hi = callF32Fn(b, loc, s.getBetaFn(),
                         arith::DivFOp::create(b, loc, i, n));
    Value lo = callF32Fn(b, loc, s.getBetaFn(),
                         arith::DivFOp::create(b, loc, im1, n));
    return Value(arith::SubFOp::create(b, loc, hi, lo));
  }
  }
  return failure();
}

FailureOr<Value> tessera::emitGamma(OpBuilder &b, Location loc,
                                    ScheduleAttr s, Value t) {
  if (s.getKind() == ScheduleKind::paper_cts) {
    // 1 - sigma1^(2t) loses all digits near t = 0 in fp32; -expm1 does not.
    double ls = std::log(s.getSigma1().convertToDouble());
    Value x = arith::MulFOp::create(b, loc, t, cstF64(b, loc, 2.0 * ls));
    return Value(arith::NegFOp::create(b, loc, math::ExpM1Op::create(b, loc, x)));
  }
  FailureOr<Value> beta = emitBeta(b, loc, s, t);
  if (failed(beta))
    return failure();
  Value den = arith::AddFOp::create(b, loc, *beta, cstF64(b, loc, 1.0));
  return Value(arith::DivFOp::create(b, loc, *beta, den));
}

//===----------------------------------------------------------------------===//
// linalg helpers
//===----------------------------------------------------------------------===//

namespace {

using tessera::buildGeneric;
using tessera::emptyLike;
using tessera::filled;
using Operand = tessera::LinalgOperand;

Operand siteOperand(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  return {v, t ? static_cast<unsigned>(t.getRank()) : 0u};
}

/// One step of a log-space log-sum-exp: L' = log(e^L + e^a), as
/// max(L, a) + log1p(e^-|L - a|); -inf on either side returns the other.
Value logAddExp(OpBuilder &b, Location loc, Value lse, Value a) {
  Value mx = arith::MaximumFOp::create(b, loc, lse, a);
  Value mn = arith::MinimumFOp::create(b, loc, lse, a);
  Value t = math::Log1pOp::create(
      b, loc, math::ExpOp::create(b, loc, arith::SubFOp::create(b, loc, mn, mx)));
  Value r = arith::AddFOp::create(b, loc, mx, t);
  Value ninf = cstF32(b, loc, -std::numeric_limits<double>::infinity());
  Value lDead = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, lse, ninf);
  Value aDead = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, a, ninf);
  r = arith::SelectOp::create(b, loc, aDead, lse, r);
  return arith::SelectOp::create(b, loc, lDead, a, r);
}

/// m + log(s).
Value lseFinish(OpBuilder &b, Location loc, Value m, Value s) {
  return arith::AddFOp::create(b, loc, m, math::LogOp::create(b, loc, s));
}

/// ln of a simplex entry in fp32, whatever its representation.
Value logOf(OpBuilder &b, Location loc, Value stored, bool isLog) {
  Value v = toF32(b, loc, stored);
  return isLog ? v : Value(math::LogOp::create(b, loc, v));
}

/// An accuracy (or tensor of them) as f32 (or a tensor of f32).
Value accuracyValue(OpBuilder &b, Location loc, Value acc) {
  Type f32 = b.getF32Type();
  Type t = f32;
  if (auto tt = dyn_cast<RankedTensorType>(acc.getType()))
    t = RankedTensorType::get(tt.getShape(), f32);
  return AccuracyValueOp::create(b, loc, t, acc);
}

Value unpackOne(OpBuilder &b, Location loc, Value params) {
  auto s = cast<SimplexType>(params.getType());
  return UnpackOp::create(b, loc, TypeRange{s.getStorageType()}, params)
      .getResult(0);
}

/// The storage of simplex parameters for reading probabilities: `logits`
/// are first normalised to f32 log-probabilities (a bfn.simplex_cast), so
/// readers see `prob` or `log` only.
/// Simplex parameters in `form` (same storage type): `params` itself or a
/// bfn.simplex_cast of it.
Value inForm(OpBuilder &b, Location loc, Value params, SimplexForm form) {
  auto s = cast<SimplexType>(params.getType());
  if (s.getForm() == form)
    return params;
  return SimplexCastOp::create(
      b, loc,
      SimplexType::get(b.getContext(), s.getShape(), s.getElementType(), form),
      params);
}

Value readSimplex(OpBuilder &b, Location loc, Value params) {
  if (!cast<SimplexType>(params.getType()).isNormalized())
    params = inForm(b, loc, params, SimplexForm::log);
  return unpackOne(b, loc, params);
}

std::pair<Value, Value> unpackGauss(OpBuilder &b, Location loc, Value params) {
  auto g = cast<GaussType>(params.getType());
  auto op = UnpackOp::create(
      b, loc, TypeRange{g.getStorageType(), g.getStorageType()}, params);
  return {op.getResult(0), op.getResult(1)};
}

/// Reduces a per-site f32 tensor to the requested loss form.
Value reduceLoss(OpBuilder &b, Location loc, Value perSite, Reduction r) {
  if (r == Reduction::none)
    return perSite;
  auto t = cast<RankedTensorType>(perSite.getType());
  Value init = filled(b, loc,
                      tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{},
                                              b.getF32Type()),
                      0.0);
  SmallVector<int64_t> dims = llvm::to_vector(llvm::seq<int64_t>(0, t.getRank()));
  Value sum = linalg::ReduceOp::create(
                  b, loc, ValueRange{perSite}, ValueRange{init}, dims,
                  [](OpBuilder &bb, Location l, ValueRange a) {
                    linalg::YieldOp::create(
                        bb, l, ValueRange{arith::AddFOp::create(bb, l, a[0], a[1])});
                  })
                  .getResult(0);
  Value scalar = tensor::ExtractOp::create(b, loc, sum, ValueRange{});
  if (r == Reduction::sum)
    return scalar;
  // mean: divide by the number of sites (dynamic sizes included).
  Value count = arith::ConstantIndexOp::create(b, loc, 1);
  for (int64_t d = 0; d < t.getRank(); ++d)
    count = arith::MulIOp::create(b, loc, count,
                                  tensor::DimOp::create(b, loc, perSite, d));
  return arith::DivFOp::create(b, loc, scalar, toF32(b, loc, count));
}

/// Site tensor and its rank of a value whose leading dims are the sites.
unsigned rankOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getRank();
}

} // namespace

//===----------------------------------------------------------------------===//
// Phase 1: compute ops
//===----------------------------------------------------------------------===//

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

Value eqIndex(OpBuilder &b, Location loc, Value k, Value label) {
  return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, k,
                               toIndex(b, loc, label));
}

/// An f32 scalar computed in f64 from a per-element time (schedule values).
template <typename EmitFn>
FailureOr<Value> scheduleAt(OpBuilder &b, Location loc, Value t, EmitFn emit) {
  FailureOr<Value> v = emit(b, loc, toF64(b, loc, t));
  if (failed(v))
    return failure();
  return Value(arith::TruncFOp::create(b, loc, b.getF32Type(), *v));
}

/// The simplex of `form` holding softmax of `logit` over the last dim
/// (sites x K): for `logits`, one elementwise op (no normalisation);
/// otherwise in two passes, an online (max, sum-exp) reduction, then the
/// normalisation, written as probabilities or log-probabilities in `storage`.
Value logSoftmax(OpBuilder &b, Location loc, unsigned sites,
                 ArrayRef<Operand> extraIns,
                 function_ref<Value(OpBuilder &, Location, ValueRange)> logit,
                 Value like, int64_t k, Type storage, SimplexForm form) {
  Type f32 = b.getF32Type();
  if (form == SimplexForm::logits) {
    Value out = emptyLike(b, loc, like, sites, {k}, storage);
    return buildGeneric(b, loc, sites + 1, 0, extraIns, {{out, sites + 1}},
                        [&](OpBuilder &bb, Location l, ValueRange a) {
                          linalg::YieldOp::create(
                              bb, l, fromF32(bb, l, logit(bb, l, a), storage));
                        })
        .getResult(0);
  }
  bool storeLog = form == SimplexForm::log;
  Value e = emptyLike(b, loc, like, sites, {}, f32);
  Value m0 = filled(b, loc, e, -kInf), s0 = filled(b, loc, e, 0.0);
  auto red = buildGeneric(
      b, loc, sites, 1, extraIns, {{m0, sites}, {s0, sites}},
      [&](OpBuilder &bb, Location l, ValueRange a) {
        Value v = logit(bb, l, a);
        auto [m, s] = lseStep(bb, l, v, a[a.size() - 2], a.back());
        linalg::YieldOp::create(bb, l, ValueRange{m, s});
      });
  SmallVector<Operand> ins(extraIns);
  ins.push_back({red.getResult(0), sites});
  ins.push_back({red.getResult(1), sites});
  Value out = emptyLike(b, loc, like, sites, {k}, storage);
  auto norm = buildGeneric(
      b, loc, sites + 1, 0, ins, {{out, sites + 1}},
      [&](OpBuilder &bb, Location l, ValueRange a) {
        Value v = logit(bb, l, a);
        Value lse = lseFinish(bb, l, a[a.size() - 3], a[a.size() - 2]);
        Value r = arith::SubFOp::create(bb, l, v, lse);
        if (!storeLog)
          r = math::ExpOp::create(bb, l, r);
        linalg::YieldOp::create(bb, l, fromF32(bb, l, r, storage));
      });
  return norm.getResult(0);
}

/// The one-pass K reduction + per-site finish shared by the KL forms.
struct KLParts {
  Family family;
  Value x, y, alpha;          // alpha: f32 scalar or tensor
  Value logp;                 // receiver's output simplex storage
  bool logSpace = true;
  Value xhat;                 // gaussian receiver
  int64_t k = 0;              // classes or bins
  ReceiverForm form = ReceiverForm::joint;
};

FailureOr<Value> emitKL(OpBuilder &b, Location loc, const KLParts &p) {
  Type f32 = b.getF32Type();
  unsigned r = rankOf(p.x);
  Operand alpha = siteOperand(p.alpha);
  if (p.family == Family::gaussian) {
    Value out = emptyLike(b, loc, p.x, r, {}, f32);
    return buildGeneric(b, loc, r, 0, {{p.x, r}, {p.xhat, r}, alpha},
                        {{out, r}},
                        [&](OpBuilder &bb, Location l, ValueRange a) {
                          Value d = arith::SubFOp::create(
                              bb, l, toF32(bb, l, a[0]), a[1]);
                          Value d2 = arith::MulFOp::create(bb, l, d, d);
                          Value h = arith::MulFOp::create(
                              bb, l, a[2], cstF32(bb, l, 0.5));
                          linalg::YieldOp::create(
                              bb, l, ValueRange{arith::MulFOp::create(bb, l, h, d2)});
                        })
        .getResult(0);
  }
  Value e = emptyLike(b, loc, p.x, r, {}, f32);
  double kd = static_cast<double>(p.k);
  if (p.family == Family::discretized) {
    // -alpha (y-x)^2/2 - LSE_k[ln p_O(k) - alpha (y - k_c)^2 / 2], in one
    // pass: the log-sum-exp is carried in log space, so every step also
    // yields the finished value and the op's last output is the result.
    Value l0 = filled(b, loc, e, -kInf), v0 = filled(b, loc, e, 0.0);
    auto red = buildGeneric(
        b, loc, r, 1, {{p.x, r}, {p.y, r}, {p.logp, r + 1}, alpha},
        {{l0, r}, {v0, r}}, [&](OpBuilder &bb, Location l, ValueRange a) {
          Value kc = binCentre(bb, l, linalg::IndexOp::create(bb, l, r), p.k);
          Value halfAlpha = arith::MulFOp::create(bb, l, a[3], cstF32(bb, l, 0.5));
          Value d = arith::SubFOp::create(bb, l, a[1], kc);
          Value q = arith::MulFOp::create(bb, l, arith::MulFOp::create(bb, l, d, d), halfAlpha);
          Value v = arith::SubFOp::create(bb, l, logOf(bb, l, a[2], p.logSpace), q);
          Value lse = logAddExp(bb, l, a[4], v);
          Value dx = arith::SubFOp::create(bb, l, a[1], toF32(bb, l, a[0]));
          Value qx = arith::MulFOp::create(bb, l, arith::MulFOp::create(bb, l, dx, dx), halfAlpha);
          Value kl = arith::SubFOp::create(bb, l, arith::NegFOp::create(bb, l, qx), lse);
          linalg::YieldOp::create(bb, l, ValueRange{lse, kl});
        });
    return red.getResult(1);
  }
  if (p.form == ReceiverForm::factorized) {
    // Reference code: mixture weights floored at fp32 epsilon and
    // renormalised (one pass for the normaliser), then with
    // u_j = y_j + alpha - alpha K / 2,
    // u_x - sum_j ln(1 - p_j + p_j e^{u_j}), each term evaluated stably.
    const double eps32 = std::ldexp(1.0, -23);
    Value z0 = filled(b, loc, e, 0.0);
    Value norm = buildGeneric(
                     b, loc, r, 1, {{p.logp, r + 1}}, {{z0, r}},
                     [&](OpBuilder &bb, Location l, ValueRange a) {
                       Value pk = math::ExpOp::create(bb, l, logOf(bb, l, a[0], p.logSpace));
                       pk = arith::MaximumFOp::create(bb, l, pk, cstF32(bb, l, eps32));
                       linalg::YieldOp::create(bb, l, ValueRange{arith::AddFOp::create(bb, l, a[1], pk)});
                     })
                     .getResult(0);
    Value s0 = filled(b, loc, e, 0.0), ux0 = filled(b, loc, e, 0.0);
    auto red = buildGeneric(
        b, loc, r, 1,
        {{p.x, r}, {p.y, r + 1}, {p.logp, r + 1}, alpha, {norm, r}},
        {{s0, r}, {ux0, r}}, [&](OpBuilder &bb, Location l, ValueRange a) {
          Value k = linalg::IndexOp::create(bb, l, r);
          Value shift = arith::MulFOp::create(bb, l, a[3],
                                              cstF32(bb, l, 1.0 - kd / 2.0));
          Value u = arith::AddFOp::create(bb, l, a[1], shift);
          Value lp = logOf(bb, l, a[2], p.logSpace);
          Value pk = arith::DivFOp::create(
              bb, l,
              arith::MaximumFOp::create(bb, l, math::ExpOp::create(bb, l, lp),
                                        cstF32(bb, l, eps32)),
              a[4]);
          Value one = cstF32(bb, l, 1.0);
          // u > 0: u + ln(p + (1 - p) e^-u); else log1p(p expm1(u)).
          Value en = math::ExpOp::create(bb, l, arith::NegFOp::create(bb, l, u));
          Value big = arith::AddFOp::create(
              bb, l, u,
              math::LogOp::create(
                  bb, l,
                  arith::AddFOp::create(
                      bb, l, pk,
                      arith::MulFOp::create(
                          bb, l, arith::SubFOp::create(bb, l, one, pk), en))));
          Value small = math::Log1pOp::create(
              bb, l, arith::MulFOp::create(bb, l, pk,
                                           math::ExpM1Op::create(bb, l, u)));
          Value pos = arith::CmpFOp::create(bb, l, arith::CmpFPredicate::OGT, u,
                                            cstF32(bb, l, 0.0));
          Value term = arith::SelectOp::create(bb, l, pos, big, small);
          Value sum = arith::AddFOp::create(bb, l, a[5], term);
          Value ux = arith::SelectOp::create(bb, l, eqIndex(bb, l, k, a[0]), u, a[6]);
          linalg::YieldOp::create(bb, l, ValueRange{sum, ux});
        });
    Value out = emptyLike(b, loc, p.x, r, {}, f32);
    return buildGeneric(b, loc, r, 0, {{red.getResult(1), r}, {red.getResult(0), r}},
                        {{out, r}}, [&](OpBuilder &bb, Location l, ValueRange a) {
                          linalg::YieldOp::create(
                              bb, l, ValueRange{arith::SubFOp::create(bb, l, a[0], a[1])});
                        })
        .getResult(0);
  }
  // Paper: y_x - LSE_k(ln p_O(k) + y_k), one pass over K carrying the
  // max-shifted log-sum-exp (running max m, rescaled sum s: one exp per
  // class); each step yields y_x - (m + log s) for the classes seen so far,
  // so the op's last output is the per-site value whatever the visiting
  // order. Lowered to loops, only the last class's log is live: LLVM sinks
  // it out of the K loop.
  Value m0 = filled(b, loc, e, -kInf), s0 = filled(b, loc, e, 0.0),
        yx0 = filled(b, loc, e, 0.0), kl0 = filled(b, loc, e, 0.0);
  auto red = buildGeneric(
      b, loc, r, 1, {{p.x, r}, {p.y, r + 1}, {p.logp, r + 1}},
      {{m0, r}, {s0, r}, {yx0, r}, {kl0, r}},
      [&](OpBuilder &bb, Location l, ValueRange a) {
        Value k = linalg::IndexOp::create(bb, l, r);
        Value v = arith::AddFOp::create(bb, l, logOf(bb, l, a[2], p.logSpace), a[1]);
        auto [m, s] = lseStep(bb, l, v, a[3], a[4]);
        Value yx = arith::SelectOp::create(bb, l, eqIndex(bb, l, k, a[0]), a[1], a[5]);
        Value kl = arith::SubFOp::create(bb, l, yx, lseFinish(bb, l, m, s));
        linalg::YieldOp::create(bb, l, ValueRange{m, s, yx, kl});
      });
  return red.getResult(3);
}

/// Collects what a KL needs from the sender and receiver that produced its
/// operands (the distribution values never leave their block).
FailureOr<KLParts> klParts(PatternRewriter &rewriter, Operation *op,
                           Value sender, Value receiver, Value y,
                           std::optional<ReceiverForm> form) {
  auto s = sender.getDefiningOp<SenderOp>();
  auto r = receiver.getDefiningOp<ReceiverOp>();
  if (!s || !r)
    return rewriter.notifyMatchFailure(op, "distributions not produced "
                                           "by bfn.sender/bfn.receiver");
  Location loc = op->getLoc();
  KLParts p;
  p.family = s.getType().getFamily();
  p.x = s.getX();
  p.y = y;
  // The receiver's accuracy is the sender's by construction of the step;
  // the sender's is used.
  p.alpha = accuracyValue(rewriter, loc, s.getAlpha());
  if (p.family == Family::gaussian) {
    p.xhat = r.getOutput();
  } else {
    auto simplex = cast<SimplexType>(r.getOutput().getType());
    p.logp = readSimplex(rewriter, loc, r.getOutput());
    p.logSpace = simplex.getLogSpace();
    p.k = simplex.getAlphabetSize();
  }
  p.form = form.value_or(ReceiverForm::joint);
  return p;
}

struct KLLowering : public OpRewritePattern<KLOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(KLOp op, PatternRewriter &rewriter) const override {
    FailureOr<KLParts> p = klParts(rewriter, op, op.getSender(), op.getReceiver(),
                                   op.getY(), op.getReceiverForm());
    if (failed(p))
      return failure();
    FailureOr<Value> kl = emitKL(rewriter, op.getLoc(), *p);
    if (failed(kl))
      return failure();
    rewriter.replaceOp(op, *kl);
    return success();
  }
};

struct DiscreteLossLowering : public OpRewritePattern<DiscreteLossOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(DiscreteLossOp op,
                                PatternRewriter &rewriter) const override {
    FailureOr<KLParts> p = klParts(rewriter, op, op.getSender(), op.getReceiver(),
                                   op.getY(), op.getReceiverForm());
    if (failed(p))
      return failure();
    Location loc = op.getLoc();
    FailureOr<Value> kl = emitKL(rewriter, loc, *p);
    if (failed(kl))
      return failure();
    // n * KL per site.
    Value n = toF32(rewriter, loc, op.getN());
    unsigned r = rankOf(*kl);
    Value out = emptyLike(rewriter, loc, *kl, r, {}, rewriter.getF32Type());
    Value scaled =
        buildGeneric(rewriter, loc, r, 0, {{*kl, r}, {n, 0}}, {{out, r}},
                     [&](OpBuilder &bb, Location l, ValueRange a) {
                       linalg::YieldOp::create(
                           bb, l, ValueRange{arith::MulFOp::create(bb, l, a[0], a[1])});
                     })
            .getResult(0);
    rewriter.replaceOp(op, reduceLoss(rewriter, loc, scaled, op.getReduction()));
    return success();
  }
};

struct BayesUpdateLowering : public OpRewritePattern<BayesUpdateOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BayesUpdateOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value y = op.getY();
    if (auto s = dyn_cast<SimplexType>(op.getType())) {
      // ln theta' = ln theta + y - LSE_k(ln theta_k + y_k); logits skip
      // the normalisation.
      Value theta = unpackOne(rewriter, loc, op.getTheta());
      unsigned r = s.getSiteShape().size();
      bool isLog = s.getLogSpace();
      Value out = logSoftmax(
          rewriter, loc, r, {{theta, r + 1}, {y, r + 1}},
          [&](OpBuilder &bb, Location l, ValueRange a) -> Value {
            return arith::AddFOp::create(bb, l, logOf(bb, l, a[0], isLog), a[1]);
          },
          theta, s.getAlphabetSize(), s.getElementType(), s.getForm());
      rewriter.replaceOpWithNewOp<PackOp>(op, s, ValueRange{out});
      return success();
    }
    // rho' = rho + alpha; mu' = mu + alpha (y - mu) / (rho + alpha)
    auto g = cast<GaussType>(op.getType());
    auto [mu, rho] = unpackGauss(rewriter, loc, op.getTheta());
    Value alpha = accuracyValue(rewriter, loc, op.getAlpha());
    unsigned r = g.getSiteShape().size();
    Type elt = g.getElementType();
    Value outMu = emptyLike(rewriter, loc, mu, r, {}, elt);
    Value outRho = emptyLike(rewriter, loc, mu, r, {}, elt);
    auto upd = buildGeneric(
        rewriter, loc, r, 0, {{mu, r}, {rho, r}, {y, r}, siteOperand(alpha)},
        {{outMu, r}, {outRho, r}}, [&](OpBuilder &bb, Location l, ValueRange a) {
          Value m = toF32(bb, l, a[0]), p = toF32(bb, l, a[1]);
          Value np = arith::AddFOp::create(bb, l, p, a[3]);
          Value step = arith::DivFOp::create(
              bb, l,
              arith::MulFOp::create(bb, l, a[3], arith::SubFOp::create(bb, l, a[2], m)),
              np);
          Value nm = arith::AddFOp::create(bb, l, m, step);
          linalg::YieldOp::create(
              bb, l, ValueRange{fromF32(bb, l, nm, elt), fromF32(bb, l, np, elt)});
        });
    rewriter.replaceOpWithNewOp<PackOp>(op, g, upd.getResults());
    return success();
  }
};

/// x_hat / (mu_x, sigma_x) computation shared by gaussian and discretized
/// outputs: returns (mu/gamma - sqrt((1-gamma)/gamma) a, sqrt((1-gamma)/gamma),
/// t < t_min).
struct NoiseToData {
  Value mean, scale, early;
};
FailureOr<NoiseToData> noiseToData(OpBuilder &b, Location l, ScheduleAttr s,
                                   Value mu, Value eps, Value t, double tMin,
                                   Convention convention) {
  Value early = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT,
                                      toF32(b, l, t), cstF32(b, l, tMin));
  if (convention == Convention::reference &&
      s.getKind() == ScheduleKind::paper_cts) {
    // The reference code: gamma = 1 - sigma1^(2 max(t, t_min)) and
    // sqrt((1 - gamma) / gamma), all in fp32.
    Value te = arith::MaximumFOp::create(b, l, toF32(b, l, t), cstF32(b, l, tMin));
    double ls = std::log(s.getSigma1().convertToDouble());
    Value p = math::ExpOp::create(
        b, l, arith::MulFOp::create(b, l, te, cstF32(b, l, 2.0 * ls)));
    Value one = cstF32(b, l, 1.0);
    Value gamma = arith::SubFOp::create(b, l, one, p);
    Value scale = math::SqrtOp::create(
        b, l, arith::DivFOp::create(b, l, arith::SubFOp::create(b, l, one, gamma),
                                    gamma));
    Value mean = arith::SubFOp::create(b, l, arith::DivFOp::create(b, l, mu, gamma),
                                       arith::MulFOp::create(b, l, scale, eps));
    return NoiseToData{mean, scale, early};
  }
  // 1/gamma and sqrt((1 - gamma)/gamma) in f64, with 1 - gamma formed
  // without cancellation: sigma1^(2t) for paper_cts, 1/(1 + beta) otherwise.
  Value t64 = toF64(b, l, t);
  FailureOr<Value> gamma = emitGamma(b, l, s, t64);
  if (failed(gamma))
    return failure();
  Value omg;
  if (s.getKind() == ScheduleKind::paper_cts) {
    double ls = std::log(s.getSigma1().convertToDouble());
    omg = math::ExpOp::create(
        b, l, arith::MulFOp::create(b, l, t64, cstF64(b, l, 2.0 * ls)));
  } else {
    FailureOr<Value> beta = emitBeta(b, l, s, t64);
    if (failed(beta))
      return failure();
    omg = arith::DivFOp::create(
        b, l, cstF64(b, l, 1.0),
        arith::AddFOp::create(b, l, *beta, cstF64(b, l, 1.0)));
  }
  Value scale64 = math::SqrtOp::create(b, l, arith::DivFOp::create(b, l, omg, *gamma));
  Value inv64 = arith::DivFOp::create(b, l, cstF64(b, l, 1.0), *gamma);
  Value scale = arith::TruncFOp::create(b, l, b.getF32Type(), scale64);
  Value inv = arith::TruncFOp::create(b, l, b.getF32Type(), inv64);
  Value mean = arith::SubFOp::create(b, l, arith::MulFOp::create(b, l, mu, inv),
                                     arith::MulFOp::create(b, l, scale, eps));
  return NoiseToData{mean, scale, early};
}

/// Phi(z) = erfc(-z / sqrt 2) / 2.
Value normalCdf(OpBuilder &b, Location l, Value z) {
  Value c = cstF32(b, l, -M_SQRT1_2);
  return arith::MulFOp::create(
      b, l, math::ErfcOp::create(b, l, arith::MulFOp::create(b, l, z, c)),
      cstF32(b, l, 0.5));
}

struct OutputLowering : public OpRewritePattern<OutputOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(OutputOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto simplex = dyn_cast<SimplexType>(op.getType());
    if (!op.getTheta()) {
      // categorical: log_softmax(logits)
      Value logits = op.getNet()[0];
      unsigned r = simplex.getSiteShape().size();
      Value out = logSoftmax(
          rewriter, loc, r, {{logits, r + 1}},
          [&](OpBuilder &bb, Location l, ValueRange a) -> Value {
            return toF32(bb, l, a[0]);
          },
          logits, simplex.getAlphabetSize(), simplex.getElementType(),
          simplex.getForm());
      rewriter.replaceOpWithNewOp<PackOp>(op, simplex, ValueRange{out});
      return success();
    }
    ScheduleAttr sched = *op.getSchedule();
    double tMin = op.getTMin().convertToDouble();
    Convention conv = op.getConvention();
    Value mu = unpackGauss(rewriter, loc, op.getTheta()).first;
    unsigned r = rankOf(mu);
    Operand t = siteOperand(op.getT());
    bool failedSchedule = false;
    if (!simplex) {
      // gaussian: x_hat, clipped to [-1, 1]; 0 below t_min.
      Value out = emptyLike(rewriter, loc, mu, r, {}, rewriter.getF32Type());
      auto gen = buildGeneric(
          rewriter, loc, r, 0, {{mu, r}, {op.getNet()[0], r}, t}, {{out, r}},
          [&](OpBuilder &bb, Location l, ValueRange a) {
            FailureOr<NoiseToData> d = noiseToData(
                bb, l, sched, toF32(bb, l, a[0]), toF32(bb, l, a[1]), a[2], tMin, conv);
            if (failed(d)) {
              failedSchedule = true;
              linalg::YieldOp::create(bb, l, ValueRange{cstF32(bb, l, 0.0)});
              return;
            }
            Value x = arith::MinimumFOp::create(
                bb, l, arith::MaximumFOp::create(bb, l, d->mean, cstF32(bb, l, -1.0)),
                cstF32(bb, l, 1.0));
            x = arith::SelectOp::create(bb, l, d->early, cstF32(bb, l, 0.0), x);
            linalg::YieldOp::create(bb, l, x);
          });
      if (failedSchedule)
        return failure();
      rewriter.replaceOp(op, gen.getResult(0));
      return success();
    }
    // discretized: bin masses of N(mu_x, sigma_x^2) with the outer edges
    // pinned, each as Q(z_l) - Q(z_r) (right of the mean) or
    // Phi(z_r) - Phi(z_l), so no mass comes from 1 - 1 cancellation.
    int64_t bins = simplex.getAlphabetSize();
    Value out = emptyLike(rewriter, loc, mu, r, {bins}, simplex.getElementType());
    auto gen = buildGeneric(
        rewriter, loc, r + 1, 0,
        {{mu, r}, {op.getNet()[0], r}, {op.getNet()[1], r}, t}, {{out, r + 1}},
        [&](OpBuilder &bb, Location l, ValueRange a) {
          FailureOr<NoiseToData> d = noiseToData(
              bb, l, sched, toF32(bb, l, a[0]), toF32(bb, l, a[1]), a[3], tMin, conv);
          if (failed(d)) {
            failedSchedule = true;
            linalg::YieldOp::create(bb, l, ValueRange{a.back()});
            return;
          }
          Value one = cstF32(bb, l, 1.0), zero = cstF32(bb, l, 0.0);
          Value muX = arith::SelectOp::create(bb, l, d->early, zero, d->mean);
          Value lnSigEps = toF32(bb, l, a[2]);
          bool ref = conv == Convention::reference;
          if (ref) // reference code: ln sigma_eps in [-10, 10]
            lnSigEps = arith::MinimumFOp::create(
                bb, l, arith::MaximumFOp::create(bb, l, lnSigEps, cstF32(bb, l, -10.0)),
                cstF32(bb, l, 10.0));
          Value sig = arith::MulFOp::create(bb, l, d->scale,
                                            math::ExpOp::create(bb, l, lnSigEps));
          if (ref) // reference code: sigma_x in [1e-3, 10]
            sig = arith::MinimumFOp::create(
                bb, l, arith::MaximumFOp::create(bb, l, sig, cstF32(bb, l, 1e-3)),
                cstF32(bb, l, 10.0));
          sig = arith::SelectOp::create(bb, l, d->early, one, sig);
          Value k = toF32(bb, l, linalg::IndexOp::create(bb, l, r));
          Value w = cstF32(bb, l, 2.0 / static_cast<double>(bins));
          Value left = arith::SubFOp::create(bb, l, arith::MulFOp::create(bb, l, k, w), one);
          Value right = arith::AddFOp::create(bb, l, left, w);
          Value zl = arith::DivFOp::create(bb, l, arith::SubFOp::create(bb, l, left, muX), sig);
          Value zr = arith::DivFOp::create(bb, l, arith::SubFOp::create(bb, l, right, muX), sig);
          // Pinned edges: bin 0 takes everything below, bin B-1 above.
          Value first = arith::CmpFOp::create(bb, l, arith::CmpFPredicate::OEQ, k, zero);
          Value last = arith::CmpFOp::create(bb, l, arith::CmpFPredicate::OEQ, k,
                                             cstF32(bb, l, static_cast<double>(bins - 1)));
          zl = arith::SelectOp::create(bb, l, first, cstF32(bb, l, -kInf), zl);
          zr = arith::SelectOp::create(bb, l, last, cstF32(bb, l, kInf), zr);
          Value rightSide = arith::CmpFOp::create(bb, l, arith::CmpFPredicate::OGE, zl, zero);
          Value qL = normalCdf(bb, l, arith::NegFOp::create(bb, l, zl));
          Value qR = normalCdf(bb, l, arith::NegFOp::create(bb, l, zr));
          Value viaQ = arith::SubFOp::create(bb, l, qL, qR);
          Value viaPhi = arith::SubFOp::create(bb, l, normalCdf(bb, l, zr),
                                               normalCdf(bb, l, zl));
          Value mass = arith::SelectOp::create(bb, l, rightSide, viaQ, viaPhi);
          Value lg = math::LogOp::create(bb, l, mass);
          linalg::YieldOp::create(bb, l, fromF32(bb, l, lg, simplex.getElementType()));
        });
    if (failedSchedule)
      return failure();
    rewriter.replaceOpWithNewOp<PackOp>(op, simplex, gen.getResults());
    return success();
  }
};

struct ParamizeLowering : public OpRewritePattern<ParamizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ParamizeOp op, PatternRewriter &rewriter) const override {
    if (op.getDraws().empty())
      return rewriter.notifyMatchFailure(op, "Philox stream");
    Location loc = op.getLoc();
    ScheduleAttr sched = op.getSchedule();
    bool ref = op.getConvention() == Convention::reference;
    Value x = op.getX(), eps = op.getDraws()[0];
    Operand t = siteOperand(op.getT());
    unsigned r = rankOf(x);
    bool failedSchedule = false;
    if (auto s = dyn_cast<SimplexType>(op.getType())) {
      // ln theta = log_softmax(beta (K e_x - 1) + sqrt(beta K) eps)
      double kd = static_cast<double>(s.getAlphabetSize());
      Value out = logSoftmax(
          rewriter, loc, r, {{x, r}, {eps, r + 1}, t},
          [&](OpBuilder &bb, Location l, ValueRange a) -> Value {
            // Reference code: t <= 1 - 1e-6.
            Value tt0 = ref ? Value(arith::MinimumFOp::create(
                                  bb, l, toF32(bb, l, a[2]), cstF32(bb, l, 1.0 - 1e-6)))
                            : a[2];
            FailureOr<Value> beta = scheduleAt(bb, l, tt0, [&](OpBuilder &b2, Location l2, Value tt) {
              return emitBeta(b2, l2, sched, tt);
            });
            if (failed(beta)) {
              failedSchedule = true;
              return cstF32(bb, l, 0.0);
            }
            Value k = linalg::IndexOp::create(bb, l, r);
            Value hot = arith::SelectOp::create(bb, l, eqIndex(bb, l, k, a[0]),
                                                cstF32(bb, l, kd - 1.0), cstF32(bb, l, -1.0));
            Value mean = arith::MulFOp::create(bb, l, *beta, hot);
            Value sd = math::SqrtOp::create(
                bb, l, arith::MulFOp::create(bb, l, *beta, cstF32(bb, l, kd)));
            Value logit = arith::AddFOp::create(bb, l, mean, arith::MulFOp::create(bb, l, sd, a[1]));
            if (!ref)
              return logit;
            // Reference code: exactly uniform while sqrt(beta) < 1e-10.
            Value tiny = arith::CmpFOp::create(
                bb, l, arith::CmpFPredicate::OLT, math::SqrtOp::create(bb, l, *beta),
                cstF32(bb, l, 1e-10));
            return arith::SelectOp::create(bb, l, tiny, cstF32(bb, l, 0.0), logit);
          },
          x, s.getAlphabetSize(), s.getElementType(), s.getForm());
      if (failedSchedule)
        return failure();
      rewriter.replaceOpWithNewOp<PackOp>(op, s, ValueRange{out});
      return success();
    }
    // mu = gamma x + sqrt(gamma (1 - gamma)) eps, rho = 1 + beta(t)
    auto g = cast<GaussType>(op.getType());
    Type elt = g.getElementType();
    Value outMu = emptyLike(rewriter, loc, x, r, {}, elt);
    Value outRho = emptyLike(rewriter, loc, x, r, {}, elt);
    auto gen = buildGeneric(
        rewriter, loc, r, 0, {{x, r}, {eps, r}, t}, {{outMu, r}, {outRho, r}},
        [&](OpBuilder &bb, Location l, ValueRange a) {
          if (ref && sched.getKind() == ScheduleKind::paper_cts) {
            // Reference code: gamma = 1 - sigma1^(2t) in fp32.
            double ls = std::log(sched.getSigma1().convertToDouble());
            Value one = cstF32(bb, l, 1.0);
            Value p = math::ExpOp::create(
                bb, l, arith::MulFOp::create(bb, l, toF32(bb, l, a[2]), cstF32(bb, l, 2.0 * ls)));
            Value gamma = arith::SubFOp::create(bb, l, one, p);
            Value sd = math::SqrtOp::create(
                bb, l, arith::MulFOp::create(bb, l, gamma, arith::SubFOp::create(bb, l, one, gamma)));
            Value m = arith::AddFOp::create(
                bb, l, arith::MulFOp::create(bb, l, gamma, toF32(bb, l, a[0])),
                arith::MulFOp::create(bb, l, sd, a[1]));
            Value rho = arith::DivFOp::create(bb, l, one, p);
            linalg::YieldOp::create(bb, l, ValueRange{fromF32(bb, l, m, elt), fromF32(bb, l, rho, elt)});
            return;
          }
          // gamma, 1 - gamma (= 1/(1 + beta)) and 1 + beta in f64, then fp32.
          Value t64 = toF64(bb, l, a[2]);
          FailureOr<Value> gamma64 = emitGamma(bb, l, sched, t64);
          FailureOr<Value> beta64 = emitBeta(bb, l, sched, t64);
          if (failed(gamma64) || failed(beta64)) {
            failedSchedule = true;
            linalg::YieldOp::create(bb, l, ValueRange{a[3], a[4]});
            return;
          }
          Value rho64 = arith::AddFOp::create(bb, l, *beta64, cstF64(bb, l, 1.0));
          Value sd64 = math::SqrtOp::create(
              bb, l, arith::DivFOp::create(bb, l, *gamma64, rho64));
          Value gamma = arith::TruncFOp::create(bb, l, bb.getF32Type(), *gamma64);
          Value sd = arith::TruncFOp::create(bb, l, bb.getF32Type(), sd64);
          Value m = arith::AddFOp::create(
              bb, l, arith::MulFOp::create(bb, l, gamma, toF32(bb, l, a[0])),
              arith::MulFOp::create(bb, l, sd, a[1]));
          Value rho = arith::TruncFOp::create(bb, l, bb.getF32Type(), rho64);
          linalg::YieldOp::create(bb, l, ValueRange{fromF32(bb, l, m, elt), fromF32(bb, l, rho, elt)});
        });
    if (failedSchedule)
      return failure();
    rewriter.replaceOpWithNewOp<PackOp>(op, g, gen.getResults());
    return success();
  }
};

/// Inverse-CDF class draw: smallest k with u < sum_{j <= k} p_j (the last
/// class when rounding leaves u above the total). Returns an index tensor.
Value inverseCdf(OpBuilder &b, Location loc, Value u, Value logp, bool isLog,
                 int64_t k, bool uIsNormal) {
  unsigned r = rankOf(u);
  Value e = emptyLike(b, loc, u, r, {}, b.getF32Type());
  Value cum0 = filled(b, loc, e, 0.0);
  Value sel0 = linalg::FillOp::create(
                   b, loc, Value(arith::ConstantIndexOp::create(b, loc, k - 1)),
                   emptyLike(b, loc, u, r, {}, b.getIndexType()))
                   .getResult(0);
  Value found0 = linalg::FillOp::create(
                     b, loc, Value(arith::ConstantIntOp::create(b, loc, 0, 1)),
                     emptyLike(b, loc, u, r, {}, b.getI1Type()))
                     .getResult(0);
  auto red = buildGeneric(
      b, loc, r, 1, {{u, r}, {logp, r + 1}}, {{cum0, r}, {sel0, r}, {found0, r}},
      [&](OpBuilder &bb, Location l, ValueRange a) {
        Value uu = uIsNormal ? normalCdf(bb, l, a[0]) : a[0];
        Value p = math::ExpOp::create(bb, l, logOf(bb, l, a[1], isLog));
        Value cum = arith::AddFOp::create(bb, l, a[2], p);
        Value below = arith::CmpFOp::create(bb, l, arith::CmpFPredicate::OLT, uu, cum);
        Value notYet = arith::XOrIOp::create(bb, l, a[4],
                                             arith::ConstantIntOp::create(bb, l, 1, 1));
        Value take = arith::AndIOp::create(bb, l, below, notYet);
        Value k2 = linalg::IndexOp::create(bb, l, r);
        Value sel = arith::SelectOp::create(bb, l, take, k2, a[3]);
        Value found = arith::OrIOp::create(bb, l, a[4], take);
        linalg::YieldOp::create(bb, l, ValueRange{cum, sel, found});
      });
  return red.getResult(1);
}

struct SampleLowering : public OpRewritePattern<SampleOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SampleOp op, PatternRewriter &rewriter) const override {
    if (op.getDraws().empty())
      return rewriter.notifyMatchFailure(op, "Philox stream");
    Location loc = op.getLoc();
    Value dist = op.getDist();
    auto draws = op.getDraws();
    Type f32 = rewriter.getF32Type();
    Value alpha, label; // label: class/bin index (index tensor), x or x_hat
    Family family;
    int64_t k = 0;
    bool labelIsIndex = false;
    if (auto s = dist.getDefiningOp<SenderOp>()) {
      family = s.getType().getFamily();
      alpha = accuracyValue(rewriter, loc, s.getAlpha());
      label = s.getX();
      if (family == Family::categorical)
        k = s.getType().getShape().back();
    } else if (auto rcv = dist.getDefiningOp<ReceiverOp>()) {
      family = rcv.getType().getFamily();
      alpha = accuracyValue(rewriter, loc, rcv.getAlpha());
      if (family == Family::gaussian) {
        label = rcv.getOutput();
      } else {
        auto simplex = cast<SimplexType>(rcv.getOutput().getType());
        k = simplex.getAlphabetSize();
        Value logp = readSimplex(rewriter, loc, rcv.getOutput());
        label = inverseCdf(rewriter, loc, draws[0], logp, simplex.getLogSpace(), k,
                           family == Family::discretized);
        labelIsIndex = true;
      }
    } else {
      return rewriter.notifyMatchFailure(op, "distribution not produced by "
                                             "bfn.sender/bfn.receiver");
    }
    Value eps = draws.back();
    unsigned r = rankOf(label);
    Operand a = siteOperand(alpha);
    Value out;
    if (family == Family::categorical) {
      // y = alpha (K e_c - 1) + sqrt(alpha K) eps
      double kd = static_cast<double>(k);
      Value empty = emptyLike(rewriter, loc, label, r, {k}, f32);
      out = buildGeneric(rewriter, loc, r + 1, 0, {{label, r}, {eps, r + 1}, a},
                         {{empty, r + 1}}, [&](OpBuilder &bb, Location l, ValueRange v) {
                           Value kk = linalg::IndexOp::create(bb, l, r);
                           Value hot = arith::SelectOp::create(
                               bb, l, eqIndex(bb, l, kk, v[0]), cstF32(bb, l, kd - 1.0),
                               cstF32(bb, l, -1.0));
                           Value mean = arith::MulFOp::create(bb, l, v[2], hot);
                           Value sd = math::SqrtOp::create(
                               bb, l, arith::MulFOp::create(bb, l, v[2], cstF32(bb, l, kd)));
                           linalg::YieldOp::create(
                               bb, l, ValueRange{arith::AddFOp::create(
                                          bb, l, mean, arith::MulFOp::create(bb, l, sd, v[1]))});
                         })
                .getResult(0);
    } else {
      // y = centre + eps / sqrt(alpha); the centre is x, x_hat or a bin centre.
      Value empty = emptyLike(rewriter, loc, label, r, {}, f32);
      out = buildGeneric(
                rewriter, loc, r, 0, {{label, r}, {eps, r}, a}, {{empty, r}},
                [&](OpBuilder &bb, Location l, ValueRange v) {
                  Value c;
                  if (labelIsIndex) {
                    c = binCentre(bb, l, v[0], k);
                  } else {
                    c = toF32(bb, l, v[0]);
                  }
                  // Not math.rsqrt: libm has no rsqrtf for the CPU path.
                  Value sd = arith::DivFOp::create(bb, l, cstF32(bb, l, 1.0),
                                                   math::SqrtOp::create(bb, l, v[2]));
                  linalg::YieldOp::create(
                      bb, l, ValueRange{arith::AddFOp::create(bb, l, c,
                                                             arith::MulFOp::create(bb, l, sd, v[1]))});
                })
                .getResult(0);
    }
    rewriter.replaceOp(op, out);
    return success();
  }
};

struct ContinuousLossLowering : public OpRewritePattern<ContinuousLossOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ContinuousLossOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    ScheduleAttr sched = op.getSchedule();
    Value x = op.getX();
    unsigned r = rankOf(x);
    Type f32 = rewriter.getF32Type();
    // alpha(t) once per time (a scalar, or one per sample), not per value.
    Value tv = op.getT();
    Operand alpha;
    auto rateAt = [&](OpBuilder &b, Location l, Value tt) {
      return scheduleAt(b, l, tt, [&](OpBuilder &b2, Location l2, Value t64) {
        return emitRate(b2, l2, sched, t64);
      });
    };
    if (auto tt = dyn_cast<RankedTensorType>(tv.getType())) {
      unsigned tr = tt.getRank();
      bool failedSchedule = false;
      Value init = emptyLike(rewriter, loc, tv, tr, {}, f32);
      Value rates = buildGeneric(rewriter, loc, tr, 0, {{tv, tr}}, {{init, tr}},
                                 [&](OpBuilder &bb, Location l, ValueRange a) {
                                   FailureOr<Value> rate = rateAt(bb, l, a[0]);
                                   failedSchedule |= failed(rate);
                                   linalg::YieldOp::create(
                                       bb, l, failed(rate) ? a[0] : *rate);
                                 })
                        .getResult(0);
      if (failedSchedule)
        return failure();
      alpha = {rates, tr};
    } else {
      FailureOr<Value> rate = rateAt(rewriter, loc, tv);
      if (failed(rate))
        return failure();
      alpha = {*rate, 0};
    }
    // alpha(t) W per site, in one elementwise op with W's last step: W is
    // (K/2)||e_x - p||^2, or (x - mean)^2 / 2 with the mean x_hat or
    // k_hat = sum_k p_O(k) k_c.
    Value loss;
    Value e = emptyLike(rewriter, loc, x, r, {}, f32);
    if (auto simplex = dyn_cast<SimplexType>(op.getOutput().getType())) {
      Value logp = readSimplex(rewriter, loc, op.getOutput());
      bool isLog = simplex.getLogSpace();
      double kd = static_cast<double>(simplex.getAlphabetSize());
      bool categorical = cast<RankedTensorType>(x.getType()).getElementType().isSignlessInteger();
      Value acc = filled(rewriter, loc, e, 0.0);
      Value red = buildGeneric(
                      rewriter, loc, r, 1, {{x, r}, {logp, r + 1}}, {{acc, r}},
                      [&](OpBuilder &bb, Location l, ValueRange a) {
                        Value p = math::ExpOp::create(bb, l, logOf(bb, l, a[1], isLog));
                        Value kk = linalg::IndexOp::create(bb, l, r);
                        Value term;
                        if (categorical) {
                          Value hot = arith::SelectOp::create(bb, l, eqIndex(bb, l, kk, a[0]),
                                                              cstF32(bb, l, 1.0), cstF32(bb, l, 0.0));
                          Value d = arith::SubFOp::create(bb, l, hot, p);
                          term = arith::MulFOp::create(bb, l, d, d);
                        } else {
                          Value kc = binCentre(bb, l, kk, simplex.getAlphabetSize());
                          term = arith::MulFOp::create(bb, l, p, kc);
                        }
                        linalg::YieldOp::create(bb, l, ValueRange{arith::AddFOp::create(bb, l, a[2], term)});
                      })
                      .getResult(0);
      Value out = emptyLike(rewriter, loc, x, r, {}, f32);
      loss = buildGeneric(rewriter, loc, r, 0, {{x, r}, {red, r}, alpha}, {{out, r}},
                          [&](OpBuilder &bb, Location l, ValueRange a) {
                            Value v;
                            if (categorical) {
                              v = arith::MulFOp::create(bb, l, a[1], cstF32(bb, l, kd / 2.0));
                            } else {
                              Value d = arith::SubFOp::create(bb, l, toF32(bb, l, a[0]), a[1]);
                              v = arith::MulFOp::create(bb, l, arith::MulFOp::create(bb, l, d, d),
                                                        cstF32(bb, l, 0.5));
                            }
                            linalg::YieldOp::create(bb, l, ValueRange{arith::MulFOp::create(bb, l, a[2], v)});
                          })
                 .getResult(0);
    } else {
      Value out = emptyLike(rewriter, loc, x, r, {}, f32);
      loss = buildGeneric(rewriter, loc, r, 0, {{x, r}, {op.getOutput(), r}, alpha}, {{out, r}},
                          [&](OpBuilder &bb, Location l, ValueRange a) {
                            Value d = arith::SubFOp::create(bb, l, toF32(bb, l, a[0]), a[1]);
                            Value w = arith::MulFOp::create(
                                bb, l, arith::MulFOp::create(bb, l, d, d), cstF32(bb, l, 0.5));
                            linalg::YieldOp::create(bb, l, ValueRange{arith::MulFOp::create(bb, l, a[2], w)});
                          })
                 .getResult(0);
    }
    rewriter.replaceOp(op, reduceLoss(rewriter, loc, loss, op.getReduction()));
    return success();
  }
};

struct ReconstructionLossLowering : public OpRewritePattern<ReconstructionLossOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReconstructionLossOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = op.getX();
    unsigned r = rankOf(x);
    auto simplex = cast<SimplexType>(op.getOutput().getType());
    Value logp = readSimplex(rewriter, loc, op.getOutput());
    bool isLog = simplex.getLogSpace();
    int64_t k = simplex.getAlphabetSize();
    bool categorical = cast<RankedTensorType>(x.getType()).getElementType().isSignlessInteger();
    Value e = emptyLike(rewriter, loc, x, r, {}, rewriter.getF32Type());
    Value acc = filled(rewriter, loc, e, 0.0);
    // -ln p_O(c) with c the class, or the bin clamp(floor((x+1) B/2), 0, B-1).
    Value nll = buildGeneric(
                    rewriter, loc, r, 1, {{x, r}, {logp, r + 1}}, {{acc, r}},
                    [&](OpBuilder &bb, Location l, ValueRange a) {
                      Value kk = linalg::IndexOp::create(bb, l, r);
                      Value c;
                      if (categorical) {
                        c = toIndex(bb, l, a[0]);
                      } else {
                        Value pos = arith::MulFOp::create(
                            bb, l, arith::AddFOp::create(bb, l, toF32(bb, l, a[0]), cstF32(bb, l, 1.0)),
                            cstF32(bb, l, static_cast<double>(k) / 2.0));
                        Value fl = math::FloorOp::create(bb, l, pos);
                        fl = arith::MaximumFOp::create(bb, l, fl, cstF32(bb, l, 0.0));
                        fl = arith::MinimumFOp::create(bb, l, fl, cstF32(bb, l, static_cast<double>(k - 1)));
                        c = arith::IndexCastOp::create(
                            bb, l, bb.getIndexType(),
                            arith::FPToSIOp::create(bb, l, bb.getI64Type(), fl));
                      }
                      Value hit = arith::CmpIOp::create(bb, l, arith::CmpIPredicate::eq, kk, c);
                      Value v = arith::NegFOp::create(bb, l, logOf(bb, l, a[1], isLog));
                      linalg::YieldOp::create(bb, l, ValueRange{arith::SelectOp::create(bb, l, hit, v, a[2])});
                    })
                    .getResult(0);
    rewriter.replaceOp(op, reduceLoss(rewriter, loc, nll, op.getReduction()));
    return success();
  }
};

/// argmax over the last dim of a (sites x K) log-probability tensor; the
/// first maximum wins.
Value argmaxLast(OpBuilder &b, Location loc, Value logp, bool isLog) {
  unsigned r = rankOf(logp) - 1;
  Value e = emptyLike(b, loc, logp, r, {}, b.getF32Type());
  Value m0 = filled(b, loc, e, -kInf);
  Value i0 = linalg::FillOp::create(
                 b, loc, Value(arith::ConstantIndexOp::create(b, loc, 0)),
                 emptyLike(b, loc, logp, r, {}, b.getIndexType()))
                 .getResult(0);
  auto red = buildGeneric(
      b, loc, r, 1, {{logp, r + 1}}, {{m0, r}, {i0, r}},
      [&](OpBuilder &bb, Location l, ValueRange a) {
        Value v = logOf(bb, l, a[0], isLog);
        Value better = arith::CmpFOp::create(bb, l, arith::CmpFPredicate::OGT, v, a[1]);
        Value k = linalg::IndexOp::create(bb, l, r);
        linalg::YieldOp::create(
            bb, l, ValueRange{arith::SelectOp::create(bb, l, better, v, a[1]),
                              arith::SelectOp::create(bb, l, better, k, a[2])});
      });
  return red.getResult(1);
}

/// What a generative step needs besides theta, t and alpha.
struct StepSpec {
  ScheduleAttr schedule;
  FlatSymbolRefAttr network;
  ValueRange netArgs;
  std::optional<int64_t> bins;
  FloatAttr tMin;
  ConventionAttr convention;
};

/// Runs the network on the parameter view at time t (f32).
FailureOr<SmallVector<Value>> callNetwork(PatternRewriter &rw, Operation *op,
                                          Value theta, Value t,
                                          const StepSpec &spec) {
  Location loc = op->getLoc();
  Value view;
  if (isa<SimplexType>(theta.getType())) {
    // The network sees probabilities in the simplex's storage type.
    view = unpackOne(rw, loc, inForm(rw, loc, theta, SimplexForm::prob));
  } else {
    view = unpackGauss(rw, loc, theta).first;
  }
  auto fn = SymbolTable::lookupNearestSymbolFrom<func::FuncOp>(op, spec.network);
  if (!fn)
    return rw.notifyMatchFailure(op, "network not found");
  SmallVector<Value> args = {view, t};
  llvm::append_range(args, spec.netArgs);
  auto call = func::CallOp::create(rw, loc, fn, args);
  return SmallVector<Value>(call.getResults());
}

/// The output distribution of the network outputs at time t.
Value outputOf(PatternRewriter &rw, Location loc, Value theta, Value t,
               ValueRange net, const StepSpec &spec) {
  MLIRContext *ctx = rw.getContext();
  Type f32 = rw.getF32Type();
  if (auto s = dyn_cast<SimplexType>(theta.getType()))
    return OutputOp::create(rw, loc, SimplexType::get(ctx, s.getShape(), f32, SimplexForm::log),
                            net, Value(), Value(), ScheduleAttr(), spec.tMin,
                            spec.convention);
  auto g = cast<GaussType>(theta.getType());
  Type result =
      spec.bins ? Type(SimplexType::get(ctx, llvm::to_vector(llvm::concat<const int64_t>(
                                                  g.getShape(), ArrayRef<int64_t>{*spec.bins})),
                                        f32, SimplexForm::log))
                : Type(RankedTensorType::get(g.getShape(), f32));
  return OutputOp::create(rw, loc, result, net, theta, t, spec.schedule, spec.tMin,
                          spec.convention);
}

/// theta_i from theta_{i-1}: network at t_{i-1}, output distribution,
/// y ~ p_R(. | theta; t, alpha_i) (the same law as x' ~ p_O then
/// y ~ p_S(. | x'; alpha_i)), Bayesian update.
FailureOr<Value> emitFlowStep(PatternRewriter &rw, Operation *op, Value theta,
                              Value t, Value alpha, ValueRange draws,
                              const StepSpec &spec) {
  Location loc = op->getLoc();
  MLIRContext *ctx = rw.getContext();
  FailureOr<SmallVector<Value>> net = callNetwork(rw, op, theta, t, spec);
  if (failed(net))
    return failure();
  Value out = outputOf(rw, loc, theta, t, *net, spec);
  Family family;
  SmallVector<int64_t> shape;
  int64_t bins = 0;
  if (auto s = dyn_cast<SimplexType>(theta.getType())) {
    family = Family::categorical;
    shape = llvm::to_vector(s.getShape());
  } else {
    family = spec.bins ? Family::discretized : Family::gaussian;
    bins = spec.bins.value_or(0);
    shape = llvm::to_vector(cast<GaussType>(theta.getType()).getShape());
  }
  Type f32 = rw.getF32Type();
  auto rcvType = ReceiverType::get(ctx, family, bins, shape, f32);
  Value rcv = ReceiverOp::create(rw, loc, rcvType, out, alpha);
  Value y = SampleOp::create(rw, loc, rcvType.getSampleType(), rcv, Value(),
                             Value(), draws);
  return Value(BayesUpdateOp::create(
      rw, loc, theta.getType(), theta, y,
      family == Family::categorical ? Value() : alpha));
}

/// t_{i-1} = (i - 1) / n in fp32, formed in f64.
Value stepTime(OpBuilder &b, Location loc, Value iMinus1, Value n) {
  Value t = arith::DivFOp::create(b, loc, toF64(b, loc, iMinus1), toF64(b, loc, n));
  return arith::TruncFOp::create(b, loc, b.getF32Type(), t);
}

template <typename NetOpT>
StepSpec specOf(NetOpT op) {
  std::optional<int64_t> bins;
  if (auto b = op.getBinsAttr())
    bins = b.getInt();
  return {op.getSchedule(), op.getNetworkAttr(), op.getNetArgs(), bins,
          op.getTMinAttr(), op.getConventionAttr()};
}

struct FlowStepLowering : public OpRewritePattern<FlowStepOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(FlowStepOp op, PatternRewriter &rw) const override {
    if (op.getDraws().empty() || op.hasInlineNetwork())
      return rw.notifyMatchFailure(op, "needs draws and an outlined network");
    Location loc = op.getLoc();
    Value one = arith::ConstantIndexOp::create(rw, loc, 1);
    Value i = toIndex(rw, loc, op.getI()), n = toIndex(rw, loc, op.getN());
    Value t = stepTime(rw, loc, arith::SubIOp::create(rw, loc, i, one), n);
    Value alpha = AlphaOp::create(rw, loc, AccuracyType::get(rw.getContext()),
                                  op.getI(), op.getN(), op.getSchedule());
    FailureOr<Value> next = emitFlowStep(rw, op, op.getTheta(), t, alpha,
                                         op.getDraws(), specOf(op));
    if (failed(next))
      return failure();
    rw.replaceOp(op, *next);
    return success();
  }
};

/// Step k's slice of a draw tensor stacked over the steps.
Value stepSlice(OpBuilder &b, Location loc, Value stacked, Value k) {
  auto t = cast<RankedTensorType>(stacked.getType());
  SmallVector<OpFoldResult> offsets(t.getRank(), b.getIndexAttr(0));
  offsets[0] = k;
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, stacked);
  sizes[0] = b.getIndexAttr(1);
  SmallVector<OpFoldResult> strides(t.getRank(), b.getIndexAttr(1));
  auto sliceType = RankedTensorType::get(t.getShape().drop_front(), t.getElementType());
  return tensor::ExtractSliceOp::create(b, loc, sliceType, stacked, offsets, sizes,
                                        strides);
}

struct GenerateLowering : public OpRewritePattern<GenerateOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GenerateOp op, PatternRewriter &rw) const override {
    if (op.getDraws().empty() || op.hasInlineNetwork())
      return rw.notifyMatchFailure(op, "needs draws and an outlined network");
    Location loc = op.getLoc();
    MLIRContext *ctx = rw.getContext();
    StepSpec spec = specOf(op);
    bool sampleFinal = op.getFinal() == FinalSample::sample;
    auto allDraws = op.getDraws();
    ValueRange stepDraws = sampleFinal ? allDraws.drop_back() : allDraws;
    Value n = toIndex(rw, loc, op.getN());
    Value zero = arith::ConstantIndexOp::create(rw, loc, 0);
    Value one = arith::ConstantIndexOp::create(rw, loc, 1);

    // The accuracy table alpha_1..alpha_n, built once before the loop.
    SmallVector<OpFoldResult> nSize = {getAsOpFoldResult(n)};
    Value iotaInit = tensor::EmptyOp::create(rw, loc, nSize, rw.getIndexType());
    Value iota = buildGeneric(rw, loc, 1, 0, {}, {{iotaInit, 1}},
                              [&](OpBuilder &bb, Location l, ValueRange) {
                                Value k = linalg::IndexOp::create(bb, l, 0);
                                linalg::YieldOp::create(
                                    bb, l, ValueRange{arith::AddIOp::create(
                                               bb, l, k,
                                               arith::ConstantIndexOp::create(bb, l, 1))});
                              })
                     .getResult(0);
    auto iotaType = cast<RankedTensorType>(iota.getType());
    Value table = AlphaOp::create(
        rw, loc, RankedTensorType::get(iotaType.getShape(), AccuracyType::get(ctx)),
        iota, n, spec.schedule);

    bool failedStep = false;
    auto loop = scf::ForOp::create(
        rw, loc, zero, n, one, ValueRange{op.getTheta()},
        [&](OpBuilder &b, Location l, Value k, ValueRange iter) {
          PatternRewriter::InsertionGuard guard(rw);
          rw.setInsertionPoint(b.getInsertionBlock(), b.getInsertionPoint());
          Value t = stepTime(rw, l, k, n);
          // alpha_i stays a (0-d) tensor: the step's kernels read it where
          // the table lives, so a GPU host loop never waits to read it back.
          Value alpha = tensor::ExtractSliceOp::create(
              rw, l, RankedTensorType::get({}, AccuracyType::get(ctx)), table,
              ArrayRef<OpFoldResult>{k}, ArrayRef<OpFoldResult>{rw.getIndexAttr(1)},
              ArrayRef<OpFoldResult>{rw.getIndexAttr(1)});
          SmallVector<Value> draws;
          for (Value d : stepDraws)
            draws.push_back(stepSlice(rw, l, d, k));
          FailureOr<Value> next = emitFlowStep(rw, op, iter[0], t, alpha, draws, spec);
          if (failed(next)) {
            failedStep = true;
            scf::YieldOp::create(rw, l, iter);
            return;
          }
          scf::YieldOp::create(rw, l, ValueRange{*next});
        });
    if (failedStep)
      return failure();
    Value thetaN = loop.getResult(0);

    // The output distribution at t = 1 turned into data.
    Value tOne = cstF32(rw, loc, 1.0);
    FailureOr<SmallVector<Value>> net = callNetwork(rw, op, thetaN, tOne, spec);
    if (failed(net))
      return failure();
    Value out = outputOf(rw, loc, thetaN, tOne, *net, spec);
    auto resultType = cast<RankedTensorType>(op.getType());
    Type elt = resultType.getElementType();
    if (!isa<SimplexType>(out.getType())) {
      rw.replaceOp(op, out); // continuous: x_hat
      return success();
    }
    auto simplex = cast<SimplexType>(out.getType());
    Value logp = unpackOne(rw, loc, out);
    int64_t k = simplex.getAlphabetSize();
    bool binned = spec.bins.has_value();
    Value idx = sampleFinal
                    ? inverseCdf(rw, loc, allDraws.back(), logp, true, k, binned)
                    : argmaxLast(rw, loc, logp, true);
    unsigned r = rankOf(idx);
    Value init = emptyLike(rw, loc, idx, r, {}, elt);
    Value data = buildGeneric(rw, loc, r, 0, {{idx, r}}, {{init, r}},
                              [&](OpBuilder &bb, Location l, ValueRange a) {
                                Value v;
                                if (binned)
                                  v = fromF32(bb, l, binCentre(bb, l, a[0], k), elt);
                                else
                                  v = arith::IndexCastOp::create(bb, l, elt, a[0]);
                                linalg::YieldOp::create(bb, l, v);
                              })
                     .getResult(0);
    rw.replaceOp(op, data);
    return success();
  }
};

/// The tensor whose leading dims are the sites a drawing op draws for: the
/// data of bfn.paramize and of a sender, the output of a receiver, the
/// parameters of a step or of the generative loop.
FailureOr<Value> siteTensor(OpBuilder &b, Operation *op) {
  Location loc = op->getLoc();
  Value v;
  if (auto p = dyn_cast<ParamizeOp>(op))
    return p.getX();
  if (auto s = dyn_cast<SampleOp>(op)) {
    Operation *def = s.getDist().getDefiningOp();
    if (auto snd = dyn_cast_or_null<SenderOp>(def))
      return snd.getX();
    auto rcv = dyn_cast_or_null<ReceiverOp>(def);
    if (!rcv)
      return failure();
    v = rcv.getOutput();
  } else if (auto f = dyn_cast<FlowStepOp>(op)) {
    v = f.getTheta();
  } else {
    v = cast<GenerateOp>(op).getTheta();
  }
  if (isa<SimplexType>(v.getType()))
    return unpackOne(b, loc, v);
  if (isa<GaussType>(v.getType()))
    return unpackGauss(b, loc, v).first;
  return v;
}

/// rng(seed, offset) -> draws(the Philox tensors): the op then lowers as if
/// the user had passed those draws. Dynamic site sizes are read off the
/// tensor the op draws for; the step count of bfn.generate is its `n`.
template <typename OpT>
struct MaterializePhilox : public OpRewritePattern<OpT> {
  using OpRewritePattern<OpT>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpT op, PatternRewriter &rw) const override {
    if (!op.getSeed())
      return failure();
    Location loc = op.getLoc();
    std::string what;
    SmallVector<DrawSpec> specs = getDrawSpecs(op, what);
    // Draws stacked over the steps of bfn.generate lead with n; its final
    // draw (final = sample) does not.
    unsigned stacked = 0;
    if constexpr (std::is_same_v<OpT, GenerateOp>)
      stacked = specs.size() - (op.getFinal() == FinalSample::sample ? 1 : 0);
    Value sites;
    SmallVector<Value> draws;
    for (auto [j, spec] : llvm::enumerate(specs)) {
      unsigned lead = j < stacked ? 1 : 0;
      SmallVector<Value> sizes;
      for (int64_t d = 0; d < spec.type.getRank(); ++d) {
        if (!spec.type.isDynamicDim(d))
          continue;
        if constexpr (std::is_same_v<OpT, GenerateOp>) {
          if (d < lead) {
            sizes.push_back(toIndex(rw, loc, op.getN()));
            continue;
          }
        }
        if (!sites) {
          FailureOr<Value> t = siteTensor(rw, op);
          if (failed(t))
            return rw.notifyMatchFailure(op, "no tensor gives the site sizes");
          sites = *t;
        }
        sizes.push_back(tensor::DimOp::create(rw, loc, sites, d - lead));
      }
      FailureOr<Value> draw =
          philoxDraws(rw, loc, spec.type, spec.kind == DrawKind::normal,
                      op.getSeed(), op.getOffset(), j, sizes);
      if (failed(draw))
        return rw.notifyMatchFailure(op, "draw shape");
      draws.push_back(*draw);
    }
    replaceKeyWithDraws(rw, op, draws);
    return success();
  }
};

} // namespace

void tessera::populateBFNComputeToSchedulePatterns(RewritePatternSet &patterns) {
  patterns.add<MaterializePhilox<ParamizeOp>, MaterializePhilox<SampleOp>,
               MaterializePhilox<FlowStepOp>, MaterializePhilox<GenerateOp>>(
      patterns.getContext(), /*benefit=*/2);
  patterns.add<BayesUpdateLowering, ContinuousLossLowering, DiscreteLossLowering,
               FlowStepLowering, GenerateLowering, KLLowering, OutputLowering,
               ParamizeLowering, ReconstructionLossLowering, SampleLowering>(
      patterns.getContext());
}

//===----------------------------------------------------------------------===//
// Phase 2: types and value ops
//===----------------------------------------------------------------------===//

BFNTypeConverter::BFNTypeConverter() {
  addConversion([](Type t) { return t; });
  addConversion([](RankedTensorType t) -> Type {
    if (isa<AccuracyType>(t.getElementType()))
      return RankedTensorType::get(t.getShape(), Float32Type::get(t.getContext()));
    return t;
  });
  addConversion([](AccuracyType t) -> Type {
    return Float32Type::get(t.getContext());
  });
  addConversion([](SimplexType t) -> Type { return t.getStorageType(); });
  addConversion([](GaussType t, SmallVectorImpl<Type> &results)
                    -> std::optional<LogicalResult> {
    results.push_back(t.getStorageType());
    results.push_back(t.getStorageType());
    return success();
  });
}

namespace {

struct UnpackConversion : public OpConversionPattern<UnpackOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(UnpackOp op, OneToNOpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, adaptor.getTheta());
    return success();
  }
};

struct PackConversion : public OpConversionPattern<PackOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(PackOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    SmallVector<SmallVector<Value>> repl;
    repl.push_back(llvm::to_vector(adaptor.getStorage()));
    rewriter.replaceOpWithMultiple(op, std::move(repl));
    return success();
  }
};

struct PriorConversion : public OpConversionPattern<PriorOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(PriorOp op, OpAdaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto splat = [&](RankedTensorType t, double v) -> Value {
      return arith::ConstantOp::create(
          rewriter, loc, t,
          DenseElementsAttr::get(t, rewriter.getFloatAttr(t.getElementType(), v)));
    };
    SmallVector<Value> values;
    if (auto s = dyn_cast<SimplexType>(op.getType())) {
      if (!s.getStorageType().hasStaticShape())
        return rewriter.notifyMatchFailure(op, "dynamic sites");
      double k = static_cast<double>(s.getAlphabetSize());
      // Uniform: 1/K, ln(1/K), or any constant as logits (zero).
      double v = s.getForm() == SimplexForm::prob  ? 1.0 / k
                 : s.getForm() == SimplexForm::log ? -std::log(k)
                                                   : 0.0;
      values.push_back(splat(s.getStorageType(), v));
    } else {
      auto g = cast<GaussType>(op.getType());
      if (!g.getStorageType().hasStaticShape())
        return rewriter.notifyMatchFailure(op, "dynamic sites");
      values.push_back(splat(g.getStorageType(), 0.0));
      values.push_back(splat(g.getStorageType(), 1.0));
    }
    SmallVector<SmallVector<Value>> repl;
    repl.push_back(values);
    rewriter.replaceOpWithMultiple(op, std::move(repl));
    return success();
  }
};

struct AccuracyConstantConversion : public OpConversionPattern<AccuracyConstantOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(AccuracyConstantOp op, OpAdaptor,
                                ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(
        op, rewriter.getF32FloatAttr(static_cast<float>(op.getValue().convertToDouble())));
    return success();
  }
};

struct AccuracyAddConversion : public OpConversionPattern<AccuracyAddOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(AccuracyAddOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<arith::AddFOp>(op, adaptor.getLhs(), adaptor.getRhs());
    return success();
  }
};

struct AccuracyValueConversion : public OpConversionPattern<AccuracyValueOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(AccuracyValueOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, adaptor.getAccuracy());
    return success();
  }
};

/// beta/rate/alpha: computed in f64 and rounded, per element for tensors.
template <typename OpT>
struct ScheduleValueConversion : public OpConversionPattern<OpT> {
  using OpConversionPattern<OpT>::OpConversionPattern;
  using OpAdaptor = typename OpConversionPattern<OpT>::OpAdaptor;

  static FailureOr<Value> emit(OpBuilder &b, Location loc, OpT op,
                               ValueRange scalars) {
    if constexpr (std::is_same_v<OpT, BetaOp>)
      return emitBeta(b, loc, op.getSchedule(), toF64(b, loc, scalars[0]));
    else if constexpr (std::is_same_v<OpT, RateOp>)
      return emitRate(b, loc, op.getSchedule(), toF64(b, loc, scalars[0]));
    else
      return emitAlpha(b, loc, op.getSchedule(), toF64(b, loc, scalars[0]),
                       toF64(b, loc, scalars[1]));
  }

  LogicalResult matchAndRewrite(OpT op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    SmallVector<Value> operands(adaptor.getOperands());
    Value first = operands[0];
    auto tensor = dyn_cast<RankedTensorType>(first.getType());
    if (!tensor) {
      FailureOr<Value> v = emit(rewriter, loc, op, operands);
      if (failed(v))
        return failure();
      rewriter.replaceOpWithNewOp<arith::TruncFOp>(op, rewriter.getF32Type(), *v);
      return success();
    }
    unsigned r = tensor.getRank();
    SmallVector<Operand> ins = {{first, r}};
    for (Value v : llvm::drop_begin(operands))
      ins.push_back({v, 0});
    Value out = emptyLike(rewriter, loc, first, r, {}, rewriter.getF32Type());
    bool failedEmit = false;
    auto gen = buildGeneric(rewriter, loc, r, 0, ins, {{out, r}},
                            [&](OpBuilder &bb, Location l, ValueRange a) {
                              FailureOr<Value> v = emit(bb, l, op, a.drop_back());
                              if (failed(v)) {
                                failedEmit = true;
                                linalg::YieldOp::create(bb, l, ValueRange{a.back()});
                                return;
                              }
                              linalg::YieldOp::create(
                                  bb, l, ValueRange{arith::TruncFOp::create(
                                             bb, l, bb.getF32Type(), *v)});
                            });
    if (failedEmit)
      return failure();
    rewriter.replaceOp(op, gen.getResult(0));
    return success();
  }
};

struct SimplexCastConversion : public OpConversionPattern<SimplexCastOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(SimplexCastOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    SimplexType from = op.getSource().getType(), to = op.getType();
    Value src = adaptor.getSource();
    unsigned r = from.getShape().size();
    if (!from.isNormalized() && to.isNormalized()) {
      // Logits are normalised here, with the log-sum-exp over K.
      rewriter.replaceOp(
          op, logSoftmax(
                  rewriter, loc, r - 1, {{src, r}},
                  [](OpBuilder &bb, Location l, ValueRange a) -> Value {
                    return toF32(bb, l, a[0]);
                  },
                  src, to.getAlphabetSize(), to.getElementType(), to.getForm()));
      return success();
    }
    Value out = emptyLike(rewriter, loc, src, r, {}, to.getElementType());
    auto gen = buildGeneric(rewriter, loc, r, 0, {{src, r}}, {{out, r}},
                            [&](OpBuilder &bb, Location l, ValueRange a) {
                              Value v = toF32(bb, l, a[0]);
                              if (from.getLogSpace() && !to.getLogSpace())
                                v = math::ExpOp::create(bb, l, v);
                              else if (!from.getLogSpace() && to.getLogSpace())
                                v = math::LogOp::create(bb, l, v);
                              linalg::YieldOp::create(
                                  bb, l, fromF32(bb, l, v, to.getElementType()));
                            });
    rewriter.replaceOp(op, gen.getResult(0));
    return success();
  }
};

/// Upstream ops that only carry bfn types through (tensor.extract of an
/// accuracy table, tensor.from_elements, ...) are rebuilt with converted types.
struct TypeOnlyConversion : public ConversionPattern {
  TypeOnlyConversion(const TypeConverter &converter, MLIRContext *ctx)
      : ConversionPattern(converter, MatchAnyOpTypeTag(), /*benefit=*/0, ctx) {}
  LogicalResult matchAndRewrite(Operation *op, ArrayRef<Value> operands,
                                ConversionPatternRewriter &rewriter) const override {
    if (op->getNumRegions() != 0 || isa<BFNDialect>(op->getDialect()))
      return failure();
    SmallVector<Type> results;
    if (failed(getTypeConverter()->convertTypes(op->getResultTypes(), results)) ||
        results.size() != op->getNumResults())
      return rewriter.notifyMatchFailure(op, "not a 1:1 type change");
    OperationState state(op->getLoc(), op->getName(), operands, results,
                         op->getAttrs(), op->getSuccessors());
    rewriter.replaceOp(op, rewriter.create(state)->getResults());
    return success();
  }
};

} // namespace

void tessera::populateBFNTypeLoweringPatterns(BFNTypeConverter &converter,
                                              RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<AccuracyAddConversion, AccuracyConstantConversion,
               AccuracyValueConversion, PackConversion, PriorConversion,
               ScheduleValueConversion<AlphaOp>, ScheduleValueConversion<BetaOp>,
               ScheduleValueConversion<RateOp>, SimplexCastConversion,
               UnpackConversion>(converter, ctx);
  patterns.add<TypeOnlyConversion>(converter, ctx);
  populateFunctionOpInterfaceTypeConversionPattern<func::FuncOp>(patterns,
                                                                 converter);
  populateCallOpTypeConversionPattern(patterns, converter);
  populateReturnOpTypeConversionPattern(patterns, converter);
}

//===----------------------------------------------------------------------===//
// Driver
//===----------------------------------------------------------------------===//

/// Chains of at least this many calls of a step function become a loop.
constexpr size_t kMinRerolledSteps = 4;

/// How a rerolled chain's call operand varies with the step index k.
struct StepOperand {
  /// `first + k * stride` for integer constants in arithmetic progression.
  std::optional<std::pair<APInt, APInt>> progression;
  /// Otherwise element k of a constant table of the operands' values.
  DenseElementsAttr table;
};

/// How call operand \p j varies along \p run: in arithmetic progression, or
/// through a table when every value is a scalar integer or float constant;
/// nullopt when some value is not a constant.
static std::optional<StepOperand> stepOperand(ArrayRef<func::CallOp> run,
                                              unsigned j) {
  Type type = run[0]->getOperand(j).getType();
  if (!type.isIntOrIndexOrFloat())
    return std::nullopt;
  SmallVector<Attribute> values;
  for (func::CallOp call : run) {
    Attribute c;
    if (!matchPattern(call.getOperand(j), m_Constant(&c)) ||
        !isa<IntegerAttr, FloatAttr>(c))
      return std::nullopt;
    values.push_back(c);
  }
  StepOperand result;
  if (isa<IntegerType, IndexType>(type)) {
    auto at = [&](size_t k) { return cast<IntegerAttr>(values[k]).getValue(); };
    APInt stride = at(1) - at(0);
    bool regular = true;
    for (size_t k = 2; k < values.size() && regular; ++k)
      regular = at(k) - at(k - 1) == stride;
    if (regular) {
      result.progression = std::make_pair(at(0), stride);
      return result;
    }
  }
  // Tensors of index hold 64-bit elements once bufferized.
  Type element = type.isIndex() ? IntegerType::get(type.getContext(), 64) : type;
  if (element != type)
    for (Attribute &v : values)
      v = IntegerAttr::get(element, cast<IntegerAttr>(v).getValue().sextOrTrunc(64));
  result.table = DenseElementsAttr::get(
      RankedTensorType::get({static_cast<int64_t>(values.size())}, element),
      values);
  return result;
}

/// A chain of calls of \p fn in one block, each taking the previous one's
/// result (its only use) as its first operand and otherwise the same values
/// or scalar constants (the step index, the draws' offset, a time), becomes
/// an scf.for over the calls: a module of n written-out steps then compiles
/// in time independent of n past parsing, where one call per step made
/// one-shot bufferization quadratic in n (every call reads the same network
/// weights: 0.20 / 0.89 s at 500 / 1000 steps). Constants in arithmetic
/// progression are computed from the induction variable; any others are
/// read from a constant table indexed by it.
static void rerollStepChains(func::FuncOp fn, ArrayRef<func::CallOp> calls) {
  llvm::SmallPtrSet<Operation *, 16> isStep;
  for (func::CallOp call : calls)
    isStep.insert(call);
  llvm::SmallPtrSet<Operation *, 16> done;
  for (func::CallOp head : calls) {
    if (done.contains(head))
      continue;
    // The chain from head on, through pure ops in between.
    SmallVector<func::CallOp> run{head};
    for (Operation *op = head->getNextNode(); op; op = op->getNextNode()) {
      if (!isStep.contains(op)) {
        if (isMemoryEffectFree(op) && op->getNumRegions() == 0)
          continue;
        break;
      }
      auto call = cast<func::CallOp>(op);
      Value prev = run.back().getResult(0);
      if (call.getOperand(0) != prev || !prev.hasOneUse())
        break;
      run.push_back(call);
    }
    for (func::CallOp call : run)
      done.insert(call);
    if (run.size() < kMinRerolledSteps)
      continue;
    SmallVector<std::optional<StepOperand>> steps(head.getNumOperands());
    bool regular = true;
    for (unsigned j = 1; j < head.getNumOperands() && regular; ++j) {
      if (llvm::all_of(run, [&](func::CallOp c) {
            return c.getOperand(j) == head.getOperand(j);
          }))
        continue;
      steps[j] = stepOperand(run, j);
      regular = steps[j].has_value();
    }
    if (!regular)
      continue;
    OpBuilder b(head);
    Location loc = head.getLoc();
    SmallVector<Value> tables(head.getNumOperands());
    for (unsigned j = 1; j < head.getNumOperands(); ++j)
      if (steps[j] && steps[j]->table)
        tables[j] = arith::ConstantOp::create(b, loc, steps[j]->table);
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value count = arith::ConstantIndexOp::create(b, loc, run.size());
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    auto loop = scf::ForOp::create(
        b, loc, zero, count, one, ValueRange{head.getOperand(0)},
        [&](OpBuilder &b, Location loc, Value k, ValueRange iter) {
          SmallVector<Value> operands{iter[0]};
          for (unsigned j = 1; j < head.getNumOperands(); ++j) {
            if (!steps[j]) {
              operands.push_back(head.getOperand(j));
              continue;
            }
            Type type = head.getOperand(j).getType();
            if (tables[j]) {
              Value v = tensor::ExtractOp::create(b, loc, tables[j], k);
              if (v.getType() != type)
                v = arith::IndexCastOp::create(b, loc, type, v);
              operands.push_back(v);
              continue;
            }
            Value kk = type.isIndex()
                           ? k
                           : Value(arith::IndexCastOp::create(b, loc, type, k));
            auto constant = [&](const APInt &v) -> Value {
              return arith::ConstantOp::create(b, loc, type,
                                               b.getIntegerAttr(type, v));
            };
            operands.push_back(arith::AddIOp::create(
                b, loc, constant(steps[j]->progression->first),
                arith::MulIOp::create(b, loc, kk,
                                      constant(steps[j]->progression->second))));
          }
          auto call = func::CallOp::create(b, loc, fn, operands);
          scf::YieldOp::create(b, loc, call.getResults());
        });
    run.back().getResult(0).replaceAllUsesWith(loop.getResult(0));
    for (func::CallOp call : llvm::reverse(run))
      call->erase();
  }
}

/// Flow steps that repeat in a module (the same attributes, network and
/// operand types) become calls of one private step function: n steps
/// written out one after another would otherwise be n inlined copies of the
/// step's loops in one function, on which LLVM's loop passes take time
/// quadratic in n (IndVarSimplify and LoopRotate: 40 of 44 s at 125 steps).
static void outlineRepeatedSteps(ModuleOp module) {
  MLIRContext *ctx = module.getContext();
  llvm::MapVector<std::pair<Attribute, Type>, SmallVector<FlowStepOp>> groups;
  module.walk([&](FlowStepOp op) {
    auto type = FunctionType::get(ctx, op->getOperandTypes(),
                                  op->getResultTypes());
    groups[{op->getAttrDictionary(), type}].push_back(op);
  });
  SymbolTable symbols(module);
  for (auto &[key, steps] : groups) {
    if (steps.size() < 2)
      continue;
    FlowStepOp first = steps.front();
    Location loc = first.getLoc();
    OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
    auto fn = func::FuncOp::create(b, loc, "__bfn_flow_step",
                                   cast<FunctionType>(key.second));
    fn.setPrivate();
    symbols.insert(fn);
    Block *entry = fn.addEntryBlock();
    b.setInsertionPointToStart(entry);
    IRMapping map;
    map.map(first->getOperands(), entry->getArguments());
    Operation *step = b.clone(*first, map);
    func::ReturnOp::create(b, loc, step->getResults());
    SmallVector<func::CallOp> calls;
    for (FlowStepOp op : steps) {
      OpBuilder at(op);
      auto call = func::CallOp::create(at, op.getLoc(), fn, op->getOperands());
      op->replaceAllUsesWith(call.getResults());
      op->erase();
      calls.push_back(call);
    }
    rerollStepChains(fn, calls);
  }
}

LogicalResult tessera::lowerBFNToSchedule(ModuleOp module) {
  MLIRContext *ctx = module.getContext();
  // alpha(t) of a custom schedule without 'rate = @fn' is dbeta/dt of its
  // beta function, differentiated here once per function and named in the
  // schedule as if the user had written it.
  SymbolTableCollection tables;
  llvm::DenseMap<StringAttr, FlatSymbolRefAttr> rates;
  WalkResult derived = module.walk([&](Operation *op) {
    if (!isa<RateOp, ContinuousLossOp>(op))
      return WalkResult::advance();
    auto sched = op->getAttrOfType<ScheduleAttr>("schedule");
    if (sched.getKind() != ScheduleKind::custom || sched.getRateFn())
      return WalkResult::advance();
    FlatSymbolRefAttr &rate = rates[sched.getBetaFn().getAttr()];
    if (!rate) {
      auto beta = tables.lookupNearestSymbolFrom<func::FuncOp>(
          op, sched.getBetaFn());
      FailureOr<func::FuncOp> d = createScalarDerivative(
          beta, (sched.getBetaFn().getValue() + "_rate").str(), op,
          "tessera-to-schedule", tables);
      if (failed(d))
        return WalkResult::interrupt();
      rate = FlatSymbolRefAttr::get(d->getSymNameAttr());
    }
    op->setAttr("schedule",
                ScheduleAttr::get(ctx, sched.getKind(), sched.getBeta1(),
                                  sched.getSigma1(), sched.getPower(),
                                  sched.getBetaFn(), rate));
    return WalkResult::advance();
  });
  if (derived.wasInterrupted())
    return failure();

  // Steps call their network by symbol; repeated steps share one body.
  outlineNetworks(module);
  outlineRepeatedSteps(module);
  RewritePatternSet compute(ctx);
  populateBFNComputeToSchedulePatterns(compute);
  if (failed(applyPatternsGreedily(module, std::move(compute))))
    return module.emitError("tessera-to-schedule: bfn lowering did not converge");

  // Distributions are consumed where they are made; anything else left of the
  // compute ops means a distribution crossed a block or function boundary.
  WalkResult left = module.walk([&](Operation *op) {
    if (isa<SenderOp, ReceiverOp, KLOp, DiscreteLossOp, SampleOp, OutputOp,
            ParamizeOp, BayesUpdateOp, ContinuousLossOp, ReconstructionLossOp,
            FlowStepOp, GenerateOp>(op)) {
      op->emitError() << "tessera-to-schedule: cannot lower '" << op->getName()
                      << "': sender/receiver values must be used by bfn ops "
                         "in the block that creates them";
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  if (left.wasInterrupted())
    return failure();

  BFNTypeConverter converter;
  RewritePatternSet patterns(ctx);
  populateBFNTypeLoweringPatterns(converter, patterns);
  ConversionTarget target(*ctx);
  target.addIllegalDialect<BFNDialect>();
  target.markUnknownOpDynamicallyLegal([&](Operation *op) {
    return converter.isLegal(op);
  });
  target.addDynamicallyLegalOp<func::FuncOp>([&](func::FuncOp op) {
    return converter.isSignatureLegal(op.getFunctionType()) &&
           converter.isLegal(&op.getBody());
  });
  scf::populateSCFStructuralTypeConversionsAndLegality(converter, patterns,
                                                       target);
  return applyPartialConversion(module, target, std::move(patterns));
}
