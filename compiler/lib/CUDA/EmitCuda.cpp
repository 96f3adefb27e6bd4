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
#include "llvm/Support/FormatVariadic.h"

#include <cmath>
#include <cstdio>

using namespace mlir;
using namespace linop;
using namespace linop::cuda;
using cd = std::complex<double>;

namespace {

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

/// Element `index` of a real array at `ptr` stored as `type` (f32, f16 or
/// bf16), as an f32 expression.
std::string readReal(Type type, const std::string &ptr,
                     const std::string &index) {
  if (type.isF16() || type.isBF16())
    return llvm::formatv("linop_{0}_to_f32(((const unsigned short *)({1}))[{2}])",
                         type.isF16() ? "f16" : "bf16", ptr, index);
  return llvm::formatv("((const float *)({0}))[{1}]", ptr, index);
}

/// The statement storing f32 `value` as element `index` of a real array.
std::string writeReal(Type type, const std::string &ptr,
                      const std::string &index, const std::string &value) {
  if (type.isF16() || type.isBF16())
    return llvm::formatv("((unsigned short *)({0}))[{1}] = linop_f32_to_{2}({3});",
                         ptr, index, type.isF16() ? "f16" : "bf16", value);
  return llvm::formatv("((float *)({0}))[{1}] = {2};", ptr, index, value);
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
  }

