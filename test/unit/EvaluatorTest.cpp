//===- EvaluatorTest.cpp - linop IR through the dense reference evaluator -===//
//
// RefMathTest checks the math against independent formulas; this checks
// that each op's IR reaches that math with the right sizes, scalings,
// families, constants and element types, again against direct formulas.
//
//===----------------------------------------------------------------------===//

#include "linop/Dialect/LinopDialect.h"
#include "reference/Evaluator.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

using namespace mlir;
using namespace linop::ref;

namespace {

const double kPi = 3.14159265358979323846;

class EvaluatorTest : public ::testing::Test {
protected:
  EvaluatorTest() {
    DialectRegistry registry;
    registry.insert<linop::LinopDialect, func::FuncDialect,
                    arith::ArithDialect, complex::ComplexDialect,
                    tensor::TensorDialect>();
    ctx.appendDialectRegistry(registry);
    ctx.loadAllAvailableDialects();
  }

  func::FuncOp parse(const std::string &src, const char *name = "f") {
    module = parseSourceString<ModuleOp>(src, &ctx);
    if (!module)
      return nullptr;
    return module->lookupSymbol<func::FuncOp>(name);
  }

  /// Runs `src`'s @f on `args`; fails the test on error.
  std::vector<Tensor> run(const std::string &src,
                          const std::vector<Tensor> &args) {
    func::FuncOp f = parse(src);
    EXPECT_TRUE(f) << "did not parse:\n" << src;
    if (!f)
      return {};
    auto r = evaluate(f, args);
    EXPECT_TRUE(succeeded(r));
    return succeeded(r) ? *r : std::vector<Tensor>{};
  }

  static Tensor random(std::vector<int64_t> shape, bool cplx, uint64_t seed) {
    Rng rng(seed);
    Tensor t{shape, {}};
    for (int64_t i = 0; i < t.numElements(); ++i)
      t.data.push_back(cplx ? rng.complexUniform() : cd(rng.uniform(), 0));
    return t;
  }

  static double relErr(const std::vector<cd> &got, const std::vector<cd> &want) {
    double num = 0, den = 0;
    EXPECT_EQ(got.size(), want.size());
    for (size_t i = 0; i < std::min(got.size(), want.size()); ++i) {
      num += std::norm(got[i] - want[i]);
      den += std::norm(want[i]);
    }
    return std::sqrt(num / den);
  }

