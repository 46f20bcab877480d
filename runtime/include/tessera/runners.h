/*===- tessera/runners.h - EBT and BFN runners ---------------------*- C -*-===*
 *
 * The seeds' runners: System-2 EBT inference and BFN loss steps and n-step
 * sampling, driven by a configuration given at run time, so changing the
 * number of steps, candidates, the step size or the noise needs no
 * recompilation. Each runner calls an artifact entry point that follows the
 * runner's signature (below and `docs/runners.md`), checks the
 * configuration against it, and reports a status with a message in the
 * function's context like every other runtime call.
 *
 *===----------------------------------------------------------------------===*/

#ifndef TESSERA_RUNNERS_H
#define TESSERA_RUNNERS_H

#include "tessera/runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

/** `EBTStepConfig` of the EBT seed, plus the Philox seed. */
typedef struct tessera_ebt_config {
  int64_t T;       /**< inner steps, >= 0 */
  int64_t K;       /**< candidates, 1 .. the entry's capacity */
  float eta;       /**< step size */
  float noise;     /**< Langevin noise std; 0 for none */
  int self_verify; /**< nonzero: keep the lowest-energy candidate */
  uint64_t seed;   /**< Philox key of the initial candidates and the noise */
} tessera_ebt_config;

/** Runs System-2 inference with the entry `fn`, whose signature is
 *
 *    (x, steps: index, candidates: index, eta: f32, seed: i64
 *     [, noise: f32]) -> (best: C, all: Kmax x C, energies: f32 Kmax x E)
 *
 *  `Kmax` is the entry's capacity: `cfg->K` candidates run, the first `K`
 *  of the `Kmax` the entry's initialiser draws (so candidate k does not
 *  depend on K). An entry without the `noise` input takes `cfg->noise = 0`
 *  only. `y_out` receives the kept candidate (shape `C`) with
 *  `self_verify`, all `K` final candidates (`K x C`) without;
 *  `energies_out`, when not NULL, the final energies (`K x E`). */
tessera_status tessera_ebt_infer(tessera_function *fn, const tessera_tensor *x,
                                 const tessera_ebt_config *cfg,
                                 tessera_tensor *y_out,
                                 tessera_tensor *energies_out);

/** A BFN run: `n_steps` discrete steps; the loss is taken at step
 *  `step` (1 .. n_steps); draws come from Philox keyed by (seed, offset). */
typedef struct tessera_bfn_config {
  int64_t n_steps; /**< n >= 1 */
  int64_t step;    /**< i in 1 .. n for a loss; ignored by sampling */
  uint64_t seed;
  uint64_t offset;
} tessera_bfn_config;

/** One loss step with the entry `fn`, whose signature is
 *
 *    (inputs..., step: index, n_steps: index, seed: i64, offset: i64)
 *      -> (f32, ...)
 *
 *  `inputs` are the data and any network parameters; `losses` receives the
 *  entry's `num_losses` scalar results. */
tessera_status tessera_bfn_loss(tessera_function *fn,
                                const tessera_tensor *inputs,
                                size_t num_inputs,
                                const tessera_bfn_config *cfg, float *losses,
                                size_t num_losses);

/** n-step sampling with the entry `fn`, whose signature is
 *
 *    (inputs..., n_steps: index, seed: i64, offset: i64) -> samples
 *
 *  `inputs` are the network parameters. */
tessera_status tessera_bfn_sample(tessera_function *fn,
                                  const tessera_tensor *inputs,
                                  size_t num_inputs,
                                  const tessera_bfn_config *cfg,
                                  tessera_tensor *samples);

#ifdef __cplusplus
}
#endif

#endif /* TESSERA_RUNNERS_H */
