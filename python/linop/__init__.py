"""Linop from Python: compile a spec with linopc and call its functions on
numpy arrays, torch tensors (CPU or CUDA) and CuPy arrays.

    import linop
    lib = linop.compile("ops.mlir", target="cpu")
    y = lib.dft1024(x)            # x: complex64 array of shape (batch, 1024)
    lib.dft1024(x, out=y)         # into an existing array

    gpu = linop.compile("ops.mlir", target="cuda")
    y = gpu.dft1024(x_cuda)       # a torch CUDA tensor; runs on the current
                                  # torch stream, asynchronously

Pure Python over the C ABI (ctypes, in the standard library): the library
linopc writes is a plain shared object, and its manifest (<name>.json)
says each function's operands, so no binding code is generated. Results
are cached by content hash (the spec, the options, linopc's version and
binary) in $LINOP_CACHE (default ~/.cache/linop).
linopc comes from $LINOP_LINOPC, else (an installed module) its install's
bin/linopc, else from PATH. linop.load(folder) loads
a library linopc wrote elsewhere (a machine with a GPU need not have
linopc).

    learned = linop.learn(matrix, structure="butterfly")
    learned.report["relative_error"], learned.spec_path
    lib = learned.compile(target="cpu")

linop.learn runs linop-learn ($LINOP_LEARN, else beside linopc, else PATH)
on a 2-D numpy array and returns the spec it wrote with its report.

lib.torch_ops() registers each function as a torch custom op
(torch.ops.linop.<library>_<function>) for torch.compile graphs.

Not yet: autograd.
"""

import ctypes
import hashlib
import json
import os
import shutil
import subprocess
import tempfile

__all__ = ["compile", "load", "learn", "Learned", "Library", "LinopError"]

try:
    import numpy as _np
except ImportError:  # the module imports; calls say what is missing
    _np = None


class LinopError(RuntimeError):
    """linopc failed, or a compiled function returned an error."""


def _installed_linopc():
    """linopc of the install this module came with (`cmake --install`
    puts the module in PREFIX/lib/python3/dist-packages/linop and linopc in
    PREFIX/bin), or None."""
    here = os.path.dirname(os.path.abspath(__file__))
    parts = here.split(os.sep)
    if parts[-4:] != ["lib", "python3", "dist-packages", "linop"]:
        return None  # a source checkout: PATH or LINOP_LINOPC
    path = os.path.join(os.sep.join(parts[:-4]) or os.sep, "bin", "linopc")
    return path if os.access(path, os.X_OK) else None


def _linopc():
    path = (os.environ.get("LINOP_LINOPC") or _installed_linopc() or
            shutil.which("linopc"))
    if not path:
        raise LinopError("linopc not found: put it on PATH or set "
                         "LINOP_LINOPC (an installed module runs its "
                         "install's bin/linopc)")
    return path


def _tool(env, name):
    """A Linop tool: $env, else beside linopc, else on PATH."""
    path = os.environ.get(env)
    if not path:
        try:
            beside = os.path.join(os.path.dirname(os.path.abspath(
                shutil.which(_linopc()) or _linopc())), name)
        except LinopError:
            beside = ""
        path = beside if os.access(beside, os.X_OK) else shutil.which(name)
    if not path:
        raise LinopError("%s not found: put it on PATH or set %s" %
                         (name, env))
    return path


def _cache_dir():
    base = os.environ.get("LINOP_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"),
        "linop")
    os.makedirs(base, exist_ok=True)
    return base


def _options(options):
    """linopc flags from keyword options: radices=[16, 8] -> --radices=16,8."""
    flags = []
    for key in sorted(options):
        value = options[key]
        flag = "--" + key.replace("_", "-")
        if value is True:
            flags.append(flag)
        elif isinstance(value, (list, tuple)):
            flags.append(flag + "=" + ",".join(str(v) for v in value))
        elif value is not False and value is not None:
            flags.append(flag + "=" + str(value))
    return flags


