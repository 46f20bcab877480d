//===- BFNAttrs.cpp - BFN attributes: the accuracy schedule ---------------===//

#include "tessera/Dialect/BFN/IR/BFN.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;
using namespace tessera::bfn;

#include "tessera/Dialect/BFN/IR/BFNEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "tessera/Dialect/BFN/IR/BFNAttrs.cpp.inc"

void BFNDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "tessera/Dialect/BFN/IR/BFNAttrs.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// ScheduleAttr
//===----------------------------------------------------------------------===//

static APFloat apf(double v) { return APFloat(v); }

/// (beta1, sigma1, power) stored for a kind and its user-facing parameter.
static std::tuple<double, double, double>
storedParams(ScheduleKind kind, double param, double power) {
  // paper_cts is parameterised by sigma1; beta1 = sigma1^-2 - 1 follows.
  if (kind == ScheduleKind::paper_cts)
    return {std::expm1(-2.0 * std::log(param)), param, 0.0};
  if (kind == ScheduleKind::paper_discrete)
    return {param, 0.0, 2.0};
  return {param, 0.0, kind == ScheduleKind::poly ? power : 0.0};
}

ScheduleAttr ScheduleAttr::get(MLIRContext *ctx, ScheduleKind kind,
                               double param, double power,
                               FlatSymbolRefAttr betaFn,
                               FlatSymbolRefAttr rateFn) {
  auto [beta1, sigma1, p] = storedParams(kind, param, power);
  return Base::get(ctx, kind, apf(beta1), apf(sigma1), apf(p), betaFn, rateFn);
}

ScheduleAttr ScheduleAttr::getFromParam(
    function_ref<InFlightDiagnostic()> emitError, MLIRContext *ctx,
    ScheduleKind kind, double param, double power, FlatSymbolRefAttr betaFn,
    FlatSymbolRefAttr rateFn) {
  if (kind == ScheduleKind::paper_cts && !(param > 0.0 && param < 1.0)) {
    emitError() << "paper_cts schedule needs 0 < sigma1 < 1, got " << param;
    return {};
  }
  auto [beta1, sigma1, p] = storedParams(kind, param, power);
  return getChecked(emitError, ctx, kind, apf(beta1), apf(sigma1), apf(p),
                    betaFn, rateFn);
}

LogicalResult
ScheduleAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                     ScheduleKind kind, APFloat beta1, APFloat sigma1,
                     APFloat power, FlatSymbolRefAttr betaFn,
                     FlatSymbolRefAttr rateFn) {
  double b1 = beta1.convertToDouble();
  double s1 = sigma1.convertToDouble();
  double p = power.convertToDouble();
  if (kind == ScheduleKind::paper_cts) {
    if (!(s1 > 0.0 && s1 < 1.0))
      return emitError() << "paper_cts schedule needs 0 < sigma1 < 1, got "
                         << s1;
  } else if (s1 != 0.0) {
    return emitError() << "'sigma1' only applies to the paper_cts schedule";
  }
  if (!(b1 > 0.0) || !std::isfinite(b1))
    return emitError() << "schedule needs a positive finite beta1, got " << b1;
  if (kind == ScheduleKind::poly && !(p >= 1.0 && std::isfinite(p)))
    return emitError() << "poly schedule needs power >= 1 (alpha(0) is "
                          "infinite below 1), got "
                       << p;
  if (kind == ScheduleKind::custom) {
    if (!betaFn)
      return emitError() << "custom schedule needs 'beta = @fn'";
  } else if (betaFn || rateFn) {
    return emitError() << "only a custom schedule names beta/rate functions";
  }
  return success();
}

std::optional<double> ScheduleAttr::evalBeta(double t) const {
  double b1 = getBeta1Value();
  switch (getKind()) {
  case ScheduleKind::paper_cts:
    // sigma1^(-2t) - 1 via expm1: exact near t = 0 where 1 - x cancels.
    return std::expm1(-2.0 * t * std::log(getSigma1().convertToDouble()));
  case ScheduleKind::paper_discrete:
  case ScheduleKind::poly:
    return b1 * std::pow(t, getPower().convertToDouble());
  case ScheduleKind::linear:
    return b1 * t;
  case ScheduleKind::cosine: {
    double phi = std::atan(std::sqrt(b1));
    double tn = std::tan(phi * t);
    return tn * tn;
  }
  case ScheduleKind::custom:
    return std::nullopt;
  }
  return std::nullopt;
}

std::optional<double> ScheduleAttr::evalRate(double t) const {
  double b1 = getBeta1Value();
  switch (getKind()) {
  case ScheduleKind::paper_cts: {
    double ls = std::log(getSigma1().convertToDouble());
    return -2.0 * ls * std::exp(-2.0 * t * ls);
  }
  case ScheduleKind::paper_discrete:
  case ScheduleKind::poly: {
    double p = getPower().convertToDouble();
    return p * b1 * std::pow(t, p - 1.0);
  }
  case ScheduleKind::linear:
    return b1;
  case ScheduleKind::cosine: {
    double phi = std::atan(std::sqrt(b1));
    double c = std::cos(phi * t);
    return 2.0 * phi * std::tan(phi * t) / (c * c);
  }
  case ScheduleKind::custom:
    return std::nullopt;
  }
  return std::nullopt;
}

