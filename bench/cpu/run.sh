#!/usr/bin/env bash
# CPU benchmark: our artifacts (through libtessera_rt) on 1 and 2 threads
# against a plain scalar C reference of the same formulas (-O3
# -march=native, 1 thread), the memcpy bandwidth of the same minimum
# bytes, and the one-thread streaming floor (a vectorised loop reading each
# input once and writing each output once), at the issue's sizes.
# Writes bench/cpu/results.json and prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/build.sh >/dev/null
OUT=build/bench/cpu
mkdir -p "$OUT"
cc -std=c11 -O3 -march=native -o "$OUT/bench_cpu" bench/cpu/bench_cpu.c \
  -Iruntime/include -Lbuild/lib -ltessera_rt -Wl,-rpath,"$PWD/build/lib" -lm
: > "$OUT/results.json"
for size in "1048576 27" "262144 256" "4194304 2"; do
  set -- $size
  sed "s/@N@/$1/g; s/@K@/$2/g; s/@T@/f32/g" bench/cpu/kernels.mlir.in > "$OUT/kernels-$1x$2.mlir"
  start=$(date +%s.%N)
  build/bin/tessera-compile "$OUT/kernels-$1x$2.mlir" -o "$OUT/kernels-$1x$2.so"
  end=$(date +%s.%N)
  echo "compile ${1}x${2}: $(echo "$end - $start" | bc) s" >&2
  # Our site loops run on OpenMP threads; the reference stays on one.
  for threads in 1 2; do
    OMP_NUM_THREADS=$threads "$OUT/bench_cpu" "$OUT/kernels-$1x$2.so" "$1" "$2" "$threads" \
      >> "$OUT/results.json"
  done
done
cp "$OUT/results.json" bench/cpu/results.json
# PyTorch CPU (Debian python3-torch, for the system python3) on the same
# artifacts, when it is installed.
if /usr/bin/python3 -c "import torch" 2>/dev/null; then
  /usr/bin/python3 bench/cpu/torch_cpu.py build/lib/libtessera_rt.so "$OUT" \
    > bench/cpu/results-torch.json
else
  echo "PyTorch CPU: not measured (apt-get install python3-torch)" >&2
  : > bench/cpu/results-torch.json
fi
python3 - "$OUT/results.json" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
one = {(r["workload"], r["sites"], r["K"]): r["tessera_ms"] for r in rows
       if r["threads"] == "1"}
print("| workload | sites x K | threads | tessera ms | scalar C ms (1 thread) | speed-up vs C | vs 1 thread | GB/s | % of memcpy | streaming floor ms (1 thread) | floor vs C |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
for r in rows:
    print("| %s | %dx%d | %s | %.2f | %.2f | %.2fx | %.2fx | %.2f | %.0f%% | %.2f | %.2fx |" % (
        r["workload"], r["sites"], r["K"], r["threads"], r["tessera_ms"],
        r["c_ref_ms"], r["speedup_vs_c"],
        one[(r["workload"], r["sites"], r["K"])] / r["tessera_ms"],
        r["tessera_GBps"], 100 * r["fraction_of_memcpy"], r["stream_ms"],
        r["stream_speedup_vs_c"]))
torch_rows = [json.loads(l) for l in open("bench/cpu/results-torch.json") if l.strip()]
if torch_rows:
    print()
    print("| workload | sites x K | threads | tessera ms | PyTorch %s ms | speed-up vs PyTorch |" % torch_rows[0]["torch"])
    print("| --- | --- | --- | --- | --- | --- |")
    for r in torch_rows:
        print("| %s | %dx%d | %d | %.2f | %.2f | %.2fx |" % (
            r["workload"], r["sites"], r["K"], r["threads"], r["tessera_ms"],
            r["torch_ms"], r["speedup_vs_torch"]))
PY
