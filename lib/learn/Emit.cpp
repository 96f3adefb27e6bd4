#include "learn/Emit.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

namespace linop::learn {

std::vector<Weight> modelWeights(const Model &m) {
  std::vector<Weight> ws;
  switch (m.structure) {
  case Structure::Butterfly:
  case Structure::Butterfly2:
    for (size_t k = 0; k < m.butterflies.size(); ++k) {
      const Butterfly &b = m.butterflies[k];
      ws.push_back({k == 0 ? "tw" : "tw" + std::to_string(k + 1),
                    {b.nblocks, b.L, b.n / 2, 2, 2},
                    b.tw});
    }
    break;
  case Structure::Monarch:
    ws.push_back({"L", {m.monarchM, m.monarchB, m.monarchB}, m.left});
    ws.push_back({"R", {m.monarchB, m.monarchM, m.monarchM}, m.right});
    break;
  case Structure::Kron:
    for (size_t k = 0; k < m.kron.size(); ++k) {
      const MatC &A = m.kron[k];
      Weight w{"k" + std::to_string(k), {A.rows(), A.cols()}, {}};
      for (int64_t i = 0; i < A.rows(); ++i)
        for (int64_t j = 0; j < A.cols(); ++j)
          w.values.push_back(A(i, j));
      ws.push_back(std::move(w));
    }
    break;
  case Structure::Dense: {
    Weight w{"W", {m.n, m.n}, {}};
    for (int64_t i = 0; i < m.n; ++i)
      for (int64_t j = 0; j < m.n; ++j)
        w.values.push_back(m.dense(i, j));
    ws.push_back(std::move(w));
    break;
  }
  }
  return ws;
}

std::string elementType(const Model &m, bool f64) {
  std::string scalar = f64 ? "f64" : "f32";
  return m.real() ? scalar : "complex<" + scalar + ">";
}

static std::string tensorType(const std::vector<int64_t> &shape,
                              const std::string &elem) {
  std::string s = "tensor<";
  for (int64_t d : shape)
    s += std::to_string(d) + "x";
  return s + elem + ">";
}

static std::string opType(int64_t rows, int64_t cols, const std::string &e) {
  return "!linop.op<" + std::to_string(rows) + "x" + std::to_string(cols) +
         ", " + e + ">";
}

static std::string permList(const Perm &p) {
  std::string s;
  for (size_t i = 0; i < p.size(); ++i)
    s += (i ? ", " : "") + std::to_string(p[i]);
  return s;
}

// Little-endian bytes of the weight in the spec's element type.
static void appendHex(std::string &out, const Weight &w, bool realField,
                      bool f64) {
  static const char *digits = "0123456789ABCDEF";
  auto put = [&](const void *p, size_t n) {
    const uint8_t *b = static_cast<const uint8_t *>(p);
    for (size_t i = 0; i < n; ++i) {
      out += digits[b[i] >> 4];
      out += digits[b[i] & 15];
    }
  };
  // The blob's leading uint32 is the alignment (the scalar size).
  uint32_t align = f64 ? 8 : 4;
  put(&align, 4);
  for (const cd &v : w.values)
    for (int part = 0; part < (realField ? 1 : 2); ++part) {
      double d = part == 0 ? v.real() : v.imag();
      if (f64) {
        put(&d, 8);
      } else {
        float f = float(d);
        put(&f, 4);
      }
    }
}

std::string emitSpec(const Model &m, const EmitOptions &opt) {
  std::string e = elementType(m, opt.f64);
  bool realField = m.real();
  int64_t n = m.n;
  std::string op = opType(n, n, e);
  std::string xType = "tensor<?x" + std::to_string(n) + "x" + e + ">";
  std::vector<Weight> ws = modelWeights(m);
  std::ostringstream body;
  std::string args = "%x: " + xType;
  for (const Weight &w : ws) {
    std::string t = tensorType(w.shape, e);
    if (opt.weightsAsArgs)
      args += ", %" + w.name + ": " + t;
    else
      body << "  %" << w.name << " = arith.constant dense_resource<"
           << opt.name << "_" << w.name << "> : " << t << "\n";
  }
  std::string result;
  std::vector<std::string> factors; // applied last first
  switch (m.structure) {
  case Structure::Butterfly:
  case Structure::Butterfly2: {
    for (size_t k = 0; k < m.butterflies.size(); ++k) {
      const Butterfly &b = m.butterflies[k];
      std::string attrs;
      if (b.decreasing)
        attrs = "decreasing";
      if (!b.inputPerm.empty() && !isIdentity(b.inputPerm))
        attrs += std::string(attrs.empty() ? "" : ", ") +
                 "input_perm = array<i64: " + permList(b.inputPerm) + ">";
      std::string name = "%B" + std::to_string(k);
      body << "  " << name << " = linop.butterfly %" << ws[k].name
           << (attrs.empty() ? "" : " {" + attrs + "}") << " : ("
           << tensorType(ws[k].shape, e) << ") -> " << op << "\n";
      factors.insert(factors.begin(), name);
    }
    break;
  }
  case Structure::Monarch:
    body << "  %M = linop.monarch %L, %R : (" << tensorType(ws[0].shape, e)
         << ", " << tensorType(ws[1].shape, e) << ") -> " << op << "\n";
    factors.push_back("%M");
    break;
  case Structure::Kron: {
    std::string list, types;
    for (size_t k = 0; k < ws.size(); ++k) {
      int64_t r = ws[k].shape[0], c = ws[k].shape[1];
      std::string t = opType(r, c, e);
      body << "  %A" << k << " = linop.dense %" << ws[k].name << " : ("
           << tensorType(ws[k].shape, e) << ") -> " << t << "\n";
      list += (k ? ", %A" : "%A") + std::to_string(k);
      types += (k ? ", " : "") + t;
    }
    if (ws.size() == 1) {
      factors.push_back("%A0");
    } else {
      body << "  %K = linop.kron " << list << " : (" << types << ") -> " << op
           << "\n";
      factors.push_back("%K");
    }
    break;
  }
  case Structure::Dense:
    body << "  %D = linop.dense %W : (" << tensorType(ws[0].shape, e)
         << ") -> " << op << "\n";
    factors.push_back("%D");
    break;
  }
  if (!m.outputPerm.empty() && !isIdentity(m.outputPerm)) {
    body << "  %P = linop.perm [" << permList(m.outputPerm) << "] : " << op
         << "\n";
    factors.insert(factors.begin(), "%P");
  }
  if (factors.size() == 1) {
    result = factors[0];
  } else {
    std::string list, types;
    for (size_t k = 0; k < factors.size(); ++k) {
      list += (k ? ", " : "") + factors[k];
      types += (k ? ", " : "") + op;
    }
    body << "  %A = linop.compose " << list << " : (" << types << ") -> "
         << op << "\n";
    result = "%A";
  }
  body << "  %y = linop.apply " << result << ", %x : (" << op << ", " << xType
       << ") -> " << xType << "\n";
  body << "  return %y : " << xType << "\n";

  std::ostringstream out;
  out << "func.func @" << opt.name << "(" << args << ") -> " << xType
      << " {\n"
      << body.str() << "}\n";
  if (!opt.weightsAsArgs) {
    out << "{-#\n  dialect_resources: {\n    builtin: {\n";
    for (size_t k = 0; k < ws.size(); ++k) {
      std::string hex;
      appendHex(hex, ws[k], realField, opt.f64);
      out << "      " << opt.name << "_" << ws[k].name << ": \"0x" << hex
          << "\"" << (k + 1 < ws.size() ? "," : "") << "\n";
    }
    out << "    }\n  }\n#-}\n";
  }
  return out.str();
}

npy::Array weightArray(const Weight &w, bool realField, bool f64) {
  npy::DType t = realField ? (f64 ? npy::DType::F64 : npy::DType::F32)
                           : (f64 ? npy::DType::C128 : npy::DType::C64);
  return npy::fromComplex128(t, w.shape, w.values);
}

static cd roundCd(const cd &v) {
  return {double(float(v.real())), double(float(v.imag()))};
}

Model roundedModel(const Model &m, bool f64) {
  Model r = m;
  if (f64)
    return r;
  for (Butterfly &b : r.butterflies)
    for (cd &v : b.tw)
      v = roundCd(v);
  for (cd &v : r.left)
    v = roundCd(v);
  for (cd &v : r.right)
    v = roundCd(v);
  for (MatC &A : r.kron)
    A = A.unaryExpr([](const cd &v) { return roundCd(v); });
  r.dense = r.dense.unaryExpr([](const cd &v) { return roundCd(v); });
  return r;
}

static std::string num(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

static std::string jsonString(const std::string &s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += '\\', out += c;
    else if (c == '\n')
      out += "\\n";
    else if (static_cast<unsigned char>(c) < 0x20)
      out += ' ';
    else
      out += c;
  }
  return out + "\"";
}

static const char *treeName(Tree t) {
  return t == Tree::LeftToRight   ? "l2r"
         : t == Tree::RightToLeft ? "r2l"
                                  : "balanced";
}

static const char *scalingName(Scaling s) {
  return s == Scaling::Orthonormal ? "orthonormal" : "symmetric";
}

std::string reportText(const LearnResult &r, const ReportInfo &info) {
  const Model &m = r.model;
  bool realW = m.real();
  int64_t dp = denseParameters(info.n, info.realTarget),
          df = denseFlops(info.n, info.realTarget);
  std::ostringstream o;
  o << "linop-learn report: " << info.name << "\n"
    << "input:          " << info.source << " (" << info.n << "x" << info.n
    << ", " << (info.realTarget ? "real" : "complex") << ")\n"
    << "structure:      " << structureName(m.structure) << " ("
    << (realW ? "real" : "complex") << " weights, stored as "
    << (info.f64 ? "f64" : "f32") << ")\n"
    << "method:         " << r.method << "\n"
    << "exact:          " << (r.exact ? "yes" : "no") << "\n"
    << "rmse:           " << num(r.rmse) << "   (||B - T||_F / N)\n"
    << "relative error: " << num(r.relError) << "   (||B - T||_F / ||T||_F)\n"
    << "  as stored:    " << num(info.roundedRelError) << "   (weights rounded to "
    << (info.f64 ? "f64" : "f32") << ")\n"
    << "parameters:     " << m.parameters() << " vs dense " << dp << " ("
    << num(double(m.parameters()) / double(dp)) << "x)\n"
    << "flops/vector:   " << m.flops() << " vs dense " << df << " ("
    << num(double(m.flops()) / double(df)) << "x)\n"
    << "time:           " << num(info.totalSeconds) << " s (learning "
    << num(r.seconds) << " s, " << info.threads << " thread"
    << (info.threads == 1 ? "" : "s") << ")\n";
  for (const std::string &note : info.notes)
    o << "note:           " << note << "\n";
  const HierReport &h = r.hier;
  if (h.present) {
    o << "hierarchical:   one butterfly, " << scalingName(h.scaling) << " "
      << treeName(h.tree) << ", " << (h.realTwiddles ? "real" : "complex")
      << " twiddles, " << h.start << "\n"
      << "  error:        " << num(h.relError)
      << "   (relative, before any polish)\n";
    if (h.guaranteed)
      o << "  bound:        " << num(h.relBound)
        << "   (sqrt of the summed squared discarded singular values, "
        << h.splits << " splits)\n"
        << "  best >=       " << num(h.relLower)
        << "   (largest split: no butterfly with these strides and "
           "permutations is closer)\n"
        << "  guarantee:    error = bound <= sqrt(" << h.splits
        << ") * best (equality up to rounding)\n";
    else
      o << "  bound:        none (needs --algorithm orthonormal with "
           "--tree l2r or r2l)\n";
  }
  o << "attempts:\n";
  for (const Attempt &a : r.attempts)
    o << "  " << a.structure << ": relative error " << num(a.relError)
      << ", " << a.parameters << " parameters, " << a.flops << " flops, "
      << num(a.seconds) << " s -- " << a.method << "\n";
  return o.str();
}

std::string reportJson(const LearnResult &r, const ReportInfo &info) {
  const Model &m = r.model;
  std::ostringstream o;
  o << "{\n"
    << "  \"name\": " << jsonString(info.name) << ",\n"
    << "  \"source\": " << jsonString(info.source) << ",\n"
    << "  \"n\": " << info.n << ",\n"
    << "  \"real_target\": " << (info.realTarget ? "true" : "false") << ",\n"
    << "  \"structure\": " << jsonString(structureName(m.structure)) << ",\n"
    << "  \"real_weights\": " << (m.real() ? "true" : "false") << ",\n"
    << "  \"dtype\": " << jsonString(info.f64 ? "f64" : "f32") << ",\n"
    << "  \"method\": " << jsonString(r.method) << ",\n"
    << "  \"exact\": " << (r.exact ? "true" : "false") << ",\n"
    << "  \"rmse\": " << num(r.rmse) << ",\n"
    << "  \"relative_error\": " << num(r.relError) << ",\n"
    << "  \"frobenius_error\": " << num(r.froError) << ",\n"
    << "  \"relative_error_stored\": " << num(info.roundedRelError) << ",\n"
    << "  \"parameters\": " << m.parameters() << ",\n"
    << "  \"dense_parameters\": " << denseParameters(info.n, info.realTarget)
    << ",\n"
    << "  \"flops\": " << m.flops() << ",\n"
    << "  \"dense_flops\": " << denseFlops(info.n, info.realTarget) << ",\n"
    << "  \"seconds\": " << num(info.totalSeconds) << ",\n"
    << "  \"learn_seconds\": " << num(r.seconds) << ",\n"
    << "  \"threads\": " << info.threads << ",\n"
    << "  \"notes\": [";
  for (size_t i = 0; i < info.notes.size(); ++i)
    o << (i ? ", " : "") << jsonString(info.notes[i]);
  o << "],\n";
  const HierReport &h = r.hier;
  if (h.present) {
    o << "  \"hierarchical\": {\"algorithm\": "
      << jsonString(scalingName(h.scaling))
      << ", \"tree\": " << jsonString(treeName(h.tree))
      << ", \"real_twiddles\": " << (h.realTwiddles ? "true" : "false")
      << ", \"start\": " << jsonString(h.start)
      << ", \"splits\": " << h.splits
      << ", \"relative_error\": " << num(h.relError)
      << ", \"guaranteed\": " << (h.guaranteed ? "true" : "false");
    if (h.guaranteed)
      o << ", \"relative_bound\": " << num(h.relBound)
        << ", \"relative_lower_bound\": " << num(h.relLower)
        << ", \"guarantee_factor\": " << num(std::sqrt(double(h.splits)));
    o << "},\n";
  }
  o << "  \"attempts\": [";
  for (size_t i = 0; i < r.attempts.size(); ++i) {
    const Attempt &a = r.attempts[i];
    o << (i ? ",\n" : "\n") << "    {\"structure\": " << jsonString(a.structure)
      << ", \"method\": " << jsonString(a.method)
      << ", \"relative_error\": " << num(a.relError)
      << ", \"parameters\": " << a.parameters << ", \"flops\": " << a.flops
      << ", \"seconds\": " << num(a.seconds) << "}";
  }
  o << "\n  ]\n}\n";
  return o.str();
}

bool writeFile(const std::string &path, const std::string &text,
               std::string &error) {
  std::ofstream f(path, std::ios::binary);
  if (!f) {
    error = "cannot write " + path + ": " + std::strerror(errno);
    return false;
  }
  f << text;
  f.close();
  if (!f) {
    error = "error writing " + path;
    return false;
  }
  return true;
}

} // namespace linop::learn
