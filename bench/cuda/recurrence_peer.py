"""Chunked linear recurrences on the GPU, side by side in one process:
Linop's kernels (bench/cuda/recurrence_specs.py, built by
scripts/gpu-bundle.sh) against flash-linear-attention's Triton kernels
(fla-core, carried as a wheel) at REFERENCE.md's shapes (bf16, B = 8,
H = 16, D = 128), and a device copy of the bytes a call must move (q, k, v,
the gates, o), on torch tensors, in alternation, medians of CUDA-event
times. Each output is checked against FLA's before anything is timed.
For context, torch's causal softmax attention (SDPA, flash attention) at
the same shapes, once per T. Run
by scripts/gpu-round.sh (stage recurrence):

    recurrence_peer.py PYTHON_DIR LIBRARY_DIR B T...
"""
import statistics
import sys

sys.path.insert(0, sys.argv[1])
try:
    import torch
    assert torch.cuda.is_available(), "torch sees no GPU"
except (ImportError, AssertionError) as e:
    sys.exit("recurrence_peer.py needs torch and a GPU: %s" % e)
try:
    from fla.ops.simple_gla import chunk_simple_gla
    from fla.ops.gla import chunk_gla
    from fla.ops.delta_rule import chunk_delta_rule
except ImportError as e:
    sys.exit("recurrence_peer.py needs fla-core (carry .whl): %s" % e)
import linop
from peer_timing import timed

lib = linop.load(sys.argv[2])
B = int(sys.argv[3])
sizes = [int(s) for s in sys.argv[4:]]
H, D = 16, 128


print("| recurrence | T | Linop ms | FLA ms | Linop vs FLA | copy ms | "
      "Linop / copy | error vs FLA |")
print("|---|---|---|---|---|---|---|---|")
failed = False
sdpa_ms = {}
for T in sizes:
    g = torch.Generator(device="cuda").manual_seed(T)
    x = torch.randn(B, H, T, D, device="cuda", generator=g).to(torch.bfloat16)
    sdpa = lambda: torch.nn.functional.scaled_dot_product_attention(
        x, x, x, is_causal=True)
    sdpa_ms[T] = timed(sdpa)
    del x
    for kind in ("simple_gla", "gla", "delta"):
        g = torch.Generator(device="cuda").manual_seed(T)
        rnd = lambda *s: torch.randn(*s, device="cuda", generator=g)
        q = rnd(B, T, H, D).to(torch.bfloat16)
        k = rnd(B, T, H, D)
        v = rnd(B, T, H, D).to(torch.bfloat16)
        if kind == "delta":  # unit keys, beta in (0, 1), as DeltaNet has
            k = torch.nn.functional.normalize(k, dim=-1)
            a = torch.sigmoid(rnd(B, T, H)).to(torch.bfloat16)
            peer = lambda: chunk_delta_rule(q, k, v, a)[0]
        elif kind == "gla":  # log-decays near 0, as GLA's are
            a = torch.nn.functional.logsigmoid(rnd(B, T, H, D)) / 16
            peer = lambda: chunk_gla(q, k, v, a)[0]
        else:
            a = torch.nn.functional.logsigmoid(rnd(B, T, H))
            peer = lambda: chunk_simple_gla(q, k, v, a)[0]
        k = k.to(torch.bfloat16)
        af = a.float()
        f = getattr(lib, "%s%d" % (kind, T))
        out = torch.empty_like(v)
        run = lambda: f(q, k, v, af, out=out)
        run()
        want = peer().float()
        err = float((out.float() - want).norm() / want.norm())
        if not err < 2e-2:
            print("FAILED: %s T=%d: relative error %.3g against FLA"
                  % (kind, T, err))
            failed = True
            continue
        moved = 4 * q.numel() * q.element_size() + af.numel() * 4
        src = torch.empty(moved // 2, dtype=torch.uint8, device="cuda")
        dst = torch.empty_like(src)
        t_lin, t_peer, t_copy = [], [], []
        for _ in range(3):  # alternate, so drift hits all three
            t_lin.append(timed(run))
            t_peer.append(timed(peer))
            t_copy.append(timed(lambda: dst.copy_(src)))
        tl, tp, tc = (statistics.median(t) for t in (t_lin, t_peer, t_copy))
        print("| %s | %d | %.3f | %.3f | %.2fx | %.3f | %.2f | %.1e |"
              % (kind, T, tl, tp, tp / tl, tc, tl / tc, err), flush=True)
        del q, k, v, a, af, out, src, dst
print("\n| T | softmax attention (torch SDPA, causal, flash) ms |\n|---|---|")
for T, t in sdpa_ms.items():
    print("| %d | %.3f |" % (T, t))
sys.exit(1 if failed else 0)
