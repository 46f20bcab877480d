#!/usr/bin/env bash
# Every example on the GPU against the CPU, through the runtime.
#
#   bench/gpu/examples.sh prepare   (here) compile each example for cpu and
#                                   nvvm into build/gpu-bundle with the
#                                   runtime, tessera-run and the libraries the
#                                   artifacts load
#   bench/gpu/examples.sh run [DIR] (on the GPU machine, with build/gpu-bundle
#                                   carried) run each example's main entry on
#                                   both, compare every printed number, write
#                                   DIR/examples.md and the prints to
#                                   DIR/examples.log (default: $OUT or .)
set -euo pipefail
cd "$(dirname "$0")/../.."
BUNDLE=build/gpu-bundle

case "${1:-}" in
prepare)
  rm -rf "$BUNDLE"
  mkdir -p "$BUNDLE/lib" "$BUNDLE/cpu" "$BUNDLE/nvvm" "$BUNDLE/bin"
  for f in examples/bfn/*.mlir examples/ebt/*.mlir; do
    grep -q "func.func @main" "$f" || continue
    name=$(basename "$f" .mlir)
    build/bin/tessera-compile "$f" --target=cpu -o "$BUNDLE/cpu/$name.so"
    build/bin/tessera-compile "$f" --target=nvvm --chip=sm_90 -o "$BUNDLE/nvvm/$name.so"
  done
  cp build/bin/tessera-run "$BUNDLE/bin/"
  cp -P build/lib/libtessera_rt.so* "$BUNDLE/lib/"
  # MLIR's runner libraries need libMLIR and libLLVM, too large to carry:
  # a stub with the two print functions the examples call, under their
  # sonames (it prints 9 digits, so the comparison is closer than 6).
  for lib in libmlir_c_runner_utils libmlir_runner_utils; do
    cc -O2 -shared -fPIC -Wl,-soname,$lib.so.22.1 -o "$BUNDLE/lib/$lib.so.22.1" \
      bench/gpu/print_stub.c
  done
  cp bench/gpu/compare_prints.py "$BUNDLE/"
  echo "prepared $BUNDLE ($(du -sh "$BUNDLE" | cut -f1))"
  ;;
run)
  dest=${2:-${OUT:-.}}
  export LD_LIBRARY_PATH="$PWD/$BUNDLE/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  device=$(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | head -1)
  {
    echo "| example | CPU vs GPU (every printed number) | max rel. difference |"
    echo "| --- | --- | --- |"
  } >"$dest/examples.md.rows"
  status=0
  work=$(mktemp -d)
  : >"$dest/examples.log"
  for so in "$BUNDLE"/cpu/*.so; do
    name=$(basename "$so" .so)
    "$BUNDLE/bin/tessera-run" "$so" --entry main >"$work/$name.cpu.txt" 2>&1 || true
    "$BUNDLE/bin/tessera-run" "$BUNDLE/nvvm/$name.so" --entry main --backend cuda \
      >"$work/$name.gpu.txt" 2>&1 || true
    for side in cpu gpu; do
      echo "=== $name ($side)"
      cat "$work/$name.$side.txt"
    done >>"$dest/examples.log"
    verdict=$(python3 "$BUNDLE/compare_prints.py" "$work/$name.cpu.txt" "$work/$name.gpu.txt") || status=1
    echo "$name: $verdict"
    echo "| $name | ${verdict%%;*} | ${verdict#*;} |" >>"$dest/examples.md.rows"
  done
  {
    echo "Examples on $device, $(date -u +%Y-%m-%d): each example's main entry"
    echo "compiled with tessera-compile --target=cpu and --target=nvvm (sm_90),"
    echo "run through libtessera_rt (cpu and cuda backends)."
    echo
    cat "$dest/examples.md.rows"
  } >"$dest/examples.md"
  rm "$dest/examples.md.rows"
  cat "$dest/examples.md"
  exit $status
  ;;
*)
  echo "usage: $0 prepare | run [DIR]" >&2
  exit 2
  ;;
esac
