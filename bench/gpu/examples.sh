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
  # CPU artifacts with threaded site loops need libomp.
  cp -L /usr/lib/llvm-22/lib/libomp.so.5 "$BUNDLE/lib/"
  # MLIR's runner libraries need libMLIR and libLLVM, too large to carry:
  # a stub with the two print functions the examples call, under their
  # sonames (it prints 9 digits, so the comparison is closer than 6).
  for lib in libmlir_c_runner_utils libmlir_runner_utils; do
    cc -O2 -shared -fPIC -Wl,-soname,$lib.so.22.1 -o "$BUNDLE/lib/$lib.so.22.1" \
      bench/gpu/print_stub.c
  done
  cp bench/gpu/compare_prints.py bench/gpu/compare_npy.py "$BUNDLE/"
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
  # The runners (tessera/runners.h) with configurations no main compiles
  # in: inputs from the example's setup entry (run on the CPU), every output
  # compared element by element.
  {
    echo
    echo "| runner | example, configuration | CPU vs GPU (every output element) | max rel. difference |"
    echo "| --- | --- | --- | --- |"
  } >>"$dest/examples.md.rows"
  for r in "categorical_loss text losses --bfn-loss n=10,step=5,seed=42" \
           "sampling weights sample --bfn-sample n=50,seed=7" \
           "mlp_infer context infer --ebt-infer T=16,K=8,eta=0.5,noise=0.05,verify=1,seed=11" \
           "mlp_infer context infer --ebt-infer T=8,K=3,eta=0.5,verify=0,seed=5"; do
    read -r name setup entry flag cfg <<<"$r"
    "$BUNDLE/bin/tessera-run" "$BUNDLE/cpu/$name.so" --entry "$setup" --out "$work/$name.in.npy" >/dev/null
    outs=()
    for side in cpu gpu; do
      so="$BUNDLE/cpu/$name.so" backend=cpu
      [ $side = gpu ] && so="$BUNDLE/nvvm/$name.so" backend=cuda
      args=()
      [ "$flag" = --bfn-loss ] || args=(--out "$work/r.$side.0.npy")
      [ "$flag" = --ebt-infer ] && args+=(--out "$work/r.$side.1.npy")
      echo "=== $name $entry $cfg ($side)" >>"$dest/examples.log"
      "$BUNDLE/bin/tessera-run" "$so" --backend $backend --entry "$entry" \
        --in "$work/$name.in.npy" "$flag" "$cfg" "${args[@]}" \
        >"$work/r.$side.txt" 2>&1 || true
      cat "$work/r.$side.txt" >>"$dest/examples.log"
    done
    if [ "$flag" = --bfn-loss ]; then
      verdict=$(python3 "$BUNDLE/compare_prints.py" "$work/r.cpu.txt" "$work/r.gpu.txt") || status=1
    else
      files=("$work/r.cpu.0.npy" "$work/r.gpu.0.npy")
      [ "$flag" = --ebt-infer ] && files+=("$work/r.cpu.1.npy" "$work/r.gpu.1.npy")
      verdict=$(python3 "$BUNDLE/compare_npy.py" "${files[@]}" 2>&1) || status=1
    fi
    rm -f "$work"/r.*.npy
    echo "$flag $name $cfg: $verdict"
    echo "| ${flag#--} | $name, $cfg | ${verdict%%;*} | ${verdict#*;} |" >>"$dest/examples.md.rows"
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
