"""Runs bench/gpu/tiles.mlir's contractions (bench/gpu/tiles.sh) through
the runtime: for each chip's artifact and entry, the f32 result against
PyTorch's f32 product of the same 16-bit inputs (their products are exact
in f32, so only the order of the sums differs), then the time of one call
(CUDA events around 10 queued calls, median of 20)."""
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from tessera_rt import Runtime  # noqa: E402

ENTRIES = {
    "edges": lambda: ([torch.randn(1000, 64), torch.randn(64, 1000)],
                      torch.bfloat16, lambda a, b: a @ b),
    "ring": lambda: ([torch.randn(1000, 320), torch.randn(520, 320)],
                     torch.float16, lambda a, b: a @ b.t()),
    "batched": lambda: ([torch.randn(4, 1024, 1024), torch.randn(4, 1024, 256)],
                        torch.bfloat16, lambda a, b: a @ b),
}


def main():
    bundle, out_dir = sys.argv[1], sys.argv[2]
    rt = Runtime(os.path.join(bundle, "lib", "libtessera_rt.so"), Runtime.CUDA)
    torch.manual_seed(0)
    lines = [f"GPU contraction edges on {torch.cuda.get_device_name()}, "
             f"PyTorch {torch.__version__}", "",
             "| entry | chip | max rel. error | us per call |",
             "| --- | --- | --- | --- |"]
    worst = 0.0
    for name, make in ENTRIES.items():
        inputs, dtype, product = make()
        inputs = [x.to(dtype).cuda() for x in inputs]
        ref = product(*[x.float() for x in inputs])
        for chip in ("sm_90a", "sm_90"):
            fn = rt.function(os.path.join(bundle, f"tiles-{chip}.so"), name)
            ins = [rt.buffer(x) for x in inputs]
            outs = [rt.buffer(nbytes=ref.numel() * 4)]
            rt.invoke(fn, ins, outs)
            got = rt.read(outs[0], ref).cuda()
            err = ((got - ref).abs().max() / ref.abs().max()).item()
            worst = max(worst, err)
            stream = rt.stream()
            times = []
            for _ in range(20):
                start = torch.cuda.Event(enable_timing=True)
                end = torch.cuda.Event(enable_timing=True)
                start.record(stream)
                for _ in range(10):
                    rt.invoke_async(fn, ins, outs)
                end.record(stream)
                end.synchronize()
                times.append(start.elapsed_time(end) * 100)
            us = sorted(times)[10]
            lines.append(f"| {name} | {chip} | {err:.1e} | {us:.1f} |")
    text = "\n".join(lines) + "\n"
    print(text)
    with open(os.path.join(out_dir, "tiles.md"), "w") as f:
        f.write(text)
    # The sums of 64 to 1024 products differ only in order.
    assert worst < 1e-5, f"max relative error {worst}"


if __name__ == "__main__":
    main()
