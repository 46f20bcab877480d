/*===- tessera-run.c - run an artifact entry on .npy files ----------------===*
 *
 * tessera-run art.so --entry f [--backend cpu|cuda] --in a.npy [--in b.npy ...]
 *             [--out y.npy ...]
 *             [--ebt-infer T=16,K=4,eta=0.5,noise=0,verify=1,seed=0
 *              | --bfn-loss n=10,step=3,seed=0,offset=0
 *              | --bfn-sample n=20,seed=0,offset=0]
 *
 * With a runner option the entry is called through that runner
 * (tessera/runners.h) with the configuration given; the --in files are the
 * runner's tensor inputs (x; the data and parameters; the parameters).
 *
 * Loads the artifact with libtessera_rt (cpu backend by default; cuda for
 * nvvm artifacts), reads every input from
 * a .npy file (f32, f16, bf16 as '<V2', f64, i1, i8, i16, i32, i64; C order),
 * allocates the outputs from the entry's signature, invokes the entry, writes
 * the outputs named by --out and prints a summary of each output. Mismatched
 * files are reported with the runtime's message; the exit status is 1.
 *
 *===----------------------------------------------------------------------===*/

#define _POSIX_C_SOURCE 200809L
#include "tessera/runners.h"
#include "tessera/runtime.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { kMaxFiles = 64 };

typedef struct npy {
  tessera_dtype dtype;
  int32_t rank;
  int64_t shape[16];
  void *data;
  size_t bytes;
} npy;

static const struct {
  const char *descr;
  tessera_dtype dtype;
} kDescrs[] = {
    {"<f4", TESSERA_DTYPE_F32}, {"<f2", TESSERA_DTYPE_F16},
    {"<V2", TESSERA_DTYPE_BF16}, {"<f8", TESSERA_DTYPE_F64},
    {"|b1", TESSERA_DTYPE_I1},   {"|i1", TESSERA_DTYPE_I8},
    {"<i2", TESSERA_DTYPE_I16},  {"<i4", TESSERA_DTYPE_I32},
    {"<i8", TESSERA_DTYPE_I64},
};

static const char *descr_of(tessera_dtype dtype) {
  for (size_t i = 0; i < sizeof kDescrs / sizeof kDescrs[0]; ++i)
    if (kDescrs[i].dtype == dtype)
      return kDescrs[i].descr;
  return NULL;
}

/* Reads a version 1-3 .npy file; prints the reason and returns 0 on
 * failure. */
static int read_npy(const char *path, npy *out) {
  memset(out, 0, sizeof *out);
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "tessera-run: cannot open %s\n", path);
    return 0;
  }
  unsigned char magic[8];
  char *header = NULL;
  int ok = 0;
  uint32_t header_len = 0;
  if (fread(magic, 1, 8, f) != 8 || memcmp(magic, "\x93NUMPY", 6) ||
      magic[6] < 1 || magic[6] > 3) {
    fprintf(stderr, "tessera-run: %s is not a .npy file\n", path);
    goto done;
  }
  unsigned char len[4] = {0};
  size_t len_bytes = magic[6] == 1 ? 2 : 4;
  if (fread(len, 1, len_bytes, f) != len_bytes)
    goto truncated;
  header_len = len[0] | len[1] << 8 | (uint32_t)len[2] << 16 |
               (uint32_t)len[3] << 24;
  if (header_len > (1u << 20))
    goto truncated;
  header = calloc(1, header_len + 1);
  if (!header || fread(header, 1, header_len, f) != header_len)
    goto truncated;
  char *descr = strstr(header, "'descr':");
  char *order = strstr(header, "'fortran_order':");
  char *shape = strstr(header, "'shape':");
  if (!descr || !order || !shape) {
    fprintf(stderr, "tessera-run: %s: malformed .npy header\n", path);
    goto done;
  }
  if (strncmp(order + 16, " False", 6) && strncmp(order + 16, "False", 5)) {
    fprintf(stderr, "tessera-run: %s: Fortran order is not supported\n", path);
    goto done;
  }
  char *q = strchr(descr + 8, '\'');
  int found = 0;
  for (size_t i = 0; q && i < sizeof kDescrs / sizeof kDescrs[0]; ++i)
    if (strncmp(q + 1, kDescrs[i].descr, 3) == 0 && q[4] == '\'') {
      out->dtype = kDescrs[i].dtype;
      found = 1;
    }
  if (!found) {
    fprintf(stderr, "tessera-run: %s: unsupported dtype %.8s\n", path,
            q ? q : "?");
    goto done;
  }
  char *p = strchr(shape, '(');
  if (!p)
    goto malformed;
  ++p;
  size_t elements = 1;
  while (*p && *p != ')') {
    while (*p == ' ' || *p == ',')
      ++p;
    if (*p == ')')
      break;
    char *end;
    long long d = strtoll(p, &end, 10);
    if (end == p || d < 0 || out->rank == 16)
      goto malformed;
    out->shape[out->rank++] = d;
    elements *= (size_t)d;
    p = end;
  }
  out->bytes = elements * tessera_dtype_size(out->dtype);
  out->data = malloc(out->bytes ? out->bytes : 1);
  if (!out->data || fread(out->data, 1, out->bytes, f) != out->bytes)
    goto truncated;
  ok = 1;
  goto done;
