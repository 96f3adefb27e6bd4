// The learn-then-compile driver: pick a structure (or try them all), find
// the factorization, and measure it.
#ifndef LINOP_LEARN_LEARN_H
#define LINOP_LEARN_LEARN_H

#include "learn/Model.h"
#include "learn/Polish.h"

namespace linop::learn {

enum class Field { Auto, Real, Complex };

struct LearnOptions {
  /// Try butterfly, butterfly2, monarch and kron, keep the cheapest (flops)
  /// that meets the tolerance, else the most accurate.
  bool autoStructure = true;
  Structure structure = Structure::Butterfly;
  int kronFactors = 2;
  int64_t monarchBlocks = 0; // 0: defaultMonarchBlocks
  /// Relative Frobenius error the result must reach (< 0: none).
  double tolerance = -1;
  /// Relative error under which a factorization counts as exact (ends the
  /// search for a structure).
  double exactTolerance = 1e-10;
  bool polish = true;
  PolishOptions polishOptions;
  Tree tree = Tree::LeftToRight;
  Scaling scaling = Scaling::Orthonormal;
  /// Real targets: Auto tries real weights first, complex after.
  Field field = Field::Auto;
};

struct Attempt {
  std::string structure, method;
  double relError = 0;
  int64_t parameters = 0, flops = 0;
  double seconds = 0;
};

/// The hierarchical factorization behind the one-butterfly candidate (the
/// exact answer, or the start of the polish) and its a-posteriori bounds,
/// relative to ||T||_F (HierStats).
struct HierReport {
  bool present = false;
  std::string start;       // strides and permutations it used
  Scaling scaling = Scaling::Orthonormal;
  Tree tree = Tree::LeftToRight;
  bool realTwiddles = false;
  bool guaranteed = false; // the bounds below hold
  int splits = 0;          // L - 1
  double relError = 0;     // achieved, before any polish
  double relBound = 0;     // sqrt(sum of discarded sigma^2)
  double relLower = 0;     // no butterfly with the same strides,
                           // permutations and field does better
};

struct LearnResult {
  Model model;
  std::string method;
  double froError = 0, relError = 0, rmse = 0;
  double seconds = 0;
  bool exact = false;
  std::vector<Attempt> attempts;
  HierReport hier;
};

/// T must be square with finite entries and nonzero; structures that need a
/// power of two (butterfly, butterfly2) are skipped or rejected otherwise.
bool learn(const MatC &T, const LearnOptions &opt, LearnResult &out,
           std::string &error);

} // namespace linop::learn

#endif // LINOP_LEARN_LEARN_H
