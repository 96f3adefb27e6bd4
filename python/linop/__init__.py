"""Linop from Python: compile a spec with linopc and call its functions on
numpy arrays.

    import linop
    lib = linop.compile("ops.mlir", target="cpu")
    y = lib.dft1024(x)            # x: complex64 array of shape (batch, 1024)
    lib.dft1024(x, out=y)         # into an existing array

Pure Python over the C ABI (ctypes, in the standard library): the library
linopc writes is a plain shared object, and its manifest (<name>.json)
says each function's operands, so no binding code is generated. Results
are cached by content hash in $LINOP_CACHE (default ~/.cache/linop).
linopc comes from $LINOP_LINOPC, else from PATH.

Not yet: the CUDA target's callables, torch tensors and torch.library
custom ops, linop.learn.
"""

import ctypes
import hashlib
import json
import os
import shutil
import subprocess
import tempfile

__all__ = ["compile", "Library", "LinopError"]

try:
    import numpy as _np
except ImportError:  # the module imports; calls say what is missing
    _np = None


class LinopError(RuntimeError):
    """linopc failed, or a compiled function returned an error."""


def _linopc():
    path = os.environ.get("LINOP_LINOPC") or shutil.which("linopc")
    if not path:
        raise LinopError("linopc not found: put it on PATH or set LINOP_LINOPC")
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
    if target != "cpu":
        raise LinopError(
            "linop.compile: target %r is not supported from Python yet "
            "(only 'cpu')" % (target,))
    with open(spec, "rb") as f:
        text = f.read()
    linopc = _linopc()
    version = subprocess.run([linopc, "--version"], capture_output=True,
                             text=True).stdout
    flags = ["--target=" + target] + _options(options)
    key = hashlib.sha256(text + "\0".join([version] + flags).encode())
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


class Library:
    """A compiled spec: one callable attribute per public function."""

    def __init__(self, folder, name):
        with open(os.path.join(folder, name + ".json")) as f:
            self.manifest = json.load(f)
        self._so = ctypes.CDLL(os.path.join(folder, "lib%s.so" % name))
        self._so.linop_last_error.restype = ctypes.c_char_p
        self.folder = folder
        self.functions = {}
        for fn in self.manifest["functions"]:
            self.functions[fn["name"]] = Function(self._so, fn)
            setattr(self, fn["name"], self.functions[fn["name"]])

    def __repr__(self):
        return "<linop.Library %s: %s>" % (self.manifest["library"],
                                           ", ".join(self.functions))


_DTYPES = {"float16": "float16", "bfloat16": "uint16", "float32": "float32",
           "float64": "float64", "complex64": "complex64",
           "complex128": "complex128"}


class Function:
    """f(*arguments, out=None) -> result (a tuple for several results)."""

    def __init__(self, so, fn):
        self.name = fn["name"]
        self.operands = fn["operands"]
        self._c = getattr(so, self.name)
        self._c.restype = ctypes.c_int
        self._so = so

    def _check(self, o, a, batch):
        """Checks array `a` against operand `o`; returns its row stride in
        elements (batched) and the batch it implies."""
        what = "%s: %s %r" % (self.name, o["role"], o["name"])
        if not isinstance(a, _np.ndarray):
            raise TypeError("%s must be a numpy array, got %s" %
                            (what, type(a).__name__))
        dtype = _np.dtype(_DTYPES[o["dtype"]])
        if a.dtype != dtype:
            raise TypeError("%s must be %s%s, got %s" % (
                what, o["dtype"],
                " (stored as uint16)" if o["dtype"] == "bfloat16" else "",
                a.dtype))
        shape = o["shape"]
        if o["role"] == "weight":
            if list(a.shape) != shape:
                raise ValueError("%s must have shape %s, got %s" %
                                 (what, tuple(shape), a.shape))
            if not a.flags.c_contiguous:
                raise ValueError("%s must be C-contiguous" % what)
            return 0, batch
        if a.ndim != len(shape) or list(a.shape[1:]) != shape[1:]:
            raise ValueError("%s must have shape (batch, %s), got %s" % (
                what, ", ".join(str(d) for d in shape[1:]), a.shape))
        if batch is not None and a.shape[0] != batch:
            raise ValueError("%s has %d rows, but an earlier operand has %d" %
                             (what, a.shape[0], batch))
        # Each row must be contiguous; rows may be any whole number of
        # elements apart (the ABI's row stride; 0: one row, contiguous).
        if a.shape[0] > 0 and not a[0].flags.c_contiguous:
            raise ValueError("%s: each row must be contiguous (strides %s); "
                             "use numpy.ascontiguousarray" % (what, a.strides))
        if a.shape[0] <= 1:
            return 0, a.shape[0]
        if (a.strides[0] % a.itemsize or
                a.strides[0] < a.itemsize * o["row_elements"]):
            raise ValueError("%s: rows must be at least a row apart, in whole "
                             "elements (strides %s)" % (what, a.strides))
        return a.strides[0] // a.itemsize, a.shape[0]

    def __call__(self, *args, out=None):
        if _np is None:
            raise LinopError("linop needs numpy to call compiled functions")
        inputs = [o for o in self.operands if o["role"] != "result"]
        results = [o for o in self.operands if o["role"] == "result"]
        if len(args) != len(inputs):
            raise TypeError("%s takes %d argument(s) (%s), got %d" % (
                self.name, len(inputs),
                ", ".join(o["name"] for o in inputs), len(args)))
        batch, strides = None, []
        for o, a in zip(inputs, args):
            s, batch = self._check(o, a, batch)
            if o["role"] != "weight":
                strides.append(s)
        if batch is None:
            raise TypeError("%s has no batched argument" % self.name)
        if out is None:
            outs = [_np.full([batch] + o["shape"][1:], _np.nan
                             if o["dtype"] != "bfloat16" else 0,
                             dtype=_DTYPES[o["dtype"]]) for o in results]
        else:
            outs = list(out) if isinstance(out, (tuple, list)) else [out]
            if len(outs) != len(results):
                raise TypeError("%s: out= needs %d array(s), got %d" %
                                (self.name, len(results), len(outs)))
        for o, a in zip(results, outs):
            s, _ = self._check(o, a, batch)
            if not a.flags.writeable:
                raise ValueError("%s: out %r is read-only" %
                                 (self.name, o["name"]))
            strides.append(s)
        ptrs = [ctypes.c_void_p(a.ctypes.data) for a in list(args) + outs]
        status = self._c(*ptrs, ctypes.c_int64(batch),
                         *[ctypes.c_int64(s) for s in strides])
        if status != 0:
            raise LinopError("%s: %s" % (
                self.name, self._so.linop_last_error().decode()))
        return outs[0] if len(outs) == 1 else tuple(outs)
