"""Long convolutions on the GPU, side by side in one process: Linop's
per-channel causal convolution (bench/cuda/conv_specs.py, built by
scripts/gpu-bundle.sh) against torch's FFT convolution (fp32 FFTs of the
half-precision data, the kernel spectrum computed once, as FlashFFTConv's
own baseline does) and a device copy of the same bytes, on torch tensors,
in alternation, medians of CUDA-event times. Each output is checked
against torch's before anything is timed. Run by scripts/gpu-round.sh
(stage conv):

    conv_peer.py PYTHON_DIR LIBRARY_DIR CHANNELS L...
"""
import statistics
import sys

sys.path.insert(0, sys.argv[1])
try:
    import torch
    assert torch.cuda.is_available(), "torch sees no GPU"
except (ImportError, AssertionError) as e:
    sys.exit("conv_peer.py needs torch and a GPU: %s" % e)
import linop
from peer_timing import timed

lib = linop.load(sys.argv[2])
C = int(sys.argv[3])
sizes = [int(s) for s in sys.argv[4:]]
ELEMENTS = 1 << 26
dtypes = {"bf16": torch.bfloat16, "f16": torch.float16}


print("| conv | L | dtype | rows | Linop ms | torch FFT ms | Linop vs torch "
      "| copy ms | Linop / copy | error vs torch |")
print("|---|---|---|---|---|---|---|---|---|---|")
for L in sizes:
    B = ELEMENTS // (C * L)
    for name, dt in dtypes.items():
        g = torch.Generator(device="cuda").manual_seed(L)
        u = torch.randn(B, C, L, device="cuda", generator=g).to(dt)
        pre = torch.randn(B, C, L, device="cuda", generator=g).to(dt)
        post = torch.randn(B, C, L, device="cuda", generator=g).to(dt)
        k = torch.randn(C, L, device="cuda", generator=g) * torch.exp(
            -torch.arange(L, device="cuda") / (L / 8))
        kf = torch.fft.rfft(k, n=2 * L)          # the peer's spectrum
        s = (kf / (2 * L)).to(torch.complex64)   # Linop's: irdft is unscaled

        def torch_conv(x):
            y = torch.fft.irfft(torch.fft.rfft(x.float(), n=2 * L) * kf,
                                n=2 * L)[..., :L]
            return y

        for gated in (False, True):
            f = getattr(lib, "%s%d_%s" % ("gated" if gated else "conv", L,
                                          name))
            out = torch.empty_like(u)
            if gated:
                run = lambda: f(u, pre, post, s, out=out)
                peer = lambda: (post.float() * torch_conv(u.float() * pre.float())).to(dt)
                bytes_moved = 4 * u.numel() * u.element_size()
            else:
                run = lambda: f(u, s, out=out)
                peer = lambda: torch_conv(u).to(dt)
                bytes_moved = 2 * u.numel() * u.element_size()
            run()
            want = peer().float()
            err = float((out.float() - want).norm() / want.norm())
            if not err < 2e-2:
                print("FAILED: %s L=%d %s: relative error %.3g against torch"
                      % ("gated" if gated else "conv", L, name, err))
                sys.exit(1)
            src = torch.empty(bytes_moved // 2, dtype=torch.uint8,
                              device="cuda")
            dst = torch.empty_like(src)
            t_lin, t_peer, t_copy = [], [], []
            for _ in range(3):  # alternate, so drift hits all three
                t_lin.append(timed(run))
                t_peer.append(timed(peer))
                t_copy.append(timed(lambda: dst.copy_(src)))
            tl, tp, tc = (statistics.median(t) for t in (t_lin, t_peer, t_copy))
            print("| %s | %d | %s | %d x %d | %.3f | %.3f | %.2fx | %.3f | %.2f "
                  "| %.1e |" % ("gated" if gated else "plain", L, name, B, C,
                                tl, tp, tp / tl, tc, tl / tc, err))
            del src, dst
