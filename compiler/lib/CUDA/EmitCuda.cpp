//===- EmitCuda.cpp - scheduled kernel IR to CUDA C++ ---------------------===//
//
// One extern "C" __global__ function per kernel, meant to be read: sizes,
// strides of the tile and twiddle formulas are constants, the batch and
// the operands' row strides come at run time in one linop_cuda_args. A
// kernel loops over its row groups; per group it runs the steps in order,
// each as a loop of work items over the block's (or cluster's) threads,
// with a barrier between steps. Codelets are unrolled from linop/Codelets.h
// through the C++ emitter below, the same algorithm the CPU lowering and
// the flop counter run.
//
//===----------------------------------------------------------------------===//

#include "linop/CUDA/CudaTarget.h"

#include "linop/Codelets.h"
#include "linop/Dialect/LinopKernel.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FormatVariadic.h"

#include <cmath>
#include <cstdio>

using namespace mlir;
using namespace linop;
using namespace linop::cuda;
using cd = std::complex<double>;

namespace {

// For measuring the fusion against the step-by-step form in one run
// (scripts/gpu-round.sh ab); not a user option.
llvm::cl::opt<bool> fuseMemory(
    "linop-cuda-fuse-memory", llvm::cl::Hidden, llvm::cl::init(true),
    llvm::cl::desc("CUDA: fuse a row's load into the first stage and its "
                   "store into the last"));

// For measuring the cache hints in one run (scripts/gpu-round.sh ab); not a
// user option.
llvm::cl::opt<bool> streaming(
    "linop-cuda-streaming", llvm::cl::Hidden, llvm::cl::init(false),
    llvm::cl::desc("CUDA: read and write the rows with the evict-first "
                   "cache hints (__ldcs, __stcs)"));

// For measuring local cluster stages against distributed shared memory
// everywhere in one run (scripts/gpu-round.sh ab); not a user option.
llvm::cl::opt<bool> localStages(
    "linop-cuda-local-stages", llvm::cl::Hidden, llvm::cl::init(true),
    llvm::cl::desc("CUDA: run a cluster kernel's stages that stay within a "
                   "block's slice on that block's shared memory"));

/// A float literal that round-trips through f32.
std::string lit(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", double(float(v)));
  std::string s = buf;
  if (s.find_first_of(".en") == std::string::npos)
    s += ".0";
  return s + "f";
}

/// -x for a name, a literal or a negated name.
std::string minus(const std::string &x) {
  return x[0] == '-' ? x.substr(1) : "-" + x;
}

/// The codelets' emitter (linop/Codelets.h): each operation declares a
/// const local and returns its name (negations stay inline); complex
/// values are a pair of floats.
class CudaEmitter {
public:
  struct V {
    std::string re, im;
  };
  CudaEmitter(std::string &out, std::string indent, bool complex)
      : out(out), indent(std::move(indent)), cplx(complex) {}

  bool present(const V &v) const { return !v.re.empty(); }
  bool complex() const { return cplx; }
  V add(const V &x, const V &y) {
    return def(sum(x.re, y.re, false), cplx ? sum(x.im, y.im, false) : "");
  }
  V sub(const V &x, const V &y) {
    return def(sum(x.re, y.re, true), cplx ? sum(x.im, y.im, true) : "");
  }
  V neg(const V &x) { return V{minus(x.re), cplx ? minus(x.im) : ""}; }
  V mulReal(const V &x, double c) {
    return def(x.re + " * " + lit(c), cplx ? x.im + " * " + lit(c) : "");
  }
  V mulI(const V &x, bool negative) {
    return negative ? V{x.im, minus(x.re)} : V{minus(x.im), x.re};
  }
  V mulImag(const V &x, double c) {
    return def(minus(x.im) + " * " + lit(c), x.re + " * " + lit(c));
  }
  V mulComplex(const V &x, cd c) {
    std::string r = lit(c.real()), i = lit(c.imag());
    return def(x.re + " * " + r + " - " + x.im + " * " + i,
               x.re + " * " + i + " + " + x.im + " * " + r);
  }
  V zero() { return V{"0.0f", cplx ? "0.0f" : ""}; }
  /// A product by run-time factors (a twiddle or a weight).
  V mulVar(const V &x, const std::string &wr, const std::string &wi) {
    if (wi.empty())
      return def(x.re + " * " + wr, cplx ? x.im + " * " + wr : "");
    return def(x.re + " * " + wr + " - " + x.im + " * " + wi,
               x.re + " * " + wi + " + " + x.im + " * " + wr);
  }
  /// A named input.
  V input(const std::string &re, const std::string &im) {
    return def(re, cplx ? im : "");
  }

private:
  /// x + y or x - y, a negated y folded into the sign.
  static std::string sum(const std::string &x, const std::string &y,
                         bool subtract) {
    if (y[0] == '-')
      return x + (subtract ? " + " : " - ") + y.substr(1);
    return x + (subtract ? " - " : " + ") + y;
  }
  V def(const std::string &re, const std::string &im) {
    std::string name = "v" + std::to_string(next++);
    out += indent + "const float " + name + "r = " + re + ";";
    if (!im.empty())
      out += " const float " + name + "i = " + im + ";";
    out += "\n";
    return V{name + "r", im.empty() ? "" : name + "i"};
  }
  std::string &out;
  std::string indent;
  bool cplx;
  int next = 0;
};

/// Element `index` of a `type` array at `ptr`; with `stream`, through the
/// evict-first cache hint, for data each kernel touches once.
std::string globalLoad(const std::string &type, const std::string &ptr,
                       const std::string &index, bool stream) {
  if (stream)
    return llvm::formatv("__ldcs((const {0} *)({1}) + {2})", type, ptr, index);
  return llvm::formatv("((const {0} *)({1}))[{2}]", type, ptr, index);
}

/// The statement storing `value` as element `index` of a `type` array.
std::string globalStore(const std::string &type, const std::string &ptr,
                        const std::string &index, const std::string &value,
                        bool stream) {
  if (stream)
    return llvm::formatv("__stcs(({0} *)({1}) + {2}, {3});", type, ptr, index,
                         value);
  return llvm::formatv("(({0} *)({1}))[{2}] = {3};", type, ptr, index, value);
}

/// Element `index` of a real array at `ptr` stored as `type` (f32, f16 or
/// bf16), as an f32 expression.
std::string readReal(Type type, const std::string &ptr,
                     const std::string &index, bool stream = false) {
  if (type.isF16() || type.isBF16())
    return llvm::formatv(
        "linop_{0}_to_f32({1})", type.isF16() ? "f16" : "bf16",
        globalLoad("unsigned short", ptr, index, stream));
  return globalLoad("float", ptr, index, stream);
}

/// The statement storing f32 `value` as element `index` of a real array.
std::string writeReal(Type type, const std::string &ptr,
                      const std::string &index, const std::string &value,
                      bool stream = false) {
  if (type.isF16() || type.isBF16())
    return globalStore("unsigned short", ptr, index,
                       llvm::formatv("linop_f32_to_{0}({1})",
                                     type.isF16() ? "f16" : "bf16", value),
                       stream);
  return globalStore("float", ptr, index, value, stream);
}

/// Emits one kernel.
class KernelEmitter {
public:
  KernelEmitter(kernel::KernelOp k, std::string &src, std::string &tables)
      : k(k), src(src), tables(tables) {
    s = cast<kernel::CudaScheduleAttr>(k.getScheduleAttr());
    cplx = k.isComplex();
    planes = cplx ? 2 : 1;
    n = k.getN();
    rows = s.getRows();
    cluster = s.getCluster();
    slice = (n + cluster - 1) / cluster;
    name = k.getSymName().str();
    subrows = k.subrowCount();
    batch = subrows > 1 ? "nrows" : "a.batch";
  }

