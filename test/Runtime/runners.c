/* The runtime's runners (tessera/runners.h) on a cpu artifact: EBT
 * inference against the closed-form sgd trajectory of a quadratic energy,
 * self-verification against the argmin, K independent of the capacity, the
 * run-time Langevin noise, the BFN loss and sample runners' configuration,
 * and every configuration or signature error as a status with a message. */
// RUN: tessera-compile %S/Inputs/runners.mlir -o %t.so
// Strided copies of a dynamic K are loops, not calls of the MLIR runner
// library's memrefCopy: the artifact needs libc and libm only.
// RUN: llvm-readelf -d %t.so | FileCheck %s --check-prefix=DEPS --implicit-check-not=mlir
// RUN: tessera-runners-test %t.so > %t.out 2>&1
// RUN: FileCheck %s < %t.out
// RUN: FileCheck %s --check-prefix=ERR < %t.out

#include "tessera/runners.h"

#include "expect.h"

#include <math.h>
#include <stdio.h>
#include <string.h>


enum { L = 3, D = 4, KMAX = 4 };

static float h[L][D];
static const int64_t c_shape[2] = {L, D};

static tessera_tensor x_tensor(void) {
  tessera_tensor t = {TESSERA_DTYPE_F32, 2, c_shape, h};
  return t;
}

/* Runs `fn` with K candidates and no self-verification. */
static tessera_status run_all(tessera_function *fn, tessera_ebt_config cfg,
                              float y[][L][D], float e[][L]) {
  int64_t ys[3] = {cfg.K, L, D}, es[2] = {cfg.K, L};
  tessera_tensor x = x_tensor();
  tessera_tensor yt = {TESSERA_DTYPE_F32, 3, ys, y};
  tessera_tensor et = {TESSERA_DTYPE_F32, 2, es, e};
  cfg.self_verify = 0;
  return tessera_ebt_infer(fn, &x, &cfg, &yt, &et);
}

static double energy(const float y[L][D], int l) {
  double s = 0;
  for (int j = 0; j < D; ++j)
    s += 0.5 * ((double)y[l][j] - h[l][j]) * ((double)y[l][j] - h[l][j]);
  return s;
}

