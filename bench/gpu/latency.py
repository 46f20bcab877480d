#!/usr/bin/env python3
"""GPU harness for the latency-bound workloads: EBT inference and n-step
BFN sampling, our nvvm artifacts through libtessera_rt against PyTorch.

latency.py BUNDLE OUT

BUNDLE (from `bench/gpu/perf.sh prepare`) holds lib/libtessera_rt.so,
nvvm/ebt-<name>.so (bench/gpu/ebt.mlir.in: K = 4 candidates, T = 16 sgd
steps of a token-wise MLP energy head, at B1 L16 D128 F512 and B8 L64
D256 F1024, and at B8 with bf16 storage) and nvvm/sampling-<n>.so (bench/gpu/sampling.mlir.in: 16
binarised 28x28 images, an MLP network with 256 hidden units, n steps).
PyTorch runs the same formulas on the same inputs and draws (bench/
torch_ref.py): eager, torch.compile of the closed-form step (EBT), and a
CUDA graph capture of the whole loop (of the compiled step for EBT, of the
eager step for sampling). Ours: repeated calls on the same buffers (the
runtime captures the entry's work as a graph on the second and replays it)
and calls alternating between two output buffer sets (each runs the
entry's host code). Results are checked against PyTorch before anything
is timed, and ours again after the replays. Times: CUDA events around each call, 3 warm-ups, median
of 20. Writes OUT/latency.json, OUT/latency.md and OUT/latency.png (time
per sampling step vs n).
"""
import datetime
import json
import os
import subprocess
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import perf  # noqa: E402
from tessera_rt import Runtime  # noqa: E402
from torch_ref import (bfn_sample_torch, ebt_energy, ebt_step,  # noqa: E402
                       ebt_weights, max_rel)

RUNS, WARMUP = 20, 3
EBT_SIZES = [("B1 L16 D128 F512", 16, 128, 512, torch.float32),
             ("B8 L64 D256 F1024", 512, 256, 1024, torch.float32),
             ("B8 L64 D256 F1024", 512, 256, 1024, torch.bfloat16)]
EBT_K, EBT_T, EBT_ETA = 4, 16, 0.1
SAMPLING_N = [10, 100, 1000]
SAMPLING_B, SAMPLING_H = 16, 256


def median_ms(f):
    return perf.median_ms(f, RUNS, WARMUP)


def graph_of(fn):
    """A CUDA graph of fn() (its inputs static); returns (replay, outputs)."""
    stream = torch.cuda.Stream()
    stream.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(stream):
        for _ in range(2):
            fn()
    torch.cuda.current_stream().wait_stream(stream)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        out = fn()
    return graph.replay, out


def ours(rt, fn, ins, outs, correct, what):
    """Our times: repeated calls on the same buffers (the runtime replays the
    graph it captured on the second; queued, and waited for: perf.ours_ms),
    and calls alternating between two sets
    of output buffers (each runs the entry's host code). The outputs are
    checked again after the replays, zeroed first."""
    queued, waited = perf.ours_ms(rt, fn, ins, outs, RUNS, WARMUP)
    times = {"tessera": queued, "tessera waited": waited}
    for b in outs:
        rt.zero(b)
    rt.invoke(fn, ins, outs)
    if not correct():
        raise RuntimeError(f"{what}: a replayed call differs")
    spare = [rt.buffer(nbytes=rt.size(b)) for b in outs]
    sets = [outs, spare]
    calls = [0]

    def alternate():
        rt.invoke(fn, ins, sets[calls[0] % 2])
        calls[0] += 1
    times["tessera host code"] = median_ms(alternate)
    for b in spare:
        rt.rt.tessera_buffer_free(b)
    return times