  MLIRContext ctx;
  OwningOpRef<ModuleOp> module;
};

TEST_F(EvaluatorTest, DftAppliedToBatchMatchesTheSum) {
  for (int64_t n : {1, 5, 8, 12}) {
    std::string t = "tensor<?x" + std::to_string(n) + "xcomplex<f32>>";
    std::string op = "!linop.op<" + std::to_string(n) + "x" + std::to_string(n) +
                     ", complex<f32>>";
    std::string src = "func.func @f(%x: " + t + ") -> " + t +
                      " {\n %F = linop.dft norm = sqrt : " + op +
                      "\n %y = linop.apply %F, %x : (" + op + ", " + t +
                      ") -> " + t + "\n return %y : " + t + "\n}";
    Tensor x = random({3, n}, true, 7 + n);
    auto y = run(src, {x});
    ASSERT_EQ(y.size(), 1u);
    std::vector<cd> want;
    for (int64_t b = 0; b < 3; ++b)
      for (int64_t k = 0; k < n; ++k) {
        cd s = 0;
        for (int64_t j = 0; j < n; ++j)
          s += x.data[b * n + j] * std::polar(1.0, -2 * kPi * j * k / n);
        want.push_back(s / std::sqrt(double(n)));
      }
    EXPECT_LT(relErr(y[0].data, want), 1e-13) << "n = " << n;
  }
}

TEST_F(EvaluatorTest, RdftThenIrdftIsTheIdentityOnRealData) {
  // numpy: irfft(rfft(x)) == x; irfft is irdft with norm = full.
  for (int64_t n : {7, 8}) {
    int64_t k = n / 2 + 1;
    std::string N = std::to_string(n), K = std::to_string(k);
    std::string src =
        "func.func @f(%x: tensor<2x" + N + "xf64>) -> tensor<2x" + N + "xf64> {\n"
        " %R = linop.rdft : !linop.op<" + K + "x" + N + ", f64 -> complex<f64>>\n"
        " %I = linop.irdft norm = full : !linop.op<" + N + "x" + K + ", complex<f64> -> f64>\n"
        " %X = linop.apply %R, %x : (!linop.op<" + K + "x" + N + ", f64 -> complex<f64>>, tensor<2x" + N + "xf64>) -> tensor<2x" + K + "xcomplex<f64>>\n"
        " %y = linop.apply %I, %X : (!linop.op<" + N + "x" + K + ", complex<f64> -> f64>, tensor<2x" + K + "xcomplex<f64>>) -> tensor<2x" + N + "xf64>\n"
        " return %y : tensor<2x" + N + "xf64>\n}";
    Tensor x = random({2, n}, false, 3);
    auto y = run(src, {x});
    ASSERT_EQ(y.size(), 1u);
    EXPECT_LT(relErr(y[0].data, x.data), 1e-13) << "n = " << n;
  }
}

TEST_F(EvaluatorTest, IrdftIgnoresTheImaginaryPartOfDcAsNumpyDoes) {
  // numpy.fft.irfft([1+5j, 0, 0], n=4) == [0.25]*4: Im X[0] is dropped.
  std::string src = R"(
func.func @f(%x: tensor<3xcomplex<f64>>) -> tensor<4xf64> {
  %I = linop.irdft norm = full : !linop.op<4x3, complex<f64> -> f64>
  %y = linop.apply %I, %x : (!linop.op<4x3, complex<f64> -> f64>, tensor<3xcomplex<f64>>) -> tensor<4xf64>
  return %y : tensor<4xf64>
})";
  Tensor x{{3}, {cd(1, 5), 0, 0}};
  auto y = run(src, {x});
  ASSERT_EQ(y.size(), 1u);
  EXPECT_LT(relErr(y[0].data, {0.25, 0.25, 0.25, 0.25}), 1e-15);
}