  LogicalResult emit(KernelLaunch &launch);

private:
  std::string at(int64_t buf, const std::string &r, int64_t plane,
                 const std::string &i) {
    return llvm::formatv("*{0}({1}, {2}, {3}, {4})", local ? "atl" : "at",
                         buf, r, plane, i);
  }
  /// Declares the work-item loop of a step with `items` items per row:
  /// `r` is the row in the group, `w` the item. A local step's block takes
  /// the items of its own slice.
  void loop(int64_t items) {
    if (local) {
      src += llvm::formatv("    for (int t = threadIdx.x; t < {0}; t += {1}) "
                           "{{\n      const int r = 0, w = "
                           "linop_cluster_rank() * {0} + t;\n",
                           items / cluster, s.getThreads());
      return;
    }
    src += llvm::formatv("    for (int t = tid; t < {0}; t += nt) {{\n"
                         "      const int r = t / {1}, w = t % {1};\n",
                         rows * items, items);
  }
  /// The work-item loop of a step that reads or writes interleaved
  /// sub-rows: consecutive threads take consecutive sub-rows, so that their
  /// global accesses are consecutive. `o` is the item.
  void rowsFastLoop(int64_t items) {
    src += llvm::formatv("    for (int t = tid; t < {0}; t += nt) {{\n"
                         "      const int r = t % {1}, o = t / {1};\n",
                         rows * items, rows);
  }
  void end() { src += "    }\n"; }
  /// Between two steps: a block's threads, or the cluster's where either
  /// step reaches into another block's slice.
  void barrier(bool blockOnly) {
    src += cluster > 1 && !blockOnly ? "    linop_cluster_sync();\n"
                                     : "    __syncthreads();\n";
  }
  /// Whether `op` is a stage of a cluster kernel whose codelets each lie in
  /// one block's slice of the row: that block runs them on its own shared
  /// memory, without distributed shared memory.
  bool isLocal(Operation *op) const {
    auto st = dyn_cast_or_null<kernel::StageOp>(op);
    return localStages && cluster > 1 && st && st.rowsOut() == st.getR() &&
           n % cluster == 0 &&
           slice % (st.getR() * st.getB()) == 0;
  }
  std::string table(const std::string &kind, const std::string &type,
                    const std::vector<std::string> &values);
  /// A device function computing the permutation `perm` (structured, or
  /// through a table): its name, called as name(pos) for p[pos].
  std::string permFunction(Attribute perm);
  std::string floatTable(ArrayRef<cd> values, bool complex);
  /// The global element type of a load or store.
  struct Global {
    Type elem;   // in memory
    bool packed; // a real row read as pairs
  };
  Global globalOf(std::optional<Type> g, bool packed) {
    return {g ? *g : k.getElement(), packed};
  }
  /// Operand `opnd`'s pointer, and the start of its row `row` as an index
  /// prefix ("row * a.stride[opnd] + "). With sub-rows, `row` counts
  /// sub-rows: sub-row row % S of batch row row / S.
  std::pair<std::string, std::string> operandRow(int64_t opnd,
                                                 const std::string &row) {
    std::string batchRow =
        subrows > 1 ? llvm::formatv("({0} / {1})", row, subrows).str() : row;
    return {llvm::formatv("a.ptr[{0}]", opnd),
            llvm::formatv("{0} * a.stride[{1}] + ", batchRow, opnd)};
  }
  /// Where element `index` of sub-row `row` sits in its batch row: u n +
  /// index, or u + S index where interleaved (u = row % S).
  std::string subrowElement(const std::string &row, const std::string &index,
                            bool interleaved) {
    if (subrows == 1)
      return index;
    if (interleaved)
      return llvm::formatv("{0} % {1} + {1} * ({2})", row, subrows, index);
    return llvm::formatv("({0} % {1}) * {2} + {3}", row, subrows, n, index);
  }
  LogicalResult emitLoad(kernel::LoadOp op);
  LogicalResult emitStore(kernel::StoreOp op);
  /// A stage; with `in` it reads its inputs from that load's operand, with
  /// `out` it writes its outputs to that store's operand, each straight
  /// from registers (fusedLoadOrder, fusesStore).
  LogicalResult emitStage(kernel::StageOp op, int index,
                          kernel::LoadOp in = {}, kernel::StoreOp out = {});
  /// Where stage `op` can read its inputs straight from `load`'s operand,
  /// coalesced: the map from a thread's position o in the row to the
  /// codelet w whose input l is global element o + l * items. Empty if it
  /// cannot.
  std::optional<std::vector<int64_t>> fusedLoadOrder(kernel::LoadOp load,
                                                     kernel::StageOp op);
  bool fusesStore(kernel::StageOp op, kernel::StoreOp store);
  /// Element `index` of `op`'s operand row `row`, as f32 re/im expressions.
  /// (declared as locals `name`, at `indent`).
  CudaEmitter::V globalRead(kernel::LoadOp op, const std::string &row,
                            const std::string &index, const std::string &name,
                            const std::string &indent);
  /// The statement storing `v` as element `index` of `op`'s operand row
  /// `row`.
  std::string globalWrite(kernel::StoreOp op, const std::string &row,
                          const std::string &index, const CudaEmitter::V &v);
  /// `shift`: an expression for blocks to add to the op's, inside a loop
  /// over repeated blocks, or "".
  LogicalResult emitButterfly(kernel::ButterflyStageOp op, int index,
                              const std::string &shift = "");
  LogicalResult emitDense(kernel::DenseStageOp op);
  LogicalResult emitEmbed(kernel::EmbedOp op);
  LogicalResult emitConvert(kernel::ConvertOp op);
  LogicalResult emitRfft(kernel::RfftStageOp op);
  LogicalResult emitPermute(kernel::PermuteOp op, int index);
  /// Loads element `i` of buffer `buf` (row r) as codelet input named `x`.
  CudaEmitter::V read(CudaEmitter &e, int64_t buf, const std::string &i) {
    return e.input(at(buf, "r", 0, i), cplx ? at(buf, "r", 1, i) : "");
  }
  void write(int64_t buf, const std::string &i, const CudaEmitter::V &v,
             const std::string &indent = "      ") {
    src += indent + at(buf, "r", 0, i) + " = " + v.re + ";";
    if (cplx)
      src += " " + at(buf, "r", 1, i) + " = " + (v.im.empty() ? "0.0f" : v.im) +
             ";";
    src += "\n";
  }

