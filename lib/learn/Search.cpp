#include "learn/Search.h"
#include "learn/Permutation.h"

#include <cmath>
#include <numeric>

namespace linop::learn {

void applyAdjoint(const Butterfly &b, cd *x) {
  int64_t n = b.n;
  for (int k = b.nblocks - 1; k >= 0; --k)
    for (int l = b.L - 1; l >= 0; --l) {
      int64_t s = b.stride(l);
      for (int64_t base = 0; base < n; base += 2 * s)
        for (int64_t q = 0; q < s; ++q) {
          int64_t p = base / 2 + q;
          cd x0 = x[base + q], x1 = x[base + q + s];
          x[base + q] = std::conj(b.t(k, l, p, 0, 0)) * x0 +
                        std::conj(b.t(k, l, p, 1, 0)) * x1;
          x[base + q + s] = std::conj(b.t(k, l, p, 0, 1)) * x0 +
                            std::conj(b.t(k, l, p, 1, 1)) * x1;
        }
    }
  if (!b.inputPerm.empty()) {
    std::vector<cd> tmp(x, x + n);
    for (int64_t i = 0; i < n; ++i)
      x[b.inputPerm[i]] = tmp[i];
  }
}

bool twoSparsePairing(const MatC &T, Perm &rowOf, Perm &colOf) {
  int64_t n = T.rows();
  double maxAbs = T.cwiseAbs().maxCoeff();
  if (maxAbs == 0 || n % 2)
    return false;
  double tiny = 1e-10 * maxAbs;
  // Union-find over rows 0..n-1 and columns n..2n-1.
  std::vector<int64_t> parent(2 * n);
  std::iota(parent.begin(), parent.end(), 0);
  std::function<int64_t(int64_t)> find = [&](int64_t v) {
    while (parent[v] != v)
      v = parent[v] = parent[parent[v]];
    return v;
  };
  std::vector<int> rowCount(n, 0), colCount(n, 0);
  for (int64_t j = 0; j < n; ++j)
    for (int64_t i = 0; i < n; ++i)
      if (std::abs(T(i, j)) > tiny) {
        if (++rowCount[i] > 2 || ++colCount[j] > 2)
          return false;
        parent[find(i)] = find(n + j);
      }
  std::vector<std::vector<int64_t>> compRows(2 * n), compCols(2 * n);
  for (int64_t i = 0; i < n; ++i)
    compRows[find(i)].push_back(i);
  for (int64_t j = 0; j < n; ++j)
    compCols[find(n + j)].push_back(j);
  std::vector<std::pair<std::vector<int64_t>, std::vector<int64_t>>> blocks;
  std::vector<std::pair<int64_t, int64_t>> singles; // 1 x 1 units
  std::vector<int64_t> loneRows, loneCols;
  for (int64_t c = 0; c < 2 * n; ++c) {
    size_t r = compRows[c].size(), k = compCols[c].size();
    if (r == 0 && k == 0)
      continue;
    if (r != k) {
      if (r == 1 && k == 0)
        loneRows.push_back(compRows[c][0]);
      else if (r == 0 && k == 1)
        loneCols.push_back(compCols[c][0]);
      else
        return false;
    } else if (r == 2) {
      blocks.push_back({compRows[c], compCols[c]});
    } else if (r == 1) {
      singles.push_back({compRows[c][0], compCols[c][0]});
    } else {
      return false;
    }
  }
  if (loneRows.size() != loneCols.size())
    return false;
  for (size_t i = 0; i < loneRows.size(); ++i)
    singles.push_back({loneRows[i], loneCols[i]});
  if (singles.size() % 2)
    return false;
  for (size_t i = 0; i < singles.size(); i += 2)
    blocks.push_back({{singles[i].first, singles[i + 1].first},
                      {singles[i].second, singles[i + 1].second}});
  rowOf.assign(n, 0);
  colOf.assign(n, 0);
  for (size_t q = 0; q < blocks.size(); ++q)
    for (int u = 0; u < 2; ++u) {
      rowOf[2 * q + u] = blocks[q].first[u];
      colOf[2 * q + u] = blocks[q].second[u];
    }
  return true;
}

namespace {

class ExactSearch {
public:
  ExactSearch(const MatC &T, bool real, double relTol, bool quick)
      : T_(T), n_(T.rows()), real_(real), quick_(quick), relTol_(relTol),
        norm_(T.norm()) {
    // Rank-1 residuals below this are cancellation noise (trace - sigma^2
    // loses about 16 digits of the block norm squared).
    probe_ = 1e-12 * norm_ * norm_;
  }

