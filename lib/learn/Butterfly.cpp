#include "learn/Butterfly.h"
#include "learn/Rank1.h"

#include <algorithm>
#include <cmath>

namespace linop::learn {

Butterfly Butterfly::identity(int64_t n, int nblocks, bool decreasing) {
  Butterfly b;
  b.n = n;
  b.L = log2Exact(n);
  b.nblocks = nblocks;
  b.decreasing = decreasing;
  b.tw.assign(size_t(nblocks) * b.L * (n / 2) * 4, cd(0));
  for (int k = 0; k < nblocks; ++k)
    for (int l = 0; l < b.L; ++l)
      for (int64_t p = 0; p < n / 2; ++p)
        b.t(k, l, p, 0, 0) = b.t(k, l, p, 1, 1) = 1.0;
  return b;
}

bool Butterfly::real() const {
  for (const cd &v : tw)
    if (v.imag() != 0.0)
      return false;
  return true;
}

void Butterfly::apply(cd *x) const {
  if (!inputPerm.empty()) {
    std::vector<cd> tmp(x, x + n);
    for (int64_t i = 0; i < n; ++i)
      x[i] = tmp[inputPerm[i]];
  }
  for (int b = 0; b < nblocks; ++b)
    for (int l = 0; l < L; ++l) {
      int64_t s = stride(l);
      const cd *t = &tw[(size_t(b) * L + l) * (n / 2) * 4];
      // Pairs in increasing order of a: blocks of 2s, then q < s.
      for (int64_t base = 0; base < n; base += 2 * s)
        for (int64_t q = 0; q < s; ++q) {
          const cd *tp = t + (base / 2 + q) * 4;
          cd x0 = x[base + q], x1 = x[base + q + s];
          x[base + q] = tp[0] * x0 + tp[1] * x1;
          x[base + q + s] = tp[2] * x0 + tp[3] * x1;
        }
    }
}

void Butterfly::applyBatch(cd *X, int64_t m) const {
  if (!inputPerm.empty()) {
    std::vector<cd> tmp(X, X + n * m);
    for (int64_t i = 0; i < n; ++i)
      std::copy_n(&tmp[inputPerm[i] * m], m, X + i * m);
  }
  for (int b = 0; b < nblocks; ++b)
    for (int l = 0; l < L; ++l) {
      int64_t s = stride(l);
      const cd *t = &tw[(size_t(b) * L + l) * (n / 2) * 4];
      for (int64_t base = 0; base < n; base += 2 * s)
        for (int64_t q = 0; q < s; ++q) {
          const cd *tp = t + (base / 2 + q) * 4;
          const cd t00 = tp[0], t01 = tp[1], t10 = tp[2], t11 = tp[3];
          cd *r0 = X + (base + q) * m, *r1 = X + (base + q + s) * m;
          for (int64_t c = 0; c < m; ++c) {
            cd x0 = r0[c], x1 = r1[c];
            r0[c] = t00 * x0 + t01 * x1;
            r1[c] = t10 * x0 + t11 * x1;
          }
        }
    }
}

MatC Butterfly::dense() const {
  MatC m = MatC::Identity(n, n);
  parallelFor(n, [&](int64_t j) { apply(m.col(j).data()); },
              (1 << 16) / (n * (L + 1)) + 1);
  return m;
}

Butterfly dftButterfly(int64_t n, bool inverse) {
  // Radix-2 decimation in time: bit-reverse the input, then stage l pairs
  // a, a+s (s = 2^l) with the twiddle w^q, q = a mod s, w = exp(-+ i pi/s).
  Butterfly b = Butterfly::identity(n);
  double r = std::sqrt(0.5), sign = inverse ? 1.0 : -1.0;
  for (int l = 0; l < b.L; ++l) {
    int64_t s = int64_t(1) << l;
    for (int64_t base = 0; base < n; base += 2 * s)
      for (int64_t q = 0; q < s; ++q) {
        double a = sign * M_PI * double(q) / double(s);
        cd w(std::cos(a), std::sin(a));
        int64_t p = base / 2 + q;
        b.t(0, l, p, 0, 0) = r;
        b.t(0, l, p, 0, 1) = r * w;
        b.t(0, l, p, 1, 0) = r;
        b.t(0, l, p, 1, 1) = -r * w;
      }
  }
  b.inputPerm = bitrevPerm(n);
  return b;
}

Butterfly hadamardButterfly(int64_t n) {
  Butterfly b = Butterfly::identity(n);
  double r = std::sqrt(0.5);
  for (int l = 0; l < b.L; ++l)
    for (int64_t p = 0; p < n / 2; ++p) {
      b.t(0, l, p, 0, 0) = b.t(0, l, p, 0, 1) = b.t(0, l, p, 1, 0) = r;
      b.t(0, l, p, 1, 1) = -r;
    }
  return b;
}

// ---- Hierarchical factorization --------------------------------------------
//
// A node holds the product of the stages whose strides are 2^bits[t] (in
// application order). That product only couples indices that differ in those
// bits, so it is a set of dense 2^w x 2^w blocks, one per pattern of the other
// bits ("outer" pattern, numbered by extracting the other bits in increasing
// order). Local index bit t stands for global bit bits[t].
//
// Splitting a node after its first k bits, D = X Y with Y on bits[0..k) and X
// on bits[k..w): D[i,j] = X[i,m] Y[m,j] with m = (high part of j, low part of
// i), a single term. So for each low part r of i and high part c of j the
// sub-block D[r + (h<<k), l + (c<<k)] is the rank-1 matrix x_rc y_rc^T, and
// the best split is the best rank-1 approximation of each sub-block.

namespace {

int64_t extractBits(int64_t x, int64_t mask) {
  int64_t r = 0;
  int k = 0;
  for (int b = 0; (mask >> b) != 0; ++b)
    if (mask >> b & 1)
      r |= ((x >> b) & 1) << k++;
  return r;
}

int64_t depositBits(int64_t v, int64_t mask) {
  int64_t r = 0;
  int k = 0;
  for (int b = 0; (mask >> b) != 0; ++b)
    if (mask >> b & 1)
      r |= ((v >> k++) & 1) << b;
  return r;
}

int64_t depositList(int64_t v, const std::vector<int> &bits, size_t from,
                    size_t to) {
  int64_t r = 0;
  for (size_t t = from; t < to; ++t)
    r |= ((v >> (t - from)) & 1) << bits[t];
  return r;
}

template <typename S> struct Node {
  std::vector<int> bits;
  std::vector<S> data; // (n >> w) column-major blocks of 2^w x 2^w
  int w() const { return int(bits.size()); }
  int64_t mask() const {
    int64_t m = 0;
    for (int b : bits)
      m |= int64_t(1) << b;
    return m;
  }
};

template <typename S> S fromComplex(const cd &v);
template <> double fromComplex<double>(const cd &v) { return v.real(); }
template <> cd fromComplex<cd>(const cd &v) { return v; }

template <typename S> class Hierarchical {
public:
  Hierarchical(int64_t n, bool decreasing, const HierOptions &opt)
      : n_(n), L_(log2Exact(n)), opt_(opt) {
    result_ = Butterfly::identity(n, 1, decreasing);
    stageOf_.assign(L_, 0);
    for (int l = 0; l < L_; ++l)
      stageOf_[decreasing ? L_ - 1 - l : l] = l;
  }

  Butterfly run(const MatC &T, HierStats &stats) {
    stats_.levels.assign(L_, 0.0);
    Node<S> root;
    for (int l = 0; l < L_; ++l)
      root.bits.push_back(result_.decreasing ? L_ - 1 - l : l);
    root.data.resize(size_t(n_) * n_);
    // Local index ii stands for global index deposit(ii, bits).
    std::vector<int64_t> g(n_);
    for (int64_t ii = 0; ii < n_; ++ii)
      g[ii] = depositList(ii, root.bits, 0, root.bits.size());
    std::vector<int64_t> rows(n_), cols(n_);
    for (int64_t ii = 0; ii < n_; ++ii) {
      rows[ii] = opt_.rowOf ? (*opt_.rowOf)[g[ii]] : g[ii];
      cols[ii] = opt_.colOf ? (*opt_.colOf)[g[ii]] : g[ii];
    }
    parallelFor(n_, [&](int64_t jj) {
      for (int64_t ii = 0; ii < n_; ++ii)
        root.data[jj * n_ + ii] = fromComplex<S>(T(rows[ii], cols[jj]));
    }, (1 << 16) / n_ + 1);
    process(std::move(root));
    stats_.guaranteed = opt_.scaling == Scaling::Orthonormal &&
                        opt_.tree != Tree::Balanced;
    stats = stats_;
    if (stats_.abortedAt >= 0)
      return Butterfly();
    return std::move(result_);
  }

private:
  int splitPoint(int w) const {
    switch (opt_.tree) {
    case Tree::LeftToRight:
      return w - 1;
    case Tree::RightToLeft:
      return 1;
    case Tree::Balanced:
      return w / 2;
    }
    return w - 1;
  }

  void process(Node<S> node) {
    if (stats_.abortedAt >= 0)
      return;
    int w = node.w();
    if (w == 1) {
      writeLeaf(node);
      return;
    }
    int k = splitPoint(w);
    Node<S> x, y;
    split(node, k, x, y);
    if (opt_.abortResidual >= 0 && stats_.residual > opt_.abortResidual) {
      stats_.abortedAt = L_ - w;
      return;
    }
    node.data.clear();
    node.data.shrink_to_fit();
    process(std::move(x));
    process(std::move(y));
  }

  void split(const Node<S> &node, int k, Node<S> &xNode, Node<S> &yNode) {
    int w = node.w();
    int64_t d = int64_t(1) << w, dx = int64_t(1) << (w - k),
            dy = int64_t(1) << k;
    int64_t nb = n_ >> w;
    xNode.bits.assign(node.bits.begin() + k, node.bits.end());
    yNode.bits.assign(node.bits.begin(), node.bits.begin() + k);
    xNode.data.assign(size_t(n_ >> (w - k)) * dx * dx, S(0));
    yNode.data.assign(size_t(n_ >> k) * dy * dy, S(0));
    int64_t full = n_ - 1;
    int64_t outerMask = full & ~node.mask();
    int64_t xOuter = full & ~xNode.mask(), yOuter = full & ~yNode.mask();
    // Where the singular value goes: the side that is split again.
    Rank1Weight weight = Rank1Weight::Both;
    if (opt_.scaling == Scaling::Orthonormal)
      weight = (w - k > 1 || k == 1) ? Rank1Weight::Left : Rank1Weight::Right;
    auto xBlock = [&](int64_t go, int64_t r) {
      int64_t gx = go | depositList(r, node.bits, 0, k);
      return xNode.data.data() + size_t(extractBits(gx, xOuter)) * dx * dx;
    };
    auto yBlock = [&](int64_t go, int64_t c) {
      int64_t gy = go | depositList(c, node.bits, k, w);
      return yNode.data.data() + size_t(extractBits(gy, yOuter)) * dy * dy;
    };
    // The first splits have few (outer block, group) tasks (2 at the root of
    // l2r, which holds half the work), so each is cut into parts over
    // independent blocks, each part at least 256 blocks long (shorter runs
    // cost single-thread speed in memory traffic). The cut depends on the
    // sizes only, so the result is the same for every thread count.
    int64_t groups = nb * std::min(dx, dy), len = std::max(dx, dy);
    int64_t parts = std::max<int64_t>(1, std::min(64 / groups, len / 256));
    std::vector<double> res(size_t(groups * parts), 0.0);
    int64_t grain = (int64_t(1) << 16) * parts / (d * len) + 1;
    if (dx <= dy) {
      // Gram matrices on the short (X) side, accumulated while streaming
      // the columns of D: one task per (outer block, column group c, part
      // [r0, r1) of the row groups).
      parallelFor(groups * parts, [&](int64_t task) {
        int64_t o = task / parts / dx, c = task / parts % dx,
                part = task % parts;
        int64_t r0 = dy * part / parts, r1 = dy * (part + 1) / parts,
                nr = r1 - r0;
        int64_t go = depositBits(o, outerMask);
        const S *D = node.data.data() + size_t(o) * d * d;
        std::vector<S> G(size_t(nr) * dx * dx, S(0)), a(dx);
        for (int64_t l = 0; l < dy; ++l) {
          const S *col = D + (l + (c << k)) * d;
          for (int64_t r = r0; r < r1; ++r) {
            S *g = G.data() + size_t(r - r0) * dx * dx;
            for (int64_t h = 0; h < dx; ++h)
              a[h] = col[r + (h << k)];
            for (int64_t h2 = 0; h2 < dx; ++h2)
              for (int64_t h1 = 0; h1 < dx; ++h1)
                g[h2 * dx + h1] += a[h1] * conjOf(a[h2]);
          }
        }
        std::vector<S> U(size_t(nr) * dx);
        for (int64_t r = 0; r < nr; ++r) {
          Eigen::Map<Mat<S>> g(G.data() + size_t(r) * dx * dx, dx, dx);
          Vec<S> u = topEigenvector<S>(g);
          for (int64_t h = 0; h < dx; ++h)
            U[r * dx + h] = u(h);
        }
        // y_r = A_r^T conj(u_r) = sigma v_r, written straight into Y; the
        // residual A_r - u_r y_r^T summed entry by entry.
        S *Y = yBlock(go, c);
        double accRes = 0;
        for (int64_t l = 0; l < dy; ++l) {
          const S *col = D + (l + (c << k)) * d;
          for (int64_t r = r0; r < r1; ++r) {
            const S *u = &U[(r - r0) * dx];
            S acc = S(0);
            for (int64_t h = 0; h < dx; ++h)
              acc += conjOf(u[h]) * col[r + (h << k)];
            if (dx == 2) {
              // The component along (-conj u1, conj u0), orthogonal to u:
              // as accurate as a - u acc and half the work.
              accRes += std::norm(u[0] * col[r + (1 << k)] - u[1] * col[r]);
            } else {
              for (int64_t h = 0; h < dx; ++h)
                accRes += std::norm(col[r + (h << k)] - u[h] * acc);
            }
            Y[l * dy + r] = acc;
          }
        }
        for (int64_t r = r0; r < r1; ++r) {
          double sig2 = 0;
          for (int64_t l = 0; l < dy; ++l)
            sig2 += std::norm(Y[l * dy + r]);
          double sigma = std::sqrt(sig2);
          S *X = xBlock(go, r) + c * dx;
          double xs = 1, ys = 1; // x = xs u, y = ys (sigma v)
          if (sigma == 0) {
            // Zero block: unit vector on the side without the weight.
            for (int64_t h = 0; h < dx; ++h)
              X[h] = S(0);
            if (weight != Rank1Weight::Right) {
              Y[r] = S(1);
            } else {
              X[0] = S(1);
            }
            continue;
          }
          if (weight == Rank1Weight::Left) {
            xs = sigma;
            ys = 1 / sigma;
          } else if (weight == Rank1Weight::Both) {
            xs = std::sqrt(sigma);
            ys = 1 / xs;
          }
          for (int64_t h = 0; h < dx; ++h)
            X[h] = S(xs) * U[(r - r0) * dx + h];
          if (ys != 1)
            for (int64_t l = 0; l < dy; ++l)
              Y[l * dy + r] *= S(ys);
        }
        res[task] = accRes;
      }, grain);
    } else {
      // One task per (outer block, row group r, part [c0, c1) of the column
      // groups); each block gathered.
      parallelFor(groups * parts, [&](int64_t task) {
        int64_t o = task / parts / dy, r = task / parts % dy,
                part = task % parts;
        int64_t c0 = dx * part / parts, c1 = dx * (part + 1) / parts;
        int64_t go = depositBits(o, outerMask);
        const S *D = node.data.data() + size_t(o) * d * d;
        S *X = xBlock(go, r);
        Mat<S> A(dx, dy);
        Vec<S> xv, yv;
        double acc = 0;
        for (int64_t c = c0; c < c1; ++c) {
          for (int64_t l = 0; l < dy; ++l) {
            const S *col = D + (l + (c << k)) * d;
            for (int64_t h = 0; h < dx; ++h)
              A(h, l) = col[r + (h << k)];
          }
          acc += rank1(A, xv, yv, weight);
          for (int64_t h = 0; h < dx; ++h)
            X[c * dx + h] = xv(h);
          S *Y = yBlock(go, c);
          for (int64_t l = 0; l < dy; ++l)
            Y[l * dy + r] = yv(l);
        }
        res[task] = acc;
      }, grain);
    }
    double total = 0;
    for (double v : res)
      total += v;
    stats_.residual += total;
    stats_.levels[L_ - w] += total;
    if (n_ >= 4096)
      progress("hierarchical: split " + std::to_string(L_ - w + 1) + " of " +
               std::to_string(L_ - 1) + " (" + std::to_string(w) +
               " stages), rank-1 residual " +
               fmtDouble(std::sqrt(stats_.residual)));
  }

  static std::string fmtDouble(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g", v);
    return buf;
  }

  void writeLeaf(const Node<S> &node) {
    int bit = node.bits[0];
    int l = stageOf_[bit];
    int64_t s = int64_t(1) << bit;
    int64_t outerMask = (n_ - 1) & ~s;
    for (int64_t o = 0; o < n_ / 2; ++o) {
      int64_t a = depositBits(o, outerMask);
      int64_t p = (a / (2 * s)) * s + a % (2 * s);
      const S *D = node.data.data() + size_t(o) * 4;
      for (int u = 0; u < 2; ++u)
        for (int v = 0; v < 2; ++v)
          result_.t(0, l, p, u, v) = cd(D[v * 2 + u]);
    }
  }

  int64_t n_;
  int L_;
  HierOptions opt_;
  Butterfly result_;
  std::vector<int> stageOf_; // bit -> stage index
  HierStats stats_;
};

} // namespace

double HierStats::bound() const { return std::sqrt(residual); }

double HierStats::lowerBound() const {
  double m = 0;
  for (double v : levels)
    m = std::max(m, v);
  return std::sqrt(m);
}

Butterfly factorHierarchical(const MatC &T, bool decreasing,
                             const HierOptions &opt, HierStats *stats) {
  HierStats local;
  HierStats &st = stats ? *stats : local;
  if (opt.realArithmetic)
    return Hierarchical<double>(T.rows(), decreasing, opt).run(T, st);
  return Hierarchical<cd>(T.rows(), decreasing, opt).run(T, st);
}

Butterfly transposed(const Butterfly &b) {
  Butterfly t = b;
  t.decreasing = !b.decreasing;
  for (int l = 0; l < b.L; ++l)
    for (int64_t p = 0; p < b.n / 2; ++p)
      for (int u = 0; u < 2; ++u)
        for (int v = 0; v < 2; ++v)
          t.t(0, b.L - 1 - l, p, u, v) = b.t(0, l, p, v, u);
  return t;
}

} // namespace linop::learn
