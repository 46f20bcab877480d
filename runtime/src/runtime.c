/*===- runtime.c - the Tessera C runtime ----------------------------------===*
 *
 * CPU backend: an artifact is a host shared object; loading is dlopen (from a
 * memfd for bytes), invoking calls `_tessera_entry_<name>(void **args)` with
 * memref descriptors built over the caller's tensors.
 *
 * CUDA backend: the driver (libcuda.so.1) is dlopen'ed when the context is
 * created. An nvvm artifact's host code calls the `mgpu*` functions that
 * upstream MLIR's gpu-to-llvm lowering emits (module load in a constructor,
 * launches, stream-ordered alloc/copy/free); this file defines them and
 * dispatches each call to the context that is loading or invoking the
 * artifact on the calling thread. Errors inside those calls are kept in the
 * context and returned by the load or invoke that made them. HIP: the driver
 * is looked for; launching is not implemented.
 *
 *===----------------------------------------------------------------------===*/

#define _GNU_SOURCE
#include "internal.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <unistd.h>

_Static_assert(sizeof(void *) == sizeof(int64_t),
               "memref descriptors are built for 64-bit hosts");

enum { kMaxRank = 16, kMaxValues = 4096, kErrorSize = 1024 };

typedef struct value_desc {
  int is_tensor;
  tessera_dtype dtype;
  int32_t rank;
  int64_t shape[kMaxRank];
} value_desc;

struct tessera_function {
  tessera_module *module;
  char *name;
  size_t num_inputs, num_outputs;
  value_desc *inputs, *outputs;
  void (*entry)(void **);
  /* cuda, tessera_invoke_buffers: the entry's work for the argument
   * descriptors in graph_key, captured as a graph and replayed while they
   * stay the same (graph_state: 0 key not run yet, 1 run once and
   * capturable, -1 the entry is never captured). */
  void *graph, *graph_exec;
  int64_t *graph_key;
  size_t graph_key_words;
  int graph_state;
};

struct tessera_module {
  tessera_context *ctx;
  void *handle;
  /* Device modules the artifact's constructors loaded (cuda). */
  void **device_modules;
  size_t num_device_modules;
  /* The memfd of an artifact loaded from bytes, open while the module is
   * loaded: dlopen matches by path, and a reused /proc/self/fd/N would
   * hand back another module. -1 for files. */
  int memfd;
  size_t num_functions;
  tessera_function *functions;
  tessera_module *prev, *next;
};

/* A context's buffers and modules are intrusive doubly linked lists
 * (prev/next members), so that destroying the context frees what is left
 * and each free unlinks in constant time. */
#define LIST_PUSH(head, node)                                                  \
  do {                                                                         \
    (node)->prev = NULL;                                                       \
    (node)->next = (head);                                                     \
    if (head)                                                                  \
      (head)->prev = (node);                                                   \
    (head) = (node);                                                           \
  } while (0)
#define LIST_UNLINK(head, node)                                                \
  do {                                                                         \
    if ((node)->prev)                                                          \
      (node)->prev->next = (node)->next;                                       \
    else                                                                       \
      (head) = (node)->next;                                                   \
    if ((node)->next)                                                          \
      (node)->next->prev = (node)->prev;                                       \
  } while (0)

struct tessera_buffer {
  tessera_context *ctx;
  size_t size;
  void *data;
  tessera_buffer *prev, *next;
};

typedef struct cuda_api cuda_api;

/* A device allocation made by generated code, for the memory limit. */
typedef struct device_allocation {
  void *pointer;
  size_t size;
} device_allocation;

struct tessera_context {
  tessera_backend backend;
  size_t memory_limit, memory_used;
  void *driver;
  cuda_api *cuda;
  void *self; /* this library promoted to RTLD_GLOBAL, for artifacts */
  device_allocation *allocations;
  size_t num_allocations, cap_allocations;
  /* The first failure inside generated code's runtime calls. */
  tessera_status device_status;
  tessera_module *modules;
  tessera_buffer *buffers;
  char error[kErrorSize];
};

tessera_status rt_fail(tessera_context *ctx, tessera_status status,
                       const char *format, ...) {
  if (ctx) {
    va_list ap;
    va_start(ap, format);
    vsnprintf(ctx->error, sizeof ctx->error, format, ap);
    va_end(ap);
  }
  return status;
}

const char *tessera_status_string(tessera_status status) {
  switch (status) {
  case TESSERA_SUCCESS: return "success";
  case TESSERA_ERROR_INVALID_ARGUMENT: return "invalid argument";
  case TESSERA_ERROR_UNAVAILABLE: return "unavailable";
  case TESSERA_ERROR_UNIMPLEMENTED: return "unimplemented";
  case TESSERA_ERROR_CORRUPT_ARTIFACT: return "corrupt artifact";
  case TESSERA_ERROR_NOT_FOUND: return "not found";
  case TESSERA_ERROR_SIGNATURE_MISMATCH: return "signature mismatch";
  case TESSERA_ERROR_OUT_OF_MEMORY: return "out of memory";
  }
  return "unknown status";
}

static const struct {
  const char *name;
  size_t size;
} kDtypes[] = {
    [TESSERA_DTYPE_F32] = {"f32", 4}, [TESSERA_DTYPE_F16] = {"f16", 2},
    [TESSERA_DTYPE_BF16] = {"bf16", 2}, [TESSERA_DTYPE_F64] = {"f64", 8},
    [TESSERA_DTYPE_I1] = {"i1", 1},   [TESSERA_DTYPE_I8] = {"i8", 1},
    [TESSERA_DTYPE_I16] = {"i16", 2}, [TESSERA_DTYPE_I32] = {"i32", 4},
    [TESSERA_DTYPE_I64] = {"i64", 8},
};
enum { kNumDtypes = sizeof kDtypes / sizeof kDtypes[0] };

size_t tessera_dtype_size(tessera_dtype dtype) {
  return (unsigned)dtype < kNumDtypes ? kDtypes[dtype].size : 0;
}

const char *tessera_dtype_name(tessera_dtype dtype) {
  return (unsigned)dtype < kNumDtypes ? kDtypes[dtype].name : NULL;
}

/*===-- Contexts ----------------------------------------------------------===*/

/*===-- CUDA driver -------------------------------------------------------===*/

/* The few driver entry points we use, declared here so that the runtime
 * builds without cuda.h; the ABI is the driver's stable C ABI. */
typedef int CUresult;
typedef unsigned long long CUdeviceptr;
struct cuda_api {
  void *lib;
  int device;
  void *context; /* the device's primary context */
  void *stream;
  /* Generated code synchronises after every host region, but all its work
   * is on `stream`, in order: the host only has to wait before it reads
   * memory a copy may have written (host_read) or managed memory (managed). */
  int host_read;
  int managed;
  /* tessera_invoke_buffers_async left a replay running on `stream`: copies
   * (on the legacy stream), frees and unloads wait for it first. */
  int pending;
  /* Graph replay (unless TESSERA_CUDA_GRAPHS=0; the driver has the graph
   * API); a call sets uncapturable when it does what a graph
   * cannot hold (a copy the host may read, a wait, managed memory), and
   * capturing while its work is being captured. */
  int graphs;
  int uncapturable;
  int capturing;
  void *entry_image; /* load address of the judged entry's artifact */
  CUresult (*cuInit)(unsigned);
  CUresult (*cuDeviceGet)(int *, int);
  CUresult (*cuDevicePrimaryCtxRetain)(void **, int);
  CUresult (*cuDevicePrimaryCtxRelease)(int);
  CUresult (*cuCtxPushCurrent)(void *);
  CUresult (*cuCtxPopCurrent)(void **);
  CUresult (*cuStreamCreate)(void **, unsigned);
  CUresult (*cuStreamDestroy)(void *);
  CUresult (*cuStreamSynchronize)(void *);
  CUresult (*cuModuleLoadData)(void **, const void *);
  CUresult (*cuModuleUnload)(void *);
  CUresult (*cuModuleGetFunction)(void **, void *, const char *);
  CUresult (*cuLaunchKernel)(void *, unsigned, unsigned, unsigned, unsigned,
                             unsigned, unsigned, unsigned, void *, void **,
                             void **);
  CUresult (*cuFuncSetAttribute)(void *, int, int);
  CUresult (*cuMemAlloc)(CUdeviceptr *, size_t);
  CUresult (*cuMemFree)(CUdeviceptr);
  CUresult (*cuMemAllocAsync)(CUdeviceptr *, size_t, void *);
  CUresult (*cuMemFreeAsync)(CUdeviceptr, void *);
  CUresult (*cuMemAllocManaged)(CUdeviceptr *, size_t, unsigned);
  CUresult (*cuMemcpyAsync)(CUdeviceptr, CUdeviceptr, size_t, void *);
  CUresult (*cuMemcpyHtoD)(CUdeviceptr, const void *, size_t);
  CUresult (*cuMemcpyDtoH)(void *, CUdeviceptr, size_t);
  CUresult (*cuMemsetD32Async)(CUdeviceptr, unsigned, size_t, void *);
  CUresult (*cuMemsetD16Async)(CUdeviceptr, unsigned short, size_t, void *);
  CUresult (*cuEventCreate)(void **, unsigned);
  CUresult (*cuEventDestroy)(void *);
  CUresult (*cuEventRecord)(void *, void *);
  CUresult (*cuEventSynchronize)(void *);
  CUresult (*cuStreamWaitEvent)(void *, void *, unsigned);
  CUresult (*cuGetErrorString)(CUresult, const char **);
  CUresult (*cuDeviceGetDefaultMemPool)(void **, int);
  CUresult (*cuMemPoolSetAttribute)(void *, int, void *);
  CUresult (*cuStreamBeginCapture)(void *, int);
  CUresult (*cuStreamEndCapture)(void *, void **);
  CUresult (*cuGraphInstantiateWithFlags)(void **, void *, unsigned long long);
  CUresult (*cuGraphLaunch)(void *, void *);
  CUresult (*cuGraphExecDestroy)(void *);
  CUresult (*cuGraphDestroy)(void *);
  CUresult (*cuPointerGetAttribute)(void *, int, CUdeviceptr);
};

