//===- BFNOps.cpp - BFN operations: verifiers, folders ---------------------===//

#include "tessera/Dialect/BFN/IR/BFN.h"

#include "tessera/Dialect/Utils/ShapeUtils.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/STLExtras.h"

#include <cmath>

using namespace mlir;
using namespace tessera;
using namespace tessera::bfn;

//===----------------------------------------------------------------------===//
// Shared checks
//===----------------------------------------------------------------------===//

static RankedTensorType tensorOf(ArrayRef<int64_t> shape, Type elt) {
  return RankedTensorType::get(shape, elt);
}

/// Per-sample operands (times, accuracies, steps) are scalars or tensors whose
/// shape is a prefix of the site shape: they broadcast over trailing sites.
static LogicalResult verifyBatchPrefix(Operation *op, StringRef name,
                                       Type type, ArrayRef<int64_t> sites) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor)
    return success();
  if (tensor.getRank() > static_cast<int64_t>(sites.size()) ||
      !isCompatibleShape(tensor.getShape(), sites.take_front(tensor.getRank())))
    return op->emitOpError()
           << name << " of shape " << formatShape(tensor.getShape())
           << " must be a prefix of the site shape " << formatShape(sites);
  return success();
}

/// Constant times must lie in [0, 1].
static LogicalResult verifyConstantTime(Operation *op, Value t) {
  Attribute cst;
  if (!t || !matchPattern(t, m_Constant(&cst)))
    return success();
  auto check = [&](const APFloat &v) -> LogicalResult {
    double d = v.convertToDouble();
    if (!(d >= 0.0 && d <= 1.0))
      return op->emitOpError() << "time t = " << d << " is outside [0, 1]";
    return success();
  };
  if (auto f = dyn_cast<FloatAttr>(cst))
    return check(f.getValue());
  if (auto dense = dyn_cast<DenseFPElementsAttr>(cst))
    for (APFloat v : dense.getValues<APFloat>())
      if (failed(check(v)))
        return failure();
  return success();
}

static std::optional<int64_t> constantInt(Value v) {
  APInt value;
  if (v && matchPattern(v, m_ConstantInt(&value)))
    return value.getSExtValue();
  return std::nullopt;
}

/// Step i of n: n >= 1 and 1 <= i <= n whenever they are constants.
static LogicalResult verifyStep(Operation *op, Value i, Value n) {
  std::optional<int64_t> cn = constantInt(n);
  if (cn && *cn < 1)
    return op->emitOpError() << "step count n = " << *cn << " must be >= 1";
  if (std::optional<int64_t> ci = constantInt(i))
    if (*ci < 1 || (cn && *ci > *cn))
      return op->emitOpError()
             << "step i = " << *ci << " is outside [1, n"
             << (cn ? " = " + std::to_string(*cn) : std::string()) << "]";
  return success();
}

/// Exactly one source of randomness, and explicit draws of the right shapes.
static LogicalResult verifyRandomness(Operation *op, Value seed,
                                      ValueRange draws) {
  std::string what;
  SmallVector<DrawSpec> expected = getDrawSpecs(op, what);
  if (!seed && draws.empty())
    return op->emitOpError()
           << "needs random draws: give rng(%seed, %offset) or draws(" << what
           << ")";
  if (seed && !draws.empty())
    return op->emitOpError()
           << "takes either rng(%seed, %offset) or draws(...), not both";
  if (seed)
    return success();
  if (draws.size() != expected.size())
    return op->emitOpError() << "expects " << expected.size()
                             << " draw tensor(s) (" << what << "), got "
                             << draws.size();
  for (auto [idx, draw, want] : llvm::enumerate(draws.getTypes(), expected)) {
    auto got = cast<RankedTensorType>(draw);
    if (!isCompatibleShape(got.getShape(), want.type.getShape()))
      return op->emitOpError()
             << "draw #" << idx << " must have shape "
             << formatShape(want.type.getShape()) << " (" << what << "), got "
             << formatShape(got.getShape());
  }
  return success();
}

/// Accuracy-valued results mirror the shape of their time/step operand.
static LogicalResult verifyMirroredShape(Operation *op, Type in, Type out,
                                         Type outElement) {
  auto inTensor = dyn_cast<RankedTensorType>(in);
  auto outTensor = dyn_cast<RankedTensorType>(out);
  if (!inTensor && !outTensor) {
    if (out != outElement)
      return op->emitOpError() << "result must be " << outElement;
    return success();
  }
  if (!inTensor || !outTensor || !isCompatibleShape(inTensor.getShape(),
                                            outTensor.getShape()) ||
      outTensor.getElementType() != outElement)
    return op->emitOpError()
           << "result must be " << outElement
           << (inTensor ? " in a tensor of the operand's shape" : "")
           << " to match the operand type " << in << ", got " << out;
  return success();
}

