/*===- bench_cpu.c - CPU benchmark: artifact vs a plain C reference -------===*
 *
 * bench_cpu ARTIFACT N K THREADS-LABEL
 *
 * Runs the fused categorical receiver+KL and the log-space Bayesian update
 * of ARTIFACT (built from kernels.mlir.in) through libtessera_rt and the same
 * formulas as scalar C (this file, -O3 -march=native), checks they agree,
 * then times both (median of 20 after 3 warm-ups), a memcpy of the same
 * minimum bytes, and the one-thread streaming floor: a vectorised loop
 * that reads each input once and writes each output once. Prints one JSON object per workload on stdout.
 *
 *===----------------------------------------------------------------------===*/

#define _POSIX_C_SOURCE 200809L
#include "tessera/runtime.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { kRuns = 20, kWarmup = 3 };

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *t) {
  qsort(t, kRuns, sizeof *t, cmp);
  return 0.5 * (t[kRuns / 2 - 1] + t[kRuns / 2]);
}

/* The reference: one pass with an online max and sum per site. */
static void ref_kl(int64_t n, int64_t k, const int32_t *x, const float *logp,
                   const float *y, float *out) {
  for (int64_t s = 0; s < n; ++s) {
    const float *l = logp + s * k, *v = y + s * k;
    float m = -INFINITY, sum = 0.0f;
    for (int64_t j = 0; j < k; ++j) {
      float a = l[j] + v[j];
      if (a > m) {
        sum = sum * expf(m - a) + 1.0f;
        m = a;
      } else {
        sum += expf(a - m);
      }
    }
    out[s] = v[x[s]] - (m + logf(sum));
  }
}

/* The streaming floor of one thread: each input read once and each output
 * written once, with nothing but an add per element (vectorised by the
 * compiler), so no code that reads and writes these bytes can be faster on
 * this core. acc keeps 16 independent sums (one vector). */
static void stream_kl(int64_t n, int64_t k, const int32_t *x, const float *logp,
                      const float *y, float *out) {
  float acc[16] = {0};
  int64_t nk = n * k, i = 0;
  for (; i + 16 <= nk; i += 16)
    for (int l = 0; l < 16; ++l)
      acc[l] += logp[i + l] + y[i + l];
  for (; i < nk; ++i)
    acc[0] += logp[i] + y[i];
  float total = 0.0f;
  for (int l = 0; l < 16; ++l)
    total += acc[l];
  for (int64_t s = 0; s < n; ++s)
    out[s] = (float)x[s] + total;
}

static void stream_update(int64_t nk, const float *logp, const float *y,
                          float *out) {
  for (int64_t i = 0; i < nk; ++i)
    out[i] = logp[i] + y[i];
}

static void ref_update(int64_t n, int64_t k, const float *logp, const float *y,
                       float *out) {
  for (int64_t s = 0; s < n; ++s) {
    const float *l = logp + s * k, *v = y + s * k;
    float m = -INFINITY, sum = 0.0f;
    for (int64_t j = 0; j < k; ++j)
      m = fmaxf(m, l[j] + v[j]);
    for (int64_t j = 0; j < k; ++j)
      sum += expf(l[j] + v[j] - m);
    float lse = m + logf(sum);
    for (int64_t j = 0; j < k; ++j)
      out[s * k + j] = l[j] + v[j] - lse;
  }
}

