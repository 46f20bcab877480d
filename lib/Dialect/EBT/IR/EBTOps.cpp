//===- EBTOps.cpp - EBT operations: verifiers, canonicalization ------------===//

#include "tessera/Dialect/EBT/IR/EBT.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "tessera/Dialect/Utils/ShapeUtils.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace tessera;
using namespace tessera::ebt;

//===----------------------------------------------------------------------===//
// Shared checks
//===----------------------------------------------------------------------===//

/// `tensor<K x C...>` -> `tensor<C...>`.
static RankedTensorType dropLeading(RankedTensorType t) {
  return RankedTensorType::get(t.getShape().drop_front(), t.getElementType());
}

/// `tensor<C...>` -> `tensor<lead x C...>`.
static RankedTensorType prepend(ArrayRef<int64_t> lead, RankedTensorType t) {
  SmallVector<int64_t> shape(lead);
  llvm::append_range(shape, t.getShape());
  return RankedTensorType::get(shape, t.getElementType());
}

/// An energy's shape is a proper prefix of the candidate's shape: token-wise
/// when only the feature dimension is dropped, sequence-wise when more is.
static LogicalResult verifyEnergyShape(Operation *op, RankedTensorType energy,
                                       RankedTensorType y) {
  if (energy.getRank() >= y.getRank() ||
      !isCompatiblePrefix(energy.getShape(), y.getShape()))
    return op->emitOpError()
           << "energy shape " << formatShape(energy.getShape())
           << " must be a proper prefix of the candidate shape "
           << formatShape(y.getShape())
           << " (one f32 per token or per sequence)";
  return success();
}

/// The energy function: a func.func (type(h), type(y)) -> f32 energies.
static FailureOr<FunctionType> verifyEnergyFn(Operation *op,
                                              FlatSymbolRefAttr sym, Type h,
                                              Type y,
                                              SymbolTableCollection &table) {
  auto fn = table.lookupNearestSymbolFrom<func::FuncOp>(op, sym);
  if (!fn)
    return op->emitOpError() << "energy " << sym << " does not name a func.func";
  FunctionType type = fn.getFunctionType();
  if (type.getNumInputs() != 2 || type.getInput(0) != h ||
      type.getInput(1) != y)
    return op->emitOpError() << "energy " << sym << " must take (" << h << ", "
                             << y << "), got " << type;
  if (type.getNumResults() != 1)
    return op->emitOpError() << "energy " << sym
                             << " must return one tensor of f32 energies, got "
                             << type.getNumResults() << " results";
  auto e = dyn_cast<RankedTensorType>(type.getResult(0));
  if (!e || !e.getElementType().isF32())
    return op->emitOpError() << "energy " << sym
                             << " must return a ranked f32 tensor, got "
                             << type.getResult(0);
  if (failed(verifyEnergyShape(op, e, cast<RankedTensorType>(y))))
    return failure();
  return type;
}

static LogicalResult verifyRandomness(Operation *op, bool wantsNoise,
                                      Value seed, ValueRange draws,
                                      RankedTensorType expected,
                                      StringRef why) {
  if (!wantsNoise) {
    if (seed || !draws.empty())
      return op->emitOpError() << why << " draws no noise; drop rng/draws";
    return success();
  }
  if (!seed && draws.empty())
    return op->emitOpError() << why << " draws noise: give rng(%seed, "
                                       "%offset) or draws(%normals)";
  if (seed && !draws.empty())
    return op->emitOpError()
           << "takes either rng(%seed, %offset) or draws(...), not both";
  if (seed)
    return success();
  if (draws.size() != 1)
    return op->emitOpError() << "expects one tensor of standard normals, got "
                             << draws.size();
  auto got = cast<RankedTensorType>(draws.front().getType());
  if (!isCompatibleShape(got.getShape(), expected.getShape()))
    return op->emitOpError() << "draws must have shape "
                             << formatShape(expected.getShape()) << ", got "
                             << formatShape(got.getShape());
  return success();
}

