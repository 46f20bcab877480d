/*===- Dialects.h - C API of the bfn and ebt dialects -------------*- C -*-===*\
|*                                                                            *|
|* Dialect handles, types and attributes of the bfn and ebt dialects, in the  *|
|* style of the upstream MLIR C API. Constructors validate their arguments:   *|
|* on bad arguments they emit an error diagnostic on the context and return a *|
|* null type/attribute (test with mlirTypeIsNull / mlirAttributeIsNull).      *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef TESSERA_C_DIALECTS_H
#define TESSERA_C_DIALECTS_H

#include "mlir-c/IR.h"
#include "mlir-c/Support.h"

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* mlirGetDialectHandle__bfn__() and mlirGetDialectHandle__ebt__(). */
MLIR_DECLARE_CAPI_DIALECT_REGISTRATION(BFN, bfn);
MLIR_DECLARE_CAPI_DIALECT_REGISTRATION(EBT, ebt);

/** Inserts the bfn and ebt dialects into `registry`. */
MLIR_CAPI_EXPORTED void tesseraRegisterDialects(MlirDialectRegistry registry);

/** Inserts bfn, ebt and every upstream dialect (with its interface
 *  extensions) the Tessera pipeline parses or produces. */
MLIR_CAPI_EXPORTED void
tesseraRegisterAllDialects(MlirDialectRegistry registry);

/*===----------------------------------------------------------------------===*/
/* bfn enums                                                                  */
/*===----------------------------------------------------------------------===*/

/** Distribution family; values match the dialect's `Family` enum. */
typedef enum TesseraBFNFamily {
  TESSERA_BFN_FAMILY_CATEGORICAL = 0,
  TESSERA_BFN_FAMILY_GAUSSIAN = 1,
  TESSERA_BFN_FAMILY_DISCRETIZED = 2,
} TesseraBFNFamily;

/** Accuracy schedule kind; values match `#bfn.schedule<kind, ...>`. */
typedef enum TesseraBFNScheduleKind {
  TESSERA_BFN_SCHEDULE_PAPER_CTS = 0,
  TESSERA_BFN_SCHEDULE_PAPER_DISCRETE = 1,
  TESSERA_BFN_SCHEDULE_LINEAR = 2,
  TESSERA_BFN_SCHEDULE_COSINE = 3,
  TESSERA_BFN_SCHEDULE_POLY = 4,
  TESSERA_BFN_SCHEDULE_CUSTOM = 5,
} TesseraBFNScheduleKind;

/** Loss reduction; values match `#bfn.reduction<...>`. */
typedef enum TesseraBFNReduction {
  TESSERA_BFN_REDUCTION_NONE = 0,
  TESSERA_BFN_REDUCTION_SUM = 1,
  TESSERA_BFN_REDUCTION_MEAN = 2,
} TesseraBFNReduction;

/** Categorical receiver form; values match `#bfn.receiver_form<...>`. */
typedef enum TesseraBFNReceiverForm {
  TESSERA_BFN_RECEIVER_JOINT = 0,
  TESSERA_BFN_RECEIVER_FACTORIZED = 1,
} TesseraBFNReceiverForm;

/** Final sample of the sampling loop; values match `#bfn.final<...>`. */
typedef enum TesseraBFNFinalSample {
  TESSERA_BFN_FINAL_MODE = 0,
  TESSERA_BFN_FINAL_SAMPLE = 1,
} TesseraBFNFinalSample;

/** Numerics convention; values match `#bfn.convention<...>`. */
typedef enum TesseraBFNConvention {
  TESSERA_BFN_CONVENTION_PAPER = 0,
  TESSERA_BFN_CONVENTION_REFERENCE = 1,
} TesseraBFNConvention;

/*===----------------------------------------------------------------------===*/
/* bfn types                                                                  */
/*===----------------------------------------------------------------------===*/

/** What a simplex stores; values match the `log` / `logits` keyword of
 *  `!bfn.simplex`. */
typedef enum TesseraBFNSimplexForm {
  TESSERA_BFN_SIMPLEX_PROB = 0,   /**< probabilities */
  TESSERA_BFN_SIMPLEX_LOG = 1,    /**< log-probabilities */
  TESSERA_BFN_SIMPLEX_LOGITS = 2, /**< log-probabilities up to a per-site constant (f32 only) */
} TesseraBFNSimplexForm;

/** `!bfn.simplex<shape x elementType[, log|logits]>`: categorical
 *  parameters; the last of the `rank` dimensions is the class count K
 *  (static, >= 2); `ShapedType` dynamic sizes
 *  (mlirShapedTypeGetDynamicSize()) are allowed for site dimensions. Null
 *  with a diagnostic for an invalid shape, storage type or form. */