TEST_F(EvaluatorTest, ConstantsDecodeInEveryElementType) {
  // 1.5, -2 as f16 (0x3E00, 0xC000), bf16 (0x3FC0, 0xC000), and complex<f32>
  // (1.5 - 2i) from a resource blob; dense<> literals for f64.
  std::string src = R"(
func.func @f() -> (!linop.op<2x2, f16>, !linop.op<2x2, bf16>, !linop.op<1x1, complex<f32>>, !linop.op<2x2, f64>) {
  %a = arith.constant dense_resource<h> : tensor<2xf16>
  %b = arith.constant dense_resource<b> : tensor<2xbf16>
  %c = arith.constant dense_resource<c> : tensor<1xcomplex<f32>>
  %d = arith.constant dense<[1.5, -2.0]> : tensor<2xf64>
  %A = linop.diag %a : (tensor<2xf16>) -> !linop.op<2x2, f16>
  %B = linop.diag %b : (tensor<2xbf16>) -> !linop.op<2x2, bf16>
  %C = linop.diag %c : (tensor<1xcomplex<f32>>) -> !linop.op<1x1, complex<f32>>
  %D = linop.diag %d : (tensor<2xf64>) -> !linop.op<2x2, f64>
  return %A, %B, %C, %D : !linop.op<2x2, f16>, !linop.op<2x2, bf16>, !linop.op<1x1, complex<f32>>, !linop.op<2x2, f64>
}
{-#
  dialect_resources: { builtin: {
    h: "0x02000000003E00C0",
    b: "0x02000000C03F00C0",
    c: "0x040000000000C03F000000C0"
  } }
#-})";
  auto y = run(src, {});
  ASSERT_EQ(y.size(), 4u);
  std::vector<cd> diag = {1.5, 0, 0, -2};
  EXPECT_EQ(y[0].data, diag);
  EXPECT_EQ(y[1].data, diag);
  EXPECT_EQ(y[2].data, std::vector<cd>{cd(1.5, -2)});
  EXPECT_EQ(y[3].data, diag);
}

TEST_F(EvaluatorTest, ResourceOfTheWrongSizeIsAnError) {
  func::FuncOp f = parse(R"(
func.func @f() -> !linop.op<3x3, f32> {
  %a = arith.constant dense_resource<r> : tensor<3xf32>
  %A = linop.diag %a : (tensor<3xf32>) -> !linop.op<3x3, f32>
  return %A : !linop.op<3x3, f32>
}
{-# dialect_resources: { builtin: { r: "0x040000000000803F" } } #-})");
  ASSERT_TRUE(f);
  ScopedDiagnosticHandler silence(&ctx, [](Diagnostic &) { return success(); });
  EXPECT_TRUE(failed(evaluate(f, {})));
}

TEST_F(EvaluatorTest, PerChannelCausalConvolutionMatchesTheDirectLoop) {
  // x: [B=2, C=3, L=8], kernel [C=3, K=4]: channel c uses kernel c.
  std::string src = R"(
func.func @f(%x: tensor<2x3x8xf32>, %k: tensor<3x4xf32>) -> tensor<2x3x8xf32> {
  %K = linop.conv causal %k : (tensor<3x4xf32>) -> !linop.op<[3] 8x8, f32>
  %y = linop.apply %K, %x : (!linop.op<[3] 8x8, f32>, tensor<2x3x8xf32>) -> tensor<2x3x8xf32>
  return %y : tensor<2x3x8xf32>
})";
  Tensor x = random({2, 3, 8}, false, 1), k = random({3, 4}, false, 2);
  auto y = run(src, {x, k});
  ASSERT_EQ(y.size(), 1u);
  std::vector<cd> want;
  for (int b = 0; b < 2; ++b)
    for (int c = 0; c < 3; ++c)
      for (int i = 0; i < 8; ++i) {
        cd s = 0;
        for (int j = 0; j < 4 && j <= i; ++j)
          s += k.data[c * 4 + j] * x.data[(b * 3 + c) * 8 + i - j];
        want.push_back(s);
      }
  EXPECT_LT(relErr(y[0].data, want), 1e-14);
}

TEST_F(EvaluatorTest, GatedConvolutionBroadcastsFamilies) {
  // y = post * conv(pre * u, k): families [B, C] and [C].
  std::string src = R"(
func.func @f(%u: tensor<2x3x6xf64>, %pre: tensor<2x3x6xf64>, %post: tensor<2x3x6xf64>, %k: tensor<3x6xf64>) -> tensor<2x3x6xf64> {
  %Pre = linop.diag %pre : (tensor<2x3x6xf64>) -> !linop.op<[2, 3] 6x6, f64>
  %Post = linop.diag %post : (tensor<2x3x6xf64>) -> !linop.op<[2, 3] 6x6, f64>
  %K = linop.conv causal %k : (tensor<3x6xf64>) -> !linop.op<[3] 6x6, f64>
  %G = linop.compose %Post, %K, %Pre : (!linop.op<[2, 3] 6x6, f64>, !linop.op<[3] 6x6, f64>, !linop.op<[2, 3] 6x6, f64>) -> !linop.op<[2, 3] 6x6, f64>
  %y = linop.apply %G, %u : (!linop.op<[2, 3] 6x6, f64>, tensor<2x3x6xf64>) -> tensor<2x3x6xf64>
  return %y : tensor<2x3x6xf64>
})";
  Tensor u = random({2, 3, 6}, false, 1), pre = random({2, 3, 6}, false, 2),
         post = random({2, 3, 6}, false, 3), k = random({3, 6}, false, 4);
  auto y = run(src, {u, pre, post, k});
  ASSERT_EQ(y.size(), 1u);
  std::vector<cd> want;
  for (int b = 0; b < 2; ++b)
    for (int c = 0; c < 3; ++c)
      for (int i = 0; i < 6; ++i) {
        cd s = 0;
        for (int j = 0; j <= i; ++j) {
          int r = (b * 3 + c) * 6 + i - j;
          s += k.data[c * 6 + j] * pre.data[r] * u.data[r];
        }
        want.push_back(post.data[(b * 3 + c) * 6 + i] * s);
      }
  EXPECT_LT(relErr(y[0].data, want), 1e-14);
}

TEST_F(EvaluatorTest, ComposeAppliesFactorsInTurnAsItsMatrixWould) {
  // apply(compose) runs factor by factor (a full convolution changes the
  // length, a dense factor has a matrix); @g returns the same operator's
  // matrix, materialized by composing, and applying it must agree.
  std::string src = R"(
func.func @f(%x: tensor<2x5xf64>, %k: tensor<3xf64>, %d: tensor<7xf64>, %w: tensor<4x7xf64>) -> tensor<2x4xf64> {
  %K = linop.conv full %k : (tensor<3xf64>) -> !linop.op<7x5, f64>
  %D = linop.diag %d : (tensor<7xf64>) -> !linop.op<7x7, f64>
  %W = linop.dense %w : (tensor<4x7xf64>) -> !linop.op<4x7, f64>
  %G = linop.compose %W, %D, %K : (!linop.op<4x7, f64>, !linop.op<7x7, f64>, !linop.op<7x5, f64>) -> !linop.op<4x5, f64>
  %y = linop.apply %G, %x : (!linop.op<4x5, f64>, tensor<2x5xf64>) -> tensor<2x4xf64>
  return %y : tensor<2x4xf64>
}
func.func @g(%k: tensor<3xf64>, %d: tensor<7xf64>, %w: tensor<4x7xf64>) -> !linop.op<4x5, f64> {
  %K = linop.conv full %k : (tensor<3xf64>) -> !linop.op<7x5, f64>
  %D = linop.diag %d : (tensor<7xf64>) -> !linop.op<7x7, f64>
  %W = linop.dense %w : (tensor<4x7xf64>) -> !linop.op<4x7, f64>
  %G = linop.compose %W, %D, %K : (!linop.op<4x7, f64>, !linop.op<7x7, f64>, !linop.op<7x5, f64>) -> !linop.op<4x5, f64>
  return %G : !linop.op<4x5, f64>
})";
  Tensor x = random({2, 5}, false, 1), k = random({3}, false, 2),
         d = random({7}, false, 3), w = random({4, 7}, false, 4);
  auto y = run(src, {x, k, d, w});
  ASSERT_EQ(y.size(), 1u);
  func::FuncOp g = module->lookupSymbol<func::FuncOp>("g");
  ASSERT_TRUE(g);
  auto m = evaluate(g, {k, d, w});
  ASSERT_TRUE(succeeded(m));
  ASSERT_EQ((*m)[0].shape, (std::vector<int64_t>{4, 5}));
  std::vector<cd> want;
  for (int r = 0; r < 2; ++r)
    for (int i = 0; i < 4; ++i) {
      cd s = 0;
      for (int j = 0; j < 5; ++j)
        s += (*m)[0].data[i * 5 + j] * x.data[r * 5 + j];
      want.push_back(s);
    }
  EXPECT_LT(relErr(y[0].data, want), 1e-14);
}