static LogicalResult verifyStepSize(Operation *op, Type eta,
                                    ArrayRef<int64_t> block) {
  auto t = dyn_cast<RankedTensorType>(eta);
  if (t && !isCompatiblePrefix(t.getShape(), block))
    return op->emitOpError() << "step size of shape " << formatShape(t.getShape())
                             << " must be a prefix of " << formatShape(block);
  return success();
}

/// The noise of an update policy: a run-time `sigma` only where the policy
/// has a noise std, and then the policy draws noise whatever its attribute
/// says; the draws as verifyRandomness wants them.
static LogicalResult verifyPolicyNoise(Operation *op, PolicyAttr policy,
                                       Value sigma, Value seed,
                                       ValueRange draws,
                                       RankedTensorType expected) {
  if (sigma && !policy.hasNoiseStd())
    return op->emitOpError() << "policy " << policy
                             << " has no noise std to set with 'sigma'";
  return verifyRandomness(
      op, policy.drawsNoise() || sigma, seed, draws, expected,
      ("policy " + stringifyPolicyKind(policy.getKind())).str());
}

//===----------------------------------------------------------------------===//
// DecodeInitOp
//===----------------------------------------------------------------------===//

LogicalResult DecodeInitOp::verify() {
  RankedTensorType y0 = getType();
  if (y0.getRank() < 1)
    return emitOpError() << "result needs a leading candidate dimension K";
  if (!ShapedType::isDynamic(y0.getDimSize(0)) && y0.getDimSize(0) < 1)
    return emitOpError() << "needs at least one candidate";
  InitKind kind = getKind();
  if (kind != InitKind::noise && getScale().convertToDouble() != 1.0)
    return emitOpError() << "'scale' only applies to noise initialisation";
  if ((kind == InitKind::base) != static_cast<bool>(getCalleeAttr()))
    return emitOpError() << (kind == InitKind::base
                                 ? "base initialisation names its proposal "
                                   "function: 'base @f'"
                                 : "only base initialisation takes a function");
  if (kind == InitKind::context &&
      !isCompatibleShape(getX().getType().getShape(), y0.getShape().drop_front()))
    return emitOpError() << "context initialisation copies x, so x "
                         << getX().getType() << " must have the candidate "
                         << "shape " << formatShape(y0.getShape().drop_front());
  RankedTensorType normals =
      RankedTensorType::get(y0.getShape(), Float32Type::get(getContext()));
  return verifyRandomness(*this, kind == InitKind::noise, getSeed(),
                          getDraws(), normals,
                          (stringifyInitKind(kind) + " initialisation").str());
}

LogicalResult DecodeInitOp::verifySymbolUses(SymbolTableCollection &table) {
  if (!getCalleeAttr())
    return success();
  auto fn = table.lookupNearestSymbolFrom<func::FuncOp>(*this, getCalleeAttr());
  if (!fn)
    return emitOpError() << "proposal " << getCalleeAttr()
                         << " does not name a func.func";
  auto want = FunctionType::get(getContext(), {getX().getType()},
                                {dropLeading(getType())});
  if (fn.getFunctionType() != want)
    return emitOpError() << "proposal " << getCalleeAttr() << " must have type "
                         << want << ", got " << fn.getFunctionType();
  return success();
}

