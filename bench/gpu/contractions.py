"""Reference kernels for the EBT B8 bf16 step's two contractions.

Runs on the GPU machine (PyTorch and Triton are there; nothing of ours is
needed): the step's contractions with the epilogues our compiler fuses into
them, written in Triton, at tile and pipeline settings that separate the
levers (stages of shared memory in flight; mma.sync against wgmma), and
cuBLAS on the plain products. Shapes and formulas are those of
bench/gpu/ebt.mlir.in at B8 L64 D256 F1024, K = 4 (2048 candidate rows):

  y W_y:   G = w2 silu'(bf16(h W_h + y W_y)), stored in bf16
  G W_y^T: y' = bf16(y - eta G W_y^T)

Each kernel is checked against PyTorch first, then timed as 20 launches in
one CUDA graph, median of 21 replays: the time per launch includes the
graph's gap between kernels (about 1 us), as the EBT graph's do.

  python3 bench/gpu/contractions.py [OUT_DIR]   (writes contractions.md)
"""
import os
import sys

import torch
import triton
import triton.language as tl

M, D, F, N = 2048, 256, 1024, 512
W2, ETA = 1.0 / 32, 0.1


@triton.jit
def y_wy(y, w, uh, g, BM: tl.constexpr, BN: tl.constexpr, BK: tl.constexpr):
    rm = tl.program_id(0) * BM + tl.arange(0, BM)
    rn = tl.program_id(1) * BN + tl.arange(0, BN)
    rk = tl.arange(0, BK)
    acc = tl.load(uh + (rm[:, None] % 512) * 1024 + rn[None, :])
    for k in range(0, 256, BK):
        a = tl.load(y + rm[:, None] * 256 + (k + rk)[None, :])
        b = tl.load(w + (k + rk)[:, None] * 1024 + rn[None, :])
        acc = tl.dot(a, b, acc)
    u = acc.to(tl.bfloat16).to(tl.float32)
    e = tl.exp(-u)
    den = 1.0 + e
    r = u / den
    d = (1.0 / 32) / den
    tl.store(g + rm[:, None] * 1024 + rn[None, :], (d + d * r * e).to(tl.bfloat16))


@triton.jit
def g_wyt(g, w, y, out, BM: tl.constexpr, BN: tl.constexpr, BK: tl.constexpr):
    rm = tl.program_id(0) * BM + tl.arange(0, BM)
    rn = tl.program_id(1) * BN + tl.arange(0, BN)
    rk = tl.arange(0, BK)
    acc = tl.zeros((BM, BN), tl.float32)
    for k in range(0, 1024, BK):
        a = tl.load(g + rm[:, None] * 1024 + (k + rk)[None, :])
        b = tl.load(w + rn[None, :] * 1024 + (k + rk)[:, None])
        acc = tl.dot(a, b, acc)
    yv = tl.load(y + rm[:, None] * 256 + rn[None, :]).to(tl.float32)
    tl.store(out + rm[:, None] * 256 + rn[None, :], (yv - 0.1 * acc).to(tl.bfloat16))


def per_launch_us(fn, n=20):
    for _ in range(3):
        fn()
    torch.cuda.synchronize()
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        for _ in range(n):
            fn()
    for _ in range(3):
        graph.replay()
    torch.cuda.synchronize()
    times = []
    for _ in range(21):
        start = torch.cuda.Event(enable_timing=True)
        end = torch.cuda.Event(enable_timing=True)
        start.record()
        graph.replay()
        end.record()
        torch.cuda.synchronize()
        times.append(start.elapsed_time(end) / n * 1e3)
    return sorted(times)[10]


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("OUT", ".")
    torch.manual_seed(0)
    y = torch.randn(M, D, device="cuda").bfloat16()
    w = (torch.randn(D, F, device="cuda") / 16).bfloat16()
    uh = torch.randn(N, F, device="cuda") * 0.5
    g = torch.empty(M, F, device="cuda", dtype=torch.bfloat16)
    y_out = torch.empty_like(y)

    u = (y.float() @ w.float() + uh.repeat(M // N, 1)).bfloat16().float()
    s = torch.sigmoid(u)
    g_ref = (W2 * (s + u * s * (1 - s))).bfloat16().float()

    rows = []

    def sweep(label, kernel, columns, args, out, ref, tolerance, configs):
        """Each (block rows, block columns, steps per stage, stages, warps)
        of `configs`: checked against `ref`, then timed."""
        for bm, bn, bk, stages, warps in configs:
            def launch():
                return kernel[(M // bm, columns // bn)](
                    *args, BM=bm, BN=bn, BK=bk, num_stages=stages,
                    num_warps=warps)
            ptx = launch().asm["ptx"]
            torch.cuda.synchronize()
            err = (out.float() - ref).abs().max().item()
            assert err < tolerance, f"{label}: max error {err}"
            rows.append((label, bm, bn, bk, stages, warps, ptx,
                         per_launch_us(launch)))

    # 4 warps on a 64-row tile make one warpgroup, which Triton runs on
    # wgmma; 2 warps run on mma.sync. One stage: loads, then the mma (no
    # pipeline).
    sweep("y W_y + silu' (Triton)", y_wy, F, (y, w, uh, g), g, g_ref, 1e-3,
          [(64, 64, 64, 1, 2), (64, 64, 64, 3, 2), (64, 64, 64, 1, 4),
           (64, 64, 64, 3, 4)])
    g.copy_(g_ref.bfloat16())
    y_ref = (y.float() - ETA * (g.float() @ w.float().t())).bfloat16().float()
    sweep("G W_y^T + update (Triton)", g_wyt, D, (g, w, y, y_out), y_out,
          y_ref, 2e-2,
          [(64, 64, 128, 1, 2), (64, 64, 128, 4, 2), (64, 64, 128, 1, 8),
           (64, 64, 128, 4, 8)])
    cublas = [("y @ W_y (cuBLAS, bf16 out)", per_launch_us(lambda: torch.mm(y, w))),
              ("G @ W_y^T (cuBLAS, bf16 out)", per_launch_us(lambda: torch.mm(g, w.t())))]

    name = torch.cuda.get_device_name()
    lines = [f"EBT B8 bf16 step contractions on {name}, PyTorch {torch.__version__}, "
             f"Triton {triton.__version__}; us per launch in a CUDA graph (median of 21)", "",
             "| kernel | block tile | steps per stage | stages | warps | mma | loads | us |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for kernel, bm, bn, bk, stages, warps, ptx, us in rows:
        mma = "wgmma" if "wgmma" in ptx else "mma.sync" if "mma.sync" in ptx else "?"
        loads = ("TMA" if "cp.async.bulk" in ptx else
                 "cp.async" if "cp.async" in ptx else "ld.global")
        lines.append(f"| {kernel} | {bm} x {bn} | {bk} | {stages} | {warps} | {mma} | "
                     f"{loads} | {us:.2f} |")
    for kernel, us in cublas:
        lines.append(f"| {kernel} | | | | | | | {us:.2f} |")
    text = "\n".join(lines) + "\n"
    print(text)
    with open(os.path.join(out_dir, "contractions.md"), "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
