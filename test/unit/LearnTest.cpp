// Tests of lib/learn: exact recovery, permutation discovery, projections,
// polish, spec emission and every bad-input path. Learned factorizations
// are evaluated through lib/reference (ref::butterfly, ref::monarch, ...),
// an implementation of docs/semantics.md independent of lib/learn.
#include "learn/Butterfly.h"
#include "learn/Emit.h"
#include "learn/Input.h"
#include "learn/Learn.h"
#include "learn/Permutation.h"
#include "learn/Plot.h"
#include "learn/Polish.h"
#include "learn/Project.h"
#include "learn/Search.h"
#include "learn/Targets.h"
#include "npy/Npy.h"
#include "reference/Math.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

using namespace linop::learn;
namespace ref = linop::ref;
namespace npy = linop::npy;

namespace {

MatC target(const std::string &spec) {
  Target t;
  std::string error;
  EXPECT_TRUE(makeTarget(spec, t, error)) << error;
  return t.matrix;
}

// The model's matrix, built from lib/reference only.
MatC refDense(const Model &m) {
  int64_t n = m.n;
  MatC M = MatC::Identity(n, n);
  switch (m.structure) {
  case Structure::Butterfly:
  case Structure::Butterfly2:
    for (const Butterfly &b : m.butterflies)
      M = ref::butterfly(b.tw, n, b.nblocks, b.decreasing, b.inputPerm) * M;
    break;
  case Structure::Monarch:
    M = ref::monarch(m.left, m.right, m.monarchB, m.monarchM);
    break;
  case Structure::Kron:
    M = m.kron[0];
    for (size_t k = 1; k < m.kron.size(); ++k)
      M = ref::kron(M, m.kron[k]);
    break;
  case Structure::Dense:
    M = m.dense;
    break;
  }
  if (!m.outputPerm.empty())
    M = ref::permMatrix(m.outputPerm) * M;
  return M;
}

double relErr(const MatC &a, const MatC &b) { return (a - b).norm() / b.norm(); }

Butterfly randomButterfly(Rng &rng, int64_t n, bool decreasing, bool real,
                          int nblocks = 1) {
  Butterfly b = Butterfly::identity(n, nblocks, decreasing);
  for (cd &v : b.tw)
    v = real ? cd(rng.normal(), 0) : cd(rng.normal(), rng.normal());
  return b;
}

Model single(const Butterfly &b) {
  Model m;
  m.structure = Structure::Butterfly;
  m.n = b.n;
  m.butterflies = {b};
  return m;
}

} // namespace

// ---- Targets ----------------------------------------------------------------

TEST(LearnTargets, MatchTheReferenceDefinitions) {
  for (int64_t n : {8, 16}) {
    double s = 1 / std::sqrt(double(n));
    EXPECT_LT(relErr(target("dft:" + std::to_string(n)),
                     ref::dft(n, false, ref::Norm::Sqrt)),
              1e-14);
    EXPECT_LT(relErr(target("idft:" + std::to_string(n)),
                     ref::dft(n, true, ref::Norm::Sqrt)),
              1e-14);
    EXPECT_LT(relErr(target("hadamard:" + std::to_string(n)),
                     ref::hadamard(n, ref::Norm::Sqrt)),
              1e-14);
    EXPECT_LT(relErr(target("hartley:" + std::to_string(n)),
                     ref::hartley(n, ref::Norm::Sqrt)),
              1e-14);
    // scipy's unnormalized DCT-II/DST-II are twice semantics.md's.
    EXPECT_LT(relErr(target("dct:" + std::to_string(n)),
                     2 * s * ref::dct(n, 2, ref::Norm::None)),
              1e-14);
    EXPECT_LT(relErr(target("dst:" + std::to_string(n)),
                     2 * s * ref::dst(n, 2, ref::Norm::None)),
              1e-14);
  }
  MatC c = target("convolution:8");
  for (int i = 0; i < 8; ++i)
    for (int j = 0; j < 8; ++j)
      EXPECT_EQ(c(i, j), c((i + 1) % 8, (j + 1) % 8));
  MatC l = target("legendre:4");
  for (int j = 0; j < 4; ++j) {
    double x = -1 + 2.0 * (j + 1) / 5.0;
    EXPECT_NEAR(l(0, j).real(), 0.5, 1e-15);
    EXPECT_NEAR(l(2, j).real(), 0.5 * (1.5 * x * x - 0.5), 1e-15);
  }
  EXPECT_EQ(target("randn:8"), target("randn:8"));
  Eigen::JacobiSVD<MatC> svd(target("hilbert:8"));
  EXPECT_NEAR(svd.singularValues()(0), 1.0, 1e-12);
}

