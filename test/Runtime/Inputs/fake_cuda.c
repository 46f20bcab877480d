/* A stand-in for libcuda.so.1, so that the CUDA backend's host side runs in
 * CI, where there is no GPU: "device" memory is host memory, streams are in
 * order and synchronous, modules load anything, kernels do not run (their
 * launches are counted, as are stream synchronisations and copies).
 * Stream capture records launches into a graph instead (counted as
 * captured); launching the graph counts as one graph launch.
 * FAKE_CUDA_FAIL=<entry point> makes that entry point fail with 719
 * (CUDA_ERROR_LAUNCH_FAILED). fake_cuda_counts and fake_cuda_graph_counts
 * read the counters. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef int CUresult;
typedef unsigned long long CUdeviceptr;

enum { kLaunchFailed = 719, kOutOfMemory = 2, kInvalidValue = 1 };

static int syncs, launches, copies, captured, graph_launches;
static int capturing;
static int context, stream, module, function, event, pool, graph, graph_exec;
/* The dynamic shared memory the (one) function may launch with: 48 KB
 * unless raised by cuFuncSetAttribute, up to an H100's 227 KB. */
static int function_smem = 48 * 1024;

static int failing(const char *name) {
  const char *f = getenv("FAKE_CUDA_FAIL");
  return f && !strcmp(f, name);
}

void fake_cuda_counts(int *out_syncs, int *out_launches, int *out_copies) {
  *out_syncs = syncs;
  *out_launches = launches;
  *out_copies = copies;
}

void fake_cuda_graph_counts(int *out_captured, int *out_graph_launches) {
  *out_captured = captured;
  *out_graph_launches = graph_launches;
}

void fake_cuda_reset(void) {
  syncs = launches = copies = captured = graph_launches = 0;
}

CUresult cuInit(unsigned flags) { (void)flags; return 0; }
CUresult cuDeviceGet(int *device, int ordinal) { *device = ordinal; return 0; }
CUresult cuDevicePrimaryCtxRetain(void **ctx, int device) {
  (void)device;
  *ctx = &context;
  return 0;
}
CUresult cuDevicePrimaryCtxRelease_v2(int device) { (void)device; return 0; }
CUresult cuCtxPushCurrent_v2(void *ctx) { (void)ctx; return 0; }
CUresult cuCtxPopCurrent_v2(void **ctx) {
  if (ctx)
    *ctx = &context;
  return 0;
}
CUresult cuStreamCreate(void **s, unsigned flags) {
  (void)flags;
  *s = &stream;
  return 0;
}
CUresult cuStreamDestroy_v2(void *s) { (void)s; return 0; }
CUresult cuStreamSynchronize(void *s) {
  (void)s;
  ++syncs;
  return 0;
}
CUresult cuModuleLoadData(void **m, const void *image) {
  (void)image;
  *m = &module;
  return 0;
}
CUresult cuModuleUnload(void *m) { (void)m; return 0; }
CUresult cuModuleGetFunction(void **f, void *m, const char *name) {
  (void)m;
  (void)name;
  *f = &function;
  return 0;
}
CUresult cuFuncSetAttribute(void *f, int attribute, int value) {
  (void)f;
  if (failing("cuFuncSetAttribute"))
    return kInvalidValue;
  /* CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES */
  if (attribute != 8 || value < 0 || value > 227 * 1024)
    return kInvalidValue;
  function_smem = value;
  return 0;
}
CUresult cuLaunchKernel(void *f, unsigned gx, unsigned gy, unsigned gz,
                        unsigned bx, unsigned by, unsigned bz, unsigned smem,
                        void *s, void **params, void **extra) {
  (void)f, (void)gx, (void)gy, (void)gz, (void)bx, (void)by, (void)bz;
  (void)s, (void)params, (void)extra;
  if (failing("cuLaunchKernel"))
    return kLaunchFailed;
  if (smem > (unsigned)function_smem)
    return kInvalidValue;
  if (capturing)
    ++captured;
  else
    ++launches;
  return 0;
}
CUresult cuStreamBeginCapture_v2(void *s, int mode) {
  (void)s, (void)mode;
  if (failing("cuStreamBeginCapture_v2"))
    return kLaunchFailed;
  capturing = 1;
  return 0;
}
CUresult cuStreamEndCapture(void *s, void **g) {
  (void)s;
  capturing = 0;
  *g = &graph;
  return 0;
}
CUresult cuGraphInstantiateWithFlags(void **e, void *g, unsigned long long f) {
  (void)g, (void)f;
  if (failing("cuGraphInstantiateWithFlags"))
    return kLaunchFailed;
  *e = &graph_exec;
  return 0;
}
CUresult cuGraphLaunch(void *e, void *s) {
  (void)e, (void)s;
  ++graph_launches;
  return 0;
}
CUresult cuGraphExecDestroy(void *e) { (void)e; return 0; }
CUresult cuGraphDestroy(void *g) { (void)g; return 0; }
/* "Device" allocations, so that cuPointerGetAttribute tells them from
 * host memory. */