static void run_ebt(tessera_context *ctx, tessera_module *m) {
  tessera_function *sgd, *langevin;
  EXPECT(tessera_module_get_function(m, "sgd", &sgd) == TESSERA_SUCCESS);
  EXPECT(tessera_module_get_function(m, "langevin", &langevin) ==
         TESSERA_SUCCESS);
  for (int l = 0; l < L; ++l)
    for (int j = 0; j < D; ++j)
      h[l][j] = 0.25f * (float)(l - j) + 0.1f;

  /* T = 0: the initial candidates and their energies. */
  float y0[KMAX][L][D], e0[KMAX][L];
  tessera_ebt_config cfg = {0, KMAX, 0.3f, 0.0f, 0, 7};
  EXPECT(run_all(sgd, cfg, y0, e0) == TESSERA_SUCCESS);
  double worst = 0;
  for (int k = 0; k < KMAX; ++k)
    for (int l = 0; l < L; ++l)
      worst = fmax(worst, fabs(e0[k][l] - energy(y0[k], l)) /
                              (1e-6 + fabs(energy(y0[k], l))));
  printf("T=0 energies vs 0.5 |y0 - h|^2: max rel err %.2g\n", worst);
  EXPECT(worst < 1e-5);

  /* T = 5, eta = 0.3: y_T = h + 0.7^5 (y0 - h). */
  float yT[KMAX][L][D], eT[KMAX][L];
  cfg.T = 5;
  EXPECT(run_all(sgd, cfg, yT, eT) == TESSERA_SUCCESS);
  worst = 0;
  double shrink = pow(0.7, 5);
  for (int k = 0; k < KMAX; ++k)
    for (int l = 0; l < L; ++l)
      for (int j = 0; j < D; ++j) {
        double want = h[l][j] + shrink * (y0[k][l][j] - h[l][j]);
        worst = fmax(worst, fabs(yT[k][l][j] - want) / (1e-3 + fabs(want)));
      }
  printf("T=5 sgd vs h + 0.7^5 (y0 - h): max rel err %.2g\n", worst);
  EXPECT(worst < 1e-5);

  /* Fewer candidates: the first K of the same run. */
  float y2[2][L][D], e2[2][L];
  cfg.K = 2;
  EXPECT(run_all(sgd, cfg, y2, e2) == TESSERA_SUCCESS);
  int same = !memcmp(y2, yT, sizeof y2) && !memcmp(e2, eT, sizeof e2);
  printf("K=2 equals the first 2 of K=4: %s\n", same ? "yes" : "no");
  EXPECT(same);

  /* Self-verification keeps the argmin per token (lowest index on ties). */
  float best[L][D];
  tessera_tensor x = x_tensor();
  tessera_tensor bt = {TESSERA_DTYPE_F32, 2, c_shape, best};
  cfg.K = KMAX;
  cfg.self_verify = 1;
  EXPECT(tessera_ebt_infer(sgd, &x, &cfg, &bt, NULL) == TESSERA_SUCCESS);
  int kept = 1;
  for (int l = 0; l < L; ++l) {
    int arg = 0;
    for (int k = 1; k < KMAX; ++k)
      if (eT[k][l] < eT[arg][l])
        arg = k;
    kept &= !memcmp(best[l], yT[arg][l], sizeof best[l]);
  }
  printf("self-verify keeps the argmin candidate: %s\n", kept ? "yes" : "no");
  EXPECT(kept);

  /* Run-time Langevin noise: 0 is the sgd update; 0.5 is another,
   * reproducible trajectory; another seed another one. */
  float yl[KMAX][L][D], el[KMAX][L], yn[KMAX][L][D], en[KMAX][L],
      yr[KMAX][L][D], yo[KMAX][L][D];
  cfg.self_verify = 0;
  EXPECT(run_all(langevin, cfg, yl, el) == TESSERA_SUCCESS);
  printf("langevin noise=0 equals sgd: %s\n",
         !memcmp(yl, yT, sizeof yl) ? "yes" : "no");
  EXPECT(!memcmp(yl, yT, sizeof yl));
  cfg.noise = 0.5f;
  EXPECT(run_all(langevin, cfg, yn, en) == TESSERA_SUCCESS);
  EXPECT(run_all(langevin, cfg, yr, en) == TESSERA_SUCCESS);
  cfg.seed = 8;
  EXPECT(run_all(langevin, cfg, yo, en) == TESSERA_SUCCESS);
  int finite = 1;
  for (int k = 0; k < KMAX; ++k)
    for (int l = 0; l < L; ++l)
      for (int j = 0; j < D; ++j)
        finite &= isfinite(yn[k][l][j]);
  printf("langevin noise=0.5: differs from noise=0 %s, reproducible %s, "
         "seed-dependent %s, finite %s\n",
         memcmp(yn, yl, sizeof yn) ? "yes" : "no",
         !memcmp(yn, yr, sizeof yn) ? "yes" : "no",
         memcmp(yn, yo, sizeof yn) ? "yes" : "no", finite ? "yes" : "no");
  EXPECT(memcmp(yn, yl, sizeof yn) && !memcmp(yn, yr, sizeof yn) &&
         memcmp(yn, yo, sizeof yn) && finite);
  (void)ctx;
}

static void run_bfn(tessera_context *ctx, tessera_module *m) {
  tessera_function *alpha, *echo;
  EXPECT(tessera_module_get_function(m, "alpha", &alpha) == TESSERA_SUCCESS);
  EXPECT(tessera_module_get_function(m, "echo", &echo) == TESSERA_SUCCESS);
  float data[2] = {1.25f, -0.5f};
  int64_t two = 2, three = 3;
  tessera_tensor x = {TESSERA_DTYPE_F32, 1, &two, data};
  tessera_bfn_config cfg = {10, 3, 5, 9};
  float losses[2];
  EXPECT(tessera_bfn_loss(alpha, &x, 1, &cfg, losses, 2) == TESSERA_SUCCESS);
  /* alpha_3 of 10 with beta1 = 9: 9 * 5 / 100. */
  printf("loss runner: alpha %.7g (want 0.45), sum %.7g (want 0.75)\n",
         (double)losses[0], (double)losses[1]);
  EXPECT(fabs(losses[0] - 0.45) < 1e-6 && losses[1] == 0.75f);
  cfg.step = 10;
  EXPECT(tessera_bfn_loss(alpha, &x, 1, &cfg, losses, 2) == TESSERA_SUCCESS);
  EXPECT(fabs(losses[0] - 9.0 * 19 / 100) < 1e-6);

  int64_t echoed[3];
  tessera_tensor s = {TESSERA_DTYPE_I64, 1, &three, echoed};
  cfg = (tessera_bfn_config){25, 0, 12345678901ull, 77};
  EXPECT(tessera_bfn_sample(echo, &x, 1, &cfg, &s) == TESSERA_SUCCESS);
  printf("sample runner passes n=%lld seed=%lld offset=%lld\n",
         (long long)echoed[0], (long long)echoed[1], (long long)echoed[2]);
  EXPECT(echoed[0] == 25 && echoed[1] == 12345678901ll && echoed[2] == 77);
  (void)ctx;
}

