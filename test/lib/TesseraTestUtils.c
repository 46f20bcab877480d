/* Numeric checks for executed lit tests (mlir-runner -shared-libs=...):
 * the compiled code passes what it computed, the test passes the golden
 * value from docs/bfn-math.md / docs/ebt-math.md, and FileCheck reads the
 * verdict. */

#include <math.h>
#include <stdint.h>
#include <stdio.h>

/* Prints "check <id>: ok" when |got - want| <= rtol * |want| (or <= rtol
 * when want is 0), "check <id>: FAIL ..." otherwise. */
void tessera_check_close(float got, double want, double rtol, int64_t id) {
  double err = fabs((double)got - want);
  double bound = want != 0.0 ? rtol * fabs(want) : rtol;
  if (err <= bound && !isnan(got))
    printf("check %lld: ok\n", (long long)id);
  else
    printf("check %lld: FAIL got %.9g want %.9g rel %.3g\n", (long long)id,
           (double)got, want, want != 0.0 ? err / fabs(want) : err);
  fflush(stdout);
}

/* Prints "check <id>: ok" when got == want (integer results). */
void tessera_check_eq(int64_t got, int64_t want, int64_t id) {
  if (got == want)
    printf("check %lld: ok\n", (long long)id);
  else
    printf("check %lld: FAIL got %lld want %lld\n", (long long)id,
           (long long)got, (long long)want);
  fflush(stdout);
}

/* As tessera_check_close, for an f64 result. */
void tessera_check_close_f64(double got, double want, double rtol, int64_t id) {
  double err = fabs(got - want);
  double bound = want != 0.0 ? rtol * fabs(want) : rtol;
  if (err <= bound && !isnan(got))
    printf("check %lld: ok\n", (long long)id);
  else
    printf("check %lld: FAIL got %.17g want %.17g rel %.3g\n", (long long)id,
           got, want, want != 0.0 ? err / fabs(want) : err);
  fflush(stdout);
}

/* An unranked memref as passed by llvm.emit_c_interface. */
typedef struct {
  int64_t rank;
  void *descriptor;
} UnrankedMemRef;

/* Reads the element at linear position `n` (row-major over sizes) of a
 * ranked descriptor {alloc, aligned, offset, sizes[r], strides[r]}. */
static const char *elementAt(const UnrankedMemRef *m, int64_t n,
                             size_t elementSize) {
  const int64_t *d = (const int64_t *)((const char *)m->descriptor + 2 * sizeof(void *));
  const char *aligned = *(char *const *)((const char *)m->descriptor + sizeof(void *));
  int64_t offset = d[0];
  const int64_t *sizes = d + 1, *strides = d + 1 + m->rank;
  int64_t pos = offset;
  for (int64_t i = m->rank - 1; i >= 0; --i) {
    pos += (n % sizes[i]) * strides[i];
    n /= sizes[i];
  }
  return aligned + pos * (int64_t)elementSize;
}

static int64_t numElements(const UnrankedMemRef *m) {
  const int64_t *sizes = (const int64_t *)((const char *)m->descriptor + 2 * sizeof(void *)) + 1;
  int64_t n = 1;
  for (int64_t i = 0; i < m->rank; ++i)
    n *= sizes[i];
  return n;
}

/* Compares an f32 tensor with an f64 golden tensor of the same number of
 * elements, element by element, as tessera_check_close does. */
void _mlir_ciface_tesseraCheckTensor(UnrankedMemRef *got, UnrankedMemRef *want,
                                     double rtol, int64_t id) {
  int64_t n = numElements(got);
  if (n != numElements(want)) {
    printf("check %lld: FAIL %lld elements, golden has %lld\n", (long long)id,
           (long long)n, (long long)numElements(want));
    fflush(stdout);
    return;
  }
  for (int64_t i = 0; i < n; ++i) {
    float g = *(const float *)elementAt(got, i, sizeof(float));
    double w = *(const double *)elementAt(want, i, sizeof(double));
    double err = fabs((double)g - w);
    double bound = w != 0.0 ? rtol * fabs(w) : rtol;
    if (!(err <= bound)) {
      printf("check %lld: FAIL element %lld got %.9g want %.9g rel %.3g\n",
             (long long)id, (long long)i, (double)g, w,
             w != 0.0 ? err / fabs(w) : err);
      fflush(stdout);
      return;
    }
  }
  printf("check %lld: ok\n", (long long)id);
  fflush(stdout);
}