TEST_F(EvaluatorTest, CompareFunctionsTellsOperatorsApartOnRandomRows) {
  // Operator results are compared applied to the same random rows: equal
  // operators built two ways agree, a DFT and its inverse do not, and
  // neither do maps that differ only on the imaginary part of the input.
  std::string src = R"(
func.func @kron() -> !linop.op<8x8, complex<f64>> {
  %F = linop.dft : !linop.op<4x4, complex<f64>>
  %I = linop.identity : !linop.op<2x2, complex<f64>>
  %K = linop.kron %F, %I : (!linop.op<4x4, complex<f64>>, !linop.op<2x2, complex<f64>>) -> !linop.op<8x8, complex<f64>>
  return %K : !linop.op<8x8, complex<f64>>
}
func.func @compose() -> !linop.op<8x8, complex<f64>> {
  %F = linop.dft : !linop.op<4x4, complex<f64>>
  %I = linop.identity : !linop.op<2x2, complex<f64>>
  %K = linop.kron %F, %I : (!linop.op<4x4, complex<f64>>, !linop.op<2x2, complex<f64>>) -> !linop.op<8x8, complex<f64>>
  %J = linop.identity : !linop.op<8x8, complex<f64>>
  %C = linop.compose %J, %K, %J : (!linop.op<8x8, complex<f64>>, !linop.op<8x8, complex<f64>>, !linop.op<8x8, complex<f64>>) -> !linop.op<8x8, complex<f64>>
  return %C : !linop.op<8x8, complex<f64>>
}
func.func @inverse() -> !linop.op<8x8, complex<f64>> {
  %F = linop.dft inverse : !linop.op<4x4, complex<f64>>
  %I = linop.identity : !linop.op<2x2, complex<f64>>
  %K = linop.kron %F, %I : (!linop.op<4x4, complex<f64>>, !linop.op<2x2, complex<f64>>) -> !linop.op<8x8, complex<f64>>
  return %K : !linop.op<8x8, complex<f64>>
}
func.func @identity() -> !linop.op<4x4, complex<f64>> {
  %I = linop.identity : !linop.op<4x4, complex<f64>>
  return %I : !linop.op<4x4, complex<f64>>
}
func.func @real_part() -> !linop.op<4x4, complex<f64>> {
  %R = linop.real : !linop.op<4x4, complex<f64> -> f64>
  %P = linop.promote : !linop.op<4x4, f64 -> complex<f64>>
  %C = linop.compose %P, %R : (!linop.op<4x4, f64 -> complex<f64>>, !linop.op<4x4, complex<f64> -> f64>) -> !linop.op<4x4, complex<f64>>
  return %C : !linop.op<4x4, complex<f64>>
}
)";
  module = parseSourceString<ModuleOp>(src, &ctx);
  ASSERT_TRUE(module);
  auto fn = [&](const char *name) {
    return module->lookupSymbol<func::FuncOp>(name);
  };
  auto same = compareFunctions(fn("kron"), fn("compose"));
  ASSERT_TRUE(succeeded(same));
  EXPECT_LT(*same, 1e-14);
  auto differ = compareFunctions(fn("kron"), fn("inverse"));
  ASSERT_TRUE(succeeded(differ));
  EXPECT_GT(*differ, 0.1);
  auto realPart = compareFunctions(fn("identity"), fn("real_part"));
  ASSERT_TRUE(succeeded(realPart));
  EXPECT_GT(*realPart, 0.1);
}