malformed:
  fprintf(stderr, "tessera-run: %s: malformed shape in the .npy header\n",
          path);
  goto done;
truncated:
  fprintf(stderr, "tessera-run: %s: truncated .npy file\n", path);
done:
  free(header);
  fclose(f);
  if (!ok) {
    free(out->data);
    out->data = NULL;
  }
  return ok;
}

static int write_npy(const char *path, const tessera_tensor *t, size_t bytes) {
  char dict[512];
  int n = snprintf(dict, sizeof dict,
                   "{'descr': '%s', 'fortran_order': False, 'shape': (",
                   descr_of(t->dtype));
  for (int32_t d = 0; d < t->rank; ++d)
    n += snprintf(dict + n, sizeof dict - n, "%lld%s", (long long)t->shape[d],
                  t->rank == 1 ? "," : (d + 1 < t->rank ? ", " : ""));
  n += snprintf(dict + n, sizeof dict - n, "), }");
  /* Magic, version, length, dict, spaces and '\n' to a multiple of 64. */
  size_t total = (10 + (size_t)n + 1 + 63) / 64 * 64;
  size_t pad = total - 10 - (size_t)n - 1;
  FILE *f = fopen(path, "wb");
  if (!f) {
    fprintf(stderr, "tessera-run: cannot write %s\n", path);
    return 0;
  }
  unsigned char head[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0,
                            (unsigned char)((total - 10) & 0xff),
                            (unsigned char)((total - 10) >> 8)};
  int ok = fwrite(head, 1, 10, f) == 10 &&
           fwrite(dict, 1, (size_t)n, f) == (size_t)n;
  for (size_t i = 0; ok && i < pad; ++i)
    ok = fputc(' ', f) != EOF;
  ok = ok && fputc('\n', f) != EOF && fwrite(t->data, 1, bytes, f) == bytes;
  ok = (fclose(f) == 0) && ok;
  if (!ok)
    fprintf(stderr, "tessera-run: writing %s failed\n", path);
  return ok;
}

static double element(const tessera_tensor *t, size_t i) {
  const char *p = (const char *)t->data;
  switch (t->dtype) {
  case TESSERA_DTYPE_F32: return ((const float *)p)[i];
  case TESSERA_DTYPE_F64: return ((const double *)p)[i];
  case TESSERA_DTYPE_I1:
  case TESSERA_DTYPE_I8: return ((const int8_t *)p)[i];
  case TESSERA_DTYPE_I16: return ((const int16_t *)p)[i];
  case TESSERA_DTYPE_I32: return ((const int32_t *)p)[i];
  case TESSERA_DTYPE_I64: return (double)((const int64_t *)p)[i];
  case TESSERA_DTYPE_BF16: {
    uint32_t bits = (uint32_t)((const uint16_t *)p)[i] << 16;
    float v;
    memcpy(&v, &bits, 4);
    return v;
  }
  case TESSERA_DTYPE_F16: {
    uint16_t h = ((const uint16_t *)p)[i];
    int e = (h >> 10) & 31, m = h & 1023;
    double v = e == 0 ? ldexp(m, -24)
                      : e == 31 ? (m ? NAN : INFINITY)
                                : ldexp(m + 1024, e - 25);
    return (h & 0x8000) ? -v : v;
  }
  }
  return NAN;
}

static void summarize(size_t index, const tessera_tensor *t, size_t count) {
  printf("output %zu: %s[", index, tessera_dtype_name(t->dtype));
  for (int32_t d = 0; d < t->rank; ++d)
    printf("%s%lld", d ? "x" : "", (long long)t->shape[d]);
  printf("]");
  double lo = INFINITY, hi = -INFINITY, sum = 0;
  for (size_t i = 0; i < count; ++i) {
    double v = element(t, i);
    lo = v < lo ? v : lo;
    hi = v > hi ? v : hi;
    sum += v;
  }
  if (count > 1)
    printf(" min %.7g max %.7g mean %.7g", lo, hi, sum / (double)count);
  printf(" values");
  for (size_t i = 0; i < count && i < 8; ++i)
    printf(" %.7g", element(t, i));
  printf("%s\n", count > 8 ? " ..." : "");
}

