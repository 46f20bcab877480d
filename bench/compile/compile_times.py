"""Times tessera-compile: every example to cpu, nvvm and rocdl, and chains
of n bfn.flow_steps to cpu (n = 125 ... 1000), median of 3 wall-clock runs
each. Writes compile.json and compile.md to the destination directory."""

import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time

COMPILE, WORK, DEST = sys.argv[1:4]
REPEATS = 3
TARGETS = {"cpu": [], "nvvm": ["--chip=sm_90"], "rocdl": ["--chip=gfx942"]}


def timed(src, target):
    out = os.path.join(WORK, "out.so")
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        subprocess.run([COMPILE, src, f"--target={target}", *TARGETS[target],
                        "-o", out], check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def flow_steps(n, offsets="progression"):
    """A module of n chained categorical flow_steps (64 sites, K = 4) with a
    one-matmul network, each step keyed at its own offset: i * 1024 (a
    progression: tessera-to-schedule turns the chain into a loop computing
    it), i * 1024 + i % 3 ("table": a loop reading it from a constant
    table), or base + i * 1024 for a run-time base ("runtime": not
    constants, so the n calls stay written out)."""
    lines = [
        "func.func @net(%theta: tensor<64x4xf32>, %t: f32, %w: tensor<4x4xf32>) -> tensor<64x4xf32> {",
        "  %zero = arith.constant 0.0 : f32",
        "  %e = tensor.empty() : tensor<64x4xf32>",
        "  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<64x4xf32>) -> tensor<64x4xf32>",
        "  %l = linalg.matmul ins(%theta, %w : tensor<64x4xf32>, tensor<4x4xf32>) outs(%z : tensor<64x4xf32>) -> tensor<64x4xf32>",
        "  return %l : tensor<64x4xf32>",
        "}",
        "func.func @steps(%w: tensor<4x4xf32>, %seed: i64, %base: i64) -> tensor<64x4xf32> {",
        f"  %n = arith.constant {n} : index",
        "  %p0 = bfn.prior : !bfn.simplex<64x4xf32, log>",
    ]
    for i in range(1, n + 1):
        lines += [
            f"  %i{i} = arith.constant {i} : index",
            *([f"  %c{i} = arith.constant {i * 1024} : i64",
               f"  %o{i} = arith.addi %base, %c{i} : i64"]
              if offsets == "runtime" else
              [f"  %o{i} = arith.constant "
               f"{i * 1024 + (i % 3 if offsets == 'table' else 0)} : i64"]),
            f"  %p{i} = bfn.flow_step %p{i - 1} step %i{i} of %n, "
            "#bfn.schedule<paper_discrete, beta1 = 3.0> "
            f"rng(%seed, %o{i}) network @net(%w) : "
            "!bfn.simplex<64x4xf32, log>, index, index, tensor<4x4xf32>",
        ]
    lines += [
        f"  %r = bfn.unpack %p{n} : !bfn.simplex<64x4xf32, log> -> tensor<64x4xf32>",
        "  return %r : tensor<64x4xf32>",
        "}",
    ]
    path = os.path.join(WORK, f"steps{n}-{offsets}.mlir")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


examples = []
for family in ("bfn", "ebt"):
    for name in sorted(os.listdir(os.path.join("examples", family))):
        if name.endswith(".mlir"):
            path = os.path.join("examples", family, name)
            row = {"example": f"{family}/{name}"}
            for target in TARGETS:
                row[target] = timed(path, target)
            examples.append(row)
            print(row["example"], *(f"{t} {row[t]:.2f} s" for t in TARGETS),
                  flush=True)

chains = []
for n in (125, 250, 500, 1000):
    t = timed(flow_steps(n), "cpu")
    ti = timed(flow_steps(n, "table"), "cpu")
    tr = timed(flow_steps(n, "runtime"), "cpu")
    chains.append({"flow_steps": n, "cpu_s": t, "ms_per_step": 1e3 * t / n,
                   "irregular_cpu_s": ti, "runtime_cpu_s": tr})
    print(f"{n} flow_steps: cpu {t:.2f} s, offsets out of progression "
          f"{ti:.2f} s, run-time offsets {tr:.2f} s", flush=True)

# Linearity: least-squares line through the chain times, and how far the
# largest module is from it.
xs = [c["flow_steps"] for c in chains]
ys = [c["cpu_s"] for c in chains]
mx, my = statistics.mean(xs), statistics.mean(ys)
slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum(
    (x - mx) ** 2 for x in xs)
intercept = my - slope * mx
ss_res = sum((y - (intercept + slope * x)) ** 2 for x, y in zip(xs, ys))
ss_tot = sum((y - my) ** 2 for y in ys)
fit = {"ms_per_step": 1e3 * slope, "intercept_s": intercept,
       "r2": 1 - ss_res / ss_tot,
       "ratio_1000_over_500": ys[-1] / ys[-2]}

info = {"date": datetime.date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "repeats": REPEATS}
with open(os.path.join(DEST, "compile.json"), "w") as f:
    json.dump({"info": info, "examples": examples, "chains": chains,
               "fit": fit}, f, indent=1)

md = [f"tessera-compile wall time, median of {REPEATS}, {info['date']}, "
      f"{info['machine']}", "",
      "| example | cpu s | nvvm (sm_90) s | rocdl (gfx942) s |",
      "| --- | --- | --- | --- |"]
for row in examples:
    md.append(f"| {row['example']} | {row['cpu']:.2f} | {row['nvvm']:.2f} | "
              f"{row['rocdl']:.2f} |")
md += ["", "| flow_steps | cpu s | ms per step | cpu s, offsets out of "
       "progression | cpu s, run-time offsets (not rolled) |",
       "| --- | --- | --- | --- | --- |"]
for c in chains:
    md.append(f"| {c['flow_steps']} | {c['cpu_s']:.2f} | "
              f"{c['ms_per_step']:.2f} | {c['irregular_cpu_s']:.2f} | "
              f"{c['runtime_cpu_s']:.2f} |")
md += ["", f"Least-squares line: {fit['ms_per_step']:.2f} ms per step + "
       f"{fit['intercept_s']:.2f} s, R² = {fit['r2']:.4f}; "
       f"1000 steps / 500 steps = {fit['ratio_1000_over_500']:.2f} "
       f"({chains[-1]['irregular_cpu_s'] / chains[-2]['irregular_cpu_s']:.2f} "
       "with offsets out of progression, "
       f"{chains[-1]['runtime_cpu_s'] / chains[-2]['runtime_cpu_s']:.2f} "
       "with run-time offsets)."]
with open(os.path.join(DEST, "compile.md"), "w") as f:
    f.write("\n".join(md) + "\n")
print("\n".join(md))
