#include "learn/Polish.h"
#include "learn/Rank1.h"

#include <cmath>
#include <deque>
#include <type_traits>

namespace linop::learn {

int lbfgs(const Objective &f, std::vector<double> &x, const PolishOptions &opt,
          double *finalValue) {
  size_t n = x.size();
  std::vector<double> g(n), xn(n), gn(n), d(n);
  double fx = f(x, g);
  std::deque<std::vector<double>> S, Y;
  std::deque<double> rho;
  Timer timer;
  std::deque<double> recent{fx};
  int it = 0;
  auto dot = [](const std::vector<double> &a, const std::vector<double> &b) {
    double s = 0;
    for (size_t i = 0; i < a.size(); ++i)
      s += a[i] * b[i];
    return s;
  };
  for (; it < opt.maxIterations && timer.seconds() < opt.maxSeconds; ++it) {
    // Two-loop recursion: d = -H g.
    d = g;
    std::vector<double> alpha(S.size());
    for (int k = int(S.size()) - 1; k >= 0; --k) {
      alpha[k] = rho[k] * dot(S[k], d);
      for (size_t i = 0; i < n; ++i)
        d[i] -= alpha[k] * Y[k][i];
    }
    double gamma = S.empty() ? 1.0 / std::max(1e-300, std::sqrt(dot(g, g)))
                             : dot(S.back(), Y.back()) / dot(Y.back(), Y.back());
    for (double &v : d)
      v *= gamma;
    for (size_t k = 0; k < S.size(); ++k) {
      double beta = rho[k] * dot(Y[k], d);
      for (size_t i = 0; i < n; ++i)
        d[i] += (alpha[k] - beta) * S[k][i];
    }
    for (double &v : d)
      v = -v;
    double slope = dot(g, d);
    if (!(slope < 0)) { // not a descent direction: restart on the gradient
      S.clear();
      Y.clear();
      rho.clear();
      double gn2 = std::sqrt(dot(g, g));
      if (gn2 == 0)
        break;
      for (size_t i = 0; i < n; ++i)
        d[i] = -g[i] / gn2;
      slope = dot(g, d);
    }
    double step = 1.0, fn = 0;
    bool accepted = false;
    for (int ls = 0; ls < 40; ++ls) {
      for (size_t i = 0; i < n; ++i)
        xn[i] = x[i] + step * d[i];
      fn = f(xn, gn);
      if (std::isfinite(fn) && fn <= fx + 1e-4 * step * slope) {
        accepted = true;
        break;
      }
      step *= 0.5;
    }
    if (!accepted)
      break;
    std::vector<double> s(n), y(n);
    for (size_t i = 0; i < n; ++i) {
      s[i] = xn[i] - x[i];
      y[i] = gn[i] - g[i];
    }
    double sy = dot(s, y);
    if (sy > 1e-12 * std::sqrt(dot(s, s) * dot(y, y))) {
      S.push_back(std::move(s));
      Y.push_back(std::move(y));
      rho.push_back(1.0 / sy);
      if (int(S.size()) > opt.history) {
        S.pop_front();
        Y.pop_front();
        rho.pop_front();
      }
    }
    x.swap(xn);
    g.swap(gn);
    fx = fn;
    recent.push_back(fx);
    if (recent.size() > 10) {
      recent.pop_front();
      if (recent.front() - fx <= opt.stallFraction * recent.front())
        break;
    }
    if (fx == 0)
      break;
  }
  if (finalValue)
    *finalValue = fx;
  return it;
}

namespace {

// Rows of work (each n long) per thread below which threads do not pay.
constexpr int64_t kGrainWork = 1 << 16;

// A flattened chain: permutation layers and butterfly stages, applied in
// order to the rows of a row-major n x n matrix (row = vector element).
struct Layer {
  bool isPerm = false;
  const Perm *perm = nullptr;
  int64_t stride = 0;
  size_t twOffset = 0; // index of the stage's first twiddle in the model
};

template <typename S> class ChainLoss {
public:
  ChainLoss(const Model &m, const MatC &T) : n_(m.n) {
    size_t offset = 0;
    for (const Butterfly &b : m.butterflies) {
      if (!b.inputPerm.empty())
        layers_.push_back({true, &b.inputPerm, 0, 0});
      for (int k = 0; k < b.nblocks; ++k)
        for (int l = 0; l < b.L; ++l) {
          layers_.push_back(
              {false, nullptr, b.stride(l),
               offset + (size_t(k) * b.L + l) * size_t(n_ / 2) * 4});
        }
      offset += b.tw.size();
    }
    numTw_ = offset;
    // Undo the output permutation on the target: rows of P_out M are rows
    // p[i] of M.
    target_.resize(size_t(n_) * n_);
    for (int64_t i = 0; i < n_; ++i) {
      int64_t row = m.outputPerm.empty() ? i : m.outputPerm[i];
      for (int64_t j = 0; j < n_; ++j)
        target_[size_t(row) * n_ + j] = S(toS(T(i, j)));
    }
    int stages = 0;
    for (auto &l : layers_)
      stages += !l.isPerm;
    saved_.resize(stages);
  }

  size_t numTwiddles() const { return numTw_; }

  // Loss and gradient with respect to the twiddles (as S values).
  double eval(const std::vector<S> &tw, std::vector<S> &grad) {
    int64_t n = n_;
    std::vector<S> Z(size_t(n) * n, S(0)), tmp;
    for (int64_t i = 0; i < n; ++i)
      Z[size_t(i) * n + i] = S(1);
    int si = 0;
    for (const Layer &layer : layers_) {
      if (layer.isPerm) {
        tmp.resize(Z.size());
        const Perm &p = *layer.perm;
        for (int64_t i = 0; i < n; ++i)
          std::copy_n(&Z[size_t(p[i]) * n], n, &tmp[size_t(i) * n]);
        Z.swap(tmp);
        continue;
      }
      saved_[si++] = Z;
      applyStage(Z, tw.data() + layer.twOffset, layer.stride, false);
    }
    double loss = 0;
    for (size_t i = 0; i < Z.size(); ++i) {
      Z[i] -= target_[i];
      loss += std::norm(std::complex<double>(Z[i]));
    }
    // Back-propagate G = M - T through the layers (G <- S^H G).
    grad.assign(numTw_, S(0));
    for (int li = int(layers_.size()) - 1; li >= 0; --li) {
      const Layer &layer = layers_[li];
      if (layer.isPerm) {
        tmp.resize(Z.size());
        const Perm &p = *layer.perm;
        for (int64_t i = 0; i < n; ++i)
          std::copy_n(&Z[size_t(i) * n], n, &tmp[size_t(p[i]) * n]);
        Z.swap(tmp);
        continue;
      }
      const std::vector<S> &in = saved_[--si];
      stageGradient(Z, in, grad.data() + layer.twOffset, layer.stride);
      applyStage(Z, tw.data() + layer.twOffset, layer.stride, true);
    }
    for (S &g : grad)
      g *= S(2);
    return loss;
  }

private:
  static S toS(const cd &v);

  // rows a, a+s of Z <- t * (rows a, a+s); with adjoint, t^H instead.
  void applyStage(std::vector<S> &Z, const S *t, int64_t s, bool adjoint) {
    int64_t n = n_;
    parallelFor(n / 2, [&](int64_t p) {
      int64_t a = (p / s) * 2 * s + p % s;
      const S *tp = t + p * 4;
      S t00 = tp[0], t01 = tp[1], t10 = tp[2], t11 = tp[3];
      if (adjoint) {
        t00 = conjOf(tp[0]);
        t01 = conjOf(tp[2]);
        t10 = conjOf(tp[1]);
        t11 = conjOf(tp[3]);
      }
      S *r0 = &Z[size_t(a) * n], *r1 = &Z[size_t(a + s) * n];
      for (int64_t j = 0; j < n; ++j) {
        S x0 = r0[j], x1 = r1[j];
        r0[j] = t00 * x0 + t01 * x1;
        r1[j] = t10 * x0 + t11 * x1;
      }
    }, kGrainWork / n + 1);
  }

  // grad[t_uv] += sum_j G[a_u, j] conj(in[a_v, j]).
  void stageGradient(const std::vector<S> &G, const std::vector<S> &in,
                     S *grad, int64_t s) {
    int64_t n = n_;
    parallelFor(n / 2, [&](int64_t p) {
      int64_t a = (p / s) * 2 * s + p % s;
      const S *g0 = &G[size_t(a) * n], *g1 = &G[size_t(a + s) * n];
      const S *z0 = &in[size_t(a) * n], *z1 = &in[size_t(a + s) * n];
      S acc[4] = {S(0), S(0), S(0), S(0)};
      for (int64_t j = 0; j < n; ++j) {
        S c0 = conjOf(z0[j]), c1 = conjOf(z1[j]);
        acc[0] += g0[j] * c0;
        acc[1] += g0[j] * c1;
        acc[2] += g1[j] * c0;
        acc[3] += g1[j] * c1;
      }
      for (int k = 0; k < 4; ++k)
        grad[p * 4 + k] += acc[k];
    }, kGrainWork / n + 1);
  }

  int64_t n_;
  std::vector<Layer> layers_;
  size_t numTw_ = 0;
  std::vector<S> target_;
  std::vector<std::vector<S>> saved_;
};

template <> double ChainLoss<double>::toS(const cd &v) { return v.real(); }
template <> cd ChainLoss<cd>::toS(const cd &v) { return v; }

template <typename S>
PolishResult polishImpl(Model &m, const MatC &T, const PolishOptions &opt) {
  PolishResult result;
  Timer timer;
  ChainLoss<S> loss(m, T);
  constexpr int per = sizeof(S) / sizeof(double); // 1 real, 2 complex
  std::vector<cd *> slots;
  for (Butterfly &b : m.butterflies)
    for (cd &v : b.tw)
      slots.push_back(&v);
  std::vector<double> x(slots.size() * per);
  for (size_t i = 0; i < slots.size(); ++i) {
    x[i * per] = slots[i]->real();
    if (per == 2)
      x[i * per + 1] = slots[i]->imag();
  }
  std::vector<S> tw(slots.size()), grad;
  auto unpack = [&](const std::vector<double> &v) {
    for (size_t i = 0; i < slots.size(); ++i) {
      if constexpr (per == 2)
        tw[i] = S(cd(v[i * 2], v[i * 2 + 1]));
      else
        tw[i] = S(v[i]);
    }
  };
  int evals = 0;
  Objective f = [&](const std::vector<double> &v, std::vector<double> &g) {
    unpack(v);
    double value = loss.eval(tw, grad);
    g.resize(v.size());
    for (size_t i = 0; i < slots.size(); ++i) {
      if constexpr (per == 2) {
        g[i * 2] = std::real(cd(grad[i]));
        g[i * 2 + 1] = std::imag(cd(grad[i]));
      } else {
        g[i] = realPart(grad[i]);
      }
    }
    if (++evals % 50 == 0)
      progress("polish: " + std::to_string(evals) + " evaluations, error " +
               std::to_string(std::sqrt(value)));
    return value;
  };
  std::vector<double> g;
  result.initialError = std::sqrt(f(x, g));
  double finalValue = 0;
  result.iterations = lbfgs(f, x, opt, &finalValue);
  result.finalError = std::sqrt(finalValue);
  for (size_t i = 0; i < slots.size(); ++i)
    *slots[i] = per == 2 ? cd(x[i * 2], x[i * 2 + 1]) : cd(x[i], 0);
  result.seconds = timer.seconds();
  return result;
}

template <typename S>
double lossImpl(const Model &m, const MatC &T, std::vector<double> &g) {
  ChainLoss<S> loss(m, T);
  std::vector<S> tw, grad;
  for (const Butterfly &b : m.butterflies)
    for (const cd &v : b.tw) {
      if constexpr (std::is_same_v<S, double>)
        tw.push_back(v.real());
      else
        tw.push_back(v);
    }
  double f = loss.eval(tw, grad);
  g.clear();
  for (const S &v : grad) {
    g.push_back(std::real(cd(v)));
    if constexpr (!std::is_same_v<S, double>)
      g.push_back(std::imag(cd(v)));
  }
  return f;
}

} // namespace

double polishLoss(const Model &m, const MatC &T, bool realTwiddles,
                  std::vector<double> &grad) {
  return realTwiddles ? lossImpl<double>(m, T, grad) : lossImpl<cd>(m, T, grad);
}

PolishResult polishButterflies(Model &m, const MatC &T, bool realTwiddles,
                               const PolishOptions &opt) {
  if (realTwiddles)
    return polishImpl<double>(m, T, opt);
  return polishImpl<cd>(m, T, opt);
}

} // namespace linop::learn
