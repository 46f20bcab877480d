"""Checks what an example's runner entry wrote (.npy, through tessera-run's
runner options) against what the example's main printed (REF).

  runner-vs-main.py sample REF SAMPLES.npy
      main printed the fraction of ones and the first row of 28 samples
  runner-vs-main.py ebt REF LINE ENERGIES.npy
      main printed per-candidate total energies on line LINE (0: before,
      1: after) and, after inference, the kept candidate per token (line 2);
      ENERGIES is K x tokens
"""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "Runtime", "Inputs"))
import npy  # noqa: E402


def printed(path):
    with open(path) as f:
        return [l.rstrip() for l in f if not l.startswith("Unranked Memref")]


def numbers(line):
    return [float(v) for v in re.findall(r"-?[0-9.]+(?:e[-+]?[0-9]+)?", line)]


def close(got, want, rel=1e-5):
    return len(got) == len(want) and all(abs(g - w) <= rel * abs(w) + 1e-6 for g, w in zip(got, want))


mode, ref = sys.argv[1], printed(sys.argv[2])
if mode == "sample":
    _, x = npy.load(sys.argv[3])
    frac, row = numbers(ref[0]), numbers(ref[1])
    ok = close([sum(x) / len(x)], frac) and list(x[:28]) == [int(v) for v in row]
    print("same samples" if ok else "different samples: %r %r vs %r" % (sum(x) / len(x), x[:28], ref))
elif mode == "ebt":
    line = int(sys.argv[3])
    header, e = npy.load(sys.argv[4])
    k, tokens = header["shape"]
    rows = [e[i * tokens:(i + 1) * tokens] for i in range(k)]
    totals = [sum(r) for r in rows]
    ok = close(totals, numbers(ref[line]), 2e-5)
    if line == 1:
        kept = [min(range(k), key=lambda i: (rows[i][t], i)) for t in range(tokens)]
        ok = ok and kept == [int(v) for v in numbers(ref[2])]
    print("same energies" if ok else "different energies: %r vs %r" % (totals, ref))
else:
    sys.exit("unknown mode " + mode)