/// A custom schedule names func.funcs of type (f32) -> f32.
static LogicalResult verifyScheduleSymbols(Operation *op, ScheduleAttr schedule,
                                           SymbolTableCollection &table) {
  if (!schedule || schedule.getKind() != ScheduleKind::custom)
    return success();
  MLIRContext *ctx = op->getContext();
  auto want = FunctionType::get(ctx, {Float32Type::get(ctx)},
                                {Float32Type::get(ctx)});
  for (FlatSymbolRefAttr sym : {schedule.getBetaFn(), schedule.getRateFn()}) {
    if (!sym)
      continue;
    auto fn = table.lookupNearestSymbolFrom<func::FuncOp>(op, sym);
    if (!fn)
      return op->emitOpError() << "schedule function " << sym
                               << " does not name a func.func";
    if (fn.getFunctionType() != want)
      return op->emitOpError() << "schedule function " << sym
                               << " must have type " << want << ", got "
                               << fn.getFunctionType();
  }
  return success();
}

static Type reducedLossType(MLIRContext *ctx, Reduction reduction,
                            ArrayRef<int64_t> sites) {
  Type f32 = Float32Type::get(ctx);
  if (reduction == Reduction::none)
    return tensorOf(sites, f32);
  return f32;
}

static LogicalResult verifyLossResult(Operation *op, Reduction reduction,
                                      ArrayRef<int64_t> sites, Type result) {
  Type want = reducedLossType(op->getContext(), reduction, sites);
  auto wantT = dyn_cast<RankedTensorType>(want);
  auto gotT = dyn_cast<RankedTensorType>(result);
  bool ok = wantT ? (gotT && isCompatibleShape(gotT.getShape(), wantT.getShape()))
                  : result == want;
  if (!ok)
    return op->emitOpError()
           << "with reduction '" << stringifyReduction(reduction)
           << "' the loss must be " << want << ", got " << result;
  return success();
}

//===----------------------------------------------------------------------===//
// Accuracies and schedules
//===----------------------------------------------------------------------===//

LogicalResult AccuracyConstantOp::verify() {
  double v = getValue().convertToDouble();
  if (!(v > 0.0) || !std::isfinite(v))
    return emitOpError() << "accuracy must be positive and finite, got " << v;
  return success();
}

OpFoldResult AccuracyConstantOp::fold(FoldAdaptor) { return getValueAttr(); }

static std::optional<double> constantFloat(Attribute attr) {
  if (auto f = dyn_cast_if_present<FloatAttr>(attr))
    return f.getValueAsDouble();
  return std::nullopt;
}

static OpFoldResult accuracyAttr(MLIRContext *ctx, std::optional<double> v) {
  // Only positive finite values become accuracy constants.
  if (!v || !(*v > 0.0) || !std::isfinite(*v))
    return {};
  return FloatAttr::get(Float64Type::get(ctx), *v);
}

LogicalResult BetaOp::verify() {
  if (failed(verifyConstantTime(*this, getT())))
    return failure();
  return verifyMirroredShape(*this, getT().getType(), getType(),
                             AccuracyType::get(getContext()));
}

OpFoldResult BetaOp::fold(FoldAdaptor adaptor) {
  std::optional<double> t = constantFloat(adaptor.getT());
  if (!t || *t < 0.0 || *t > 1.0)
    return {};
  return accuracyAttr(getContext(), getSchedule().evalBeta(*t));
}

LogicalResult BetaOp::verifySymbolUses(SymbolTableCollection &table) {
  return verifyScheduleSymbols(*this, getSchedule(), table);
}

LogicalResult RateOp::verify() {
  if (failed(verifyConstantTime(*this, getT())))
    return failure();
  if (getT().getType() != getType())
    return emitOpError() << "result type " << getType()
                         << " must match the time type " << getT().getType();
  return success();
}

OpFoldResult RateOp::fold(FoldAdaptor adaptor) {
  std::optional<double> t = constantFloat(adaptor.getT());
  if (!t || *t < 0.0 || *t > 1.0)
    return {};
  std::optional<double> r = getSchedule().evalRate(*t);
  if (!r || !std::isfinite(*r))
    return {};
  return FloatAttr::get(getType(), *r);
}

LogicalResult RateOp::verifySymbolUses(SymbolTableCollection &table) {
  return verifyScheduleSymbols(*this, getSchedule(), table);
}

LogicalResult AlphaOp::verify() {
  if (failed(verifyStep(*this, getI(), getN())))
    return failure();
  return verifyMirroredShape(*this, getI().getType(), getType(),
                             AccuracyType::get(getContext()));
}

OpFoldResult AlphaOp::fold(FoldAdaptor adaptor) {
  auto i = dyn_cast_if_present<IntegerAttr>(adaptor.getI());
  auto n = dyn_cast_if_present<IntegerAttr>(adaptor.getN());
  if (!i || !n)
    return {};
  return accuracyAttr(getContext(),
                      getSchedule().evalAlpha(i.getInt(), n.getInt()));
}

LogicalResult AlphaOp::verifySymbolUses(SymbolTableCollection &table) {
  return verifyScheduleSymbols(*this, getSchedule(), table);
}

