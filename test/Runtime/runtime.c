/* libtessera_rt on cpu artifacts: loading from a file and from bytes,
 * invoking every input/result kind of the artifact ABI with numbers checked
 * against the formulas, and every error path reported as a status with a
 * message. */
// RUN: tessera-compile %S/Inputs/entries.mlir -o %t.so
// RUN: echo "not an artifact" > %t.bad
// RUN: tessera-runtime-test %t.so %t.bad %tessera_libs/libtessera_rt.so > %t.out 2>&1
// RUN: FileCheck %s < %t.out
// RUN: FileCheck %s --check-prefix=ERR < %t.out

#include "tessera/runtime.h"

#include "expect.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static void close_to(const char *what, double got, double want, double tol) {
  if (!(fabs(got - want) <= tol * (1.0 + fabs(want)))) {
    printf("FAILED %s: got %.9g, want %.9g\n", what, got, want);
    ++failures;
  }
}


static void *read_file(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  void *data = n > 0 ? malloc((size_t)n) : NULL;
  if (data && fread(data, 1, (size_t)n, f) != (size_t)n) {
    free(data);
    data = NULL;
  }
  fclose(f);
  *size = (size_t)n;
  return data;
}

static void run_update(tessera_context *ctx, tessera_module *m) {
  tessera_function *fn;
  if (report("get update", ctx, tessera_module_get_function(m, "update", &fn)))
    return;
  static const int64_t shape[2] = {4, 3};
  float logp[12], y[12], out[12];
  for (int i = 0; i < 12; ++i) {
    logp[i] = logf((float)(1 + i % 3) / 6.0f);
    y[i] = 0.25f * (float)(i % 5) - 0.5f;
  }
  tessera_tensor in[2] = {{TESSERA_DTYPE_F32, 2, shape, logp},
                          {TESSERA_DTYPE_F32, 2, shape, y}};
  tessera_tensor res[1] = {{TESSERA_DTYPE_F32, 2, shape, out}};
  if (report("invoke update", ctx, tessera_invoke(fn, in, 2, res, 1)))
    return;
  for (int s = 0; s < 4; ++s) {
    double z = 0, w[3];
    for (int k = 0; k < 3; ++k)
      z += w[k] = exp((double)logp[3 * s + k] + y[3 * s + k]);
    for (int k = 0; k < 3; ++k)
      close_to("update", out[3 * s + k], w[k] / z, 1e-6);
  }
}

static void run_gauss(tessera_context *ctx, tessera_module *m) {
  tessera_function *fn;
  if (report("get gauss", ctx, tessera_module_get_function(m, "gauss", &fn)))
    return;
  static const int64_t shape[1] = {8};
  float mu[8], rho[8], y[8], mu2[8], rho2[8];
  for (int i = 0; i < 8; ++i) {
    mu[i] = 0.1f * (float)i - 0.3f;
    rho[i] = 1.0f + 0.5f * (float)i;
    y[i] = 0.7f - 0.2f * (float)i;
  }
  tessera_tensor in[3] = {{TESSERA_DTYPE_F32, 1, shape, mu},
                          {TESSERA_DTYPE_F32, 1, shape, rho},
                          {TESSERA_DTYPE_F32, 1, shape, y}};
  tessera_tensor res[2] = {{TESSERA_DTYPE_F32, 1, shape, mu2},
                           {TESSERA_DTYPE_F32, 1, shape, rho2}};
  if (report("invoke gauss", ctx, tessera_invoke(fn, in, 3, res, 2)))
    return;
  for (int i = 0; i < 8; ++i) {
    double r = (double)rho[i] + 0.5;
    close_to("gauss rho", rho2[i], r, 1e-6);
    close_to("gauss mu", mu2[i], ((double)rho[i] * mu[i] + 0.5 * y[i]) / r,
             1e-6);
  }
}