/*===----------------------------------------------------------------------===*/
/* Reference Philox4x32-10 (Salmon et al., SC'11; Random123), written        */
/* independently of the compiler's IR generation.                            */
/*===----------------------------------------------------------------------===*/

static void philox4x32_10(const uint32_t in[4], const uint32_t key[2],
                          uint32_t out[4]) {
  uint32_t c[4] = {in[0], in[1], in[2], in[3]};
  uint32_t k[2] = {key[0], key[1]};
  for (int r = 0; r < 10; ++r) {
    if (r > 0) {
      k[0] += 0x9E3779B9u;
      k[1] += 0xBB67AE85u;
    }
    uint64_t p0 = (uint64_t)0xD2511F53u * c[0];
    uint64_t p1 = (uint64_t)0xCD9E8D57u * c[2];
    uint32_t n0 = (uint32_t)(p1 >> 32) ^ c[1] ^ k[0];
    uint32_t n2 = (uint32_t)(p0 >> 32) ^ c[3] ^ k[1];
    c[0] = n0;
    c[1] = (uint32_t)p1;
    c[2] = n2;
    c[3] = (uint32_t)p0;
  }
  for (int i = 0; i < 4; ++i)
    out[i] = c[i];
}

/* Random123's known-answer vectors for philox4x32-10. */
void tessera_philox_selftest(int64_t id) {
  static const uint32_t kat[3][10] = {
      {0, 0, 0, 0, 0, 0, 0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8},
      {0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff,
       0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd},
      {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0,
       0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}};
  for (int v = 0; v < 3; ++v) {
    uint32_t out[4];
    philox4x32_10(kat[v], kat[v] + 4, out);
    for (int i = 0; i < 4; ++i)
      if (out[i] != kat[v][6 + i]) {
        printf("check %lld: FAIL philox KAT %d word %d: %08x want %08x\n",
               (long long)id, v, i, out[i], kat[v][6 + i]);
        fflush(stdout);
        return;
      }
  }
  printf("check %lld: ok\n", (long long)id);
  fflush(stdout);
}

/* Element `e` of draw stream `stream` under rng(seed, offset), as
 * documented for the bfn dialect: a uniform in [0, 1) or a standard normal. */
float tessera_philox_draw(int64_t seed, int64_t offset, int64_t e,
                          int64_t stream, int64_t normal) {
  uint32_t key[2] = {(uint32_t)seed, (uint32_t)((uint64_t)seed >> 32)};
  uint64_t ctr = (uint64_t)offset + (uint64_t)e;
  uint32_t in[4] = {(uint32_t)ctr, (uint32_t)(ctr >> 32), (uint32_t)stream, 0};
  uint32_t r[4];
  philox4x32_10(in, key, r);
  if (!normal)
    return (float)(r[0] >> 8) * 0x1p-24f;
  float u1 = (float)((r[0] >> 8) + 1) * 0x1p-24f;
  float u2 = (float)(r[1] >> 8) * 0x1p-24f;
  return sqrtf(-2.0f * logf(u1)) * cosf(u2 * (float)(2.0 * 3.14159265358979323846));
}

/*===----------------------------------------------------------------------===*/
/* Plain C references of the BFN formulas (docs/bfn-math.md), in double, and  */
/* checkers comparing a compiled per-site result with them.                   */
/*===----------------------------------------------------------------------===*/

static float getF32(const UnrankedMemRef *m, int64_t e) {
  return *(const float *)elementAt(m, e, sizeof(float));
}
static int32_t getI32(const UnrankedMemRef *m, int64_t e) {
  return *(const int32_t *)elementAt(m, e, sizeof(int32_t));
}

static int report(int64_t id, int64_t site, double got, double want,
                  double rtol, double atol) {
  double err = fabs(got - want);
  if (err <= rtol * fabs(want) + atol && !isnan(got))
    return 1;
  printf("check %lld: FAIL site %lld got %.9g want %.9g\n", (long long)id,
         (long long)site, got, want);
  fflush(stdout);
  return 0;
}

