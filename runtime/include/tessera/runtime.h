/*===- tessera/runtime.h - the Tessera C runtime ------------------*- C -*-===*
 *
 * libtessera_rt loads artifacts written by `tessera-compile` and invokes
 * their entry points with typed tensors. C11, no MLIR dependency. Every
 * object belongs to a context; separate contexts may be used from separate
 * threads concurrently. Every call returns a status; the message of the
 * latest failure in a context is `tessera_context_error(ctx)`.
 *
 *===----------------------------------------------------------------------===*/

#ifndef TESSERA_RUNTIME_H
#define TESSERA_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum tessera_status {
  TESSERA_SUCCESS = 0,
  /** A null pointer, an unknown enum value, a zero-sized request. */
  TESSERA_ERROR_INVALID_ARGUMENT,
  /** The backend's driver library (libcuda.so.1, libamdhip64.so) is missing. */
  TESSERA_ERROR_UNAVAILABLE,
  /** A feature this build of the runtime does not have yet. */
  TESSERA_ERROR_UNIMPLEMENTED,
  /** The file or bytes are not a loadable Tessera artifact. */
  TESSERA_ERROR_CORRUPT_ARTIFACT,
  /** No entry point of that name; no such file. */
  TESSERA_ERROR_NOT_FOUND,
  /** Argument count, dtype, rank or shape differ from the entry's. */
  TESSERA_ERROR_SIGNATURE_MISMATCH,
  /** An allocation failed or exceeded the context's memory limit. */
  TESSERA_ERROR_OUT_OF_MEMORY,
} tessera_status;

/** A short constant name of `status` ("invalid argument", ...). */
const char *tessera_status_string(tessera_status status);

typedef enum tessera_backend {
  TESSERA_BACKEND_CPU = 0,
  TESSERA_BACKEND_CUDA,
  TESSERA_BACKEND_HIP,
} tessera_backend;

typedef enum tessera_dtype {
  TESSERA_DTYPE_F32 = 0,
  TESSERA_DTYPE_F16,
  TESSERA_DTYPE_BF16,
  TESSERA_DTYPE_F64,
  TESSERA_DTYPE_I1, /* stored as one byte */
  TESSERA_DTYPE_I8,
  TESSERA_DTYPE_I16,
  TESSERA_DTYPE_I32,
  TESSERA_DTYPE_I64,
} tessera_dtype;

/** Bytes per element (0 for an unknown dtype). */
size_t tessera_dtype_size(tessera_dtype dtype);
/** The manifest spelling ("f32", "bf16", "i64", ...); NULL if unknown. */
const char *tessera_dtype_name(tessera_dtype dtype);

/** A dense row-major tensor in host memory. A scalar is a rank-0 tensor. */
typedef struct tessera_tensor {
  tessera_dtype dtype;
  int32_t rank;
  const int64_t *shape; /* rank entries; may be NULL when rank == 0 */
  void *data;
} tessera_tensor;

typedef struct tessera_context tessera_context;
typedef struct tessera_module tessera_module;
typedef struct tessera_function tessera_function;
typedef struct tessera_buffer tessera_buffer;

typedef struct tessera_context_options {
  tessera_backend backend;
  /** Driver library to dlopen instead of the backend's default; NULL for
   *  the default. Ignored by the CPU backend. */
  const char *driver_path;
  /** Upper bound on the bytes of live buffers; 0 for no bound. */
  size_t memory_limit;
} tessera_context_options;

/** Creates a context. On failure `*out` is NULL and, when `error` is not
 *  NULL, the reason is written there (NUL-terminated, truncated to
 *  `error_size`). */
tessera_status tessera_context_create(const tessera_context_options *options,
                                      tessera_context **out, char *error,
                                      size_t error_size);
/** Destroys the context and every module and buffer still in it. */
void tessera_context_destroy(tessera_context *ctx);
/** The message of the latest failure in `ctx` ("" if none). */
const char *tessera_context_error(const tessera_context *ctx);
tessera_backend tessera_context_backend(const tessera_context *ctx);

/** Buffers: device memory of the context's backend (host memory on cpu). */
tessera_status tessera_buffer_alloc(tessera_context *ctx, size_t bytes,
                                    tessera_buffer **out);