def compile(spec, target="cpu", **options):
    """Compiles `spec` (a path) for `target` with linopc and loads it."""
    if target not in ("cpu", "cuda"):
        raise LinopError("linop.compile: target must be 'cpu' or 'cuda', "
                         "got %r" % (target,))
    with open(spec, "rb") as f:
        text = f.read()
    linopc = _linopc()
    version = subprocess.run([linopc, "--version"], capture_output=True,
                             text=True).stdout
    # A rebuilt linopc of the same version may generate other code: its
    # size and time stamp key the cache too.
    st = os.stat(shutil.which(linopc) or linopc)
    binary = "%d %d" % (st.st_size, st.st_mtime_ns)
    flags = ["--target=" + target] + _options(options)
    key = hashlib.sha256(text +
                         "\0".join([version, binary] + flags).encode())
    name = "".join(c if c.isalnum() else "_"
                   for c in os.path.splitext(os.path.basename(spec))[0])
    if not name or name[0].isdigit():
        name = "spec_" + name
    where = os.path.join(_cache_dir(), key.hexdigest()[:24])
    if not os.path.exists(os.path.join(where, name + ".json")):
        # linopc writes into a fresh folder, renamed into place when whole.
        tmp = tempfile.mkdtemp(dir=_cache_dir(), prefix=".build-")
        try:
            run = subprocess.run([linopc, spec, "-o", os.path.join(tmp, "out"),
                                  "--name=" + name] + flags,
                                 capture_output=True, text=True)
            if run.returncode != 0:
                raise LinopError("linopc %s failed:\n%s" %
                                 (spec, (run.stderr or run.stdout).strip()))
            try:
                os.rename(os.path.join(tmp, "out"), where)
            except OSError:  # another process cached it first
                pass
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return Library(where, name)


class Learned:
    """What linop.learn found: the spec (`spec_path`, `spec` its text), the
    function's name, and linop-learn's report (report.json as a dict)."""

    def __init__(self, folder, name, report):
        self.folder, self.name, self.report = folder, name, report
        self.spec_path = os.path.join(folder, name + ".mlir")
        with open(self.spec_path) as f:
            self.spec = f.read()

    def compile(self, target="cpu", **options):
        """linop.compile of the learned spec."""
        return compile(self.spec_path, target=target, **options)

    def __repr__(self):
        return "Learned(%r, %s)" % (self.name, self.spec_path)


def learn(matrix, structure="auto", tolerance=None, name="learned",
          folder=None, **options):
    """Runs linop-learn on `matrix` (a 2-D numpy array, real or complex)
    and returns a Learned: the spec and the report. `structure` is
    butterfly, butterfly2, monarch, kron or auto; `tolerance` the relative
    Frobenius error required (a LinopError, naming the error reached, where
    it is not met); other keywords become flags (blocks=4 -> --blocks=4).
    The files go to `folder` (default: a new temporary folder)."""
    if _np is None:
        raise LinopError("linop.learn needs numpy")
    a = _np.asarray(matrix)
    if a.ndim != 2:
        raise ValueError("linop.learn: matrix must be 2-D, got shape %s" %
                         (a.shape,))
    folder = folder or tempfile.mkdtemp(prefix="linop-learn-")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "matrix.npy")
    _np.save(path, a)
    args = [_tool("LINOP_LEARN", "linop-learn"), "--matrix", path,
            "--structure", structure, "--name", name, "-o", folder]
    if tolerance is not None:
        args += ["--tolerance", repr(float(tolerance))]
    args += _options(options)
    run = subprocess.run(args, capture_output=True, text=True)
    if run.returncode not in (0, 2):
        raise LinopError("linop-learn failed:\n" + (run.stderr or run.stdout))
    with open(os.path.join(folder, "report.json")) as f:
        report = json.load(f)
    learned = Learned(folder, name, report)
    if run.returncode == 2:
        raise LinopError("linop.learn: the tolerance %g was not met (%s); "
                         "the spec and report are in %s" % (
                             tolerance, (run.stderr or run.stdout).strip(),
                             folder))
    return learned


def load(folder):
    """Loads the library linopc wrote into `folder` (linopc -o folder)."""
    names = [f[:-5] for f in os.listdir(folder) if f.endswith(".json")]
    if len(names) != 1:
        raise LinopError("linop.load: %s must hold one linopc manifest "
                         "(<name>.json), found %d" % (folder, len(names)))
    return Library(folder, names[0])