static const char *cuda_error_string(cuda_api *cu, CUresult r) {
  const char *text = NULL;
  if (cu && cu->cuGetErrorString && cu->cuGetErrorString(r, &text) == 0 &&
      text)
    return text;
  return "unknown CUDA error";
}

static tessera_status cuda_fail(tessera_context *ctx, CUresult r,
                                const char *what) {
  tessera_status status = r == 2 /* CUDA_ERROR_OUT_OF_MEMORY */
                              ? TESSERA_ERROR_OUT_OF_MEMORY
                              : TESSERA_ERROR_UNAVAILABLE;
  return rt_fail(ctx, status, "cuda backend: %s failed: %s (%d)", what,
              cuda_error_string(ctx->cuda, r), r);
}

static void cuda_close(cuda_api *cu) {
  if (!cu)
    return;
  if (cu->context) {
    if (cu->stream && cu->cuCtxPushCurrent(cu->context) == 0) {
      cu->cuStreamSynchronize(cu->stream);
      cu->cuStreamDestroy(cu->stream);
      void *popped;
      cu->cuCtxPopCurrent(&popped);
    }
    cu->cuDevicePrimaryCtxRelease(cu->device);
  }
  if (cu->lib)
    dlclose(cu->lib);
  free(cu);
}

/* Loads the driver and sets up device 0's primary context and one stream;
 * on failure writes the reason to `error`. */
static tessera_status cuda_open(const char *path, cuda_api **out, char *error,
                                size_t error_size) {
  *out = NULL;
  cuda_api *cu = calloc(1, sizeof *cu);
  if (!cu) {
    snprintf(error, error_size, "cuda backend: out of host memory");
    return TESSERA_ERROR_OUT_OF_MEMORY;
  }
  cu->lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!cu->lib) {
    snprintf(error, error_size,
             "cuda backend: cannot load the driver library %s: %s", path,
             dlerror());
    free(cu);
    return TESSERA_ERROR_UNAVAILABLE;
  }
  struct {
    const char *name;
    void **slot;
  } symbols[] = {
#define SYM(field, name) {name, (void **)&cu->field}
      SYM(cuInit, "cuInit"),
      SYM(cuDeviceGet, "cuDeviceGet"),
      SYM(cuDevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain"),
      SYM(cuDevicePrimaryCtxRelease, "cuDevicePrimaryCtxRelease_v2"),
      SYM(cuCtxPushCurrent, "cuCtxPushCurrent_v2"),
      SYM(cuCtxPopCurrent, "cuCtxPopCurrent_v2"),
      SYM(cuStreamCreate, "cuStreamCreate"),
      SYM(cuStreamDestroy, "cuStreamDestroy_v2"),
      SYM(cuStreamSynchronize, "cuStreamSynchronize"),
      SYM(cuModuleLoadData, "cuModuleLoadData"),
      SYM(cuModuleUnload, "cuModuleUnload"),
      SYM(cuModuleGetFunction, "cuModuleGetFunction"),
      SYM(cuLaunchKernel, "cuLaunchKernel"),
      SYM(cuFuncSetAttribute, "cuFuncSetAttribute"),
      SYM(cuMemAlloc, "cuMemAlloc_v2"),
      SYM(cuMemFree, "cuMemFree_v2"),
      SYM(cuMemAllocAsync, "cuMemAllocAsync"),
      SYM(cuMemFreeAsync, "cuMemFreeAsync"),
      SYM(cuMemAllocManaged, "cuMemAllocManaged"),
      SYM(cuMemcpyAsync, "cuMemcpyAsync"),
      SYM(cuMemcpyHtoD, "cuMemcpyHtoD_v2"),
      SYM(cuMemcpyDtoH, "cuMemcpyDtoH_v2"),
      SYM(cuMemsetD32Async, "cuMemsetD32Async"),
      SYM(cuMemsetD16Async, "cuMemsetD16Async"),
      SYM(cuEventCreate, "cuEventCreate"),
      SYM(cuEventDestroy, "cuEventDestroy_v2"),
      SYM(cuEventRecord, "cuEventRecord"),
      SYM(cuEventSynchronize, "cuEventSynchronize"),
      SYM(cuStreamWaitEvent, "cuStreamWaitEvent"),
      SYM(cuGetErrorString, "cuGetErrorString"),
      SYM(cuDeviceGetDefaultMemPool, "cuDeviceGetDefaultMemPool"),
      SYM(cuMemPoolSetAttribute, "cuMemPoolSetAttribute"),
#undef SYM
  };
  for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; ++i) {
    void *fn = dlsym(cu->lib, symbols[i].name);
    if (!fn) {
      snprintf(error, error_size,
               "cuda backend: %s has no %s (driver too old for CUDA 11.2 "
               "stream-ordered allocation?)",
               path, symbols[i].name);
      cuda_close(cu);
      return TESSERA_ERROR_UNAVAILABLE;
    }
    memcpy(symbols[i].slot, &fn, sizeof fn);
  }
  /* Optional: without them (or with TESSERA_CUDA_GRAPHS=0) every call runs
   * the entry's host code. */
  struct {
    const char *name;
    void **slot;
  } graph_symbols[] = {
      {"cuStreamBeginCapture_v2", (void **)&cu->cuStreamBeginCapture},
      {"cuStreamEndCapture", (void **)&cu->cuStreamEndCapture},
      {"cuGraphInstantiateWithFlags",
       (void **)&cu->cuGraphInstantiateWithFlags},
      {"cuGraphLaunch", (void **)&cu->cuGraphLaunch},
      {"cuGraphExecDestroy", (void **)&cu->cuGraphExecDestroy},
      {"cuGraphDestroy", (void **)&cu->cuGraphDestroy},
      {"cuPointerGetAttribute", (void **)&cu->cuPointerGetAttribute},
  };
  /* On by default (measured on the H100: EBT inference at B1 0.27 -> 0.19
   * ms); TESSERA_CUDA_GRAPHS=0 (or false, off, no) runs the host code on
   * every call. */
  const char *graphs = getenv("TESSERA_CUDA_GRAPHS");
  cu->graphs = !graphs || !(strcmp(graphs, "0") == 0 ||
                            strcasecmp(graphs, "false") == 0 ||
                            strcasecmp(graphs, "off") == 0 ||
                            strcasecmp(graphs, "no") == 0);
  for (size_t i = 0; i < sizeof graph_symbols / sizeof graph_symbols[0]; ++i) {
    void *fn = dlsym(cu->lib, graph_symbols[i].name);
    if (!fn)
      cu->graphs = 0;
    memcpy(graph_symbols[i].slot, &fn, sizeof fn);
  }
  CUresult r;
  const char *step = "cuInit";
  if ((r = cu->cuInit(0)) == 0 && (step = "cuDeviceGet",
                                   r = cu->cuDeviceGet(&cu->device, 0)) == 0 &&
      (step = "cuDevicePrimaryCtxRetain",
       r = cu->cuDevicePrimaryCtxRetain(&cu->context, cu->device)) == 0 &&
      (step = "cuCtxPushCurrent", r = cu->cuCtxPushCurrent(cu->context)) == 0) {
    step = "cuStreamCreate";
    r = cu->cuStreamCreate(&cu->stream, 1 /* CU_STREAM_NON_BLOCKING */);
    /* Generated code allocates its temporaries per call from the device's
     * stream-ordered pool; with the default release threshold (0) every
     * synchronisation returns them to the driver and the next call maps
     * them again (~0.2 ms per call measured on the H100). Keep them. */
    void *pool = NULL;
    uint64_t keep = UINT64_MAX;
    if (r == 0) {
      step = "cuDeviceGetDefaultMemPool";
      r = cu->cuDeviceGetDefaultMemPool(&pool, cu->device);
    }
    if (r == 0) {
      step = "cuMemPoolSetAttribute";
      r = cu->cuMemPoolSetAttribute(
          pool, 4 /* CU_MEMPOOL_ATTR_RELEASE_THRESHOLD */, &keep);
    }
    void *popped;
    cu->cuCtxPopCurrent(&popped);
  }
  if (r != 0) {
    snprintf(error, error_size, "cuda backend: %s failed: %s (%d)", step,
             cuda_error_string(cu, r), r);
    if (!strcmp(step, "cuInit") || !strcmp(step, "cuDeviceGet") ||
        !strcmp(step, "cuDevicePrimaryCtxRetain")) /* no context retained */
      cu->context = NULL;
    cuda_close(cu);
    return TESSERA_ERROR_UNAVAILABLE;
  }
  *out = cu;
  return TESSERA_SUCCESS;
}

/* The context whose artifact runs on this thread (set around module load,
 * unload and invoke), and the module being loaded. */
static _Thread_local tessera_context *current_ctx;
static _Thread_local tessera_module *loading_module;