// ---- Butterflies --------------------------------------------------------------

TEST(LearnButterfly, ApplyMatchesReference) {
  Rng rng(1);
  for (bool dec : {false, true}) {
    Butterfly b = randomButterfly(rng, 16, dec, false, 2);
    b.inputPerm = randomPerm(rng, 16);
    MatC want = ref::butterfly(b.tw, 16, 2, dec, b.inputPerm);
    EXPECT_LT(relErr(b.dense(), want), 1e-14);
    std::vector<cd> X(16 * 3);
    for (auto &v : X)
      v = cd(rng.normal(), rng.normal());
    std::vector<cd> Y = X;
    b.applyBatch(Y.data(), 3);
    for (int c = 0; c < 3; ++c) {
      std::vector<cd> v(16);
      for (int i = 0; i < 16; ++i)
        v[i] = X[i * 3 + c];
      b.apply(v.data());
      for (int i = 0; i < 16; ++i)
        EXPECT_LT(std::abs(v[i] - Y[i * 3 + c]), 1e-13);
    }
  }
}

TEST(LearnButterfly, ExactDftAndHadamardCrossCheckedByReference) {
  for (int64_t n : {2, 8, 64}) {
    for (const char *name : {"dft", "hadamard", "idft"}) {
      MatC T = target(std::string(name) + ":" + std::to_string(n));
      Model m;
      std::string how;
      double rel = -1;
      ASSERT_TRUE(findExactButterfly(T, isReal(T), 1e-12, m, how, false, &rel))
          << name << " " << n;
      EXPECT_LT(rel, 1e-13);
      EXPECT_LT(relErr(refDense(m), T), 1e-13) << name << " " << n << " " << how;
      // DFT_2 = [[1, 1], [1, -1]] is real (the shared unitRoot is exact at
      // half turns), as Hadamard is.
      EXPECT_EQ(m.real(), std::string(name) == "hadamard" || n == 2);
    }
  }
}

TEST(LearnButterfly, HierarchicalRecoversRandomButterflies) {
  Rng rng(2);
  for (bool dec : {false, true})
    for (bool real : {false, true})
      for (Tree tree : {Tree::LeftToRight, Tree::RightToLeft, Tree::Balanced}) {
        Butterfly b = randomButterfly(rng, 32, dec, real);
        MatC T = b.dense();
        HierOptions opt;
        opt.tree = tree;
        opt.realArithmetic = real;
        HierStats st;
        Butterfly got = factorHierarchical(T, dec, opt, &st);
        EXPECT_LT(relErr(got.dense(), T), 1e-12);
        EXPECT_LT(st.residual, 1e-20 * T.squaredNorm() + 1e-10);
        EXPECT_EQ(got.real(), real);
      }
}

TEST(LearnButterfly, TransposedIsTheTranspose) {
  Rng rng(3);
  Butterfly b = randomButterfly(rng, 16, false, false);
  Butterfly t = transposed(b);
  EXPECT_TRUE(t.decreasing);
  EXPECT_LT(relErr(t.dense(), MatC(b.dense().transpose())), 1e-14);
}

// ---- Error guarantee of the orthonormal hierarchical factorization ----------

MatC randomMatrix(Rng &rng, int64_t n, bool real) {
  MatC M(n, n);
  for (int64_t j = 0; j < n; ++j)
    for (int64_t i = 0; i < n; ++i)
      M(i, j) = real ? cd(rng.normal(), 0) : cd(rng.normal(), rng.normal());
  return M;
}

// ||B - T(rowOf, colOf)||_F with B built by lib/reference.
double hierError(const Butterfly &b, const MatC &T, const Perm &rowOf,
                 const Perm &colOf) {
  return (refDense(single(b)) - permuted(T, rowOf, colOf)).norm();
}