class Library:
    """A compiled spec: one callable attribute per public function."""

    def __init__(self, folder, name):
        with open(os.path.join(folder, name + ".json")) as f:
            self.manifest = json.load(f)
        self.target = self.manifest.get("target", "cpu")
        self._so = ctypes.CDLL(os.path.join(folder, "lib%s.so" % name))
        self._so.linop_last_error.restype = ctypes.c_char_p
        self.folder = folder
        self.functions = {}
        for fn in self.manifest["functions"]:
            self.functions[fn["name"]] = Function(self._so, fn, self.target)
            setattr(self, fn["name"], self.functions[fn["name"]])

    def __repr__(self):
        return "<linop.Library %s (%s): %s>" % (
            self.manifest["library"], self.target, ", ".join(self.functions))

    def torch_ops(self, namespace="linop"):
        """Registers each function as a torch custom op,
        torch.ops.<namespace>.<library>_<function>, so that torch.compile
        graphs hold it as one node: its schema from the manifest, its fake
        (meta) implementation allocating the results' shapes, its kernel
        this library's (CPU or CUDA, as compiled). Returns
        torch.ops.<namespace>. No autograd formula yet."""
        torch = _torch()
        if torch is None:
            raise LinopError("Library.torch_ops needs torch")
        key = "CUDA" if self.target == "cuda" else "CPU"
        lib = _TORCH_LIBRARIES.get(namespace)
        if lib is None:
            lib = _TORCH_LIBRARIES[namespace] = torch.library.Library(
                namespace, "FRAGMENT")
        for name, fn in self.functions.items():
            op = "%s_%s" % (self.manifest["library"], name)
            inputs = [o for o in fn.operands if o["role"] != "result"]
            results = [o for o in fn.operands if o["role"] == "result"]
            if (namespace, op) not in _TORCH_OPS:
                out = "Tensor" if len(results) == 1 else \
                    "(" + ", ".join("Tensor" for _ in results) + ")"
                lib.define("%s(%s) -> %s" % (op, ", ".join(
                    "Tensor " + o["name"] for o in inputs), out))

                def fake(*args, _results=results, _inputs=inputs):
                    data = next(a for a, o in zip(args, _inputs)
                                if o["role"] != "weight")
                    outs = [data.new_empty(
                        [data.shape[0]] + o["shape"][1:],
                        dtype=getattr(torch, o["dtype"])) for o in _results]
                    return outs[0] if len(outs) == 1 else tuple(outs)
                torch.library.register_fake("%s::%s" % (namespace, op), fake,
                                            lib=lib)
                _TORCH_OPS.add((namespace, op))
            # The same library compiled for the other target adds its kernel.
            if (namespace, op, key) not in _TORCH_OPS:
                lib.impl(op, _torch_kernel(fn), key)
                _TORCH_OPS.add((namespace, op, key))
        return getattr(torch.ops, namespace)


# torch.library state: one Library fragment per namespace; the ops defined
# and the (op, dispatch key) kernels registered.
_TORCH_LIBRARIES = {}
_TORCH_OPS = set()


def _torch_kernel(fn):
    def kernel(*args):
        return fn(*args)
    return kernel


# The manifest's dtypes as numpy stores them (bfloat16 as its bits).
_NUMPY_DTYPES = {"float16": "float16", "bfloat16": "uint16",
                 "float32": "float32", "float64": "float64",
                 "complex64": "complex64", "complex128": "complex128",
                 "int32": "int32", "int64": "int64"}
# __cuda_array_interface__ type strings (bfloat16 as its bits, as CuPy).
_TYPESTRS = {"float16": "<f2", "bfloat16": "<u2", "float32": "<f4",
             "float64": "<f8", "complex64": "<c8", "complex128": "<c16",
             "int32": "<i4", "int64": "<i8"}


def _torch():
    import sys
    return sys.modules.get("torch")  # never imported here: only if in use


