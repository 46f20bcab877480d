/*===- runtime.c - the Tessera C runtime ----------------------------------===*
 *
 * CPU backend: an artifact is a host shared object; loading is dlopen (from a
 * memfd for bytes), invoking calls `_tessera_entry_<name>(void **args)` with
 * memref descriptors built over the caller's tensors. The CUDA and HIP
 * backends dlopen their driver when the context is created, so a missing
 * driver is reported where users expect it; launching device code is not in
 * this build yet.
 *
 *===----------------------------------------------------------------------===*/

#define _GNU_SOURCE
#include "tessera/runtime.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
};

struct tessera_module {
  tessera_context *ctx;
  void *handle;
  /* The memfd of an artifact loaded from bytes, open while the module is
   * loaded: dlopen matches by path, and a reused /proc/self/fd/N would
   * hand back another module. -1 for files. */
  int memfd;
  size_t num_functions;
  tessera_function *functions;
  tessera_module *prev, *next;
};

struct tessera_buffer {
  tessera_context *ctx;
  size_t size;
  void *data;
  tessera_buffer *prev, *next;
};

struct tessera_context {
  tessera_backend backend;
  size_t memory_limit, memory_used;
  void *driver;
  tessera_module *modules;
  tessera_buffer *buffers;
  char error[kErrorSize];
};

static tessera_status fail(tessera_context *ctx, tessera_status status,
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
  void *handle = NULL;
  if (driver) {
    const char *path = options->driver_path ? options->driver_path : driver;
    handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!handle)
      CREATE_FAIL(TESSERA_ERROR_UNAVAILABLE,
                  "%s backend: cannot load the driver library %s: %s",
                  options->backend == TESSERA_BACKEND_CUDA ? "cuda" : "hip",
                  path, dlerror());
    dlclose(handle);
    CREATE_FAIL(TESSERA_ERROR_UNIMPLEMENTED,
                "%s backend: the driver loads, but this runtime launches "
                "device code only once tessera-compile emits GPU artifacts",
                options->backend == TESSERA_BACKEND_CUDA ? "cuda" : "hip");
  }
  tessera_context *ctx = calloc(1, sizeof *ctx);
  if (!ctx)
    CREATE_FAIL(TESSERA_ERROR_OUT_OF_MEMORY,
                "tessera_context_create: out of host memory");
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
    return fail(ctx, TESSERA_ERROR_INVALID_ARGUMENT,
                "tessera_buffer_alloc: ctx and out must not be NULL");
  *out = NULL;
  if (bytes == 0)
    return fail(ctx, TESSERA_ERROR_INVALID_ARGUMENT,
                "tessera_buffer_alloc: zero bytes requested");
  if (ctx->memory_limit &&
      (bytes > ctx->memory_limit ||
       ctx->memory_used > ctx->memory_limit - bytes))
    return fail(ctx, TESSERA_ERROR_OUT_OF_MEMORY,
                "tessera_buffer_alloc: %zu bytes exceed the context's limit "
                "(%zu of %zu bytes in use)",
                bytes, ctx->memory_used, ctx->memory_limit);
  tessera_buffer *buffer = calloc(1, sizeof *buffer);
  void *data = NULL;
  /* 64-byte alignment: whole cache lines and any vector width. */
  size_t rounded = (bytes + 63) / 64 * 64;
  if (!buffer || rounded < bytes || !(data = aligned_alloc(64, rounded))) {
    free(buffer);
    return fail(ctx, TESSERA_ERROR_OUT_OF_MEMORY,
                "tessera_buffer_alloc: cannot allocate %zu bytes", bytes);
  }
  buffer->ctx = ctx;
  buffer->size = bytes;
  buffer->data = data;
  buffer->next = ctx->buffers;
  if (ctx->buffers)
    ctx->buffers->prev = buffer;
  ctx->buffers = buffer;
  ctx->memory_used += bytes;
  *out = buffer;
  return TESSERA_SUCCESS;
}

void tessera_buffer_free(tessera_buffer *buffer) {
  if (!buffer)
    return;
  tessera_context *ctx = buffer->ctx;
  if (buffer->prev)
    buffer->prev->next = buffer->next;
  else
    ctx->buffers = buffer->next;
  if (buffer->next)
    buffer->next->prev = buffer->prev;
  ctx->memory_used -= buffer->size;
  free(buffer->data);
  free(buffer);
}

size_t tessera_buffer_size(const tessera_buffer *buffer) {
  return buffer ? buffer->size : 0;
}

void *tessera_buffer_host_pointer(tessera_buffer *buffer) {
  return buffer ? buffer->data : NULL;
}

