#!/usr/bin/env python3
"""Writes the small .npy inputs of the linop-learn lit tests (no numpy).

Run from this directory: python3 make_inputs.py. The outputs are committed;
rerun only to change them.
"""
import cmath
import math
import struct


def save(name, shape, descr, values, complex_=False):
    header = "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }" % (
        descr, "".join("%d, " % d for d in shape) if len(shape) != 1 else "%d," % shape[0])
    header = header.replace(", )", ")")
    pad = 64 - (10 + len(header) + 1) % 64
    header = header + " " * pad + "\n"
    fmt = {"<f8": "<d", "<f4": "<f", "<c16": "<dd", "<i4": "<i"}[descr]
    with open(name, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode())
        for v in values:
            if complex_:
                f.write(struct.pack(fmt, v.real, v.imag))
            else:
                f.write(struct.pack(fmt, v))


n = 4
vals = [float(i == j) for i in range(n) for j in range(n)]
vals[1 * n + 2] = float("nan")
save("nan.npy", (4, 4), "<f8", vals)
vals = [float(i == j) for i in range(n) for j in range(n)]
vals[3 * n + 0] = float("inf")
save("inf.npy", (4, 4), "<f4", vals)
save("rect.npy", (3, 5), "<f8", [1.0 + i for i in range(15)])
save("zero.npy", (4, 4), "<f8", [0.0] * 16)
save("ones.npy", (4, 4), "<f8", [1.0] * 16)
save("cube.npy", (2, 2, 2), "<f8", [1.0] * 8)
save("six.npy", (6, 6), "<f8", [math.sin(1.0 + 7 * i) for i in range(36)])
save("int.npy", (4, 4), "<i4", list(range(16)))
with open("garbage.npy", "w") as f:
    f.write("this is not a .npy file\n")

# DFT-32 (unitary, forward sign) with rows and columns shuffled by random
# permutations (Fisher-Yates on a 64-bit LCG, so the file is reproducible).
state = 12345


def below(k):
    global state
    state = (state * 6364136223846793005 + 1442695040888963407) % 2**64
    return (state >> 33) % k


def shuffled(k):
    p = list(range(k))
    for i in range(k - 1, 0, -1):
        j = below(i + 1)
        p[i], p[j] = p[j], p[i]
    return p


N = 32
rows, cols = shuffled(N), shuffled(N)
dft = [[cmath.exp(-2j * math.pi * ((r * c) % N) / N) / math.sqrt(N)
        for c in cols] for r in rows]
save("dft32_shuffled.npy", (N, N), "<c16", [v for row in dft for v in row], True)