static void run_scalars(tessera_context *ctx, tessera_module *m) {
  tessera_function *stats, *mixed;
  if (report("get stats", ctx, tessera_module_get_function(m, "stats", &stats)) ||
      report("get mixed", ctx, tessera_module_get_function(m, "mixed", &mixed)))
    return;
  static const int64_t s23[2] = {2, 3}, s3[1] = {3};
  float x[6] = {1.5f, 0, 0, 0, 0, 41.75f};
  float a = 0, c = 0;
  int64_t n = 0;
  tessera_tensor in[1] = {{TESSERA_DTYPE_F32, 2, s23, x}};
  tessera_tensor res[3] = {{TESSERA_DTYPE_F32, 0, NULL, &a},
                           {TESSERA_DTYPE_I64, 0, NULL, &n},
                           {TESSERA_DTYPE_F32, 0, NULL, &c}};
  if (!report("invoke stats", ctx, tessera_invoke(stats, in, 1, res, 3))) {
    EXPECT(a == 1.5f);
    EXPECT(n == 41);
    EXPECT(c == 41.75f);
  }
  float v[3] = {1, -2, 4}, s = 0.5f, d = 0, p[3] = {0};
  tessera_tensor min[2] = {{TESSERA_DTYPE_F32, 1, s3, v},
                           {TESSERA_DTYPE_F32, 0, NULL, &s}};
  tessera_tensor mres[2] = {{TESSERA_DTYPE_F32, 0, NULL, &d},
                            {TESSERA_DTYPE_F32, 1, s3, p}};
  if (!report("invoke mixed", ctx, tessera_invoke(mixed, min, 2, mres, 2))) {
    EXPECT(d == 1.0f);
    EXPECT(p[0] == 0.5f && p[1] == -1.0f && p[2] == 2.0f);
  }
}

/* Every mismatch with the signature is a status, never a call. */
/* The same update with its tensors in context buffers: the result matches
 * tessera_invoke bit for bit; each misuse is a status with a message. */
static void run_invoke_buffers(tessera_context *ctx, tessera_module *m) {
  tessera_function *fn = NULL, *mixed = NULL;
  tessera_module_get_function(m, "update", &fn);
  tessera_module_get_function(m, "mixed", &mixed);
  static const int64_t shape[2] = {4, 3};
  float logp[12], y[12], want[12], got[12];
  for (int i = 0; i < 12; ++i) {
    logp[i] = logf((float)(1 + i % 4) / 10.0f);
    y[i] = 0.5f * (float)(i % 3) - 0.25f;
  }
  tessera_tensor in[2] = {{TESSERA_DTYPE_F32, 2, shape, logp},
                          {TESSERA_DTYPE_F32, 2, shape, y}};
  tessera_tensor res[1] = {{TESSERA_DTYPE_F32, 2, shape, want}};
  EXPECT(tessera_invoke(fn, in, 2, res, 1) == TESSERA_SUCCESS);
  tessera_buffer *b[4] = {NULL, NULL, NULL, NULL};
  for (int i = 0; i < 3; ++i)
    EXPECT(tessera_buffer_alloc(ctx, sizeof logp, &b[i]) == TESSERA_SUCCESS);
  EXPECT(tessera_buffer_alloc(ctx, 8, &b[3]) == TESSERA_SUCCESS);
  tessera_buffer_write(b[0], 0, logp, sizeof logp);
  tessera_buffer_write(b[1], 0, y, sizeof y);
  if (report("invoke buffers", ctx, tessera_invoke_buffers(fn, b, 2, &b[2], 1)))
    return;
  tessera_buffer_read(b[2], 0, got, sizeof got);
  EXPECT(memcmp(got, want, sizeof got) == 0);
  /* On cpu the asynchronous form runs to completion; there is no stream. */
  memset(got, 0, sizeof got);
  tessera_buffer_write(b[2], 0, got, sizeof got);
  EXPECT(tessera_invoke_buffers_async(fn, b, 2, &b[2], 1) == TESSERA_SUCCESS);
  tessera_buffer_read(b[2], 0, got, sizeof got);
  EXPECT(memcmp(got, want, sizeof got) == 0);
  EXPECT(tessera_context_synchronize(ctx) == TESSERA_SUCCESS);
  EXPECT(tessera_context_synchronize(NULL) == TESSERA_ERROR_INVALID_ARGUMENT);
  EXPECT(tessera_context_stream(ctx) == NULL);
  EXPECT(tessera_context_stream(NULL) == NULL);
  // ERR: async count: signature mismatch: update: called with 2 inputs and 0 outputs, the entry takes 2 and 1
  report("async count", ctx, tessera_invoke_buffers_async(fn, b, 2, NULL, 0));
  EXPECT(tessera_invoke_buffers_async(NULL, b, 2, &b[2], 1) ==
         TESSERA_ERROR_INVALID_ARGUMENT);

  EXPECT(tessera_invoke(NULL, in, 2, res, 1) == TESSERA_ERROR_INVALID_ARGUMENT);
  EXPECT(tessera_invoke_buffers(NULL, b, 2, &b[2], 1) ==
         TESSERA_ERROR_INVALID_ARGUMENT);
  // ERR: buffers count: signature mismatch: update: called with 2 inputs and 0 outputs, the entry takes 2 and 1
  report("buffers count", ctx, tessera_invoke_buffers(fn, b, 2, NULL, 0));
  tessera_buffer *small[3] = {b[0], b[3], b[2]};
  // ERR: buffers small: signature mismatch: update: input #1 is a buffer of 8 bytes, the entry's tensor needs 48
  report("buffers small", ctx, tessera_invoke_buffers(fn, small, 2, &small[2], 1));
  tessera_buffer *alias[3] = {b[0], b[1], b[1]};
  // ERR: buffers alias: invalid argument: update: output #0 is also input #1; outputs need their own buffers
  report("buffers alias", ctx, tessera_invoke_buffers(fn, alias, 2, &alias[2], 1));
  tessera_buffer *null[3] = {b[0], NULL, b[2]};
  // ERR: buffers null: invalid argument: update: input #1 is NULL
  report("buffers null", ctx, tessera_invoke_buffers(fn, null, 2, &null[2], 1));
  tessera_context_options o = {TESSERA_BACKEND_CPU, NULL, 0};
  tessera_context *other = NULL;
  tessera_buffer *foreign = NULL;
  if (tessera_context_create(&o, &other, NULL, 0) == TESSERA_SUCCESS &&
      tessera_buffer_alloc(other, sizeof logp, &foreign) == TESSERA_SUCCESS) {
    tessera_buffer *mix[3] = {foreign, b[1], b[2]};
    // ERR: buffers foreign: invalid argument: update: input #0 is a buffer of another context
    report("buffers foreign", ctx, tessera_invoke_buffers(fn, mix, 2, &mix[2], 1));
  }
  tessera_context_destroy(other);
  // ERR: buffers scalar: invalid argument: mixed: input #1 is a scalar; tessera_invoke_buffers runs entries whose values are all tensors (use tessera_invoke)
  report("buffers scalar", ctx, tessera_invoke_buffers(mixed, b, 2, &b[2], 2));
  for (int i = 0; i < 4; ++i)
    tessera_buffer_free(b[i]);
}

