"""Inputs for CPU/recurrence.test's bad offsets, with the standard library
only: two batch entries of @varlen_gla_delta (recurrences.mlir), the
second's offsets out of order. bad_offsets.py DIR"""
import os
import random
import struct
import sys


def save(path, descr, shape, values):
    header = "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }" % (
        descr, "".join("%d, " % d for d in shape))
    header += " " * (63 - (10 + len(header)) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode())
        code = {"<f4": "f", "<i4": "i"}[descr]
        f.write(struct.pack("<%d%s" % (len(values), code), *values))


def normal(shape):
    n = 1
    for d in shape:
        n *= d
    return [random.gauss(0, 1) for _ in range(n)]


out = sys.argv[1]
os.makedirs(out, exist_ok=True)
random.seed(1)
save(os.path.join(out, "q.npy"), "<f4", (2, 2, 130, 32), normal((2, 2, 130, 32)))
save(os.path.join(out, "v.npy"), "<f4", (2, 2, 130, 16), normal((2, 2, 130, 16)))
save(os.path.join(out, "beta.npy"), "<f4", (2, 2, 130), [random.random() for _ in range(2 * 2 * 130)])
save(os.path.join(out, "cu.npy"), "<i4", (2, 4), [0, 50, 60, 130, 0, 30, 20, 130])
