#include "learn/Model.h"

#include <cmath>

namespace linop::learn {

const char *structureName(Structure s) {
  switch (s) {
  case Structure::Butterfly:
    return "butterfly";
  case Structure::Butterfly2:
    return "butterfly2";
  case Structure::Monarch:
    return "monarch";
  case Structure::Kron:
    return "kron";
  case Structure::Dense:
    return "dense";
  }
  return "?";
}

bool structureFromName(const std::string &name, Structure &out) {
  for (Structure s : {Structure::Butterfly, Structure::Butterfly2,
                      Structure::Monarch, Structure::Kron, Structure::Dense})
    if (name == structureName(s)) {
      out = s;
      return true;
    }
  return false;
}

void Model::apply(cd *x) const {
  switch (structure) {
  case Structure::Butterfly:
  case Structure::Butterfly2:
    for (const Butterfly &b : butterflies)
      b.apply(x);
    break;
  case Structure::Monarch: {
    int64_t b = monarchB, m = monarchM;
    std::vector<cd> t(n), w(n);
    for (int64_t i = 0; i < b; ++i)
      for (int64_t jp = 0; jp < m; ++jp) {
        cd acc = 0;
        for (int64_t j = 0; j < m; ++j)
          acc += right[(i * m + jp) * m + j] * x[i * m + j];
        t[i * m + jp] = acc; // t[i, jp]
      }
    for (int64_t j = 0; j < m; ++j)
      for (int64_t ip = 0; ip < b; ++ip) {
        cd acc = 0;
        for (int64_t i = 0; i < b; ++i)
          acc += left[(j * b + ip) * b + i] * t[i * m + j];
        w[ip * m + j] = acc; // y[ip m + j] = w[j, ip]
      }
    std::copy(w.begin(), w.end(), x);
    break;
  }
  case Structure::Kron: {
    int64_t outer = 1, inner = n;
    std::vector<cd> v, y;
    for (const MatC &A : kron) {
      int64_t nk = A.rows();
      inner /= nk;
      v.resize(nk);
      y.resize(nk);
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t s = 0; s < inner; ++s) {
          cd *base = x + o * nk * inner + s;
          for (int64_t j = 0; j < nk; ++j)
            v[j] = base[j * inner];
          for (int64_t i = 0; i < nk; ++i) {
            cd acc = 0;
            for (int64_t j = 0; j < nk; ++j)
              acc += A(i, j) * v[j];
            y[i] = acc;
          }
          for (int64_t i = 0; i < nk; ++i)
            base[i * inner] = y[i];
        }
      outer *= nk;
    }
    break;
  }
  case Structure::Dense: {
    VecC in = Eigen::Map<VecC>(x, n);
    Eigen::Map<VecC>(x, n) = dense * in;
    break;
  }
  }
  if (!outputPerm.empty()) {
    std::vector<cd> tmp(x, x + n);
    for (int64_t i = 0; i < n; ++i)
      x[i] = tmp[outputPerm[i]];
  }
}

MatC Model::toDense() const {
  MatC m = MatC::Identity(n, n);
  parallelFor(n, [&](int64_t j) { apply(m.col(j).data()); },
              (1 << 16) / (n * 16) + 1);
  return m;
}

static bool allReal(const std::vector<cd> &v) {
  for (const cd &c : v)
    if (c.imag() != 0)
      return false;
  return true;
}

bool Model::real() const {
  switch (structure) {
  case Structure::Butterfly:
  case Structure::Butterfly2:
    for (const Butterfly &b : butterflies)
      if (!b.real())
        return false;
    return true;
  case Structure::Monarch:
    return allReal(left) && allReal(right);
  case Structure::Kron:
    for (const MatC &A : kron)
      if (!isReal(A))
        return false;
    return true;
  case Structure::Dense:
    return isReal(dense);
  }
  return false;
}

