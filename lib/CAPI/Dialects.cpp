//===- Dialects.cpp - C API of the bfn and ebt dialects -------------------===//

#include "mlir-c/Tessera/Dialects.h"

#include "tessera/Dialect/BFN/IR/BFN.h"
#include "tessera/Dialect/EBT/IR/EBT.h"
#include "tessera/InitAll.h"

#include "mlir/CAPI/IR.h"
#include "mlir/CAPI/Registration.h"
#include "mlir/CAPI/Support.h"
#include "mlir/IR/Diagnostics.h"

using namespace mlir;
using namespace tessera;

MLIR_DEFINE_CAPI_DIALECT_REGISTRATION(BFN, bfn, tessera::bfn::BFNDialect)
MLIR_DEFINE_CAPI_DIALECT_REGISTRATION(EBT, ebt, tessera::ebt::EBTDialect)

void tesseraRegisterDialects(MlirDialectRegistry registry) {
  if (!mlirDialectRegistryIsNull(registry))
    registerTesseraDialects(*unwrap(registry));
}

void tesseraRegisterAllDialects(MlirDialectRegistry registry) {
  if (!mlirDialectRegistryIsNull(registry))
    registerAllDialects(*unwrap(registry));
}

/// Errors of C API constructors go to the context's diagnostic handlers.
static auto errorIn(MLIRContext *ctx) {
  return [ctx] { return emitError(UnknownLoc::get(ctx)); };
}

/// Common argument checks of the shaped constructors.
static bool checkShapeArgs(MLIRContext *ctx, intptr_t rank,
                           const int64_t *shape, MlirType elementType) {
  if (rank < 0 || (rank > 0 && !shape)) {
    emitError(UnknownLoc::get(ctx)) << "invalid shape: rank " << rank
                                    << (shape ? "" : " with a null shape");
    return false;
  }
  if (mlirTypeIsNull(elementType)) {
    emitError(UnknownLoc::get(ctx)) << "null element type";
    return false;
  }
  return true;
}

static ArrayRef<int64_t> shapeRef(intptr_t rank, const int64_t *shape) {
  return rank > 0 ? ArrayRef<int64_t>(shape, rank) : ArrayRef<int64_t>();
}

//===----------------------------------------------------------------------===//
// bfn types
//===----------------------------------------------------------------------===//

MlirType tesseraBFNSimplexTypeGet(MlirContext ctx, intptr_t rank,
                                  const int64_t *shape, MlirType elementType,
                                  TesseraBFNSimplexForm form) {
  if (mlirContextIsNull(ctx) ||
      !checkShapeArgs(unwrap(ctx), rank, shape, elementType))
    return {nullptr};
  auto f = bfn::symbolizeSimplexForm(static_cast<uint32_t>(form));
  if (!f) {
    emitError(UnknownLoc::get(unwrap(ctx)))
        << "invalid simplex form " << static_cast<int>(form);
    return {nullptr};
  }
  return wrap(bfn::SimplexType::getChecked(
      errorIn(unwrap(ctx)), unwrap(ctx), shapeRef(rank, shape),
      unwrap(elementType), *f));
}

bool tesseraBFNTypeIsASimplex(MlirType type) {
  return !mlirTypeIsNull(type) && isa<bfn::SimplexType>(unwrap(type));
}

MlirTypeID tesseraBFNSimplexTypeGetTypeID(void) {
  return wrap(bfn::SimplexType::getTypeID());
}

int64_t tesseraBFNSimplexTypeGetAlphabetSize(MlirType type) {
  if (!tesseraBFNTypeIsASimplex(type))
    return 0;
  return cast<bfn::SimplexType>(unwrap(type)).getAlphabetSize();
}

bool tesseraBFNSimplexTypeIsLogSpace(MlirType type) {
  return tesseraBFNTypeIsASimplex(type) &&
         cast<bfn::SimplexType>(unwrap(type)).getLogSpace();
}

TesseraBFNSimplexForm tesseraBFNSimplexTypeGetForm(MlirType type) {
  if (!tesseraBFNTypeIsASimplex(type))
    return TESSERA_BFN_SIMPLEX_PROB;
  return static_cast<TesseraBFNSimplexForm>(
      cast<bfn::SimplexType>(unwrap(type)).getForm());
}