/* Records the first failing driver call (r != 0) of generated code. */
static void device_error(tessera_context *ctx, CUresult r, const char *what) {
  if (r != 0 && ctx && ctx->device_status == TESSERA_SUCCESS)
    ctx->device_status = cuda_fail(ctx, r, what);
}

static void device_fail(tessera_context *ctx, tessera_status status,
                        const char *message) {
  if (ctx && ctx->device_status == TESSERA_SUCCESS)
    ctx->device_status = rt_fail(ctx, status, "%s", message);
}

/* A cuda context that can run device work, or NULL (error recorded). */
static tessera_context *device_ctx(void) {
  tessera_context *ctx = current_ctx;
  if (!ctx)
    return NULL; /* not called through the runtime: nothing to run on */
  if (!ctx->cuda) {
    device_fail(ctx, TESSERA_ERROR_INVALID_ARGUMENT,
                "the artifact runs device code; create the context with "
                "the cuda backend");
    return NULL;
  }
  return ctx->device_status == TESSERA_SUCCESS ? ctx : NULL;
}

static int track_allocation(tessera_context *ctx, void *pointer,
                            size_t size) {
  if (ctx->num_allocations == ctx->cap_allocations) {
    size_t cap = ctx->cap_allocations ? 2 * ctx->cap_allocations : 16;
    device_allocation *grown =
        realloc(ctx->allocations, cap * sizeof *grown);
    if (!grown)
      return 0;
    ctx->allocations = grown;
    ctx->cap_allocations = cap;
  }
  ctx->allocations[ctx->num_allocations++] =
      (device_allocation){pointer, size};
  ctx->memory_used += size;
  return 1;
}

static void untrack_allocation(tessera_context *ctx, void *pointer) {
  for (size_t i = ctx->num_allocations; i-- > 0;)
    if (ctx->allocations[i].pointer == pointer) {
      ctx->memory_used -= ctx->allocations[i].size;
      ctx->allocations[i] = ctx->allocations[--ctx->num_allocations];
      return;
    }
}

static int within_limit(tessera_context *ctx, size_t bytes) {
  return !ctx->memory_limit || (bytes <= ctx->memory_limit &&
                                ctx->memory_used <= ctx->memory_limit - bytes);
}

/*===-- The mgpu* ABI of MLIR's gpu-to-llvm lowering ----------------------===*/

void *mgpuModuleLoad(void *data, size_t size) {
  (void)size;
  tessera_context *ctx = device_ctx();
  if (!ctx || !loading_module)
    return NULL;
  tessera_module *m = loading_module;
  void **grown = realloc(m->device_modules,
                         (m->num_device_modules + 1) * sizeof *grown);
  if (!grown) {
    device_fail(ctx, TESSERA_ERROR_OUT_OF_MEMORY, "out of host memory");
    return NULL;
  }
  m->device_modules = grown;
  void *module = NULL;
  CUresult r = ctx->cuda->cuModuleLoadData(&module, data);
  if (r != 0) {
    device_error(ctx, r, "cuModuleLoadData");
    return NULL;
  }
  m->device_modules[m->num_device_modules++] = module;
  return module;
}

void *mgpuModuleLoadJIT(void *data, int optLevel) {
  (void)optLevel;
  return mgpuModuleLoad(data, 0);
}

void mgpuModuleUnload(void *module) {
  tessera_context *ctx = current_ctx;
  tessera_module *m = loading_module;
  if (!ctx || !ctx->cuda || !m || !module)
    return;
  for (size_t i = 0; i < m->num_device_modules; ++i)
    if (m->device_modules[i] == module) {
      ctx->cuda->cuModuleUnload(module);
      m->device_modules[i] = m->device_modules[--m->num_device_modules];
      return;
    }
}

void *mgpuModuleGetFunction(void *module, const char *name) {
  tessera_context *ctx = device_ctx();
  if (!ctx || !module)
    return NULL;
  void *function = NULL;
  device_error(ctx, ctx->cuda->cuModuleGetFunction(&function, module, name),
               "cuModuleGetFunction");
  return function;
}

void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                      intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t smem, void *stream,
                      void **params, void **extra, size_t paramsCount) {
  (void)paramsCount;
  tessera_context *ctx = device_ctx();
  if (!ctx || !function)
    return;
  /* Kernels get 48 KB of dynamic shared memory unless they opt in to more
   * (a tensor-core contraction's cp.async ring takes up to 193 KB);
   * CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES is 8. */
  if (smem > 48 * 1024) {
    CUresult r = ctx->cuda->cuFuncSetAttribute(function, 8, smem);
    if (r != 0) {
      device_error(ctx, r, "cuFuncSetAttribute");
      return;
    }
  }
  device_error(ctx, ctx->cuda->cuLaunchKernel(
      function, (unsigned)gridX, (unsigned)gridY, (unsigned)gridZ,
      (unsigned)blockX, (unsigned)blockY, (unsigned)blockZ, (unsigned)smem,
      stream, params, extra),
               "cuLaunchKernel");
}

/* Generated code makes a stream per host region and destroys it after
 * synchronising; all of them are the context's one stream. */
void *mgpuStreamCreate(void) {
  tessera_context *ctx = device_ctx();
  return ctx ? ctx->cuda->stream : NULL;
}

void mgpuStreamDestroy(void *stream) { (void)stream; }

void mgpuStreamSynchronize(void *stream) {
  tessera_context *ctx = device_ctx();
  if (!ctx || !(ctx->cuda->host_read || ctx->cuda->managed))
    return;
  ctx->cuda->host_read = 0;
  ctx->cuda->uncapturable = 1;
  device_error(ctx, ctx->cuda->cuStreamSynchronize(stream),
               "cuStreamSynchronize");
}

void mgpuStreamWaitEvent(void *stream, void *event) {
  tessera_context *ctx = device_ctx();
  if (!ctx)
    return;
  device_error(ctx, ctx->cuda->cuStreamWaitEvent(stream, event, 0),
               "cuStreamWaitEvent");
}

void *mgpuEventCreate(void) {
  tessera_context *ctx = device_ctx();
  void *event = NULL;
  if (!ctx)
    return NULL;
  device_error(ctx, ctx->cuda->cuEventCreate(&event, 2 /* DISABLE_TIMING */),
               "cuEventCreate");
  return event;
}

void mgpuEventDestroy(void *event) {
  tessera_context *ctx = current_ctx;
  if (ctx && ctx->cuda && event)
    ctx->cuda->cuEventDestroy(event);
}

void mgpuEventSynchronize(void *event) {
  tessera_context *ctx = device_ctx();
  if (!ctx)
    return;
  ctx->cuda->uncapturable = 1;
  device_error(ctx, ctx->cuda->cuEventSynchronize(event),
               "cuEventSynchronize");
}

void mgpuEventRecord(void *event, void *stream) {
  tessera_context *ctx = device_ctx();
  if (!ctx)
    return;
  device_error(ctx, ctx->cuda->cuEventRecord(event, stream),
               "cuEventRecord");
}

void *mgpuMemAlloc(uint64_t bytes, void *stream, bool isHostShared) {
  tessera_context *ctx = device_ctx();
  if (!ctx || bytes == 0)
    return NULL;
  if (!within_limit(ctx, bytes)) {
    char message[160];
    snprintf(message, sizeof message,
             "generated code allocates %llu bytes beyond the context's "
             "limit (%zu of %zu bytes in use)",
             (unsigned long long)bytes, ctx->memory_used, ctx->memory_limit);
    device_fail(ctx, TESSERA_ERROR_OUT_OF_MEMORY, message);
    return NULL;
  }
  CUdeviceptr pointer = 0;
  if (isHostShared)
    ctx->cuda->managed = ctx->cuda->uncapturable = 1;
  CUresult r = isHostShared
                   ? ctx->cuda->cuMemAllocManaged(&pointer, bytes, 1)
                   : ctx->cuda->cuMemAllocAsync(&pointer, bytes, stream);
  if (r != 0) {
    device_error(ctx, r, isHostShared ? "cuMemAllocManaged" : "cuMemAllocAsync");
    return NULL;
  }
  void *result = (void *)(uintptr_t)pointer;
  /* Captured allocations belong to the graph (freed in it). */
  if (!ctx->cuda->capturing && !track_allocation(ctx, result, bytes)) {
    ctx->cuda->cuMemFreeAsync(pointer, stream);
    device_fail(ctx, TESSERA_ERROR_OUT_OF_MEMORY, "out of host memory");
    return NULL;
  }
  return result;
}

void mgpuMemFree(void *pointer, void *stream) {
  tessera_context *ctx = current_ctx;
  if (!ctx || !ctx->cuda || !pointer)
    return;
  if (!ctx->cuda->capturing)
    untrack_allocation(ctx, pointer);
  device_error(ctx, ctx->cuda->cuMemFreeAsync((CUdeviceptr)(uintptr_t)pointer,
                                         stream),
               "cuMemFreeAsync");
}

/* Whether the driver knows `p` as device memory (not host memory the
 * generated code stages scalars through). */
static int is_device_pointer(cuda_api *cu, void *p) {
  unsigned type = 0;
  return cu->cuPointerGetAttribute &&
         cu->cuPointerGetAttribute(&type, 2 /* MEMORY_TYPE */,
                                   (CUdeviceptr)(uintptr_t)p) == 0 &&
         type == 2 /* CU_MEMORYTYPE_DEVICE */;
}

