"""The Python module against numpy: results of compiled specs against
numpy.fft, scipy.fft (where installed) and the defining sums, every bad
call's exception, out=, the cache. Run by ctest (python-module) with Debian's python3 and numpy;
exits 77 (skipped) where numpy is missing.

    test_linop.py PYTHON_DIR LINOPC WORK_DIR
"""
import os
import sys
import unittest

sys.path.insert(0, sys.argv[1])
os.environ["LINOP_LINOPC"] = sys.argv[2]
os.environ["LINOP_CACHE"] = os.path.join(sys.argv[3], "cache")
WORK = sys.argv[3]
try:
    import numpy as np
except ImportError:
    print("SKIPPED: numpy is not installed for %s (apt install python3-numpy)"
          % sys.executable)
    sys.exit(77)
import linop
try:
    import torch
    TORCH = True
except ImportError:  # the torch tests skip, saying so
    TORCH = False

SPEC = """
func.func @dft64(%x: tensor<?x64xcomplex<f32>>) -> tensor<?x64xcomplex<f32>> {
  %F = linop.dft : !linop.op<64x64, complex<f32>>
  %y = linop.apply %F, %x : (!linop.op<64x64, complex<f32>>, tensor<?x64xcomplex<f32>>) -> tensor<?x64xcomplex<f32>>
  return %y : tensor<?x64xcomplex<f32>>
}
func.func @matrix(%x: tensor<?x16xf64>, %w: tensor<16x16xf64>) -> tensor<?x16xf64> {
  %W = linop.dense %w : (tensor<16x16xf64>) -> !linop.op<16x16, f64>
  %y = linop.apply %W, %x : (!linop.op<16x16, f64>, tensor<?x16xf64>) -> tensor<?x16xf64>
  return %y : tensor<?x16xf64>
}
"""


def rng():
    return np.random.default_rng(7)


def numerics_spec(name):
    """A spec of test/numerics/specs."""
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                        "numerics", "specs", name)


