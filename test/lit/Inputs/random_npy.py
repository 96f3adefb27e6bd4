"""Writes a random .npy (normal values) with the standard library only:
random_npy.py PATH DESCR ROWS N [SEED], DESCR one of <f4 <f8 <c8 <c16."""
import random
import struct
import sys

path, descr, rows, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
random.seed(int(sys.argv[5]) if len(sys.argv) > 5 else 1)
header = "{'descr': '%s', 'fortran_order': False, 'shape': (%d, %d), }" % (descr, rows, n)
header += " " * (63 - (10 + len(header)) % 64) + "\n"
scalars = rows * n * (2 if descr.startswith("<c") else 1)
fmt = "d" if descr in ("<f8", "<c16") else "f"
with open(path, "wb") as f:
    f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode())
    f.write(struct.pack("<%d%s" % (scalars, fmt), *[random.gauss(0, 1) for _ in range(scalars)]))