def run_ebt(rt, bundle, name, n, d, f, dtype):
    """EBT inference at n tokens; with bf16, h, the candidates, the weights
    and the pre-activation are stored in bf16 (PyTorch: everything bf16;
    ours: the contractions accumulate, and all arithmetic runs, in f32),
    checked to a bf16 tolerance."""
    bf16 = dtype == torch.bfloat16
    so = os.path.join(bundle, "nvvm", f"ebt-{n}x{d}x{f}{'-bf16' if bf16 else ''}.so")
    tol = 5e-2 if bf16 else 1e-3
    name = f"{name} {'bf16' if bf16 else 'fp32'}"
    gen = torch.Generator(device="cuda").manual_seed(n + d + f)
    h = (0.8 * torch.randn(n, d, device="cuda", generator=gen)).to(dtype)
    y0 = torch.randn(EBT_K, n, d, device="cuda", generator=gen).to(dtype)
    wh, wy, w2 = (w.to(dtype) for w in ebt_weights(d, f))

    def infer(step):
        hp = h @ wh  # the context projection, once per inference
        y = y0
        for _ in range(EBT_T):
            y = step(hp, y, wy, w2, EBT_ETA)
        return y, ebt_energy(hp, y, wy, w2)

    want_y, want_e = infer(ebt_step)
    fn = rt.function(so, "infer")
    ins = [rt.buffer(h), rt.buffer(y0)]
    # Our energies are f32 in both variants.
    outs = [rt.buffer(want_y), rt.buffer(want_e.float())]

    def ours_err():
        return max(max_rel(rt.read(outs[0], want_y), want_y),
                   max_rel(rt.read(outs[1], want_e.float()), want_e))
    rt.invoke(fn, ins, outs)
    err = ours_err()
    if err > tol:
        raise RuntimeError(f"EBT {name}: ours differs from PyTorch (max rel {err:.3g})")
    times = ours(rt, fn, ins, outs, lambda: ours_err() <= tol, f"EBT {name}")
    times["eager"] = median_ms(lambda: infer(ebt_step))
    for mode in ["default", "max-autotune-no-cudagraphs"]:
        torch._dynamo.reset()
        step = torch.compile(ebt_step, mode=mode, dynamic=False)
        got = infer(step)
        cerr = max(max_rel(got[0], want_y), max_rel(got[1], want_e))
        if cerr > tol:
            raise RuntimeError(f"EBT {name} torch.compile {mode} differs ({cerr})")
        times[f"compile {mode}"] = median_ms(lambda: infer(step))
        replay, got = graph_of(lambda: infer(step))
        replay()
        torch.cuda.synchronize()
        gerr = max(max_rel(got[0], want_y), max_rel(got[1], want_e))
        if gerr > tol:
            raise RuntimeError(f"EBT {name} graph of compile {mode} differs ({gerr})")
        times[f"CUDA graph of compile {mode}"] = median_ms(replay)
    for b in ins + outs:
        rt.rt.tessera_buffer_free(b)
    best = min(v for k, v in times.items() if not k.startswith("tessera"))
    row = {"workload": f"EBT inference K={EBT_K} T={EBT_T}, MLP head, "
                       f"{'bf16 storage' if bf16 else 'fp32'}", "size": name,
           "times_ms": times, "best_torch_ms": best, "max_rel_err": err,
           "ratio_vs_best": times["tessera"] / best,
           "ratio_vs_eager": times["tessera"] / times["eager"]}
    print(f"EBT {name}: " + ", ".join(f"{k} {v:.3f} ms" for k, v in times.items()),
          flush=True)
    return row


def run_sampling(rt, bundle, n):
    so = os.path.join(bundle, "nvvm", f"sampling-{n}.so")
    gen = torch.Generator(device="cuda").manual_seed(n)
    b, h = SAMPLING_B, SAMPLING_H
    w1 = torch.randn(1568, h, device="cuda", generator=gen) / 1568 ** 0.5
    c = torch.randn(h, device="cuda", generator=gen)
    w2 = 2 * torch.randn(h, 1568, device="cuda", generator=gen) / h ** 0.5
    u = torch.rand(n, b, 784, device="cuda", generator=gen)
    eps = torch.randn(n, b, 784, 2, device="cuda", generator=gen)
    want = bfn_sample_torch(w1, c, w2, u, eps)
    fn = rt.function(so, "sample")
    ins = [rt.buffer(v) for v in (w1, c, w2, u, eps)]
    out = rt.buffer(want)
    rt.invoke(fn, ins, [out])
    got = rt.read(out, want)
    # A class draw within rounding of a CDF boundary may go either way.
    mismatch = float((got != want.cpu()).double().mean())
    if mismatch > 1e-3:
        raise RuntimeError(f"sampling n={n}: {mismatch:.2%} of the samples differ")
    times = ours(rt, fn, ins, [out], lambda: float(
        (rt.read(out, want) != want.cpu()).double().mean()) <= 1e-3,
        f"sampling n={n}")
    times["eager"] = median_ms(lambda: bfn_sample_torch(w1, c, w2, u, eps))
    replay, _ = graph_of(lambda: bfn_sample_torch(w1, c, w2, u, eps))
    times["CUDA graph of eager"] = median_ms(replay)
    for buf in ins + [out]:
        rt.rt.tessera_buffer_free(buf)
    row = {"workload": "BFN n-step sampling, MLP network, 16 x 784 pixels, K=2",
           "n_steps": n, "times_ms": times,
           "per_step_ms": {k: v / n for k, v in times.items()},
           "mismatch": mismatch,
           "ratio_vs_eager": times["tessera"] / times["eager"],
           "ratio_vs_graph": times["tessera"] / times["CUDA graph of eager"]}
    print(f"sampling n={n}: " + ", ".join(f"{k} {v / n * 1000:.1f} us/step"
                                          for k, v in times.items()), flush=True)
    return row