  kernel::KernelOp k;
  kernel::CudaScheduleAttr s;
  std::string &src, &tables;
  std::string name;
  bool cplx;
  int64_t planes, n, rows, cluster, slice;
  bool local = false; // the step being emitted is local (isLocal)
  int64_t subrows = 1;  // sub-rows per batch row (linop-split-kernels)
  std::string batch;    // the rows (sub-rows) to run: a.batch or nrows
  int tableCount = 0;
};

std::string KernelEmitter::table(const std::string &kind,
                                 const std::string &type,
                                 const std::vector<std::string> &values) {
  std::string t = name + "_" + kind + std::to_string(tableCount++);
  tables += "__device__ const " + type + " " + t + "[" +
            std::to_string(values.size()) + "] = {";
  for (size_t i = 0; i < values.size(); ++i)
    tables += (i % 8 ? " " : "\n    ") + values[i] + ",";
  tables += "\n};\n";
  return t;
}

std::string KernelEmitter::permFunction(Attribute perm) {
  std::string f = name + "_perm" + std::to_string(tableCount++);
  std::string body;
  auto sp = dyn_cast<kernel::PermutationAttr>(perm);
  if (sp && sp.getKind() == kernel::PermKind::stride) {
    // L^n_m: p[j q + i] = i m + j.
    int64_t m = sp.getRadices()[0], q = sp.getN() / m;
    body = llvm::formatv("  return (pos % {0}) * {1} + pos / {0};\n", q, m);
  } else if (sp) {
    // pos has digits d1 .. dk (radices r1 .. rk, d1 most significant); the
    // value reads them back least significant first:
    // d1 + r1 (d2 + r2 (... + r(k-1) dk)).
    ArrayRef<int64_t> r = sp.getRadices();
    size_t K = r.size();
    body = "  int q = pos;\n";
    for (size_t j = K; j-- > 0;)
      body += llvm::formatv("  const int d{0} = q % {1};\n  q /= {1};\n", j,
                            r[j]);
    std::string e = "d" + std::to_string(K - 1);
    for (size_t j = K - 1; j-- > 0;)
      e = llvm::formatv("d{0} + {1} * ({2})", j, r[j], e);
    body += "  return " + e + ";\n";
  } else {
    std::vector<std::string> v;
    for (int64_t x : kernel::permutationIndices(perm))
      v.push_back(std::to_string(x));
    body = "  return " + table("perm", "int", v) + "[pos];\n";
  }
  tables += "__device__ __forceinline__ int " + f + "(int pos) {\n" + body +
            "}\n";
  return f;
}

std::string KernelEmitter::floatTable(ArrayRef<cd> values, bool complex) {
  std::vector<std::string> v;
  for (cd c : values)
    v.push_back(complex ? "{" + lit(c.real()) + ", " + lit(c.imag()) + "}"
                        : lit(c.real()));
  return table("w", complex ? "float2" : "float", v);
}

CudaEmitter::V KernelEmitter::globalRead(kernel::LoadOp op,
                                         const std::string &row,
                                         const std::string &elem,
                                         const std::string &name,
                                         const std::string &indent) {
  Global g = globalOf(op.getGlobal(), op.getPacked());
  auto [ptr, at] = operandRow(op.getOperand(), row);
  std::string index = subrowElement(row, elem, op.getInterleaved());
  if (isa<ComplexType>(g.elem)) {
    src += indent + "const float2 " + name + " = " +
           globalLoad("float2", ptr, at + index, streaming) + ";\n";
    return {name + ".x", name + ".y"};
  }
  if (g.packed) { // a real row read as pairs
    src += indent + "const float " + name + "r = " +
           readReal(g.elem, ptr, at + "2 * (" + index + ")", streaming) +
           ", " + name + "i = " +
           readReal(g.elem, ptr, at + "2 * (" + index + ") + 1", streaming) +
           ";\n";
    return {name + "r", name + "i"};
  }
  src += indent + "const float " + name + "r = " +
         readReal(g.elem, ptr, at + index, streaming) + ";\n";
  return {name + "r", ""};
}

std::string KernelEmitter::globalWrite(kernel::StoreOp op,
                                       const std::string &row,
                                       const std::string &elem,
                                       const CudaEmitter::V &v) {
  Global g = globalOf(op.getGlobal(), op.getPacked());
  auto [ptr, at] = operandRow(op.getOperand(), row);
  std::string index = subrowElement(row, elem, op.getInterleaved());
  std::string im = v.im.empty() ? "0.0f" : v.im;
  if (isa<ComplexType>(g.elem))
    return globalStore("float2", ptr, at + index,
                       "make_float2(" + v.re + ", " + im + ")", streaming);
  if (g.packed) // pairs of reals
    return writeReal(g.elem, ptr, at + "2 * (" + index + ")", v.re,
                     streaming) +
           " " +
           writeReal(g.elem, ptr, at + "2 * (" + index + ") + 1", im,
                     streaming);
  // A real row: the real parts.
  return writeReal(g.elem, ptr, at + index, v.re, streaming);
}

LogicalResult KernelEmitter::emitLoad(kernel::LoadOp op) {
  int64_t len = op.getN().value_or(n), opnd = op.getOperand();
  Global g = globalOf(op.getGlobal(), op.getPacked());
  std::string dest = "w";
  if (Attribute p = op.getPermAttr()) {
    // Element w of the row goes where the permutation reads it: the
    // inverse map keeps the global reads coalesced.
    std::vector<int64_t> perm = kernel::permutationIndices(p), inv(len);
    for (int64_t i = 0; i < len; ++i)
      inv[perm[i]] = i;
    Attribute invAttr;
    if (auto sp = dyn_cast<kernel::PermutationAttr>(p)) {
      SmallVector<int64_t> r(sp.getRadices().begin(), sp.getRadices().end());
      if (sp.getKind() == kernel::PermKind::stride)
        r = {len / r[0]};
      else
        std::reverse(r.begin(), r.end());
      invAttr = kernel::PermutationAttr::get(k.getContext(), sp.getKind(),
                                             len, r);
      // Checked, not assumed: the formula must give the inverse.
      if (kernel::permutationIndices(invAttr) != inv)
        invAttr = {};
    }
    dest = permFunction(invAttr ? invAttr
                                : DenseI64ArrayAttr::get(k.getContext(), inv)) +
           "(w)";
  }
  src += llvm::formatv("    // load: operand #{0} ({1}{2}) -> buffer {3}{4}\n",
                       opnd, g.elem, g.packed ? ", pairs" : "", op.getDst(),
                       op.getPermAttr() ? ", permuted" : "");
  // Eight loads per thread in flight before the first store to shared
  // memory: one at a time leaves the memory system idle (CUDA v0).
  int64_t total = rows * len;
  // Interleaved sub-rows: consecutive threads read consecutive sub-rows.
  std::string rw = op.getInterleaved()
                       ? llvm::formatv("r = t % {0}, w = t / {0}", rows).str()
                       : llvm::formatv("r = t / {0}, w = t % {0}", len).str();
  src += llvm::formatv(
      "    for (int t0 = tid; t0 < {0}; t0 += 8 * nt) {{\n"
      "      float lre[8], lim[8];\n"
      "#pragma unroll\n"
      "      for (int q = 0; q < 8; ++q) {{\n"
      "        const int t = t0 + q * nt, {1};\n"
      "        const long long row = g * {2} + r;\n"
      "        float re = 0.0f, im = 0.0f;\n"
      "        if (t < {0} && row < {3}) {{\n",
      total, rw, rows, batch);
  CudaEmitter::V v = globalRead(op, "row", "w", "v", "          ");
  src += "          re = " + v.re + ";\n";
  if (!v.im.empty())
    src += "          im = " + v.im + ";\n";
  src += "        }\n        lre[q] = re;\n        lim[q] = im;\n      }\n";
  src += llvm::formatv("#pragma unroll\n"
                       "      for (int q = 0; q < 8; ++q) {{\n"
                       "        const int t = t0 + q * nt, {1};\n"
                       "        if (t < {0}) {{\n",
                       total, rw);
  src += "          const int d = " + dest + ";\n";
  src += "          " + at(op.getDst(), "r", 0, "d") + " = lre[q];";
  if (cplx)
    src += " " + at(op.getDst(), "r", 1, "d") + " = lim[q];";
  src += "\n        }\n      }\n    }\n";
  return success();
}

LogicalResult KernelEmitter::emitStore(kernel::StoreOp op) {
  int64_t len = op.getN().value_or(n), opnd = op.getOperand();
  Global g = globalOf(op.getGlobal(), op.getPacked());
  src += llvm::formatv("    // store: buffer {0} -> operand #{1} ({2}{3})\n",
                       op.getSrc(), opnd, g.elem, g.packed ? ", pairs" : "");
  if (op.getInterleaved()) {
    rowsFastLoop(len);
    src += "      const int w = o;\n";
  } else {
    loop(len);
  }
  src += "      const long long row = g * " + std::to_string(rows) + " + r;\n"
         "      if (row < " + batch + ") {\n";
  src += "        const float re = " + at(op.getSrc(), "r", 0, "w") + ";\n";
  if (cplx)
    src += "        const float im = " + at(op.getSrc(), "r", 1, "w") + ";\n";
  src += "        " +
         globalWrite(op, "row", "w", {"re", cplx ? "im" : ""}) + "\n";
  src += "      }\n";
  end();
  return success();
}

/// The buffer a step reads and the one it writes (-1: none).
static int64_t stepBuffer(Operation *op, StringRef which) {
  auto a = op->getAttrOfType<IntegerAttr>(which);
  return a ? a.getInt() : -1;
}

/// Whether buffer `buf` is read after step `from` before a step writes it.
static bool readLater(ArrayRef<Operation *> steps, size_t from, int64_t buf) {
  for (size_t i = from + 1; i < steps.size(); ++i) {
    if (stepBuffer(steps[i], "src") == buf)
      return true;
    if (stepBuffer(steps[i], "dst") == buf)
      return false;
  }
  return false;
}

std::optional<std::vector<int64_t>>
KernelEmitter::fusedLoadOrder(kernel::LoadOp load, kernel::StageOp op) {
  int64_t A = op.getA(), R = op.getR(), B = op.getB(), items = A * B;
  int64_t len = load.getN().value_or(n);
  if (load.getDst() != op.getSrc() || len != A * R * B)
    return std::nullopt;
  std::vector<int64_t> P;
  if (Attribute p = load.getPermAttr())
    P = kernel::permutationIndices(p);
  else
    for (int64_t i = 0; i < len; ++i)
      P.push_back(i);
  // Input l of codelet w is buffer element base(w) + l B, global element
  // P[base(w) + l B]: coalesced when that is o + l items for a position o
  // that runs over the row as w does.
  std::vector<int64_t> order(items, -1);
  for (int64_t w = 0; w < items; ++w) {
    int64_t base = (w / B) * R * B + w % B, o = P[base];
    if (o >= items || order[o] >= 0)
      return std::nullopt;
    for (int64_t l = 1; l < R; ++l)
      if (P[base + l * B] != o + l * items)
        return std::nullopt;
    order[o] = w;
  }
  return order;
}

bool KernelEmitter::fusesStore(kernel::StageOp op, kernel::StoreOp store) {
  // Output q of codelet w is element out(w) + q B: consecutive threads
  // write runs of B consecutive elements; runs of 16 bytes or more keep
  // the writes in few sectors (the next outputs fill the rest), and the
  // row skips a pass through the tile (bench/NOTES.md CUDA v2).
  // Interleaved sub-rows: consecutive threads write consecutive sub-rows.
  Global g = globalOf(store.getGlobal(), store.getPacked());
  Type scalar = realPart(g.elem);
  int64_t bytes = (scalar.isF16() || scalar.isBF16() ? 2 : 4) *
                  (isa<ComplexType>(g.elem) || g.packed ? 2 : 1);
  return store.getSrc() == op.getDst() &&
         store.getN().value_or(n) == op.getA() * op.rowsOut() * op.getB() &&
         (op.getB() * bytes >= 16 || store.getInterleaved());
}

/// Candidates for a structured form of `order`: digit reversals and strides
/// over the load permutation's radices less one, else a table.
static Attribute orderAttr(MLIRContext *ctx, ArrayRef<int64_t> order,
                           Attribute loadPerm) {
  int64_t len = order.size();
  std::vector<kernel::PermutationAttr> tries;
  if (auto sp = dyn_cast_or_null<kernel::PermutationAttr>(loadPerm)) {
    SmallVector<int64_t> r(sp.getRadices().begin(), sp.getRadices().end());
    for (size_t drop = 0; drop < r.size(); ++drop) {
      SmallVector<int64_t> rest(r);
      rest.erase(rest.begin() + drop);
      int64_t prod = 1;
      for (int64_t x : rest)
        prod *= x;
      if (prod != len || rest.empty())
        continue;
      for (bool rev : {false, true}) {
        SmallVector<int64_t> q(rest);
        if (rev)
          std::reverse(q.begin(), q.end());
        tries.push_back(kernel::PermutationAttr::get(
            ctx, kernel::PermKind::digit_reversal, len, q));
      }
    }
  }
  for (int64_t m = 2; m < len; m *= 2)
    if (len % m == 0)
      tries.push_back(kernel::PermutationAttr::get(
          ctx, kernel::PermKind::stride, len, SmallVector<int64_t>{m}));
  for (kernel::PermutationAttr t : tries)
    if (kernel::permutationIndices(t) == std::vector<int64_t>(order.begin(),
                                                              order.end()))
      return t;
  return DenseI64ArrayAttr::get(ctx, order);
}

LogicalResult KernelEmitter::emitStage(kernel::StageOp op, int index,
                                       kernel::LoadOp in,
                                       kernel::StoreOp out) {
  int64_t A = op.getA(), R = op.getR(), B = op.getB(), RO = op.rowsOut();
  int64_t items = A * B;
  auto ctTw = dyn_cast_or_null<kernel::TwiddlesAttr>(op.getTwiddlesAttr());
  std::string explicitTw;
  if (op.getTwiddlesAttr() && !ctTw)
    explicitTw = floatTable(kernel::twiddleValues(op), cplx);
  src += llvm::formatv("    // {0}. I_{1} (x) {2}_{3}{4} (x) I_{5}{6}{7}{8}\n",
                       index, A, kernel::stringifyCodeletKind(op.getCodelet()),
                       RO != R ? std::to_string(RO) + "x" : "", R, B,
                       ctTw         ? ", Cooley-Tukey twiddles"
                       : explicitTw.empty() ? ""
                                            : ", twiddles from a table",
                       in ? llvm::formatv(", inputs from operand #{0}",
                                          in.getOperand())
                                .str()
                          : "",
                       out ? llvm::formatv(", outputs to operand #{0}",
                                           out.getOperand())
                                 .str()
                           : "");
  // Interleaved sub-rows (either end): consecutive threads take
  // consecutive sub-rows, whose elements are consecutive in memory.
  bool rowsFast = (in && in.getInterleaved()) || (out && out.getInterleaved());
  if (in) {
    // Thread position o reads global elements o + l items, coalesced; it
    // computes the codelet w those are the inputs of.
    std::vector<int64_t> order = *fusedLoadOrder(in, op);
    bool identity = true;
    for (int64_t o = 0; o < items; ++o)
      identity &= order[o] == o;
    std::string w =
        identity ? "o"
                 : permFunction(orderAttr(k.getContext(), order,
                                          in.getPermAttr())) +
                       "(o)";
    if (rowsFast) {
      rowsFastLoop(items);
      src += "      const int w = " + w + ";\n";
    } else {
      src += llvm::formatv("    for (int t = tid; t < {0}; t += nt) {{\n"
                           "      const int r = t / {1}, o = t % {1}, w = "
                           "{2};\n",
                           rows * items, items, w);
    }
  } else if (rowsFast) {
    rowsFastLoop(items);
    src += "      const int w = o;\n";
  } else {
    loop(items);
  }
  if (in || out)
    // Rows past the batch (of the last group) load row batch - 1 and store
    // nothing.
    src += llvm::formatv("      const long long row = g * {0} + r, lrow = "
                         "row < {1} ? row : {1} - 1;\n",
                         rows, batch);
  src += llvm::formatv("      const int base = (w / {0}) * {1} + w % {0};\n", B,
                       R * B);
  CudaEmitter e(src, "      ", cplx);
  std::vector<CudaEmitter::V> x;
  for (int64_t l = 0; l < R; ++l) {
    if (!in) {
      x.push_back(read(e, op.getSrc(), "base + " + std::to_string(l * B)));
      continue;
    }
    CudaEmitter::V v = globalRead(in, "lrow",
                                  llvm::formatv("o + {0}", l * items),
                                  "g" + std::to_string(l), "      ");
    x.push_back(e.input(v.re, v.im.empty() ? "0.0f" : v.im));
  }
  if (ctTw) {
    // w^l = exp(-+2 pi i l j / (R B)) scale, j = w % B: w^1 from sincospif,
    // the other powers as products of two lower ones (a few ulp; one
    // sincospif per power cost more than the memory traffic, CUDA v2).
    // Twiddles of interleaved sub-rows are the whole row's: its digit j
    // is u + m (w % B) for sub-row u (TwiddlesAttr).
    int64_t m = ctTw.getSubrows();
    if (m > 1)
      src += llvm::formatv("      const int j = (int)((g * {0} + r) % {1}) + "
                           "{1} * (w % {2});\n",
                           rows, m, B);
    else
      src += llvm::formatv("      const int j = w % {0};\n", B);
    double sc = ctTw.scale();
    if (sc != 1.0)
      x[0] = e.mulReal(x[0], sc);
    if (R > 1)
      src += llvm::formatv("      float s1, c1;\n      sincospif({0}2.0f * "
                           "(float)j / {1}.0f, &s1, &c1);\n",
                           ctTw.getInverse() ? "" : "-", R * B * m);
    for (int64_t l = 2; l < R; ++l) {
      int64_t h = l / 2;
      src += llvm::formatv("      const float c{0} = c{1} * c{2} - s{1} * s{2}, "
                           "s{0} = s{1} * c{2} + c{1} * s{2};\n",
                           l, h, l - h);
    }
    for (int64_t l = 1; l < R; ++l) {
      std::string sn = "s" + std::to_string(l), cs = "c" + std::to_string(l);
      if (sc != 1.0) {
        std::string scs = "sc" + std::to_string(l), sss = "ss" + std::to_string(l);
        src += llvm::formatv("      const float {0} = {1} * {4}, {2} = {3} * "
                             "{4};\n",
                             scs, cs, sss, sn, lit(sc));
        cs = scs;
        sn = sss;
      }
      x[l] = e.mulVar(x[l], cs, sn);
    }
  } else if (!explicitTw.empty()) {
    for (int64_t l = 0; l < R; ++l) {
      std::string t = llvm::formatv("{0}[base + {1}]", explicitTw, l * B);
      x[l] = cplx ? e.mulVar(x[l], t + ".x", t + ".y") : e.mulVar(x[l], t, "");
    }
  }
  std::vector<CudaEmitter::V> y = codelets::stage(e, op, x);
  if (RO != R)
    src += llvm::formatv("      const int out = (w / {0}) * {1} + w % {0};\n",
                         B, RO * B);
  std::string first = RO != R ? "out + " : "base + ";
  if (out) {
    src += "      if (row < " + batch + ") {\n";
    for (int64_t q = 0; q < RO; ++q)
      src += "        " +
             globalWrite(out, "row", first + std::to_string(q * B), y[q]) +
             "\n";
    src += "      }\n";
  } else {
    for (int64_t q = 0; q < RO; ++q)
      write(op.getDst(), first + std::to_string(q * B), y[q]);
  }
  end();
  return success();
}

LogicalResult KernelEmitter::emitButterfly(kernel::ButterflyStageOp op,
                                           int index,
                                           const std::string &shift) {
  int64_t half = (int64_t(1) << op.getLevels()) / 2, S = op.getStride();
  bool cw = op.getComplexWeights();
  src += llvm::formatv("    // {0}. butterfly block {1}{2} level {3}, stride {4}"
                       "\n",
                       index, op.getBlock(), shift.empty() ? "" : " + " + shift,
                       op.getLevel(), S);
  std::string constant;
  if (auto w = op.getWeightsAttr()) {
    auto v = cast<DenseElementsAttr>(w).getValues<cd>();
    constant = floatTable(std::vector<cd>(v.begin(), v.end()), cw);
  }
  // A thread takes pair w of every row of the group: its weights, the same
  // for every row, are read once into registers (the weights of a stage
  // outweigh a row).
  bool perPair = cluster == 1;
  if (perPair)
    src += llvm::formatv("    for (int w = tid; w < {0}; w += nt) {{\n", half);
  else
    loop(half);
  src += llvm::formatv("      const int i0 = (w / {0}) * {1} + w % {0}, i1 = "
                       "i0 + {0};\n",
                       S, 2 * S);
  CudaEmitter e(src, "      ", cplx);
  std::string wr[4], wi[4];
  if (!constant.empty()) {
    for (int q = 0; q < 4; ++q) {
      std::string t = llvm::formatv("{0}[w * 4 + {1}]", constant, q);
      wr[q] = cw ? t + ".x" : t;
      wi[q] = cw ? t + ".y" : "";
    }
  } else {
    int64_t first = (op.getBlock() * op.getLevels() + op.getLevel()) * half;
    std::string ptr = llvm::formatv("a.ptr[{0}]", *op.getOperand());
    std::string at =
        shift.empty()
            ? std::string(llvm::formatv("((long long){0} + w) * 4", first))
            : std::string(llvm::formatv(
                  "((long long){0} + (long long)({1}) * {2} + w) * 4", first,
                  shift, op.getLevels() * half));
    for (int q = 0; q < 4; ++q) {
      std::string idx = at + " + " + std::to_string(q);
      if (cw) {
        std::string t = llvm::formatv("((const float2 *)({0}))[{1}]", ptr, idx);
        wr[q] = t + ".x";
        wi[q] = t + ".y";
      } else {
        wr[q] = readReal(op.getGlobal() ? *op.getGlobal()
                                        : Type(Float32Type::get(k.getContext())),
                         ptr, idx);
      }
    }
  }
  for (int q = 0; q < 4; ++q) {
    src += llvm::formatv("      const float c{0}r = {1};\n", q, wr[q]);
    wr[q] = "c" + std::to_string(q) + "r";
    if (!wi[q].empty()) {
      src += llvm::formatv("      const float c{0}i = {1};\n", q, wi[q]);
      wi[q] = "c" + std::to_string(q) + "i";
    }
  }
  if (perPair)
    src += llvm::formatv("      for (int r = 0; r < {0}; ++r) {{\n", rows);
  CudaEmitter::V x0 = read(e, op.getSrc(), "i0"), x1 = read(e, op.getSrc(), "i1");
  CudaEmitter::V y0 = e.add(e.mulVar(x0, wr[0], wi[0]), e.mulVar(x1, wr[1], wi[1]));
  CudaEmitter::V y1 = e.add(e.mulVar(x0, wr[2], wi[2]), e.mulVar(x1, wr[3], wi[3]));
  write(op.getDst(), "i0", y0);
  write(op.getDst(), "i1", y1);
  if (perPair)
    src += "      }\n";
  end();
  return success();
}

LogicalResult KernelEmitter::emitDense(kernel::DenseStageOp op) {
  int64_t R = op.getR(), blocks = op.getBlocks();
  bool cw = op.getComplexWeights();
  src += R == 1 ? llvm::formatv("    // diagonal of {0}, weights from "
                                "operand #{1}{2}\n",
                                blocks, op.getOperand(),
                                op.getMembers()   ? ", one per channel"
                                : op.getBatched() ? ", a gate: one row each"
                                                  : "")
                        .str()
                 : llvm::formatv("    // {0} dense block(s) of {1}x{1}, "
                                 "weights from operand #{2}\n",
                                 blocks, R, op.getOperand())
                       .str();
  loop(blocks * R);
  std::string ptr = llvm::formatv("a.ptr[{0}]", op.getOperand());
  // A family: the batch row's member, b mod M, has its own weights; a
  // gate: the row's own row of the operand (rows past the batch in the
  // last group read the last row; their results are not stored).
  std::string member;
  if (auto m = op.getMembers())
    member = llvm::formatv(" + ((g * {0} + r) % {1}) * {2}LL", rows, *m,
                           blocks * R * R);
  if (op.getBatched())
    member = llvm::formatv(" + min(g * {0} + r, {1} - 1) * a.stride[{2}]",
                           rows, batch, op.getOperand());
  src += llvm::formatv(
      "      const int first = (w / {0}) * {0};\n"
      "      const long long row0 = (long long)w * {0}{2};\n"
      "      float accr = 0.0f, acci = 0.0f;\n"
      "      for (int l = 0; l < {0}; ++l) {{\n"
      "        const float xr = {1};\n",
      R, at(op.getSrc(), "r", 0, "first + l"), member);
  if (cplx)
    src += "        const float xi = " + at(op.getSrc(), "r", 1, "first + l") +
           ";\n";
  if (cw) {
    src += llvm::formatv("        const float2 wl = ((const float2 *)({0}))"
                         "[row0 + l];\n",
                         ptr);
    src += "        accr += wl.x * xr - wl.y * xi;\n"
           "        acci += wl.x * xi + wl.y * xr;\n";
  } else {
    src += "        const float wl = " +
           readReal(op.getGlobal() ? *op.getGlobal()
                                   : Type(Float32Type::get(k.getContext())),
                    ptr, "row0 + l") +
           ";\n";
    src += cplx ? "        accr += wl * xr;\n        acci += wl * xi;\n"
                : "        accr += wl * xr;\n";
  }
  src += "      }\n";
  write(op.getDst(), "w", {"accr", cplx ? "acci" : ""});
  end();
  return success();
}

LogicalResult KernelEmitter::emitEmbed(kernel::EmbedOp op) {
  src += llvm::formatv("    // embed {0} -> {1}\n", op.getNIn(), op.getNOut());
  int64_t rowOff = 0, colOff = 0;
  for (auto [blk, attr] : llvm::enumerate(op.getBlocks())) {
    int64_t nr = op.getRows()[blk], nc = op.getCols()[blk];
    int64_t r0 = rowOff, c0 = colOff;
    rowOff += nr;
    colOff += nc;
    if (nr == 0)
      continue;
    if (isa<UnitAttr>(attr)) {
      loop(nr);
      for (int64_t p = 0; p < planes; ++p)
        src += "      " + at(op.getDst(), "r", p, llvm::formatv("{0} + w", r0)) +
               " = " + at(op.getSrc(), "r", p, llvm::formatv("{0} + w", c0)) +
               ";\n";
      end();
      continue;
    }
    auto m = cast<DenseElementsAttr>(attr);
    std::vector<cd> values(m.getValues<cd>().begin(), m.getValues<cd>().end());
    values.resize(nr * nc, values.empty() ? cd(0) : values[0]);
    bool zero = llvm::all_of(values, [](cd c) { return c == cd(0); });
    loop(nr);
    if (zero) {
      for (int64_t p = 0; p < planes; ++p)
        src += "      " + at(op.getDst(), "r", p, llvm::formatv("{0} + w", r0)) +
               " = 0.0f;\n";
      end();
      continue;
    }
    // One case per output row: its nonzero products, unrolled.
    src += "      switch (w) {\n";
    for (int64_t i = 0; i < nr; ++i) {
      src += llvm::formatv("      case {0}: {{\n", i);
      CudaEmitter e(src, "        ", cplx);
      CudaEmitter::V acc;
      for (int64_t j = 0; j < nc; ++j)
        if (values[i * nc + j] != cd(0))
          acc = codelets::accumulate(
              e, acc,
              codelets::mulConst(e, read(e, op.getSrc(), std::to_string(c0 + j)),
                                 values[i * nc + j]));
      write(op.getDst(), std::to_string(r0 + i), e.present(acc) ? acc : e.zero(),
            "        ");
      src += "        break;\n      }\n";
    }
    src += "      }\n";
    end();
  }
  return success();
}

LogicalResult KernelEmitter::emitConvert(kernel::ConvertOp op) {
  int64_t s0 = op.getSrc(), d = op.getDst();
  src += llvm::formatv("    // {0} ({1} complex elements)\n",
                       kernel::stringifyConvertKind(op.getKind()), op.getN());
  loop(op.getN());
  switch (op.getKind()) {
  case kernel::ConvertKind::real:
    src += "      " + at(d, "r", 0, "w") + " = " + at(s0, "r", 0, "w") + "; " +
           at(d, "r", 1, "w") + " = 0.0f;\n";
    break;
  case kernel::ConvertKind::pack:
    src += "      " + at(d, "r", 0, "w") + " = " + at(s0, "r", 0, "2 * w") +
           "; " + at(d, "r", 1, "w") + " = " + at(s0, "r", 0, "2 * w + 1") +
           ";\n";
    break;
  case kernel::ConvertKind::unpack:
    src += "      " + at(d, "r", 0, "2 * w") + " = " + at(s0, "r", 0, "w") +
           "; " + at(d, "r", 1, "2 * w") + " = 0.0f;\n" + "      " +
           at(d, "r", 0, "2 * w + 1") + " = " + at(s0, "r", 1, "w") + "; " +
           at(d, "r", 1, "2 * w + 1") + " = 0.0f;\n";
    break;
  }
  end();
  return success();
}

LogicalResult KernelEmitter::emitRfft(kernel::RfftStageOp op) {
  int64_t m = op.getM(), s0 = op.getSrc(), d = op.getDst();
  bool inv = op.getInverse();
  src += llvm::formatv("    // rfft {0} {1} -> {2}\n", inv ? "merge" : "split",
                       inv ? m + 1 : m, inv ? m : m + 1);
  loop(inv ? m : m + 1);
  auto get = [&](const std::string &var, const std::string &i) {
    src += "      const float " + var + "r = " + at(s0, "r", 0, i) +
           ", " + var + "i = " + at(s0, "r", 1, i) + ";\n";
  };
  auto put = [&](const std::string &i, const std::string &re,
                 const std::string &im) {
    src += "        " + at(d, "r", 0, i) + " = " + re + "; " + at(d, "r", 1, i) +
           " = " + im + ";\n";
  };
  if (!inv) {
    // X0 = Re Z0 + Im Z0, Xm = Re Z0 - Im Z0; X[k] = E + w^k O for the rest.
    src += llvm::formatv("      if (w == 0 || w == {0}) {{\n", m);
    get("z", "0");
    put("w", "w == 0 ? zr + zi : zr - zi", "0.0f");
    src += "      } else {\n";
    get("a", "w");
    get("c", llvm::formatv("{0} - w", m));
    src += llvm::formatv(
        "        float ws, wc;\n        sincospif(-(float)w / {0}.0f, &ws, "
        "&wc);\n"
        "        const float er = 0.5f * (ar + cr), ei = 0.5f * (ai - ci);\n"
        "        const float orr = 0.5f * (ai + ci), oi = 0.5f * (cr - ar);\n",
        m);
    put("w", "er + orr * wc - oi * ws", "ei + orr * ws + oi * wc");
    src += "      }\n";
  } else {
    // Z0 = (a + b) + i (a - b); Z[k] = S + i w^-k D for the rest.
    src += "      if (w == 0) {\n";
    src += "        const float x0 = " + at(s0, "r", 0, "0") + ", xm = " +
           at(s0, "r", 0, std::to_string(m)) + ";\n";
    put("0", "x0 + xm", "x0 - xm");
    src += "      } else {\n";
    get("a", "w");
    get("c", llvm::formatv("{0} - w", m));
    src += llvm::formatv(
        "        float ws, wc;\n        sincospif((float)w / {0}.0f, &ws, "
        "&wc);\n"
        "        const float sr = ar + cr, si = ai - ci;\n"
        "        const float dr = ar - cr, di = ai + ci;\n"
        "        const float tr = dr * wc - di * ws, ti = dr * ws + di * wc;\n",
        m);
    put("w", "sr - ti", "si + tr");
    src += "      }\n";
  }
  end();
  return success();
}

LogicalResult KernelEmitter::emitPermute(kernel::PermuteOp op, int index) {
  std::vector<int64_t> p = kernel::permutationIndices(op.getPerm());
  std::string from = permFunction(op.getPerm()) + "(w)";
  src += llvm::formatv("    // {0}. permute {1} elements\n", index, p.size());
  loop(p.size());
  src += "      const int from = " + from + ";\n";
  for (int64_t q = 0; q < planes; ++q)
    src += "      " + at(op.getDst(), "r", q, "w") + " = " +
           at(op.getSrc(), "r", q, "from") + ";\n";
  end();
  return success();
}

LogicalResult KernelEmitter::emit(KernelLaunch &launch) {
  int64_t threads = s.getThreads();
  launch = {name,          k.getFunction().str(), threads, rows, cluster,
            s.getShared(),  s.getWorkspace(),      subrows};
  std::string where =
      s.getLevel() == kernel::CudaLevel::shared    ? "shared memory"
      : s.getLevel() == kernel::CudaLevel::cluster ? "the shared memory of a "
                                                     "cluster of " +
                                                         std::to_string(cluster) +
                                                         " blocks"
                                                   : "a global workspace";
  src += llvm::formatv(
      "\n// @{0}: {1} x {2} per row, {3} row(s) per {4} of {5} threads; tile "
      "buffers in {6}.\n",
      k.getFunction(), n, k.getElement(), rows,
      cluster > 1 ? "cluster" : "block", threads, where);
  src += llvm::formatv("extern \"C\" __global__ void __launch_bounds__({0})\n"
                       "{1}(const __grid_constant__ linop_cuda_args a) {{\n",
                       threads, name);
  // Where element i of plane p of buffer k of row r lives: planes of n
  // floats padded one word in 32 (linop_pad) against bank conflicts.
  int64_t plane = paddedPlane(cluster > 1 ? slice : n);
  switch (s.getLevel()) {
  case kernel::CudaLevel::shared:
    src += llvm::formatv(
        "  float *const smem = linop_shared<float>();\n"
        "  auto at = [&](int k, int r, int p, int i) -> float * {{\n"
        "    return smem + ((k * {0} + r) * {1} + p) * {2} + linop_pad(i);\n"
        "  };\n"
        "  const int tid = threadIdx.x, nt = {3};\n",
        rows, planes, plane, threads);
    break;
  case kernel::CudaLevel::cluster:
    // Element i lives in block i / slice of the cluster.
    src += llvm::formatv(
        "  float *const smem = linop_shared<float>();\n"
        "  auto atl = [&](int k, int, int p, int i) -> float * {{\n"
        "    return smem + (k * {0} + p) * {1} + linop_pad(i % {2});\n"
        "  };\n"
        "  auto at = [&](int k, int r, int p, int i) -> float * {{\n"
        "    return linop_cluster_map(atl(k, r, p, i), i / {2});\n"
        "  };\n"
        "  const int tid = linop_cluster_rank() * {3} + threadIdx.x, nt = {4};\n"
        "  // Every block of the cluster must have started before any reaches "
        "into its\n  // shared memory.\n"
        "  linop_cluster_sync();\n",
        planes, plane, slice, threads, threads * cluster);
    break;
  case kernel::CudaLevel::global:
    src += llvm::formatv(
        "  float *const ws = (float *)a.workspace + (long long)(blockIdx.x / "
        "{0}) * {1};\n"
        "  auto at = [&](int k, int r, int p, int i) -> float * {{\n"
        "    return ws + ((k * {2} + r) * {3} + p) * {4} + linop_pad(i);\n"
        "  };\n"
        "  const int tid = threadIdx.x, nt = {5};\n",
        cluster, s.getWorkspace() / 4, rows, planes, plane, threads);
    break;
  }
  if (subrows > 1)
    src += llvm::formatv("  // Each row is {0} sub-rows of {1} elements "
                         "(linop-split-kernels).\n"
                         "  const long long nrows = a.batch * {0};\n",
                         subrows, n);
  src += llvm::formatv("  const long long groups = ({3} + {0}) / {1};\n"
                       "  for (long long g = blockIdx.x / {2}; g < groups; g += "
                       "gridDim.x / {2}) {{\n",
                       rows - 1, rows, cluster, batch);
  SmallVector<Operation *> steps;
  for (Operation &op : k.steps())
    steps.push_back(&op);
  // A stage right after the load of its inputs reads them from global
  // memory itself, and a stage right before the store of its outputs
  // writes them there: each saves the row a pass through the tile.
  auto fusedStore = [&](size_t stage) -> kernel::StoreOp {
    auto st = cast<kernel::StageOp>(steps[stage]);
    auto so = stage + 1 < steps.size()
                  ? dyn_cast<kernel::StoreOp>(steps[stage + 1])
                  : kernel::StoreOp();
    return fuseMemory && so && fusesStore(st, so) && !readLater(steps, stage + 1, so.getSrc())
               ? so
               : kernel::StoreOp();
  };
  auto repeats = loopedRepeats(k);
  const kernel::ButterflyRepeat *rep = repeats.begin();
  int index = 0;
  for (size_t i = 0; i < steps.size(); ++i) {
    Operation *op = steps[i];
    LogicalResult r = failure();
    if (rep != repeats.end() && rep->first == i) {
      // Stacked factors: one period of stages in a loop over blocks.
      src += llvm::formatv("    for (int rep = 0; rep < {0}; ++rep) {{\n",
                           rep->repeats);
      std::string shift = llvm::formatv("rep * {0}", rep->blockStep);
      for (size_t j = 0; j < rep->period; ++j) {
        if (failed(emitButterfly(cast<kernel::ButterflyStageOp>(steps[i + j]),
                                 index++, shift)))
          return failure();
        barrier(false);
      }
      src += "    }\n";
      i += rep->period * rep->repeats - 1;
      ++rep;
      continue;
    }
    local = isLocal(op);
    auto ld = dyn_cast<kernel::LoadOp>(op);
    auto next = i + 1 < steps.size() ? dyn_cast<kernel::StageOp>(steps[i + 1])
                                     : kernel::StageOp();
    // The loaded row must not be needed after the stage (a stage in place
    // overwrites it).
    if (fuseMemory && ld && next && fusedLoadOrder(ld, next) &&
        (next.getDst() == ld.getDst() ||
         !readLater(steps, i + 1, ld.getDst()))) {
      kernel::StoreOp so = fusedStore(i + 1);
      // One thread order serves both ends only if they agree.
      if (so && so.getInterleaved() != ld.getInterleaved())
        so = {};
      r = emitStage(next, index + 1, ld, so);
      index += so ? 2 : 1;
      i += so ? 2 : 1;
    } else if (auto st = dyn_cast<kernel::StageOp>(op);
               st && fusedStore(i)) {
      r = emitStage(st, index, {}, fusedStore(i));
      ++index;
      ++i;
    } else {
      r = llvm::TypeSwitch<Operation *, LogicalResult>(op)
              .Case([&](kernel::LoadOp o) { return emitLoad(o); })
              .Case([&](kernel::StoreOp o) { return emitStore(o); })
              .Case([&](kernel::StageOp o) { return emitStage(o, index); })
              .Case([&](kernel::ButterflyStageOp o) {
                return emitButterfly(o, index);
              })
              .Case([&](kernel::DenseStageOp o) { return emitDense(o); })
              .Case([&](kernel::EmbedOp o) { return emitEmbed(o); })
              .Case([&](kernel::ConvertOp o) { return emitConvert(o); })
              .Case([&](kernel::RfftStageOp o) { return emitRfft(o); })
              .Case([&](kernel::PermuteOp o) { return emitPermute(o, index); })
              .Default([&](Operation *o) {
                return o->emitError("the CUDA emitter has no rule for this "
                                    "step");
              });
    }
    if (failed(r))
      return failure();
    ++index;
    // Every step reads what the one before wrote, from any thread (the
    // step after the last is the next row group's first).
    bool bothLocal = local && isLocal(steps[(i + 1) % steps.size()]);
    local = false;
    barrier(bothLocal);
  }
  src += "  }\n}\n";
  return success();
}

/// A chunked recurrence: a config struct of constants and a kernel that
/// instantiates linop_rec::chunked_recurrence (linop/cuda_recurrence.h)
/// with it.
LogicalResult emitRecurrence(kernel::ChunkedRecurrenceOp r,
                             const GpuDescription &gpu, std::string &src,
                             KernelLaunch &launch) {
  auto s = r.getScheduleAttr();
  if (!s)
    return r.emitError("the recurrence has no CUDA schedule (run "
                       "linop-cuda-schedule first)");
  if (s.getShared() > gpu.smem)
    return r.emitError("the CUDA schedule needs ")
           << s.getShared() << " bytes of shared memory per block; the GPU "
           << "has " << gpu.smem;
  if (s.getShared() != recurrenceSharedBytes(r, s.getChunk(), s.getBlockV()))
    return r.emitError("the CUDA schedule's shared memory (")
           << s.getShared() << " bytes) is not what its tiles take ("
           << recurrenceSharedBytes(r, s.getChunk(), s.getBlockV()) << ")";
  if (r.getDk() > 256)
    return r.emitError("the CUDA recurrence kernel holds at most 256 key "
                       "channels, not ")
           << r.getDk();
  // The template's tiles are sized for 4 warps; more state than 64
  // registers a thread spills.
  if (s.getThreads() != 128)
    return r.emitError("the CUDA recurrence kernel runs blocks of 128 "
                       "threads, not ")
           << s.getThreads();
  if (int64_t regs = recurrenceStateRegisters(r.getDk(), s.getBlockV(),
                                              s.getThreads());
      regs > 64)
    return r.emitError("the CUDA schedule's value tile of ")
           << s.getBlockV() << " columns takes " << regs
           << " registers a thread for the state; at most 64";
  // Kernels are linop_k_<function>: linop_cfg_ names cannot collide.
  std::string name = r.getSymName().str(),
              cfg = "linop_cfg_" + r.getFunction().str();
  auto storage = [](Type t) {
    return t.isF16() ? "linop_rec::F16" : t.isBF16() ? "linop_rec::BF16"
                                                     : "linop_rec::F32";
  };
  auto pos = [](std::optional<uint64_t> p) {
    return p ? std::to_string(*p) : std::string("-1");
  };
  int64_t tiles = (r.getDv() + s.getBlockV() - 1) / s.getBlockV();
  const char *gate = r.getDecay() == kernel::Decay::none     ? "none"
                     : r.getDecay() == kernel::Decay::scalar ? "scalar"
                                                             : "vector";
  bool delta = r.getUpdate() == kernel::StateUpdate::delta;
  src += llvm::formatv(
      "\n// @{0}: a chunked linear recurrence, gate {1}, {2} update.\n"
      "// One block of {3} threads per (batch entry, sequence, head, {4} value "
      "columns),\n// chunks of {5} steps, the state in registers "
      "(linop/cuda_recurrence.h).\n",
      r.getFunction(), gate, delta ? "delta-rule" : "additive", s.getThreads(),
      s.getBlockV(), s.getChunk());
  src += llvm::formatv(
      "struct {0} {{\n"
      "  static constexpr int T = {1}, H = {2}, DK = {3}, DV = {4};\n"
      "  static constexpr int C = {5}, BV = {6}, THREADS = {7};\n"
      "  static constexpr int DECAY = {8}, DELTA = {9}, HEADS_FIRST = {10};\n"
      "  static constexpr int ELEMENT = {11}, OUT = {12};\n",
      cfg, r.getT(), r.getH(), r.getDk(), r.getDv(), s.getChunk(),
      s.getBlockV(), s.getThreads(), int(r.getDecay()), delta ? 1 : 0,
      r.getHeadsFirst() ? 1 : 0, storage(r.getElement()),
      storage(r.getOutElement()));
  src += llvm::formatv(
      "  // Operand positions (arguments, then results; -1: absent).\n"
      "  static constexpr int Q = {0}, K = {1}, V = {2}, G = {3}, BETA = {4}, "
      "H0 = {5}, O = {6}, STATE = {7}, OFFSETS = {11};\n"
      "  // Sequences per batch entry (variable lengths: the offsets' "
      "bytes).\n"
      "  static constexpr int SEQUENCES = {12}, OFFSET_BYTES = {13};\n"
      "  static constexpr float SCALE = {8};\n"
      "};\n"
      "static_assert(linop_rec::sharedBytes<{9}>() == {10}, \"the schedule's "
      "shared memory\");\n",
      r.getQ(), r.getK(), r.getV(), pos(r.getG()), pos(r.getBeta()),
      pos(r.getH0()), r.getO(), pos(r.getState()),
      lit(r.getScale().convertToDouble()), cfg, s.getShared(),
      pos(r.getOffsets()), r.getSequences(),
      r.getOffsetElement() ? r.getOffsetElement()->getIntOrFloatBitWidth() / 8
                           : 0);
  src += llvm::formatv(
      "extern \"C\" __global__ void __launch_bounds__({0})\n"
      "{1}(const __grid_constant__ linop_cuda_args a) {{\n"
      "  linop_rec::chunked_recurrence<{2}>(a);\n"
      "}\n",
      s.getThreads(), name, cfg);
  // Units of work: batch entry x sequence x head x value tile, as sub-rows
  // of a row.
  launch = {name, r.getFunction().str(), s.getThreads(), 1, 1,
            s.getShared(), 0, int64_t(r.getSequences() * r.getH()) * tiles};
  return success();
}

} // namespace

