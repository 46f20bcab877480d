#!/usr/bin/env python3
"""GPU harness: our nvvm kernels through libtessera_rt against PyTorch.

perf.py BUNDLE OUT

BUNDLE (from `bench/gpu/perf.sh prepare`) holds lib/libtessera_rt.so,
nvvm/kernels-NxK.so (bench/cpu/kernels.mlir.in at each size), sizes.txt
and nvvm/gauss.so (bench/gpu/gauss.mlir.in, 64 rows x 262144 values: the
Gaussian update and the continuous-time loss, timed the same way).
For every size, on the same inputs: our fused categorical receiver+KL and
log-space Bayesian update (tessera_invoke_buffers on device buffers, nothing
copied per call), PyTorch eager, torch.compile (default and
max-autotune-no-cudagraphs at the issue's sizes; default only in the K
sweep), and a device-to-device copy of the same minimum bytes for the
bandwidth limit; at the issue's sizes again with bf16 and fp16 parameter
storage (fp32 compute). Outputs are checked against PyTorch before anything is
timed. Times: CUDA events around 10 calls back to back (the kernels, not
the launch path), 5 warm-ups, median of 30; ours with the events on the
runtime's stream around tessera_invoke_buffers_async (the replayed graph
queued, not waited for: how PyTorch's kernels are timed), and, as
"waited", around one tessera_invoke_buffers (which returns once the work
is done, so it also counts the launch and the host's wake-up).
Writes OUT/gpu-perf.json, OUT/gpu-perf.md and OUT/gpu-perf.png.
"""
import datetime
import json
import os
import statistics
import subprocess
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tessera_rt import Runtime  # noqa: E402
from torch_ref import (cts_loss_torch, gauss_update_torch, kl_torch,  # noqa: E402
                       max_rel, update_torch)

RUNS, WARMUP = 30, 5
# Calls per timing in the bandwidth rows: each contender's kernels back to
# back, so that what is timed is the kernel, not the launch path (~5-15 us
# from Python, as much as a fifth of a 50 us kernel) that latency.py measures.
BATCH = 10
TARGET_SIZES = {(1048576, 27), (262144, 256), (4194304, 2)}


def median_ms(f, runs=RUNS, warmup=WARMUP, stream=None, batch=1):
    """Median of `runs` CUDA-event timings of f() after `warmup` calls, the
    events on `stream` (default: the current stream); with batch > 1, each
    timing is of that many calls back to back, divided by it."""
    for _ in range(warmup):
        f()
    torch.cuda.synchronize()
    times = []
    for _ in range(runs):
        start = torch.cuda.Event(enable_timing=True)
        end = torch.cuda.Event(enable_timing=True)
        start.record(stream)
        for _ in range(batch):
            f()
        end.record(stream)
        end.synchronize()
        times.append(start.elapsed_time(end) / batch)
    return statistics.median(times)


def ours_ms(rt, fn, ins, outs, runs=RUNS, warmup=WARMUP, batch=1):
    """Our entry timed as PyTorch's kernels are: events on the runtime's
    stream around calls that queue it (a replayed graph) without waiting;
    and, as "waited", around one call that returns when the work is done."""
    queued = median_ms(lambda: rt.invoke_async(fn, ins, outs), runs, warmup,
                       rt.stream(), batch)
    rt.synchronize()
    waited = median_ms(lambda: rt.invoke(fn, ins, outs), runs, warmup)
    return queued, waited


def timed_row(name, sites, k, ours, eager, compiled, copy, min_bytes, err):
    best = min(compiled.values())
    ours, waited = ours
    return {
        "workload": name, "sites": sites, "K": k, "tessera_ms": ours,
        "tessera_waited_ms": waited,
        "eager_ms": eager, "compile_ms": compiled, "compile_best_ms": best,
        "copy_ms": copy, "min_bytes": min_bytes, "max_rel_err": err,
        "ratio_vs_compile": ours / best, "ratio_vs_eager": ours / eager,
        "tessera_GBps": min_bytes / ours / 1e6,
        "compile_GBps": min_bytes / best / 1e6,
        "copy_GBps": min_bytes / copy / 1e6,
        "fraction_of_copy": copy / ours,
    }


