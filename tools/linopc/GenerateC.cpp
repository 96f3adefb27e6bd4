//===- GenerateC.cpp - the C header and C entry points of a library -------===//
//
// Plain string building: the output is meant to be read by users, so it is
// laid out by hand rather than through a C AST.
//
//===----------------------------------------------------------------------===//

#include "GenerateC.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

using namespace linop::abi;

namespace linop::cgen {

namespace {

std::string cParameter(const Operand &o) {
  return (o.isOutput() ? "" : "const ") +
         std::string(cScalarType(o.element())) + " *" + o.name;
}

/// The C parameters: `const float *x, ..., int64_t batch, int64_t
/// x_stride...`, and `linop_stream stream` last for CUDA; with `namesOnly`,
/// their names (the arguments of a call that passes them on).
std::vector<std::string> parameters(const Signature &sig, bool cuda,
                                    bool namesOnly = false) {
  std::vector<std::string> params;
  for (const Operand &o : sig.operands)
    params.push_back(namesOnly ? o.name : cParameter(o));
  params.push_back(namesOnly ? "batch" : "int64_t batch");
  for (const Operand &o : sig.operands)
    if (o.batched())
      params.push_back((namesOnly ? "" : "int64_t ") + o.name + "_stride");
  if (cuda)
    params.push_back(namesOnly ? "stream" : "linop_stream stream");
  return params;
}

/// `linop_status <name>(parameters)`, by default the exported symbol.
std::string prototype(const Signature &sig, bool cuda,
                      const std::string &name = "") {
  return "linop_status " + (name.empty() ? sig.symbol : name) + "(\n    " +
         llvm::join(parameters(sig, cuda), ",\n    ") + ")";
}

/// "8 f32 values (float)", "1024 complex<f32> values (2 * 1024 floats: re, im)"
std::string valuesText(const Operand &o, int64_t count) {
  std::string elem = typeName(o.element());
  std::string c = cScalarType(o.element());
  if (isComplex(o.element()))
    return llvm::formatv("{0} {1} values (2 * {0} {2}s: re, im)", count, elem,
                         c);
  if (c == "uint16_t")
    return llvm::formatv("{0} {1} values (their uint16_t bits)", count, elem);
  return llvm::formatv("{0} {1} values ({2})", count, elem, c);
}

/// A row that is a whole batch entry of several dimensions (a
/// recurrence's operands): " [T, H, D]"; else "".
std::string rowShape(const Operand &o) {
  llvm::ArrayRef<int64_t> dims = o.type.getShape().drop_front();
  if (dims.size() < 2 || dims.back() == o.rowElements)
    return "";
  std::string s = " [";
  for (auto [k, d] : llvm::enumerate(dims))
    s += (k ? ", " : "") + std::to_string(d);
  return s + "]";
}

void functionDoc(llvm::raw_ostream &os, const Signature &sig, bool cuda) {
  size_t width = std::string("stream").size();
  for (const Operand &o : sig.operands)
    width = std::max(width, o.name.size());
  auto pad = [&](const std::string &s) {
    return s + std::string(width - s.size() + 2, ' ');
  };

  os << "/*\n * " << sig.func << ": the spec's function\n *\n *   "
     << sig.specText << "\n *\n";
  // Rows per batch entry: "batch rows", or "batch x 4 x 8 rows".
  std::string rows = "batch";
  for (int64_t c : sig.channels)
    rows += " x " + std::to_string(c);
  rows += " rows";
  for (const Operand &o : sig.operands) {
    os << " *   " << pad(o.name);
    switch (o.role) {
    case Role::Data:
      os << "in   " << rows << rowShape(o) << " of N = "
         << valuesText(o, o.rowElements) << "\n";
      break;
    case Role::Weight:
      os << "in   weights " << typeName(o.type) << ":\n *   " << pad("")
         << "     " << valuesText(o, o.rowElements)
         << ", dense row-major,\n *   " << pad("")
         << "     the same for every batch entry\n";
      break;
    case Role::Result:
      os << "out  " << rows << rowShape(o) << " of M = "
         << valuesText(o, o.rowElements) << "\n";
      break;
    }
  }
  if (sig.channels.empty())
    os << " *   " << pad("batch") << "     the number of rows, >= 0 (0: nothing "
       << "to do)\n";
  else
    os << " *   " << pad("batch") << "     the first dimension, >= 0 (0: "
       << "nothing to do); row\n *   " << pad("") << "     (b, c...) is row "
       << "b * " << sig.rowsPerBatch() << " + c of the batched operands (C "
       << "order)\n";
  std::vector<std::string> strides;
  bool complex = false;
  for (const Operand &o : sig.operands)
    if (o.batched()) {
      strides.push_back(o.name + "_stride");
      complex |= isComplex(o.element());
    }
  os << " *   " << llvm::join(strides, ", ") << "\n *   " << pad("")
     << "     distance between rows in elements"
     << (complex ? " (complex numbers, not\n *   " + pad("") + "     scalars)"
                 : std::string())
     << ", 0 = contiguous\n";
  if (cuda)
    os << " *   " << pad("stream") << "     the CUstream the kernels run on "
       << "(NULL: the default stream)\n";
  os << " */\n";
}

/// Each operand's row stride (_rs) and the bytes it spans (_bytes); a
/// weight's are known now.
void declareExtents(llvm::raw_ostream &os, const Signature &sig) {
  for (const Operand &o : sig.operands)
    os << "  int64_t " << o.name << "_rs = 0, " << o.name << "_bytes = "
       << (o.batched()
               ? "0"
               : std::to_string(o.rowElements * elementBytes(o.element())))
       << ";\n";
}

/// The batch and the rows the kernels see (`rows`: batch x the channels),
/// then each batched operand's row stride and extent.
void checkBatchAndStrides(llvm::raw_ostream &os, const Signature &sig) {
  os << "  if ((st = linop_check_batch(batch)) != LINOP_OK)\n"
     << "    return linopc_fail(fn, st);\n";
  int64_t perBatch = sig.rowsPerBatch();
  if (perBatch == 1) {
    os << "  const int64_t rows = batch;\n";
  } else {
    os << "  if (batch > INT64_MAX / " << perBatch << ")\n"
       << "    return linop_set_error(LINOP_ERROR_INVALID_ARGUMENT, \"%s: "
          "batch %\" PRId64 \" times " << perBatch << " rows overflows\", "
          "fn, batch);\n"
       << "  const int64_t rows = batch * " << perBatch << ";\n";
  }
  for (const Operand &o : sig.operands) {
    if (!o.batched())
      continue;
    os << "  if ((st = linopc_row_stride(fn, \"" << o.name << "\", " << o.name
       << "_stride, " << o.rowElements << ", &" << o.name
       << "_rs)) != LINOP_OK ||\n"
       << "      (st = linopc_extent(fn, \"" << o.name << "\", rows, "
       << o.name << "_rs, " << o.rowElements << ", "
       << elementBytes(o.element()) << ", &" << o.name
       << "_bytes)) != LINOP_OK)\n    return st;\n";
  }
}

/// Every output against every other buffer, each pair of outputs once.
void checkDisjoint(llvm::raw_ostream &os, const Signature &sig) {
  size_t n = sig.operands.size();
  for (size_t j = 0; j < n; ++j) {
    const Operand &out = sig.operands[j];
    if (!out.isOutput())
      continue;
    for (size_t i = 0; i < n; ++i) {
      const Operand &other = sig.operands[i];
      if (i == j || (other.isOutput() && i > j))
        continue;
      // Batched operands pass their stride and row in bytes (0: one block).
      auto geometry = [](const Operand &o) {
        int64_t e = elementBytes(o.element());
        if (!o.batched())
          return std::string("0, 0");
        return o.name + "_rs * " + std::to_string(e) + ", " +
               std::to_string(o.rowElements * e);
      };
      os << "  if ((st = linopc_disjoint(fn, \"" << other.name << "\", "
         << other.name << ", " << other.name << "_bytes, " << geometry(other)
         << ",\n                             \"" << out.name << "\", "
         << out.name << ", " << out.name << "_bytes, " << geometry(out)
         << ")) != LINOP_OK)\n    return st;\n";
    }
  }
}

/* The C helpers both entry preludes use to check the caller's arguments. */
const char *kArgumentChecks =
    R"C(/* Prefixes the message of a failed runtime check with the function's name. */
static linop_status linopc_fail(const char *func, linop_status status) {
  return linop_set_error(status, "%s: %s", func, linop_last_error());
}

/* The row stride in elements: 0 means contiguous, else at least a row. */
static linop_status linopc_row_stride(const char *func, const char *name,
                                      int64_t stride, int64_t row,
                                      int64_t *out) {
  if (stride == 0) {
    *out = row;
    return LINOP_OK;
  }
  if (stride < row)
    return linop_set_error(LINOP_ERROR_INVALID_ARGUMENT,
                           "%s: %s_stride is %" PRId64 " elements, less than "
                           "a row of %s (%" PRId64 " elements); pass 0 for "
                           "contiguous rows",
                           func, name, stride, name, row);
  *out = stride;
  return LINOP_OK;
}

/* The bytes a batched buffer spans, for the overlap checks. */
static linop_status linopc_extent(const char *func, const char *name,
                                  int64_t rows, int64_t stride, int64_t row,
                                  int64_t elem_bytes, int64_t *out) {
  if (rows == 0) {
    *out = 0;
    return LINOP_OK;
  }
  /* ((rows - 1) * stride + row) * elem_bytes must not overflow. */
  if (rows - 1 > (INT64_MAX / elem_bytes - row) / stride)
    return linop_set_error(LINOP_ERROR_INVALID_ARGUMENT,
                           "%s: %s spans more than 2^63 bytes (%" PRId64
                           " rows, stride %" PRId64 ")",
                           func, name, rows, stride);
  *out = ((rows - 1) * stride + row) * elem_bytes;
  return LINOP_OK;
}

/* Rejects an output that overlaps another buffer, naming both. Rows of
   two batches with the same stride (bytes) may interleave without touching:
   with d = (out - a) mod stride, rows of a end before d and rows of out end
   before the next row of a. */
static linop_status linopc_disjoint(const char *func, const char *a_name,
                                    const void *a, int64_t a_bytes,
                                    int64_t a_stride, int64_t a_row,
                                    const char *out_name, const void *out,
                                    int64_t out_bytes, int64_t out_stride,
                                    int64_t out_row) {
  if (a_stride > 0 && a_stride == out_stride) {
    const uint64_t s = (uint64_t)a_stride;
    const uintptr_t pa = (uintptr_t)a, po = (uintptr_t)out;
    uint64_t d = (uint64_t)(po >= pa ? po - pa : pa - po) % s;
    if (po < pa && d != 0)
      d = s - d;
    if (d >= (uint64_t)a_row && s - d >= (uint64_t)out_row)
      return LINOP_OK;
  }
  linop_status status = linop_check_overlap(a, a_bytes, out, out_bytes, 0);
  if (status != LINOP_OK)
    return linop_set_error(status, "%s: '%s' and '%s': %s", func, a_name,
                           out_name, linop_last_error());
  return LINOP_OK;
}
)C";

const char *kConventions = R"C( * Conventions of every function below:
 * - Data arguments and results are batches of rows: row b of x starts at
 *   x + b * x_stride, the stride counted in elements; 0 means contiguous
 *   rows (the row length). A nonzero stride must be at least the row length.
 *   An operand of shape [batch, C..., N] is batch x C... rows in C order,
 *   each at the row stride (row (b, c) of [batch, C, N] starts at
 *   x + (b * C + c) * x_stride).
 *   Weights are dense row-major arrays, the same for every batch entry,
 *   read at every call (change them between calls at will).
 * - Complex values are interleaved (re, im) pairs of float (complex<f32>)
 *   or double (complex<f64>), as numpy stores them; strides count complex
 *   elements, i.e. pairs. f16 and bf16 values are passed as their uint16_t
 *   bit patterns (IEEE binary16, bfloat16).
 * - Every pointer must be valid and non-NULL, even when batch is 0.
 * - Outputs must not overlap the inputs, the weights or each other. The
 *   kernels are not proven safe in place, so even exact aliasing (an output
 *   that is the same buffer as a same-size input) is rejected.
 * - Returns LINOP_OK or LINOP_ERROR_INVALID_ARGUMENT (a NULL pointer,
 *   batch < 0, a stride shorter than a row, overlapping buffers), with the
 *   reason in linop_last_error(). Everything is checked before anything is
 *   written: on error the outputs are untouched.
 * - Threads: the batch is split over the Linop runtime's thread pool
 *   (linop_parallel_for), in which the calling thread takes part. Its size is
 *   linop_set_num_threads(n), else the environment variable
 *   LINOP_NUM_THREADS, else the number of hardware threads. Calls from
 *   several threads at once are safe (those that use the pool take turns);
 *   a call from inside a linop_parallel_for job runs on its thread alone.
 * - Workspace: none. Nothing to allocate or pass; the functions keep no
 *   state between calls besides the runtime's thread pool.
)C";