static void ok(int64_t id) {
  printf("check %lld: ok\n", (long long)id);
  fflush(stdout);
}

/* log_softmax of one row of logits, in double. */
static void logSoftmax(const UnrankedMemRef *logits, int64_t row, int64_t k,
                       double *out) {
  double m = -INFINITY, s = 0.0;
  for (int64_t j = 0; j < k; ++j)
    m = fmax(m, getF32(logits, row * k + j));
  for (int64_t j = 0; j < k; ++j)
    s += exp(getF32(logits, row * k + j) - m);
  for (int64_t j = 0; j < k; ++j)
    out[j] = getF32(logits, row * k + j) - m - log(s);
}

/* KL(sender || receiver) one-sample values of a categorical step:
 * paper y_x - LSE_k(ln p_k + y_k); reference code (factorized)
 * u_x - sum_j ln(1 - p_j + p_j e^{u_j}), u = y + alpha - alpha K / 2. */
void _mlir_ciface_tesseraCheckCategoricalKL(UnrankedMemRef *got,
                                            UnrankedMemRef *x,
                                            UnrankedMemRef *logits,
                                            UnrankedMemRef *y, double alpha,
                                            int64_t factorized, double rtol,
                                            int64_t id) {
  int64_t sites = numElements(x), k = numElements(logits) / sites;
  double lp[65536];
  for (int64_t s = 0; s < sites; ++s) {
    logSoftmax(logits, s, k, lp);
    int32_t c = getI32(x, s);
    double want;
    if (!factorized) {
      double m = -INFINITY, sum = 0.0;
      for (int64_t j = 0; j < k; ++j)
        m = fmax(m, lp[j] + getF32(y, s * k + j));
      for (int64_t j = 0; j < k; ++j)
        sum += exp(lp[j] + getF32(y, s * k + j) - m);
      want = getF32(y, s * k + c) - (m + log(sum));
    } else {
      /* The reference receiver floors the weights at fp32 epsilon and
       * renormalises them. */
      double z = 0.0, acc = 0.0, ux = 0.0;
      for (int64_t j = 0; j < k; ++j)
        z += fmax(exp(lp[j]), 1.1920928955078125e-07);
      for (int64_t j = 0; j < k; ++j) {
        double u = getF32(y, s * k + j) + alpha - alpha * (double)k / 2.0;
        double p = fmax(exp(lp[j]), 1.1920928955078125e-07) / z;
        acc += log(1.0 - p + p * exp(u));
        if (j == c)
          ux = u;
      }
      want = ux - acc;
    }
    if (!report(id, s, getF32(got, s), want, rtol, 1e-5))
      return;
  }
  ok(id);
}

/* Continuous-time categorical loss per site: alpha(t) (K/2)||e_x - p||^2
 * with the paper's discrete schedule, alpha(t) = 2 beta1 t. */
void _mlir_ciface_tesseraCheckCategoricalLinf(UnrankedMemRef *got,
                                              UnrankedMemRef *x,
                                              UnrankedMemRef *logits, double t,
                                              double beta1, double rtol,
                                              int64_t id) {
  int64_t sites = numElements(x), k = numElements(logits) / sites;
  double lp[65536];
  for (int64_t s = 0; s < sites; ++s) {
    logSoftmax(logits, s, k, lp);
    double w = 0.0;
    for (int64_t j = 0; j < k; ++j) {
      double d = (j == getI32(x, s) ? 1.0 : 0.0) - exp(lp[j]);
      w += d * d;
    }
    double want = 2.0 * beta1 * t * (double)k / 2.0 * w;
    if (!report(id, s, getF32(got, s), want, rtol, 1e-6))
      return;
  }
  ok(id);
}

static double normalCdf(double z) { return 0.5 * erfc(-z / sqrt(2.0)); }

/* x_hat of the Gaussian output with paper_cts: the paper's formula in
 * double, or the reference code's fp32 evaluation
 * gamma = 1 - sigma1^(2 max(t, t_min)). Both clip to [-1, 1]. */