OpFoldResult AccuracyAddOp::fold(FoldAdaptor adaptor) {
  std::optional<double> a = constantFloat(adaptor.getLhs());
  std::optional<double> b = constantFloat(adaptor.getRhs());
  if (!a || !b)
    return {};
  return accuracyAttr(getContext(), *a + *b);
}

LogicalResult AccuracyValueOp::verify() {
  return verifyMirroredShape(*this, getAccuracy().getType(), getType(),
                             Float32Type::get(getContext()));
}

OpFoldResult AccuracyValueOp::fold(FoldAdaptor adaptor) {
  std::optional<double> a = constantFloat(adaptor.getAccuracy());
  if (!a || !isa<FloatType>(getType()))
    return {};
  return FloatAttr::get(getType(), *a);
}

//===----------------------------------------------------------------------===//
// Parameters
//===----------------------------------------------------------------------===//

/// The storage tensors of parameters: one for a simplex, mean and precision
/// for a Gaussian.
static SmallVector<RankedTensorType> storageTypes(Type params) {
  if (auto s = dyn_cast<SimplexType>(params))
    return {s.getStorageType()};
  auto g = cast<GaussType>(params);
  return {g.getStorageType(), g.getStorageType()};
}

static LogicalResult verifyStorage(Operation *op, Type params,
                                   TypeRange tensors, StringRef role) {
  SmallVector<RankedTensorType> want = storageTypes(params);
  if (tensors.size() != want.size())
    return op->emitOpError()
           << params << " is stored in " << want.size() << " tensor(s)"
           << (isa<GaussType>(params) ? " (mean, precision)" : "") << ", got "
           << tensors.size() << " " << role;
  for (auto [got, w] : llvm::zip(tensors, want)) {
    auto t = cast<RankedTensorType>(got);
    if (!isCompatibleShape(t.getShape(), w.getShape()) ||
        t.getElementType() != w.getElementType())
      return op->emitOpError() << role << " " << got << " does not match the "
                               << "storage type " << w << " of " << params;
  }
  return success();
}

LogicalResult PackOp::verify() {
  return verifyStorage(*this, getType(), getStorage().getTypes(), "operand");
}

OpFoldResult PackOp::fold(FoldAdaptor) {
  // pack(unpack(theta)) -> theta
  auto unpack = getStorage().front().getDefiningOp<UnpackOp>();
  if (!unpack || unpack.getTheta().getType() != getType() ||
      unpack.getResults() != getStorage())
    return {};
  return unpack.getTheta();
}

LogicalResult UnpackOp::verify() {
  return verifyStorage(*this, getTheta().getType(), getStorage().getTypes(),
                       "result");
}

LogicalResult UnpackOp::fold(FoldAdaptor,
                             SmallVectorImpl<OpFoldResult> &results) {
  // unpack(pack(x...)) -> x...
  auto pack = getTheta().getDefiningOp<PackOp>();
  if (!pack || pack.getStorage().getTypes() != getResultTypes())
    return failure();
  llvm::append_range(results, pack.getStorage());
  return success();
}

LogicalResult SimplexCastOp::verify() {
  if (!isCompatibleShape(getSource().getType().getShape(), getType().getShape()))
    return emitOpError() << "cannot change the shape: "
                         << getSource().getType() << " to " << getType();
  return success();
}

OpFoldResult SimplexCastOp::fold(FoldAdaptor) {
  if (getSource().getType() == getType())
    return getSource();
  // cast(cast(x)) -> cast(x) when the middle type loses no precision.
  if (auto inner = getSource().getDefiningOp<SimplexCastOp>()) {
    unsigned mid = inner.getType().getElementType().getIntOrFloatBitWidth();
    unsigned src =
        inner.getSource().getType().getElementType().getIntOrFloatBitWidth();
    unsigned dst = getType().getElementType().getIntOrFloatBitWidth();
    if (mid >= src && mid >= dst &&
        inner.getType().getElementType().isF32()) {
      getSourceMutable().assign(inner.getSource());
      return getResult();
    }
  }
  return {};
}

LogicalResult ParamizeOp::verify() {
  Type x = getX().getType();
  auto xT = cast<RankedTensorType>(x);
  ArrayRef<int64_t> sites;
  if (auto s = dyn_cast<SimplexType>(getType())) {
    sites = s.getSiteShape();
    if (!xT.getElementType().isSignlessInteger())
      return emitOpError() << "categorical parameters need integer class "
                              "labels as data, got "
                           << x;
  } else {
    sites = cast<GaussType>(getType()).getSiteShape();
    if (!isa<FloatType>(xT.getElementType()))
      return emitOpError() << "Gaussian parameters need float data, got " << x;
  }
  if (!isCompatibleShape(xT.getShape(), sites))
    return emitOpError() << "data shape " << formatShape(xT.getShape())
                         << " does not match the site shape "
                         << formatShape(sites) << " of " << getType();
  if (failed(verifyBatchPrefix(*this, "time", getT().getType(), sites)) ||
      failed(verifyConstantTime(*this, getT())))
    return failure();
  return verifyRandomness(*this, getSeed(), getDraws());
}