TEST(LearnGuarantee, OrthonormalErrorIsTheBoundWithinSqrtLMinus1) {
  setQuiet(true);
  Rng rng(20);
  for (int64_t n : {4, 16, 64})
    for (bool real : {true, false})
      for (bool dec : {false, true})
        for (Tree tree : {Tree::LeftToRight, Tree::RightToLeft}) {
          MatC T = randomMatrix(rng, n, real);
          Perm rowOf = randomPerm(rng, n), colOf = randomPerm(rng, n);
          HierOptions opt;
          opt.tree = tree;
          opt.realArithmetic = real;
          opt.rowOf = &rowOf;
          opt.colOf = &colOf;
          HierStats st;
          Butterfly b = factorHierarchical(T, dec, opt, &st);
          double err = hierError(b, T, rowOf, colOf), L = log2Exact(n);
          SCOPED_TRACE("n " + std::to_string(n) + (real ? " real" : " complex") +
                       (dec ? " decreasing" : " increasing") +
                       (tree == Tree::LeftToRight ? " l2r" : " r2l"));
          ASSERT_TRUE(st.guaranteed);
          // The levels add in quadrature: error = bound, not just <=.
          EXPECT_LE(err, st.bound() * (1 + 1e-10));
          EXPECT_GE(err, st.bound() * (1 - 1e-10));
          EXPECT_LE(st.bound(), std::sqrt(L - 1) * st.lowerBound() * (1 + 1e-12));
          EXPECT_GT(st.lowerBound(), 0.1 * T.norm()); // random: far from any
          // The lower bound holds for every butterfly with these strides and
          // permutations: L-BFGS from the result cannot get below it.
          Model m = single(b);
          PolishOptions po;
          po.maxIterations = 300;
          PolishResult pr = polishButterflies(m, permuted(T, rowOf, colOf),
                                              real, po);
          EXPECT_LT(pr.finalError, err * (1 + 1e-12));
          EXPECT_GE(pr.finalError, st.lowerBound() * (1 - 1e-9));
        }
}

TEST(LearnGuarantee, SymmetricScalingHasNoSuchIdentity) {
  // The identity above is a property of the orthonormal scaling: with
  // sqrt(sigma) on both sides the finished factors are no isometries and
  // the error is not the root of the summed residuals.
  Rng rng(21);
  int differ = 0;
  for (int k = 0; k < 4; ++k) {
    MatC T = randomMatrix(rng, 64, k % 2 == 0);
    Perm id = identityPerm(64);
    HierOptions opt;
    opt.scaling = Scaling::Symmetric;
    opt.realArithmetic = k % 2 == 0;
    HierStats st;
    Butterfly b = factorHierarchical(T, false, opt, &st);
    EXPECT_FALSE(st.guaranteed);
    double err = hierError(b, T, id, id);
    differ += std::abs(err - st.bound()) > 1e-3 * st.bound();
  }
  EXPECT_EQ(differ, 4);
}

TEST(LearnGuarantee, ExactButterflyPlusNoise) {
  // T = B0 + E: the best butterfly is at most ||E|| away, so the error is at
  // most sqrt(L-1) ||E|| and the lower bound at most ||E||; and the noise is
  // not absorbed by the butterfly, so the error is of the order of ||E||.
  Rng rng(22);
  for (int64_t n : {16, 128})
    for (bool real : {true, false})
      for (double eps : {1e-2, 1e-7, 1e-12}) {
        Butterfly b0 = randomButterfly(rng, n, false, real);
        MatC T0 = b0.dense();
        MatC E = randomMatrix(rng, n, real);
        E *= eps * T0.norm() / E.norm();
        MatC T = T0 + E;
        Perm id = identityPerm(n);
        HierOptions opt;
        opt.realArithmetic = real;
        HierStats st;
        Butterfly b = factorHierarchical(T, false, opt, &st);
        double err = hierError(b, T, id, id), noise = E.norm();
        double L = log2Exact(n);
        SCOPED_TRACE("n " + std::to_string(n) + " eps " + std::to_string(eps));
        EXPECT_LE(err, st.bound() * (1 + 1e-6) + 1e-14 * T.norm());
        EXPECT_LE(st.bound(), std::sqrt(L - 1) * noise * (1 + 1e-9));
        EXPECT_LE(st.lowerBound(), noise * (1 + 1e-9));
        EXPECT_GT(err, 0.3 * noise);
        EXPECT_GT(st.lowerBound(), 0.1 * noise);
      }
}