const char *kCudaConventions =
    R"C( * Conventions of every function below (generated for --target=cuda):
 * - Pointers are device pointers (cuMemAlloc/cudaMalloc or managed memory)
 *   of the device current on the calling thread (else the device that
 *   linop_cuda_set_device selected, whose primary context is used). Each
 *   must be aligned to its element type and hold its rows; the functions
 *   check both (linop_cuda_check_pointer) and reject host pointers.
 * - Data arguments and results are batches of rows: row b of x starts at
 *   x + b * x_stride, the stride counted in elements; 0 means contiguous
 *   rows (the row length). A nonzero stride must be at least the row length.
 *   An operand of shape [batch, C..., N] is batch x C... rows in C order,
 *   each at the row stride.
 *   Weights are dense row-major arrays, the same for every batch entry,
 *   read by the kernels (change them between calls at will, in stream
 *   order).
 * - Complex values are interleaved (re, im) pairs of float (complex<f32>),
 *   as numpy stores them; strides count complex elements, i.e. pairs. f16
 *   and bf16 values are passed as their uint16_t bit patterns (IEEE
 *   binary16, bfloat16); the kernels compute in f32.
 * - Outputs must not overlap the inputs, the weights or each other.
 * - Asynchronous: a call queues its kernels on `stream` and returns. Faults
 *   while they run show at the next synchronization; with the environment
 *   variable LINOP_CUDA_SYNC=1 the runtime synchronizes after every kernel,
 *   so that a fault names its kernel.
 * - Returns LINOP_OK; LINOP_ERROR_INVALID_ARGUMENT (a NULL, misaligned or
 *   host pointer, a buffer smaller than its rows, batch < 0, a stride
 *   shorter than a row, overlapping buffers); LINOP_ERROR_NO_CUDA_DRIVER (no
 *   driver on this machine); LINOP_ERROR_UNSUPPORTED (a GPU older than
 *   sm_90, or a kernel that does not fit it); LINOP_ERROR_CUDA (a driver
 *   error); the reason in linop_last_error(). Arguments are checked before
 *   anything is launched.
 * - The device code, a fatbin of an sm_90a cubin and compute_90 PTX
 *   (JIT-compiled by the driver on other GPUs), is inside this library and loaded on the
 *   first call in each CUDA context. At run time only the driver (libcuda,
 *   loaded with dlopen) is needed.
 * - Workspace: rows too long for a cluster's shared memory use a scratch
 *   buffer the runtime allocates and frees in stream order.
)C";

} // namespace