class _Buffer:
    """One array argument, whatever holds it: its dtype (a manifest name, or
    None where it matches none), shape, strides in elements, address,
    device ("cpu", "cuda" or "cuda:N") and how to make a like array."""

    def __init__(self, a):
        torch = _torch()
        self.array = a
        if torch is not None and isinstance(a, torch.Tensor):
            self.kind = "torch"
            names = {torch.float16: "float16", torch.bfloat16: "bfloat16",
                     torch.float32: "float32", torch.float64: "float64",
                     torch.complex64: "complex64",
                     torch.complex128: "complex128",
                     torch.int32: "int32", torch.int64: "int64"}
            self.dtype, self.dtype_text = names.get(a.dtype), str(a.dtype)
            self.shape, self.strides = tuple(a.shape), tuple(a.stride())
            self.ptr, self.device = a.data_ptr(), str(a.device)
            self.writeable = not a.requires_grad
            return
        if _np is not None and isinstance(a, _np.ndarray):
            self.kind = "numpy"
            self.dtype = None
            for name, np_name in _NUMPY_DTYPES.items():
                if a.dtype == _np.dtype(np_name) and name != "bfloat16":
                    self.dtype = name
            self.dtype_text = str(a.dtype)
            self.shape = a.shape
            self.strides = tuple(st // a.itemsize if st % a.itemsize == 0
                                 else None for st in a.strides)
            self.ptr, self.device = a.ctypes.data, "cpu"
            self.writeable = a.flags.writeable
            return
        cai = getattr(a, "__cuda_array_interface__", None)
        if cai is None:
            raise TypeError("a numpy array, a torch tensor or an object with "
                            "__cuda_array_interface__ (CuPy), not %s" %
                            type(a).__name__)
        self.kind = "cai"
        self.dtype = {v: k for k, v in _TYPESTRS.items()
                      if k != "bfloat16"}.get(cai["typestr"])
        self.dtype_text = cai["typestr"]
        self.shape = tuple(cai["shape"])
        size = int(cai["typestr"][2:])
        if cai.get("strides") is None:  # C-contiguous
            st, self.strides = 1, []
            for d in reversed(self.shape):
                self.strides.insert(0, st)
                st *= d
            self.strides = tuple(self.strides)
        else:
            self.strides = tuple(b // size if b % size == 0 else None
                                 for b in cai["strides"])
        self.ptr, self.device = cai["data"][0], "cuda"
        self.writeable = not cai["data"][1]

    def matches(self, dtype):
        """Whether the buffer holds the manifest's `dtype`: bfloat16 from
        numpy and CuPy is its bits, uint16."""
        if dtype == "bfloat16" and self.kind == "numpy":
            return self.dtype_text == "uint16"
        if dtype == "bfloat16" and self.kind == "cai":
            return self.dtype_text == "<u2"
        return self.dtype == dtype

    def like(self, shape, dtype):
        """A new array of the same kind and device, poisoned with NaN."""
        if self.kind == "torch":
            torch = _torch()
            t = getattr(torch, dtype)
            return torch.full(shape, float("nan"), dtype=t,
                              device=self.array.device)
        if self.kind == "numpy":
            return _np.full(shape, _np.nan if dtype != "bfloat16" else 0,
                            dtype=_NUMPY_DTYPES[dtype])
        mod = type(self.array).__module__.split(".")[0]
        if mod != "cupy":
            raise TypeError("pass out= for results: linop allocates numpy "
                            "arrays, torch tensors and CuPy arrays only")
        import cupy
        return cupy.full(shape, float("nan") if dtype != "bfloat16" else 0,
                         dtype=_NUMPY_DTYPES[dtype])