TEST(LearnGuarantee, DriverReportsTheBound) {
  setQuiet(true);
  LearnOptions opt;
  opt.autoStructure = false;
  opt.structure = Structure::Butterfly;
  opt.field = Field::Real; // the bounds are for real twiddles here
  opt.polishOptions.maxIterations = 200;
  LearnResult r;
  std::string error;
  ASSERT_TRUE(learn(target("randn:64"), opt, r, error)) << error;
  ASSERT_TRUE(r.hier.present);
  EXPECT_TRUE(r.hier.guaranteed);
  EXPECT_EQ(r.hier.splits, 5);
  EXPECT_NEAR(r.hier.relError, r.hier.relBound, 1e-10);
  EXPECT_LE(r.hier.relBound, std::sqrt(5.0) * r.hier.relLower * (1 + 1e-12));
  // Polish keeps the strides and permutations: it beats the start but not
  // the lower bound.
  EXPECT_LT(r.relError, r.hier.relError);
  EXPECT_GE(r.relError, r.hier.relLower * (1 - 1e-9));
  ReportInfo info;
  info.n = 64;
  EXPECT_NE(reportText(r, info).find("bound:"), std::string::npos);
  EXPECT_NE(reportJson(r, info).find("\"relative_bound\""), std::string::npos);
  // Exact targets: error and bound at rounding level.
  opt.field = Field::Auto;
  ASSERT_TRUE(learn(target("dft:64"), opt, r, error)) << error;
  ASSERT_TRUE(r.hier.present);
  EXPECT_LT(r.hier.relBound, 1e-14);
  EXPECT_LT(r.hier.relError, 1e-14);
  // Symmetric scaling: reported without a bound.
  opt.scaling = Scaling::Symmetric;
  ASSERT_TRUE(learn(target("legendre:32"), opt, r, error)) << error;
  ASSERT_TRUE(r.hier.present);
  EXPECT_FALSE(r.hier.guaranteed);
  EXPECT_NE(reportText(r, info).find("bound:        none"), std::string::npos);
}

// ---- Threads ------------------------------------------------------------------

TEST(LearnThreads, ResultsDoNotDependOnTheThreadCount) {
  setQuiet(true);
  // N = 1024: the first splits are cut into parts (Butterfly.cpp).
  MatC T = target("randn:1024");
  auto run = [&](int threads, Tree tree, double &residual) {
    setNumThreads(threads);
    HierOptions opt;
    opt.tree = tree;
    HierStats st;
    std::vector<cd> tw = factorHierarchical(T, false, opt, &st).tw;
    residual = st.residual;
    return tw;
  };
  for (Tree tree : {Tree::LeftToRight, Tree::RightToLeft, Tree::Balanced}) {
    double r1, r2, r3;
    std::vector<cd> one = run(1, tree, r1);
    EXPECT_EQ(one, run(2, tree, r2));
    EXPECT_EQ(one, run(3, tree, r3));
    EXPECT_EQ(r1, r2); // the residuals' summation order too
    EXPECT_EQ(r1, r3);
  }
  // The whole driver, polish included (bounded by iterations, not time).
  LearnOptions opt;
  opt.autoStructure = false;
  opt.structure = Structure::Butterfly;
  opt.polishOptions.maxIterations = 5;
  opt.polishOptions.maxSeconds = 1e9;
  LearnResult r1, r2;
  std::string error;
  setNumThreads(1);
  ASSERT_TRUE(learn(T, opt, r1, error)) << error;
  setNumThreads(2);
  ASSERT_TRUE(learn(T, opt, r2, error)) << error;
  setNumThreads(0);
  EXPECT_EQ(r1.relError, r2.relError);
  EXPECT_EQ(r1.method, r2.method);
  ASSERT_EQ(r1.model.butterflies.size(), r2.model.butterflies.size());
  for (size_t k = 0; k < r1.model.butterflies.size(); ++k)
    EXPECT_EQ(r1.model.butterflies[k].tw, r2.model.butterflies[k].tw);
}