LogicalResult ParamizeOp::verifySymbolUses(SymbolTableCollection &table) {
  return verifyScheduleSymbols(*this, getSchedule(), table);
}

namespace {
/// The Bayesian flow at t = 0 has seen no accuracy: it is the prior.
struct ParamizeAtZeroIsPrior : public OpRewritePattern<ParamizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ParamizeOp op,
                                PatternRewriter &rewriter) const override {
    Attribute cst;
    if (!matchPattern(op.getT(), m_Constant(&cst)))
      return failure();
    bool zero = false;
    if (auto f = dyn_cast<FloatAttr>(cst))
      zero = f.getValue().isZero();
    else if (auto d = dyn_cast<DenseFPElementsAttr>(cst))
      zero = d.isSplat() && d.getSplatValue<APFloat>().isZero();
    if (!zero)
      return rewriter.notifyMatchFailure(op, "t is not the constant 0");
    rewriter.replaceOpWithNewOp<PriorOp>(op, op.getType());
    return success();
  }
};
} // namespace

void ParamizeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                             MLIRContext *context) {
  results.add<ParamizeAtZeroIsPrior>(context);
}

//===----------------------------------------------------------------------===//
// Distributions
//===----------------------------------------------------------------------===//

LogicalResult OutputOp::verify() {
  Type f32 = Float32Type::get(getContext());
  double tMin = getTMin().convertToDouble();
  if (!(tMin >= 0.0 && tMin < 1.0))
    return emitOpError() << "t_min must lie in [0, 1), got " << tMin;
  auto net = getNet();
  auto simplex = dyn_cast<SimplexType>(getType());
  if (simplex && !simplex.getLogSpace())
    return emitOpError() << "the output distribution is produced in log "
                            "space; use a 'log' simplex result";
  if (!getTheta()) {
    if (getT() || getSchedule())
      return emitOpError() << "time and schedule come with the parameters "
                              "(given %theta at #schedule(%t))";
    if (!simplex)
      return emitOpError() << "a gaussian output needs the parameters and "
                              "time: add 'given %theta at #schedule(%t)'";
    if (net.size() != 1)
      return emitOpError() << "categorical output takes one tensor of logits, "
                              "got "
                           << net.size();
    auto logits = cast<RankedTensorType>(net[0].getType());
    if (!isCompatibleShape(logits.getShape(), simplex.getShape()))
      return emitOpError() << "logits of shape " << formatShape(logits.getShape())
                           << " do not match " << simplex;
    return success();
  }
  if (!getT() || !getSchedule())
    return emitOpError() << "Gaussian-family outputs need the time and the "
                            "schedule with the parameters";
  ArrayRef<int64_t> sites = getTheta().getType().getSiteShape();
  if (failed(verifyBatchPrefix(*this, "time", getT().getType(), sites)) ||
      failed(verifyConstantTime(*this, getT())))
    return failure();
  unsigned wantNet = simplex ? 2 : 1;
  if (net.size() != wantNet)
    return emitOpError() << (simplex ? "discretized output takes (mu_eps, "
                                       "ln_sigma_eps)"
                                     : "gaussian output takes eps_hat")
                         << ": expected " << wantNet
                         << " network tensor(s), got " << net.size();
  for (Value v : net)
    if (!isCompatibleShape(cast<RankedTensorType>(v.getType()).getShape(), sites))
      return emitOpError() << "network output " << v.getType()
                           << " does not match the site shape "
                           << formatShape(sites);
  if (simplex) {
    if (!isCompatibleShape(simplex.getSiteShape(), sites))
      return emitOpError() << "bin distribution " << simplex
                           << " does not match the site shape "
                           << formatShape(sites);
    return success();
  }
  auto xhat = cast<RankedTensorType>(getType());
  if (!isCompatibleShape(xhat.getShape(), sites) || xhat.getElementType() != f32)
    return emitOpError() << "gaussian output x_hat must be "
                         << tensorOf(sites, f32) << ", got " << getType();
  return success();
}

LogicalResult OutputOp::verifySymbolUses(SymbolTableCollection &table) {
  return verifyScheduleSymbols(*this, getScheduleAttr(), table);
}

LogicalResult SenderOp::verify() {
  SenderType s = getType();
  auto x = cast<RankedTensorType>(getX().getType());
  bool isInt = x.getElementType().isSignlessInteger();
  if (s.getFamily() == Family::categorical && !isInt)
    return emitOpError() << "family/type mismatch: a categorical sender takes "
                            "integer class labels, got "
                         << x;
  if (s.getFamily() != Family::categorical && isInt)
    return emitOpError() << "family/type mismatch: a "
                         << stringifyFamily(s.getFamily())
                         << " sender takes float data, got " << x;
  if (!isCompatibleShape(x.getShape(), s.getSiteShape()))
    return emitOpError() << "data shape " << formatShape(x.getShape())
                         << " does not match the site shape "
                         << formatShape(s.getSiteShape()) << " of " << s;
  return verifyBatchPrefix(*this, "accuracy", getAlpha().getType(),
                           s.getSiteShape());
}