TEST_F(EvaluatorTest, KronOfRealAndComplexActsOnComplexData) {
  // (H2 (x) F4) x == reshape(x, [2, 4]) -> H2 on axis 0, F4 on axis 1.
  std::string src = R"(
func.func @f(%x: tensor<1x8xcomplex<f64>>) -> tensor<1x8xcomplex<f64>> {
  %H = linop.hadamard : !linop.op<2x2, f64>
  %F = linop.dft : !linop.op<4x4, complex<f64>>
  %K = linop.kron %H, %F : (!linop.op<2x2, f64>, !linop.op<4x4, complex<f64>>) -> !linop.op<8x8, complex<f64>>
  %y = linop.apply %K, %x : (!linop.op<8x8, complex<f64>>, tensor<1x8xcomplex<f64>>) -> tensor<1x8xcomplex<f64>>
  return %y : tensor<1x8xcomplex<f64>>
})";
  Tensor x = random({1, 8}, true, 9);
  auto y = run(src, {x});
  ASSERT_EQ(y.size(), 1u);
  std::vector<cd> want(8);
  for (int a = 0; a < 2; ++a)
    for (int k = 0; k < 4; ++k)
      for (int b = 0; b < 2; ++b)
        for (int j = 0; j < 4; ++j)
          want[a * 4 + k] += (a & b ? -1.0 : 1.0) *
                             std::polar(1.0, -2 * kPi * j * k / 4) *
                             x.data[b * 4 + j];
  EXPECT_LT(relErr(y[0].data, want), 1e-14);
}