// ---- Permutations -------------------------------------------------------------

TEST(LearnPermutation, FamilyContainsIdentityAndBitReversal) {
  EXPECT_EQ(familyPerm(32, std::vector<int>(4, 0)), identityPerm(32));
  EXPECT_EQ(familyPerm(32, std::vector<int>(4, 1)), bitrevPerm(32));
  Rng rng(4);
  std::vector<int> c(4);
  for (int &v : c)
    v = int(rng.below(8));
  EXPECT_TRUE(isPermutation(familyPerm(32, c), 32));
}

TEST(LearnPermutation, ReversalsAreAbsorbedByTwiddles) {
  // docs/learning.md: with every even/odd choice taken, any reversal bits
  // still give a butterfly after the bit reversal.
  Rng rng(5);
  Butterfly b = randomButterfly(rng, 32, false, false);
  std::vector<int> c(4);
  for (int &v : c)
    v = 1 | int(rng.below(4)) << 1;
  MatC T = ref::butterfly(b.tw, 32, 1, false, familyPerm(32, c));
  Perm br = bitrevPerm(32);
  HierOptions opt;
  opt.colOf = &br;
  Butterfly got = factorHierarchical(T, false, opt);
  got.inputPerm = br;
  EXPECT_LT(relErr(got.dense(), T), 1e-12);
}

TEST(LearnPermutation, FamilySearchFindsTheEvenOddChoices) {
  Rng rng(6);
  Butterfly b = randomButterfly(rng, 64, false, true);
  b.inputPerm = familyPerm(64, {1, 0, 1, 1, 0});
  MatC T = b.dense();
  Perm p;
  Butterfly got;
  ASSERT_TRUE(searchFamilyExact(T, true, 1e-12 * T.squaredNorm(), p, got));
  got.inputPerm = p;
  EXPECT_LT(relErr(got.dense(), T), 1e-12);
}

TEST(LearnPermutation, ShuffledDftRecoveredExactly) {
  Rng rng(7);
  int64_t n = 64;
  MatC F = target("dft:64");
  MatC T = permuted(F, randomPerm(rng, n), randomPerm(rng, n));
  Perm rowOf, colOf;
  std::string why;
  ASSERT_TRUE(clusterPermutations(T, 1e-6, rowOf, colOf, &why)) << why;
  Model m;
  std::string how;
  ASSERT_TRUE(findExactButterfly(T, false, 1e-12, m, how));
  EXPECT_LT(relErr(refDense(m), T), 1e-13) << how;
  EXPECT_FALSE(m.outputPerm.empty());
}

TEST(LearnPermutation, NonButterflyIsRejected) {
  MatC T = target("randn:16");
  Perm rowOf, colOf;
  EXPECT_FALSE(clusterPermutations(T, 1e-6, rowOf, colOf));
  Model m;
  std::string how;
  EXPECT_FALSE(findExactButterfly(T, true, 1e-10, m, how));
}

TEST(LearnSearch, TwoSparsePairing) {
  Rng rng(8);
  Butterfly b = Butterfly::identity(16);
  for (int64_t p = 0; p < 8; ++p)
    for (int k = 0; k < 4; ++k)
      b.t(0, 0, p, k / 2, k % 2) = cd(rng.normal(), 0);
  MatC T = permuted(b.dense(), randomPerm(rng, 16), randomPerm(rng, 16));
  Perm rowOf, colOf;
  ASSERT_TRUE(twoSparsePairing(T, rowOf, colOf));
  Model m;
  std::string how;
  ASSERT_TRUE(findExactButterfly(T, true, 1e-12, m, how));
  EXPECT_LT(relErr(refDense(m), T), 1e-13);
}

TEST(LearnSearch, TwoButterfliesForDctDstHartleyConvolution) {
  for (const char *name : {"dct:16", "dst:16", "hartley:16", "convolution:16",
                           "dct:4"}) {
    MatC T = target(name);
    Model m;
    std::string how;
    ASSERT_TRUE(findExactButterfly2(T, 1e-12, m, how)) << name;
    EXPECT_EQ(m.structure, Structure::Butterfly2);
    EXPECT_LT(relErr(refDense(m), T), 1e-13) << name << ": " << how;
  }
}