void mgpuMemcpy(void *dst, void *src, size_t bytes, void *stream) {
  tessera_context *ctx = device_ctx();
  if (!ctx || !bytes)
    return;
  device_error(ctx, ctx->cuda->cuMemcpyAsync((CUdeviceptr)(uintptr_t)dst,
                                        (CUdeviceptr)(uintptr_t)src, bytes,
                                        stream),
               "cuMemcpyAsync");
  /* Into host memory, the host will read it; from host memory other than
   * the artifact's own (its constants' device copies are uploaded per
   * call), a graph would read it again when replayed, after the host
   * reused it. (While capturing, the call before found them all fine.) */
  if (ctx->cuda->capturing)
    return;
  int to_device = is_device_pointer(ctx->cuda, dst);
  if (!to_device)
    ctx->cuda->host_read = 1;
  Dl_info where;
  if (!ctx->cuda->uncapturable &&
      (!to_device ||
       !(is_device_pointer(ctx->cuda, src) ||
         (ctx->cuda->entry_image && dladdr(src, &where) &&
          where.dli_fbase == ctx->cuda->entry_image))))
    ctx->cuda->uncapturable = 1;
}

void mgpuMemset32(void *dst, unsigned int value, size_t count, void *stream) {
  tessera_context *ctx = device_ctx();
  if (!ctx || !count)
    return;
  device_error(ctx, ctx->cuda->cuMemsetD32Async((CUdeviceptr)(uintptr_t)dst, value,
                                           count, stream),
               "cuMemsetD32Async");
}

void mgpuMemset16(void *dst, unsigned short value, size_t count,
                  void *stream) {
  tessera_context *ctx = device_ctx();
  if (!ctx || !count)
    return;
  device_error(ctx, ctx->cuda->cuMemsetD16Async((CUdeviceptr)(uintptr_t)dst, value,
                                           count, stream),
               "cuMemsetD16Async");
}

void mgpuSetDefaultDevice(int32_t device) { (void)device; }

/* Makes the context's device context current on this thread for the
 * duration of a runtime call that may run device work. */
static void device_enter(tessera_context *ctx) {
  current_ctx = ctx;
  ctx->device_status = TESSERA_SUCCESS;
  if (ctx->cuda)
    ctx->cuda->cuCtxPushCurrent(ctx->cuda->context);
}

static tessera_status device_leave(tessera_context *ctx) {
  if (ctx->cuda) {
    void *popped;
    ctx->cuda->cuCtxPopCurrent(&popped);
  }
  current_ctx = NULL;
  return ctx->device_status;
}

/* Waits for the work queued on the context's (cuda) stream; its status. */
static tessera_status wait_stream(tessera_context *ctx) {
  ctx->cuda->pending = 0;
  device_enter(ctx);
  device_error(ctx, ctx->cuda->cuStreamSynchronize(ctx->cuda->stream),
               "cuStreamSynchronize");
  return device_leave(ctx);
}

/* Waits for work tessera_invoke_buffers_async left on the context's stream;
 * its failure is this call's. */
static tessera_status settle(tessera_context *ctx) {
  return ctx->cuda && ctx->cuda->pending ? wait_stream(ctx) : TESSERA_SUCCESS;
}

tessera_status tessera_context_create(const tessera_context_options *options,
                                      tessera_context **out, char *error,
                                      size_t error_size) {
  if (out)
    *out = NULL;
  if (error && error_size)
    error[0] = '\0';
#define CREATE_FAIL(status, ...)                                               \
  do {                                                                         \
    if (error && error_size)                                                   \
      snprintf(error, error_size, __VA_ARGS__);                                \
    return status;                                                             \
  } while (0)
  if (!options || !out)
    CREATE_FAIL(TESSERA_ERROR_INVALID_ARGUMENT,
                "tessera_context_create: options and out must not be NULL");
  const char *driver = NULL;
  switch (options->backend) {
  case TESSERA_BACKEND_CPU: break;
  case TESSERA_BACKEND_CUDA: driver = "libcuda.so.1"; break;
  case TESSERA_BACKEND_HIP: driver = "libamdhip64.so"; break;
  default:
    CREATE_FAIL(TESSERA_ERROR_INVALID_ARGUMENT,
                "tessera_context_create: unknown backend %d",
                (int)options->backend);
  }
  const char *path = options->driver_path ? options->driver_path : driver;
  cuda_api *cuda = NULL;
  if (options->backend == TESSERA_BACKEND_HIP) {
    void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!handle)
      CREATE_FAIL(TESSERA_ERROR_UNAVAILABLE,
                  "hip backend: cannot load the driver library %s: %s", path,
                  dlerror());
    dlclose(handle);
    CREATE_FAIL(TESSERA_ERROR_UNIMPLEMENTED,
                "hip backend: the driver loads, but this runtime does not "
                "launch rocdl artifacts yet");
  }
  if (options->backend == TESSERA_BACKEND_CUDA) {
    char message[kErrorSize];
    tessera_status status = cuda_open(path, &cuda, message, sizeof message);
    if (status != TESSERA_SUCCESS)
      CREATE_FAIL(status, "%s", message);
  }
  tessera_context *ctx = calloc(1, sizeof *ctx);
  if (!ctx) {
    cuda_close(cuda);
    CREATE_FAIL(TESSERA_ERROR_OUT_OF_MEMORY,
                "tessera_context_create: out of host memory");
  }
  ctx->cuda = cuda;
  if (cuda) {
    /* A GPU artifact calls mgpu* from its own code: this library's symbols
     * must be visible to it even when the program dlopen'ed us locally. */
    Dl_info self;
    static const char anchor; /* any object of this library */
    if (dladdr(&anchor, &self) && self.dli_fname)
      ctx->self = dlopen(self.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_GLOBAL);
  }
#undef CREATE_FAIL
  ctx->backend = options->backend;
  ctx->memory_limit = options->memory_limit;
  *out = ctx;
  return TESSERA_SUCCESS;
}

void tessera_context_destroy(tessera_context *ctx) {
  if (!ctx)
    return;
  while (ctx->modules)
    tessera_module_unload(ctx->modules);
  while (ctx->buffers)
    tessera_buffer_free(ctx->buffers);
  cuda_close(ctx->cuda);
  if (ctx->self)
    dlclose(ctx->self);
  free(ctx->allocations);
  free(ctx);
}

const char *tessera_context_error(const tessera_context *ctx) {
  return ctx ? ctx->error : "tessera_context_error: NULL context";
}

tessera_backend tessera_context_backend(const tessera_context *ctx) {
  return ctx ? ctx->backend : TESSERA_BACKEND_CPU;
}

/*===-- Buffers -----------------------------------------------------------===*/

tessera_status tessera_buffer_alloc(tessera_context *ctx, size_t bytes,
                                    tessera_buffer **out) {
  if (!ctx || !out)
    return rt_fail(ctx, TESSERA_ERROR_INVALID_ARGUMENT,
                "tessera_buffer_alloc: ctx and out must not be NULL");
  *out = NULL;
  if (bytes == 0)
    return rt_fail(ctx, TESSERA_ERROR_INVALID_ARGUMENT,
                "tessera_buffer_alloc: zero bytes requested");
  if (ctx->memory_limit &&
      (bytes > ctx->memory_limit ||
       ctx->memory_used > ctx->memory_limit - bytes))
    return rt_fail(ctx, TESSERA_ERROR_OUT_OF_MEMORY,
                "tessera_buffer_alloc: %zu bytes exceed the context's limit "
                "(%zu of %zu bytes in use)",
                bytes, ctx->memory_used, ctx->memory_limit);
  tessera_buffer *buffer = calloc(1, sizeof *buffer);
  if (!buffer)
    return rt_fail(ctx, TESSERA_ERROR_OUT_OF_MEMORY, "out of host memory");
  void *data = NULL;
  if (ctx->cuda) {
    CUdeviceptr pointer = 0;
    device_enter(ctx);
    CUresult r = ctx->cuda->cuMemAlloc(&pointer, bytes);
    device_leave(ctx);
    if (r != 0) {
      free(buffer);
      return cuda_fail(ctx, r, "tessera_buffer_alloc: cuMemAlloc");
    }
    data = (void *)(uintptr_t)pointer;
  } else {
    /* 64-byte alignment: whole cache lines and any vector width. */
    size_t rounded = (bytes + 63) / 64 * 64;
    if (rounded < bytes || !(data = aligned_alloc(64, rounded))) {
      free(buffer);
      return rt_fail(ctx, TESSERA_ERROR_OUT_OF_MEMORY,
                  "tessera_buffer_alloc: cannot allocate %zu bytes", bytes);
    }
  }
  buffer->ctx = ctx;
  buffer->size = bytes;
  buffer->data = data;
  LIST_PUSH(ctx->buffers, buffer);
  ctx->memory_used += bytes;
  *out = buffer;
  return TESSERA_SUCCESS;
}

void tessera_buffer_free(tessera_buffer *buffer) {
  if (!buffer)
    return;
  tessera_context *ctx = buffer->ctx;
  settle(ctx);
  LIST_UNLINK(ctx->buffers, buffer);
  ctx->memory_used -= buffer->size;
  if (ctx->cuda) {
    device_enter(ctx);
    ctx->cuda->cuMemFree((CUdeviceptr)(uintptr_t)buffer->data);
    device_leave(ctx);
  } else {
    free(buffer->data);
  }
  free(buffer);
}

size_t tessera_buffer_size(const tessera_buffer *buffer) {
  return buffer ? buffer->size : 0;
}

void *tessera_buffer_host_pointer(tessera_buffer *buffer) {
  return buffer && !buffer->ctx->cuda ? buffer->data : NULL;
}

