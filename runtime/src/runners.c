/*===- runners.c - EBT and BFN runners ------------------------------------===*
 *
 * Thin drivers over tessera_invoke: each checks that the entry has its
 * runner's signature and that the configuration fits it, passes the
 * configuration as the entry's scalar inputs, and reshapes the results for
 * the caller. The entry's manifest is the only contract, so the runners
 * work on every backend the entry runs on.
 *
 *===----------------------------------------------------------------------===*/

#include "tessera/runners.h"

#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { kMaxInputs = 64, kMaxRank = 16 };

/* A rank-0 tensor over `data`. */
static tessera_tensor scalar(tessera_dtype dtype, void *data) {
  tessera_tensor t = {dtype, 0, NULL, data};
  return t;
}

static size_t element_count(const tessera_tensor *t) {
  size_t n = 1;
  for (int32_t d = 0; d < t->rank; ++d)
    n *= (size_t)t->shape[d];
  return n;
}

/* Checks that input or output `index` of fn is a scalar of `dtype`; `what`
 * names it in the message. */
static tessera_status expect_scalar(const char *runner, tessera_function *fn,
                                    int input, size_t index,
                                    tessera_dtype dtype, const char *what) {
  tessera_tensor t;
  tessera_status s = input ? tessera_function_input(fn, index, &t)
                           : tessera_function_output(fn, index, &t);
  if (s == TESSERA_SUCCESS && t.rank == 0 && t.dtype == dtype)
    return TESSERA_SUCCESS;
  return rt_fail(tessera_function_context(fn), TESSERA_ERROR_SIGNATURE_MISMATCH,
                 "%s: entry '%s' does not have the runner's signature: %s "
                 "#%zu must be the %s scalar '%s'",
                 runner, tessera_function_name(fn), input ? "input" : "result",
                 index, tessera_dtype_name(dtype), what);
}

/* The caller's tensor `t` must have `dtype` and `rank` dims `shape`. */
static tessera_status expect_shape(const char *runner, tessera_context *ctx,
                                   const char *what, const tessera_tensor *t,
                                   tessera_dtype dtype, int32_t rank,
                                   const int64_t *shape) {
  if (!t->data || (t->rank && !t->shape))
    return rt_fail(ctx, TESSERA_ERROR_INVALID_ARGUMENT,
                   "%s: %s has NULL data or shape", runner, what);
  if (t->dtype != dtype)
    return rt_fail(ctx, TESSERA_ERROR_SIGNATURE_MISMATCH,
                   "%s: %s has dtype %s, expected %s", runner, what,
                   tessera_dtype_name(t->dtype) ? tessera_dtype_name(t->dtype)
                                                : "<unknown>",
                   tessera_dtype_name(dtype));
  int same = t->rank == rank;
  for (int32_t d = 0; same && d < rank; ++d)
    same = t->shape[d] == shape[d];
  if (same)
    return TESSERA_SUCCESS;
  char want[256] = "", got[256] = "";
  for (int32_t d = 0; d < rank; ++d)
    snprintf(want + strlen(want), sizeof want - strlen(want), "%s%lld",
             d ? "x" : "", (long long)shape[d]);
  for (int32_t d = 0; t->shape && d < t->rank; ++d)
    snprintf(got + strlen(got), sizeof got - strlen(got), "%s%lld",
             d ? "x" : "", (long long)t->shape[d]);
  return rt_fail(ctx, TESSERA_ERROR_SIGNATURE_MISMATCH,
                 "%s: %s has shape [%s], expected [%s]", runner, what, got,
                 want);
}

/*===-- EBT ---------------------------------------------------------------===*/

