#include "learn/Learn.h"
#include "learn/Permutation.h"
#include "learn/Project.h"
#include "learn/Search.h"

#include <cmath>
#include <cstdio>

namespace linop::learn {

namespace {

std::string sci(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

struct Candidate {
  Model model;
  std::string method;
  double relError = -1;
};

class Learner {
public:
  Learner(const MatC &T, const LearnOptions &opt)
      : T_(T), opt_(opt), n_(T.rows()), norm_(T.norm()),
        realTarget_(isReal(T)) {}

  bool run(LearnResult &out, std::string &error) {
    Timer timer;
    std::vector<Candidate> found;
    bool pow2 = isPowerOfTwo(n_) && n_ >= 2;
    auto want = [&](Structure s) {
      return opt_.autoStructure || opt_.structure == s;
    };
    if (!opt_.autoStructure && !pow2 &&
        (opt_.structure == Structure::Butterfly ||
         opt_.structure == Structure::Butterfly2)) {
      error = std::string(structureName(opt_.structure)) +
              " needs N a power of two, got N = " + std::to_string(n_) +
              " (--pad zero-pads, or use --structure monarch|kron|auto)";
      return false;
    }
    if (opt_.field == Field::Real && !realTarget_) {
      error = "the matrix is complex: real weights (--field real) cannot "
              "represent it";
      return false;
    }
    bool exactFound = false;
    if (pow2 && want(Structure::Butterfly)) {
      Candidate c;
      if (exactButterfly(c))
        exactFound = add(found, std::move(c), Structure::Butterfly);
    }
    // Two butterflies only when one does not do (it would cost twice).
    if (pow2 && want(Structure::Butterfly2) && !exactFound) {
      Candidate c;
      Timer t;
      std::string how;
      if (findExactButterfly2(T_, opt_.exactTolerance, c.model, how,
                              &c.relError)) {
        c.method = "exact: " + how;
        exactFound = add(found, std::move(c), Structure::Butterfly2,
                         t.seconds());
      }
    }
    if (want(Structure::Monarch) && !(opt_.autoStructure && exactFound)) {
      int64_t b = opt_.monarchBlocks ? opt_.monarchBlocks
                                     : defaultMonarchBlocks(n_);
      if (n_ % b != 0) {
        if (!opt_.autoStructure) {
          error = "--blocks " + std::to_string(b) + " does not divide N = " +
                  std::to_string(n_);
          return false;
        }
      } else {
        Timer t;
        Candidate c;
        c.model = projectMonarch(T_, b, useRealFirst());
        c.method = "closed-form projection, b = " + std::to_string(b);
        add(found, std::move(c), Structure::Monarch, t.seconds());
      }
    }
    if (want(Structure::Kron) && !(opt_.autoStructure && exactFound)) {
      std::vector<int64_t> sizes = kronSizes(n_, opt_.kronFactors);
      if (sizes.empty()) {
        if (!opt_.autoStructure) {
          error = "N = " + std::to_string(n_) + " has no " +
                  std::to_string(opt_.kronFactors) + "-factor split";
          return false;
        }
      } else {
        Timer t;
        Candidate c;
        c.model = projectKron(T_, sizes, useRealFirst());
        c.method = "nearest Kronecker product, sizes";
        for (int64_t s : sizes)
          c.method += " " + std::to_string(s);
        add(found, std::move(c), Structure::Kron, t.seconds());
      }
    }
    // Approximate butterflies only when nothing cheaper is good enough.
    bool good = false;
    for (auto &c : found)
      good |= c.relError <= target();
    if (pow2 && !good && want(Structure::Butterfly) &&
        !has(found, Structure::Butterfly)) {
      Candidate c;
      approximateButterfly(c, 1);
      add(found, std::move(c), Structure::Butterfly);
    }
    good = false;
    for (auto &c : found)
      good |= c.relError <= target();
    if (pow2 && !good && want(Structure::Butterfly2) &&
        !has(found, Structure::Butterfly2)) {
      Candidate c;
      approximateButterfly(c, 2);
      add(found, std::move(c), Structure::Butterfly2);
    }
    if (found.empty()) {
      error = "no structure applies to a " + std::to_string(n_) + "x" +
              std::to_string(n_) + " matrix";
      return false;
    }
    // Cheapest that meets the target, else the most accurate.
    size_t best = 0;
    bool bestGood = false;
    for (size_t i = 0; i < found.size(); ++i) {
      bool g = found[i].relError <= target();
      const Model &a = found[i].model, &b = found[best].model;
      if (g && (!bestGood || a.flops() < b.flops() ||
                (a.flops() == b.flops() &&
                 found[i].relError < found[best].relError))) {
        best = i;
        bestGood = true;
      } else if (!bestGood && !g && found[i].relError < found[best].relError) {
        best = i;
      }
    }
    out.model = std::move(found[best].model);
    out.method = found[best].method;
    out.froError = found[best].relError * norm_;
    out.relError = found[best].relError;
    out.rmse = out.froError / double(n_);
    out.exact = out.relError <= opt_.exactTolerance;
    out.attempts = attempts_;
    out.hier = hier_;
    out.seconds = timer.seconds();
    return true;
  }

private:
  double target() const {
    return opt_.tolerance >= 0 ? opt_.tolerance : opt_.exactTolerance;
  }
  bool useRealFirst() const {
    return realTarget_ && opt_.field != Field::Complex;
  }
  static bool has(const std::vector<Candidate> &v, Structure s) {
    for (auto &c : v)
      if (c.model.structure == s)
        return true;
    return false;
  }

  // c.relError < 0: not measured yet. False when the candidate is
  // dropped.
  bool add(std::vector<Candidate> &found, Candidate c, Structure s,
           double seconds = -1) {
    c.model.structure = s;
    if (opt_.field == Field::Real && !c.model.real()) {
      progress(std::string(structureName(s)) +
               ": skipped, its weights are complex (--field real)");
      return false;
    }
    if (c.relError < 0)
      c.relError = frobeniusError(c.model, T_) / norm_;
    Attempt a;
    a.structure = structureName(s);
    a.method = c.method;
    a.relError = c.relError;
    a.parameters = c.model.parameters();
    a.flops = c.model.flops();
    a.seconds = seconds >= 0 ? seconds : lastSeconds_;
    attempts_.push_back(a);
    progress(a.structure + ": relative error " + sci(a.relError) + " (" +
             a.method + ")");
    found.push_back(std::move(c));
    return true;
  }

  bool exactButterfly(Candidate &c) {
    Timer t;
    std::string how;
    HierStats st;
    bool ok = findExactButterfly(T_, useRealFirst(), opt_.exactTolerance,
                                 c.model, how, false, &c.relError, &st);
    lastSeconds_ = t.seconds();
    if (ok) {
      c.method = "exact: " + how;
      // The search runs the orthonormal l2r factorization.
      HierOptions o;
      o.realArithmetic = useRealFirst();
      recordHier(st, o, how, c.relError);
    }
    return ok;
  }

  void recordHier(const HierStats &st, const HierOptions &o,
                  const std::string &start, double relError) {
    hier_.present = true;
    hier_.start = start;
    hier_.scaling = o.scaling;
    hier_.tree = o.tree;
    hier_.realTwiddles = o.realArithmetic;
    hier_.guaranteed = st.guaranteed;
    hier_.splits = std::max(0, log2Exact(n_) - 1);
    hier_.relError = relError;
    hier_.relBound = st.bound() / norm_;
    hier_.relLower = st.lowerBound() / norm_;
  }

  // Best plain hierarchical start among the fixed orders (and the family for
  // small N), then L-BFGS. blocks = 2 appends an identity butterfly and
  // polishes both.
  void approximateButterfly(Candidate &c, int blocks) {
    Timer t;
    bool real = useRealFirst();
    struct Start {
      const char *name;
      bool decreasing;
      Perm rowOf, colOf;
    };
    Perm id = identityPerm(n_), br = bitrevPerm(n_);
    std::vector<Start> starts = {{"increasing strides", false, id, id},
                                 {"bit-reversed input", false, id, br},
                                 {"decreasing strides", true, id, id},
                                 {"decreasing, bit-reversed output", true, br,
                                  id}};
    if (n_ <= 256) {
      double res;
      Perm fam = searchFamily(T_, real, res);
      starts.push_back({"family permutation (greedy)", false, id, fam});
    }
    Candidate best;
    double bestErr = -1;
    HierStats bestStats;
    HierOptions o;
    o.tree = opt_.tree;
    o.scaling = opt_.scaling;
    o.realArithmetic = real;
    for (const Start &s : starts) {
      o.rowOf = &s.rowOf;
      o.colOf = &s.colOf;
      HierStats st;
      Butterfly b = factorHierarchical(T_, s.decreasing, o, &st);
      if (!isIdentity(s.colOf))
        b.inputPerm = s.colOf;
      Model m;
      m.structure = Structure::Butterfly;
      m.n = n_;
      m.butterflies.push_back(std::move(b));
      if (!isIdentity(s.rowOf))
        m.outputPerm = inversePerm(s.rowOf);
      double err = frobeniusError(m, T_);
      if (bestErr < 0 || err < bestErr) {
        bestErr = err;
        bestStats = st;
        best.model = std::move(m);
        best.method = std::string("hierarchical (") + s.name + ")";
      }
    }
    progress("hierarchical start: relative error " + sci(bestErr / norm_) +
             (bestStats.guaranteed
                  ? ", bound " + sci(bestStats.bound() / norm_) +
                        ", no butterfly of these strides better than " +
                        sci(bestStats.lowerBound() / norm_)
                  : std::string()) +
             " (" + best.method + ")");
    if (blocks == 1 && !hier_.present)
      recordHier(bestStats, o, best.method, bestErr / norm_);
    if (blocks == 2) {
      best.model.structure = Structure::Butterfly2;
      best.model.butterflies.push_back(Butterfly::identity(n_));
      best.method += " + identity butterfly";
    }
    if (opt_.polish) {
      Model m = best.model;
      PolishResult pr = polishButterflies(m, T_, real, opt_.polishOptions);
      std::string how = best.method + ", L-BFGS " +
                        std::to_string(pr.iterations) + " iterations";
      if (real && opt_.field == Field::Auto && blocks == 1) {
        // Complex twiddles have more freedom; keep them if clearly better.
        Model mc = best.model;
        PolishResult pc =
            polishButterflies(mc, T_, false, opt_.polishOptions);
        if (pc.finalError < 0.99 * pr.finalError) {
          m = std::move(mc);
          pr = pc;
          how = best.method + ", complex L-BFGS " +
                std::to_string(pc.iterations) + " iterations";
        }
      }
      if (blocks == 2) {
        // The identity start sits near a saddle; random starts of both
        // blocks (increasing strides, no permutations) do better.
        int starts = n_ <= 64 ? 4 : n_ <= 256 ? 2 : 1;
        Rng rng(12345);
        for (int k = 0; k < starts; ++k) {
          Model r;
          r.structure = Structure::Butterfly2;
          r.n = n_;
          for (int blk = 0; blk < 2; ++blk) {
            Butterfly b = Butterfly::identity(n_);
            for (cd &v : b.tw)
              v = real ? cd(rng.normal() * std::sqrt(0.5), 0)
                       : cd(rng.normal(), rng.normal()) * 0.5;
            r.butterflies.push_back(std::move(b));
          }
          PolishResult rr = polishButterflies(r, T_, real, opt_.polishOptions);
          progress("random start " + std::to_string(k + 1) + "/" +
                   std::to_string(starts) + ": relative error " +
                   sci(rr.finalError / norm_));
          if (rr.finalError < pr.finalError) {
            m = std::move(r);
            pr = rr;
            how = "random start " + std::to_string(k + 1) + " of " +
                  std::to_string(starts) + ", L-BFGS " +
                  std::to_string(rr.iterations) + " iterations";
          }
        }
      }
      if (pr.finalError < bestErr) {
        best.model = std::move(m);
        best.method = how;
      }
    }
    lastSeconds_ = t.seconds();
    c = std::move(best);
  }

  const MatC &T_;
  LearnOptions opt_;
  int64_t n_;
  double norm_;
  bool realTarget_;
  double lastSeconds_ = 0;
  std::vector<Attempt> attempts_;
  HierReport hier_;
};

} // namespace

bool learn(const MatC &T, const LearnOptions &opt, LearnResult &out,
           std::string &error) {
  if (T.rows() != T.cols() || T.rows() < 1) {
    error = "the matrix must be square";
    return false;
  }
  return Learner(T, opt).run(out, error);
}

} // namespace linop::learn
