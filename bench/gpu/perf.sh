#!/usr/bin/env bash
# GPU benchmark: our nvvm kernels through libtessera_rt against PyTorch
# (eager, torch.compile) and a device-to-device copy, in one process.
#
#   bench/gpu/perf.sh prepare   (here) compile bench/cpu/kernels.mlir.in for
#                               nvvm/sm_90a (the H100's own code, wgmma
#                               included) at the issue's sizes, a K sweep,
#                               bench/gpu/gauss.mlir.in at 16M values, and
#                               bench/gpu/{ebt,sampling}.mlir.in, into
#                               build/gpu-perf with the runtime
#   bench/gpu/perf.sh run [DIR [PART]] (on the GPU machine, build/gpu-perf
#                               carried) run bench/gpu/perf.py (PART
#                               bandwidth: DIR/gpu-perf.{json,md,png}) and
#                               bench/gpu/latency.py (PART latency:
#                               DIR/latency.{json,md,png}); PART all (the
#                               default) runs both; DIR defaults to $OUT or .
set -euo pipefail
cd "$(dirname "$0")/../.."
BUNDLE=build/gpu-perf

case "${1:-}" in
prepare)
  scripts/build.sh >/dev/null
  rm -rf "$BUNDLE"
  mkdir -p "$BUNDLE/lib" "$BUNDLE/nvvm"
  {
    # The issue's sizes, then a K sweep at 2^24 elements.
    printf '%s\n' "1048576 27" "262144 256" "4194304 2"
    for k in 2 8 32 128 512 2048 8192 65536; do echo "$((16777216 / k)) $k"; done
  } >"$BUNDLE/sizes.txt"
  # fp32 everywhere; bf16 and fp16 parameter storage at the issue's sizes.
  while read -r n k; do
    types=f32
    case "$n $k" in "1048576 27" | "262144 256" | "4194304 2") types="f32 bf16 f16" ;; esac
    for t in $types; do
      name=kernels-${n}x$k$([ "$t" = f32 ] || echo "-$t")
      sed "s/@N@/$n/g; s/@K@/$k/g; s/@T@/$t/g" bench/cpu/kernels.mlir.in >"$BUNDLE/$name.mlir"
      start=$(date +%s.%N)
      build/bin/tessera-compile "$BUNDLE/$name.mlir" --target=nvvm --chip=sm_90a \
        -o "$BUNDLE/nvvm/$name.so"
      echo "compile nvvm $name: $(echo "$(date +%s.%N) - $start" | bc) s"
      rm "$BUNDLE/$name.mlir"
    done
  done <"$BUNDLE/sizes.txt"
  # Gaussian update and continuous-time loss on 64 x 262144 = 16M values.
  sed "s/@B@/64/g; s/@D@/262144/g" bench/gpu/gauss.mlir.in >"$BUNDLE/gauss.mlir"
  build/bin/tessera-compile "$BUNDLE/gauss.mlir" --target=nvvm --chip=sm_90a \
    -o "$BUNDLE/nvvm/gauss.so"
  rm "$BUNDLE/gauss.mlir"
  # EBT inference (N tokens x D, hidden F; K = 4, T = 16) and n-step
  # sampling for bench/gpu/latency.py.
  # (and B8 with bf16 storage).
  for size in "16 128 512 f32" "512 256 1024 f32" "512 256 1024 bf16"; do
    read -r n d f t <<<"$size"
    scale=$(python3 -c "print(repr(1 / $d ** 0.5))")
    w2=$(python3 -c "print(repr(1 / $f ** 0.5))")
    store=$([ "$t" = f32 ] && echo arith.bitcast || echo arith.truncf)
    load=$([ "$t" = f32 ] && echo arith.bitcast || echo arith.extf)
    sed "s/@N@/$n/g; s/@D@/$d/g; s/@F@/$f/g; s/@K@/4/g; s/@T@/16/g; s/@ETA@/0.1/g;
         s/@SCALE@/$scale/g; s/@W2@/$w2/g; s/@S@/$t/g; s/@STORE@/$store/g;
         s/@LOAD@/$load/g" \
      bench/gpu/ebt.mlir.in >"$BUNDLE/ebt.mlir"
    build/bin/tessera-compile "$BUNDLE/ebt.mlir" --target=nvvm --chip=sm_90a \
      -o "$BUNDLE/nvvm/ebt-${n}x${d}x$f$([ "$t" = f32 ] || echo "-$t").so"
  done
  for steps in 10 100 1000; do
    sed "s/@B@/16/g; s/@H@/256/g; s/@NS@/$steps/g" bench/gpu/sampling.mlir.in \
      >"$BUNDLE/sampling.mlir"
    build/bin/tessera-compile "$BUNDLE/sampling.mlir" --target=nvvm --chip=sm_90a \
      -o "$BUNDLE/nvvm/sampling-$steps.so"
  done
  rm "$BUNDLE/ebt.mlir" "$BUNDLE/sampling.mlir"
  cp -P build/lib/libtessera_rt.so* "$BUNDLE/lib/"
  cp bench/gpu/perf.py bench/gpu/latency.py bench/tessera_rt.py bench/torch_ref.py \
    "$BUNDLE/"
  echo "prepared $BUNDLE ($(du -sh "$BUNDLE" | cut -f1))"
  ;;
run)
  dest=${2:-${OUT:-.}}
  case "${3:-all}" in
  all) python3 "$BUNDLE/perf.py" "$BUNDLE" "$dest"
       python3 "$BUNDLE/latency.py" "$BUNDLE" "$dest" ;;
  bandwidth) python3 "$BUNDLE/perf.py" "$BUNDLE" "$dest" ;;
  latency) python3 "$BUNDLE/latency.py" "$BUNDLE" "$dest" ;;
  *) echo "unknown part ${3}: all, bandwidth or latency" >&2; exit 2 ;;
  esac
  ;;
*)
  echo "usage: $0 prepare | run [DIR]" >&2
  exit 2
  ;;
esac