class LinopModule(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        os.makedirs(WORK, exist_ok=True)
        cls.spec = os.path.join(WORK, "ops.mlir")
        with open(cls.spec, "w") as f:
            f.write(SPEC)
        cls.lib = linop.compile(cls.spec, target="cpu")

    def test_dft_matches_numpy(self):
        r = rng()
        x = (r.standard_normal((37, 64)) +
             1j * r.standard_normal((37, 64))).astype(np.complex64)
        y = self.lib.dft64(x)
        want = np.fft.fft(x.astype(np.complex128), axis=1)
        err = np.abs(y - want).max() / np.abs(want).max()
        self.assertLess(err, 1e-5)

    def test_strided_rows_and_out(self):
        r = rng()
        big = (r.standard_normal((9, 100)) + 0j).astype(np.complex64)
        x = big[::3, 10:74]  # rows 300 elements apart, each contiguous
        out = np.full((3, 64), np.nan, dtype=np.complex64)
        got = self.lib.dft64(x, out=out)
        self.assertIs(got, out)
        want = np.fft.fft(x.astype(np.complex128), axis=1)
        self.assertLess(np.abs(out - want).max() / np.abs(want).max(), 1e-5)

    def test_weights_at_run_time(self):
        r = rng()
        x, w = r.standard_normal((5, 16)), r.standard_normal((16, 16))
        np.testing.assert_allclose(self.lib.matrix(x, w), x @ w.T,
                                   rtol=1e-12, atol=1e-12)

    def test_convolution_with_a_run_time_kernel(self):
        # test/numerics/specs/diag.mlir: the kernel's spectrum once
        # (conv_prepare), then any number of signals (conv_apply), against
        # numpy's causal convolution.
        lib = linop.compile(numerics_spec("diag.mlir"), target="cpu")
        r = rng()
        k = r.standard_normal((1, 1024)).astype(np.float32)
        x = r.standard_normal((6, 1024)).astype(np.float32)
        s = lib.conv_prepare(k)[0]
        y = lib.conv_apply(x, s)
        want = np.array([np.convolve(row, k[0])[:1024] for row in
                         x.astype(np.float64)])
        self.assertLess(np.abs(y - want).max() / np.abs(want).max(), 1e-5)

    def test_a_convolution_per_channel(self):
        # test/numerics/specs/families.mlir: [batch, 3, 64] signals, one
        # kernel per channel given by its half spectrum over 128, against
        # numpy's causal convolution; then the calls it refuses.
        spec = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                            "..", "numerics", "specs", "families.mlir")
        lib = linop.compile(spec, target="cpu")
        r = rng()
        k = r.standard_normal((3, 64))
        x = r.standard_normal((5, 3, 64)).astype(np.float32)
        s = (np.fft.rfft(k, 128) / 128).astype(np.complex64)
        y = lib.channel_conv(x, s)
        want = np.array([[np.convolve(x[b, c].astype(np.float64), k[c])[:64]
                          for c in range(3)] for b in range(5)])
        self.assertEqual(y.shape, (5, 3, 64))
        self.assertLess(np.abs(y - want).max() / np.abs(want).max(), 1e-5)
        # The same kernels given as they are (@hyena): linop-split-prepare's
        # entry point computes the spectra, the convolution takes them.
        self.assertIn("hyena_prepare", lib.functions)
        p = lib.hyena_prepare(k.astype(np.float32))
        self.assertLess(np.abs(p - s).max() / np.abs(s).max(), 1e-5)
        h = lib.hyena(x, p)
        self.assertLess(np.abs(h - want).max() / np.abs(want).max(), 1e-5)
        # NaN in one channel's spectrum reaches that channel's rows only,
        # never zeroed; an empty batch is no work.
        bad = s.copy()
        bad[0, 5] = np.nan
        z = lib.channel_conv(x, bad)
        self.assertTrue(np.isnan(z[:, 0]).all())
        self.assertTrue(np.isfinite(z[:, 1:]).all())
        self.assertEqual(lib.channel_conv(x[:0], s).shape, (0, 3, 64))
        # Hyena's gated form: post * conv(pre * u), gates that are data.
        pre, post = (r.standard_normal((5, 3, 64)).astype(np.float32)
                     for _ in range(2))
        g = lib.gated_channel_conv(x, pre, post, s)
        want = post * np.array([[np.convolve((pre * x)[b, c].astype(
            np.float64), k[c])[:64] for c in range(3)] for b in range(5)])
        self.assertLess(np.abs(g - want).max() / np.abs(want).max(), 1e-5)
        # Rows (b, c) at one stride: a slice of whole batch entries works,
        # reversed channels do not.
        wide = np.zeros((5, 3, 80), np.float32)
        wide[:, :, :64] = x
        np.testing.assert_array_equal(lib.channel_conv(wide[:, :, :64], s), y)
        for bad, message in [
                (np.zeros((5, 4, 64), np.float32),
                 "must have shape (batch, 3, 64), got (5, 4, 64)"),
                (x[:, ::-1, :], "must lie one stride apart")]:
            with self.assertRaises(ValueError) as ctx:
                lib.channel_conv(bad, s)
            self.assertIn(message, str(ctx.exception))

    def test_learn_a_butterfly_and_run_it(self):
        # linop.learn on the DFT matrix of 64: an exact butterfly, whose
        # spec compiles and computes numpy's FFT; a random matrix has none,
        # and the tolerance says so.
        n = 64
        F = np.fft.fft(np.eye(n))
        learned = linop.learn(F, structure="butterfly", name="dft64_learned")
        self.assertTrue(learned.report["exact"])
        self.assertLess(learned.report["relative_error"], 1e-10)
        self.assertIn("func.func @dft64_learned", learned.spec)
        lib = learned.compile(target="cpu")
        x = (rng().standard_normal((7, n)) +
             1j * rng().standard_normal((7, n))).astype(np.complex64)
        y = lib.dft64_learned(x)
        want = np.fft.fft(x.astype(np.complex128))
        self.assertLess(np.abs(y - want).max() / np.abs(want).max(), 1e-5)
        with self.assertRaises(linop.LinopError) as ctx:
            linop.learn(rng().standard_normal((16, 16)), structure="butterfly",
                        tolerance=1e-6, no_polish=True)
        self.assertIn("the tolerance 1e-06 was not met", str(ctx.exception))
        with self.assertRaises(ValueError):
            linop.learn(np.zeros(16))

    def test_gated_linear_attention_against_a_numpy_loop(self):
        # test/numerics/specs/recurrences.mlir @gla: a gate per key channel
        # and an initial state, on every other batch entry of a larger
        # array (the row stride), against the step-by-step recurrence.
        lib = linop.compile(numerics_spec("recurrences.mlir"), target="cpu")
        r = rng()
        B, T, H, Dk, Dv = 2, 130, 3, 32, 16

        def normal(*shape):
            return r.standard_normal(shape).astype(np.float32)
        q, k = normal(2 * B, T, H, Dk)[::2], normal(B, T, H, Dk)
        v, h0 = normal(B, T, H, Dv), normal(B, H, Dk, Dv)
        g = -np.log1p(np.exp(-normal(B, T, H, Dk)))  # log(sigmoid(x))
        o, s = lib.gla(q, k, v, g, h0)
        S, O = h0.astype(np.float64), np.zeros((B, T, H, Dv))
        for t in range(T):
            S = np.exp(g[:, t])[..., None] * S + \
                k[:, t][..., None] * v[:, t][:, :, None, :]
            O[:, t] = np.einsum("bhij,bhi->bhj", S, q[:, t]) / np.sqrt(Dk)
        np.testing.assert_allclose(o, O, rtol=0, atol=2e-5 * abs(O).max())
        np.testing.assert_allclose(s, S, rtol=0, atol=2e-5 * abs(S).max())
        with self.assertRaises(ValueError) as ctx:
            lib.gla(q, k, v[:, :, :, :8], g, h0)
        self.assertIn("'v' must have shape (batch, 130, 3, 16)",
                      str(ctx.exception))

    def test_variable_length_sequences_against_a_numpy_loop(self):
        # recurrences.mlir @varlen_gla_delta: three sequences packed along
        # T with int32 offsets (one empty), heads first, a vector gate and
        # the delta rule, each sequence from a zero state; offsets out of
        # order are an error.
        lib = linop.compile(numerics_spec("recurrences.mlir"), target="cpu")
        r = rng()
        B, H, T, Dk, Dv = 1, 2, 130, 32, 16

        def normal(*shape):
            return r.standard_normal(shape).astype(np.float32)
        q, v = normal(B, H, T, Dk), normal(B, H, T, Dv)
        k = normal(B, H, T, Dk)
        k /= np.linalg.norm(k, axis=-1, keepdims=True)
        g = -np.log1p(np.exp(-normal(B, H, T, Dk)))
        beta = (1 / (1 + np.exp(-normal(B, H, T)))).astype(np.float32)
        cu = np.array([[0, 50, 50, 130]], dtype=np.int32)
        o, s = lib.varlen_gla_delta(q, k, v, g, beta, cu)
        O = np.zeros((B, H, T, Dv))
        for n in range(3):
            S = np.zeros((B, H, Dk, Dv))
            for t in range(cu[0, n], cu[0, n + 1]):
                S = np.exp(g[:, :, t])[..., None] * S
                u = v[:, :, t] - np.einsum("bhij,bhi->bhj", S, k[:, :, t])
                S = S + beta[:, :, t, None, None] * \
                    k[:, :, t][..., None] * u[:, :, None, :]
                O[:, :, t] = np.einsum("bhij,bhi->bhj", S, q[:, :, t]) / \
                    np.sqrt(Dk)
            np.testing.assert_allclose(s[:, n], S, rtol=0,
                                       atol=2e-5 * abs(S).max() + 1e-30)
        np.testing.assert_allclose(o, O, rtol=0, atol=2e-5 * abs(O).max())
        with self.assertRaises(linop.LinopError) as ctx:
            lib.varlen_gla_delta(q, k, v, g, beta,
                                 np.array([[0, 60, 50, 130]], dtype=np.int32))
        self.assertIn("offsets[2] = 50 is below the offset before it",
                      str(ctx.exception))

    def test_trigonometric_transforms_against_scipy(self):
        # DCT/DST types II-IV and the Walsh-Hadamard transform of real f64
        # rows against scipy.fft and scipy.linalg (Debian's python3-scipy;
        # skipped, saying so, without it).
        try:
            import scipy.fft
            import scipy.linalg
        except ImportError:
            self.skipTest("scipy is not installed (apt install python3-scipy)")
        cases = [("dct", "II", "ortho"), ("dct", "III", "ortho"),
                 ("dct", "IV", "ortho"), ("dst", "II", "ortho"),
                 ("dst", "III", "ortho"), ("dst", "IV", None)]
        spec = ""
        for op, kind, norm in cases:
            attr = " norm = sqrt" if norm else ""
            spec += """
func.func @%s%s(%%x: tensor<?x48xf64>) -> tensor<?x48xf64> {
  %%A = linop.%s %s%s : !linop.op<48x48, f64>
  %%y = linop.apply %%A, %%x : (!linop.op<48x48, f64>, tensor<?x48xf64>) -> tensor<?x48xf64>
  return %%y : tensor<?x48xf64>
}""" % (op, kind, op, kind, attr)
        spec += """
func.func @wht(%x: tensor<?x64xf64>) -> tensor<?x64xf64> {
  %H = linop.hadamard : !linop.op<64x64, f64>
  %y = linop.apply %H, %x : (!linop.op<64x64, f64>, tensor<?x64xf64>) -> tensor<?x64xf64>
  return %y : tensor<?x64xf64>
}"""
        path = os.path.join(WORK, "trig.mlir")
        with open(path, "w") as f:
            f.write(spec)
        lib = linop.compile(path, target="cpu")
        r = rng()
        x = r.standard_normal((7, 48))
        types = {"II": 2, "III": 3, "IV": 4}
        n = x.shape[1]
        for op, kind, norm in cases:
            got = getattr(lib, op + kind)(x)
            want = getattr(scipy.fft, op)(x, type=types[kind], norm=norm,
                                          axis=1)
            if norm is None:  # scipy's unnormalized sums are twice ours
                want = want / 2
            if op == "dst" and kind == "II" and norm:
                # scipy before 1.11 (Debian 12 has 1.10) orthogonalizes
                # DST-II/III at element 0, not N-1, so its "ortho" is not
                # orthogonal (scipy#18452): scale its unnormalized DST-II.
                want = scipy.fft.dst(x, type=2, axis=1) / 2 * np.sqrt(2 / n)
                want[:, -1] /= np.sqrt(2)
            if op == "dst" and kind == "III" and norm:
                # The transpose of the orthonormal DST-II: scale the input,
                # then scipy's unnormalized DST-III, which weighs x[N-1]
                # once and the others twice.
                z = x * np.sqrt(2 / n)
                z[:, -1] /= np.sqrt(2)
                z[:, :-1] /= 2
                want = scipy.fft.dst(z, type=3, axis=1)
            np.testing.assert_allclose(got, want, rtol=0,
                                       atol=1e-12 * abs(want).max(),
                                       err_msg=op + kind)
        x = r.standard_normal((5, 64))
        np.testing.assert_allclose(lib.wht(x), x @ scipy.linalg.hadamard(64),
                                   rtol=0, atol=1e-12 * 64)

    def test_a_toeplitz_matrix_with_run_time_weights(self):
        # test/numerics/specs/convolutions.mlir: T[i, j] = t[i - j + 79],
        # 48 x 80, its spectrum from the prepare entry point.
        lib = linop.compile(numerics_spec("convolutions.mlir"), target="cpu")
        r = rng()
        t = r.standard_normal((1, 127)).astype(np.float32)
        x = r.standard_normal((5, 80)).astype(np.float32)
        T = np.array([[t[0, i - j + 79] for j in range(80)]
                      for i in range(48)], np.float64)
        y = lib.toeplitz_runtime(x, lib.toeplitz_runtime_prepare(t)[0])
        want = x.astype(np.float64) @ T.T
        self.assertLess(np.abs(y - want).max() / np.abs(want).max(), 1e-5)

    def test_bad_calls_raise_clear_errors(self):
        x = np.zeros((4, 64), np.complex64)
        cases = [
            (lambda: self.lib.dft64(x.astype(np.complex128)), TypeError,
             "must be complex64, got complex128"),
            (lambda: self.lib.dft64(np.zeros((4, 32), np.complex64)),
             ValueError, "must have shape (batch, 64), got (4, 32)"),
            (lambda: self.lib.dft64(np.zeros((4, 128), np.complex64)[:, ::2]),
             ValueError, "each row must be contiguous"),
            (lambda: self.lib.dft64(x[::-1]), ValueError,
             "rows must be at least a row apart"),
            (lambda: self.lib.dft64(x, x), TypeError,
             "takes 1 argument(s) (x), got 2"),
            (lambda: self.lib.dft64([[0j] * 64]), TypeError,
             "must be a numpy array, a torch tensor or an object with "
             "__cuda_array_interface__ (CuPy), not list"),
            (lambda: self.lib.dft64(x, out=np.zeros((3, 64), np.complex64)),
             ValueError, "has 3 rows, but an earlier operand has 4"),
            (lambda: self.lib.matrix(np.zeros((2, 16)), np.zeros((16, 15))),
             ValueError, "must have shape (16, 16), got (16, 15)"),
        ]
        for call, kind, message in cases:
            with self.assertRaises(kind) as ctx:
                call()
            self.assertIn(message, str(ctx.exception))

    @unittest.skipUnless(TORCH, "torch is not installed here")
    def test_torch_tensors_on_the_cpu(self):
        x = torch.randn(5, 64, dtype=torch.complex64)
        y = self.lib.dft64(x)
        self.assertIsInstance(y, torch.Tensor)
        want = torch.fft.fft(x.to(torch.complex128))
        self.assertLess(float((y - want).abs().max() / want.abs().max()),
                        1e-5)
        out = torch.empty(5, 64, dtype=torch.complex64)
        self.assertIs(self.lib.dft64(x, out=out), out)
        with self.assertRaises(ValueError) as ctx:
            self.lib.dft64(x, out=torch.empty(5, 64, dtype=torch.complex64,
                                              requires_grad=True))
        self.assertIn("requires grad", str(ctx.exception))
        with self.assertRaises(TypeError) as ctx:
            self.lib.dft64(x.to(torch.complex128))
        self.assertIn("must be complex64, got torch.complex128",
                      str(ctx.exception))

    def test_a_cpu_library_refuses_device_memory(self):
        class Device:  # what CuPy and numba show of a device array
            __cuda_array_interface__ = {
                "shape": (4, 64), "typestr": "<c8", "strides": None,
                "data": (1 << 40, False), "version": 3}
        with self.assertRaises(TypeError) as ctx:
            self.lib.dft64(Device())
        self.assertIn("is on cuda, but this library was compiled for the "
                      "CPU", str(ctx.exception))

    @unittest.skipUnless(os.path.exists("/usr/local/cuda/lib64/libnvrtc.so"),
                         "no CUDA toolkit (NVRTC) here")
    def test_a_cuda_library_loads_and_refuses_host_memory(self):
        gpu = linop.compile(self.spec, target="cuda", func="dft64")
        again = linop.load(gpu.folder)
        self.assertEqual(again.target, "cuda")
        with self.assertRaises(TypeError) as ctx:
            again.dft64(np.zeros((4, 64), np.complex64))
        self.assertIn("is in host memory (numpy on cpu), but this library "
                      "was compiled for --target=cuda", str(ctx.exception))

    def test_two_libraries_share_one_runtime(self):
        other = os.path.join(WORK, "other.mlir")
        with open(other, "w") as f:
            f.write(SPEC.replace("@dft64", "@dft64b"))
        lib2 = linop.compile(other, target="cpu")
        self.assertNotEqual(lib2.folder, self.lib.folder)
        with open("/proc/self/maps") as maps:
            runtimes = {line.split()[-1] for line in maps
                        if "liblinop_runtime.so" in line}
        self.assertEqual(len(runtimes), 1, runtimes)
        self.lib._so.linop_set_num_threads(3)
        self.assertEqual(lib2._so.linop_get_num_threads(), 3)
        self.lib._so.linop_set_num_threads(0)

    def test_a_bad_spec_names_its_error(self):
        bad = os.path.join(WORK, "bad.mlir")
        with open(bad, "w") as f:
            f.write("func.func @f(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {\n"
                    "  %F = linop.dft : !linop.op<8x8, f32>\n")
        with self.assertRaises(linop.LinopError) as ctx:
            linop.compile(bad)
        self.assertIn(bad + ":2:39: error", str(ctx.exception))

    def test_the_cache_serves_the_second_compile(self):
        again = linop.compile(self.spec, target="cpu")
        self.assertEqual(again.folder, self.lib.folder)
        other = linop.compile(self.spec, target="cpu", radices=[4, 2])
        self.assertNotEqual(other.folder, self.lib.folder)
        r = rng()
        x = (r.standard_normal((3, 64)) + 0j).astype(np.complex64)
        np.testing.assert_allclose(other.dft64(x), self.lib.dft64(x),
                                   rtol=1e-4, atol=1e-4)


class Readme(unittest.TestCase):
    def test_the_readme_example_runs(self):
        # README.md's Python example, as a reader would paste it, from the
        # repository's root.
        root = os.path.dirname(os.path.abspath(sys.argv[1]))
        with open(os.path.join(root, "README.md")) as f:
            text = f.read()
        block = text.split("```python\n", 1)[1].split("```", 1)[0]
        cwd = os.getcwd()
        os.chdir(root)
        try:
            exec(compile(block, "README.md", "exec"), {})
        finally:
            os.chdir(cwd)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0]], verbosity=2)