TEST_F(EvaluatorTest, RecurrenceOpMatchesItsDefinition) {
  // Scalar gate, additive, with an initial state, B=1 T=5 H=2 Dk=3 Dv=2.
  std::string src = R"(
func.func @f(%q: tensor<1x5x2x3xf32>, %k: tensor<1x5x2x3xf32>, %v: tensor<1x5x2x2xf32>, %g: tensor<1x5x2xf32>, %h: tensor<1x2x3x2xf32>)
    -> (tensor<1x5x2x2xf32>, tensor<1x2x3x2xf32>) {
  %o, %s = linop.recurrence %q, %k, %v gate = scalar(%g) update = additive init(%h) {scale = 0.5 : f64}
    : (tensor<1x5x2x3xf32>, tensor<1x5x2x3xf32>, tensor<1x5x2x2xf32>, tensor<1x5x2xf32>, tensor<1x2x3x2xf32>) -> (tensor<1x5x2x2xf32>, tensor<1x2x3x2xf32>)
  return %o, %s : tensor<1x5x2x2xf32>, tensor<1x2x3x2xf32>
})";
  Tensor q = random({1, 5, 2, 3}, false, 1), k = random({1, 5, 2, 3}, false, 2),
         v = random({1, 5, 2, 2}, false, 3), g = random({1, 5, 2}, false, 4),
         h = random({1, 2, 3, 2}, false, 5);
  auto y = run(src, {q, k, v, g, h});
  ASSERT_EQ(y.size(), 2u);
  std::vector<cd> wantO(20), wantS(12);
  for (int hh = 0; hh < 2; ++hh) {
    double S[3][2];
    for (int a = 0; a < 3; ++a)
      for (int b = 0; b < 2; ++b)
        S[a][b] = h.data[(hh * 3 + a) * 2 + b].real();
    for (int t = 0; t < 5; ++t) {
      double decay = std::exp(g.data[t * 2 + hh].real());
      for (int a = 0; a < 3; ++a)
        for (int b = 0; b < 2; ++b)
          S[a][b] = decay * S[a][b] + k.data[(t * 2 + hh) * 3 + a].real() *
                                          v.data[(t * 2 + hh) * 2 + b].real();
      for (int b = 0; b < 2; ++b) {
        double o = 0;
        for (int a = 0; a < 3; ++a)
          o += S[a][b] * q.data[(t * 2 + hh) * 3 + a].real();
        wantO[(t * 2 + hh) * 2 + b] = 0.5 * o;
      }
    }
    for (int a = 0; a < 3; ++a)
      for (int b = 0; b < 2; ++b)
        wantS[(hh * 3 + a) * 2 + b] = S[a][b];
  }
  EXPECT_LT(relErr(y[0].data, wantO), 1e-12);
  EXPECT_LT(relErr(y[1].data, wantS), 1e-12);
}

