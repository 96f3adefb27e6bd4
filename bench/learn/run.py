#!/usr/bin/env python3
"""Reproduces the tables of docs/learning.md: linop-learn on the targets of
Dao et al. 2019 (N = 8 ... 1024), plus DFT and Hadamard at 4096 and 8192.

One command, from the repository root, after building linop-learn:

    bench/learn/run.py [--build build] [--out BUILD/bench-learn] [--cpu 0]

Every run is pinned to one core (taskset -c CPU, --threads 1). The tables
(markdown) go to stdout and to OUT/tables.md; each run's report.json stays
in OUT/<target>_<N>_<structure>/. Standard library only.

A last table compares the hierarchical factorization alone (--no-polish) with
--algorithm orthonormal and symmetric on the approximate targets, with the
orthonormal one's a-posteriori bound and its lower bound on the best
butterfly; --hier-only runs just that table (seconds).
"""
import argparse
import json
import os
import platform
import subprocess
import sys
import time

SIZES = [8, 16, 32, 64, 128, 256, 512, 1024]
BIG = [4096, 8192]

# RMSE of Dao et al. 2019 (REFERENCE.md, section 2), N = 8 ... 1024.
PAPER = {
    "dft": [3.1e-6, 4.6e-6, 8.7e-6, 1.0e-5, 2.0e-5, 3.8e-5, 8.0e-5, 5.7e-5],
    "dct": [4.4e-6, 1.1e-5, 8.6e-6, 1.2e-5, 2.1e-5, 1.9e-5, 3.2e-5, 7.3e-5],
    "dst": [1.1e-6, 7.5e-6, 4.6e-5, 5.1e-5, 3.0e-5, 2.1e-5, 3.6e-5, 4.6e-5],
    "convolution": [4.1e-6, 2.5e-5, 6.5e-5, 7.6e-5, 5.9e-5, 7.8e-5, 6.4e-5,
                    1.9e-2],
    "hadamard": [8.8e-7, 7.8e-6, 1.3e-5, 3.9e-5, 3.5e-5, 4.5e-5, 6.1e-5,
                 3.6e-5],
    "hartley": [3.4e-6, 9.0e-6, 1.1e-5, 1.3e-5, 3.6e-5, 4.3e-5, 4.5e-5,
                3.6e-5],
    "legendre": [3.4e-2, 2.9e-2, 2.4e-2, 1.4e-2, 7.9e-3, 4.5e-3, 2.6e-3,
                 1.6e-3],
    "randn": [0.139, 0.159, 0.144, 0.113, 0.084, 0.061, 0.044, 0.031],
}

# (target, structure): exact targets let auto pick; the approximate ones are
# shown as one butterfly (BP) and as two (BPBP).
CASES = [("dft", "auto"), ("dct", "auto"), ("dst", "auto"),
         ("convolution", "auto"), ("hadamard", "auto"), ("hartley", "auto"),
         ("legendre", "butterfly"), ("legendre", "butterfly2"),
         ("randn", "butterfly"), ("randn", "butterfly2")]


# The hierarchical factorization alone, both algorithms.
HIER_TARGETS = ["legendre", "randn", "hilbert"]
ALGORITHMS = ["orthonormal", "symmetric"]


def run(tool, out, cpu, target, n, structure, polish_seconds, reuse=False,
        extra=(), tag=""):
    name = "%s_%d_%s%s" % (target, n, structure, tag)
    d = os.path.join(out, name)
    if reuse:
        # A report not there (--only, --hier-only): the row is left out.
        try:
            with open(os.path.join(d, "report.json")) as f:
                return json.load(f)
        except OSError:
            return None
    cmd = ["taskset", "-c", str(cpu), tool, "--target", "%s:%d" % (target, n),
           "--structure", structure, "--threads", "1", "--quiet",
           "--polish-seconds", str(polish_seconds), "-o", d] + list(extra)
    t0 = time.time()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    wall = time.time() - t0
    if proc.returncode != 0:
        sys.exit("failed (%d): %s\n%s" % (proc.returncode, " ".join(cmd),
                                          proc.stderr))
    with open(os.path.join(d, "report.json")) as f:
        r = json.load(f)
    r["wall"] = wall
    print("  %-12s N=%-5d %-10s rmse %.2e  %.2f s  (%s)" % (
        target, n, r["structure"], r["rmse"], r["learn_seconds"],
        r["method"]), file=sys.stderr)
    return r