// ---- Projections --------------------------------------------------------------

TEST(LearnProject, MonarchOfAMonarchIsExact) {
  Rng rng(9);
  int64_t b = 4, mm = 8, n = b * mm;
  std::vector<cd> L(mm * b * b), R(b * mm * mm);
  for (auto &v : L)
    v = cd(rng.normal(), rng.normal());
  for (auto &v : R)
    v = cd(rng.normal(), rng.normal());
  MatC T = ref::monarch(L, R, b, mm);
  Model m = projectMonarch(T, b, false);
  EXPECT_LT(relErr(refDense(m), T), 1e-13);
  EXPECT_LT(relErr(m.toDense(), T), 1e-13);
  EXPECT_EQ(defaultMonarchBlocks(1024), 32);
  EXPECT_EQ(defaultMonarchBlocks(12), 3);
  (void)n;
}

TEST(LearnProject, KronOfAKronIsExact) {
  Rng rng(10);
  auto rnd = [&](int k) {
    MatC A(k, k);
    for (int64_t i = 0; i < A.size(); ++i)
      A.data()[i] = cd(rng.normal(), 0);
    return A;
  };
  MatC T = ref::kron(ref::kron(rnd(4), rnd(2)), rnd(4));
  Model m = projectKron(T, {4, 2, 4}, true);
  EXPECT_TRUE(m.real());
  EXPECT_LT(relErr(refDense(m), T), 1e-12);
  EXPECT_EQ(kronSizes(1024, 2), (std::vector<int64_t>{32, 32}));
  EXPECT_EQ(kronSizes(8, 3), (std::vector<int64_t>{2, 2, 2}));
  EXPECT_EQ(kronSizes(12, 2), (std::vector<int64_t>{4, 3}));
  EXPECT_TRUE(kronSizes(7, 2).empty());
  // Hadamard is a Kronecker power: exact with 2 factors.
  MatC H = target("hadamard:16");
  EXPECT_LT(relErr(refDense(projectKron(H, {4, 4}, true)), H), 1e-13);
}

// ---- Polish --------------------------------------------------------------------

TEST(LearnPolish, GradientMatchesFiniteDifferences) {
  Rng rng(11);
  for (bool real : {false, true}) {
    Model m;
    m.structure = Structure::Butterfly2;
    m.n = 8;
    m.butterflies = {randomButterfly(rng, 8, false, real),
                     randomButterfly(rng, 8, true, real)};
    m.butterflies[1].inputPerm = randomPerm(rng, 8);
    m.outputPerm = randomPerm(rng, 8);
    MatC T = target("randn:8");
    if (!real)
      T += cd(0, 1) * target("legendre:8");
    std::vector<double> g, dummy;
    polishLoss(m, T, real, g);
    std::vector<cd *> slots;
    for (Butterfly &b : m.butterflies)
      for (cd &v : b.tw)
        slots.push_back(&v);
    int per = real ? 1 : 2;
    ASSERT_EQ(g.size(), slots.size() * per);
    // A sample of the coordinates is enough.
    for (size_t k = 0; k < g.size(); k += 7) {
      cd *v = slots[k / per];
      cd saved = *v, h = (k % per) ? cd(0, 1e-6) : cd(1e-6, 0);
      *v = saved + h;
      double fp = polishLoss(m, T, real, dummy);
      *v = saved - h;
      double fm = polishLoss(m, T, real, dummy);
      *v = saved;
      EXPECT_NEAR(g[k], (fp - fm) / 2e-6, 1e-5 * (1 + std::abs(g[k])));
    }
  }
}

TEST(LearnPolish, DecreasesTheLoss) {
  MatC T = target("legendre:16");
  HierOptions opt;
  opt.realArithmetic = true;
  Model m = single(factorHierarchical(T, false, opt));
  double before = frobeniusError(m, T);
  PolishOptions po;
  po.maxIterations = 200;
  PolishResult r = polishButterflies(m, T, true, po);
  EXPECT_NEAR(r.initialError, before, 1e-12);
  EXPECT_LT(r.finalError, 0.99 * before);
  EXPECT_NEAR(frobeniusError(m, T), r.finalError, 1e-9);
}