namespace {
/// Broadcasts `value` (`C...`) to `K x C...` for a static K.
static Value broadcastCandidates(PatternRewriter &rewriter, Location loc,
                                 Value value, RankedTensorType result) {
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(rewriter, loc, value);
  sizes.insert(sizes.begin(), rewriter.getIndexAttr(result.getDimSize(0)));
  Value init = tensor::EmptyOp::create(rewriter, loc, sizes,
                                       result.getElementType());
  return linalg::BroadcastOp::create(rewriter, loc, value, init,
                                     ArrayRef<int64_t>{0})
      .getResult()
      .front();
}

/// Initialisations that need no random stream become upstream IR: zeros a
/// constant, given noise a scale, context and base a broadcast over K.
struct InlineDecodeInit : public OpRewritePattern<DecodeInitOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(DecodeInitOp op,
                                PatternRewriter &rewriter) const override {
    RankedTensorType type = op.getType();
    Location loc = op.getLoc();
    switch (op.getKind()) {
    case InitKind::zeros: {
      if (!type.hasStaticShape())
        return rewriter.notifyMatchFailure(op, "dynamic shape");
      rewriter.replaceOpWithNewOp<arith::ConstantOp>(
          op, type, DenseElementsAttr::get(
                        type, rewriter.getZeroAttr(type.getElementType())));
      return success();
    }
    case InitKind::noise: {
      if (op.getDraws().empty())
        return rewriter.notifyMatchFailure(op, "noise from the Philox stream "
                                               "is generated by the lowering");
      Value y = op.getDraws().front();
      double scale = op.getScale().convertToDouble();
      if (scale != 1.0) {
        auto f32Type = cast<RankedTensorType>(y.getType());
        Value s;
        if (f32Type.hasStaticShape()) {
          s = arith::ConstantOp::create(
              rewriter, loc, f32Type,
              DenseElementsAttr::get(f32Type,
                                     rewriter.getF32FloatAttr(scale)));
        } else {
          return rewriter.notifyMatchFailure(op, "dynamic shape");
        }
        y = arith::MulFOp::create(rewriter, loc, y, s);
      }
      if (y.getType() != type)
        y = arith::TruncFOp::create(rewriter, loc, type, y);
      rewriter.replaceOp(op, y);
      return success();
    }
    case InitKind::context:
    case InitKind::base: {
      if (ShapedType::isDynamic(type.getDimSize(0)))
        return rewriter.notifyMatchFailure(op, "dynamic candidate count");
      Value proposal = op.getX();
      if (op.getKind() == InitKind::base)
        proposal = func::CallOp::create(rewriter, loc, op.getCalleeAttr(),
                                        TypeRange{dropLeading(type)},
                                        ValueRange{op.getX()})
                       .getResult(0);
      if (cast<RankedTensorType>(proposal.getType()).getElementType() !=
          type.getElementType())
        return rewriter.notifyMatchFailure(op, "element type change");
      rewriter.replaceOp(op, broadcastCandidates(rewriter, loc, proposal, type));
      return success();
    }
    }
    return failure();
  }
};
} // namespace

void DecodeInitOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                               MLIRContext *context) {
  results.add<InlineDecodeInit>(context);
}

//===----------------------------------------------------------------------===//
// EnergyOp / GradYOp
//===----------------------------------------------------------------------===//

LogicalResult EnergyOp::verify() {
  return verifyEnergyShape(*this, getType(), getY().getType());
}

LogicalResult EnergyOp::verifySymbolUses(SymbolTableCollection &table) {
  FailureOr<FunctionType> fn = verifyEnergyFn(
      *this, getEnergyAttr(), getH().getType(), getY().getType(), table);
  if (failed(fn))
    return failure();
  if (fn->getResult(0) != getType())
    return emitOpError() << "result " << getType() << " must match the "
                         << "energy's result " << fn->getResult(0);
  return success();
}

LogicalResult GradYOp::verify() {
  if (getType() != getY().getType())
    return emitOpError() << "gradient " << getType()
                         << " must have the type of y, " << getY().getType();
  return success();
}

LogicalResult GradYOp::verifySymbolUses(SymbolTableCollection &table) {
  return verifyEnergyFn(*this, getEnergyAttr(), getH().getType(),
                        getY().getType(), table);
}

//===----------------------------------------------------------------------===//
// InnerStepOp
//===----------------------------------------------------------------------===//