static tessera_status check_range(tessera_buffer *buffer, const void *host,
                                  size_t offset, size_t bytes,
                                  const char *what) {
  if (!buffer)
    return TESSERA_ERROR_INVALID_ARGUMENT;
  if (!host && bytes)
    return rt_fail(buffer->ctx, TESSERA_ERROR_INVALID_ARGUMENT,
                "%s: NULL host pointer", what);
  if (offset > buffer->size || bytes > buffer->size - offset)
    return rt_fail(buffer->ctx, TESSERA_ERROR_INVALID_ARGUMENT,
                "%s: bytes [%zu, %zu + %zu) outside the %zu-byte buffer",
                what, offset, offset, bytes, buffer->size);
  return TESSERA_SUCCESS;
}

tessera_status tessera_buffer_write(tessera_buffer *buffer, size_t offset,
                                    const void *src, size_t bytes) {
  tessera_status s =
      check_range(buffer, src, offset, bytes, "tessera_buffer_write");
  if (s != TESSERA_SUCCESS || !bytes)
    return s;
  tessera_context *ctx = buffer->ctx;
  if (!ctx->cuda) {
    memcpy((char *)buffer->data + offset, src, bytes);
    return s;
  }
  if ((s = settle(ctx)) != TESSERA_SUCCESS)
    return s;
  device_enter(ctx);
  CUresult r = ctx->cuda->cuMemcpyHtoD(
      (CUdeviceptr)(uintptr_t)buffer->data + offset, src, bytes);
  device_leave(ctx);
  return r ? cuda_fail(ctx, r, "tessera_buffer_write: cuMemcpyHtoD") : s;
}

tessera_status tessera_buffer_read(tessera_buffer *buffer, size_t offset,
                                   void *dst, size_t bytes) {
  tessera_status s =
      check_range(buffer, dst, offset, bytes, "tessera_buffer_read");
  if (s != TESSERA_SUCCESS || !bytes)
    return s;
  tessera_context *ctx = buffer->ctx;
  if (!ctx->cuda) {
    memcpy(dst, (char *)buffer->data + offset, bytes);
    return s;
  }
  if ((s = settle(ctx)) != TESSERA_SUCCESS)
    return s;
  device_enter(ctx);
  CUresult r = ctx->cuda->cuMemcpyDtoH(
      dst, (CUdeviceptr)(uintptr_t)buffer->data + offset, bytes);
  device_leave(ctx);
  return r ? cuda_fail(ctx, r, "tessera_buffer_read: cuMemcpyDtoH") : s;
}

/*===-- Manifest ----------------------------------------------------------===*/

static int parse_dtype(const char *name, tessera_dtype *out) {
  for (int i = 0; i < kNumDtypes; ++i)
    if (name && strcmp(name, kDtypes[i].name) == 0) {
      *out = (tessera_dtype)i;
      return 1;
    }
  return 0;
}

static int parse_count(const char *word, long long max, long long *out) {
  if (!word || !*word)
    return 0;
  char *end = NULL;
  errno = 0;
  long long v = strtoll(word, &end, 10);
  if (errno || *end || v < 0 || v > max)
    return 0;
  *out = v;
  return 1;
}

/* `<role> T|S <dtype> <rank> <dims...>` */
static int parse_value(char *line, const char *role, value_desc *v) {
  char *save = NULL;
  char *word = strtok_r(line, " ", &save);
  if (!word || strcmp(word, role))
    return 0;
  char *kind = strtok_r(NULL, " ", &save);
  if (!kind || (strcmp(kind, "T") && strcmp(kind, "S")))
    return 0;
  v->is_tensor = kind[0] == 'T';
  if (!parse_dtype(strtok_r(NULL, " ", &save), &v->dtype))
    return 0;
  long long rank;
  if (!parse_count(strtok_r(NULL, " ", &save), kMaxRank, &rank) ||
      (!v->is_tensor && rank))
    return 0;
  v->rank = (int32_t)rank;
  for (int32_t i = 0; i < v->rank; ++i) {
    long long d;
    if (!parse_count(strtok_r(NULL, " ", &save), INT64_MAX / 2, &d))
      return 0;
    v->shape[i] = d;
  }
  return strtok_r(NULL, " ", &save) == NULL;
}

static void drop_graph(tessera_function *fn) {
  cuda_api *cu = fn->module->ctx->cuda;
  if (fn->graph_exec)
    cu->cuGraphExecDestroy(fn->graph_exec);
  if (fn->graph)
    cu->cuGraphDestroy(fn->graph);
  fn->graph = fn->graph_exec = NULL;
}

static void free_functions(tessera_module *m) {
  for (size_t i = 0; i < m->num_functions; ++i) {
    drop_graph(&m->functions[i]);
    free(m->functions[i].graph_key);
    free(m->functions[i].name);
    free(m->functions[i].inputs);
    free(m->functions[i].outputs);
  }
  free(m->functions);
  m->functions = NULL;
  m->num_functions = 0;
}

static tessera_status parse_manifest(tessera_module *m, const char *text) {
  tessera_context *ctx = m->ctx;
  char *copy = strdup(text);
  if (!copy)
    return rt_fail(ctx, TESSERA_ERROR_OUT_OF_MEMORY, "out of host memory");
  tessera_status status = TESSERA_SUCCESS;
  char *save = NULL;
  int line_no = 0;
  char *line;
#define NEXT_LINE() (++line_no, strtok_r(line_no == 1 ? copy : NULL, "\n", &save))
#define BAD(...)                                                               \
  do {                                                                         \
    status = rt_fail(ctx, TESSERA_ERROR_CORRUPT_ARTIFACT, __VA_ARGS__);        \
    goto done;                                                                 \
  } while (0)
  line = NEXT_LINE();
  if (!line || strcmp(line, "tessera-artifact 1"))
    BAD("manifest: expected 'tessera-artifact 1' on line 1");
  line = NEXT_LINE();
  if (!line || strncmp(line, "target ", 7))
    BAD("manifest: expected 'target <name>' on line 2");
  {
    const char *target = line + 7;
    const char *wanted = m->ctx->cuda ? "nvvm" : "cpu";
    if (strcmp(target, wanted))
      BAD("manifest: the artifact targets '%s'; a %s context runs %s "
          "artifacts%s",
          target, m->ctx->cuda ? "cuda" : "cpu", wanted,
          !strcmp(target, "nvvm")    ? " (create the context with the cuda "
                                       "backend)"
          : !strcmp(target, "rocdl") ? " (the hip backend does not launch "
                                       "rocdl artifacts yet)"
                                     : "");
  }
  while ((line = NEXT_LINE())) {
    char *wsave = NULL;
    char *word = strtok_r(line, " ", &wsave);
    char *name = strtok_r(NULL, " ", &wsave);
    long long nin, nout;
    if (!word || strcmp(word, "entry") || !name ||
        !parse_count(strtok_r(NULL, " ", &wsave), kMaxValues, &nin) ||
        !parse_count(strtok_r(NULL, " ", &wsave), kMaxValues, &nout) ||
        strtok_r(NULL, " ", &wsave))
      BAD("manifest line %d: expected 'entry <name> <inputs> <outputs>'",
          line_no);
    tessera_function *grown =
        realloc(m->functions, (m->num_functions + 1) * sizeof *grown);
    if (!grown)
      BAD("out of host memory");
    m->functions = grown;
    tessera_function *fn = &m->functions[m->num_functions++];
    memset(fn, 0, sizeof *fn);
    fn->module = m;
    fn->name = strdup(name);
    fn->inputs = calloc(nin ? nin : 1, sizeof *fn->inputs);
    fn->outputs = calloc(nout ? nout : 1, sizeof *fn->outputs);
    if (!fn->name || !fn->inputs || !fn->outputs)
      BAD("out of host memory");
    fn->num_inputs = nin;
    fn->num_outputs = nout;
    for (long long i = 0; i < nin + nout; ++i) {
      line = NEXT_LINE();
      int is_input = i < nin;
      value_desc *v = is_input ? &fn->inputs[i] : &fn->outputs[i - nin];
      if (!line || !parse_value(line, is_input ? "in" : "out", v))
        BAD("manifest line %d: expected '%s T|S <dtype> <rank> <dims...>' "
            "for entry %s",
            line_no, is_input ? "in" : "out", fn->name);
    }
    char symbol[512];
    snprintf(symbol, sizeof symbol, "_tessera_entry_%s", fn->name);
    void *entry = dlsym(m->handle, symbol);
    if (!entry)
      BAD("manifest: entry %s has no symbol %s", fn->name, symbol);
    /* POSIX guarantees data and function pointers convert through dlsym. */
    memcpy(&fn->entry, &entry, sizeof entry);
  }
  if (m->num_functions == 0)
    BAD("manifest: the artifact has no entry points");
#undef BAD
#undef NEXT_LINE
done:
  free(copy);
  if (status != TESSERA_SUCCESS)
    free_functions(m);
  return status;
}

/*===-- Modules -----------------------------------------------------------===*/

/* dlclose runs the artifact's destructors, which unload the device modules
 * its constructors loaded; whatever they leave (a deferred dlclose) is
 * unloaded here. */
static void close_handle(tessera_module *m) {
  tessera_context *ctx = m->ctx;
  device_enter(ctx);
  loading_module = m;
  if (m->handle)
    dlclose(m->handle);
  for (size_t i = 0; i < m->num_device_modules; ++i)
    ctx->cuda->cuModuleUnload(m->device_modules[i]);
  loading_module = NULL;
  device_leave(ctx);
  free(m->device_modules);
  m->device_modules = NULL;
  m->num_device_modules = 0;
}