// ---- The driver ----------------------------------------------------------------

TEST(LearnLearn, AutoPicksTheCheapestExactStructure) {
  setQuiet(true);
  LearnOptions opt;
  LearnResult r;
  std::string error;
  ASSERT_TRUE(learn(target("dft:32"), opt, r, error)) << error;
  EXPECT_EQ(r.model.structure, Structure::Butterfly);
  EXPECT_TRUE(r.exact);
  ASSERT_TRUE(learn(target("convolution:16"), opt, r, error)) << error;
  EXPECT_EQ(r.model.structure, Structure::Butterfly2);
  EXPECT_TRUE(r.exact);
  opt.autoStructure = false;
  opt.structure = Structure::Kron;
  ASSERT_TRUE(learn(target("hadamard:16"), opt, r, error)) << error;
  EXPECT_TRUE(r.exact);
  EXPECT_NEAR(r.rmse, r.froError / 16, 1e-30);
}

// ---- Emission ------------------------------------------------------------------

TEST(LearnEmit, SpecForABitReversedDft) {
  MatC T = target("dft:8");
  Model m;
  std::string how;
  ASSERT_TRUE(findExactButterfly(T, false, 1e-12, m, how));
  EmitOptions eo;
  eo.name = "dft_8";
  std::string spec = emitSpec(m, eo);
  EXPECT_NE(spec.find("func.func @dft_8(%x: tensor<?x8xcomplex<f32>>) -> "
                      "tensor<?x8xcomplex<f32>>"),
            std::string::npos)
      << spec;
  EXPECT_NE(spec.find("%tw = arith.constant dense_resource<dft_8_tw> : "
                      "tensor<1x3x4x2x2xcomplex<f32>>"),
            std::string::npos);
  EXPECT_NE(spec.find("linop.butterfly %tw {input_perm = array<i64: 0, 4, 2, "
                      "6, 1, 5, 3, 7>}"),
            std::string::npos);
  // 4-byte alignment header, then 48 complex<f32> = 384 bytes.
  size_t at = spec.find("dft_8_tw: \"0x04000000");
  ASSERT_NE(at, std::string::npos);
  size_t end = spec.find('"', at + 11);
  EXPECT_EQ(end - (at + 11), size_t(2 + 8 + 2 * 384));
  eo.weightsAsArgs = true;
  spec = emitSpec(m, eo);
  EXPECT_NE(spec.find("%tw: tensor<1x3x4x2x2xcomplex<f32>>"), std::string::npos);
  EXPECT_EQ(spec.find("dialect_resources"), std::string::npos);
  npy::Array a = weightArray(modelWeights(m)[0], false, false);
  EXPECT_EQ(a.dtype, npy::DType::C64);
  EXPECT_EQ(a.shape, (std::vector<int64_t>{1, 3, 4, 2, 2}));
  // Rounding to f32 costs about 1e-7.
  double r = frobeniusError(roundedModel(m, false), T) / T.norm();
  EXPECT_LT(r, 1e-6);
  EXPECT_GT(r, 1e-10);
}

TEST(LearnEmit, OutputPermutationIsComposedOnTheLeft) {
  Rng rng(12);
  Model m = single(randomButterfly(rng, 4, true, true));
  m.outputPerm = {1, 0, 3, 2};
  EmitOptions eo;
  eo.name = "f";
  eo.f64 = true;
  std::string spec = emitSpec(m, eo);
  EXPECT_NE(spec.find("linop.butterfly %tw {decreasing}"), std::string::npos)
      << spec;
  EXPECT_NE(spec.find("%P = linop.perm [1, 0, 3, 2] : !linop.op<4x4, f64>"),
            std::string::npos);
  EXPECT_NE(spec.find("%A = linop.compose %P, %B0 : (!linop.op<4x4, f64>, "
                      "!linop.op<4x4, f64>) -> !linop.op<4x4, f64>"),
            std::string::npos);
  EXPECT_NE(spec.find("f_tw: \"0x08000000"), std::string::npos);
}