void tessera_buffer_free(tessera_buffer *buffer);
size_t tessera_buffer_size(const tessera_buffer *buffer);
/** The host address of a cpu buffer; NULL for device buffers. */
void *tessera_buffer_host_pointer(tessera_buffer *buffer);
tessera_status tessera_buffer_write(tessera_buffer *buffer, size_t offset,
                                    const void *src, size_t bytes);
tessera_status tessera_buffer_read(tessera_buffer *buffer, size_t offset,
                                   void *dst, size_t bytes);

/** Loads an artifact from a file or from bytes in memory. */
tessera_status tessera_module_load_file(tessera_context *ctx,
                                        const char *path,
                                        tessera_module **out);
tessera_status tessera_module_load_bytes(tessera_context *ctx,
                                         const void *bytes, size_t size,
                                         tessera_module **out);
void tessera_module_unload(tessera_module *module);
/** Number of entry points and the name of the `index`-th (NULL if out of
 *  range). */
size_t tessera_module_function_count(const tessera_module *module);
const char *tessera_module_function_name(const tessera_module *module,
                                         size_t index);

/** Looks up an entry point; the function lives as long as its module. */
tessera_status tessera_module_get_function(tessera_module *module,
                                           const char *name,
                                           tessera_function **out);
/** The entry point's name and the context it was loaded into. */
const char *tessera_function_name(const tessera_function *fn);
tessera_context *tessera_function_context(const tessera_function *fn);
size_t tessera_function_input_count(const tessera_function *fn);
size_t tessera_function_output_count(const tessera_function *fn);
/** The expected dtype/rank/shape of an input or output (`data` is NULL;
 *  `shape` points into the module). */
tessera_status tessera_function_input(const tessera_function *fn,
                                      size_t index, tessera_tensor *out);
tessera_status tessera_function_output(const tessera_function *fn,
                                       size_t index, tessera_tensor *out);

/** Runs the entry point to completion: reads `inputs`, writes `outputs`
 *  (caller-allocated, every output including scalars). Counts, dtypes,
 *  ranks and shapes are checked against the entry's signature first, and
 *  an output that overlaps an input or another output is refused (entries
 *  are compiled assuming their buffers do not alias). */
tessera_status tessera_invoke(tessera_function *fn,
                              const tessera_tensor *inputs, size_t num_inputs,
                              tessera_tensor *outputs, size_t num_outputs);

/** As tessera_invoke, with the entry's tensors already in buffers of the
 *  function's context (device memory on cuda): nothing is staged or copied,
 *  so repeated calls (a sampling loop, a benchmark) run only the entry.
 *  Buffer i holds the i-th tensor of the signature, row-major, in at least
 *  its bytes; an output buffer may not also be an input or another output.
 *  Entries with scalar inputs or outputs are refused (use tessera_invoke). */
tessera_status tessera_invoke_buffers(tessera_function *fn,
                                      tessera_buffer *const *inputs,
                                      size_t num_inputs,
                                      tessera_buffer *const *outputs,
                                      size_t num_outputs);

/** As tessera_invoke_buffers, without waiting where waiting is not needed:
 *  on cuda, a call that replays the entry's captured graph (the third call
 *  on the same buffers on, with graphs enabled) returns once the work is
 *  queued on the context's stream; other calls, and every call on cpu, run
 *  to completion. Until tessera_context_synchronize returns, the buffers
 *  must stay allocated and the host must not write the inputs; a failure
 *  of the queued work is reported by that call. Lets a caller queue calls
 *  back to back, or time one with events on tessera_context_stream, as it
 *  would a library kernel. */
tessera_status tessera_invoke_buffers_async(tessera_function *fn,
                                            tessera_buffer *const *inputs,
                                            size_t num_inputs,
                                            tessera_buffer *const *outputs,
                                            size_t num_outputs);
/** Waits for the work queued on the context's stream; its status. */
tessera_status tessera_context_synchronize(tessera_context *ctx);
/** The context's stream (a CUstream) on cuda, NULL on other backends: a
 *  caller orders its own device work against the context's with events
 *  on it. Buffer reads and writes and the other invoke calls are ordered
 *  after work queued on it. */
void *tessera_context_stream(const tessera_context *ctx);

#ifdef __cplusplus
}
#endif

#endif /* TESSERA_RUNTIME_H */