std::optional<double> ScheduleAttr::evalAlpha(int64_t i, int64_t n) const {
  if (n < 1 || i < 1 || i > n)
    return std::nullopt;
  double b1 = getBeta1Value();
  double di = static_cast<double>(i), dn = static_cast<double>(n);
  switch (getKind()) {
  case ScheduleKind::paper_cts: {
    // sigma1^(-2i/n) (1 - sigma1^(2/n)), the second factor via expm1.
    double ls = std::log(getSigma1().convertToDouble());
    return std::exp(-2.0 * di / dn * ls) * -std::expm1(2.0 / dn * ls);
  }
  case ScheduleKind::paper_discrete:
  case ScheduleKind::poly: {
    double p = getPower().convertToDouble();
    return b1 * (std::pow(di, p) - std::pow(di - 1.0, p)) / std::pow(dn, p);
  }
  case ScheduleKind::linear:
    return b1 / dn;
  case ScheduleKind::cosine: {
    // tan^2 a - tan^2 b = sin(a+b) sin(a-b) / (cos^2 a cos^2 b): no
    // cancellation between two large tangents.
    double phi = std::atan(std::sqrt(b1));
    double ca = std::cos(phi * di / dn), cb = std::cos(phi * (di - 1.0) / dn);
    return std::sin(phi / dn) * std::sin(phi * (2.0 * di - 1.0) / dn) /
           (ca * ca * cb * cb);
  }
  case ScheduleKind::custom:
    return std::nullopt;
  }
  return std::nullopt;
}

Attribute ScheduleAttr::parse(AsmParser &parser, Type) {
  MLIRContext *ctx = parser.getContext();
  SMLoc loc = parser.getCurrentLocation();
  StringRef kindName;
  if (parser.parseLess() || parser.parseKeyword(&kindName))
    return {};
  std::optional<ScheduleKind> kind = symbolizeScheduleKind(kindName);
  if (!kind) {
    parser.emitError(loc) << "unknown schedule '" << kindName
                          << "'; expected paper_cts, paper_discrete, linear, "
                             "cosine, poly or custom";
    return {};
  }
  std::optional<double> sigma1, beta1, power;
  FlatSymbolRefAttr betaFn, rateFn;
  while (succeeded(parser.parseOptionalComma())) {
    SMLoc keyLoc = parser.getCurrentLocation();
    StringRef key;
    if (parser.parseKeyword(&key) || parser.parseEqual())
      return {};
    if (key == "beta" || key == "rate") {
      FlatSymbolRefAttr sym;
      if (parser.parseAttribute(sym))
        return {};
      (key == "beta" ? betaFn : rateFn) = sym;
      continue;
    }
    double value;
    if (parser.parseFloat(value))
      return {};
    if (key == "sigma1") {
      sigma1 = value;
    } else if (key == "beta1") {
      beta1 = value;
    } else if (key == "sqrt_beta1") {
      beta1 = value * value;
    } else if (key == "power") {
      power = value;
    } else {
      parser.emitError(keyLoc) << "unknown schedule parameter '" << key
                               << "'";
      return {};
    }
  }
  if (parser.parseGreater())
    return {};

  auto emitError = [&]() { return parser.emitError(loc); };
  if (*kind == ScheduleKind::paper_cts) {
    if (beta1) {
      emitError() << "paper_cts is parameterised by 'sigma1', not 'beta1'";
      return {};
    }
  } else if (!beta1) {
    emitError() << "schedule '" << kindName << "' needs 'beta1 = <value>'";
    return {};
  }
  if (power && *kind != ScheduleKind::poly) {
    emitError() << "'power' only applies to the poly schedule";
    return {};
  }
  if (*kind == ScheduleKind::poly && !power) {
    emitError() << "poly schedule needs 'power = <p>'";
    return {};
  }
  if (sigma1 && *kind != ScheduleKind::paper_cts) {
    emitError() << "'sigma1' only applies to the paper_cts schedule";
    return {};
  }
  double param = *kind == ScheduleKind::paper_cts ? sigma1.value_or(1.0e-3)
                                                  : *beta1;
  return getFromParam(emitError, ctx, *kind, param, power.value_or(0.0),
                      betaFn, rateFn);
}

void ScheduleAttr::print(AsmPrinter &printer) const {
  printer << '<' << stringifyScheduleKind(getKind());
  if (getKind() == ScheduleKind::paper_cts) {
    printer << ", sigma1 = ";
    printer.printFloat(getSigma1());
  } else {
    printer << ", beta1 = ";
    printer.printFloat(getBeta1());
  }
  if (getKind() == ScheduleKind::poly) {
    printer << ", power = ";
    printer.printFloat(getPower());
  }
  if (getBetaFn())
    printer << ", beta = " << getBetaFn();
  if (getRateFn())
    printer << ", rate = " << getRateFn();
  printer << '>';
}