double tessera_ref_xhat(double mu, double epsHat, double t, double sigma1,
                        double tMin, int64_t reference) {
  double x;
  if (t < tMin)
    return 0.0;
  if (reference) {
    float te = fmaxf((float)t, (float)tMin);
    float p = expf(te * (float)(2.0 * log(sigma1)));
    float g = 1.0f - p;
    float sc = sqrtf((1.0f - g) / g);
    x = (double)((float)mu / g - sc * (float)epsHat);
  } else {
    double g = -expm1(2.0 * t * log(sigma1));
    x = mu / g - sqrt(exp(2.0 * t * log(sigma1)) / g) * epsHat;
  }
  return fmin(1.0, fmax(-1.0, x));
}

/* Mean of the Gaussian Bayesian flow with paper_cts, paper (double) or
 * reference code (fp32, gamma = 1 - sigma1^(2t)). */
double tessera_ref_flow_mu(double x, double eps, double t, double sigma1,
                           int64_t reference) {
  if (reference) {
    float p = expf((float)t * (float)(2.0 * log(sigma1)));
    float g = 1.0f - p;
    return (double)(g * (float)x + sqrtf(g * (1.0f - g)) * (float)eps);
  }
  double g = -expm1(2.0 * t * log(sigma1));
  return g * x + sqrt(g * exp(2.0 * t * log(sigma1))) * eps;
}

/* Discretised output with the paper_cts schedule: bins of
 * N(mu/gamma - s mu_eps, (s e^{ln sigma_eps})^2), s = sqrt((1-gamma)/gamma),
 * outer edges pinned. Compares probabilities (got: log-probabilities). */
static void discretizedBins(double mu, double t, double sigma1, double me,
                            double ls, int64_t bins, int reference,
                            double *p) {
  double gamma = -expm1(2.0 * t * log(sigma1));
  double sc = sqrt((1.0 - gamma) / gamma);
  if (reference) /* the reference code's guards */
    ls = fmin(10.0, fmax(-10.0, ls));
  double mx = mu / gamma - sc * me, sx = sc * exp(ls);
  if (reference)
    sx = fmin(10.0, fmax(1e-3, sx));
  for (int64_t k = 0; k < bins; ++k) {
    double lo = -1.0 + 2.0 * (double)k / (double)bins, hi = lo + 2.0 / (double)bins;
    double gl = k == 0 ? 0.0 : normalCdf((lo - mx) / sx);
    double gh = k == bins - 1 ? 1.0 : normalCdf((hi - mx) / sx);
    p[k] = gh - gl;
  }
}

static void checkDiscretizedBins(UnrankedMemRef *gotLogp, UnrankedMemRef *mu,
                                 double t, double sigma1, UnrankedMemRef *me,
                                 UnrankedMemRef *ls, int reference,
                                 double rtol, int64_t id) {
  int64_t sites = numElements(mu), bins = numElements(gotLogp) / sites;
  double p[65536];
  for (int64_t s = 0; s < sites; ++s) {
    discretizedBins(getF32(mu, s), t, sigma1, getF32(me, s), getF32(ls, s),
                    bins, reference, p);
    for (int64_t k = 0; k < bins; ++k)
      if (!report(id, s * bins + k, exp(getF32(gotLogp, s * bins + k)), p[k],
                  rtol, 1e-7))
        return;
  }
  ok(id);
}

void _mlir_ciface_tesseraCheckDiscretizedBins(UnrankedMemRef *gotLogp,
                                              UnrankedMemRef *mu, double t,
                                              double sigma1,
                                              UnrankedMemRef *me,
                                              UnrankedMemRef *ls, double rtol,
                                              int64_t id) {
  checkDiscretizedBins(gotLogp, mu, t, sigma1, me, ls, 0, rtol, id);
}

/* As above with the reference code's clamps on ln sigma_eps and sigma_x. */
void _mlir_ciface_tesseraCheckDiscretizedBinsRef(UnrankedMemRef *gotLogp,
                                                 UnrankedMemRef *mu, double t,
                                                 double sigma1,
                                                 UnrankedMemRef *me,
                                                 UnrankedMemRef *ls,
                                                 double rtol, int64_t id) {
  checkDiscretizedBins(gotLogp, mu, t, sigma1, me, ls, 1, rtol, id);
}

