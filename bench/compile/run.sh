#!/usr/bin/env bash
# Compile-time benchmark: tessera-compile of every example to each target,
# and of generated modules of n chained bfn.flow_steps (n = 125 ... 1000) to
# the CPU, to check that compile time grows linearly with module size.
#
#   bench/compile/run.sh [DIR]   results in DIR/compile.{json,md}
#                                (default: bench/compile/results)
set -euo pipefail
cd "$(dirname "$0")/../.."
dest=${1:-bench/compile/results}
scripts/build.sh >/dev/null
mkdir -p "$dest"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 bench/compile/compile_times.py build/bin/tessera-compile "$work" "$dest"