std::string manifest(const Library &lib) {
  llvm::json::Array functions;
  for (const Signature &sig : lib.functions) {
    llvm::json::Array operands;
    for (const Operand &o : sig.operands) {
      mlir::Type e = o.element();
      mlir::Type scalar = isComplex(e) ? llvm::cast<mlir::ComplexType>(e)
                                             .getElementType()
                                       : e;
      std::string dtype = scalar.isInteger(32)   ? "int32"
                          : scalar.isInteger(64) ? "int64"
                          : scalar.isF16()       ? "float16"
                          : scalar.isBF16() ? "bfloat16"
                          : scalar.isF32()  ? (isComplex(e) ? "complex64"
                                                             : "float32")
                                            : (isComplex(e) ? "complex128"
                                                            : "float64");
      llvm::json::Array shape;
      for (int64_t d : o.type.getShape())
        shape.push_back(mlir::ShapedType::isDynamic(d) ? -1 : d);
      operands.push_back(llvm::json::Object{
          {"name", o.name},
          {"role", o.role == Role::Data     ? "data"
                   : o.role == Role::Weight ? "weight"
                                            : "result"},
          {"dtype", dtype},
          {"shape", std::move(shape)},
          {"row_elements", o.rowElements}});
    }
    functions.push_back(llvm::json::Object{{"name", sig.func},
                                           {"symbol", sig.symbol},
                                           {"operands", std::move(operands)}});
  }
  llvm::json::Object root{{"library", lib.name},
                          {"target", lib.cuda ? "cuda" : "cpu"},
                          {"version", LINOP_VERSION},
                          {"functions", std::move(functions)}};
  std::string s;
  llvm::raw_string_ostream os(s);
  os << llvm::formatv("{0:2}", llvm::json::Value(std::move(root))) << "\n";
  return s;
}

