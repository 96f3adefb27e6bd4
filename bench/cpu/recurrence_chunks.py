"""Times the CPU recurrence kernel at each chunk size, for each gate and
update, so that the CPU cost model's choice of chunk (when a spec gives
none) rests on a table. Never a test. It compiles each spec with linop-run
(JIT for this host) and reads its --bench line:

    recurrence_chunks.py LINOP_RUN [--threads N] [--T 1024] [--H 4]
                         [--D 64,128] [--chunks 16,32,64,128] [--batch 2]
                         [--kinds none,scalar,...] [--rounds 3]

f32, [B, T, H, D], the output only, random inputs (log-decays
log(sigmoid(x)), betas sigmoid(x)). Prints one row per gate, update and D:
ms per call at each chunk, and the fastest chunk.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

KINDS = {  # name: (gate clause, update clause, gate shape, beta)
    "none": ("gate = none", "update = additive", None, False),
    "scalar": ("gate = scalar(%g)", "update = additive", "th", False),
    "vector": ("gate = vector(%g)", "update = additive", "thd", False),
    "delta": ("gate = none", "update = delta(%b)", None, True),
    "scalar+delta": ("gate = scalar(%g)", "update = delta(%b)", "th", True),
}


def spec(kind, T, H, D, chunk):
    gate, update, gshape, beta = KINDS[kind]
    x = "tensor<?x%dx%dx%dxf32>" % (T, H, D)
    args, types = ["%q: " + x, "%k: " + x, "%v: " + x], [x, x, x]
    operands = ["%q", "%k", "%v"]
    if gshape:
        g = "tensor<?x%dx%dxf32>" % (T, H) if gshape == "th" else x
        args.append("%g: " + g)
        types.append(g)
    if beta:
        b = "tensor<?x%dx%dxf32>" % (T, H)
        args.append("%b: " + b)
        types.append(b)
    state = "tensor<?x%dx%dx%dxf32>" % (H, D, D)
    return (
        "func.func @f(%s) -> %s {\n"
        "  %%o, %%s = linop.recurrence %%q, %%k, %%v %s %s {chunk_size = %d : i64}\n"
        "      : (%s) -> (%s, %s)\n"
        "  return %%o : %s\n}\n"
        % (", ".join(args), x, gate, update, chunk, ", ".join(types), x,
           state, x))


def bench(a, tmp, text):
    """ms per call of the spec `text` (linop-run --bench's median)."""
    path = os.path.join(tmp, "s.mlir")
    with open(path, "w") as f:
        f.write(text)
    cmd = [a.linop_run, path, "--target=cpu", "--random",
           "--batch=%d" % a.batch, "--bench"]
    if a.threads:
        cmd.append("--num-threads=%d" % a.threads)
    r = subprocess.run(cmd, capture_output=True, text=True)
    m = re.search(r"bench: ([0-9.]+) us per call", r.stdout + r.stderr)
    if r.returncode or not m:
        sys.exit("failed: %s\n%s%s" % (" ".join(cmd), r.stdout, r.stderr))
    return float(m.group(1)) / 1e3


def main():
    p = argparse.ArgumentParser()
    p.add_argument("linop_run")
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--T", type=int, default=1024)
    p.add_argument("--H", type=int, default=4)
    p.add_argument("--batch", type=int, default=2)
    p.add_argument("--D", default="64,128")
    p.add_argument("--chunks", default="16,32,64,128")
    p.add_argument("--kinds", default=",".join(KINDS))
    p.add_argument("--rounds", type=int, default=3)
    a = p.parse_args()
    chunks = [int(c) for c in a.chunks.split(",")]
    print("f32, T = %d, H = %d, batch %d, %s threads; ms per call "
          "(linop-run --bench's median, best of %d rounds)" %
          (a.T, a.H, a.batch, a.threads or "all", a.rounds))
    print("| kind | D | " + " | ".join("chunk %d" % c for c in chunks) +
          " | fastest |")
    print("|---|---|" + "---|" * (len(chunks) + 1))
    with tempfile.TemporaryDirectory() as tmp:
        for kind in a.kinds.split(","):
            for D in [int(d) for d in a.D.split(",")]:
                # Rounds interleave the chunks, so that a slow spell of a
                # shared machine spreads over all of them; each cell is its
                # best round.
                times = [float("inf")] * len(chunks)
                for _ in range(a.rounds):
                    for i, c in enumerate(chunks):
                        times[i] = min(times[i],
                                       bench(a, tmp, spec(kind, a.T, a.H, D, c)))
                best = chunks[times.index(min(times))]
                print("| %s | %d | %s | %d |" %
                      (kind, D, " | ".join("%.2f" % t for t in times), best),
                      flush=True)


if __name__ == "__main__":
    main()