def sci(v):
    return "%.1e" % v


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(root, "build"))
    ap.add_argument("--out", default=None,
                    help="where the runs go (default BUILD/bench-learn)")
    ap.add_argument("--cpu", type=int, default=0)
    ap.add_argument("--polish-seconds", type=float, default=30)
    ap.add_argument("--max-n", type=int, default=1024,
                    help="largest N of the paper's table to run")
    ap.add_argument("--no-big", action="store_true",
                    help="skip DFT/Hadamard at 4096 and 8192")
    ap.add_argument("--tables-only", action="store_true",
                    help="rebuild the tables from the reports in OUT")
    ap.add_argument("--only", default="",
                    help="comma-separated targets to run; the others are "
                    "read back from the reports in OUT")
    ap.add_argument("--hier-only", action="store_true",
                    help="run only the hierarchical (no polish) table; the "
                    "others are read back from OUT where there")
    args = ap.parse_args()
    tool = os.path.join(args.build, "bin", "linop-learn")
    if args.out is None:
        args.out = os.path.join(args.build, "bench-learn")
    if not os.access(tool, os.X_OK):
        sys.exit("%s not found: build it first (ninja -C %s linop-learn)" % (
            tool, args.build))
    os.makedirs(args.out, exist_ok=True)
    sizes = [n for n in SIZES if n <= args.max_n]
    only = set(t for t in args.only.split(",") if t)

    def reuse(target):
        return (args.tables_only or args.hier_only or
                (bool(only) and target not in only))

    results = {}
    for target, structure in CASES:
        for n in sizes:
            results[(target, structure, n)] = run(
                tool, args.out, args.cpu, target, n, structure,
                args.polish_seconds, reuse(target))
    big = {}
    if not args.no_big:
        for target in ("dft", "hadamard"):
            for n in BIG:
                big[(target, n)] = run(tool, args.out, args.cpu, target, n,
                                       "auto", args.polish_seconds,
                                       reuse(target))

    hier = {}
    for target in HIER_TARGETS:
        for alg in ALGORITHMS:
            for n in sizes:
                hier[(target, alg, n)] = run(
                    tool, args.out, args.cpu, target, n, "butterfly",
                    args.polish_seconds,
                    args.tables_only or (bool(only) and target not in only),
                    ["--no-polish", "--algorithm", alg], "_hier_" + alg)

    def complete(row):
        return all(r is not None for r in row)

    lines = []
    head = "| target | structure | " + " | ".join(str(n) for n in sizes) + " |"
    rule = "|---|---|" + "---|" * len(sizes)
    lines += ["RMSE = ||B - T||_F / N (float64); paper: Dao et al. 2019.", "",
              head, rule]
    for target, structure in CASES:
        row = [results[(target, structure, n)] for n in sizes]
        if not complete(row):
            continue
        kinds = sorted(set(r["structure"] for r in row))
        label = "/".join(kinds)
        exact = all(r["exact"] for r in row)
        lines.append("| %s | %s%s | %s |" % (
            target, label, " (exact)" if exact else "",
            " | ".join(sci(r["rmse"]) for r in row)))
        if structure in ("auto", "butterfly2"):
            lines.append("| %s | paper | %s |" % (
                target, " | ".join(sci(v) for v in PAPER[target][:len(sizes)])))
    def dur(t):
        return "%.3g ms" % (1e3 * t) if t < 1 else "%.3g s" % t

    lines += ["", "Learning time per matrix (one core; the approximate rows "
              "are bounded by --polish-seconds %g per polish):" %
              args.polish_seconds, "", head, rule]
    for target, structure in CASES:
        row = [results[(target, structure, n)] for n in sizes]
        if not complete(row):
            continue
        lines.append("| %s | %s | %s |" % (
            target, "/".join(sorted(set(r["structure"] for r in row))),
            " | ".join(dur(r["learn_seconds"]) for r in row)))
    if big:
        lines += ["", "| target | N | structure | RMSE | relative error | "
                  "learning (s) | total (s) |", "|---|---|---|---|---|---|---|"]
        for (target, n), r in sorted(big.items()):
            if r is None:
                continue
            lines.append("| %s | %d | %s | %s | %s | %.3g | %.3g |" % (
                target, n, r["structure"], sci(r["rmse"]),
                sci(r["relative_error"]), r["learn_seconds"], r["seconds"]))
    lines += ["", "Hierarchical factorization alone (one real butterfly, "
              "--no-polish), relative error ||B - T||_F / ||T||_F; "
              "orthonormal: the error equals the reported bound, and no "
              "butterfly with the same strides and permutation is closer "
              "than the lower bound:", "",
              "| target | algorithm | " + " | ".join(str(n) for n in sizes)
              + " |", rule]
    for target in HIER_TARGETS:
        for alg in ALGORITHMS:
            row = [hier[(target, alg, n)] for n in sizes]
            if not complete(row):
                continue
            hs = [r["hierarchical"] for r in row]
            lines.append("| %s | %s | %s |" % (
                target, alg, " | ".join(sci(h["relative_error"]) for h in hs)))
            if alg == "orthonormal":
                lines.append("| %s | orthonormal: bound | %s |" % (
                    target, " | ".join(sci(h["relative_bound"]) for h in hs)))
                lines.append("| %s | orthonormal: best >= | %s |" % (
                    target,
                    " | ".join(sci(h["relative_lower_bound"]) for h in hs)))
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    lines += ["", "Machine: %s, one core (taskset -c %d, --threads 1)." % (
        cpu, args.cpu), "Command: bench/learn/run.py --build %s" % os.path.relpath(
            args.build, root)]
    text = "\n".join(lines) + "\n"
    with open(os.path.join(args.out, "tables.md"), "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    main()
