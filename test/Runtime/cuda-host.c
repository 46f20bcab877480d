/* The CUDA backend's host side against a stand-in driver (Inputs/
 * fake_cuda.c: host memory, kernels not run, calls counted): an nvvm
 * artifact loads, its entries run through tessera_invoke and
 * tessera_invoke_buffers, the host waits for the stream only where it reads
 * what the device wrote (a returned scalar) and once at the end of each
 * call, a call repeated on the same buffers replays a captured graph (not
 * waited for by tessera_invoke_buffers_async until the context is
 * synchronised or a buffer read), a kernel with more than 48 KB of dynamic
 * shared memory is allowed it first, and a failing launch comes back as a
 * status with the driver's message. */
// RUN: tessera-compile %S/Inputs/cuda-host.mlir --target=nvvm --chip=sm_90 -o %t.so
// RUN: tessera-cuda-host-test %t.so %tessera_libs/libtessera-fake-cuda.so | FileCheck %s
// RUN: env FAKE_CUDA_FAIL=cuLaunchKernel tessera-cuda-host-test %t.so %tessera_libs/libtessera-fake-cuda.so | FileCheck %s --check-prefix=FAIL
// RUN: env TESSERA_CUDA_GRAPHS=0 tessera-cuda-host-test %t.so %tessera_libs/libtessera-fake-cuda.so | FileCheck %s --check-prefix=NOGRAPH
// RUN: env TESSERA_CUDA_GRAPHS=off tessera-cuda-host-test %t.so %tessera_libs/libtessera-fake-cuda.so | FileCheck %s --check-prefix=NOGRAPH
// RUN: env FAKE_CUDA_FAIL=cuGraphInstantiateWithFlags tessera-cuda-host-test %t.so %tessera_libs/libtessera-fake-cuda.so | FileCheck %s --check-prefix=NOEXEC
// RUN: env FAKE_CUDA_FAIL=cuFuncSetAttribute tessera-cuda-host-test %t.so %tessera_libs/libtessera-fake-cuda.so | FileCheck %s --check-prefix=SMEM

#include "tessera/runtime.h"

#include "expect.h"

#include <dlfcn.h>
#include <stdio.h>

typedef void (*counts_fn)(int *, int *, int *);
static counts_fn counts;
static void (*graph_counts)(int *, int *);
static void (*reset)(void);