FailureOr<std::string>
linop::cuda::emitCuda(ModuleOp module, StringRef specName,
                      std::vector<KernelLaunch> &launches) {
  TargetAttr desc = moduleTarget(module);
  if (!desc || desc.getName() != "cuda")
    return module.emitError("CUDA emission needs a module planned for the "
                            "cuda target"),
           failure();
  GpuDescription gpu = gpuDescription(desc);
  std::string body, tables;
  for (kernel::KernelOp k : module.getOps<kernel::KernelOp>()) {
    if (failed(verifySchedule(k, gpu)))
      return failure();
    KernelLaunch launch;
    if (failed(KernelEmitter(k, body, tables).emit(launch)))
      return failure();
    launches.push_back(launch);
  }
  bool recurrences = false;
  for (kernel::ChunkedRecurrenceOp r :
       module.getOps<kernel::ChunkedRecurrenceOp>()) {
    KernelLaunch launch;
    if (failed(emitRecurrence(r, gpu, body, launch)))
      return failure();
    launches.push_back(launch);
    recurrences = true;
  }
  std::string out;
  out += "// CUDA C++ generated by linopc from " + specName.str() +
         " for sm_90a: do not edit.\n"
         "// One kernel per spec function; linop_cuda_args and the linop_* "
         "helpers\n// are in runtime/include/linop/cuda_device.h.\n"
         "#include \"linop/cuda_device.h\"\n";
  if (recurrences)
    out += "#include \"linop/cuda_recurrence.h\"\n";
  if (!tables.empty())
    out += "\n// Constant tables (twiddles, weights, permutations).\n" + tables;
  out += body;
  return out;
}