int64_t Model::parameters() const {
  int64_t count = 0;
  switch (structure) {
  case Structure::Butterfly:
  case Structure::Butterfly2:
    for (const Butterfly &b : butterflies)
      count += int64_t(b.tw.size());
    break;
  case Structure::Monarch:
    count = int64_t(left.size() + right.size());
    break;
  case Structure::Kron:
    for (const MatC &A : kron)
      count += A.size();
    break;
  case Structure::Dense:
    count = dense.size();
    break;
  }
  return real() ? count : 2 * count;
}

int64_t Model::flops() const {
  // Per output of an inner product of length k: k multiplies, k-1 adds.
  bool r = real();
  int64_t mul = r ? 1 : 6, add = r ? 1 : 2;
  auto dot = [&](int64_t k) { return k * mul + (k - 1) * add; };
  int64_t f = 0;
  switch (structure) {
  case Structure::Butterfly:
  case Structure::Butterfly2:
    for (const Butterfly &b : butterflies)
      f += int64_t(b.nblocks) * b.L * n * dot(2);
    break;
  case Structure::Monarch:
    f = n * dot(monarchM) + n * dot(monarchB);
    break;
  case Structure::Kron:
    for (const MatC &A : kron)
      f += n * dot(A.rows());
    break;
  case Structure::Dense:
    f = n * dot(n);
    break;
  }
  return f;
}

void Model::applyBatch(cd *X, int64_t m) const {
  if (structure == Structure::Butterfly || structure == Structure::Butterfly2) {
    for (const Butterfly &b : butterflies)
      b.applyBatch(X, m);
    if (!outputPerm.empty()) {
      std::vector<cd> tmp(X, X + n * m);
      for (int64_t i = 0; i < n; ++i)
        std::copy_n(&tmp[outputPerm[i] * m], m, X + i * m);
    }
    return;
  }
  std::vector<cd> v(n);
  for (int64_t c = 0; c < m; ++c) {
    for (int64_t i = 0; i < n; ++i)
      v[i] = X[i * m + c];
    apply(v.data());
    for (int64_t i = 0; i < n; ++i)
      X[i * m + c] = v[i];
  }
}

double frobeniusError(const Model &m, const MatC &T, int64_t maxColumns,
                      bool *sampled) {
  int64_t n = m.n;
  std::vector<int64_t> cols;
  if (maxColumns > 0 && maxColumns < n) {
    for (int64_t k = 0; k < maxColumns; ++k)
      cols.push_back(k * n / maxColumns);
  } else {
    cols = identityPerm(n);
  }
  if (sampled)
    *sampled = int64_t(cols.size()) < n;
  constexpr int64_t kBatch = 16;
  int64_t batches = (int64_t(cols.size()) + kBatch - 1) / kBatch;
  std::vector<double> partial(batches, 0.0);
  parallelFor(batches, [&](int64_t bi) {
    int64_t lo = bi * kBatch,
            hi = std::min<int64_t>(lo + kBatch, int64_t(cols.size()));
    int64_t w = hi - lo;
    std::vector<cd> X(size_t(n) * w, cd(0));
    for (int64_t c = 0; c < w; ++c)
      X[cols[lo + c] * w + c] = 1.0;
    m.applyBatch(X.data(), w);
    double acc = 0;
    for (int64_t c = 0; c < w; ++c) {
      int64_t j = cols[lo + c];
      for (int64_t i = 0; i < n; ++i)
        acc += std::norm(X[i * w + c] - T(i, j));
    }
    partial[bi] = acc;
  }, (1 << 16) / (n * kBatch) + 1);
  double total = 0;
  for (double p : partial)
    total += p;
  return std::sqrt(total * double(n) / double(cols.size()));
}

int64_t denseParameters(int64_t n, bool real) {
  return (real ? 1 : 2) * n * n;
}

int64_t denseFlops(int64_t n, bool real) {
  return real ? n * (2 * n - 1) : n * (8 * n - 2);
}

} // namespace linop::learn