LogicalResult InnerStepOp::verify() {
  PolicyAttr policy = getPolicy();
  if (policy.needsStep() && !getStep())
    return emitOpError() << "cyclic coordinate updates need the step index "
                            "'step %t'";
  if (!policy.needsStep() && getStep())
    return emitOpError() << "only cyclic coordinate updates take a step index";
  RankedTensorType y = getY().getType();
  if (failed(verifyStepSize(*this, getEta().getType(), y.getShape())))
    return failure();
  RankedTensorType normals =
      RankedTensorType::get(y.getShape(), Float32Type::get(getContext()));
  return verifyPolicyNoise(*this, policy, getSigma(), getSeed(), getDraws(),
                           normals);
}

//===----------------------------------------------------------------------===//
// ArgMinOp / SelectOp / SelfVerifyOp
//===----------------------------------------------------------------------===//

LogicalResult ArgMinOp::verify() {
  RankedTensorType e = getEnergies().getType();
  if (e.getRank() < 1)
    return emitOpError() << "energies need a leading candidate dimension K";
  ArrayRef<int64_t> block = e.getShape().drop_front();
  if (!isCompatibleShape(getMin().getType().getShape(), block) ||
      !isCompatibleShape(getIndex().getType().getShape(), block))
    return emitOpError() << "results must have the block shape "
                         << formatShape(block);
  return success();
}

LogicalResult SelectOp::verify() {
  RankedTensorType c = getCandidates().getType();
  if (c.getRank() < 1)
    return emitOpError() << "candidates need a leading dimension K";
  RankedTensorType want = dropLeading(c);
  if (!isCompatiblePrefix(getIndex().getType().getShape(), want.getShape()))
    return emitOpError() << "index shape "
                         << formatShape(getIndex().getType().getShape())
                         << " must be a prefix of the candidate shape "
                         << formatShape(want.getShape());
  if (getType().getElementType() != want.getElementType() ||
      !isCompatibleShape(getType().getShape(), want.getShape()))
    return emitOpError() << "result must be " << want << ", got " << getType();
  return success();
}

LogicalResult SelfVerifyOp::verify() {
  RankedTensorType e = getEnergies().getType();
  RankedTensorType c = getCandidates().getType();
  if (e.getRank() < 1 || c.getRank() < 1)
    return emitOpError() << "energies and candidates need a leading "
                            "candidate dimension K";
  if (!isCompatibleShape(e.getShape().take_front(), c.getShape().take_front()))
    return emitOpError() << "energies have " << formatShape(e.getShape().take_front())
                         << " candidates, candidates "
                         << formatShape(c.getShape().take_front());
  ArrayRef<int64_t> block = e.getShape().drop_front();
  if (getGranularity() == Granularity::sequence) {
    if (block.empty())
      return emitOpError() << "sequence granularity sums the last energy "
                              "dimension (tokens); the energies have none";
    block = block.drop_back();
  }
  RankedTensorType want = dropLeading(c);
  if (!isCompatiblePrefix(block, want.getShape()))
    return emitOpError() << "selection blocks " << formatShape(block)
                         << " must be a prefix of the candidate shape "
                         << formatShape(want.getShape());
  if (getType().getElementType() != want.getElementType() ||
      !isCompatibleShape(getType().getShape(), want.getShape()))
    return emitOpError() << "result must be " << want << ", got " << getType();
  return success();
}