std::string header(const Library &lib) {
  std::string s;
  llvm::raw_string_ostream os(s);
  std::string guard =
      "LINOP_GENERATED_" + llvm::StringRef(lib.name).upper() + "_H";
  os << "/*\n * " << lib.name << ".h: the Linop library \"" << lib.name
     << "\", generated by linopc " LINOP_VERSION " from " << lib.specFile
     << ".\n * Do not edit: regenerate it with linopc.\n"
     << " * Command: " << lib.command << "\n *\n"
     << " * Link a program with the static library and the runtime next to "
        "it\n"
     << " * (the runtime is C++ inside, hence -lstdc++):\n"
     << " *   cc app.c -I DIR DIR/lib" << lib.name
     << ".a DIR/liblinop_runtime.a -lstdc++ -lpthread -ldl -lm\n"
     << " * or with the shared library and the shared runtime beside it\n"
     << " * (which every Linop library in the process shares):\n"
     << " *   cc app.c -I DIR -L DIR -l" << lib.name
     << " -llinop_runtime -Wl,-rpath,DIR\n *\n"
     << (lib.cuda ? kCudaConventions : kConventions) << " */\n"
     << "#ifndef " << guard << "\n#define " << guard << "\n\n"
     << "#include \"linop/runtime.h\"\n\n#include <stdint.h>\n\n"
     << "#define " << llvm::StringRef(lib.name).upper()
     << "_LINOP_VERSION \"" LINOP_VERSION "\"\n\n"
     << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";
  for (const Signature &sig : lib.functions) {
    functionDoc(os, sig, lib.cuda);
    os << "LINOP_API " << prototype(sig, lib.cuda) << ";\n\n";
  }
  os << "/* The spec's own names, unless LINOP_NO_SHORT_NAMES is defined (for "
     << "a\n * file that includes two headers with a function of the same "
     << "name). */\n#ifndef LINOP_NO_SHORT_NAMES\n";
  for (const Signature &sig : lib.functions)
    os << "static inline " << prototype(sig, lib.cuda, sig.func) << " {\n"
       << "  return " << sig.symbol << "("
       << llvm::join(parameters(sig, lib.cuda, true), ", ") << ");\n}\n";
  os << "#endif\n\n";
  os << "#ifdef __cplusplus\n} /* extern \"C\" */\n#endif\n\n#endif /* "
     << guard << " */\n";
  return s;
}

