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
echo "=== examples/ebt/bilinear_verify.mlir (Graph IR after tessera-pipeline stop-after=graph)"
"$OPT" examples/ebt/bilinear_verify.mlir --tessera-pipeline=stop-after=graph