static int usage(const char *argv0) {
  fprintf(stderr,
          "usage: %s artifact.so --entry NAME [--backend cpu|cuda] "
          "[--in x.npy]... [--out y.npy]...\n"
          "  [--ebt-infer T=,K=,eta=,noise=,verify=,seed= | "
          "--bfn-loss n=,step=,seed=,offset= | --bfn-sample n=,seed=,offset=]\n",
          argv0);
  return 2;
}

typedef enum runner { RUN_INVOKE, RUN_EBT_INFER, RUN_BFN_LOSS, RUN_BFN_SAMPLE } runner;

/* Parses `key=value,...` into the runner's configuration; every key must be
 * one the runner takes. Prints the reason and returns 0 on failure. */
static int parse_config(runner r, const char *text, tessera_ebt_config *ebt,
                        tessera_bfn_config *bfn) {
  char buffer[512];
  if (strlen(text) >= sizeof buffer) {
    fprintf(stderr, "tessera-run: configuration too long\n");
    return 0;
  }
  strcpy(buffer, text);
  for (char *save = NULL, *item = strtok_r(buffer, ",", &save); item;
       item = strtok_r(NULL, ",", &save)) {
    char *eq = strchr(item, '=');
    char *end = NULL;
    if (!eq || !eq[1]) {
      fprintf(stderr, "tessera-run: '%s' is not key=value\n", item);
      return 0;
    }
    *eq = 0;
    const char *key = item, *value = eq + 1;
    double v = strtod(value, &end);
    int ok = *end == 0;
    int integral = ok && v == floor(v);
    if (r == RUN_EBT_INFER && !strcmp(key, "T") && integral)
      ebt->T = (int64_t)v;
    else if (r == RUN_EBT_INFER && !strcmp(key, "K") && integral)
      ebt->K = (int64_t)v;
    else if (r == RUN_EBT_INFER && !strcmp(key, "eta") && ok)
      ebt->eta = (float)v;
    else if (r == RUN_EBT_INFER && !strcmp(key, "noise") && ok)
      ebt->noise = (float)v;
    else if (r == RUN_EBT_INFER && !strcmp(key, "verify") && integral)
      ebt->self_verify = v != 0;
    else if (r == RUN_EBT_INFER && !strcmp(key, "seed") && integral && v >= 0)
      ebt->seed = (uint64_t)v;
    else if (r != RUN_EBT_INFER && !strcmp(key, "n") && integral)
      bfn->n_steps = (int64_t)v;
    else if (r == RUN_BFN_LOSS && !strcmp(key, "step") && integral)
      bfn->step = (int64_t)v;
    else if (r != RUN_EBT_INFER && !strcmp(key, "seed") && integral && v >= 0)
      bfn->seed = (uint64_t)v;
    else if (r != RUN_EBT_INFER && !strcmp(key, "offset") && integral &&
             v >= 0)
      bfn->offset = (uint64_t)v;
    else {
      fprintf(stderr, "tessera-run: unknown or malformed setting '%s=%s'\n",
              key, value);
      return 0;
    }
  }
  return 1;
}

/* The shape an EBT runner output takes: the entry's result `index` (1: all
 * candidates, 2: energies) with K rows, or the kept candidate (0). */
static void ebt_output(tessera_function *fn, size_t index, int64_t k,
                       tessera_tensor *t, int64_t *shape) {
  tessera_function_output(fn, index, t);
  memcpy(shape, t->shape, sizeof(int64_t) * (size_t)t->rank);
  if (index)
    shape[0] = k;
  t->shape = shape;
}