TEST_F(EvaluatorTest, CompareFunctionsSeesADifference) {
  // The equivalence check must be able to fail: F vs its inverse differ,
  // F vs adjoint(inverse F) agree.
  OwningOpRef<ModuleOp> m = parseSourceString<ModuleOp>(R"(
func.func @a(%x: tensor<?x6xcomplex<f32>>) -> tensor<?x6xcomplex<f32>> {
  %F = linop.dft : !linop.op<6x6, complex<f32>>
  %y = linop.apply %F, %x : (!linop.op<6x6, complex<f32>>, tensor<?x6xcomplex<f32>>) -> tensor<?x6xcomplex<f32>>
  return %y : tensor<?x6xcomplex<f32>>
}
func.func @b(%x: tensor<?x6xcomplex<f32>>) -> tensor<?x6xcomplex<f32>> {
  %F = linop.dft inverse : !linop.op<6x6, complex<f32>>
  %y = linop.apply %F, %x : (!linop.op<6x6, complex<f32>>, tensor<?x6xcomplex<f32>>) -> tensor<?x6xcomplex<f32>>
  return %y : tensor<?x6xcomplex<f32>>
}
func.func @c(%x: tensor<?x6xcomplex<f32>>) -> tensor<?x6xcomplex<f32>> {
  %G = linop.dft inverse : !linop.op<6x6, complex<f32>>
  %F = linop.adjoint %G : (!linop.op<6x6, complex<f32>>) -> !linop.op<6x6, complex<f32>>
  %y = linop.apply %F, %x : (!linop.op<6x6, complex<f32>>, tensor<?x6xcomplex<f32>>) -> tensor<?x6xcomplex<f32>>
  return %y : tensor<?x6xcomplex<f32>>
})", &ctx);
  ASSERT_TRUE(m);
  auto a = m->lookupSymbol<func::FuncOp>("a"), b = m->lookupSymbol<func::FuncOp>("b"),
       c = m->lookupSymbol<func::FuncOp>("c");
  FailureOr<double> differ = compareFunctions(a, b), same = compareFunctions(a, c);
  ASSERT_TRUE(succeeded(differ) && succeeded(same));
  EXPECT_GT(*differ, 0.5);
  EXPECT_LT(*same, 1e-14);
}

TEST_F(EvaluatorTest, MonarchAndButterflyReachTheMath) {
  std::string src = R"(
func.func @f(%l: tensor<4x2x2xcomplex<f64>>, %r: tensor<2x4x4xcomplex<f64>>, %t: tensor<2x3x4x2x2xcomplex<f64>>)
    -> (!linop.op<8x8, complex<f64>>, !linop.op<8x8, complex<f64>>) {
  %M = linop.monarch %l, %r : (tensor<4x2x2xcomplex<f64>>, tensor<2x4x4xcomplex<f64>>) -> !linop.op<8x8, complex<f64>>
  %B = linop.butterfly %t {decreasing, input_perm = array<i64: 7, 6, 5, 4, 3, 2, 1, 0>} : (tensor<2x3x4x2x2xcomplex<f64>>) -> !linop.op<8x8, complex<f64>>
  return %M, %B : !linop.op<8x8, complex<f64>>, !linop.op<8x8, complex<f64>>
})";
  Tensor l = random({4, 2, 2}, true, 1), r = random({2, 4, 4}, true, 2),
         t = random({2, 3, 4, 2, 2}, true, 3);
  auto y = run(src, {l, r, t});
  ASSERT_EQ(y.size(), 2u);
  CMat M = monarch(l.data, r.data, 2, 4);
  CMat B = butterfly(t.data, 8, 2, true, {7, 6, 5, 4, 3, 2, 1, 0});
  std::vector<cd> m, b;
  for (int i = 0; i < 8; ++i)
    for (int j = 0; j < 8; ++j) {
      m.push_back(M(i, j));
      b.push_back(B(i, j));
    }
  EXPECT_LT(relErr(y[0].data, m), 1e-15);
  EXPECT_LT(relErr(y[1].data, b), 1e-15);
}

} // namespace
