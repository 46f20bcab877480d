//===- EBTDialect.cpp - EBT dialect and the policy attribute --------------===//

#include "tessera/Dialect/EBT/IR/EBT.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;
using namespace tessera::ebt;

#include "tessera/Dialect/EBT/IR/EBTDialect.cpp.inc"
#include "tessera/Dialect/EBT/IR/EBTEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "tessera/Dialect/EBT/IR/EBTAttrs.cpp.inc"

void EBTDialect::initialize() {
  registerAttributes();
  addOperations<
#define GET_OP_LIST
#include "tessera/Dialect/EBT/IR/EBTOps.cpp.inc"
      >();
}

void EBTDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "tessera/Dialect/EBT/IR/EBTAttrs.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// PolicyAttr
//===----------------------------------------------------------------------===//

bool PolicyAttr::drawsNoise() const {
  switch (getKind()) {
  case PolicyKind::langevin:
    return getPlacement() == Placement::ula || !getSigma().isZero();
  case PolicyKind::simplex:
    return !getSigma().isZero();
  case PolicyKind::sgd:
  case PolicyKind::coordinate:
    return false;
  }
  return false;
}

LogicalResult PolicyAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                 PolicyKind kind, APFloat sigma,
                                 Placement placement, APFloat temperature,
                                 Selection selection) {
  double s = sigma.convertToDouble(), temp = temperature.convertToDouble();
  if (!(s >= 0.0) || !std::isfinite(s))
    return emitError() << "noise std sigma must be >= 0 and finite, got " << s;
  if (!(temp >= 0.0) || !std::isfinite(temp))
    return emitError() << "temperature must be >= 0 and finite, got " << temp;
  bool langevin = kind == PolicyKind::langevin;
  if (!langevin && placement != Placement::pre)
    return emitError() << "'placement' only applies to the langevin policy";
  if (s != 0.0 && !(kind == PolicyKind::simplex ||
                    (langevin && placement != Placement::ula)))
    return emitError() << "'sigma' applies to langevin (pre, eval_only) and "
                          "simplex policies only";
  if (langevin && placement == Placement::ula) {
    if (!(temp > 0.0))
      return emitError() << "ULA Langevin needs a positive temperature";
  } else if (temp != 0.0) {
    return emitError() << "'temperature' only applies to ULA Langevin";
  }
  if (langevin && placement != Placement::ula && s == 0.0)
    return emitError() << "langevin with sigma = 0 is sgd; give sigma > 0 or "
                          "use #ebt.policy<sgd>";
  if (kind != PolicyKind::coordinate && selection != Selection::greedy)
    return emitError() << "'cyclic' only applies to the coordinate policy";
  return success();
}

Attribute PolicyAttr::parse(AsmParser &parser, Type) {
  SMLoc loc = parser.getCurrentLocation();
  StringRef kindName;
  if (parser.parseLess() || parser.parseKeyword(&kindName))
    return {};
  std::optional<PolicyKind> kind = symbolizePolicyKind(kindName);
  if (!kind) {
    parser.emitError(loc) << "unknown policy '" << kindName
                          << "'; expected sgd, langevin, coordinate or simplex";
    return {};
  }
  double sigma = 0.0, temperature = 0.0;
  Placement placement = Placement::pre;
  Selection selection = Selection::greedy;
  while (succeeded(parser.parseOptionalComma())) {
    SMLoc keyLoc = parser.getCurrentLocation();
    StringRef key;
    if (parser.parseKeyword(&key))
      return {};
    if (std::optional<Selection> sel = symbolizeSelection(key)) {
      selection = *sel;
      continue;
    }
    if (parser.parseEqual())
      return {};
    if (key == "placement") {
      StringRef name;
      SMLoc nameLoc = parser.getCurrentLocation();
      if (parser.parseKeyword(&name))
        return {};
      std::optional<Placement> p = symbolizePlacement(name);
      if (!p) {
        parser.emitError(nameLoc) << "unknown placement '" << name
                                  << "'; expected pre, eval_only or ula";
        return {};
      }
      placement = *p;
    } else if (key == "sigma") {
      if (parser.parseFloat(sigma))
        return {};
    } else if (key == "temperature") {
      if (parser.parseFloat(temperature))
        return {};
    } else {
      parser.emitError(keyLoc) << "unknown policy parameter '" << key << "'";
      return {};
    }
  }
  if (parser.parseGreater())
    return {};
  return getChecked([&] { return parser.emitError(loc); },
                    parser.getContext(), *kind, APFloat(sigma), placement,
                    APFloat(temperature), selection);
}

void PolicyAttr::print(AsmPrinter &printer) const {
  printer << '<' << stringifyPolicyKind(getKind());
  if (getKind() == PolicyKind::coordinate)
    printer << ", " << stringifySelection(getSelection());
  if (getKind() == PolicyKind::langevin && getPlacement() != Placement::pre)
    printer << ", placement = " << stringifyPlacement(getPlacement());
  if (!getSigma().isZero()) {
    printer << ", sigma = ";
    printer.printFloat(getSigma());
  }
  if (!getTemperature().isZero()) {
    printer << ", temperature = ";
    printer.printFloat(getTemperature());
  }
  printer << '>';
}