int main(int argc, char **argv) {
  const char *artifact = NULL, *entry = NULL;
  const char *ins[kMaxFiles], *outs[kMaxFiles];
  size_t num_in = 0, num_out = 0;
  tessera_backend backend = TESSERA_BACKEND_CPU;
  runner mode = RUN_INVOKE;
  tessera_ebt_config ebt = {1, 1, 0.1f, 0.0f, 1, 0};
  tessera_bfn_config bfn = {1, 1, 0, 0};
  for (int i = 1; i < argc; ++i) {
    runner r = !strcmp(argv[i], "--ebt-infer")    ? RUN_EBT_INFER
               : !strcmp(argv[i], "--bfn-loss")   ? RUN_BFN_LOSS
               : !strcmp(argv[i], "--bfn-sample") ? RUN_BFN_SAMPLE
                                                  : RUN_INVOKE;
    if (r != RUN_INVOKE) {
      if (mode != RUN_INVOKE || i + 1 >= argc)
        return usage(argv[0]);
      mode = r;
      if (!parse_config(r, argv[++i], &ebt, &bfn))
        return 2;
    } else if (!strcmp(argv[i], "--entry") && i + 1 < argc)
      entry = argv[++i];
    else if (!strcmp(argv[i], "--backend") && i + 1 < argc) {
      const char *name = argv[++i];
      if (!strcmp(name, "cpu"))
        backend = TESSERA_BACKEND_CPU;
      else if (!strcmp(name, "cuda"))
        backend = TESSERA_BACKEND_CUDA;
      else if (!strcmp(name, "hip"))
        backend = TESSERA_BACKEND_HIP;
      else
        return usage(argv[0]);
    }
    else if (!strcmp(argv[i], "--in") && i + 1 < argc && num_in < kMaxFiles)
      ins[num_in++] = argv[++i];
    else if (!strcmp(argv[i], "--out") && i + 1 < argc && num_out < kMaxFiles)
      outs[num_out++] = argv[++i];
    else if (argv[i][0] != '-' && !artifact)
      artifact = argv[i];
    else
      return usage(argv[0]);
  }
  if (!artifact || !entry)
    return usage(argv[0]);

  tessera_context_options options = {backend, NULL, 0};
  tessera_context *ctx;
  char error[512];
  if (tessera_context_create(&options, &ctx, error, sizeof error)) {
    fprintf(stderr, "tessera-run: %s\n", error);
    return 1;
  }
  int rc = 1;
  npy inputs[kMaxFiles];
  tessera_tensor in[kMaxFiles], out[kMaxFiles];
  size_t loaded = 0, nout = 0, counts[kMaxFiles];
  memset(out, 0, sizeof out);
  tessera_module *module;
  tessera_function *fn;
  if (tessera_module_load_file(ctx, artifact, &module) ||
      tessera_module_get_function(module, entry, &fn)) {
    fprintf(stderr, "tessera-run: %s\n", tessera_context_error(ctx));
    goto done;
  }
  /* The runners' outputs: (y, energies); the losses; the samples. */
  int64_t shapes[2][16];
  nout = mode == RUN_EBT_INFER ? 2 : tessera_function_output_count(fn);
  if (mode == RUN_EBT_INFER && tessera_function_output_count(fn) != 3) {
    fprintf(stderr, "tessera-run: %s is not an EBT runner entry (it has %zu "
                    "results, not 3)\n",
            entry, tessera_function_output_count(fn));
    nout = 0;
    goto done;
  }
  if (num_out > nout || nout > kMaxFiles) {
    fprintf(stderr, "tessera-run: %zu --out files for %s, which has %zu "
                    "outputs\n",
            num_out, entry, nout);
    nout = 0;
    goto done;
  }
  for (; loaded < num_in; ++loaded) {
    if (!read_npy(ins[loaded], &inputs[loaded]))
      goto done;
    in[loaded] = (tessera_tensor){inputs[loaded].dtype, inputs[loaded].rank,
                                  inputs[loaded].shape, inputs[loaded].data};
  }
  for (size_t i = 0; i < nout; ++i) {
    if (mode == RUN_EBT_INFER)
      ebt_output(fn, i ? 2 : (ebt.self_verify ? 0 : 1), ebt.K, &out[i],
                 shapes[i]);
    else
      tessera_function_output(fn, i, &out[i]);
    counts[i] = 1;
    for (int32_t d = 0; d < out[i].rank; ++d)
      counts[i] *= (size_t)out[i].shape[d];
    out[i].data = calloc(counts[i] ? counts[i] : 1,
                         tessera_dtype_size(out[i].dtype));
    if (!out[i].data) {
      fprintf(stderr, "tessera-run: out of memory\n");
      goto done;
    }
  }
  float losses[kMaxFiles];
  tessera_status status;
  switch (mode) {
  case RUN_EBT_INFER:
    status = tessera_ebt_infer(fn, num_in == 1 ? &in[0] : NULL, &ebt, &out[0],
                               &out[1]);
    break;
  case RUN_BFN_LOSS:
    status = tessera_bfn_loss(fn, in, num_in, &bfn, losses, nout);
    for (size_t i = 0; status == TESSERA_SUCCESS && i < nout; ++i)
      memcpy(out[i].data, &losses[i], sizeof(float));
    break;
  case RUN_BFN_SAMPLE:
    status = tessera_bfn_sample(fn, in, num_in, &bfn, out);
    break;
  default:
    status = tessera_invoke(fn, in, num_in, out, nout);
  }
  if (status) {
    fprintf(stderr, "tessera-run: %s\n", tessera_context_error(ctx));
    goto done;
  }
  rc = 0;
  for (size_t i = 0; i < nout; ++i) {
    summarize(i, &out[i], counts[i]);
    if (i < num_out &&
        !write_npy(outs[i], &out[i], counts[i] * tessera_dtype_size(out[i].dtype)))
      rc = 1;
  }
done:
  for (size_t i = 0; i < loaded; ++i)
    free(inputs[i].data);
  for (size_t i = 0; i < nout; ++i)
    free(out[i].data);
  tessera_context_destroy(ctx);
  return rc;
}
