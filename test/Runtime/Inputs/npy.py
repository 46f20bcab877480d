"""Minimal .npy writer/reader for the tessera-run tests (no numpy needed).

  npy.py write OUT DTYPE SHAPE V1,V2,...   (DTYPE f4|i4|i8|f2; SHAPE 4x3 or '')
  npy.py read IN                           prints descr, shape and values
  npy.py check IN V1,V2,... TOL            prints "match" or the mismatches
"""
import ast
import struct
import sys

FMT = {"<f4": "f", "<i4": "i", "<i8": "q", "<f2": "e", "<f8": "d"}


def write(path, dtype, shape, values):
    descr = "<" + dtype
    dims = [int(d) for d in shape.split("x")] if shape else []
    vals = [float(v) if "f" in dtype else int(v) for v in values.split(",")] if values else []
    n = 1
    for d in dims:
        n *= d
    assert n == len(vals), (n, len(vals))
    shp = "(%d,)" % dims[0] if len(dims) == 1 else "(" + ", ".join(map(str, dims)) + ")"
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shp)
    total = (10 + len(header) + 1 + 63) // 64 * 64
    header += " " * (total - 10 - len(header) - 1) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)))
        f.write(header.encode("latin1"))
        f.write(struct.pack("<%d%s" % (n, FMT[descr]), *vals))


def load(path):
    """The header dict and the values of a version-1 .npy file."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:6] == b"\x93NUMPY", "bad magic"
    (hlen,) = struct.unpack("<H", data[8:10])
    assert (10 + hlen) % 64 == 0, "header not padded to 64 bytes"
    header = ast.literal_eval(data[10:10 + hlen].decode("latin1"))
    n = 1
    for d in header["shape"]:
        n *= d
    return header, struct.unpack("<%d%s" % (n, FMT[header["descr"]]), data[10 + hlen:])


def check(path, values, tol):
    _, got = load(path)
    want = [float(v) for v in values.split(",")]
    bad = [(i, g, w) for i, (g, w) in enumerate(zip(got, want))
           if abs(g - w) > float(tol) * (1 + abs(w))]
    print("match" if len(got) == len(want) and not bad else "mismatch %r" % bad)


def read(path):
    header, vals = load(path)
    print(header["descr"], header["shape"], " ".join("%.6g" % v for v in vals))


if __name__ == "__main__":
    if sys.argv[1] == "write":
        write(*(sys.argv[2:6] + [""] * (6 - len(sys.argv))))
    elif sys.argv[1] == "check":
        check(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        read(sys.argv[2])