  LogicalResult emit(KernelLaunch &launch);

private:
  std::string at(int64_t buf, const std::string &r, int64_t plane,
                 const std::string &i) {
    return llvm::formatv("*at({0}, {1}, {2}, {3})", buf, r, plane, i);
  }
  /// Declares the work-item loop of a step with `items` items per row:
  /// `r` is the row in the group, `w` the item.
  void loop(int64_t items) {
    src += llvm::formatv("    for (int t = tid; t < {0}; t += nt) {{\n"
                         "      const int r = t / {1}, w = t % {1};\n",
                         rows * items, items);
  }
  void end() { src += "    }\n"; }
  void barrier() {
    src += cluster > 1 ? "    linop_cluster_sync();\n" : "    __syncthreads();\n";
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
  LogicalResult emitLoad(kernel::LoadOp op);
  LogicalResult emitStore(kernel::StoreOp op);
  LogicalResult emitStage(kernel::StageOp op, int index);
  LogicalResult emitButterfly(kernel::ButterflyStageOp op, int index);
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
  src += llvm::formatv(
      "    for (int t0 = tid; t0 < {0}; t0 += 8 * nt) {{\n"
      "      float lre[8], lim[8];\n"
      "#pragma unroll\n"
      "      for (int q = 0; q < 8; ++q) {{\n"
      "        const int t = t0 + q * nt, r = t / {1}, w = t % {1};\n"
      "        const long long row = g * {2} + r;\n"
      "        float re = 0.0f, im = 0.0f;\n"
      "        if (t < {0} && row < a.batch) {{\n",
      total, len, rows);
  std::string rowAt = llvm::formatv("row * a.stride[{0}]", opnd);
  std::string ptr = llvm::formatv("a.ptr[{0}]", opnd);
  Type e = g.elem;
  if (isa<ComplexType>(e))
    src += llvm::formatv("          const float2 v = ((const float2 *){0})"
                         "[{1} + w];\n          re = v.x;\n          im = "
                         "v.y;\n",
                         ptr, rowAt);
  else if (g.packed) // a real row read as pairs
    src += "          re = " + readReal(e, ptr, rowAt + " + 2 * w") +
           ";\n          im = " + readReal(e, ptr, rowAt + " + 2 * w + 1") +
           ";\n";
  else
    src += "          re = " + readReal(e, ptr, rowAt + " + w") + ";\n";
  src += "        }\n        lre[q] = re;\n        lim[q] = im;\n      }\n";
  src += llvm::formatv("#pragma unroll\n"
                       "      for (int q = 0; q < 8; ++q) {{\n"
                       "        const int t = t0 + q * nt, r = t / {1}, w = t "
                       "% {1};\n"
                       "        if (t < {0}) {{\n",
                       total, len);
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
  loop(len);
  src += "      const long long row = g * " + std::to_string(rows) + " + r;\n"
         "      if (row < a.batch) {\n";
  src += "        const float re = " + at(op.getSrc(), "r", 0, "w") + ";\n";
  if (cplx)
    src += "        const float im = " + at(op.getSrc(), "r", 1, "w") + ";\n";
  std::string rowAt = llvm::formatv("row * a.stride[{0}]", opnd);
  std::string ptr = llvm::formatv("a.ptr[{0}]", opnd);
  Type e = g.elem;
  if (isa<ComplexType>(e))
    src += llvm::formatv("        ((float2 *){0})[{1} + w] = "
                         "make_float2(re, im);\n",
                         ptr, rowAt);
  else if (g.packed) // pairs of reals
    src += "        " + writeReal(e, ptr, rowAt + " + 2 * w", "re") +
           "\n        " + writeReal(e, ptr, rowAt + " + 2 * w + 1", "im") +
           "\n";
  else // a real row: the real parts
    src += "        " + writeReal(e, ptr, rowAt + " + w", "re") + "\n";
  src += "      }\n";
  end();
  return success();
}

LogicalResult KernelEmitter::emitStage(kernel::StageOp op, int index) {
  int64_t A = op.getA(), R = op.getR(), B = op.getB(), RO = op.rowsOut();
  auto ctTw = dyn_cast_or_null<kernel::TwiddlesAttr>(op.getTwiddlesAttr());
  std::string explicitTw;
  if (op.getTwiddlesAttr() && !ctTw)
    explicitTw = floatTable(kernel::twiddleValues(op), cplx);
  src += llvm::formatv("    // {0}. I_{1} (x) {2}_{3}{4} (x) I_{5}{6}\n", index,
                       A, kernel::stringifyCodeletKind(op.getCodelet()),
                       RO != R ? std::to_string(RO) + "x" : "", R, B,
                       ctTw         ? ", Cooley-Tukey twiddles"
                       : explicitTw.empty() ? ""
                                            : ", twiddles from a table");
  loop(A * B);
  src += llvm::formatv("      const int base = (w / {0}) * {1} + w % {0};\n", B,
                       R * B);
  CudaEmitter e(src, "      ", cplx);
  std::vector<CudaEmitter::V> x;
  for (int64_t l = 0; l < R; ++l)
    x.push_back(read(e, op.getSrc(), "base + " + std::to_string(l * B)));
  if (ctTw) {
    // exp(-+2 pi i l j / (R B)) scale, j = w % B; l = 0 is the scale alone.
    src += llvm::formatv("      const int j = w % {0};\n", B);
    double sc = ctTw.scale();
    for (int64_t l = 0; l < R; ++l) {
      if (l == 0) {
        if (sc != 1.0)
          x[0] = e.mulReal(x[0], sc);
        continue;
      }
      std::string sn = "s" + std::to_string(l), cs = "c" + std::to_string(l);
      src += llvm::formatv("      float {0}, {1};\n      sincospif({2}2.0f * "
                           "({3} * j) / {4}.0f, &{0}, &{1});\n",
                           sn, cs, ctTw.getInverse() ? "" : "-", l, R * B);
      if (sc != 1.0)
        src += llvm::formatv("      {0} *= {2}; {1} *= {2};\n", sn, cs, lit(sc));
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
  for (int64_t q = 0; q < RO; ++q)
    write(op.getDst(),
          (RO != R ? "out + " : "base + ") + std::to_string(q * B), y[q]);
  end();
  return success();
}

LogicalResult KernelEmitter::emitButterfly(kernel::ButterflyStageOp op,
                                           int index) {
  int64_t half = (int64_t(1) << op.getLevels()) / 2, S = op.getStride();
  bool cw = op.getComplexWeights();
  src += llvm::formatv("    // {0}. butterfly block {1} level {2}, stride {3}"
                       "\n",
                       index, op.getBlock(), op.getLevel(), S);
  std::string constant;
  if (auto w = op.getWeightsAttr()) {
    auto v = cast<DenseElementsAttr>(w).getValues<cd>();
    constant = floatTable(std::vector<cd>(v.begin(), v.end()), cw);
  }
  loop(half);
  src += llvm::formatv("      const int i0 = (w / {0}) * {1} + w % {0}, i1 = "
                       "i0 + {0};\n",
                       S, 2 * S);
  CudaEmitter e(src, "      ", cplx);
  CudaEmitter::V x0 = read(e, op.getSrc(), "i0"), x1 = read(e, op.getSrc(), "i1");
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
    std::string at = llvm::formatv("((long long){0} + w) * 4", first);
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
  CudaEmitter::V y0 = e.add(e.mulVar(x0, wr[0], wi[0]), e.mulVar(x1, wr[1], wi[1]));
  CudaEmitter::V y1 = e.add(e.mulVar(x0, wr[2], wi[2]), e.mulVar(x1, wr[3], wi[3]));
  write(op.getDst(), "i0", y0);
  write(op.getDst(), "i1", y1);
  end();
  return success();
}

LogicalResult KernelEmitter::emitDense(kernel::DenseStageOp op) {
  int64_t R = op.getR(), blocks = op.getBlocks();
  bool cw = op.getComplexWeights();
  src += llvm::formatv("    // {0} dense block(s) of {1}x{1}, weights from "
                       "operand #{2}\n",
                       blocks, R, op.getOperand());
  loop(blocks * R);
  std::string ptr = llvm::formatv("a.ptr[{0}]", op.getOperand());
  src += llvm::formatv(
      "      const int first = (w / {0}) * {0};\n"
      "      const long long row0 = (long long)w * {0};\n"
      "      float accr = 0.0f, acci = 0.0f;\n"
      "      for (int l = 0; l < {0}; ++l) {{\n"
      "        const float xr = {1};\n",
      R, at(op.getSrc(), "r", 0, "first + l"));
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
  launch = {name, k.getFunction().str(), threads, rows, cluster,
            s.getShared(), s.getWorkspace()};
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
        "  auto at = [&](int k, int, int p, int i) -> float * {{\n"
        "    float *local = smem + (k * {0} + p) * {1} + linop_pad(i % {2});\n"
        "    return linop_cluster_map(local, i / {2});\n"
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
  src += llvm::formatv("  const long long groups = (a.batch + {0}) / {1};\n"
                       "  for (long long g = blockIdx.x / {2}; g < groups; g += "
                       "gridDim.x / {2}) {{\n",
                       rows - 1, rows, cluster);
  int index = 0;
  for (Operation &op : k.steps()) {
    LogicalResult r =
        llvm::TypeSwitch<Operation *, LogicalResult>(&op)
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
    if (failed(r))
      return failure();
    ++index;
    // Every step reads what the one before wrote, from any thread.
    barrier();
  }
  src += "  }\n}\n";
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
  std::string out;
  out += "// CUDA C++ generated by linopc from " + specName.str() +
         " for sm_90a: do not edit.\n"
         "// One kernel per spec function; linop_cuda_args and the linop_* "
         "helpers\n// are in runtime/include/linop/cuda_device.h.\n"
         "#include \"linop/cuda_device.h\"\n";
  if (!tables.empty())
    out += "\n// Constant tables (twiddles, weights, permutations).\n" + tables;
  out += body;
  return out;
}