static tessera_status load_handle(tessera_context *ctx, const char *path,
                                  const char *what, int memfd,
                                  tessera_module **out) {
  tessera_module *m = calloc(1, sizeof *m);
  if (!m)
    return rt_fail(ctx, TESSERA_ERROR_OUT_OF_MEMORY, "out of host memory");
  m->ctx = ctx;
  m->memfd = memfd;
  /* A GPU artifact loads its device code from constructors (mgpuModuleLoad)
   * while dlopen runs. */
  device_enter(ctx);
  loading_module = m;
  m->handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  loading_module = NULL;
  tessera_status device = device_leave(ctx);
  if (!m->handle) {
    tessera_status status = rt_fail(ctx, TESSERA_ERROR_CORRUPT_ARTIFACT,
                                 "%s: not a loadable artifact (%s)", what,
                                 dlerror());
    close_handle(m);
    free(m);
    return status;
  }
  const char *manifest = dlsym(m->handle, "tessera_manifest");
  tessera_status status =
      manifest ? parse_manifest(m, manifest)
               : rt_fail(ctx, TESSERA_ERROR_CORRUPT_ARTIFACT,
                      "%s: a shared object but not a Tessera artifact (no "
                      "tessera_manifest)",
                      what);
  /* A target mismatch explains a failed device load better than the
   * device error does, so the manifest speaks first. */
  if (status == TESSERA_SUCCESS && device != TESSERA_SUCCESS)
    status = device;
  if (status != TESSERA_SUCCESS) {
    free_functions(m);
    close_handle(m);
    free(m);
    return status;
  }
  LIST_PUSH(ctx->modules, m);
  *out = m;
  return TESSERA_SUCCESS;
}

tessera_status tessera_module_load_file(tessera_context *ctx,
                                        const char *path,
                                        tessera_module **out) {
  if (!ctx || !path || !out)
    return rt_fail(ctx, TESSERA_ERROR_INVALID_ARGUMENT,
                "tessera_module_load_file: ctx, path and out must not be "
                "NULL");
  *out = NULL;
  if (access(path, R_OK) != 0)
    return rt_fail(ctx, TESSERA_ERROR_NOT_FOUND, "cannot read %s: %s", path,
                strerror(errno));
  /* dlopen searches the library path for names without a slash. */
  char *resolved = realpath(path, NULL);
  if (!resolved)
    return rt_fail(ctx, TESSERA_ERROR_NOT_FOUND, "cannot resolve %s: %s", path,
                strerror(errno));
  if (!ctx->cuda) {
    tessera_status status = load_handle(ctx, resolved, path, -1, out);
    free(resolved);
    return status;
  }
  /* Device code is loaded by the artifact's constructors, which dlopen runs
   * once per path: each load of a GPU artifact gets its own copy. */
  FILE *file = fopen(resolved, "rb");
  free(resolved);
  if (!file)
    return rt_fail(ctx, TESSERA_ERROR_NOT_FOUND, "cannot open %s: %s", path,
                strerror(errno));
  char *bytes = NULL;
  size_t size = 0, cap = 0;
  for (;;) {
    if (size == cap) {
      cap = cap ? 2 * cap : 1 << 20;
      char *grown = realloc(bytes, cap);
      if (!grown) {
        free(bytes);
        fclose(file);
        return rt_fail(ctx, TESSERA_ERROR_OUT_OF_MEMORY, "out of host memory");
      }
      bytes = grown;
    }
    size_t n = fread(bytes + size, 1, cap - size, file);
    size += n;
    if (n == 0)
      break;
  }
  int read_error = ferror(file);
  fclose(file);
  tessera_status status =
      read_error ? rt_fail(ctx, TESSERA_ERROR_NOT_FOUND, "cannot read %s", path)
      : size     ? tessera_module_load_bytes(ctx, bytes, size, out)
                 : rt_fail(ctx, TESSERA_ERROR_CORRUPT_ARTIFACT,
                        "%s: not a loadable artifact (empty file)", path);
  free(bytes);
  return status;
}

tessera_status tessera_module_load_bytes(tessera_context *ctx,
                                         const void *bytes, size_t size,
                                         tessera_module **out) {
  if (!ctx || !bytes || !size || !out)
    return rt_fail(ctx, TESSERA_ERROR_INVALID_ARGUMENT,
                "tessera_module_load_bytes: ctx, bytes and out must not be "
                "NULL and size must not be 0");
  *out = NULL;
  int fd = memfd_create("tessera-artifact", MFD_CLOEXEC);
  if (fd < 0)
    return rt_fail(ctx, TESSERA_ERROR_OUT_OF_MEMORY, "memfd_create: %s",
                strerror(errno));
  for (size_t done = 0; done < size;) {
    ssize_t n = write(fd, (const char *)bytes + done, size - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      close(fd);
      return rt_fail(ctx, TESSERA_ERROR_OUT_OF_MEMORY,
                  "writing the artifact to memory: %s", strerror(errno));
    }
    done += (size_t)n;
  }
  char path[64];
  snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
  tessera_status status = load_handle(ctx, path, "artifact bytes", fd, out);
  if (status != TESSERA_SUCCESS)
    close(fd);
  return status;
}

void tessera_module_unload(tessera_module *m) {
  if (!m)
    return;
  tessera_context *ctx = m->ctx;
  settle(ctx);
  LIST_UNLINK(ctx->modules, m);
  free_functions(m);
  close_handle(m);
  if (m->memfd >= 0)
    close(m->memfd);
  free(m);
}

size_t tessera_module_function_count(const tessera_module *m) {
  return m ? m->num_functions : 0;
}

const char *tessera_module_function_name(const tessera_module *m,
                                         size_t index) {
  return m && index < m->num_functions ? m->functions[index].name : NULL;
}

tessera_status tessera_module_get_function(tessera_module *m,
                                           const char *name,
                                           tessera_function **out) {
  if (!m || !name || !out)
    return rt_fail(m ? m->ctx : NULL, TESSERA_ERROR_INVALID_ARGUMENT,
                "tessera_module_get_function: module, name and out must not "
                "be NULL");
  *out = NULL;
  for (size_t i = 0; i < m->num_functions; ++i)
    if (strcmp(m->functions[i].name, name) == 0) {
      *out = &m->functions[i];
      return TESSERA_SUCCESS;
    }
  return rt_fail(m->ctx, TESSERA_ERROR_NOT_FOUND,
              "the artifact has no entry point '%s'", name);
}

/*===-- Functions ---------------------------------------------------------===*/

const char *tessera_function_name(const tessera_function *fn) {
  return fn ? fn->name : NULL;
}

tessera_context *tessera_function_context(const tessera_function *fn) {
  return fn ? fn->module->ctx : NULL;
}

size_t tessera_function_input_count(const tessera_function *fn) {
  return fn ? fn->num_inputs : 0;
}

size_t tessera_function_output_count(const tessera_function *fn) {
  return fn ? fn->num_outputs : 0;
}

static tessera_status describe(const tessera_function *fn, size_t index,
                               int input, tessera_tensor *out) {
  size_t count = input ? fn->num_inputs : fn->num_outputs;
  if (!out || index >= count)
    return rt_fail(fn->module->ctx, TESSERA_ERROR_INVALID_ARGUMENT,
                "%s: %s #%zu of %s out of range (%zu)",
                input ? "tessera_function_input" : "tessera_function_output",
                input ? "input" : "output", index, fn->name, count);
  const value_desc *v = input ? &fn->inputs[index] : &fn->outputs[index];
  out->dtype = v->dtype;
  out->rank = v->rank;
  out->shape = v->shape;
  out->data = NULL;
  return TESSERA_SUCCESS;
}

tessera_status tessera_function_input(const tessera_function *fn,
                                      size_t index, tessera_tensor *out) {
  return fn ? describe(fn, index, 1, out) : TESSERA_ERROR_INVALID_ARGUMENT;
}

tessera_status tessera_function_output(const tessera_function *fn,
                                       size_t index, tessera_tensor *out) {
  return fn ? describe(fn, index, 0, out) : TESSERA_ERROR_INVALID_ARGUMENT;
}

static tessera_status check_tensor(const tessera_function *fn,
                                   const value_desc *v,
                                   const tessera_tensor *t, const char *role,
                                   size_t index) {
  tessera_context *ctx = fn->module->ctx;
  if (t->dtype != v->dtype)
    return rt_fail(ctx, TESSERA_ERROR_SIGNATURE_MISMATCH,
                "%s: %s #%zu has dtype %s, the entry expects %s", fn->name,
                role, index,
                tessera_dtype_name(t->dtype) ? tessera_dtype_name(t->dtype)
                                             : "<unknown>",
                tessera_dtype_name(v->dtype));
  if (t->rank != v->rank)
    return rt_fail(ctx, TESSERA_ERROR_SIGNATURE_MISMATCH,
                "%s: %s #%zu has rank %d, the entry expects %d", fn->name,
                role, index, (int)t->rank, (int)v->rank);
  if (t->rank > 0 && !t->shape)
    return rt_fail(ctx, TESSERA_ERROR_INVALID_ARGUMENT,
                "%s: %s #%zu has rank %d and a NULL shape", fn->name, role,
                index, (int)t->rank);
  int64_t elements = 1;
  for (int32_t d = 0; d < t->rank; ++d) {
    if (t->shape[d] != v->shape[d])
      return rt_fail(ctx, TESSERA_ERROR_SIGNATURE_MISMATCH,
                  "%s: %s #%zu has size %lld in dimension %d, the entry "
                  "expects %lld",
                  fn->name, role, index, (long long)t->shape[d], (int)d,
                  (long long)v->shape[d]);
    elements *= v->shape[d];
  }
  if (!t->data && elements)
    return rt_fail(ctx, TESSERA_ERROR_INVALID_ARGUMENT,
                "%s: %s #%zu has NULL data", fn->name, role, index);
  return TESSERA_SUCCESS;
}