static tessera_status check_range(tessera_buffer *buffer, const void *host,
                                  size_t offset, size_t bytes,
                                  const char *what) {
  if (!buffer)
    return TESSERA_ERROR_INVALID_ARGUMENT;
  if (!host && bytes)
    return fail(buffer->ctx, TESSERA_ERROR_INVALID_ARGUMENT,
                "%s: NULL host pointer", what);
  if (offset > buffer->size || bytes > buffer->size - offset)
    return fail(buffer->ctx, TESSERA_ERROR_INVALID_ARGUMENT,
                "%s: bytes [%zu, %zu + %zu) outside the %zu-byte buffer",
                what, offset, offset, bytes, buffer->size);
  return TESSERA_SUCCESS;
}

tessera_status tessera_buffer_write(tessera_buffer *buffer, size_t offset,
                                    const void *src, size_t bytes) {
  tessera_status s =
      check_range(buffer, src, offset, bytes, "tessera_buffer_write");
  if (s == TESSERA_SUCCESS && bytes)
    memcpy((char *)buffer->data + offset, src, bytes);
  return s;
}

tessera_status tessera_buffer_read(tessera_buffer *buffer, size_t offset,
                                   void *dst, size_t bytes) {
  tessera_status s =
      check_range(buffer, dst, offset, bytes, "tessera_buffer_read");
  if (s == TESSERA_SUCCESS && bytes)
    memcpy(dst, (char *)buffer->data + offset, bytes);
  return s;
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

static void free_functions(tessera_module *m) {
  for (size_t i = 0; i < m->num_functions; ++i) {
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
    return fail(ctx, TESSERA_ERROR_OUT_OF_MEMORY, "out of host memory");
  tessera_status status = TESSERA_SUCCESS;
  char *save = NULL;
  int line_no = 0;
  char *line;
#define NEXT_LINE() (++line_no, strtok_r(line_no == 1 ? copy : NULL, "\n", &save))
#define BAD(...)                                                               \
  do {                                                                         \
    status = fail(ctx, TESSERA_ERROR_CORRUPT_ARTIFACT, __VA_ARGS__);           \
    goto done;                                                                 \
  } while (0)
  line = NEXT_LINE();
  if (!line || strcmp(line, "tessera-artifact 1"))
    BAD("manifest: expected 'tessera-artifact 1' on line 1");
  line = NEXT_LINE();
  if (!line || strncmp(line, "target ", 7))
    BAD("manifest: expected 'target <name>' on line 2");
  if (strcmp(line + 7, "cpu"))
    BAD("manifest: the artifact targets '%s'; this runtime runs cpu "
        "artifacts",
        line + 7);
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

static tessera_status load_handle(tessera_context *ctx, const char *path,
                                  const char *what, int memfd,
                                  tessera_module **out) {
  void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!handle)
    return fail(ctx, TESSERA_ERROR_CORRUPT_ARTIFACT,
                "%s: not a loadable artifact (%s)", what, dlerror());
  const char *manifest = dlsym(handle, "tessera_manifest");
  if (!manifest) {
    dlclose(handle);
    return fail(ctx, TESSERA_ERROR_CORRUPT_ARTIFACT,
                "%s: a shared object but not a Tessera artifact (no "
                "tessera_manifest)",
                what);
  }
  tessera_module *m = calloc(1, sizeof *m);
  if (!m) {
    dlclose(handle);
    return fail(ctx, TESSERA_ERROR_OUT_OF_MEMORY, "out of host memory");
  }
  m->ctx = ctx;
  m->handle = handle;
  m->memfd = memfd;
  tessera_status status = parse_manifest(m, manifest);
  if (status != TESSERA_SUCCESS) {
    dlclose(handle);
    free(m);
    return status;
  }
  m->next = ctx->modules;
  if (ctx->modules)
    ctx->modules->prev = m;
  ctx->modules = m;
  *out = m;
  return TESSERA_SUCCESS;
}

tessera_status tessera_module_load_file(tessera_context *ctx,
                                        const char *path,
                                        tessera_module **out) {
  if (!ctx || !path || !out)
    return fail(ctx, TESSERA_ERROR_INVALID_ARGUMENT,
                "tessera_module_load_file: ctx, path and out must not be "
                "NULL");
  *out = NULL;
  if (access(path, R_OK) != 0)
    return fail(ctx, TESSERA_ERROR_NOT_FOUND, "cannot read %s: %s", path,
                strerror(errno));
  /* dlopen searches the library path for names without a slash. */
  char *resolved = realpath(path, NULL);
  if (!resolved)
    return fail(ctx, TESSERA_ERROR_NOT_FOUND, "cannot resolve %s: %s", path,
                strerror(errno));
  tessera_status status = load_handle(ctx, resolved, path, -1, out);
  free(resolved);
  return status;
}

tessera_status tessera_module_load_bytes(tessera_context *ctx,
                                         const void *bytes, size_t size,
                                         tessera_module **out) {
  if (!ctx || !bytes || !size || !out)
    return fail(ctx, TESSERA_ERROR_INVALID_ARGUMENT,
                "tessera_module_load_bytes: ctx, bytes and out must not be "
                "NULL and size must not be 0");
  *out = NULL;
  int fd = memfd_create("tessera-artifact", MFD_CLOEXEC);
  if (fd < 0)
    return fail(ctx, TESSERA_ERROR_OUT_OF_MEMORY, "memfd_create: %s",
                strerror(errno));
  for (size_t done = 0; done < size;) {
    ssize_t n = write(fd, (const char *)bytes + done, size - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      close(fd);
      return fail(ctx, TESSERA_ERROR_OUT_OF_MEMORY,
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
  if (m->prev)
    m->prev->next = m->next;
  else
    ctx->modules = m->next;
  if (m->next)
    m->next->prev = m->prev;
  free_functions(m);
  dlclose(m->handle);
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
    return fail(m ? m->ctx : NULL, TESSERA_ERROR_INVALID_ARGUMENT,
                "tessera_module_get_function: module, name and out must not "
                "be NULL");
  *out = NULL;
  for (size_t i = 0; i < m->num_functions; ++i)
    if (strcmp(m->functions[i].name, name) == 0) {
      *out = &m->functions[i];
      return TESSERA_SUCCESS;
    }
  return fail(m->ctx, TESSERA_ERROR_NOT_FOUND,
              "the artifact has no entry point '%s'", name);
}

/*===-- Functions ---------------------------------------------------------===*/

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
    return fail(fn->module->ctx, TESSERA_ERROR_INVALID_ARGUMENT,
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
    return fail(ctx, TESSERA_ERROR_SIGNATURE_MISMATCH,
                "%s: %s #%zu has dtype %s, the entry expects %s", fn->name,
                role, index,
                tessera_dtype_name(t->dtype) ? tessera_dtype_name(t->dtype)
                                             : "<unknown>",
                tessera_dtype_name(v->dtype));
  if (t->rank != v->rank)
    return fail(ctx, TESSERA_ERROR_SIGNATURE_MISMATCH,
                "%s: %s #%zu has rank %d, the entry expects %d", fn->name,
                role, index, (int)t->rank, (int)v->rank);
  if (t->rank > 0 && !t->shape)
    return fail(ctx, TESSERA_ERROR_INVALID_ARGUMENT,
                "%s: %s #%zu has rank %d and a NULL shape", fn->name, role,
                index, (int)t->rank);
  int64_t elements = 1;
  for (int32_t d = 0; d < t->rank; ++d) {
    if (t->shape[d] != v->shape[d])
      return fail(ctx, TESSERA_ERROR_SIGNATURE_MISMATCH,
                  "%s: %s #%zu has size %lld in dimension %d, the entry "
                  "expects %lld",
                  fn->name, role, index, (long long)t->shape[d], (int)d,
                  (long long)v->shape[d]);
    elements *= v->shape[d];
  }
  if (!t->data && elements)
    return fail(ctx, TESSERA_ERROR_INVALID_ARGUMENT,
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

tessera_status tessera_invoke(tessera_function *fn,
                              const tessera_tensor *inputs, size_t num_inputs,
                              tessera_tensor *outputs, size_t num_outputs) {
  if (!fn)
    return TESSERA_ERROR_INVALID_ARGUMENT;
  tessera_context *ctx = fn->module->ctx;
  if (num_inputs != fn->num_inputs || num_outputs != fn->num_outputs)
    return fail(ctx, TESSERA_ERROR_SIGNATURE_MISMATCH,
                "%s: called with %zu inputs and %zu outputs, the entry takes "
                "%zu and %zu",
                fn->name, num_inputs, num_outputs, fn->num_inputs,
                fn->num_outputs);
  if ((num_inputs && !inputs) || (num_outputs && !outputs))
    return fail(ctx, TESSERA_ERROR_INVALID_ARGUMENT,
                "%s: NULL inputs or outputs array", fn->name);
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
        return fail(ctx, TESSERA_ERROR_INVALID_ARGUMENT,
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
    return fail(ctx, TESSERA_ERROR_OUT_OF_MEMORY, "out of host memory");
  }
  size_t slot = 0, word = 0;
  for (size_t i = 0; i < num_inputs; ++i) {
    if (fn->inputs[i].is_tensor) {
      fill_descriptor(&descriptors[word], &fn->inputs[i], inputs[i].data);
      args[slot++] = &descriptors[word];
      word += 3 + 2 * (size_t)fn->inputs[i].rank;
    } else {
      args[slot++] = inputs[i].data;
    }
  }
  void *single_scalar = NULL;
  for (size_t i = 0; i < num_outputs; ++i) {
    if (fn->outputs[i].is_tensor) {
      fill_descriptor(&descriptors[word], &fn->outputs[i], outputs[i].data);
      args[slot++] = &descriptors[word];
      word += 3 + 2 * (size_t)fn->outputs[i].rank;
    } else {
      single_scalar = outputs[i].data;
    }
  }
  args[slot] = num_scalar_outputs > 1 ? scalars : single_scalar;

  fn->entry(args);

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
