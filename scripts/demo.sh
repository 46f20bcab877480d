#!/usr/bin/env bash
# The main job: compile the BFN and EBT examples for the CPU into artifacts
# (tessera-compile --target=cpu), run them through the C runtime
# (tessera-run, libtessera_rt) and print their results.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-deps.sh
scripts/build.sh
LLVM_PREFIX=${LLVM_PREFIX:-/usr/lib/llvm-22}
OPT=build/bin/tessera-opt
ARTIFACTS=build/examples
mkdir -p "$ARTIFACTS"

run_example() {
  local so="$ARTIFACTS/$(basename "$1" .mlir).so"
  echo "=== $1: $2"
  build/bin/tessera-compile "$1" --target=cpu -o "$so"
  build/bin/tessera-run "$so" --entry main | grep -v '^Unranked Memref'
}
run_example examples/bfn/categorical_loss.mlir \
  "text8-like step i=3 of n=10: [L^n, L^inf] in nats per character"
run_example examples/bfn/continuous_loss.mlir \
  "continuous data, sigma1=0.02: L^inf sample at t = 0.1, 0.5, 0.9"
run_example examples/bfn/sampling.mlir \
  "binarised 28x28, 20 steps: fraction of pixels on, first row"

run_example examples/ebt/mlp_infer.mlir \
  "MLP head, K=4, T=16: total energy per candidate before, after; kept candidate per token"
run_example examples/ebt/attention_infer.mlir \
  "attention head, K=4, T=16: total energy per candidate before, after; kept candidate per token"

# The runtime's runners (tessera/runners.h) on the same artifacts: the
# configuration is given at run time, so one artifact serves all of them.
RUN=build/bin/tessera-run
echo "=== runners: BFN loss step i of n and n-step sampling, EBT inference (run-time T, K, eta, noise)"
"$RUN" "$ARTIFACTS/categorical_loss.so" --entry text --out "$ARTIFACTS/text.npy" > /dev/null
"$RUN" "$ARTIFACTS/sampling.so" --entry weights --out "$ARTIFACTS/weights.npy" > /dev/null
"$RUN" "$ARTIFACTS/mlp_infer.so" --entry context --out "$ARTIFACTS/context.npy" > /dev/null
for step in 1 5 10; do
  echo "--- tessera_bfn_loss n=10 step=$step: [L^n, L^inf]"
  "$RUN" "$ARTIFACTS/categorical_loss.so" --entry losses --in "$ARTIFACTS/text.npy" \
    --bfn-loss n=10,step=$step,seed=42
done
for n in 5 100; do
  echo "--- tessera_bfn_sample n=$n: the 784 pixels (mean = fraction on)"
  "$RUN" "$ARTIFACTS/sampling.so" --entry sample --in "$ARTIFACTS/weights.npy" \
    --bfn-sample n=$n,seed=2026
done
for cfg in T=16,K=4,eta=0.5 T=32,K=8,eta=0.5 T=16,K=8,eta=0.5,noise=0.05; do
  echo "--- tessera_ebt_infer $cfg: kept candidate, final energies per candidate and token"
  "$RUN" "$ARTIFACTS/mlp_infer.so" --entry infer --in "$ARTIFACTS/context.npy" \
    --ebt-infer "$cfg,seed=11,verify=1"
done

echo "=== examples/ebt/bilinear_verify.mlir (Graph IR after tessera-pipeline stop-after=graph)"
"$OPT" examples/ebt/bilinear_verify.mlir --tessera-pipeline=stop-after=graph
