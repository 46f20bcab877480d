//===- BFNTypes.cpp - BFN types -------------------------------------------===//

#include "tessera/Dialect/BFN/IR/BFN.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace tessera::bfn;

#define GET_TYPEDEF_CLASSES
#include "tessera/Dialect/BFN/IR/BFNTypes.cpp.inc"

void BFNDialect::registerTypes() {
  addTypes<
#define GET_TYPEDEF_LIST
#include "tessera/Dialect/BFN/IR/BFNTypes.cpp.inc"
      >();
}

/// Storage types: fp32 is the compute type; fp16/bf16 are storage only.
static bool isStorageFloat(Type t) { return t.isF32() || t.isF16() || t.isBF16(); }

static LogicalResult verifySiteDims(function_ref<InFlightDiagnostic()> emitError,
                                    ArrayRef<int64_t> dims) {
  for (int64_t d : dims)
    if (d < 0 && !ShapedType::isDynamic(d))
      return emitError() << "dimensions must be non-negative or '?'";
  return success();
}

static ParseResult parseShapeAndType(AsmParser &parser,
                                     SmallVectorImpl<int64_t> &shape,
                                     Type &elementType) {
  if (parser.parseDimensionList(shape, /*allowDynamic=*/true,
                                /*withTrailingX=*/true) ||
      parser.parseType(elementType))
    return failure();
  return success();
}

static void printShapeAndType(AsmPrinter &printer, ArrayRef<int64_t> shape,
                              Type elementType) {
  for (int64_t d : shape) {
    if (ShapedType::isDynamic(d))
      printer << '?';
    else
      printer << d;
    printer << 'x';
  }
  printer << elementType;
}

//===----------------------------------------------------------------------===//
// SimplexType
//===----------------------------------------------------------------------===//

LogicalResult SimplexType::verify(function_ref<InFlightDiagnostic()> emitError,
                                  ArrayRef<int64_t> shape, Type elementType,
                                  SimplexForm form) {
  if (shape.empty())
    return emitError() << "simplex needs at least the class dimension K";
  if (ShapedType::isDynamic(shape.back()) || shape.back() < 2)
    return emitError() << "simplex needs a static class count K >= 2, got "
                       << (ShapedType::isDynamic(shape.back())
                               ? std::string("?")
                               : std::to_string(shape.back()));
  if (!isStorageFloat(elementType))
    return emitError() << "simplex storage must be f32, f16 or bf16, got "
                       << elementType;
  // Unnormalised logits drift by the accumulated accuracy (hundreds for
  // large K), where f16/bf16 keep too few bits for the differences.
  if (form == SimplexForm::logits && !elementType.isF32())
    return emitError() << "'logits' simplex storage must be f32 (the values "
                          "are unnormalised and grow with the accuracy), got "
                       << elementType;
  return verifySiteDims(emitError, shape);
}

Type SimplexType::parse(AsmParser &parser) {
  SmallVector<int64_t> shape;
  Type elementType;
  SMLoc loc = parser.getCurrentLocation();
  if (parser.parseLess() || parseShapeAndType(parser, shape, elementType))
    return {};
  SimplexForm form = SimplexForm::prob;
  if (succeeded(parser.parseOptionalComma())) {
    SMLoc formLoc = parser.getCurrentLocation();
    StringRef keyword;
    if (parser.parseKeyword(&keyword))
      return {};
    std::optional<SimplexForm> parsed = symbolizeSimplexForm(keyword);
    if (!parsed || *parsed == SimplexForm::prob) {
      parser.emitError(formLoc) << "expected 'log' or 'logits', got '"
                                << keyword << "'";
      return {};
    }
    form = *parsed;
  }
  if (parser.parseGreater())
    return {};
  return getChecked([&] { return parser.emitError(loc); },
                    parser.getContext(), shape, elementType, form);
}

void SimplexType::print(AsmPrinter &printer) const {
  printer << '<';
  printShapeAndType(printer, getShape(), getElementType());
  if (getForm() != SimplexForm::prob)
    printer << ", " << stringifySimplexForm(getForm());
  printer << '>';
}

RankedTensorType SimplexType::getStorageType() const {
  return RankedTensorType::get(getShape(), getElementType());
}

//===----------------------------------------------------------------------===//
// GaussType
//===----------------------------------------------------------------------===//

