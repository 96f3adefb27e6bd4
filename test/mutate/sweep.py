#!/usr/bin/env python3
"""The mutation sweep: no input may crash or hang a tool.

Mutates every example spec in many small ways (lines deleted, duplicated
or swapped; numbers replaced by 0, -1, 2^31, 2^62 and others; characters
deleted; truncations), then runs linop-opt, linopc and linop-run on each
mutant with a time limit. A tool may accept a mutant (exit 0) or refuse it
with a message (exit 1); a signal, any other exit code or a timeout is a
failure, and the mutant is kept in the output folder to reproduce it.

    sweep.py BIN_DIR EXAMPLES_DIR OUT_DIR [--count N] [--seed S] [--jobs J]
"""
import argparse
import concurrent.futures
import os
import random
import re
import subprocess
import sys

NUMBERS = ["0", "-1", "1", "2", "3", "7", "2147483648", "4611686018427387904",
           "-2147483649", "1.0e-50", "1.0e+50", "nan", "4096", "65536"]
NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?")


def mutate(text, rng):
    """One random mutation of `text` (a spec), or a few in a row."""
    lines = text.split("\n")
    kind = rng.randrange(7)
    if kind == 0 and len(lines) > 1:  # delete a line
        del lines[rng.randrange(len(lines))]
    elif kind == 1:  # duplicate a line
        i = rng.randrange(len(lines))
        lines.insert(i, lines[i])
    elif kind == 2 and len(lines) > 1:  # swap two lines
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    elif kind in (3, 4):  # replace a number (twice as likely: sizes matter)
        spans = [m.span() for m in NUMBER.finditer(text)]
        if spans:
            a, b = rng.choice(spans)
            return text[:a] + rng.choice(NUMBERS) + text[b:]
    elif kind == 5 and text:  # delete a character
        i = rng.randrange(len(text))
        return text[:i] + text[i + 1:]
    elif text:  # truncate
        return text[:rng.randrange(len(text))]
    return "\n".join(lines)


def first_function(text):
    m = re.search(r"func\.func @([\w.$-]+)", text)
    return m.group(1) if m else None


def commands(bin_dir, spec, func, out_dir):
    tool = lambda name: os.path.join(bin_dir, name)
    run = [tool("linop-run"), spec, "--target=cpu", "--random", "--batch",
           "3", "--check"]
    if func:
        run += ["--func", func]
    reference = [tool("linop-run"), spec, "--target=reference", "--random",
                 "--batch", "2"] + (["--func", func] if func else [])
    return [
        [tool("linop-opt"), spec],
        reference,
        [tool("linop-opt"), spec, "--linop-cpu-pipeline"],
        [tool("linopc"), spec, "--target=cpu", "--emit=kernel"],
        [tool("linopc"), spec, "--target=cuda", "--emit=kernel"],
        [tool("linopc"), spec, "--target=cpu", "-o", out_dir],
        run,
    ]


def check(job):
    """Runs every command on one spec: its failures and its exit codes."""
    bin_dir, spec, func, work, timeout = job
    failures, codes = [], []
    for cmd in commands(bin_dir, spec, func, work):
        try:
            r = subprocess.run(cmd, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, timeout=timeout)
        except subprocess.TimeoutExpired:
            failures.append((cmd, f"timed out after {timeout} s", ""))
            codes.append(None)
            continue
        codes.append(r.returncode)
        if r.returncode not in (0, 1):
            what = (f"signal {-r.returncode}" if r.returncode < 0
                    else f"exit {r.returncode}")
            failures.append((cmd, what, r.stderr.decode(errors="replace")[-600:]))
    return spec, failures, codes


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("bin_dir")
    ap.add_argument("examples")
    ap.add_argument("out")
    ap.add_argument("--count", type=int, default=40,
                    help="mutants per example (default 40)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--timeout", type=float, default=60)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    rng = random.Random(args.seed)
    jobs, bad, baseline = [], 0, []
    for name in sorted(os.listdir(args.examples)):
        if not name.endswith(".mlir"):
            continue
        path = os.path.join(args.examples, name)
        text = open(path).read()
        func = first_function(text)
        # The examples themselves: each parses, and each command accepts
        # at least one of them (below), so that a refusal of a mutant is
        # about the mutation, not a wrong command line. (Some refuse an
        # example: an operator with no kernel yet, a family too large for
        # the dense evaluator.)
        _, failures, codes = check((args.bin_dir, path, func,
                                    os.path.join(args.out, name + ".lib"),
                                    args.timeout))
        baseline.append(codes)
        if failures or codes[0] != 0:
            bad += 1
            print(f"FAILED: the unmutated {name}: exit codes {codes}")
        for i in range(args.count):
            mutant = mutate(text, rng)
            if rng.random() < 0.3:
                mutant = mutate(mutant, rng)
            spec = os.path.join(args.out, f"{name[:-5]}.{i}.mlir")
            with open(spec, "w") as f:
                f.write(mutant)
            work = os.path.join(args.out, f"{name[:-5]}.{i}.lib")
            jobs.append((args.bin_dir, spec, func, work, args.timeout))
    for c in range(len(baseline[0]) if baseline else 0):
        if all(codes[c] != 0 for codes in baseline):
            bad += 1
            print(f"FAILED: command #{c} refuses every unmutated example")
    accepted = refused = 0
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        for spec, failures, codes in pool.map(check, jobs):
            accepted += codes.count(0)
            refused += codes.count(1)
            for cmd, what, err in failures:
                bad += 1
                print(f"FAILED ({what}): {' '.join(cmd)}")
                if err:
                    print("  " + err.strip().replace("\n", "\n  "))
    print(f"mutation sweep: {len(jobs)} mutants, seed {args.seed}: "
          f"{accepted} runs accepted, {refused} refused with a message, "
          f"{bad} failing")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