MLIR_CAPI_EXPORTED MlirType tesseraBFNSimplexTypeGet(MlirContext ctx,
                                                     intptr_t rank,
                                                     const int64_t *shape,
                                                     MlirType elementType,
                                                     TesseraBFNSimplexForm form);
/** True if `type` is a `!bfn.simplex`. */
MLIR_CAPI_EXPORTED bool tesseraBFNTypeIsASimplex(MlirType type);
/** TypeID of `!bfn.simplex`. */
MLIR_CAPI_EXPORTED MlirTypeID tesseraBFNSimplexTypeGetTypeID(void);
/** K, the number of classes of a simplex type. */
MLIR_CAPI_EXPORTED int64_t tesseraBFNSimplexTypeGetAlphabetSize(MlirType type);
/** True if the simplex stores logarithms (`log` or `logits`). */
MLIR_CAPI_EXPORTED bool tesseraBFNSimplexTypeIsLogSpace(MlirType type);
/** The storage form of a simplex type; TESSERA_BFN_SIMPLEX_PROB for a
 *  type that is not a simplex. */
MLIR_CAPI_EXPORTED TesseraBFNSimplexForm
tesseraBFNSimplexTypeGetForm(MlirType type);

/** `!bfn.gauss<shape x elementType>`: mean and precision per site. */
MLIR_CAPI_EXPORTED MlirType tesseraBFNGaussTypeGet(MlirContext ctx,
                                                   intptr_t rank,
                                                   const int64_t *shape,
                                                   MlirType elementType);
/** True if `type` is a `!bfn.gauss`. */
MLIR_CAPI_EXPORTED bool tesseraBFNTypeIsAGauss(MlirType type);
/** TypeID of `!bfn.gauss`. */
MLIR_CAPI_EXPORTED MlirTypeID tesseraBFNGaussTypeGetTypeID(void);

/** `!bfn.accuracy`. */
MLIR_CAPI_EXPORTED MlirType tesseraBFNAccuracyTypeGet(MlirContext ctx);
/** True if `type` is a `!bfn.accuracy`. */
MLIR_CAPI_EXPORTED bool tesseraBFNTypeIsAAccuracy(MlirType type);
/** TypeID of `!bfn.accuracy`. */
MLIR_CAPI_EXPORTED MlirTypeID tesseraBFNAccuracyTypeGetTypeID(void);

/** `!bfn.sender<family, shape x f32>`; `bins` is used by the discretized
 *  family only and must be 0 otherwise. */
MLIR_CAPI_EXPORTED MlirType tesseraBFNSenderTypeGet(
    MlirContext ctx, TesseraBFNFamily family, int64_t bins, intptr_t rank,
    const int64_t *shape, MlirType elementType);
/** True if `type` is a `!bfn.sender`. */
MLIR_CAPI_EXPORTED bool tesseraBFNTypeIsASender(MlirType type);
/** TypeID of `!bfn.sender`. */
MLIR_CAPI_EXPORTED MlirTypeID tesseraBFNSenderTypeGetTypeID(void);

/** `!bfn.receiver<family, shape x f32>`, as for the sender. */
MLIR_CAPI_EXPORTED MlirType tesseraBFNReceiverTypeGet(
    MlirContext ctx, TesseraBFNFamily family, int64_t bins, intptr_t rank,
    const int64_t *shape, MlirType elementType);
/** True if `type` is a `!bfn.receiver`. */
MLIR_CAPI_EXPORTED bool tesseraBFNTypeIsAReceiver(MlirType type);
/** TypeID of `!bfn.receiver`. */
MLIR_CAPI_EXPORTED MlirTypeID tesseraBFNReceiverTypeGetTypeID(void);

/** Family of a sender or receiver type. */
MLIR_CAPI_EXPORTED TesseraBFNFamily
tesseraBFNDistributionTypeGetFamily(MlirType type);
/** Bins of a discretized sender or receiver type (0 for other families). */
MLIR_CAPI_EXPORTED int64_t tesseraBFNDistributionTypeGetBins(MlirType type);

/** Rank of the shape of a simplex, gauss, sender or receiver type; -1 for
 *  any other type. */
MLIR_CAPI_EXPORTED intptr_t tesseraBFNParamTypeGetRank(MlirType type);
/** Dimension `pos` of such a type; 0 if `pos` is out of range or the type is
 *  not one of them. */
MLIR_CAPI_EXPORTED int64_t tesseraBFNParamTypeGetDimSize(MlirType type,
                                                         intptr_t pos);
