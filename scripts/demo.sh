#!/usr/bin/env bash
# The main job. Today: parse the BFN and EBT examples, run the Graph-level
# clean-up of tessera-pipeline (stop-after=graph) and print the result.
# Compiling and running them on the CPU lands with the lowering issues.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-deps.sh
scripts/build.sh
OPT=build/bin/tessera-opt
for example in examples/bfn/*.mlir examples/ebt/*.mlir; do
  echo "=== $example"
  "$OPT" "$example" --tessera-pipeline=stop-after=graph
done