LogicalResult ReceiverOp::verify() {
  ReceiverType r = getType();
  Type out = getOutput().getType();
  auto simplex = dyn_cast<SimplexType>(out);
  switch (r.getFamily()) {
  case Family::categorical:
    if (!simplex || !isCompatibleShape(simplex.getShape(), r.getShape()))
      return emitOpError() << "family/type mismatch: a categorical receiver "
                              "takes a simplex of shape "
                           << formatShape(r.getShape()) << ", got " << out;
    break;
  case Family::discretized: {
    SmallVector<int64_t> want(r.getShape());
    want.push_back(r.getBins());
    if (!simplex || !isCompatibleShape(simplex.getShape(), want))
      return emitOpError() << "family/type mismatch: a discretized<"
                           << r.getBins()
                           << "> receiver takes a simplex over the bins of "
                              "shape "
                           << formatShape(want) << ", got " << out;
    break;
  }
  case Family::gaussian: {
    auto t = dyn_cast<RankedTensorType>(out);
    if (!t || !t.getElementType().isF32() ||
        !isCompatibleShape(t.getShape(), r.getShape()))
      return emitOpError() << "family/type mismatch: a gaussian receiver "
                              "takes x_hat as "
                           << tensorOf(r.getShape(),
                                       Float32Type::get(getContext()))
                           << ", got " << out;
    break;
  }
  }
  return verifyBatchPrefix(*this, "accuracy", getAlpha().getType(),
                           r.getSiteShape());
}

LogicalResult SampleOp::verify() {
  RankedTensorType sampleType;
  if (auto s = dyn_cast<SenderType>(getDist().getType()))
    sampleType = s.getSampleType();
  else
    sampleType = cast<ReceiverType>(getDist().getType()).getSampleType();
  if (!isCompatibleShape(getType().getShape(), sampleType.getShape()))
    return emitOpError() << "sample must be " << sampleType << ", got "
                         << getType();
  return verifyRandomness(*this, getSeed(), getDraws());
}

/// Sender and receiver of one KL: same family, bins and shape; the sample
/// rule of the family; the receiver form only where it means something.
static LogicalResult verifyKLOperands(Operation *op, SenderType s,
                                      ReceiverType r, Value y,
                                      std::optional<ReceiverForm> form) {
  if (s.getFamily() != r.getFamily() || s.getBins() != r.getBins())
    return op->emitOpError() << "family mismatch: sender " << s
                             << " and receiver " << r;
  if (!isCompatibleShape(s.getShape(), r.getShape()))
    return op->emitOpError() << "shape mismatch: sender " << s
                             << " and receiver " << r;
  if (s.getFamily() == Family::gaussian) {
    if (y)
      return op->emitOpError() << "the gaussian KL is exact, (alpha/2)(x - "
                                  "x_hat)^2; drop the sample";
  } else {
    if (!y)
      return op->emitOpError()
             << "the " << stringifyFamily(s.getFamily())
             << " KL is a one-sample estimate: give the sender sample "
                "'at %y'";
    auto yT = cast<RankedTensorType>(y.getType());
    if (!isCompatibleShape(yT.getShape(), s.getShape()))
      return op->emitOpError() << "sample " << yT << " must have the sender's "
                               << "sample shape " << formatShape(s.getShape());
  }
  if (form && s.getFamily() != Family::categorical)
    return op->emitOpError()
           << "'receiver_form' only applies to the categorical family";
  return success();
}

LogicalResult KLOp::verify() {
  SenderType s = getSender().getType();
  if (failed(verifyKLOperands(*this, s, getReceiver().getType(), getY(),
                              getReceiverForm())))
    return failure();
  if (!isCompatibleShape(getType().getShape(), s.getSiteShape()))
    return emitOpError() << "result must have the site shape "
                         << formatShape(s.getSiteShape()) << ", got "
                         << getType();
  return success();
}

LogicalResult BayesUpdateOp::verify() {
  auto y = getY().getType();
  if (auto s = dyn_cast<SimplexType>(getTheta().getType())) {
    if (getAlpha())
      return emitOpError() << "the categorical update takes its accuracy "
                              "through y; drop the accuracy operand";
    if (!isCompatibleShape(y.getShape(), s.getShape()))
      return emitOpError() << "y of shape " << formatShape(y.getShape())
                           << " must match " << s;
    return success();
  }
  auto g = cast<GaussType>(getTheta().getType());
  if (!getAlpha())
    return emitOpError() << "the Gaussian update needs the accuracy alpha";
  if (!isCompatibleShape(y.getShape(), g.getSiteShape()))
    return emitOpError() << "y of shape " << formatShape(y.getShape())
                         << " must match the site shape "
                         << formatShape(g.getSiteShape());
  return verifyBatchPrefix(*this, "accuracy", getAlpha().getType(),
                           g.getSiteShape());
}