/* Discretised one-sample per-step value:
 * -alpha (y-x)^2/2 - LSE_k[ln p_k - alpha (y - k_c)^2 / 2]. */
void _mlir_ciface_tesseraCheckDiscretizedKL(UnrankedMemRef *got,
                                            UnrankedMemRef *x,
                                            UnrankedMemRef *logp,
                                            UnrankedMemRef *y, double alpha,
                                            double rtol, int64_t id) {
  int64_t sites = numElements(x), bins = numElements(logp) / sites;
  for (int64_t s = 0; s < sites; ++s) {
    double yy = getF32(y, s), m = -INFINITY, sum = 0.0;
    double a[65536];
    for (int64_t k = 0; k < bins; ++k) {
      double kc = (2.0 * (double)k + 1.0) / (double)bins - 1.0;
      a[k] = getF32(logp, s * bins + k) - alpha * (yy - kc) * (yy - kc) / 2.0;
      m = fmax(m, a[k]);
    }
    for (int64_t k = 0; k < bins; ++k)
      sum += exp(a[k] - m);
    double d = yy - getF32(x, s);
    double want = -alpha * d * d / 2.0 - (m + log(sum));
    if (!report(id, s, getF32(got, s), want, rtol, 1e-5))
      return;
  }
  ok(id);
}

/* Continuous data with paper_cts: Bayesian flow mu = gamma x +
 * sqrt(gamma (1-gamma)) eps, output x_hat = clip(mu/gamma -
 * sqrt((1-gamma)/gamma) eps_hat), and L^inf = -ln(sigma1) sigma1^-2t
 * (x - x_hat)^2 per site. */
void _mlir_ciface_tesseraCheckContinuousLinf(UnrankedMemRef *got,
                                             UnrankedMemRef *x,
                                             UnrankedMemRef *eps,
                                             UnrankedMemRef *epsHat, double t,
                                             double sigma1, double rtol,
                                             int64_t id) {
  int64_t sites = numElements(x);
  double ls = log(sigma1);
  double gamma = -expm1(2.0 * t * ls), omg = exp(2.0 * t * ls);
  for (int64_t s = 0; s < sites; ++s) {
    double xx = getF32(x, s);
    double mu = gamma * xx + sqrt(gamma * omg) * getF32(eps, s);
    double xh = mu / gamma - sqrt(omg / gamma) * getF32(epsHat, s);
    xh = fmin(1.0, fmax(-1.0, xh));
    double want = -ls * exp(-2.0 * t * ls) * (xx - xh) * (xx - xh);
    if (!report(id, s, getF32(got, s), want, rtol, 1e-6))
      return;
  }
  ok(id);
}

/* Categorical n-step sampling with the network logits = theta W (K x K),
 * the paper_discrete schedule, draws from rng(seed, offset) as documented
 * for bfn.generate (stream 0: uniforms [n, S]; stream 1: normals [n, S, K]),
 * final mode. Compares the class of every site with `got`. */