TEST(LearnEmit, PngSignature) {
  std::vector<uint8_t> png = encodePng(2, 1, {0, 0, 0, 255, 255, 255});
  ASSERT_GT(png.size(), 8u);
  EXPECT_EQ(png[1], 'P');
  EXPECT_EQ(png[12], 'I');
}

// ---- Bad input -----------------------------------------------------------------

TEST(LearnInput, EveryBadInputHasAMessage) {
  std::vector<std::string> notes;
  std::string error;
  MatC nan = MatC::Identity(4, 4);
  nan(1, 2) = cd(NAN, 0);
  EXPECT_FALSE(prepareMatrix(nan, false, notes, error));
  EXPECT_NE(error.find("NaN or infinite entry at [1, 2]"), std::string::npos);
  MatC inf = MatC::Identity(4, 4);
  inf(3, 3) = cd(0, INFINITY);
  EXPECT_FALSE(prepareMatrix(inf, false, notes, error));
  MatC rect = MatC::Ones(3, 5);
  EXPECT_FALSE(prepareMatrix(rect, false, notes, error));
  EXPECT_NE(error.find("3x5"), std::string::npos);
  EXPECT_TRUE(prepareMatrix(rect, true, notes, error)) << error;
  EXPECT_EQ(rect.rows(), 8);
  EXPECT_EQ(rect.cols(), 8);
  MatC zero = MatC::Zero(4, 4);
  EXPECT_FALSE(prepareMatrix(zero, false, notes, error));
  EXPECT_NE(error.find("all zeros"), std::string::npos);
  MatC one = MatC::Ones(1, 1);
  EXPECT_FALSE(prepareMatrix(one, false, notes, error));
  notes.clear();
  MatC singular = MatC::Ones(4, 4);
  EXPECT_TRUE(prepareMatrix(singular, false, notes, error));
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("singular"), std::string::npos);

  MatC T;
  bool realInput;
  std::string dir = testing::TempDir();
  EXPECT_FALSE(readMatrixNpy(dir + "/does_not_exist.npy", T, realInput, notes,
                             error));
  EXPECT_NE(error.find("cannot read"), std::string::npos);
  std::ofstream(dir + "/garbage.npy") << "not a npy file";
  EXPECT_FALSE(readMatrixNpy(dir + "/garbage.npy", T, realInput, notes, error));
  npy::Array a3 = npy::fromComplex128(npy::DType::F32, {2, 2, 2},
                                      std::vector<cd>(8, cd(1)));
  ASSERT_TRUE(npy::write(dir + "/cube.npy", a3, error));
  EXPECT_FALSE(readMatrixNpy(dir + "/cube.npy", T, realInput, notes, error));
  EXPECT_NE(error.find("2-D"), std::string::npos);
  ASSERT_TRUE(writeMatrixNpy(dir + "/ok.npy", target("dft:4"), error));
  EXPECT_TRUE(readMatrixNpy(dir + "/ok.npy", T, realInput, notes, error));
  EXPECT_FALSE(realInput);
  EXPECT_LT(relErr(T, target("dft:4")), 1e-16);

  Target t;
  EXPECT_FALSE(makeTarget("nosuch:8", t, error));
  EXPECT_FALSE(makeTarget("dft", t, error));
  EXPECT_FALSE(makeTarget("dft:0", t, error));
  EXPECT_FALSE(makeTarget("dft:8x", t, error));
  EXPECT_FALSE(makeTarget("hadamard:12", t, error));

  setQuiet(true);
  LearnOptions opt;
  opt.autoStructure = false;
  LearnResult r;
  opt.structure = Structure::Butterfly;
  EXPECT_FALSE(learn(target("dft:12"), opt, r, error));
  EXPECT_NE(error.find("power of two"), std::string::npos);
  opt.field = Field::Real;
  EXPECT_FALSE(learn(target("dft:8"), opt, r, error));
  opt.field = Field::Auto;
  opt.structure = Structure::Kron;
  opt.kronFactors = 5;
  EXPECT_FALSE(learn(target("dft:8"), opt, r, error));
  opt.structure = Structure::Monarch;
  opt.monarchBlocks = 5;
  EXPECT_FALSE(learn(target("dft:16"), opt, r, error));
  EXPECT_FALSE(learn(MatC::Ones(2, 3), opt, r, error));
}
