"""Compares every number two runs of an example printed (9 significant
digits with bench/gpu/print_stub.c, 6 with printMemref): same count, each
within 1e-5 relative + 1e-6 absolute, or within one unit of a 6-digit
print's last digit. Prints
'<verdict>;<max relative difference>' and exits 1 when they differ."""
import re
import sys

NUMBER = re.compile(r"(?<![a-z])-?(?:inf|nan|[0-9]+(?:\.[0-9]*)?(?:e[-+]?[0-9]+)?)")


def numbers(path):
    with open(path) as f:
        lines = [l for l in f if not l.startswith("Unranked Memref")]
    return lines, [float(v) for l in lines for v in NUMBER.findall(l)]


(ref_lines, ref), (out_lines, out) = numbers(sys.argv[1]), numbers(sys.argv[2])
failed = [l for l in ref_lines + out_lines if l.startswith("tessera-run:")]
if failed or not ref or len(ref) != len(out):
    print("FAILED: %s;-" % (" / ".join(l.strip() for l in failed) or
                            "%d vs %d numbers" % (len(ref), len(out))))
    sys.exit(1)
worst, ok = 0.0, True
for r, o in zip(ref, out):
    diff = abs(r - o)
    rel = diff / abs(r) if r else diff
    worst = max(worst, rel)
    # One unit in the 6th significant digit printMemref shows.
    ulp6 = 10 ** (len("%e" % abs(r)) and (int(("%e" % abs(r)).split("e")[1]) - 5)) if r else 1e-6
    if diff > 1e-5 * abs(r) + 1e-6 and diff > ulp6 * 1.0001:
        ok = False
print("%s (%d numbers);%.2e" % ("same" if ok else "DIFFERENT", len(ref), worst))
sys.exit(0 if ok else 1)
