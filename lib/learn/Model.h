// A learned operator: what linop-learn writes out as a spec.
#ifndef LINOP_LEARN_MODEL_H
#define LINOP_LEARN_MODEL_H

#include "learn/Butterfly.h"

#include <string>

namespace linop::learn {

enum class Structure { Butterfly, Butterfly2, Monarch, Kron, Dense };
const char *structureName(Structure s);
bool structureFromName(const std::string &name, Structure &out);

struct Model {
  Structure structure = Structure::Dense;
  int64_t n = 0;
  /// Empty, or p of a `linop.perm` composed on the left: y[i] = z[p[i]].
  Perm outputPerm;
  /// Butterfly / Butterfly2: applied in order (butterflies[0] first), each
  /// with its own input permutation; Butterfly2 has two.
  std::vector<Butterfly> butterflies;
  /// Monarch (semantics.md): N = b m, right [b, m, m], left [m, b, b],
  /// row-major.
  int64_t monarchB = 0, monarchM = 0;
  std::vector<cd> left, right;
  /// Kron: A_0 (x) A_1 (x) ... (square factors).
  std::vector<MatC> kron;
  /// Dense fallback.
  MatC dense;

  /// x <- M x in place (n entries), with the fast algorithm.
  void apply(cd *x) const;
  /// m vectors at once, X row-major n x m (see Butterfly::applyBatch).
  void applyBatch(cd *X, int64_t m) const;
  MatC toDense() const;
  /// Every weight real (the spec then uses a real element type).
  bool real() const;
  /// Real numbers stored (a complex weight counts 2).
  int64_t parameters() const;
  /// Real floating-point operations per input vector (complex multiply 6,
  /// complex add 2), for the weights' field.
  int64_t flops() const;
};

/// ||M - T||_F, in batches of columns and in parallel. With maxColumns > 0
/// and N larger, only that many evenly spaced columns are evaluated and the
/// result is scaled to all N (an estimate; `sampled` says so).
double frobeniusError(const Model &m, const MatC &T, int64_t maxColumns = 0,
                      bool *sampled = nullptr);

/// Parameters and flops of the dense matrix, for comparison.
int64_t denseParameters(int64_t n, bool real);
int64_t denseFlops(int64_t n, bool real);

} // namespace linop::learn

#endif // LINOP_LEARN_MODEL_H
