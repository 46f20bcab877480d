"""Compares two sets of .npy outputs (CPU, GPU) element by element: integer
arrays must be equal, float arrays within 1e-5 relative + 1e-6 absolute.
  compare_npy.py CPU1.npy GPU1.npy [CPU2.npy GPU2.npy ...]
Prints '<verdict>;<max relative difference>' and exits 1 when they differ."""
import sys

import numpy as np

worst, ok, count = 0.0, True, 0
pairs = sys.argv[1:]
for ref_path, out_path in zip(pairs[::2], pairs[1::2]):
    ref, out = np.load(ref_path), np.load(out_path)
    if ref.shape != out.shape or ref.dtype != out.dtype:
        print("FAILED: %s %s vs %s %s;-" % (ref.shape, ref.dtype, out.shape, out.dtype))
        sys.exit(1)
    count += ref.size
    if ref.dtype.kind in "iub":
        ok &= bool(np.array_equal(ref, out))
        continue
    r, o = ref.astype(np.float64), out.astype(np.float64)
    diff = np.abs(r - o)
    rel = np.where(r != 0, diff / np.maximum(np.abs(r), 1e-300), diff)
    worst = max(worst, float(rel.max(initial=0.0)))
    ok &= bool(np.all(diff <= 1e-5 * np.abs(r) + 1e-6))
print("%s (%d values);%.2e" % ("same" if ok else "DIFFERENT", count, worst))
sys.exit(0 if ok else 1)
