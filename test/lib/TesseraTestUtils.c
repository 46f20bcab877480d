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