namespace {
std::string cudaEntrySource(const Library &lib);
} // namespace

std::string entrySource(const Library &lib) {
  if (lib.cuda)
    return cudaEntrySource(lib);
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "/*\n * " << lib.name << "_entry.c: the C entry points of the Linop "
     << "library \"" << lib.name << "\",\n * generated by linopc from "
     << lib.specFile << ". Do not edit: regenerate it with linopc."
     << R"C(
 *
 * Each public function @f of the spec has a kernel, linop_k_f, compiled by
 * linopc into the object code next to this file's. A kernel trusts its
 * arguments and computes rows [begin, end) of the batch; its ABI is
 * (compiler/include/linop/Pipeline.h)
 *
 *   void linop_k_f(void **ptrs, const int64_t *strides,
 *                  int64_t begin, int64_t end);
 *
 * with ptrs the arguments of @f in order, then its results, and strides
 * each one's row stride in elements (0 for weights, which are dense).
 *
 * The entry point f checks the caller's arguments with the Linop runtime,
 * then splits the batch over the runtime's thread pool. It is C because it
 * is glue that users may want to read, in the language of the header they
 * call; and linopc needs a C compiler anyway, to link lib<name>.so.
 */
#include ")C"
     << lib.name << R"C(.h"

#include <inttypes.h>
#include <stdint.h>

)C" << kArgumentChecks;

  for (const Signature &sig : lib.functions) {
    const std::string &f = sig.func;
    std::vector<CpuKernel> kernels = sig.cpuKernels;
    if (kernels.empty()) // not lowered here (tests of the C text alone)
      kernels.push_back({kernelSymbol(sig.symbol), sig.unitsPerRow});
    // Every kernel's range function: those for any batch, then the passes
    // for few rows.
    std::vector<CpuKernel> all = kernels;
    all.insert(all.end(), sig.cpuFewRows.begin(), sig.cpuFewRows.end());
    auto rangeName = [&](size_t i) {
      return "linopc_" + f + "_range" + (i ? std::to_string(i) : "");
    };
    size_t n = sig.operands.size();
    os << "\n/* ---- @" << f << " ---- */\n\n";
    for (const CpuKernel &k : all)
      os << "void " << k.symbol << "(void **ptrs, const int64_t *strides, "
         << "int64_t begin,\n"
         << std::string(6 + k.symbol.size(), ' ') << "int64_t end);\n";
    os << "\n/* What every range of the batch needs: the kernel's arrays. */\n"
       << "typedef struct {\n  void *ptrs[" << n << "];\n  int64_t strides["
       << n << "];\n} linopc_" << f << "_args;\n\n";
    for (size_t i = 0; i < all.size(); ++i)
      os << "static void " << rangeName(i)
         << "(void *ctx, int64_t begin, int64_t end) {\n"
         << "  linopc_" << f << "_args *a = (linopc_" << f << "_args *)ctx;\n"
         << "  " << all[i].symbol << "(a->ptrs, a->strides, begin, end);\n}\n\n";

    os << prototype(sig, false) << " {\n"
       << "  static const char fn[] = \"" << f << "\";\n"
       << "  linop_status st;\n";
    declareExtents(os, sig);
    os << "\n  /* Pointers, batch and strides. */\n";
    for (const Operand &o : sig.operands)
      os << "  if ((st = linop_check_pointer(" << o.name << ", \"" << o.name
         << "\")) != LINOP_OK)\n    return linopc_fail(fn, st);\n";
    checkBatchAndStrides(os, sig);
    os << "\n  /* Every output must be disjoint from every other buffer: the "
          "kernel is not\n     proven safe in place, so exact aliasing is "
          "rejected too. */\n";
    checkDisjoint(os, sig);
    os << "\n  if (rows == 0)\n    return LINOP_OK;\n  {\n"
       << "    linopc_" << f << "_args linopc_a = {\n        {";
    for (size_t i = 0; i < n; ++i)
      os << (i ? ", " : "") << "(void *)" << sig.operands[i].name;
    os << "},\n        {";
    for (size_t i = 0; i < n; ++i)
      os << (i ? ", " : "") << sig.operands[i].name << "_rs";
    os << "}};\n";
    // Kernels first .. first + count - 1 of `all`, one after the other.
    auto run = [&](size_t first, size_t kernelCount, const std::string &indent) {
      if (kernelCount > 1)
        os << indent << "/* A row split into sub-rows: " << kernelCount
           << " passes through memory, each over\n" << indent
           << "   whole tiles of sub-rows, one after the other. */\n";
      for (size_t i = first; i < first + kernelCount; ++i) {
        int64_t units = all[i].unitsPerRow, grain = grainUnits(sig, units);
        bool heads = sig.unitsPerRow > 1;
        const char *what = units == 1 && !heads ? " rows"
                           : heads             ? " heads"
                                               : " tiles of sub-rows";
        std::string count = "rows";
        if (units > 1) {
          // A recurrence's kernel counts batch entry x head; a split one
          // tiles of sub-rows.
          os << indent << "if (rows > INT64_MAX / " << units << ")\n"
             << indent << "  return linop_set_error(LINOP_ERROR_INVALID_ARGUMENT, \"%s: "
                "batch %\" PRId64 \" times " << units << what
             << " overflows\", fn, batch);\n";
          count = "rows * " + std::to_string(units);
        }
        os << indent << "/* Grain: at least " << grain << what
           << " per range, so that a range moves >= 32 KiB. */\n";
        if (i + 1 < first + kernelCount)
          os << indent << "if ((st = linop_parallel_for(" << count << ", "
             << grain << ", " << rangeName(i) << ", &linopc_a)) != LINOP_OK)\n"
             << indent << "  return st;\n";
        else
          os << indent << "return linop_parallel_for(" << count << ", "
             << grain << ", " << rangeName(i) << ", &linopc_a);\n";
      }
    };
    if (!sig.cpuFewRows.empty()) {
      os << "    /* Fewer rows than threads: the passes, so that one row "
            "uses them all. */\n"
         << "    if (rows < linop_get_num_threads()) {\n";
      run(kernels.size(), sig.cpuFewRows.size(), "      ");
      os << "    }\n";
    }
    run(0, kernels.size(), "    ");
    os << "  }\n}\n";
  }
  return s;
}