static void expect_error(tessera_context *ctx, const char *what,
                         tessera_status s, tessera_status want) {
  printf("error %s: %s: %s\n", what, tessera_status_string(s),
         tessera_context_error(ctx));
  EXPECT(s == want);
}

static void run_errors(tessera_context *ctx, tessera_module *m) {
  tessera_function *sgd, *langevin, *alpha, *echo;
  tessera_module_get_function(m, "sgd", &sgd);
  tessera_module_get_function(m, "langevin", &langevin);
  tessera_module_get_function(m, "alpha", &alpha);
  tessera_module_get_function(m, "echo", &echo);
  float y[KMAX][L][D], e[KMAX][L], best[L][D];
  tessera_tensor x = x_tensor();
  tessera_tensor bt = {TESSERA_DTYPE_F32, 2, c_shape, best};
  tessera_ebt_config cfg = {2, 0, 0.1f, 0.0f, 0, 1};
  expect_error(ctx, "K=0", run_all(sgd, cfg, y, e), TESSERA_ERROR_INVALID_ARGUMENT);
  cfg.K = 5;
  expect_error(ctx, "K=5", run_all(sgd, cfg, y, e), TESSERA_ERROR_INVALID_ARGUMENT);
  cfg.K = 2;
  cfg.T = -1;
  expect_error(ctx, "T=-1", run_all(sgd, cfg, y, e), TESSERA_ERROR_INVALID_ARGUMENT);
  cfg.T = 2;
  cfg.eta = NAN;
  expect_error(ctx, "eta=nan", run_all(sgd, cfg, y, e),
         TESSERA_ERROR_INVALID_ARGUMENT);
  cfg.eta = 0.1f;
  cfg.noise = 0.1f;
  expect_error(ctx, "noise without input", run_all(sgd, cfg, y, e),
         TESSERA_ERROR_INVALID_ARGUMENT);
  cfg.noise = -1.0f;
  expect_error(ctx, "negative noise", run_all(langevin, cfg, y, e),
         TESSERA_ERROR_INVALID_ARGUMENT);
  cfg.noise = 0.0f;
  /* Without self-verification y_out holds K candidates, not one. */
  expect_error(ctx, "y_out shape",
         tessera_ebt_infer(sgd, &x, &cfg, &bt, NULL),
         TESSERA_ERROR_SIGNATURE_MISMATCH);
  cfg.self_verify = 1;
  int64_t es[2] = {3, L};
  tessera_tensor et = {TESSERA_DTYPE_F32, 2, es, e};
  expect_error(ctx, "energies shape", tessera_ebt_infer(sgd, &x, &cfg, &bt, &et),
         TESSERA_ERROR_SIGNATURE_MISMATCH);
  int64_t bad_x[2] = {L, D + 1};
  tessera_tensor xb = {TESSERA_DTYPE_F32, 2, bad_x, h};
  expect_error(ctx, "x shape", tessera_ebt_infer(sgd, &xb, &cfg, &bt, NULL),
         TESSERA_ERROR_SIGNATURE_MISMATCH);
  expect_error(ctx, "NULL x", tessera_ebt_infer(sgd, NULL, &cfg, &bt, NULL),
         TESSERA_ERROR_INVALID_ARGUMENT);
  expect_error(ctx, "not an EBT entry", tessera_ebt_infer(alpha, &x, &cfg, &bt, NULL),
         TESSERA_ERROR_SIGNATURE_MISMATCH);

  float data[2] = {0, 0}, losses[2];
  int64_t two = 2;
  tessera_tensor d = {TESSERA_DTYPE_F32, 1, &two, data};
  tessera_bfn_config bc = {10, 0, 0, 0};
  expect_error(ctx, "step=0", tessera_bfn_loss(alpha, &d, 1, &bc, losses, 2),
         TESSERA_ERROR_INVALID_ARGUMENT);
  bc.step = 11;
  expect_error(ctx, "step>n", tessera_bfn_loss(alpha, &d, 1, &bc, losses, 2),
         TESSERA_ERROR_INVALID_ARGUMENT);
  bc.step = 1;
  bc.n_steps = 0;
  expect_error(ctx, "n=0", tessera_bfn_sample(echo, &d, 1, &bc, &d),
         TESSERA_ERROR_INVALID_ARGUMENT);
  bc.n_steps = 10;
  expect_error(ctx, "one loss of two", tessera_bfn_loss(alpha, &d, 1, &bc, losses, 1),
         TESSERA_ERROR_SIGNATURE_MISMATCH);
  expect_error(ctx, "no data", tessera_bfn_loss(alpha, NULL, 0, &bc, losses, 2),
         TESSERA_ERROR_SIGNATURE_MISMATCH);
  expect_error(ctx, "loss entry as sampler", tessera_bfn_sample(alpha, &d, 1, &bc, &d),
         TESSERA_ERROR_SIGNATURE_MISMATCH);
  expect_error(ctx, "sample into a wrong tensor",
         tessera_bfn_sample(echo, &d, 1, &bc, &d),
         TESSERA_ERROR_SIGNATURE_MISMATCH);
  EXPECT(tessera_ebt_infer(NULL, &x, &cfg, &bt, NULL) ==
         TESSERA_ERROR_INVALID_ARGUMENT);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s runners.so\n", argv[0]);
    return 2;
  }
  tessera_context_options o = {TESSERA_BACKEND_CPU, NULL, 0};
  tessera_context *ctx;
  char error[256];
  if (tessera_context_create(&o, &ctx, error, sizeof error)) {
    printf("context: %s\n", error);
    return 1;
  }
  tessera_module *m;
  if (tessera_module_load_file(ctx, argv[1], &m)) {
    printf("load: %s\n", tessera_context_error(ctx));
    return 1;
  }
  run_ebt(ctx, m);
  run_bfn(ctx, m);
  run_errors(ctx, m);
  tessera_context_destroy(ctx);
  printf("%d failures\n", failures);
  return failures != 0;
}