class Function:
    """f(*arguments, out=None, stream=None) -> result (a tuple for several
    results). On a CUDA library the arguments are device arrays (torch CUDA
    tensors, CuPy arrays); the call is queued on `stream` (a CUstream as an
    int), by default the current torch or CuPy stream, and returns at once."""

    def __init__(self, so, fn, target):
        self.name = fn["name"]
        self.operands = fn["operands"]
        self.target = target
        self._c = getattr(so, fn.get("symbol", self.name))
        self._c.restype = ctypes.c_int
        self._so = so

    def _check(self, o, a, batch):
        """Checks argument `a` against operand `o`; returns its buffer, its
        row stride in elements (batched) and the batch it implies."""
        what = "%s: %s %r" % (self.name, o["role"], o["name"])
        try:
            b = _Buffer(a)
        except TypeError as e:
            raise TypeError("%s must be %s" % (what, e)) from None
        if self.target == "cuda" and not b.device.startswith("cuda"):
            raise TypeError(
                "%s is in host memory (%s on %s), but this library was "
                "compiled for --target=cuda: pass device memory (a torch "
                "CUDA tensor or a CuPy array)" % (what, b.kind, b.device))
        if self.target == "cpu" and b.device != "cpu":
            raise TypeError("%s is on %s, but this library was compiled for "
                            "the CPU: pass host memory (a numpy array or a "
                            "CPU tensor)" % (what, b.device))
        if not b.matches(o["dtype"]):
            raise TypeError("%s must be %s%s, got %s" % (
                what, o["dtype"],
                " (stored as uint16)" if o["dtype"] == "bfloat16" and
                b.kind != "torch" else "", b.dtype_text))
        shape = o["shape"]
        if o["role"] == "weight":
            if list(b.shape) != shape:
                raise ValueError("%s must have shape %s, got %s" %
                                 (what, tuple(shape), tuple(b.shape)))
            if not _contiguous(b.shape, b.strides):
                raise ValueError("%s must be C-contiguous" % what)
            return b, 0, batch
        if len(b.shape) != len(shape) or list(b.shape[1:]) != shape[1:]:
            raise ValueError("%s must have shape (batch, %s), got %s" % (
                what, ", ".join(str(d) for d in shape[1:]), tuple(b.shape)))
        if batch is not None and b.shape[0] != batch:
            raise ValueError("%s has %d rows, but an earlier operand has %d" %
                             (what, b.shape[0], batch))
        # Each row must be contiguous; rows may be any whole number of
        # elements apart (the ABI's row stride; 0: one row, contiguous).
        # The row is the last m dimensions (m = 1, but a recurrence's row is
        # a whole batch entry); [batch, C..., row] is batch x C... rows at
        # one stride, so the dimensions before the row must nest at it.
        m, n = 1, b.shape[-1]
        while n != o["row_elements"] and m < len(b.shape) - 1:
            m += 1
            n *= b.shape[-m]
        if b.shape[0] > 0 and not _contiguous(b.shape[-m:], b.strides[-m:]):
            raise ValueError("%s: each row must be contiguous (strides %s in "
                             "elements); make it contiguous first" %
                             (what, b.strides))
        rows = 1
        for d in b.shape[:-m]:
            rows *= d
        if rows <= 1:
            return b, 0, b.shape[0]
        stride = None
        for k in range(len(b.shape) - m - 1, -1, -1):
            if b.shape[k] == 1:
                continue
            inner = 1
            for d in b.shape[k + 1:len(b.shape) - m]:
                inner *= d
            if stride is None and b.strides[k] is not None:
                stride = b.strides[k] // inner if b.strides[k] % inner == 0 \
                    else None
            if stride is None or b.strides[k] != stride * inner:
                raise ValueError(
                    "%s: the rows of shape %s must lie one stride apart, in "
                    "order (strides %s in elements); make it contiguous "
                    "first" % (what, tuple(b.shape), b.strides))
        if stride < o["row_elements"]:
            raise ValueError("%s: rows must be at least a row apart, in whole "
                             "elements (strides %s)" % (what, b.strides))
        return b, stride, b.shape[0]

    def _default_stream(self, buffers):
        for b in buffers:
            if b.kind == "torch":
                torch = _torch()
                return torch.cuda.current_stream(b.array.device).cuda_stream
            if b.kind == "cai" and \
                    type(b.array).__module__.split(".")[0] == "cupy":
                import cupy
                return cupy.cuda.get_current_stream().ptr
        return 0  # the default stream

    def __call__(self, *args, out=None, stream=None):
        if _np is None and _torch() is None:
            raise LinopError("linop needs numpy or torch to call compiled "
                             "functions")
        inputs = [o for o in self.operands if o["role"] != "result"]
        results = [o for o in self.operands if o["role"] == "result"]
        if len(args) != len(inputs):
            raise TypeError("%s takes %d argument(s) (%s), got %d" % (
                self.name, len(inputs),
                ", ".join(o["name"] for o in inputs), len(args)))
        batch, strides, buffers = None, [], []
        for o, a in zip(inputs, args):
            b, s, batch = self._check(o, a, batch)
            buffers.append(b)
            if o["role"] != "weight":
                strides.append(s)
        if batch is None:
            raise TypeError("%s has no batched argument" % self.name)
        devices = {b.device for b in buffers}
        if len(devices) > 1 and "cuda" not in devices:
            raise ValueError("%s: arguments on several devices (%s)" %
                             (self.name, ", ".join(sorted(devices))))
        if out is None:
            first = next(b for b, o in zip(buffers, inputs)
                         if o["role"] != "weight")
            outs = [first.like([batch] + o["shape"][1:], o["dtype"])
                    for o in results]
        else:
            outs = list(out) if isinstance(out, (tuple, list)) else [out]
            if len(outs) != len(results):
                raise TypeError("%s: out= needs %d array(s), got %d" %
                                (self.name, len(results), len(outs)))
        for o, a in zip(results, outs):
            b, s, _ = self._check(o, a, batch)
            if not b.writeable:
                raise ValueError("%s: out %r is read-only (or a tensor that "
                                 "requires grad)" % (self.name, o["name"]))
            buffers.append(b)
            strides.append(s)
        call = [ctypes.c_void_p(b.ptr) for b in buffers]
        call += [ctypes.c_int64(batch)] + [ctypes.c_int64(s) for s in strides]
        if self.target == "cuda":
            if stream is None:
                stream = self._default_stream(buffers)
            call.append(ctypes.c_void_p(stream))
        status = self._c(*call)
        if status != 0:
            raise LinopError("%s: %s" % (
                self.name, self._so.linop_last_error().decode()))
        return outs[0] if len(outs) == 1 else tuple(outs)


def _contiguous(shape, strides):
    """C order, elements apart as in numpy's c_contiguous (sizes 1 and 0
    are free)."""
    expect = 1
    for d, st in zip(reversed(tuple(shape)), reversed(tuple(strides))):
        if d == 0:
            return True
        if d != 1 and st != expect:
            return False
        expect *= d
    return True
