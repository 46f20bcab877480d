"""Compares what two runs of an example printed, ignoring the buffer
addresses in printMemref's 'Unranked Memref base@ = 0x...' lines.

  same-prints.py REF OUT             every printed line equal
  same-prints.py REF OUT --scalars   tessera-run's scalar outputs of OUT
                                     equal the first values REF printed (to
                                     the 6 digits printMemref prints)
"""
import re
import sys


def printed(path):
    with open(path) as f:
        return [l.rstrip() for l in f if not l.startswith("Unranked Memref")]


ref, out = printed(sys.argv[1]), printed(sys.argv[2])
if len(sys.argv) > 3:
    # printMemref prints 6 significant digits.
    want = [float(v) for v in re.findall(r"-?[0-9.]+(?:e[-+]?[0-9]+)?", ref[0])]
    got = [float(l.split("values")[1]) for l in out if l.startswith("output")]
    ok = len(got) == len(want) and all(abs(g - w) <= 1e-5 * abs(w) + 1e-6 for g, w in zip(got, want))
    print("same values" if ok else "different values: %r vs %r" % (got, want))
else:
    print("same prints" if ref == out and ref else "different prints:\n%s\n---\n%s" % ("\n".join(ref), "\n".join(out)))