  bool run(Model &out, std::string &method) {
    Perm rowOf, colOf;
    if (twoSparsePairing(T_, rowOf, colOf) &&
        attempt(&rowOf, &colOf, false, out))
      return done("pairing of a 2-sparse matrix", method);
    Perm br = bitrevPerm(n_);
    if (attempt(nullptr, nullptr, false, out))
      return done("increasing strides", method);
    if (attempt(nullptr, &br, false, out))
      return done("increasing strides, bit-reversed input", method);
    if (quick_)
      return false;
    if (attempt(nullptr, nullptr, true, out))
      return done("decreasing strides", method);
    if (attempt(&br, nullptr, true, out))
      return done("decreasing strides, bit-reversed output", method);
    Butterfly b;
    Perm p;
    if (searchFamilyExact(T_, real_, probe_, p, b, &stats_)) {
      Model m = single(std::move(b));
      m.butterflies[0].inputPerm = p;
      if (confirm(m, out))
        return done("input permutation from the paper's family", method);
    }
    MatC Tt = T_.transpose();
    if (searchFamilyExact(Tt, real_, probe_, p, b, &stats_)) {
      Model m = single(transposed(b));
      m.outputPerm = inversePerm(p);
      if (confirm(m, out))
        return done("output permutation from the paper's family", method);
    }
    std::string why;
    if (clusterPermutations(T_, 1e-6, rowOf, colOf, &why) &&
        attempt(&rowOf, &colOf, false, out))
      return done("row and column permutations by rank-one clustering",
                  method);
    return false;
  }

private:
  static bool done(const char *how, std::string &method) {
    method = how;
    return true;
  }

  Model single(Butterfly b) const {
    Model m;
    m.structure = Structure::Butterfly;
    m.n = n_;
    m.butterflies.push_back(std::move(b));
    return m;
  }

  bool confirm(Model &m, Model &out) {
    double err = frobeniusError(m, T_);
    if (err > relTol_ * norm_)
      return false;
    relError_ = err / norm_;
    out = std::move(m);
    return true;
  }

public:
  double relError_ = 0;
  HierStats stats_; // of the factorization last confirmed or tried

private:

  // T(rowOf[a], colOf[b]) as a butterfly: T = P_out B P_in with
  // p_in = colOf and p_out = rowOf^-1.
  bool attempt(const Perm *rowOf, const Perm *colOf, bool decreasing,
               Model &out) {
    HierOptions opt;
    opt.realArithmetic = real_;
    opt.rowOf = rowOf;
    opt.colOf = colOf;
    opt.abortResidual = probe_;
    Butterfly b = factorHierarchical(T_, decreasing, opt, &stats_);
    if (b.n == 0)
      return false;
    if (colOf && !isIdentity(*colOf))
      b.inputPerm = *colOf;
    Model m = single(std::move(b));
    if (rowOf && !isIdentity(*rowOf))
      m.outputPerm = inversePerm(*rowOf);
    return confirm(m, out);
  }