/** Element type of such a type; null for any other type. */
MLIR_CAPI_EXPORTED MlirType tesseraBFNParamTypeGetElementType(MlirType type);

/*===----------------------------------------------------------------------===*/
/* bfn attributes                                                             */
/*===----------------------------------------------------------------------===*/

/** `#bfn.schedule<...>`. `param` is sigma1 for PAPER_CTS and beta1 for every
 *  other kind; `power` is used by POLY only; `betaFn`/`rateFn` name the
 *  functions of a CUSTOM schedule (empty string ref: none). */
MLIR_CAPI_EXPORTED MlirAttribute tesseraBFNScheduleAttrGet(
    MlirContext ctx, TesseraBFNScheduleKind kind, double param, double power,
    MlirStringRef betaFn, MlirStringRef rateFn);
/** True if `attr` is a `#bfn.schedule`. */
MLIR_CAPI_EXPORTED bool tesseraBFNAttributeIsASchedule(MlirAttribute attr);
/** Kind of a schedule. */
MLIR_CAPI_EXPORTED TesseraBFNScheduleKind
tesseraBFNScheduleAttrGetKind(MlirAttribute attr);
/** beta(1) of a schedule (sigma1^-2 - 1 for PAPER_CTS). */
MLIR_CAPI_EXPORTED double tesseraBFNScheduleAttrGetBeta1(MlirAttribute attr);
/** beta(t), evaluated on the host in double precision. Returns false (and
 *  leaves `*out` alone) for CUSTOM schedules, non-schedules, NULL `out` or t
 *  outside [0, 1]. */
MLIR_CAPI_EXPORTED bool tesseraBFNScheduleAttrEvalBeta(MlirAttribute attr,
                                                       double t, double *out);
/** alpha(t) = dbeta/dt, as for tesseraBFNScheduleAttrEvalBeta. */
MLIR_CAPI_EXPORTED bool tesseraBFNScheduleAttrEvalRate(MlirAttribute attr,
                                                       double t, double *out);
/** alpha_i of step i of n; false also for i outside [1, n]. */
MLIR_CAPI_EXPORTED bool tesseraBFNScheduleAttrEvalAlpha(MlirAttribute attr,
                                                        int64_t i, int64_t n,
                                                        double *out);

/** sigma1 of a PAPER_CTS schedule (0 for other kinds). */
MLIR_CAPI_EXPORTED double tesseraBFNScheduleAttrGetSigma1(MlirAttribute attr);
/** Exponent of a POLY schedule (2 for PAPER_DISCRETE, 0 otherwise). */
MLIR_CAPI_EXPORTED double tesseraBFNScheduleAttrGetPower(MlirAttribute attr);

/** `#bfn.reduction<...>`: Get (null with a diagnostic for an invalid value),
 *  IsA, GetValue. */
MLIR_CAPI_EXPORTED MlirAttribute
tesseraBFNReductionAttrGet(MlirContext ctx, TesseraBFNReduction value);
MLIR_CAPI_EXPORTED bool tesseraBFNAttributeIsAReduction(MlirAttribute attr);
MLIR_CAPI_EXPORTED TesseraBFNReduction
tesseraBFNReductionAttrGetValue(MlirAttribute attr);

/** `#bfn.receiver_form<...>`: Get, IsA, GetValue. */
MLIR_CAPI_EXPORTED MlirAttribute
tesseraBFNReceiverFormAttrGet(MlirContext ctx, TesseraBFNReceiverForm value);
MLIR_CAPI_EXPORTED bool tesseraBFNAttributeIsAReceiverForm(MlirAttribute attr);
MLIR_CAPI_EXPORTED TesseraBFNReceiverForm
tesseraBFNReceiverFormAttrGetValue(MlirAttribute attr);

/** `#bfn.final<...>`: Get, IsA, GetValue. */
MLIR_CAPI_EXPORTED MlirAttribute
tesseraBFNFinalSampleAttrGet(MlirContext ctx, TesseraBFNFinalSample value);
MLIR_CAPI_EXPORTED bool tesseraBFNAttributeIsAFinalSample(MlirAttribute attr);
MLIR_CAPI_EXPORTED TesseraBFNFinalSample
tesseraBFNFinalSampleAttrGetValue(MlirAttribute attr);

/** `#bfn.convention<...>`: Get, IsA, GetValue. */
MLIR_CAPI_EXPORTED MlirAttribute
tesseraBFNConventionAttrGet(MlirContext ctx, TesseraBFNConvention value);
MLIR_CAPI_EXPORTED bool tesseraBFNAttributeIsAConvention(MlirAttribute attr);
MLIR_CAPI_EXPORTED TesseraBFNConvention
tesseraBFNConventionAttrGetValue(MlirAttribute attr);