static void run_errors(tessera_context *ctx, tessera_module *m) {
  tessera_function *fn = NULL;
  // ERR: missing entry: not found: the artifact has no entry point 'nope'
  report("missing entry", ctx, tessera_module_get_function(m, "nope", &fn));
  tessera_module_get_function(m, "update", &fn);
  static const int64_t good[2] = {4, 3}, bad[2] = {4, 2}, flat[1] = {12};
  float buf[12] = {0};
  int32_t ibuf[12] = {0};
  tessera_tensor in[2] = {{TESSERA_DTYPE_F32, 2, good, buf},
                          {TESSERA_DTYPE_F32, 2, good, buf}};
  tessera_tensor out[1] = {{TESSERA_DTYPE_F32, 2, good, buf}};
  // ERR: wrong count: signature mismatch: update: called with 1 inputs and 1 outputs, the entry takes 2 and 1
  report("wrong count", ctx, tessera_invoke(fn, in, 1, out, 1));
  in[1].dtype = TESSERA_DTYPE_I32;
  in[1].data = ibuf;
  // ERR: wrong dtype: signature mismatch: update: input #1 has dtype i32, the entry expects f32
  report("wrong dtype", ctx, tessera_invoke(fn, in, 2, out, 1));
  in[1] = in[0];
  in[1].shape = bad;
  // ERR: wrong shape: signature mismatch: update: input #1 has size 2 in dimension 1, the entry expects 3
  report("wrong shape", ctx, tessera_invoke(fn, in, 2, out, 1));
  in[1].rank = 1;
  in[1].shape = flat;
  // ERR: wrong rank: signature mismatch: update: input #1 has rank 1, the entry expects 2
  report("wrong rank", ctx, tessera_invoke(fn, in, 2, out, 1));
  in[1] = in[0];
  out[0].data = buf;
  // ERR: aliasing output: invalid argument: update: output #0 overlaps input #0; outputs need their own memory
  report("aliasing output", ctx, tessera_invoke(fn, in, 2, out, 1));
  out[0].data = NULL;
  // ERR: null data: invalid argument: update: output #0 has NULL data
  report("null data", ctx, tessera_invoke(fn, in, 2, out, 1));
  tessera_tensor desc;
  // ERR: output out of range: invalid argument: tessera_function_output: output #5 of update out of range (1)
  report("output out of range", ctx, tessera_function_output(fn, 5, &desc));
  EXPECT(tessera_function_input(fn, 1, &desc) == TESSERA_SUCCESS &&
         desc.rank == 2 && desc.shape[1] == 3 &&
         desc.dtype == TESSERA_DTYPE_F32);
}

