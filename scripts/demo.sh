#!/usr/bin/env bash
# The main job: compile the BFN and EBT examples for the CPU
# (tessera-pipeline, target=cpu), run them with the packaged mlir-runner and
# print their results.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-deps.sh
scripts/build.sh
LLVM_PREFIX=${LLVM_PREFIX:-/usr/lib/llvm-22}
OPT=build/bin/tessera-opt
RUNNER="$LLVM_PREFIX/bin/mlir-runner -e main -entry-point-result=void \
  -shared-libs=$LLVM_PREFIX/lib/libmlir_runner_utils.so,$LLVM_PREFIX/lib/libmlir_c_runner_utils.so"

run_example() {
  echo "=== $1: $2"
  "$OPT" "$1" --tessera-pipeline=target=cpu | $RUNNER | grep -v '^Unranked Memref'
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