namespace {
/// update(update(theta, y1), y2) -> update(theta, y1 + y2) for categorical
/// parameters: ln theta + y1 + y2 normalised once is the same distribution.
struct MergeCategoricalUpdates : public OpRewritePattern<BayesUpdateOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BayesUpdateOp op,
                                PatternRewriter &rewriter) const override {
    auto inner = op.getTheta().getDefiningOp<BayesUpdateOp>();
    if (!inner || !isa<SimplexType>(op.getType()) || !inner->hasOneUse() ||
        inner.getY().getType() != op.getY().getType())
      return failure();
    Value y = arith::AddFOp::create(rewriter, op.getLoc(), inner.getY(),
                                    op.getY());
    rewriter.replaceOpWithNewOp<BayesUpdateOp>(op, op.getType(),
                                               inner.getTheta(), y, Value());
    return success();
  }
};
} // namespace

void BayesUpdateOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                                MLIRContext *context) {
  results.add<MergeCategoricalUpdates>(context);
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

LogicalResult DiscreteLossOp::verify() {
  SenderType s = getSender().getType();
  if (failed(verifyKLOperands(*this, s, getReceiver().getType(), getY(),
                              getReceiverForm())))
    return failure();
  if (std::optional<int64_t> n = constantInt(getN()); n && *n < 1)
    return emitOpError() << "step count n = " << *n << " must be >= 1";
  return verifyLossResult(*this, getReduction(), s.getSiteShape(), getType());
}

/// Data and output distribution of a loss determine its family.
static FailureOr<Family> lossFamily(Operation *op, Value x, Value output,
                                    ArrayRef<int64_t> &sites) {
  auto xT = cast<RankedTensorType>(x.getType());
  bool isInt = xT.getElementType().isSignlessInteger();
  auto simplex = dyn_cast<SimplexType>(output.getType());
  Family family;
  if (isInt) {
    if (!simplex)
      return op->emitOpError() << "family/type mismatch: integer labels need "
                                  "a categorical output (a simplex), got "
                               << output.getType();
    family = Family::categorical;
    sites = simplex.getSiteShape();
  } else if (simplex) {
    family = Family::discretized;
    sites = simplex.getSiteShape();
  } else {
    family = Family::gaussian;
    sites = cast<RankedTensorType>(output.getType()).getShape();
  }
  if (!isCompatibleShape(xT.getShape(), sites))
    return op->emitOpError() << "data shape " << formatShape(xT.getShape())
                             << " does not match the site shape "
                             << formatShape(sites) << " of the output";
  return family;
}

LogicalResult ContinuousLossOp::verify() {
  ArrayRef<int64_t> sites;
  if (failed(lossFamily(*this, getX(), getOutput(), sites)))
    return failure();
  if (failed(verifyBatchPrefix(*this, "time", getT().getType(), sites)) ||
      failed(verifyConstantTime(*this, getT())))
    return failure();
  return verifyLossResult(*this, getReduction(), sites, getType());
}

LogicalResult ContinuousLossOp::verifySymbolUses(SymbolTableCollection &table) {
  return verifyScheduleSymbols(*this, getSchedule(), table);
}

LogicalResult ReconstructionLossOp::verify() {
  ArrayRef<int64_t> sites;
  FailureOr<Family> family = lossFamily(*this, getX(), getOutput(), sites);
  if (failed(family))
    return failure();
  if (*family == Family::gaussian)
    return emitOpError() << "a gaussian output is a point mass with no finite "
                            "likelihood; build a discretized output (a "
                            "simplex over bins) for the reconstruction loss";
  return verifyLossResult(*this, getReduction(), sites, getType());
}

//===----------------------------------------------------------------------===//
// Network-carrying ops
//===----------------------------------------------------------------------===//

namespace {
/// What both network-carrying ops share, read through one view.
struct NetworkView {
  Operation *op;
  Type theta;
  std::optional<int64_t> bins;
  std::optional<FlatSymbolRefAttr> network;
  Region &body;
  ValueRange netArgs;
  double tMin;

  Family family() const {
    if (isa<SimplexType>(theta))
      return Family::categorical;
    return bins ? Family::discretized : Family::gaussian;
  }
  ArrayRef<int64_t> sites() const {
    if (auto s = dyn_cast<SimplexType>(theta))
      return s.getSiteShape();
    return cast<GaussType>(theta).getSiteShape();
  }
  /// (parameter view, t, extra args) -> (outputs): the outputs are checked by
  /// shape rule, so only the inputs are fixed here.
  SmallVector<Type> inputs() const {
    SmallVector<Type> in;
    if (auto s = dyn_cast<SimplexType>(theta))
      in.push_back(s.getStorageType());
    else
      in.push_back(cast<GaussType>(theta).getStorageType());
    in.push_back(Float32Type::get(op->getContext()));
    llvm::append_range(in, netArgs.getTypes());
    return in;
  }
  FunctionType type(TypeRange results) const {
    return FunctionType::get(op->getContext(), inputs(), results);
  }

  LogicalResult verifyOutputs(TypeRange results, StringRef where) const {
    unsigned want = family() == Family::discretized ? 2 : 1;
    SmallVector<int64_t> shape(sites());
    if (auto s = dyn_cast<SimplexType>(theta))
      shape.push_back(s.getAlphabetSize());
    StringRef what = family() == Family::categorical ? "logits"
                     : family() == Family::gaussian  ? "eps_hat"
                                                     : "mu_eps, ln_sigma_eps";
    if (results.size() != want)
      return op->emitOpError()
             << where << " must return " << want << " tensor(s) (" << what
             << "), got " << results.size();
    for (Type r : results) {
      auto t = dyn_cast<RankedTensorType>(r);
      if (!t || !isa<FloatType>(t.getElementType()) ||
          !isCompatibleShape(t.getShape(), shape))
        return op->emitOpError() << where << " result " << r
                                 << " must be a float tensor of shape "
                                 << formatShape(shape) << " (" << what << ")";
    }
    return success();
  }

  LogicalResult verifyCommon() const {
    bool inlineNet = !body.empty();
    if (network && inlineNet)
      return op->emitOpError() << "has both a network symbol and an inline "
                                  "network region";
    if (!network && !inlineNet)
      return op->emitOpError() << "needs a network: 'network @f(...)' or an "
                                  "inline region";
    if (bins && isa<SimplexType>(theta))
      return op->emitOpError() << "'bins' selects the discretized family and "
                                  "applies to Gaussian parameters only";
    if (!(tMin >= 0.0 && tMin < 1.0))
      return op->emitOpError() << "t_min must lie in [0, 1), got " << tMin;
    return success();
  }

  LogicalResult verifyRegion() const {
    if (body.empty())
      return success();
    Block &block = body.front();
    SmallVector<Type> want = inputs();
    if (block.getArgumentTypes() != TypeRange(want))
      return op->emitOpError()
             << "network region arguments must be (" << want
             << "): the parameter view, t and the extra network operands";
    auto yield = dyn_cast<YieldOp>(block.getTerminator());
    if (!yield)
      return op->emitOpError() << "network region must end in bfn.yield";
    return verifyOutputs(yield.getResults().getTypes(), "network region");
  }

  LogicalResult verifyCallee(SymbolTableCollection &table) const {
    if (!network)
      return success();
    auto fn = table.lookupNearestSymbolFrom<func::FuncOp>(op, *network);
    if (!fn)
      return op->emitOpError()
             << "network " << *network << " does not name a func.func";
    FunctionType fnType = fn.getFunctionType();
    SmallVector<Type> want = inputs();
    if (TypeRange(fnType.getInputs()) != TypeRange(want))
      return op->emitOpError()
             << "network " << *network << " must take (" << want
             << "), got " << fnType;
    return verifyOutputs(fnType.getResults(), "network");
  }
};

template <typename NetOpT>
NetworkView viewOf(NetOpT op) {
  std::optional<int64_t> bins;
  if (auto b = op.getBinsAttr())
    bins = b.getInt();
  std::optional<FlatSymbolRefAttr> net;
  if (auto n = op.getNetworkAttr())
    net = n;
  return {op, op.getTheta().getType(), bins, net, op.getBody(),
          op.getNetArgs(), op.getTMin().convertToDouble()};
}

/// Per-step draws of a generative step, with an optional leading step dim.
SmallVector<DrawSpec> stepDraws(const NetworkView &v,
                                std::optional<int64_t> steps, std::string &what) {
  Type f32 = Float32Type::get(v.op->getContext());
  auto lead = [&](ArrayRef<int64_t> shape) {
    SmallVector<int64_t> s;
    if (steps)
      s.push_back(*steps);
    llvm::append_range(s, shape);
    return tensorOf(s, f32);
  };
  SmallVector<int64_t> full(v.sites());
  switch (v.family()) {
  case Family::categorical:
    full.push_back(cast<SimplexType>(v.theta).getAlphabetSize());
    what = "one uniform per site for the class, then K standard normals";
    return {{lead(v.sites()), DrawKind::uniform}, {lead(full), DrawKind::normal}};
  case Family::gaussian:
    what = "one standard normal per site";
    return {{lead(v.sites()), DrawKind::normal}};
  case Family::discretized:
    what = "a standard normal for the bin, then one for y, per site";
    return {{lead(v.sites()), DrawKind::normal}, {lead(v.sites()), DrawKind::normal}};
  }
  return {};
}
} // namespace

Family FlowStepOp::getFamily() { return viewOf(*this).family(); }
FunctionType FlowStepOp::getNetworkType() {
  NetworkView v = viewOf(*this);
  return v.type({});
}

LogicalResult FlowStepOp::verify() {
  NetworkView v = viewOf(*this);
  if (failed(v.verifyCommon()) || failed(verifyStep(*this, getI(), getN())))
    return failure();
  return verifyRandomness(*this, getSeed(), getDraws());
}

LogicalResult FlowStepOp::verifyRegions() { return viewOf(*this).verifyRegion(); }

LogicalResult FlowStepOp::verifySymbolUses(SymbolTableCollection &table) {
  if (failed(verifyScheduleSymbols(*this, getSchedule(), table)))
    return failure();
  return viewOf(*this).verifyCallee(table);
}

Family GenerateOp::getFamily() { return viewOf(*this).family(); }
FunctionType GenerateOp::getNetworkType() { return viewOf(*this).type({}); }

LogicalResult GenerateOp::verify() {
  NetworkView v = viewOf(*this);
  if (failed(v.verifyCommon()))
    return failure();
  std::optional<int64_t> n = constantInt(getN());
  if (n && *n < 1)
    return emitOpError() << "step count n = " << *n << " must be >= 1";
  auto samples = cast<RankedTensorType>(getType());
  bool isInt = samples.getElementType().isSignlessInteger();
  if (v.family() == Family::categorical && !isInt)
    return emitOpError() << "categorical sampling returns integer class "
                            "labels, got "
                         << getType();
  if (v.family() != Family::categorical && isInt)
    return emitOpError() << stringifyFamily(v.family())
                         << " sampling returns float data, got " << getType();
  if (!isCompatibleShape(samples.getShape(), v.sites()))
    return emitOpError() << "samples must have the site shape "
                         << formatShape(v.sites()) << ", got " << getType();
  bool drawFinal = getFinal() == FinalSample::sample;
  if (drawFinal && v.family() == Family::gaussian)
    return emitOpError() << "final = sample does not apply to continuous "
                            "data: the output is the point x_hat";
  return verifyRandomness(*this, getSeed(), getDraws());
}

LogicalResult GenerateOp::verifyRegions() { return viewOf(*this).verifyRegion(); }

LogicalResult GenerateOp::verifySymbolUses(SymbolTableCollection &table) {
  if (failed(verifyScheduleSymbols(*this, getSchedule(), table)))
    return failure();
  return viewOf(*this).verifyCallee(table);
}

//===----------------------------------------------------------------------===//
// Draws
//===----------------------------------------------------------------------===//

SmallVector<DrawSpec> tessera::bfn::getDrawSpecs(Operation *op,
                                                 std::string &what) {
  Type f32 = Float32Type::get(op->getContext());
  if (auto p = dyn_cast<ParamizeOp>(op)) {
    if (auto s = dyn_cast<SimplexType>(p.getType())) {
      what = "K standard normals per site";
      return {{tensorOf(s.getShape(), f32), DrawKind::normal}};
    }
    what = "one standard normal per site";
    return {{tensorOf(cast<GaussType>(p.getType()).getSiteShape(), f32),
             DrawKind::normal}};
  }
  if (auto s = dyn_cast<SampleOp>(op)) {
    Family family;
    ArrayRef<int64_t> sites, shape;
    bool isSender = false;
    if (auto snd = dyn_cast<SenderType>(s.getDist().getType())) {
      family = snd.getFamily();
      sites = snd.getSiteShape();
      shape = snd.getShape();
      isSender = true;
    } else {
      auto rcv = cast<ReceiverType>(s.getDist().getType());
      family = rcv.getFamily();
      sites = rcv.getSiteShape();
      shape = rcv.getShape();
    }
    if (family == Family::categorical && isSender) {
      what = "K standard normals per site";
      return {{tensorOf(shape, f32), DrawKind::normal}};
    }
    if (family == Family::categorical) {
      what = "one uniform per site, then K standard normals per site";
      return {{tensorOf(sites, f32), DrawKind::uniform},
              {tensorOf(shape, f32), DrawKind::normal}};
    }
    if (family == Family::discretized && !isSender) {
      what = "a standard normal for the bin, then one for y, per site";
      return {{tensorOf(sites, f32), DrawKind::normal},
              {tensorOf(sites, f32), DrawKind::normal}};
    }
    what = "one standard normal per site";
    return {{tensorOf(sites, f32), DrawKind::normal}};
  }
  if (auto f = dyn_cast<FlowStepOp>(op))
    return stepDraws(viewOf(f), std::nullopt, what);
  if (auto g = dyn_cast<GenerateOp>(op)) {
    NetworkView v = viewOf(g);
    std::optional<int64_t> n = constantInt(g.getN());
    SmallVector<DrawSpec> specs =
        stepDraws(v, n ? *n : ShapedType::kDynamic, what);
    what += ", stacked over the n steps";
    if (g.getFinal() == FinalSample::sample) {
      bool categorical = v.family() == Family::categorical;
      specs.push_back({tensorOf(v.sites(), f32),
                       categorical ? DrawKind::uniform : DrawKind::normal});
      what += ", then one final draw per site";
    }
    return specs;
  }
  return {};
}

#define GET_OP_CLASSES
#include "tessera/Dialect/BFN/IR/BFNOps.cpp.inc"