namespace {

/* The checks of the CUDA entry points are the CPU ones' (strides, extents,
   overlaps) plus the device pointers'; then linop_cuda_run launches. */
std::string cudaEntrySource(const Library &lib) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "/*\n * " << lib.name << "_entry.c: the C entry points of the Linop "
     << "library \"" << lib.name << "\",\n * generated by linopc from "
     << lib.specFile << " for --target=cuda. Do not edit: regenerate it with "
     << "linopc."
     << R"C(
 *
 * Each public function @f of the spec has CUDA kernels, compiled by linopc
 * (NVRTC) into the image in )C"
     << lib.name << R"C(_image.c. A kernel takes one linop_cuda_args:
 * the operands' device pointers (the arguments of @f, then its results),
 * their row strides, the batch. The entry point f checks the caller's
 * arguments, then linop_cuda_run loads the image (once per context), checks
 * the kernels' resources and launches them on the caller's stream.
 */
#include ")C"
     << lib.name << R"C(.h"

#include <inttypes.h>
#include <stdint.h>

extern const linop_cuda_image linopc_)C"
     << lib.name << R"C(_image;

)C" << kArgumentChecks
     << R"C(
/* Not NULL, aligned to the element: checked before anything needs the
   driver. */
static linop_status linopc_aligned(const char *func, const char *name,
                                   const void *p, int64_t align) {
  if (!p)
    return linop_set_error(LINOP_ERROR_INVALID_ARGUMENT,
                           "%s: device pointer '%s' is 0", func, name);
  if ((uintptr_t)p % (uintptr_t)align)
    return linop_set_error(LINOP_ERROR_INVALID_ARGUMENT,
                           "%s: device pointer '%s' (%p) is not aligned to %d "
                           "bytes, the size of its elements",
                           func, name, p, (int)align);
  return LINOP_OK;
}