tessera_status tessera_ebt_infer(tessera_function *fn, const tessera_tensor *x,
                                 const tessera_ebt_config *cfg,
                                 tessera_tensor *y_out,
                                 tessera_tensor *energies_out) {
  static const char *R = "tessera_ebt_infer";
  if (!fn)
    return TESSERA_ERROR_INVALID_ARGUMENT;
  tessera_context *ctx = tessera_function_context(fn);
  if (!x || !cfg || !y_out)
    return rt_fail(ctx, TESSERA_ERROR_INVALID_ARGUMENT,
                   "%s: x, cfg and y_out must not be NULL", R);
  const char *name = tessera_function_name(fn);
  size_t nin = tessera_function_input_count(fn);
  if ((nin != 5 && nin != 6) || tessera_function_output_count(fn) != 3)
    return rt_fail(ctx, TESSERA_ERROR_SIGNATURE_MISMATCH,
                   "%s: entry '%s' does not have the runner's signature "
                   "(x, steps, candidates, eta, seed[, noise]) -> (best, "
                   "all, energies): it takes %zu inputs and %zu results",
                   R, name, nin, tessera_function_output_count(fn));
  tessera_status s;
  if ((s = expect_scalar(R, fn, 1, 1, TESSERA_DTYPE_I64, "steps")) ||
      (s = expect_scalar(R, fn, 1, 2, TESSERA_DTYPE_I64, "candidates")) ||
      (s = expect_scalar(R, fn, 1, 3, TESSERA_DTYPE_F32, "eta")) ||
      (s = expect_scalar(R, fn, 1, 4, TESSERA_DTYPE_I64, "seed")) ||
      (nin == 6 &&
       (s = expect_scalar(R, fn, 1, 5, TESSERA_DTYPE_F32, "noise"))))
    return s;
  tessera_tensor best, all, energies;
  tessera_function_output(fn, 0, &best);
  tessera_function_output(fn, 1, &all);
  tessera_function_output(fn, 2, &energies);
  int shapes_agree = all.rank == best.rank + 1 && all.dtype == best.dtype &&
                     energies.rank >= 1 && energies.dtype == TESSERA_DTYPE_F32 &&
                     all.rank >= 1 && energies.shape[0] == all.shape[0];
  for (int32_t d = 0; shapes_agree && d < best.rank; ++d)
    shapes_agree = all.shape[d + 1] == best.shape[d];
  if (!shapes_agree)
    return rt_fail(ctx, TESSERA_ERROR_SIGNATURE_MISMATCH,
                   "%s: entry '%s' does not have the runner's signature: "
                   "its results must be the kept candidate C, all candidates "
                   "Kmax x C and the f32 energies Kmax x E",
                   R, name);
  int64_t capacity = all.shape[0];
  if (cfg->T < 0)
    return rt_fail(ctx, TESSERA_ERROR_INVALID_ARGUMENT,
                   "%s: T = %lld steps; it must be >= 0", R,
                   (long long)cfg->T);
  if (cfg->K < 1 || cfg->K > capacity)
    return rt_fail(ctx, TESSERA_ERROR_INVALID_ARGUMENT,
                   "%s: K = %lld candidates; entry '%s' runs 1 to %lld", R,
                   (long long)cfg->K, name, (long long)capacity);
  if (!isfinite(cfg->eta) || !isfinite(cfg->noise) || cfg->noise < 0)
    return rt_fail(ctx, TESSERA_ERROR_INVALID_ARGUMENT,
                   "%s: eta = %g and noise = %g must be finite, noise >= 0",
                   R, (double)cfg->eta, (double)cfg->noise);
  if (cfg->noise != 0 && nin == 5)
    return rt_fail(ctx, TESSERA_ERROR_INVALID_ARGUMENT,
                   "%s: noise = %g, but entry '%s' has no noise input (its "
                   "policy draws no noise)",
                   R, (double)cfg->noise, name);

  /* What the caller asked for: C or K x C, and K x E. */
  int64_t y_shape[kMaxRank], e_shape[kMaxRank];
  int32_t y_rank = best.rank;
  if (cfg->self_verify) {
    memcpy(y_shape, best.shape, sizeof(int64_t) * (size_t)best.rank);
  } else {
    y_rank = all.rank;
    memcpy(y_shape, all.shape, sizeof(int64_t) * (size_t)all.rank);
    y_shape[0] = cfg->K;
  }
  memcpy(e_shape, energies.shape, sizeof(int64_t) * (size_t)energies.rank);
  e_shape[0] = cfg->K;
  if ((s = expect_shape(R, ctx, "y_out", y_out, best.dtype, y_rank,
                        y_shape)) ||
      (energies_out &&
       (s = expect_shape(R, ctx, "energies_out", energies_out,
                         TESSERA_DTYPE_F32, energies.rank, e_shape))))
    return s;

  /* One scratch block for the results the caller does not take directly:
   * all candidates, the energies and, without self-verification, the kept
   * candidate; each part starts 64-byte aligned. */
  size_t elt = tessera_dtype_size(best.dtype);
  size_t all_bytes = element_count(&all) * elt;
  size_t e_bytes = element_count(&energies) * sizeof(float);
  size_t e_at = (all_bytes + 63) / 64 * 64;
  size_t best_at = e_at + (e_bytes + 63) / 64 * 64;
  size_t total = best_at + (cfg->self_verify ? 0 : element_count(&best) * elt);
  char *scratch = malloc(total ? total : 1);
  if (!scratch)
    return rt_fail(ctx, TESSERA_ERROR_OUT_OF_MEMORY,
                   "%s: no memory for the entry's results", R);
  int64_t steps = cfg->T, candidates = cfg->K, seed = (int64_t)cfg->seed;
  float eta = cfg->eta, noise = cfg->noise;
  tessera_tensor in[6] = {*x,
                          scalar(TESSERA_DTYPE_I64, &steps),
                          scalar(TESSERA_DTYPE_I64, &candidates),
                          scalar(TESSERA_DTYPE_F32, &eta),
                          scalar(TESSERA_DTYPE_I64, &seed),
                          scalar(TESSERA_DTYPE_F32, &noise)};
  /* The kept candidate goes straight to the caller when it is wanted. */
  void *best_data = cfg->self_verify ? y_out->data : scratch + best_at;
  tessera_tensor out[3] = {
      {best.dtype, best.rank, best.shape, best_data},
      {all.dtype, all.rank, all.shape, scratch},
      {TESSERA_DTYPE_F32, energies.rank, energies.shape, scratch + e_at}};
  s = tessera_invoke(fn, in, nin, out, 3);
  if (s == TESSERA_SUCCESS) {
    /* Candidates are the leading dimension: the first K rows. */
    size_t k = (size_t)cfg->K;
    if (!cfg->self_verify)
      memcpy(y_out->data, scratch, all_bytes / (size_t)capacity * k);
    if (energies_out)
      memcpy(energies_out->data, scratch + e_at,
             e_bytes / (size_t)capacity * k);
  }
  free(scratch);
  return s;
}