  const MatC &T_;
  int64_t n_;
  bool real_, quick_;
  double relTol_, norm_, probe_;
};

// Stage 0 of b sees the input after b's permutation: fold diag(d) applied
// before the permutation into its twiddle columns.
void foldInputDiagonal(Butterfly &b, const std::vector<double> &d) {
  int64_t s = b.stride(0);
  for (int64_t base = 0; base < b.n; base += 2 * s)
    for (int64_t q = 0; q < s; ++q) {
      int64_t a = base + q, p = base / 2 + q;
      int64_t ia = b.inputPerm.empty() ? a : b.inputPerm[a];
      int64_t ib = b.inputPerm.empty() ? a + s : b.inputPerm[a + s];
      for (int u = 0; u < 2; ++u) {
        b.t(0, 0, p, u, 0) *= d[ia];
        b.t(0, 0, p, u, 1) *= d[ib];
      }
    }
}

} // namespace

bool findExactButterfly(const MatC &T, bool realArithmetic, double relTol,
                        Model &out, std::string &method, bool quick,
                        double *relError, HierStats *hier) {
  if (!isPowerOfTwo(T.rows()) || T.rows() < 2 || T.rows() != T.cols())
    return false;
  ExactSearch search(T, realArithmetic, relTol, quick);
  if (!search.run(out, method))
    return false;
  if (relError)
    *relError = search.relError_;
  if (hier)
    *hier = search.stats_;
  return true;
}

bool findExactButterfly2(const MatC &T, double relTol, Model &out,
                         std::string &method, double *relError) {
  int64_t n = T.rows();
  if (!isPowerOfTwo(n) || n < 4)
    return false;
  struct Known {
    std::string name;
    Butterfly K;
  };
  // Level-0 choices of the family, most useful first: none, even/odd then
  // reverse the second half (Makhoul's DCT order), then the rest.
  std::vector<Known> known;
  Perm br = bitrevPerm(n);
  for (int c : {0, 5, 1, 2, 3, 4, 6, 7}) {
    Known k{"dft", dftButterfly(n, false)};
    Perm q = familyPerm(n, {c});
    for (int64_t i = 0; i < n; ++i)
      k.K.inputPerm[i] = q[br[i]];
    if (c)
      k.name += " after family permutation " + std::to_string(c);
    known.push_back(std::move(k));
  }
  known.push_back({"hadamard", hadamardButterfly(n)});
  std::vector<double> alt(n);
  for (int64_t j = 0; j < n; ++j)
    alt[j] = (j % 2) ? -1.0 : 1.0;
  struct Try {
    size_t k;
    bool right, signs;
  };
  std::vector<Try> order;
  // Right peels for the two commonest orders (with and without signs), the
  // plain left peel, then every remaining combination.
  order.push_back({0, true, false});
  order.push_back({1, true, false});
  order.push_back({1, true, true});
  order.push_back({0, false, false});
  for (size_t k = 0; k < known.size(); ++k)
    for (int side = 0; side < 2; ++side)
      for (int sg = 0; sg < 2; ++sg) {
        Try t{k, side == 0, sg == 1};
        if (!t.right && t.signs)
          continue;
        bool seen = false;
        for (auto &o : order)
          seen |= o.k == t.k && o.right == t.right && o.signs == t.signs;
        if (!seen)
          order.push_back(t);
      }
  for (const Try &t : order) {
    const Butterfly &K = known[t.k].K;
    MatC X(n, n);
    if (t.right) {
      // T = X K D  =>  X = T D K^H = (K D T^H)^H.
      parallelFor(n, [&](int64_t i) {
        std::vector<cd> v(n);
        for (int64_t j = 0; j < n; ++j)
          v[j] = std::conj(T(i, j)) * (t.signs ? alt[j] : 1.0);
        K.apply(v.data());
        for (int64_t j = 0; j < n; ++j)
          X(i, j) = std::conj(v[j]);
      }, (1 << 16) / (n * K.L) + 1);
    } else {
      // T = K X  =>  X = K^H T.
      parallelFor(n, [&](int64_t j) {
        std::vector<cd> v(T.col(j).data(), T.col(j).data() + n);
        applyAdjoint(K, v.data());
        for (int64_t i = 0; i < n; ++i)
          X(i, j) = v[i];
      }, (1 << 16) / (n * K.L) + 1);
    }
    Model mx;
    std::string how;
    // Quick search only: the peeled factor of the transforms above is a
    // single stage or a bit-reversed butterfly.
    if (!findExactButterfly(X, false, relTol, mx, how, /*quick=*/true))
      continue;
    Model m;
    m.structure = Structure::Butterfly2;
    m.n = n;
    Butterfly bx = mx.butterflies[0];
    if (t.right) {
      Butterfly k = K;
      if (t.signs)
        foldInputDiagonal(k, alt);
      m.outputPerm = mx.outputPerm;
      m.butterflies = {k, bx};
    } else {
      Butterfly k = K;
      if (!mx.outputPerm.empty())
        for (int64_t i = 0; i < n; ++i)
          k.inputPerm[i] = mx.outputPerm[K.inputPerm[i]];
      m.butterflies = {bx, k};
    }
    double err = frobeniusError(m, T);
    if (err > relTol * T.norm())
      continue;
    if (relError)
      *relError = err / T.norm();
    out = std::move(m);
    method = std::string(t.right ? "T = X K" : "T = K X") + " with K = " +
             known[t.k].name + (t.signs ? " and alternating input signs" : "") +
             "; X: " + how;
    return true;
  }
  return false;
}

} // namespace linop::learn
