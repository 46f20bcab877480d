#!/usr/bin/env bash
# The GPU contraction strategies at their edges, run for real: each entry
# of bench/gpu/tiles.mlir compiled for sm_90a (wgmma) and sm_90 (mma.sync),
# checked against PyTorch on the same inputs, then timed.
#
#   bench/gpu/tiles.sh prepare   (here) compile into build/gpu-tiles with
#                                the runtime
#   bench/gpu/tiles.sh run [DIR] (on the GPU machine, build/gpu-tiles
#                                carried) run bench/gpu/tiles.py, write
#                                DIR/tiles.md (default: $OUT or .)
set -euo pipefail
cd "$(dirname "$0")/../.."
BUNDLE=build/gpu-tiles

case "${1:-}" in
prepare)
  rm -rf "$BUNDLE"
  mkdir -p "$BUNDLE/lib"
  for chip in sm_90a sm_90; do
    build/bin/tessera-compile bench/gpu/tiles.mlir --target=nvvm --chip=$chip \
      -o "$BUNDLE/tiles-$chip.so"
  done
  cp -P build/lib/libtessera_rt.so* "$BUNDLE/lib/"
  echo "prepared $BUNDLE ($(du -sh "$BUNDLE" | cut -f1))"
  ;;
run)
  python3 bench/gpu/tiles.py "$BUNDLE" "${2:-${OUT:-.}}"
  ;;
*)
  echo "usage: $0 prepare | run [DIR]" >&2
  exit 2
  ;;
esac