static void run_buffers(void) {
  tessera_context_options o = {TESSERA_BACKEND_CPU, NULL, 1024};
  tessera_context *ctx;
  char error[256];
  if (tessera_context_create(&o, &ctx, error, sizeof error)) {
    printf("FAILED context: %s\n", error);
    ++failures;
    return;
  }
  tessera_buffer *a = NULL, *b = NULL;
  EXPECT(tessera_buffer_alloc(ctx, 1000, &a) == TESSERA_SUCCESS);
  // ERR: over the limit: out of memory: tessera_buffer_alloc: 100 bytes exceed the context's limit (1000 of 1024 bytes in use)
  report("over the limit", ctx, tessera_buffer_alloc(ctx, 100, &b));
  EXPECT(b == NULL);
  // ERR: huge: out of memory: tessera_buffer_alloc: 18446744073709551615 bytes exceed
  report("huge", ctx, tessera_buffer_alloc(ctx, (size_t)-1, &b));
  char bytes[8] = "tessera", back[8] = {0};
  EXPECT(tessera_buffer_write(a, 992, bytes, 8) == TESSERA_SUCCESS);
  EXPECT(tessera_buffer_read(a, 992, back, 8) == TESSERA_SUCCESS);
  EXPECT(memcmp(bytes, back, 8) == 0);
  // ERR: read past the end: invalid argument: tessera_buffer_read: bytes [996, 996 + 8) outside the 1000-byte buffer
  report("read past the end", ctx, tessera_buffer_read(a, 996, back, 8));
  tessera_buffer_free(a);
  EXPECT(tessera_buffer_alloc(ctx, 1024, &b) == TESSERA_SUCCESS);
  /* The context frees what is left. */
  tessera_context_destroy(ctx);
}

static void run_backends(void) {
  char error[256];
  tessera_context *ctx = (tessera_context *)&error;
  tessera_context_options cuda = {TESSERA_BACKEND_CUDA,
                                  "/nonexistent/libcuda.so.1", 0};
  tessera_status s = tessera_context_create(&cuda, &ctx, error, sizeof error);
  // ERR: cuda without a driver: unavailable: cuda backend: cannot load the driver library /nonexistent/libcuda.so.1
  printf("cuda without a driver: %s: %s\n", tessera_status_string(s), error);
  EXPECT(ctx == NULL);
  tessera_context_options hip = {TESSERA_BACKEND_HIP,
                                 "/nonexistent/libamdhip64.so", 0};
  s = tessera_context_create(&hip, &ctx, error, sizeof error);
  // ERR: hip without a driver: unavailable: hip backend: cannot load the driver library /nonexistent/libamdhip64.so
  printf("hip without a driver: %s: %s\n", tessera_status_string(s), error);
  tessera_context_options unknown = {(tessera_backend)7, NULL, 0};
  s = tessera_context_create(&unknown, &ctx, error, sizeof error);
  // ERR: unknown backend: invalid argument: tessera_context_create: unknown backend 7
  printf("unknown backend: %s: %s\n", tessera_status_string(s), error);
  // ERR: null options: invalid argument
  printf("null options: %s\n",
         tessera_status_string(tessera_context_create(NULL, &ctx, NULL, 0)));
}

/* Separate contexts on separate threads: each loads the artifact and runs
 * its own invocations; nothing is shared but the code. */
typedef struct worker {
  const char *path;
  float scale;
  int ok;
} worker;

