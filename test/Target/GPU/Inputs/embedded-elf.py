"""Writes the first ELF image embedded in an artifact's data whose machine
is `amdgpu` (EM_AMDGPU = 224) or `cuda` (EM_CUDA = 190).

  embedded-elf.py ARTIFACT amdgpu|cuda OUT
"""
import struct
import sys

path, kind, out = sys.argv[1:4]
machine = {"amdgpu": 224, "cuda": 190}[kind]
data = open(path, "rb").read()
start = 1  # skip the artifact's own header
while True:
    start = data.find(b"\x7fELF\x02\x01", start)
    if start < 0:
        sys.exit("no embedded %s ELF in %s" % (kind, path))
    (e_machine,) = struct.unpack_from("<H", data, start + 18)
    if e_machine == machine:
        break
    start += 4
# An ELF64 ends with its section header table: e_shoff + e_shnum * e_shentsize.
shoff, = struct.unpack_from("<Q", data, start + 0x28)
shentsize, shnum = struct.unpack_from("<HH", data, start + 0x3A)
open(out, "wb").write(data[start:start + shoff + shnum * shentsize])