/*===-- BFN ---------------------------------------------------------------===*/

/* Inputs followed by the configuration's scalars. */
static tessera_status bfn_check(const char *runner, tessera_function *fn,
                                const tessera_tensor *inputs,
                                size_t num_inputs,
                                const tessera_bfn_config *cfg, int with_step,
                                const char *signature) {
  tessera_context *ctx = tessera_function_context(fn);
  if ((num_inputs && !inputs) || !cfg)
    return rt_fail(ctx, TESSERA_ERROR_INVALID_ARGUMENT,
                   "%s: NULL inputs or cfg", runner);
  size_t extra = with_step ? 4 : 3;
  size_t nin = tessera_function_input_count(fn);
  if (nin != num_inputs + extra || num_inputs + extra > kMaxInputs)
    return rt_fail(ctx, TESSERA_ERROR_SIGNATURE_MISMATCH,
                   "%s: entry '%s' takes %zu inputs; the runner's signature "
                   "%s with %zu inputs needs %zu",
                   runner, tessera_function_name(fn), nin, signature,
                   num_inputs, num_inputs + extra);
  tessera_status s;
  size_t i = num_inputs;
  if ((with_step &&
       (s = expect_scalar(runner, fn, 1, i++, TESSERA_DTYPE_I64, "step"))) ||
      (s = expect_scalar(runner, fn, 1, i++, TESSERA_DTYPE_I64, "n_steps")) ||
      (s = expect_scalar(runner, fn, 1, i++, TESSERA_DTYPE_I64, "seed")) ||
      (s = expect_scalar(runner, fn, 1, i++, TESSERA_DTYPE_I64, "offset")))
    return s;
  if (cfg->n_steps < 1)
    return rt_fail(ctx, TESSERA_ERROR_INVALID_ARGUMENT,
                   "%s: n_steps = %lld; it must be >= 1", runner,
                   (long long)cfg->n_steps);
  if (with_step && (cfg->step < 1 || cfg->step > cfg->n_steps))
    return rt_fail(ctx, TESSERA_ERROR_INVALID_ARGUMENT,
                   "%s: step = %lld is outside 1 .. n_steps = %lld", runner,
                   (long long)cfg->step, (long long)cfg->n_steps);
  return TESSERA_SUCCESS;
}