static void *work(void *arg) {
  worker *w = arg;
  tessera_context_options o = {TESSERA_BACKEND_CPU, NULL, 0};
  tessera_context *ctx;
  tessera_module *m;
  tessera_function *fn;
  if (tessera_context_create(&o, &ctx, NULL, 0))
    return NULL;
  w->ok = !tessera_module_load_file(ctx, w->path, &m) &&
          !tessera_module_get_function(m, "mixed", &fn);
  static const int64_t s3[1] = {3};
  for (int i = 0; i < 2000 && w->ok; ++i) {
    float x[3] = {1, 2, (float)i}, s = w->scale, d = 0, p[3];
    tessera_tensor in[2] = {{TESSERA_DTYPE_F32, 1, s3, x},
                            {TESSERA_DTYPE_F32, 0, NULL, &s}};
    tessera_tensor out[2] = {{TESSERA_DTYPE_F32, 0, NULL, &d},
                             {TESSERA_DTYPE_F32, 1, s3, p}};
    w->ok = !tessera_invoke(fn, in, 2, out, 2) && d == 2 * s &&
            p[2] == (float)i * s && p[1] == 2 * s;
  }
  tessera_context_destroy(ctx);
  return NULL;
}

static void run_threads(const char *path) {
  pthread_t threads[4];
  worker workers[4];
  for (int i = 0; i < 4; ++i) {
    workers[i] = (worker){path, 0.5f * (float)(i + 1), 0};
    pthread_create(&threads[i], NULL, work, &workers[i]);
  }
  int ok = 1;
  for (int i = 0; i < 4; ++i) {
    pthread_join(threads[i], NULL);
    ok &= workers[i].ok;
  }
  printf("4 threads, 4 contexts: %s\n", ok ? "all results right" : "WRONG");
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s artifact.so corrupt-file plain.so\n", argv[0]);
    return 2;
  }
  tessera_context_options o = {TESSERA_BACKEND_CPU, NULL, 0};
  tessera_context *ctx;
  char error[256];
  if (tessera_context_create(&o, &ctx, error, sizeof error)) {
    printf("context: %s\n", error);
    return 1;
  }
  tessera_module *m = NULL;
  // CHECK: load file: success
  if (report("load file", ctx, tessera_module_load_file(ctx, argv[1], &m)))
    return 1;
  // CHECK-NEXT: entries: update gauss stats mixed
  printf("entries:");
  for (size_t i = 0; i < tessera_module_function_count(m); ++i)
    printf(" %s", tessera_module_function_name(m, i));
  printf("\n");
  // CHECK: get update: success
  // CHECK: invoke update: success
  run_update(ctx, m);
  // CHECK: invoke gauss: success
  run_gauss(ctx, m);
  // CHECK: invoke stats: success
  // CHECK: invoke mixed: success
  run_scalars(ctx, m);
  // CHECK: invoke buffers: success
  run_invoke_buffers(ctx, m);
  run_errors(ctx, m);
  tessera_module_unload(m);

  /* The same artifact from bytes in memory. */
  size_t size = 0;
  void *bytes = read_file(argv[1], &size);
  EXPECT(bytes != NULL);
  // CHECK: load bytes: success
  if (bytes && !report("load bytes", ctx,
                       tessera_module_load_bytes(ctx, bytes, size, &m)))
    run_gauss(ctx, m);
  free(bytes);

  tessera_module *bad = NULL;
  // CHECK: missing file: not found: cannot read /nonexistent/a.so
  report("missing file", ctx,
         tessera_module_load_file(ctx, "/nonexistent/a.so", &bad));
  // CHECK: corrupt file: corrupt artifact: {{.*}}.bad: not a loadable artifact (
  report("corrupt file", ctx, tessera_module_load_file(ctx, argv[2], &bad));
  // CHECK: not an artifact: corrupt artifact: {{.*}}libtessera_rt.so: a shared object but not a Tessera artifact (no tessera_manifest)
  report("not an artifact", ctx, tessera_module_load_file(ctx, argv[3], &bad));
  // CHECK: corrupt bytes: corrupt artifact: artifact bytes: not a loadable artifact (
  report("corrupt bytes", ctx,
         tessera_module_load_bytes(ctx, "\x7f" "ELF garbage", 12, &bad));
  // CHECK: empty bytes: invalid argument
  report("empty bytes", ctx, tessera_module_load_bytes(ctx, "", 0, &bad));
  EXPECT(bad == NULL);
  /* Destroying the context unloads the module still loaded. */
  tessera_context_destroy(ctx);

  run_buffers();
  run_backends();
  // CHECK: 4 threads, 4 contexts: all results right
  run_threads(argv[1]);
  // CHECK: failures: 0
  printf("failures: %d\n", failures);
  return failures != 0;
}