namespace {
/// self_verify = [sum over tokens] + min-reduce over K + per-block select.
struct NormalizeSelfVerify : public OpRewritePattern<SelfVerifyOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SelfVerifyOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value energies = op.getEnergies();
    RankedTensorType e = op.getEnergies().getType();
    if (op.getGranularity() == Granularity::sequence) {
      int64_t last = e.getRank() - 1;
      SmallVector<OpFoldResult> sizes =
          tensor::getMixedSizes(rewriter, loc, energies);
      sizes.pop_back();
      Value init = tensor::EmptyOp::create(rewriter, loc, sizes,
                                           e.getElementType());
      Value zero = arith::ConstantOp::create(
          rewriter, loc, rewriter.getZeroAttr(e.getElementType()));
      Value filled =
          linalg::FillOp::create(rewriter, loc, zero, init).getResult(0);
      energies = linalg::ReduceOp::create(
                     rewriter, loc, ValueRange{energies}, ValueRange{filled},
                     ArrayRef<int64_t>{last},
                     [](OpBuilder &b, Location l, ValueRange args) {
                       Value sum = arith::AddFOp::create(b, l, args[0], args[1]);
                       linalg::YieldOp::create(b, l, sum);
                     })
                     .getResult(0);
    }
    auto reduced = cast<RankedTensorType>(energies.getType());
    ArrayRef<int64_t> block = reduced.getShape().drop_front();
    auto minType = RankedTensorType::get(block, reduced.getElementType());
    auto idxType = RankedTensorType::get(block, rewriter.getIndexType());
    auto argmin = ArgMinOp::create(rewriter, loc, minType, idxType, energies);
    rewriter.replaceOpWithNewOp<SelectOp>(op, op.getType(), op.getCandidates(),
                                          argmin.getIndex());
    return success();
  }
};
} // namespace

void SelfVerifyOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                               MLIRContext *context) {
  results.add<NormalizeSelfVerify>(context);
}

//===----------------------------------------------------------------------===//
// InferOp
//===----------------------------------------------------------------------===//

LogicalResult InferOp::verify() {
  RankedTensorType y0 = getY0().getType();
  if (y0.getRank() < 1)
    return emitOpError() << "y0 needs a leading candidate dimension K";
  RankedTensorType candidate = dropLeading(y0);
  RankedTensorType wantY = getVerify() ? candidate : y0;
  RankedTensorType y = getY().getType();
  if (y.getElementType() != wantY.getElementType() ||
      !isCompatibleShape(y.getShape(), wantY.getShape()))
    return emitOpError() << (getVerify() ? "with self-verification the "
                                           "result is one candidate, "
                                         : "without self-verification the "
                                           "result holds all candidates, ")
                         << wantY << ", got " << y;
  RankedTensorType energies = getEnergies().getType();
  if (energies.getRank() < 1 ||
      !isCompatibleShape(energies.getShape().take_front(), y0.getShape().take_front()))
    return emitOpError() << "energies must have the leading candidate "
                            "dimension of y0";
  if (failed(verifyEnergyShape(*this, dropLeading(energies), candidate)))
    return failure();
  if (getVerify() == Granularity::sequence && energies.getRank() < 2)
    return emitOpError() << "sequence self-verification sums the last energy "
                            "dimension; the energies have none";
  if (failed(verifyStepSize(*this, getEta().getType(), y0.getShape())))
    return failure();
  APInt steps;
  int64_t t = ShapedType::kDynamic;
  if (matchPattern(getSteps(), m_ConstantInt(&steps))) {
    if (steps.getSExtValue() < 0)
      return emitOpError() << "step count must be >= 0, got "
                           << steps.getSExtValue();
    t = steps.getSExtValue();
  }
  RankedTensorType noise = prepend(
      {t}, RankedTensorType::get(y0.getShape(), Float32Type::get(getContext())));
  return verifyPolicyNoise(*this, getPolicy(), getSigma(), getSeed(),
                           getDraws(), noise);
}

LogicalResult InferOp::verifySymbolUses(SymbolTableCollection &table) {
  FailureOr<FunctionType> fn =
      verifyEnergyFn(*this, getEnergyAttr(), getH().getType(),
                     dropLeading(getY0().getType()), table);
  if (failed(fn))
    return failure();
  auto e = cast<RankedTensorType>(fn->getResult(0));
  RankedTensorType want =
      prepend(getY0().getType().getShape().take_front(), e);
  if (!isCompatibleShape(getEnergies().getType().getShape(), want.getShape()))
    return emitOpError() << "energies must be " << want << " (K x the "
                         << "energy's result), got " << getEnergies().getType();
  return success();
}

#define GET_OP_CLASSES
#include "tessera/Dialect/EBT/IR/EBTOps.cpp.inc"