MlirType tesseraBFNGaussTypeGet(MlirContext ctx, intptr_t rank,
                                const int64_t *shape, MlirType elementType) {
  if (mlirContextIsNull(ctx) ||
      !checkShapeArgs(unwrap(ctx), rank, shape, elementType))
    return {nullptr};
  return wrap(bfn::GaussType::getChecked(errorIn(unwrap(ctx)), unwrap(ctx),
                                         shapeRef(rank, shape),
                                         unwrap(elementType)));
}

bool tesseraBFNTypeIsAGauss(MlirType type) {
  return !mlirTypeIsNull(type) && isa<bfn::GaussType>(unwrap(type));
}

MlirTypeID tesseraBFNGaussTypeGetTypeID(void) {
  return wrap(bfn::GaussType::getTypeID());
}

MlirType tesseraBFNAccuracyTypeGet(MlirContext ctx) {
  if (mlirContextIsNull(ctx))
    return {nullptr};
  return wrap(bfn::AccuracyType::get(unwrap(ctx)));
}

bool tesseraBFNTypeIsAAccuracy(MlirType type) {
  return !mlirTypeIsNull(type) && isa<bfn::AccuracyType>(unwrap(type));
}

MlirTypeID tesseraBFNAccuracyTypeGetTypeID(void) {
  return wrap(bfn::AccuracyType::getTypeID());
}

template <typename DistT>
static MlirType getDistType(MlirContext ctx, TesseraBFNFamily family,
                            int64_t bins, intptr_t rank, const int64_t *shape,
                            MlirType elementType) {
  if (mlirContextIsNull(ctx) ||
      !checkShapeArgs(unwrap(ctx), rank, shape, elementType))
    return {nullptr};
  std::optional<bfn::Family> f =
      bfn::symbolizeFamily(static_cast<uint32_t>(family));
  if (!f) {
    emitError(UnknownLoc::get(unwrap(ctx)))
        << "invalid bfn family " << static_cast<int>(family);
    return {nullptr};
  }
  return wrap(DistT::getChecked(errorIn(unwrap(ctx)), unwrap(ctx), *f, bins,
                                shapeRef(rank, shape), unwrap(elementType)));
}

MlirType tesseraBFNSenderTypeGet(MlirContext ctx, TesseraBFNFamily family,
                                 int64_t bins, intptr_t rank,
                                 const int64_t *shape, MlirType elementType) {
  return getDistType<bfn::SenderType>(ctx, family, bins, rank, shape,
                                      elementType);
}

bool tesseraBFNTypeIsASender(MlirType type) {
  return !mlirTypeIsNull(type) && isa<bfn::SenderType>(unwrap(type));
}

MlirTypeID tesseraBFNSenderTypeGetTypeID(void) {
  return wrap(bfn::SenderType::getTypeID());
}

MlirType tesseraBFNReceiverTypeGet(MlirContext ctx, TesseraBFNFamily family,
                                   int64_t bins, intptr_t rank,
                                   const int64_t *shape,
                                   MlirType elementType) {
  return getDistType<bfn::ReceiverType>(ctx, family, bins, rank, shape,
                                        elementType);
}

bool tesseraBFNTypeIsAReceiver(MlirType type) {
  return !mlirTypeIsNull(type) && isa<bfn::ReceiverType>(unwrap(type));
}

MlirTypeID tesseraBFNReceiverTypeGetTypeID(void) {
  return wrap(bfn::ReceiverType::getTypeID());
}

TesseraBFNFamily tesseraBFNDistributionTypeGetFamily(MlirType type) {
  if (tesseraBFNTypeIsASender(type))
    return static_cast<TesseraBFNFamily>(
        cast<bfn::SenderType>(unwrap(type)).getFamily());
  if (tesseraBFNTypeIsAReceiver(type))
    return static_cast<TesseraBFNFamily>(
        cast<bfn::ReceiverType>(unwrap(type)).getFamily());
  return TESSERA_BFN_FAMILY_CATEGORICAL;
}

int64_t tesseraBFNDistributionTypeGetBins(MlirType type) {
  if (tesseraBFNTypeIsASender(type))
    return cast<bfn::SenderType>(unwrap(type)).getBins();
  if (tesseraBFNTypeIsAReceiver(type))
    return cast<bfn::ReceiverType>(unwrap(type)).getBins();
  return 0;
}

