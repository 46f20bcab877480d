#!/usr/bin/env python3
"""CPU harness, PyTorch side: our cpu artifacts against PyTorch CPU.

torch_cpu.py LIBTESSERA_RT DIR

For each DIR/kernels-NxK.so (bench/cpu/kernels.mlir.in, built by run.sh):
our fused categorical receiver+KL and log-space Bayesian update through
libtessera_rt (cpu backend, tessera_invoke_buffers) and the same formulas in
PyTorch CPU (Debian python3-torch), on the same inputs, at 1 and 2 threads
(omp_set_num_threads for ours, torch.set_num_threads for PyTorch). Outputs
are compared first; times are medians of 20 after 3 warm-ups. Prints one
JSON object per row.
"""
import ctypes
import glob
import json
import os
import re
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from tessera_rt import Runtime  # noqa: E402
from torch_ref import kl_torch, max_rel, update_torch  # noqa: E402

RUNS, WARMUP = 20, 3


def median_ms(f):
    for _ in range(WARMUP):
        f()
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        f()
        times.append(1e3 * (time.perf_counter() - start))
    return statistics.median(times)


def main():
    rt = Runtime(sys.argv[1], Runtime.CPU)
    # The artifacts' threads are libomp's, already loaded with them.
    omp = ctypes.CDLL("libomp.so.5")
    for so in sorted(glob.glob(os.path.join(sys.argv[2], "kernels-*.so"))):
        n, k = map(int, re.search(r"kernels-(\d+)x(\d+)\.so", so).groups())
        gen = torch.Generator().manual_seed(n * 131 + k)
        logp = torch.log_softmax(torch.randn(n, k, generator=gen), 1)
        y = 2 * torch.randn(n, k, generator=gen)
        x = torch.randint(0, k, (n,), generator=gen, dtype=torch.int32)
        x64 = x.long()
        for name, entry, fn, args, ours_in, shape in [
            ("categorical_kl", "kl", kl_torch, (x64, logp, y), (x, logp, y), (n,)),
            ("categorical_update", "update", update_torch, (logp, y), (logp, y),
             (n, k)),
        ]:
            f = rt.function(so, entry)
            ins = [rt.buffer(t) for t in ours_in]
            like = torch.empty(shape)
            out = rt.buffer(nbytes=like.numel() * 4)
            rt.invoke(f, ins, [out])
            want = fn(*args)
            err = max_rel(rt.read(out, like), want)
            if err > 1e-4:
                raise RuntimeError(f"{name} {n}x{k}: ours differs from PyTorch "
                                   f"(max rel {err:.3g})")
            for threads in (1, 2):
                omp.omp_set_num_threads(threads)
                torch.set_num_threads(threads)
                ours = median_ms(lambda: rt.invoke(f, ins, [out]))
                theirs = median_ms(lambda: fn(*args))
                print(json.dumps({"workload": name, "sites": n, "K": k,
                                  "threads": threads, "tessera_ms": round(ours, 3),
                                  "torch_ms": round(theirs, 3),
                                  "speedup_vs_torch": round(theirs / ours, 3),
                                  "max_rel_err": err,
                                  "torch": torch.__version__}), flush=True)
            for b in ins + [out]:
                rt.rt.tessera_buffer_free(b)


if __name__ == "__main__":
    main()