def copy_ms(min_bytes):
    src = torch.empty(min_bytes // 2, dtype=torch.uint8, device="cuda")
    dst = torch.empty_like(src)
    return median_ms(lambda: dst.copy_(src), batch=BATCH)


def compiled_ms(name, fn_torch, args, want, modes, tol=1e-4):
    compiled = {}
    for mode in modes:
        torch._dynamo.reset()
        c = torch.compile(fn_torch, mode=mode, dynamic=False)
        got = c(*args)
        got = got if isinstance(got, tuple) else (got,)
        cerr = max(max_rel(g, w) for g, w in zip(got, want))
        if cerr > tol:
            raise RuntimeError(f"{name} torch.compile {mode} differs ({cerr})")
        compiled[mode] = median_ms(lambda: c(*args), batch=BATCH)
    return compiled


def run_size(rt, bundle, n, k, dtype=torch.float32):
    """The two categorical kernels at n x k, parameters stored as dtype."""
    half = {torch.bfloat16: "bf16", torch.float16: "f16"}.get(dtype)
    so = os.path.join(bundle, "nvvm", f"kernels-{n}x{k}{'-' + half if half else ''}.so")
    gen = torch.Generator(device="cuda").manual_seed(n * 131 + k)
    logp = torch.log_softmax(torch.randn(n, k, device="cuda", generator=gen), 1)
    logp = logp.to(dtype)
    size = logp.element_size()
    tol = 1e-2 if half else 1e-4  # the update is stored back in 16 bits
    y = 2 * torch.randn(n, k, device="cuda", generator=gen)
    x = torch.randint(0, k, (n,), device="cuda", generator=gen, dtype=torch.int32)
    x64 = x.long()
    rows = []
    modes = ["default", "max-autotune-no-cudagraphs"] if (n, k) in TARGET_SIZES \
        else ["default"]
    suffix = f", {half}" if half else ""
    for name, fn_torch, args, ours_in, out_like, min_bytes in [
        ("categorical receiver+KL (fused)" + suffix, kl_torch, (x64, logp, y),
         (x, logp, y), torch.empty(n, device="cuda"), n * (8 + k * (4 + size))),
        ("categorical Bayesian update (log)" + suffix, update_torch, (logp, y),
         (logp, y), torch.empty(n, k, device="cuda", dtype=dtype),
         n * k * (4 + 2 * size)),
    ]:
        entry = "kl" if "KL" in name else "update"
        fn = rt.function(so, entry)
        ins = [rt.buffer(t) for t in ours_in]
        out = rt.buffer(nbytes=out_like.numel() * out_like.element_size())
        rt.invoke(fn, ins, [out])
        want = fn_torch(*args)
        err = max_rel(rt.read(out, out_like), want)
        if err > tol:
            raise RuntimeError(f"{name} {n}x{k}: ours differs from PyTorch "
                               f"(max rel {err:.3g})")
        ours = ours_ms(rt, fn, ins, [out], batch=BATCH)
        # A queued replay's result, read after it (the read waits for it).
        rt.zero(out)
        rt.invoke_async(fn, ins, [out])
        if max_rel(rt.read(out, out_like), want) > tol:
            raise RuntimeError(f"{name} {n}x{k}: a queued replay differs")
        eager = median_ms(lambda: fn_torch(*args), batch=BATCH)
        compiled = compiled_ms(f"{name} {n}x{k}", fn_torch, args, (want,), modes,
                               tol)
        copy = copy_ms(min_bytes)
        best = min(compiled.values())
        rows.append(timed_row(name, n, k, ours, eager, compiled, copy, min_bytes,
                              err))
        for b in ins + [out]:
            rt.rt.tessera_buffer_free(b)
        print(f"{name:36s} {n:>8d}x{k:<5d} ours {ours[0]:8.3f} ms (waited "
              f"{ours[1]:.3f})  eager {eager:8.3f}  compile {best:8.3f}  copy "
              f"{copy:7.3f}  ({copy / ours[0]:.0%} of copy)", flush=True)
    return rows


def run_gauss(rt, bundle, rows_n=64, dim=262144, sigma1=0.02):
    """Gaussian update and continuous-time loss on rows_n x dim values."""
    so = os.path.join(bundle, "nvvm", "gauss.so")
    gen = torch.Generator(device="cuda").manual_seed(7)
    shape = (rows_n, dim)
    mu = torch.randn(shape, device="cuda", generator=gen)
    rho = 1 + torch.rand(shape, device="cuda", generator=gen)
    y = torch.randn(shape, device="cuda", generator=gen)
    x = torch.rand(shape, device="cuda", generator=gen) * 2 - 1
    xhat = x + 0.1 * torch.randn(shape, device="cuda", generator=gen)
    t = torch.rand(rows_n, device="cuda", generator=gen)
    n = rows_n * dim
    rows = []
    for name, entry, fn_torch, args, ours_in, nout, min_bytes in [
        ("Gaussian Bayesian update", "gauss_update",
         lambda a, b, c, d: gauss_update_torch(a, b, c, d, sigma1),
         (mu, rho, y, t), (mu, rho, y, t), 2, 4 * (5 * n + rows_n)),
        ("continuous-time loss", "cts_loss",
         lambda a, b, c: cts_loss_torch(a, b, c, sigma1),
         (x, xhat, t), (x, xhat, t), 1, 4 * (3 * n + rows_n)),
    ]:
        fn = rt.function(so, entry)
        ins = [rt.buffer(v) for v in ours_in]
        outs = [rt.buffer(nbytes=4 * n) for _ in range(nout)]
        rt.invoke(fn, ins, outs)
        want = fn_torch(*args)
        want = want if isinstance(want, tuple) else (want,)
        like = torch.empty(shape, device="cuda")
        err = max(max_rel(rt.read(o, like), w) for o, w in zip(outs, want))
        if err > 1e-4:
            raise RuntimeError(f"{name}: ours differs from PyTorch (max rel {err:.3g})")
        ours = ours_ms(rt, fn, ins, outs, batch=BATCH)
        for o in outs:
            rt.zero(o)
        rt.invoke_async(fn, ins, outs)
        if max(max_rel(rt.read(o, like), w) for o, w in zip(outs, want)) > 1e-4:
            raise RuntimeError(f"{name}: a queued replay differs")
        eager = median_ms(lambda: fn_torch(*args), batch=BATCH)
        compiled = compiled_ms(name, fn_torch, args, want,
                               ["default", "max-autotune-no-cudagraphs"])
        copy = copy_ms(min_bytes)
        rows.append(timed_row(name, rows_n, dim, ours, eager, compiled, copy,
                              min_bytes, err))
        for b in ins + outs:
            rt.rt.tessera_buffer_free(b)
        print(f"{name:36s} {rows_n}x{dim} ours {ours[0]:8.3f} ms (waited "
              f"{ours[1]:.3f})  eager {eager:8.3f}  compile "
              f"{min(compiled.values()):8.3f}  copy {copy:7.3f}"
              f"  ({copy / ours[0]:.0%} of copy)", flush=True)
    return rows


def main():
    bundle, out = sys.argv[1], sys.argv[2]
    torch._dynamo.config.cache_size_limit = 256
    rt = Runtime(os.path.join(bundle, "lib", "libtessera_rt.so"), Runtime.CUDA)
    sizes = [tuple(map(int, line.split())) for line in
             open(os.path.join(bundle, "sizes.txt")) if line.strip()]
    rows = []
    for n, k in sizes:
        rows += run_size(rt, bundle, n, k)
    for dtype in (torch.bfloat16, torch.float16):
        for n, k in sorted(TARGET_SIZES):
            rows += run_size(rt, bundle, n, k, dtype)
    gauss = run_gauss(rt, bundle)
    rows += gauss
    smi = subprocess.run(["nvidia-smi", "--query-gpu=name,driver_version",
                          "--format=csv,noheader"], capture_output=True, text=True)
    meta = {"device": torch.cuda.get_device_name(), "nvidia-smi": smi.stdout.strip(),
            "torch": torch.__version__, "date": datetime.date.today().isoformat(),
            "runs": RUNS, "warmup": WARMUP}
    json.dump({"meta": meta, "rows": rows}, open(os.path.join(out, "gpu-perf.json"), "w"),
              indent=1)
    with open(os.path.join(out, "gpu-perf.md"), "w") as md:
        md.write(f"{meta['device']} ({meta['nvidia-smi']}), PyTorch {meta['torch']}, "
                 f"{meta['date']}; median of {RUNS} after {WARMUP} warm-ups\n\n")
        md.write("| workload | sites x K (rows x values) | tessera ms | tessera waited ms "
                 "| eager ms | torch.compile ms "
                 "(best) | tessera / compile | tessera GB/s | % of copy |\n")
        md.write("| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n")
        for r in rows:
            md.write(f"| {r['workload']} | {r['sites']}x{r['K']} | {r['tessera_ms']:.3f} "
                     f"| {r['tessera_waited_ms']:.3f} "
                     f"| {r['eager_ms']:.3f} | {r['compile_best_ms']:.3f} | "
                     f"{r['ratio_vs_compile']:.2f}x | {r['tessera_GBps']:.0f} | "
                     f"{100 * r['fraction_of_copy']:.0f}% |\n")
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    categorical = sorted({r["workload"] for r in rows
                          if r not in gauss and "f16" not in r["workload"]})
    for ax, workload in zip(axes, categorical):
        sweep = sorted((r for r in rows if r["workload"] == workload
                        and (r["sites"], r["K"]) not in TARGET_SIZES),
                       key=lambda r: r["K"])
        ks = [r["K"] for r in sweep]
        ax.plot(ks, [r["tessera_GBps"] for r in sweep], "o-", label="tessera")
        ax.plot(ks, [r["compile_GBps"] for r in sweep], "s--", label="torch.compile")
        ax.plot(ks, [r["min_bytes"] / r["eager_ms"] / 1e6 for r in sweep], "^:",
                label="PyTorch eager")
        ax.plot(ks, [r["copy_GBps"] for r in sweep], "k-", lw=2,
                label="roofline (D2D copy)")
        ax.set_xscale("log", base=2)
        ax.set_xlabel("alphabet size K (2^24 elements)")
        ax.set_ylabel("GB/s on minimum bytes")
        ax.set_title(workload)
        ax.legend()
    fig.suptitle(f"{meta['device']}, {meta['date']}")
    fig.tight_layout()
    fig.savefig(os.path.join(out, "gpu-perf.png"), dpi=110)
    print(open(os.path.join(out, "gpu-perf.md")).read())


if __name__ == "__main__":
    main()