/// Shape and element type of any shaped bfn type.
static std::optional<std::pair<ArrayRef<int64_t>, Type>>
paramShape(MlirType type) {
  if (mlirTypeIsNull(type))
    return std::nullopt;
  Type t = unwrap(type);
  if (auto s = dyn_cast<bfn::SimplexType>(t))
    return std::make_pair(s.getShape(), s.getElementType());
  if (auto g = dyn_cast<bfn::GaussType>(t))
    return std::make_pair(g.getShape(), g.getElementType());
  if (auto s = dyn_cast<bfn::SenderType>(t))
    return std::make_pair(s.getShape(), s.getElementType());
  if (auto r = dyn_cast<bfn::ReceiverType>(t))
    return std::make_pair(r.getShape(), r.getElementType());
  return std::nullopt;
}

intptr_t tesseraBFNParamTypeGetRank(MlirType type) {
  auto p = paramShape(type);
  return p ? static_cast<intptr_t>(p->first.size()) : -1;
}

int64_t tesseraBFNParamTypeGetDimSize(MlirType type, intptr_t pos) {
  auto p = paramShape(type);
  if (!p || pos < 0 || pos >= static_cast<intptr_t>(p->first.size()))
    return 0;
  return p->first[pos];
}

MlirType tesseraBFNParamTypeGetElementType(MlirType type) {
  auto p = paramShape(type);
  return p ? wrap(p->second) : MlirType{nullptr};
}

//===----------------------------------------------------------------------===//
// bfn attributes
//===----------------------------------------------------------------------===//

MlirAttribute tesseraBFNScheduleAttrGet(MlirContext ctx,
                                        TesseraBFNScheduleKind kind,
                                        double param, double power,
                                        MlirStringRef betaFn,
                                        MlirStringRef rateFn) {
  if (mlirContextIsNull(ctx))
    return {nullptr};
  MLIRContext *c = unwrap(ctx);
  std::optional<bfn::ScheduleKind> k =
      bfn::symbolizeScheduleKind(static_cast<uint32_t>(kind));
  if (!k) {
    emitError(UnknownLoc::get(c))
        << "invalid schedule kind " << static_cast<int>(kind);
    return {nullptr};
  }
  auto sym = [&](MlirStringRef s) {
    return s.length ? FlatSymbolRefAttr::get(c, unwrap(s))
                    : FlatSymbolRefAttr();
  };
  return wrap(bfn::ScheduleAttr::getFromParam(errorIn(c), c, *k, param, power,
                                              sym(betaFn), sym(rateFn)));
}

bool tesseraBFNAttributeIsASchedule(MlirAttribute attr) {
  return !mlirAttributeIsNull(attr) && isa<bfn::ScheduleAttr>(unwrap(attr));
}

TesseraBFNScheduleKind tesseraBFNScheduleAttrGetKind(MlirAttribute attr) {
  if (!tesseraBFNAttributeIsASchedule(attr))
    return TESSERA_BFN_SCHEDULE_CUSTOM;
  return static_cast<TesseraBFNScheduleKind>(
      cast<bfn::ScheduleAttr>(unwrap(attr)).getKind());
}

double tesseraBFNScheduleAttrGetBeta1(MlirAttribute attr) {
  if (!tesseraBFNAttributeIsASchedule(attr))
    return 0.0;
  return cast<bfn::ScheduleAttr>(unwrap(attr)).getBeta1Value();
}

double tesseraBFNScheduleAttrGetSigma1(MlirAttribute attr) {
  if (!tesseraBFNAttributeIsASchedule(attr))
    return 0.0;
  return cast<bfn::ScheduleAttr>(unwrap(attr)).getSigma1().convertToDouble();
}

double tesseraBFNScheduleAttrGetPower(MlirAttribute attr) {
  if (!tesseraBFNAttributeIsASchedule(attr))
    return 0.0;
  return cast<bfn::ScheduleAttr>(unwrap(attr)).getPower().convertToDouble();
}

static bool store(std::optional<double> v, double *out) {
  if (!v || !out)
    return false;
  *out = *v;
  return true;
}

bool tesseraBFNScheduleAttrEvalBeta(MlirAttribute attr, double t,
                                    double *out) {
  if (!tesseraBFNAttributeIsASchedule(attr) || !(t >= 0.0 && t <= 1.0))
    return false;
  return store(cast<bfn::ScheduleAttr>(unwrap(attr)).evalBeta(t), out);
}

bool tesseraBFNScheduleAttrEvalRate(MlirAttribute attr, double t,
                                    double *out) {
  if (!tesseraBFNAttributeIsASchedule(attr) || !(t >= 0.0 && t <= 1.0))
    return false;
  return store(cast<bfn::ScheduleAttr>(unwrap(attr)).evalRate(t), out);
}