void _mlir_ciface_tesseraCheckGenerateCategorical(UnrankedMemRef *got,
                                                  UnrankedMemRef *w,
                                                  int64_t n, double beta1,
                                                  int64_t seed, int64_t offset,
                                                  int64_t id) {
  int64_t sites = numElements(got);
  int64_t k = 1;
  while (k * k < numElements(w))
    ++k;
  for (int64_t s = 0; s < sites; ++s) {
    double lt[256], logits[256], lp[256];
    for (int64_t j = 0; j < k; ++j)
      lt[j] = -log((double)k);
    for (int64_t i = 1; i <= n + 1; ++i) {
      /* network on the probabilities */
      for (int64_t c = 0; c < k; ++c) {
        logits[c] = 0.0;
        for (int64_t j = 0; j < k; ++j)
          logits[c] += exp(lt[j]) * getF32(w, j * k + c);
      }
      double m = -INFINITY, z = 0.0;
      for (int64_t c = 0; c < k; ++c)
        m = fmax(m, logits[c]);
      for (int64_t c = 0; c < k; ++c)
        z += exp(logits[c] - m);
      for (int64_t c = 0; c < k; ++c)
        lp[c] = logits[c] - m - log(z);
      if (i == n + 1) { /* final: mode */
        int64_t best = 0;
        for (int64_t c = 1; c < k; ++c)
          if (lp[c] > lp[best])
            best = c;
        if (getI32(got, s) != best) {
          printf("check %lld: FAIL site %lld got class %d want %lld\n",
                 (long long)id, (long long)s, getI32(got, s), (long long)best);
          fflush(stdout);
          return;
        }
        break;
      }
      /* class by inverse CDF, then y ~ N(alpha (K e_c - 1), alpha K) */
      double u = tessera_philox_draw(seed, offset, (i - 1) * sites + s, 0, 0);
      int64_t cls = k - 1;
      double cum = 0.0;
      for (int64_t c = 0; c < k; ++c) {
        cum += exp(lp[c]);
        if (u < cum) {
          cls = c;
          break;
        }
      }
      double alpha = beta1 * (2.0 * (double)i - 1.0) / ((double)n * (double)n);
      double a[256], am = -INFINITY, az = 0.0;
      for (int64_t c = 0; c < k; ++c) {
        double eps = tessera_philox_draw(seed, offset,
                                         ((i - 1) * sites + s) * k + c, 1, 1);
        double y = alpha * ((c == cls ? (double)k : 0.0) - 1.0) +
                   sqrt(alpha * (double)k) * eps;
        a[c] = lt[c] + y;
        am = fmax(am, a[c]);
      }
      for (int64_t c = 0; c < k; ++c)
        az += exp(a[c] - am);
      for (int64_t c = 0; c < k; ++c)
        lt[c] = a[c] - am - log(az);
    }
  }
  ok(id);
}

/* Categorical Bayesian update in log space, per element:
 * ln theta'_k = ln theta_k + y_k - LSE_j(ln theta_j + y_j), within
 * rtol * |want| + atol (atol for the bf16 rounding of values near 0). */
void _mlir_ciface_tesseraCheckCategoricalUpdate(UnrankedMemRef *got,
                                                UnrankedMemRef *logTheta,
                                                UnrankedMemRef *y,
                                                int64_t sites, double rtol,
                                                double atol, int64_t id) {
  int64_t k = numElements(logTheta) / sites;
  if (numElements(got) != sites * k || numElements(y) != sites * k) {
    printf("check %lld: FAIL element counts\n", (long long)id);
    fflush(stdout);
    return;
  }
  for (int64_t s = 0; s < sites; ++s) {
    double m = -INFINITY, sum = 0.0;
    for (int64_t j = 0; j < k; ++j)
      m = fmax(m, (double)getF32(logTheta, s * k + j) + getF32(y, s * k + j));
    for (int64_t j = 0; j < k; ++j)
      sum += exp((double)getF32(logTheta, s * k + j) + getF32(y, s * k + j) - m);
    for (int64_t j = 0; j < k; ++j) {
      double want = (double)getF32(logTheta, s * k + j) +
                    getF32(y, s * k + j) - m - log(sum);
      if (!report(id, s * k + j, getF32(got, s * k + j), want, rtol, atol))
        return;
    }
  }
  ok(id);
}

/* Compares f32 `got` with f32 `want` elementwise within
 * rtol * max|want| + atol (gradients against finite differences). */
void _mlir_ciface_tesseraCheckClose(UnrankedMemRef *got, UnrankedMemRef *want,
                                    double rtol, double atol, int64_t id) {
  int64_t n = numElements(got);
  if (n != numElements(want)) {
    printf("check %lld: FAIL %lld elements, reference has %lld\n",
           (long long)id, (long long)n, (long long)numElements(want));
    fflush(stdout);
    return;
  }
  double scale = 0.0;
  for (int64_t i = 0; i < n; ++i)
    scale = fmax(scale, fabs((double)getF32(want, i)));
  for (int64_t i = 0; i < n; ++i) {
    double g = getF32(got, i), w = getF32(want, i);
    if (!(fabs(g - w) <= rtol * scale + atol)) {
      printf("check %lld: FAIL element %lld got %.9g want %.9g (scale %.3g)\n",
             (long long)id, (long long)i, g, w, scale);
      fflush(stdout);
      return;
    }
  }
  ok(id);
}
