"""CUDA-event timing shared by the peer benchmarks (conv_peer.py,
recurrence_peer.py)."""
import statistics

import torch


def timed(fn, rounds=20, warmup=3):
    """Median milliseconds of fn() over `rounds` runs, after warm-up."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(rounds):
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(
            enable_timing=True)
        a.record()
        fn()
        b.record()
        b.synchronize()
        times.append(a.elapsed_time(b))
    return statistics.median(times)