/*===----------------------------------------------------------------------===*/
/* ebt attributes                                                             */
/*===----------------------------------------------------------------------===*/

/** Update policy kind; values match `#ebt.policy<kind, ...>`. */
typedef enum TesseraEBTPolicyKind {
  TESSERA_EBT_POLICY_SGD = 0,
  TESSERA_EBT_POLICY_LANGEVIN = 1,
  TESSERA_EBT_POLICY_COORDINATE = 2,
  TESSERA_EBT_POLICY_SIMPLEX = 3,
} TesseraEBTPolicyKind;

/** Where Langevin noise enters. */
typedef enum TesseraEBTPlacement {
  TESSERA_EBT_PLACEMENT_PRE = 0,
  TESSERA_EBT_PLACEMENT_EVAL_ONLY = 1,
  TESSERA_EBT_PLACEMENT_ULA = 2,
} TesseraEBTPlacement;

/** Coordinate selection. */
typedef enum TesseraEBTSelection {
  TESSERA_EBT_SELECTION_GREEDY = 0,
  TESSERA_EBT_SELECTION_CYCLIC = 1,
} TesseraEBTSelection;

/** Self-verification granularity; values match `#ebt.granularity`. */
typedef enum TesseraEBTGranularity {
  TESSERA_EBT_GRANULARITY_TOKEN = 0,
  TESSERA_EBT_GRANULARITY_SEQUENCE = 1,
} TesseraEBTGranularity;

/** `#ebt.policy<...>`; null with a diagnostic for inconsistent parameters
 *  (e.g. a temperature for sgd). */
MLIR_CAPI_EXPORTED MlirAttribute tesseraEBTPolicyAttrGet(
    MlirContext ctx, TesseraEBTPolicyKind kind, double sigma,
    TesseraEBTPlacement placement, double temperature,
    TesseraEBTSelection selection);
/** True if `attr` is an `#ebt.policy`. */
MLIR_CAPI_EXPORTED bool tesseraEBTAttributeIsAPolicy(MlirAttribute attr);
/** Parameters of a policy. */
MLIR_CAPI_EXPORTED TesseraEBTPolicyKind
tesseraEBTPolicyAttrGetKind(MlirAttribute attr);
MLIR_CAPI_EXPORTED double tesseraEBTPolicyAttrGetSigma(MlirAttribute attr);
MLIR_CAPI_EXPORTED TesseraEBTPlacement
tesseraEBTPolicyAttrGetPlacement(MlirAttribute attr);
MLIR_CAPI_EXPORTED double
tesseraEBTPolicyAttrGetTemperature(MlirAttribute attr);
MLIR_CAPI_EXPORTED TesseraEBTSelection
tesseraEBTPolicyAttrGetSelection(MlirAttribute attr);
/** True if the policy draws fresh noise every step. */
MLIR_CAPI_EXPORTED bool tesseraEBTPolicyAttrDrawsNoise(MlirAttribute attr);

/** Initial candidate state of `ebt.decode_init`. */
typedef enum TesseraEBTInitKind {
  TESSERA_EBT_INIT_NOISE = 0,
  TESSERA_EBT_INIT_ZEROS = 1,
  TESSERA_EBT_INIT_CONTEXT = 2,
  TESSERA_EBT_INIT_BASE = 3,
} TesseraEBTInitKind;

/** The `kind` attribute of `ebt.decode_init`: Get, IsA, GetValue. */
MLIR_CAPI_EXPORTED MlirAttribute
tesseraEBTInitKindAttrGet(MlirContext ctx, TesseraEBTInitKind value);
MLIR_CAPI_EXPORTED bool tesseraEBTAttributeIsAInitKind(MlirAttribute attr);
MLIR_CAPI_EXPORTED TesseraEBTInitKind
tesseraEBTInitKindAttrGetValue(MlirAttribute attr);

/** The granularity attribute of `ebt.self_verify` / `ebt.infer`. */
MLIR_CAPI_EXPORTED MlirAttribute
tesseraEBTGranularityAttrGet(MlirContext ctx, TesseraEBTGranularity value);
/** True if `attr` is an `#ebt.granularity`. */
MLIR_CAPI_EXPORTED bool tesseraEBTAttributeIsAGranularity(MlirAttribute attr);
/** Value of an `#ebt.granularity`. */
MLIR_CAPI_EXPORTED TesseraEBTGranularity
tesseraEBTGranularityAttrGetValue(MlirAttribute attr);

#ifdef __cplusplus
}
#endif

#endif /* TESSERA_C_DIALECTS_H */