static size_t tensor_bytes(const tessera_tensor *t) {
  size_t n = tessera_dtype_size(t->dtype);
  for (int32_t d = 0; d < t->rank; ++d)
    n *= (size_t)t->shape[d];
  return n;
}

static int overlaps(const tessera_tensor *a, const tessera_tensor *b) {
  size_t na = tensor_bytes(a), nb = tensor_bytes(b);
  if (!na || !nb || !a->data || !b->data)
    return 0;
  uintptr_t pa = (uintptr_t)a->data, pb = (uintptr_t)b->data;
  return pa < pb + nb && pb < pa + na;
}

/* A memref descriptor {allocated, aligned, offset, sizes[r], strides[r]} as
 * 64-bit words, over row-major `data`. */
static void fill_descriptor(int64_t *words, const value_desc *v, void *data) {
  memcpy(&words[0], &data, sizeof data);
  memcpy(&words[1], &data, sizeof data);
  words[2] = 0;
  int64_t stride = 1;
  for (int32_t d = v->rank - 1; d >= 0; --d) {
    words[3 + d] = v->shape[d];
    words[3 + v->rank + d] = stride;
    stride *= v->shape[d];
  }
}

/* The checks both invoke calls share: a function, the argument counts of
 * its entry, and the arrays present where needed. */
static tessera_status check_counts(const tessera_function *fn,
                                   size_t num_inputs, int has_inputs,
                                   size_t num_outputs, int has_outputs) {
  if (!fn)
    return TESSERA_ERROR_INVALID_ARGUMENT;
  tessera_context *ctx = fn->module->ctx;
  if (num_inputs != fn->num_inputs || num_outputs != fn->num_outputs)
    return rt_fail(ctx, TESSERA_ERROR_SIGNATURE_MISMATCH,
                   "%s: called with %zu inputs and %zu outputs, the entry "
                   "takes %zu and %zu",
                   fn->name, num_inputs, num_outputs, fn->num_inputs,
                   fn->num_outputs);
  if ((num_inputs && !has_inputs) || (num_outputs && !has_outputs))
    return rt_fail(ctx, TESSERA_ERROR_INVALID_ARGUMENT,
                   "%s: NULL inputs or outputs array", fn->name);
  return TESSERA_SUCCESS;
}

/* Runs the entry on packed arguments and waits for its device work, also
 * after a failure (work queued before it may still run, and buffer calls do
 * not order against the context's stream). */
/* Captures the entry's work on the context's stream into fn's graph and
 * instantiates it; 0 when that failed (nothing ran: captured work does not
 * execute). */
static int capture_entry(tessera_function *fn, void **args) {
  tessera_context *ctx = fn->module->ctx;
  cuda_api *cu = ctx->cuda;
  if (cu->cuStreamBeginCapture(cu->stream, 1 /* THREAD_LOCAL */) != 0)
    return 0;
  cu->capturing = 1;
  fn->entry(args);
  cu->capturing = 0;
  void *graph = NULL;
  CUresult ended = cu->cuStreamEndCapture(cu->stream, &graph);
  if (ended == 0 && ctx->device_status == TESSERA_SUCCESS && graph &&
      cu->cuGraphInstantiateWithFlags(&fn->graph_exec, graph, 0) == 0) {
    fn->graph = graph;
    return 1;
  }
  fn->graph_exec = NULL;
  if (graph)
    cu->cuGraphDestroy(graph);
  ctx->device_status = TESSERA_SUCCESS;
  return 0;
}

/* Runs the entry on packed arguments and waits for its device work, also
 * after a failure (work queued before it may still run, and buffer calls do
 * not order against the context's stream). With `key` (the descriptors'
 * words, cuda only): the second call with the same key captures the entry's
 * work as a graph when the first did nothing a graph cannot hold and freed
 * what it allocated; later calls with that key replay it, one launch
 * instead of the host code's. Without `wait`, a replayed graph is left
 * running on the context's stream (tessera_invoke_buffers_async); the host
 * code, which may free device memory and read results, always finishes. */
static tessera_status call_entry(tessera_function *fn, void **args,
                                 const int64_t *key, size_t key_words,
                                 int wait) {
  tessera_context *ctx = fn->module->ctx;
  cuda_api *cu = ctx->cuda;
  int graphs = cu && cu->graphs && key && fn->graph_state >= 0;
  int same = graphs && fn->graph_key && fn->graph_key_words == key_words &&
             memcmp(fn->graph_key, key, key_words * sizeof *key) == 0;
  /* A graph is not dropped while an earlier call may still replay it. */
  if (graphs && !same)
    settle(ctx);
  device_enter(ctx);
  if (graphs && !same) {
    drop_graph(fn);
    int64_t *copy = malloc((key_words ? key_words : 1) * sizeof *copy);
    if (copy)
      memcpy(copy, key, key_words * sizeof *key);
    free(fn->graph_key);
    fn->graph_key = copy;
    fn->graph_key_words = copy ? key_words : 0;
    fn->graph_state = 0;
    graphs = copy != NULL;
  }
  if (graphs && !fn->graph_exec && fn->graph_state == 1 &&
      !capture_entry(fn, args))
    fn->graph_state = -1;
  if (graphs && fn->graph_exec) {
    device_error(ctx, cu->cuGraphLaunch(fn->graph_exec, cu->stream),
                 "cuGraphLaunch");
    if (!wait) {
      cu->pending = 1;
      return device_leave(ctx);
    }
  } else {
    size_t used = ctx->memory_used, allocations = ctx->num_allocations;
    /* Only a first run with its key is judged: otherwise the copies skip
     * their source checks (uncapturable already set). */
    int judging = graphs && fn->graph_state == 0;
    if (cu) {
      cu->uncapturable = !judging;
      cu->entry_image = NULL;
      Dl_info where;
      void *entry;
      memcpy(&entry, &fn->entry, sizeof entry);
      if (judging && dladdr(entry, &where))
        cu->entry_image = where.dli_fbase;
    }
    fn->entry(args);
    if (judging)
      fn->graph_state = !cu->uncapturable &&
                                ctx->device_status == TESSERA_SUCCESS &&
                                ctx->memory_used == used &&
                                ctx->num_allocations == allocations
                            ? 1
                            : -1;
  }
  if (cu) {
    device_error(ctx, ctx->cuda->cuStreamSynchronize(ctx->cuda->stream),
                 "cuStreamSynchronize");
    ctx->cuda->host_read = 0;
    ctx->cuda->pending = 0;
  }
  return device_leave(ctx);
}

static tessera_status invoke_buffers(tessera_function *fn,
                                     tessera_buffer *const *inputs,
                                     size_t num_inputs,
                                     tessera_buffer *const *outputs,
                                     size_t num_outputs, int wait) {
  tessera_status counted = check_counts(fn, num_inputs, inputs != NULL,
                                        num_outputs, outputs != NULL);
  if (counted != TESSERA_SUCCESS)
    return counted;
  tessera_context *ctx = fn->module->ctx;
  size_t words = 0;
  for (size_t i = 0; i < num_inputs + num_outputs; ++i) {
    int is_input = i < num_inputs;
    size_t index = is_input ? i : i - num_inputs;
    const value_desc *v = is_input ? &fn->inputs[i] : &fn->outputs[index];
    const tessera_buffer *b = is_input ? inputs[i] : outputs[index];
    const char *role = is_input ? "input" : "output";
    if (!v->is_tensor)
      return rt_fail(ctx, TESSERA_ERROR_INVALID_ARGUMENT,
                     "%s: %s #%zu is a scalar; tessera_invoke_buffers runs "
                     "entries whose values are all tensors (use "
                     "tessera_invoke)",
                     fn->name, role, index);
    if (!b || b->ctx != ctx)
      return rt_fail(ctx, TESSERA_ERROR_INVALID_ARGUMENT,
                     "%s: %s #%zu is %s", fn->name, role, index,
                     b ? "a buffer of another context" : "NULL");
    size_t bytes = tessera_dtype_size(v->dtype);
    for (int32_t d = 0; d < v->rank; ++d)
      bytes *= (size_t)v->shape[d];
    if (b->size < bytes)
      return rt_fail(ctx, TESSERA_ERROR_SIGNATURE_MISMATCH,
                     "%s: %s #%zu is a buffer of %zu bytes, the entry's "
                     "tensor needs %zu",
                     fn->name, role, index, b->size, bytes);
    /* Buffers are separate allocations: aliasing means the same one. */
    for (size_t j = 0; !is_input && j < num_inputs + num_outputs; ++j)
      if (j != i && (j < num_inputs ? inputs[j] : outputs[j - num_inputs]) == b)
        return rt_fail(ctx, TESSERA_ERROR_INVALID_ARGUMENT,
                       "%s: output #%zu is also %s #%zu; outputs need their "
                       "own buffers",
                       fn->name, index, j < num_inputs ? "input" : "output",
                       j < num_inputs ? j : j - num_inputs);
    words += 3 + 2 * (size_t)v->rank;
  }
  void **args = calloc(num_inputs + num_outputs + 1, sizeof *args);
  int64_t *descriptors = calloc(words ? words : 1, sizeof *descriptors);
  if (!args || !descriptors) {
    free(args);
    free(descriptors);
    return rt_fail(ctx, TESSERA_ERROR_OUT_OF_MEMORY, "out of host memory");
  }
  size_t word = 0;
  for (size_t i = 0; i < num_inputs + num_outputs; ++i) {
    int is_input = i < num_inputs;
    const value_desc *v =
        is_input ? &fn->inputs[i] : &fn->outputs[i - num_inputs];
    tessera_buffer *b = is_input ? inputs[i] : outputs[i - num_inputs];
    fill_descriptor(&descriptors[word], v, b->data);
    args[i] = &descriptors[word];
    word += 3 + 2 * (size_t)v->rank;
  }
  tessera_status status = call_entry(fn, args, descriptors, word, wait);
  free(args);
  free(descriptors);
  return status;
}