LogicalResult GaussType::verify(function_ref<InFlightDiagnostic()> emitError,
                                ArrayRef<int64_t> shape, Type elementType) {
  if (!isStorageFloat(elementType))
    return emitError() << "gauss storage must be f32, f16 or bf16, got "
                       << elementType;
  return verifySiteDims(emitError, shape);
}

Type GaussType::parse(AsmParser &parser) {
  SmallVector<int64_t> shape;
  Type elementType;
  SMLoc loc = parser.getCurrentLocation();
  if (parser.parseLess() || parseShapeAndType(parser, shape, elementType) ||
      parser.parseGreater())
    return {};
  return getChecked([&] { return parser.emitError(loc); },
                    parser.getContext(), shape, elementType);
}

void GaussType::print(AsmPrinter &printer) const {
  printer << '<';
  printShapeAndType(printer, getShape(), getElementType());
  printer << '>';
}

RankedTensorType GaussType::getStorageType() const {
  return RankedTensorType::get(getShape(), getElementType());
}

//===----------------------------------------------------------------------===//
// SenderType / ReceiverType
//===----------------------------------------------------------------------===//

static LogicalResult
verifyDistType(function_ref<InFlightDiagnostic()> emitError, Family family,
               int64_t bins, ArrayRef<int64_t> shape, Type elementType) {
  if (!elementType.isF32())
    return emitError() << "samples are fp32 (docs/bfn-math.md section 7), got "
                       << elementType;
  switch (family) {
  case Family::categorical:
    if (bins != 0)
      return emitError() << "only the discretized family has bins";
    if (shape.empty() || ShapedType::isDynamic(shape.back()) ||
        shape.back() < 2)
      return emitError()
             << "categorical distribution needs a static class dimension "
                "K >= 2 as its last dimension";
    break;
  case Family::gaussian:
    if (bins != 0)
      return emitError() << "only the discretized family has bins";
    break;
  case Family::discretized:
    if (bins < 2)
      return emitError() << "discretized distribution needs at least 2 bins";
    break;
  }
  return verifySiteDims(emitError, shape);
}

template <typename DistT>
static Type parseDistType(AsmParser &parser) {
  SMLoc loc = parser.getCurrentLocation();
  StringRef familyName;
  if (parser.parseLess() || parser.parseKeyword(&familyName))
    return {};
  std::optional<Family> family = symbolizeFamily(familyName);
  if (!family) {
    parser.emitError(loc) << "unknown family '" << familyName
                          << "'; expected categorical, gaussian or "
                             "discretized";
    return {};
  }
  int64_t bins = 0;
  if (*family == Family::discretized &&
      (parser.parseLess() || parser.parseInteger(bins) ||
       parser.parseGreater()))
    return {};
  SmallVector<int64_t> shape;
  Type elementType;
  if (parser.parseComma() || parseShapeAndType(parser, shape, elementType) ||
      parser.parseGreater())
    return {};
  return DistT::getChecked([&] { return parser.emitError(loc); },
                           parser.getContext(), *family, bins, shape,
                           elementType);
}

template <typename DistT>
static void printDistType(AsmPrinter &printer, DistT type) {
  printer << '<' << stringifyFamily(type.getFamily());
  if (type.getFamily() == Family::discretized)
    printer << '<' << type.getBins() << '>';
  printer << ", ";
  printShapeAndType(printer, type.getShape(), type.getElementType());
  printer << '>';
}

LogicalResult SenderType::verify(function_ref<InFlightDiagnostic()> emitError,
                                 Family family, int64_t bins,
                                 ArrayRef<int64_t> shape, Type elementType) {
  return verifyDistType(emitError, family, bins, shape, elementType);
}
Type SenderType::parse(AsmParser &parser) {
  return parseDistType<SenderType>(parser);
}
void SenderType::print(AsmPrinter &printer) const {
  printDistType(printer, *this);
}
RankedTensorType SenderType::getSampleType() const {
  return RankedTensorType::get(getShape(), getElementType());
}

LogicalResult
ReceiverType::verify(function_ref<InFlightDiagnostic()> emitError,
                     Family family, int64_t bins, ArrayRef<int64_t> shape,
                     Type elementType) {
  return verifyDistType(emitError, family, bins, shape, elementType);
}
Type ReceiverType::parse(AsmParser &parser) {
  return parseDistType<ReceiverType>(parser);
}
void ReceiverType::print(AsmPrinter &printer) const {
  printDistType(printer, *this);
}
RankedTensorType ReceiverType::getSampleType() const {
  return RankedTensorType::get(getShape(), getElementType());
}