/* Runs `call`, then prints the driver calls it made. */
#define COUNTED(what, call)                                                    \
  do {                                                                         \
    reset();                                                                   \
    tessera_status s_ = (call);                                                \
    int syncs_, launches_, copies_, captured_, graphs_;                        \
    counts(&syncs_, &launches_, &copies_);                                     \
    graph_counts(&captured_, &graphs_);                                        \
    printf("%s: %s: syncs %d launches %d copies %d captured %d graph "        \
           "launches %d%s%s\n",                                               \
           what, tessera_status_string(s_), syncs_, launches_, copies_,       \
           captured_, graphs_, s_ ? ": " : "",                                 \
           s_ ? tessera_context_error(ctx) : "");                              \
  } while (0)

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s nvvm-artifact.so fake-libcuda.so\n", argv[0]);
    return 2;
  }
  /* The runtime loads the driver itself; this handle only reads its
   * counters (the same library object). */
  void *driver = dlopen(argv[2], RTLD_NOW | RTLD_LOCAL);
  if (!driver) {
    printf("cannot load %s\n", argv[2]);
    return 1;
  }
  *(void **)&counts = dlsym(driver, "fake_cuda_counts");
  *(void **)&graph_counts = dlsym(driver, "fake_cuda_graph_counts");
  *(void **)&reset = dlsym(driver, "fake_cuda_reset");
  if (!counts || !graph_counts || !reset)
    return 1;
  tessera_context_options o = {TESSERA_BACKEND_CUDA, argv[2], 0};
  tessera_context *ctx;
  char error[256];
  // CHECK: context: success
  tessera_status s = tessera_context_create(&o, &ctx, error, sizeof error);
  printf("context: %s%s\n", tessera_status_string(s), error);
  if (s)
    return 1;
  tessera_module *m = NULL;
  // CHECK: load: success
  if (report("load", ctx, tessera_module_load_file(ctx, argv[1], &m)))
    return 1;
  tessera_function *chain, *total;
  EXPECT(tessera_module_get_function(m, "chain", &chain) == TESSERA_SUCCESS);
  EXPECT(tessera_module_get_function(m, "total", &total) == TESSERA_SUCCESS);

  /* Buffers round-trip through "device" memory. */
  float x[256], back[256];
  for (int i = 0; i < 256; ++i)
    x[i] = (float)i;
  tessera_buffer *in = NULL, *out = NULL;
  EXPECT(tessera_buffer_alloc(ctx, sizeof x, &in) == TESSERA_SUCCESS);
  EXPECT(tessera_buffer_alloc(ctx, sizeof x, &out) == TESSERA_SUCCESS);
  EXPECT(tessera_buffer_write(in, 0, x, sizeof x) == TESSERA_SUCCESS);
  EXPECT(tessera_buffer_read(in, 0, back, sizeof back) == TESSERA_SUCCESS);
  EXPECT(back[255] == 255.0f);

  /* Two calls of a function with one launch each, and the copy into the
   * caller's output: the host waits once, when the entry returns, not
   * after each host region. */
  // CHECK: chain on buffers: success: syncs 1 launches 3 copies 0 captured 0 graph launches 0
  // A failing launch: the status and the driver's message; the call still
  // waits for what it queued before returning.
  // FAIL: chain on buffers: unavailable: syncs 1 launches 0 copies 0 captured 0 graph launches 0: cuda backend: cuLaunchKernel failed: unspecified launch failure (fake driver) (719)
  // NOGRAPH: chain on buffers: success: syncs 1 launches 3 copies 0 captured 0 graph launches 0
  // NOEXEC: chain on buffers: success: syncs 1 launches 3 copies 0 captured 0 graph launches 0
  COUNTED("chain on buffers",
          tessera_invoke_buffers(chain, (tessera_buffer *const[]){in}, 1,
                                 (tessera_buffer *const[]){out}, 1));
  /* The same buffers again: the first call neither read device memory on
   * the host nor kept an allocation, so its work is captured as a graph
   * (the launches recorded, not run) and the graph launched; then
   * replayed. Other buffers: the host code runs again. With
   * TESSERA_CUDA_GRAPHS=0, or with a graph that fails to instantiate (the call
   * then runs the host code, and the entry is not captured again), every
   * call runs the host code; a failed call is never captured. */
  // CHECK: chain captured: success: syncs 1 launches 0 copies 0 captured 3 graph launches 1
  // CHECK: chain replayed: success: syncs 1 launches 0 copies 0 captured 0 graph launches 1
  // FAIL: chain captured: unavailable: syncs 1 launches 0 copies 0 captured 0 graph launches 0
  // FAIL: chain replayed: unavailable: syncs 1 launches 0 copies 0 captured 0 graph launches 0
  // NOGRAPH: chain captured: success: syncs 1 launches 3 copies 0 captured 0 graph launches 0
  // NOGRAPH: chain replayed: success: syncs 1 launches 3 copies 0 captured 0 graph launches 0
  // NOEXEC: chain captured: success: syncs 1 launches 3 copies 0 captured 3 graph launches 0
  // NOEXEC: chain replayed: success: syncs 1 launches 3 copies 0 captured 0 graph launches 0
  for (int i = 0; i < 2; ++i)
    COUNTED(i == 0 ? "chain captured" : "chain replayed",
            tessera_invoke_buffers(chain, (tessera_buffer *const[]){in}, 1,
                                   (tessera_buffer *const[]){out}, 1));
  /* The asynchronous form: a replay is queued and not waited for; the
   * context waits when asked, or before the host copies from a buffer (the
   * copy is not on the context's stream). */
  EXPECT(tessera_context_stream(ctx) != NULL);
  // CHECK: chain async: success: syncs 0 launches 0 copies 0 captured 0 graph launches 1
  // CHECK: synchronize: success: syncs 1 launches 0 copies 0 captured 0 graph launches 0
  // CHECK: chain async: success: syncs 0 launches 0 copies 0 captured 0 graph launches 1
  // CHECK: read after async: success: syncs 1 launches 0 copies 0 captured 0 graph launches 0
  // CHECK: read: success: syncs 0 launches 0 copies 0 captured 0 graph launches 0
  // NOGRAPH: chain async: success: syncs 1 launches 3 copies 0 captured 0 graph launches 0
  // NOGRAPH: read after async: success: syncs 0 launches 0
  // FAIL: chain async: unavailable: syncs 1 launches 0 copies 0 captured 0 graph launches 0
  // NOEXEC: chain async: success: syncs 1 launches 3 copies 0 captured 0 graph launches 0
  COUNTED("chain async",
          tessera_invoke_buffers_async(chain, (tessera_buffer *const[]){in}, 1,
                                       (tessera_buffer *const[]){out}, 1));
  COUNTED("synchronize", tessera_context_synchronize(ctx));
  COUNTED("chain async",
          tessera_invoke_buffers_async(chain, (tessera_buffer *const[]){in}, 1,
                                       (tessera_buffer *const[]){out}, 1));
  COUNTED("read after async", tessera_buffer_read(out, 0, back, sizeof back));
  COUNTED("read", tessera_buffer_read(out, 0, back, sizeof back));
  tessera_buffer *other = NULL;
  EXPECT(tessera_buffer_alloc(ctx, sizeof x, &other) == TESSERA_SUCCESS);
  /* A first call on other buffers runs its host code to completion. */
  // CHECK: async on other buffers: success: syncs 1 launches 3 copies 0 captured 0 graph launches 0
  COUNTED("async on other buffers",
          tessera_invoke_buffers_async(chain, (tessera_buffer *const[]){in}, 1,
                                       (tessera_buffer *const[]){other}, 1));
  // CHECK: chain on other buffers: success: syncs 1 launches 0 copies 0 captured 3 graph launches 1
  COUNTED("chain on other buffers",
          tessera_invoke_buffers(chain, (tessera_buffer *const[]){in}, 1,
                                 (tessera_buffer *const[]){other}, 1));
  tessera_buffer_free(other);

  /* A scalar result is read by the host: it waits for the copy, then once
   * more at the end. */
  const int64_t shape[1] = {256};
  float sum = -1.0f;
  tessera_tensor xt = {TESSERA_DTYPE_F32, 1, shape, x};
  tessera_tensor st = {TESSERA_DTYPE_F32, 0, NULL, &sum};
  // CHECK: total: success: syncs 2 launches 1 copies 1 captured 0 graph launches 0
  COUNTED("total", tessera_invoke(total, &xt, 1, &st, 1));
  /* An entry of tensors whose host code reads what the device computed
   * (its branch depends on it) is never captured. */
  tessera_function *scaled;
  EXPECT(tessera_module_get_function(m, "scaled", &scaled) == TESSERA_SUCCESS);
  // CHECK: scaled: success: syncs 2 launches 2 copies 1 captured 0 graph launches 0
  // CHECK: scaled: success: syncs 2 launches 2 copies 1 captured 0 graph launches 0
  // CHECK: scaled: success: syncs 2 launches 2 copies 1 captured 0 graph launches 0
  for (int i = 0; i < 3; ++i)
    COUNTED("scaled",
            tessera_invoke_buffers(scaled, (tessera_buffer *const[]){in}, 1,
                                   (tessera_buffer *const[]){out}, 1));

  /* A kernel with more than 48 KB of dynamic shared memory (a cp.async
   * ring) is allowed it before its launch; when the driver refuses, the
   * call fails with the driver's message. */
  tessera_function *ring;
  EXPECT(tessera_module_get_function(m, "ring", &ring) == TESSERA_SUCCESS);
  tessera_buffer *g = NULL, *w = NULL, *gw = NULL;
  EXPECT(tessera_buffer_alloc(ctx, 2048 * 1024 * 2, &g) == TESSERA_SUCCESS);
  EXPECT(tessera_buffer_alloc(ctx, 256 * 1024 * 2, &w) == TESSERA_SUCCESS);
  EXPECT(tessera_buffer_alloc(ctx, 2048 * 256 * 4, &gw) == TESSERA_SUCCESS);
  // CHECK: ring: success: syncs 1 launches 1 copies 0 captured 0 graph launches 0
  // SMEM: ring: unavailable: syncs 1 launches 0 copies 0 captured 0 graph launches 0: cuda backend: cuFuncSetAttribute failed: invalid argument (fake driver) (1)
  COUNTED("ring", tessera_invoke_buffers(ring, (tessera_buffer *const[]){g, w},
                                         2, (tessera_buffer *const[]){gw}, 1));
  tessera_buffer_free(g);
  tessera_buffer_free(w);
  tessera_buffer_free(gw);

  tessera_buffer_free(in);
  tessera_buffer_free(out);
  tessera_module_unload(m);
  tessera_context_destroy(ctx);
  dlclose(driver);
  // CHECK: failures: 0
  printf("failures: %d\n", failures);
  return failures != 0;
}
