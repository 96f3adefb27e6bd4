// Gradient polish of butterfly twiddles: L-BFGS on the Frobenius loss with
// analytic gradients (back-propagation through the stages).
#ifndef LINOP_LEARN_POLISH_H
#define LINOP_LEARN_POLISH_H

#include "learn/Model.h"

namespace linop::learn {

struct PolishOptions {
  int maxIterations = 2000;
  double maxSeconds = 60;
  int history = 12;
  /// Stop when the loss fell by less than this fraction over 10 iterations.
  double stallFraction = 1e-8;
};

struct PolishResult {
  double initialError = 0; // ||M - T||_F before
  double finalError = 0;   // and after
  int iterations = 0;
  double seconds = 0;
};

/// Minimizes ||M - T||_F^2 over the twiddles of m.butterflies (Butterfly or
/// Butterfly2 models; all permutations stay fixed). With realTwiddles the
/// twiddles stay real (T must then be real). Memory: one n x n matrix per
/// stage (the stage inputs kept for the gradient).
PolishResult polishButterflies(Model &m, const MatC &T, bool realTwiddles,
                               const PolishOptions &opt);

/// The polish objective at m's twiddles, ||M - T||_F^2, and its gradient
/// with respect to every twiddle in m.butterflies order: (re, im) pairs, or
/// one real number each with realTwiddles. Exposed for tests.
double polishLoss(const Model &m, const MatC &T, bool realTwiddles,
                  std::vector<double> &grad);

/// f(x) and its gradient, for the optimizer below.
using Objective =
    std::function<double(const std::vector<double> &x, std::vector<double> &g)>;

/// Limited-memory BFGS with backtracking (Armijo) line search. Returns the
/// number of iterations; x holds the best point found.
int lbfgs(const Objective &f, std::vector<double> &x, const PolishOptions &opt,
          double *finalValue = nullptr);

} // namespace linop::learn

#endif // LINOP_LEARN_POLISH_H
