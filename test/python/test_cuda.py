"""The Python module on a GPU, with torch: libraries linopc built elsewhere
(scripts/gpu-bundle.sh, from gpu_ops.mlir) loaded with linop.load, called
on torch CUDA tensors on the current stream, checked against torch.fft and
the defining products; every bad call's exception. Run by
scripts/gpu-round.sh (stage python) where torch and a GPU are.

    test_cuda.py PYTHON_DIR CUDA_LIBRARY_DIR CPU_LIBRARY_DIR
"""
import sys
import unittest

sys.path.insert(0, sys.argv[1])
try:
    import torch
except ImportError:
    print("SKIPPED: torch is not installed for %s" % sys.executable)
    sys.exit(77)
if not torch.cuda.is_available():
    print("SKIPPED: torch sees no GPU")
    sys.exit(77)
import linop

GPU, CPU = linop.load(sys.argv[2]), linop.load(sys.argv[3])


def rel(got, want):
    got, want = got.to(want.dtype), want
    return float((got - want).abs().max() / want.abs().max())


class Cuda(unittest.TestCase):
    def test_dft_matches_torch(self):
        x = torch.randn(300, 1024, dtype=torch.complex64, device="cuda")
        y = GPU.dft1024(x)
        self.assertEqual(y.device, x.device)
        self.assertLess(rel(y, torch.fft.fft(x.to(torch.complex128))), 1e-5)

    def test_rows_apart_and_out(self):
        big = torch.randn(40, 1100, dtype=torch.complex64, device="cuda")
        x = big[::2, 10:1034]
        out = torch.full((20, 1024), float("nan"), dtype=torch.complex64,
                         device="cuda")
        self.assertIs(GPU.dft1024(x, out=out), out)
        self.assertLess(rel(out, torch.fft.fft(x.to(torch.complex128))),
                        1e-5)

    def test_the_current_torch_stream(self):
        # Queued on a side stream behind a long matrix product that makes
        # x: wrong results unless the call runs in that stream's order.
        s = torch.cuda.Stream()
        with torch.cuda.stream(s):
            a = torch.randn(4096, 4096, device="cuda")
            x = (a @ a)[:, :2048].contiguous().view(torch.complex64)
            y = GPU.dft1024(x)
        s.synchronize()
        self.assertLess(rel(y, torch.fft.fft(x.to(torch.complex128))), 1e-5)

    def test_bf16_tensors(self):
        x = torch.randn(64, 4096, device="cuda").to(torch.bfloat16)
        y = GPU.hadamard_bf16(x)
        self.assertEqual(y.dtype, torch.bfloat16)
        n = 4096
        h = torch.ones(1, 1, dtype=torch.float64, device="cuda")
        while h.shape[0] < n:
            h = torch.cat([torch.cat([h, h], 1), torch.cat([h, -h], 1)], 0)
        want = x.to(torch.float64) @ h.T / n ** 0.5
        self.assertLess(rel(y, want), 1e-2)

    def test_weights_on_the_device(self):
        x = torch.randn(33, 256, device="cuda")
        w = torch.randn(256, device="cuda")
        self.assertLess(rel(GPU.gate(x, w), x.double() * w.double()), 1e-6)

    def test_bad_calls_raise_clear_errors(self):
        x = torch.zeros(4, 1024, dtype=torch.complex64, device="cuda")
        cases = [
            (lambda: GPU.dft1024(x.cpu()), TypeError,
             "is in host memory (torch on cpu), but this library was "
             "compiled for --target=cuda"),
            (lambda: CPU.dft1024(x), TypeError,
             "is on cuda:0, but this library was compiled for the CPU"),
            (lambda: GPU.dft1024(x.to(torch.complex128)), TypeError,
             "must be complex64, got torch.complex128"),
            (lambda: GPU.dft1024(x[:, ::2].contiguous()), ValueError,
             "must have shape (batch, 1024), got (4, 512)"),
            (lambda: GPU.dft1024(torch.zeros(1024, 4, dtype=torch.complex64,
                                             device="cuda").t()),
             ValueError, "each row must be contiguous"),
            (lambda: GPU.gate(torch.zeros(2, 256, device="cuda"),
                              torch.zeros(255, device="cuda")),
             ValueError, "must have shape (256,), got (255,)"),
        ]
        for call, kind, message in cases:
            with self.assertRaises(kind) as ctx:
                call()
            self.assertIn(message, str(ctx.exception))

    def test_torch_custom_ops_in_a_compiled_graph(self):
        # One op, a CUDA kernel from one library and a CPU kernel from the
        # other; torch.compile (aot_eager: fake tensors and graph capture,
        # no code generation) holds it as one node.
        GPU.torch_ops()
        ops = CPU.torch_ops()
        x = torch.randn(33, 256, device="cuda")
        w = torch.randn(256, device="cuda")
        want = x.double() * w.double()
        self.assertLess(rel(ops.gpu_ops_gate(x, w), want), 1e-6)
        self.assertLess(rel(ops.gpu_ops_gate(x.cpu(), w.cpu()), want.cpu()),
                        1e-6)
        f = torch.compile(lambda t, v: ops.gpu_ops_gate(t * 2.0, v) + 1.0,
                          backend="aot_eager", fullgraph=True)
        self.assertLess(rel(f(x, w) - 1.0, 2.0 * want), 1e-6)
        y = ops.gpu_ops_dft1024(torch.randn(5, 1024, dtype=torch.complex64,
                                            device="cuda"))
        self.assertEqual((y.shape, y.dtype), ((5, 1024), torch.complex64))

    def test_recurrence_on_the_gpu_matches_the_cpu(self):
        # Both results (o and the final state) of a bf16 recurrence; the
        # GPU's tensor-core products carry bf16's rounding.
        q, k, v = (torch.randn(3, 100, 2, 32).to(torch.bfloat16)
                   for _ in range(3))
        g = torch.nn.functional.logsigmoid(torch.randn(3, 100, 2))
        want = CPU.retention(q, k, v, g)
        got = GPU.retention(*(t.cuda() for t in (q, k, v, g)))
        self.assertEqual(len(got), 2)
        for a, b in zip(got, want):
            self.assertEqual(a.device.type, "cuda")
            self.assertEqual((a.shape, a.dtype), (b.shape, b.dtype))
            self.assertLess(rel(a.cpu().float(), b.double()), 2e-2)

    def test_cpu_tensors_on_the_cpu_library(self):
        x = torch.randn(7, 1024, dtype=torch.complex64)
        self.assertLess(rel(CPU.dft1024(x),
                            torch.fft.fft(x.to(torch.complex128))), 1e-5)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