enum { kMaxAllocations = 4096 };
static CUdeviceptr allocated[kMaxAllocations];
static size_t allocated_sizes[kMaxAllocations];
static int num_allocated;

CUresult cuMemAlloc_v2(CUdeviceptr *p, size_t bytes) {
  if (num_allocated == kMaxAllocations)
    return kOutOfMemory;
  void *m = calloc(1, bytes ? bytes : 1);
  if (!m)
    return kOutOfMemory;
  *p = (CUdeviceptr)(uintptr_t)m;
  allocated_sizes[num_allocated] = bytes ? bytes : 1;
  allocated[num_allocated++] = *p;
  return 0;
}
CUresult cuMemFree_v2(CUdeviceptr p) {
  for (int i = 0; i < num_allocated; ++i)
    if (allocated[i] == p) {
      allocated[i] = allocated[--num_allocated];
      allocated_sizes[i] = allocated_sizes[num_allocated];
      break;
    }
  free((void *)(uintptr_t)p);
  return 0;
}
CUresult cuPointerGetAttribute(void *data, int attribute, CUdeviceptr p) {
  if (attribute != 2 /* CU_POINTER_ATTRIBUTE_MEMORY_TYPE */)
    return 1; /* CUDA_ERROR_INVALID_VALUE */
  for (int i = 0; i < num_allocated; ++i)
    if (p >= allocated[i] && p < allocated[i] + allocated_sizes[i]) {
      *(unsigned *)data = 2; /* CU_MEMORYTYPE_DEVICE */
      return 0;
    }
  return 1; /* not the driver's: host memory */
}
CUresult cuMemAllocAsync(CUdeviceptr *p, size_t bytes, void *s) {
  (void)s;
  return cuMemAlloc_v2(p, bytes);
}
CUresult cuMemFreeAsync(CUdeviceptr p, void *s) {
  (void)s;
  return cuMemFree_v2(p);
}
CUresult cuMemAllocManaged(CUdeviceptr *p, size_t bytes, unsigned flags) {
  (void)flags;
  return cuMemAlloc_v2(p, bytes);
}
CUresult cuMemcpyAsync(CUdeviceptr dst, CUdeviceptr src, size_t bytes,
                       void *s) {
  (void)s;
  ++copies;
  memcpy((void *)(uintptr_t)dst, (const void *)(uintptr_t)src, bytes);
  return 0;
}
CUresult cuMemcpyHtoD_v2(CUdeviceptr dst, const void *src, size_t bytes) {
  memcpy((void *)(uintptr_t)dst, src, bytes);
  return 0;
}
CUresult cuMemcpyDtoH_v2(void *dst, CUdeviceptr src, size_t bytes) {
  memcpy(dst, (const void *)(uintptr_t)src, bytes);
  return 0;
}
/* `count` copies of the `size`-byte `value` from `dst` on. */
static void fill(CUdeviceptr dst, const void *value, size_t size,
                 size_t count) {
  unsigned char *d = (unsigned char *)(uintptr_t)dst;
  for (size_t i = 0; i < count; ++i)
    memcpy(d + i * size, value, size);
}
CUresult cuMemsetD32Async(CUdeviceptr dst, unsigned value, size_t count,
                          void *s) {
  (void)s;
  uint32_t v = value;
  fill(dst, &v, sizeof v, count);
  return 0;
}
CUresult cuMemsetD16Async(CUdeviceptr dst, unsigned short value, size_t count,
                          void *s) {
  (void)s;
  uint16_t v = value;
  fill(dst, &v, sizeof v, count);
  return 0;
}
CUresult cuEventCreate(void **e, unsigned flags) {
  (void)flags;
  *e = &event;
  return 0;
}
CUresult cuEventDestroy_v2(void *e) { (void)e; return 0; }
CUresult cuEventRecord(void *e, void *s) { (void)e, (void)s; return 0; }
CUresult cuEventSynchronize(void *e) { (void)e; return 0; }
CUresult cuStreamWaitEvent(void *s, void *e, unsigned flags) {
  (void)s, (void)e, (void)flags;
  return 0;
}
CUresult cuGetErrorString(CUresult r, const char **text) {
  *text = r == kLaunchFailed   ? "unspecified launch failure (fake driver)"
          : r == kInvalidValue ? "invalid argument (fake driver)"
                               : "error (fake driver)";
  return 0;
}
CUresult cuDeviceGetDefaultMemPool(void **p, int device) {
  (void)device;
  *p = &pool;
  return 0;
}
CUresult cuMemPoolSetAttribute(void *p, int attribute, void *value) {
  (void)p, (void)attribute, (void)value;
  return 0;
}