bool tesseraBFNScheduleAttrEvalAlpha(MlirAttribute attr, int64_t i, int64_t n,
                                     double *out) {
  if (!tesseraBFNAttributeIsASchedule(attr))
    return false;
  return store(cast<bfn::ScheduleAttr>(unwrap(attr)).evalAlpha(i, n), out);
}

/// Enum attributes: validated conversion from the C enum value.
template <typename AttrT, typename EnumT>
static MlirAttribute getEnumAttr(MlirContext ctx, int value,
                                 std::optional<EnumT> (*symbolize)(uint32_t),
                                 StringRef what) {
  if (mlirContextIsNull(ctx))
    return {nullptr};
  std::optional<EnumT> v =
      value >= 0 ? symbolize(static_cast<uint32_t>(value)) : std::nullopt;
  if (!v) {
    emitError(UnknownLoc::get(unwrap(ctx)))
        << "invalid " << what << " value " << value;
    return {nullptr};
  }
  return wrap(AttrT::get(unwrap(ctx), *v));
}

/// IsA and GetValue of an enum attribute; `fallback` for other attributes.
template <typename AttrT, typename CEnum>
static bool isAEnumAttr(MlirAttribute attr) {
  return !mlirAttributeIsNull(attr) && isa<AttrT>(unwrap(attr));
}
template <typename AttrT, typename CEnum>
static CEnum enumAttrValue(MlirAttribute attr, CEnum fallback) {
  if (!isAEnumAttr<AttrT, CEnum>(attr))
    return fallback;
  return static_cast<CEnum>(cast<AttrT>(unwrap(attr)).getValue());
}

bool tesseraBFNAttributeIsAReduction(MlirAttribute attr) {
  return isAEnumAttr<bfn::ReductionAttr, TesseraBFNReduction>(attr);
}
TesseraBFNReduction tesseraBFNReductionAttrGetValue(MlirAttribute attr) {
  return enumAttrValue<bfn::ReductionAttr>(attr, TESSERA_BFN_REDUCTION_SUM);
}
bool tesseraBFNAttributeIsAReceiverForm(MlirAttribute attr) {
  return isAEnumAttr<bfn::ReceiverFormAttr, TesseraBFNReceiverForm>(attr);
}
TesseraBFNReceiverForm tesseraBFNReceiverFormAttrGetValue(MlirAttribute attr) {
  return enumAttrValue<bfn::ReceiverFormAttr>(attr, TESSERA_BFN_RECEIVER_JOINT);
}
bool tesseraBFNAttributeIsAFinalSample(MlirAttribute attr) {
  return isAEnumAttr<bfn::FinalSampleAttr, TesseraBFNFinalSample>(attr);
}
TesseraBFNFinalSample tesseraBFNFinalSampleAttrGetValue(MlirAttribute attr) {
  return enumAttrValue<bfn::FinalSampleAttr>(attr, TESSERA_BFN_FINAL_MODE);
}

MlirAttribute tesseraBFNReductionAttrGet(MlirContext ctx,
                                         TesseraBFNReduction value) {
  return getEnumAttr<bfn::ReductionAttr, bfn::Reduction>(
      ctx, value, bfn::symbolizeReduction, "reduction");
}

MlirAttribute tesseraBFNReceiverFormAttrGet(MlirContext ctx,
                                            TesseraBFNReceiverForm value) {
  return getEnumAttr<bfn::ReceiverFormAttr, bfn::ReceiverForm>(
      ctx, value, bfn::symbolizeReceiverForm, "receiver form");
}

MlirAttribute tesseraBFNFinalSampleAttrGet(MlirContext ctx,
                                           TesseraBFNFinalSample value) {
  return getEnumAttr<bfn::FinalSampleAttr, bfn::FinalSample>(
      ctx, value, bfn::symbolizeFinalSample, "final sample");
}

MlirAttribute tesseraBFNConventionAttrGet(MlirContext ctx,
                                          TesseraBFNConvention value) {
  return getEnumAttr<bfn::ConventionAttr, bfn::Convention>(
      ctx, value, bfn::symbolizeConvention, "convention");
}
bool tesseraBFNAttributeIsAConvention(MlirAttribute attr) {
  return isAEnumAttr<bfn::ConventionAttr, TesseraBFNConvention>(attr);
}
TesseraBFNConvention tesseraBFNConventionAttrGetValue(MlirAttribute attr) {
  return enumAttrValue<bfn::ConventionAttr>(attr, TESSERA_BFN_CONVENTION_PAPER);
}