// CHECK: T=0 energies vs 0.5 |y0 - h|^2: max rel err
// CHECK: T=5 sgd vs h + 0.7^5 (y0 - h): max rel err
// CHECK: K=2 equals the first 2 of K=4: yes
// CHECK: self-verify keeps the argmin candidate: yes
// CHECK: langevin noise=0 equals sgd: yes
// CHECK: langevin noise=0.5: differs from noise=0 yes, reproducible yes, seed-dependent yes, finite yes
// CHECK: loss runner: alpha 0.45{{0*[0-9]?}} (want 0.45), sum 0.75 (want 0.75)
// CHECK: sample runner passes n=25 seed=12345678901 offset=77
// CHECK: 0 failures
// CHECK-NOT: FAILED

// DEPS: (NEEDED) {{.*}} [libm.so
// DEPS: (NEEDED) {{.*}} [libc.so

// ERR: error K=0: invalid argument: tessera_ebt_infer: K = 0 candidates; entry 'sgd' runs 1 to 4
// ERR: error K=5: invalid argument: tessera_ebt_infer: K = 5 candidates; entry 'sgd' runs 1 to 4
// ERR: error T=-1: invalid argument: tessera_ebt_infer: T = -1 steps; it must be >= 0
// ERR: error eta=nan: invalid argument: tessera_ebt_infer: eta = nan and noise = 0 must be finite, noise >= 0
// ERR: error noise without input: invalid argument: tessera_ebt_infer: noise = 0.1, but entry 'sgd' has no noise input (its policy draws no noise)
// ERR: error negative noise: invalid argument: tessera_ebt_infer: eta = 0.1 and noise = -1 must be finite, noise >= 0
// ERR: error y_out shape: signature mismatch: tessera_ebt_infer: y_out has shape [3x4], expected [2x3x4]
// ERR: error energies shape: signature mismatch: tessera_ebt_infer: energies_out has shape [3x3], expected [2x3]
// ERR: error x shape: signature mismatch: sgd: input #0 has size 5 in dimension 1, the entry expects 4
// ERR: error NULL x: invalid argument: tessera_ebt_infer: x, cfg and y_out must not be NULL
// ERR: error not an EBT entry: signature mismatch: tessera_ebt_infer: entry 'alpha' does not have the runner's signature (x, steps, candidates, eta, seed[, noise]) -> (best, all, energies): it takes 5 inputs and 2 results
// ERR: error step=0: invalid argument: tessera_bfn_loss: step = 0 is outside 1 .. n_steps = 10
// ERR: error step>n: invalid argument: tessera_bfn_loss: step = 11 is outside 1 .. n_steps = 10
// ERR: error n=0: invalid argument: tessera_bfn_sample: n_steps = 0; it must be >= 1
// ERR: error one loss of two: signature mismatch: tessera_bfn_loss: entry 'alpha' returns 2 losses; the caller takes 1 (losses given)
// ERR: error no data: signature mismatch: tessera_bfn_loss: entry 'alpha' takes 5 inputs; the runner's signature (inputs..., step, n_steps, seed, offset) -> (f32 losses...) with 0 inputs needs 4
// ERR: error loss entry as sampler: signature mismatch: tessera_bfn_sample: entry 'alpha' takes 5 inputs; the runner's signature (inputs..., n_steps, seed, offset) -> samples with 1 inputs needs 4
// ERR: error sample into a wrong tensor: signature mismatch: echo: output #0 has dtype f32, the entry expects i64