static uint64_t state = 0x9e3779b97f4a7c15ull;
static float uniform(void) {
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return (float)((state >> 40) * (1.0 / 16777216.0));
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: %s artifact.so N K label\n", argv[0]);
    return 2;
  }
  int64_t n = atoll(argv[2]), k = atoll(argv[3]);
  size_t nk = (size_t)(n * k);
  int32_t *x = malloc(n * sizeof *x);
  float *logp = malloc(nk * sizeof *logp), *y = malloc(nk * sizeof *y);
  float *out = malloc(nk * sizeof *out), *ref = malloc(nk * sizeof *ref);
  char *src = malloc(2 * nk * sizeof(float) + n * 8);
  char *dst = malloc(2 * nk * sizeof(float) + n * 8);
  if (!x || !logp || !y || !out || !ref || !src || !dst) {
    fprintf(stderr, "out of memory\n");
    return 1;
  }
  for (int64_t s = 0; s < n; ++s) {
    x[s] = (int32_t)(uniform() * (float)k) % (int32_t)k;
    float z = 0;
    for (int64_t j = 0; j < k; ++j)
      z += logp[s * k + j] = expf(2.0f * uniform());
    for (int64_t j = 0; j < k; ++j) {
      logp[s * k + j] = logf(logp[s * k + j] / z);
      y[s * k + j] = 4.0f * uniform() - 2.0f;
    }
  }
  memset(src, 1, 2 * nk * sizeof(float) + n * 8);

  tessera_context_options o = {TESSERA_BACKEND_CPU, NULL, 0};
  tessera_context *ctx;
  tessera_module *m;
  tessera_function *fkl, *fupd;
  char error[256];
  if (tessera_context_create(&o, &ctx, error, sizeof error) ||
      tessera_module_load_file(ctx, argv[1], &m) ||
      tessera_module_get_function(m, "kl", &fkl) ||
      tessera_module_get_function(m, "update", &fupd)) {
    fprintf(stderr, "runtime: %s\n", tessera_context_error(ctx));
    return 1;
  }
  int64_t s1[1] = {n}, s2[2] = {n, k};
  tessera_tensor kin[3] = {{TESSERA_DTYPE_I32, 1, s1, x},
                           {TESSERA_DTYPE_F32, 2, s2, logp},
                           {TESSERA_DTYPE_F32, 2, s2, y}};
  tessera_tensor kout[1] = {{TESSERA_DTYPE_F32, 1, s1, out}};
  tessera_tensor uin[2] = {{TESSERA_DTYPE_F32, 2, s2, logp},
                           {TESSERA_DTYPE_F32, 2, s2, y}};
  tessera_tensor uout[1] = {{TESSERA_DTYPE_F32, 2, s2, out}};

  for (int w = 0; w < 2; ++w) {
    const char *name = w == 0 ? "categorical_kl" : "categorical_update";
    size_t count = w == 0 ? (size_t)n : nk;
    /* Minimum bytes: each input read once, each output written once. */
    double bytes = w == 0 ? (double)n * 4 + 2.0 * (double)nk * 4 + (double)n * 4
                          : 3.0 * (double)nk * 4;
    if (w == 0)
      ref_kl(n, k, x, logp, y, ref);
    else
      ref_update(n, k, logp, y, ref);
    tessera_status st = w == 0 ? tessera_invoke(fkl, kin, 3, kout, 1)
                               : tessera_invoke(fupd, uin, 2, uout, 1);
    if (st) {
      fprintf(stderr, "invoke: %s\n", tessera_context_error(ctx));
      return 1;
    }
    double err = 0;
    for (size_t i = 0; i < count; ++i) {
      double e = fabs((double)out[i] - ref[i]) / (1.0 + fabs((double)ref[i]));
      err = e > err ? e : err;
    }
    double tt[kRuns], tr[kRuns], tc[kRuns], ts[kRuns];
    for (int r = -kWarmup; r < kRuns; ++r) {
      double t0 = now();
      if (w == 0)
        tessera_invoke(fkl, kin, 3, kout, 1);
      else
        tessera_invoke(fupd, uin, 2, uout, 1);
      double t1 = now();
      if (w == 0)
        ref_kl(n, k, x, logp, y, ref);
      else
        ref_update(n, k, logp, y, ref);
      double t2 = now();
      memcpy(dst, src, (size_t)(bytes / 2));
      double t3 = now();
      if (w == 0)
        stream_kl(n, k, x, logp, y, ref);
      else
        stream_update((int64_t)nk, logp, y, ref);
      double t4 = now();
      if (r >= 0) {
        tt[r] = t1 - t0;
        tr[r] = t2 - t1;
        tc[r] = t3 - t2;
        ts[r] = t4 - t3;
      }
    }
    double mt = median(tt), mr = median(tr), mc = median(tc), ms = median(ts);
    /* memcpy moves bytes/2 read + bytes/2 written = bytes of traffic. */
    printf("{\"workload\": \"%s\", \"sites\": %lld, \"K\": %lld, \"threads\": \"%s\", "
           "\"max_rel_err\": %.3g, \"tessera_ms\": %.3f, \"c_ref_ms\": %.3f, "
           "\"speedup_vs_c\": %.3f, \"tessera_GBps\": %.2f, \"memcpy_GBps\": %.2f, "
           "\"fraction_of_memcpy\": %.3f, \"stream_ms\": %.3f, "
           "\"stream_speedup_vs_c\": %.3f, \"fraction_of_stream\": %.3f}\n",
           name, (long long)n, (long long)k, argv[4], err, 1e3 * mt, 1e3 * mr,
           mr / mt, bytes / mt * 1e-9, bytes / mc * 1e-9, mc / mt, 1e3 * ms,
           mr / ms, ms / mt);
    if (err > 1e-5) {
      fprintf(stderr, "%s: max relative error %.3g against the reference\n",
              name, err);
      return 1;
    }
  }
  tessera_context_destroy(ctx);
  return 0;
}