//===----------------------------------------------------------------------===//
// ebt attributes
//===----------------------------------------------------------------------===//

MlirAttribute tesseraEBTPolicyAttrGet(MlirContext ctx,
                                      TesseraEBTPolicyKind kind, double sigma,
                                      TesseraEBTPlacement placement,
                                      double temperature,
                                      TesseraEBTSelection selection) {
  if (mlirContextIsNull(ctx))
    return {nullptr};
  MLIRContext *c = unwrap(ctx);
  auto k = ebt::symbolizePolicyKind(static_cast<uint32_t>(kind));
  auto p = ebt::symbolizePlacement(static_cast<uint32_t>(placement));
  auto s = ebt::symbolizeSelection(static_cast<uint32_t>(selection));
  if (!k || !p || !s) {
    emitError(UnknownLoc::get(c)) << "invalid policy enum value";
    return {nullptr};
  }
  return wrap(ebt::PolicyAttr::getChecked(errorIn(c), c, *k, APFloat(sigma),
                                          *p, APFloat(temperature), *s));
}

bool tesseraEBTAttributeIsAPolicy(MlirAttribute attr) {
  return !mlirAttributeIsNull(attr) && isa<ebt::PolicyAttr>(unwrap(attr));
}

static std::optional<ebt::PolicyAttr> policy(MlirAttribute attr) {
  if (!tesseraEBTAttributeIsAPolicy(attr))
    return std::nullopt;
  return cast<ebt::PolicyAttr>(unwrap(attr));
}

TesseraEBTPolicyKind tesseraEBTPolicyAttrGetKind(MlirAttribute attr) {
  auto p = policy(attr);
  return p ? static_cast<TesseraEBTPolicyKind>(p->getKind())
           : TESSERA_EBT_POLICY_SGD;
}

double tesseraEBTPolicyAttrGetSigma(MlirAttribute attr) {
  auto p = policy(attr);
  return p ? p->getSigma().convertToDouble() : 0.0;
}

TesseraEBTPlacement tesseraEBTPolicyAttrGetPlacement(MlirAttribute attr) {
  auto p = policy(attr);
  return p ? static_cast<TesseraEBTPlacement>(p->getPlacement())
           : TESSERA_EBT_PLACEMENT_PRE;
}

double tesseraEBTPolicyAttrGetTemperature(MlirAttribute attr) {
  auto p = policy(attr);
  return p ? p->getTemperature().convertToDouble() : 0.0;
}

TesseraEBTSelection tesseraEBTPolicyAttrGetSelection(MlirAttribute attr) {
  auto p = policy(attr);
  return p ? static_cast<TesseraEBTSelection>(p->getSelection())
           : TESSERA_EBT_SELECTION_GREEDY;
}

bool tesseraEBTPolicyAttrDrawsNoise(MlirAttribute attr) {
  auto p = policy(attr);
  return p && p->drawsNoise();
}

MlirAttribute tesseraEBTGranularityAttrGet(MlirContext ctx,
                                           TesseraEBTGranularity value) {
  return getEnumAttr<ebt::GranularityAttr, ebt::Granularity>(
      ctx, value, ebt::symbolizeGranularity, "granularity");
}

bool tesseraEBTAttributeIsAGranularity(MlirAttribute attr) {
  return isAEnumAttr<ebt::GranularityAttr, TesseraEBTGranularity>(attr);
}

TesseraEBTGranularity tesseraEBTGranularityAttrGetValue(MlirAttribute attr) {
  return enumAttrValue<ebt::GranularityAttr>(attr,
                                             TESSERA_EBT_GRANULARITY_TOKEN);
}

MlirAttribute tesseraEBTInitKindAttrGet(MlirContext ctx,
                                        TesseraEBTInitKind value) {
  return getEnumAttr<ebt::InitKindAttr, ebt::InitKind>(
      ctx, value, ebt::symbolizeInitKind, "init kind");
}

bool tesseraEBTAttributeIsAInitKind(MlirAttribute attr) {
  return isAEnumAttr<ebt::InitKindAttr, TesseraEBTInitKind>(attr);
}

TesseraEBTInitKind tesseraEBTInitKindAttrGetValue(MlirAttribute attr) {
  return enumAttrValue<ebt::InitKindAttr>(attr, TESSERA_EBT_INIT_NOISE);
}