tessera_status tessera_invoke_buffers(tessera_function *fn,
                                      tessera_buffer *const *inputs,
                                      size_t num_inputs,
                                      tessera_buffer *const *outputs,
                                      size_t num_outputs) {
  return invoke_buffers(fn, inputs, num_inputs, outputs, num_outputs, 1);
}

tessera_status tessera_invoke_buffers_async(tessera_function *fn,
                                            tessera_buffer *const *inputs,
                                            size_t num_inputs,
                                            tessera_buffer *const *outputs,
                                            size_t num_outputs) {
  return invoke_buffers(fn, inputs, num_inputs, outputs, num_outputs, 0);
}

tessera_status tessera_context_synchronize(tessera_context *ctx) {
  if (!ctx)
    return TESSERA_ERROR_INVALID_ARGUMENT;
  return ctx->cuda ? wait_stream(ctx) : TESSERA_SUCCESS;
}

void *tessera_context_stream(const tessera_context *ctx) {
  return ctx && ctx->cuda ? ctx->cuda->stream : NULL;
}

tessera_status tessera_invoke(tessera_function *fn,
                              const tessera_tensor *inputs, size_t num_inputs,
                              tessera_tensor *outputs, size_t num_outputs) {
  tessera_status counted = check_counts(fn, num_inputs, inputs != NULL,
                                        num_outputs, outputs != NULL);
  if (counted != TESSERA_SUCCESS)
    return counted;
  tessera_context *ctx = fn->module->ctx;
  for (size_t i = 0; i < num_inputs; ++i) {
    tessera_status s = check_tensor(fn, &fn->inputs[i], &inputs[i], "input", i);
    if (s != TESSERA_SUCCESS)
      return s;
  }
  size_t num_tensor_outputs = 0, num_scalar_outputs = 0, words = 0;
  for (size_t i = 0; i < num_outputs; ++i) {
    tessera_status s =
        check_tensor(fn, &fn->outputs[i], &outputs[i], "output", i);
    if (s != TESSERA_SUCCESS)
      return s;
    if (fn->outputs[i].is_tensor) {
      ++num_tensor_outputs;
      words += 3 + 2 * (size_t)fn->outputs[i].rank;
    } else {
      ++num_scalar_outputs;
    }
  }
  for (size_t i = 0; i < num_inputs; ++i)
    if (fn->inputs[i].is_tensor)
      words += 3 + 2 * (size_t)fn->inputs[i].rank;
  /* Entry points are compiled with their buffers marked noalias: an output
   * may not share memory with an input or another output. */
  for (size_t i = 0; i < num_outputs; ++i) {
    for (size_t j = 0; j < num_inputs + num_outputs; ++j) {
      int is_input = j < num_inputs;
      const tessera_tensor *other = is_input ? &inputs[j] : &outputs[j - num_inputs];
      if (!is_input && j - num_inputs == i)
        continue;
      if (overlaps(&outputs[i], other))
        return rt_fail(ctx, TESSERA_ERROR_INVALID_ARGUMENT,
                    "%s: output #%zu overlaps %s #%zu; outputs need their "
                    "own memory",
                    fn->name, i, is_input ? "input" : "output",
                    is_input ? j : j - num_inputs);
    }
  }

  /* Several scalar results come back as one struct with natural alignment. */
  size_t struct_size = 0, struct_align = 1;
  for (size_t i = 0; i < num_outputs; ++i)
    if (!fn->outputs[i].is_tensor) {
      size_t size = tessera_dtype_size(fn->outputs[i].dtype);
      struct_size = (struct_size + size - 1) / size * size + size;
      struct_align = size > struct_align ? size : struct_align;
    }
  struct_size = (struct_size + struct_align - 1) / struct_align * struct_align;

  size_t num_slots = num_inputs + num_tensor_outputs + 1;
  void **args = calloc(num_slots, sizeof *args);
  int64_t *descriptors = calloc(words ? words : 1, sizeof *descriptors);
  void *scalars = num_scalar_outputs > 1 ? calloc(1, struct_size) : NULL;
  if (!args || !descriptors || (num_scalar_outputs > 1 && !scalars)) {
    free(args);
    free(descriptors);
    free(scalars);
    return rt_fail(ctx, TESSERA_ERROR_OUT_OF_MEMORY, "out of host memory");
  }
  /* cuda: the entry takes device buffers; stage the caller's tensors. */
  void **staged = NULL;
  tessera_status status = TESSERA_SUCCESS;
  if (ctx->cuda) {
    staged = calloc(num_inputs + num_outputs + 1, sizeof *staged);
    if (!staged)
      status = rt_fail(ctx, TESSERA_ERROR_OUT_OF_MEMORY, "out of host memory");
    device_enter(ctx);
    for (size_t i = 0; status == TESSERA_SUCCESS && i < num_inputs + num_outputs;
         ++i) {
      int is_input = i < num_inputs;
      const value_desc *v =
          is_input ? &fn->inputs[i] : &fn->outputs[i - num_inputs];
      const tessera_tensor *t =
          is_input ? &inputs[i] : &outputs[i - num_inputs];
      size_t bytes = tensor_bytes(t);
      if (!v->is_tensor || !bytes)
        continue;
      if (!within_limit(ctx, bytes)) {
        status = rt_fail(ctx, TESSERA_ERROR_OUT_OF_MEMORY,
                      "%s: staging %s #%zu (%zu bytes) exceeds the context's "
                      "limit",
                      fn->name, is_input ? "input" : "output",
                      is_input ? i : i - num_inputs, bytes);
        break;
      }
      CUdeviceptr pointer = 0;
      CUresult r = ctx->cuda->cuMemAlloc(&pointer, bytes);
      if (r == 0 && is_input)
        r = ctx->cuda->cuMemcpyHtoD(pointer, t->data, bytes);
      if (pointer)
        staged[i] = (void *)(uintptr_t)pointer;
      if (r != 0)
        status = cuda_fail(ctx, r, "staging the entry's tensors");
    }
    device_leave(ctx);
  }

  size_t slot = 0, word = 0;
  for (size_t i = 0; i < num_inputs; ++i) {
    if (fn->inputs[i].is_tensor) {
      fill_descriptor(&descriptors[word], &fn->inputs[i],
                      staged ? staged[i] : inputs[i].data);
      args[slot++] = &descriptors[word];
      word += 3 + 2 * (size_t)fn->inputs[i].rank;
    } else {
      args[slot++] = inputs[i].data;
    }
  }
  void *single_scalar = NULL;
  for (size_t i = 0; i < num_outputs; ++i) {
    if (fn->outputs[i].is_tensor) {
      fill_descriptor(&descriptors[word], &fn->outputs[i],
                      staged ? staged[num_inputs + i] : outputs[i].data);
      args[slot++] = &descriptors[word];
      word += 3 + 2 * (size_t)fn->outputs[i].rank;
    } else {
      single_scalar = outputs[i].data;
    }
  }
  args[slot] = num_scalar_outputs > 1 ? scalars : single_scalar;

  if (status == TESSERA_SUCCESS)
    status = call_entry(fn, args, NULL, 0, 1);
  if (ctx->cuda) {
    device_enter(ctx);
    for (size_t i = 0; i < num_outputs && staged; ++i) {
      size_t bytes = tensor_bytes(&outputs[i]);
      if (status == TESSERA_SUCCESS && fn->outputs[i].is_tensor && bytes) {
        CUresult r = ctx->cuda->cuMemcpyDtoH(
            outputs[i].data, (CUdeviceptr)(uintptr_t)staged[num_inputs + i],
            bytes);
        if (r != 0)
          status = cuda_fail(ctx, r, "reading the entry's outputs");
      }
    }
    for (size_t i = 0; staged && i < num_inputs + num_outputs; ++i)
      if (staged[i])
        ctx->cuda->cuMemFree((CUdeviceptr)(uintptr_t)staged[i]);
    device_leave(ctx);
    free(staged);
  }
  if (status != TESSERA_SUCCESS) {
    free(args);
    free(descriptors);
    free(scalars);
    return status;
  }

  if (num_scalar_outputs > 1) {
    size_t offset = 0;
    for (size_t i = 0; i < num_outputs; ++i)
      if (!fn->outputs[i].is_tensor) {
        size_t size = tessera_dtype_size(fn->outputs[i].dtype);
        offset = (offset + size - 1) / size * size;
        memcpy(outputs[i].data, (char *)scalars + offset, size);
        offset += size;
      }
  }
  free(args);
  free(descriptors);
  free(scalars);
  return TESSERA_SUCCESS;
}