/* Device (or managed) memory of the current device holding `bytes`. */
static linop_status linopc_device(const char *func, const char *name,
                                  const void *p, int64_t bytes, int64_t align) {
  linop_status status = linop_cuda_check_pointer(
      (linop_cuda_deviceptr)(uintptr_t)p, (size_t)bytes, (size_t)align, name);
  return status == LINOP_OK ? LINOP_OK : linopc_fail(func, status);
}

/* The device code, loaded once per CUDA context. */
static linop_cuda_module *linopc_module;
)C";

  for (const Signature &sig : lib.functions) {
    const std::string &f = sig.func;
    size_t n = sig.operands.size();
    std::vector<const CudaLaunch *> launches;
    for (const CudaLaunch &l : lib.launches)
      if (l.function == f)
        launches.push_back(&l);
    os << "\n/* ---- @" << f << " ---- */\n\n"
       << "static const linop_cuda_kernel linopc_" << f << "_kernels["
       << launches.size() << "] = {\n"
       << "    /* name, threads, rows, cluster, shared bytes, workspace bytes, "
          "sub-rows */\n";
    for (const CudaLaunch *l : launches)
      os << "    {\"" << l->kernel << "\", " << l->threads << ", " << l->rows
         << ", " << l->cluster << ", " << l->shared << ", " << l->workspace
         << ", " << l->subrows << "},\n";
    os << "};\n\n"
       << prototype(sig, true) << " {\n"
       << "  static const char fn[] = \"" << f << "\";\n"
       << "  linop_status st;\n";
    declareExtents(os, sig);
    os << "\n  /* Batch and strides. */\n";
    checkBatchAndStrides(os, sig);
    os << "\n  /* Pointers: not NULL, aligned to their elements. */\n";
    for (const Operand &o : sig.operands)
      os << "  if ((st = linopc_aligned(fn, \"" << o.name << "\", " << o.name
         << ", " << elementBytes(o.element()) << ")) != LINOP_OK)\n"
         << "    return st;\n";
    os << "\n  /* Every output must be disjoint from every other buffer. */\n";
    checkDisjoint(os, sig);
    os << "\n  /* Device memory, holding the rows (needs the driver). */\n";
    for (const Operand &o : sig.operands)
      os << "  if ((st = linopc_device(fn, \"" << o.name << "\", " << o.name
         << ", " << o.name << "_bytes, " << elementBytes(o.element())
         << ")) != LINOP_OK)\n    return st;\n";
    os << "\n  if (rows == 0)\n    return LINOP_OK;\n";
    if (sig.offsets) {
      const std::string &cu = sig.operands[sig.offsets->operand].name;
      os << "\n  /* Variable-length sequences: the offsets, read back. */\n"
         << "  if ((st = linop_cuda_check_offsets((linop_cuda_deviceptr)"
         << "(uintptr_t)" << cu << ", " << sig.offsets->bytes << ", " << cu
         << "_rs, rows, " << sig.offsets->sequences << ", "
         << sig.offsets->steps << ", stream)) != LINOP_OK)\n"
         << "    return linopc_fail(fn, st);\n";
    }
    os << "  {\n"
       << "    linop_cuda_args linopc_a = {\n        {";
    for (size_t i = 0; i < n; ++i)
      os << (i ? ", " : "") << "(linop_cuda_deviceptr)(uintptr_t)"
         << sig.operands[i].name;
    os << "},\n        {";
    for (size_t i = 0; i < n; ++i)
      os << (i ? ", " : "") << sig.operands[i].name << "_rs";
    os << "},\n        rows, 0};\n"
       << "    st = linop_cuda_run(&linopc_module, &linopc_" << lib.name
       << "_image, linopc_" << f << "_kernels, " << launches.size()
       << ", &linopc_a, stream);\n"
       << "    return st == LINOP_OK ? LINOP_OK : linopc_fail(fn, st);\n  "
          "}\n}\n";
  }
  return s;
}

} // namespace