tessera_status tessera_bfn_loss(tessera_function *fn,
                                const tessera_tensor *inputs,
                                size_t num_inputs,
                                const tessera_bfn_config *cfg, float *losses,
                                size_t num_losses) {
  static const char *R = "tessera_bfn_loss";
  if (!fn)
    return TESSERA_ERROR_INVALID_ARGUMENT;
  tessera_context *ctx = tessera_function_context(fn);
  tessera_status s = bfn_check(
      R, fn, inputs, num_inputs, cfg, 1,
      "(inputs..., step, n_steps, seed, offset) -> (f32 losses...)");
  if (s)
    return s;
  size_t nout = tessera_function_output_count(fn);
  if (nout == 0 || nout != num_losses || !losses)
    return rt_fail(ctx, TESSERA_ERROR_SIGNATURE_MISMATCH,
                   "%s: entry '%s' returns %zu losses; the caller takes %zu "
                   "(losses %s)",
                   R, tessera_function_name(fn), nout, num_losses,
                   losses ? "given" : "NULL");
  for (size_t i = 0; i < nout; ++i)
    if ((s = expect_scalar(R, fn, 0, i, TESSERA_DTYPE_F32, "loss")))
      return s;
  tessera_tensor in[kMaxInputs], out[kMaxInputs];
  if (num_inputs)
    memcpy(in, inputs, sizeof(tessera_tensor) * num_inputs);
  int64_t step = cfg->step, n = cfg->n_steps, seed = (int64_t)cfg->seed,
          offset = (int64_t)cfg->offset;
  in[num_inputs] = scalar(TESSERA_DTYPE_I64, &step);
  in[num_inputs + 1] = scalar(TESSERA_DTYPE_I64, &n);
  in[num_inputs + 2] = scalar(TESSERA_DTYPE_I64, &seed);
  in[num_inputs + 3] = scalar(TESSERA_DTYPE_I64, &offset);
  for (size_t i = 0; i < nout; ++i)
    out[i] = scalar(TESSERA_DTYPE_F32, &losses[i]);
  return tessera_invoke(fn, in, num_inputs + 4, out, nout);
}

tessera_status tessera_bfn_sample(tessera_function *fn,
                                  const tessera_tensor *inputs,
                                  size_t num_inputs,
                                  const tessera_bfn_config *cfg,
                                  tessera_tensor *samples) {
  static const char *R = "tessera_bfn_sample";
  if (!fn)
    return TESSERA_ERROR_INVALID_ARGUMENT;
  tessera_context *ctx = tessera_function_context(fn);
  tessera_status s =
      bfn_check(R, fn, inputs, num_inputs, cfg, 0,
                "(inputs..., n_steps, seed, offset) -> samples");
  if (s)
    return s;
  if (tessera_function_output_count(fn) != 1 || !samples)
    return rt_fail(ctx, TESSERA_ERROR_SIGNATURE_MISMATCH,
                   "%s: entry '%s' must return the samples only, and samples "
                   "must not be NULL",
                   R, tessera_function_name(fn));
  tessera_tensor in[kMaxInputs];
  if (num_inputs)
    memcpy(in, inputs, sizeof(tessera_tensor) * num_inputs);
  int64_t n = cfg->n_steps, seed = (int64_t)cfg->seed,
          offset = (int64_t)cfg->offset;
  in[num_inputs] = scalar(TESSERA_DTYPE_I64, &n);
  in[num_inputs + 1] = scalar(TESSERA_DTYPE_I64, &seed);
  in[num_inputs + 2] = scalar(TESSERA_DTYPE_I64, &offset);
  return tessera_invoke(fn, in, num_inputs + 3, samples, 1);
}