def main():
    bundle, out = sys.argv[1], sys.argv[2]
    torch.backends.cuda.matmul.allow_tf32 = False
    torch._dynamo.config.cache_size_limit = 64
    # The runtime replays graphs by default (runtime/README.md); "tessera"
    # measures that, "tessera host code" the calls it does not replay.
    os.environ.pop("TESSERA_CUDA_GRAPHS", None)
    rt = Runtime(os.path.join(bundle, "lib", "libtessera_rt.so"), Runtime.CUDA)
    ebt = [run_ebt(rt, bundle, *size) for size in EBT_SIZES]
    sampling = [run_sampling(rt, bundle, n) for n in SAMPLING_N]
    smi = subprocess.run(["nvidia-smi", "--query-gpu=name,driver_version",
                          "--format=csv,noheader"], capture_output=True, text=True)
    meta = {"device": torch.cuda.get_device_name(), "nvidia-smi": smi.stdout.strip(),
            "torch": torch.__version__, "date": datetime.date.today().isoformat(),
            "runs": RUNS, "warmup": WARMUP}
    json.dump({"meta": meta, "ebt": ebt, "sampling": sampling},
              open(os.path.join(out, "latency.json"), "w"), indent=1)
    with open(os.path.join(out, "latency.md"), "w") as md:
        md.write(f"{meta['device']} ({meta['nvidia-smi']}), PyTorch {meta['torch']}, "
                 f"{meta['date']}; median of {RUNS} after {WARMUP} warm-ups\n\n")
        md.write("| EBT inference (K=4, T=16, MLP head) | tessera ms | tessera waited "
                 "ms | tessera host "
                 "code ms | eager ms | best torch.compile ms | best CUDA graph ms | "
                 "tessera / best | tessera / eager |\n"
                 "| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n")
        for r in ebt:
            t = r["times_ms"]
            comp = min(v for k, v in t.items() if k.startswith("compile"))
            graph = min(v for k, v in t.items() if k.startswith("CUDA graph"))
            md.write(f"| {r['size']} | {t['tessera']:.3f} | {t['tessera waited']:.3f} "
                     f"| {t['tessera host code']:.3f} "
                     f"| {t['eager']:.3f} | {comp:.3f} "
                     f"| {graph:.3f} | {r['ratio_vs_best']:.2f}x | "
                     f"{r['ratio_vs_eager']:.2f}x |\n")
        md.write("\n| BFN sampling (16 images, MLP 256) | tessera us/step | tessera "
                 "waited us/step | tessera host "
                 "code us/step | eager us/step | CUDA graph us/step | tessera / eager | "
                 "tessera / graph |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n")
        for r in sampling:
            p = r["per_step_ms"]
            md.write(f"| n = {r['n_steps']} | {1000 * p['tessera']:.1f} | "
                     f"{1000 * p['tessera waited']:.1f} | "
                     f"{1000 * p['tessera host code']:.1f} | "
                     f"{1000 * p['eager']:.1f} | {1000 * p['CUDA graph of eager']:.1f} | "
                     f"{r['ratio_vs_eager']:.2f}x | {r['ratio_vs_graph']:.2f}x |\n")
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6, 4.5))
    ns = [r["n_steps"] for r in sampling]
    for key, style in [("tessera", "o-"), ("tessera host code", "o:"), ("eager", "^:"),
                       ("CUDA graph of eager", "s--")]:
        ax.plot(ns, [1000 * r["per_step_ms"][key] for r in sampling], style,
                label={"tessera": "tessera (nvvm, graph replay)",
                       "tessera host code": "tessera (nvvm, host code)"}.get(key, key))
    ax.set_xscale("log")
    ax.set_xlabel("n_steps")
    ax.set_ylabel("time per step (us)")
    ax.set_title(f"BFN sampling, {meta['device']}, {meta['date']}")
    ax.legend()
    fig.tight_layout()
    fig.savefig(os.path.join(out, "latency.png"), dpi=110)
    print(open(os.path.join(out, "latency.md")).read())


if __name__ == "__main__":
    main()