std::string imageSource(const Library &lib, const std::string &fatbinPath,
                        size_t fatbinBytes) {
  std::string s;
  llvm::raw_string_ostream os(s);
  std::string sym = "linopc_" + lib.name;
  os << "/*\n * " << lib.name << "_image.c: the device code of the Linop "
     << "library \"" << lib.name << "\"\n * (a fatbin of NVRTC's sm_90a "
     << "cubin and compute_90 PTX), generated by linopc\n * from "
     << lib.specFile << ". Do not edit: regenerate it with linopc.\n */\n"
     << "#include \"linop/runtime.h\"\n\n"
     << "/* The fatbin, embedded as it is. */\n"
     << "__asm__(\".section .rodata\\n\"\n"
     << "        \".globl " << sym << "_fatbin\\n\"\n"
     << "        \".hidden " << sym << "_fatbin\\n\"\n"
     << "        \".balign 16\\n\"\n"
     << "        \"" << sym << "_fatbin:\\n\"\n"
     << "        \".incbin \\\"" << fatbinPath << "\\\"\\n\"\n"
     << "        \".previous\\n\");\n"
     << "__attribute__((visibility(\"hidden\"))) extern const unsigned char "
     << sym << "_fatbin[];\n\n"
     << "__attribute__((visibility(\"hidden\")))\n"
     << "const linop_cuda_image " << sym << "_image = {\"" << lib.name << "\", "
     << sym << "_fatbin, " << fatbinBytes << ", 0};\n";
  return s;
}

} // namespace linop::cgen
