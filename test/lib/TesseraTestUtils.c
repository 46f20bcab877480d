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
