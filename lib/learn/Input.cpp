#include "learn/Input.h"
#include "npy/Npy.h"

#include <Eigen/LU>

#include <cmath>

namespace linop::learn {

bool readMatrixNpy(const std::string &path, MatC &out, bool &realInput,
                   std::vector<std::string> &notes, std::string &error) {
  npy::Array arr;
  if (!npy::read(path, arr, error)) {
    error = "cannot read " + path + ": " + error;
    return false;
  }
  if (arr.shape.size() != 2) {
    error = path + " holds an array of shape " + npy::shapeString(arr.shape) +
            ": need a 2-D matrix";
    return false;
  }
  int64_t rows = arr.shape[0], cols = arr.shape[1];
  if (rows < 1 || cols < 1) {
    error = path + " is empty (shape " + npy::shapeString(arr.shape) + ")";
    return false;
  }
  std::vector<cd> vals = npy::toComplex128(arr);
  out.resize(rows, cols);
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j)
      out(i, j) = vals[i * cols + j];
  realInput = !npy::isComplex(arr.dtype);
  if (arr.dtype == npy::DType::F16 || arr.dtype == npy::DType::BF16 ||
      arr.dtype == npy::DType::I32 || arr.dtype == npy::DType::I64)
    notes.push_back(std::string("input was ") + npy::dtypeName(arr.dtype) +
                    "; learned in float64");
  return true;
}

bool prepareMatrix(MatC &T, bool pad, std::vector<std::string> &notes,
                   std::string &error) {
  int64_t rows = T.rows(), cols = T.cols();
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j)
      if (!std::isfinite(T(i, j).real()) || !std::isfinite(T(i, j).imag())) {
        error = "the matrix has a NaN or infinite entry at [" +
                std::to_string(i) + ", " + std::to_string(j) + "]";
        return false;
      }
  if (rows != cols && !pad) {
    error = "the matrix is " + std::to_string(rows) + "x" +
            std::to_string(cols) +
            ": the structures need a square matrix (--pad zero-pads to a "
            "square power of two)";
    return false;
  }
  if (pad) {
    int64_t n = 2;
    while (n < std::max(rows, cols))
      n *= 2;
    if (n != rows || n != cols) {
      MatC P = MatC::Zero(n, n);
      P.topLeftCorner(rows, cols) = T;
      T = std::move(P);
      notes.push_back("zero-padded from " + std::to_string(rows) + "x" +
                      std::to_string(cols) + " to " + std::to_string(n) + "x" +
                      std::to_string(n) + ": inputs must be padded the same way");
    }
  }
  int64_t n = T.rows();
  if (T.squaredNorm() == 0) {
    error = "the matrix is all zeros: every structure represents it with "
            "zero weights, so there is nothing to learn (a zero operator "
            "needs no spec)";
    return false;
  }
  if (n < 2) {
    error = "a 1x1 matrix has no structure to learn";
    return false;
  }
  if (n <= 512) {
    Eigen::PartialPivLU<MatC> lu(T);
    double maxU = 0, minU = INFINITY;
    for (int64_t i = 0; i < n; ++i) {
      double d = std::abs(lu.matrixLU()(i, i));
      maxU = std::max(maxU, d);
      minU = std::min(minU, d);
    }
    if (minU <= 1e-13 * maxU)
      notes.push_back("the matrix is singular (numerically); the "
                      "factorization is still valid, with singular factors");
  }
  return true;
}

bool writeMatrixNpy(const std::string &path, const MatC &T,
                    std::string &error) {
  int64_t r = T.rows(), c = T.cols();
  std::vector<cd> vals(size_t(r) * c);
  for (int64_t i = 0; i < r; ++i)
    for (int64_t j = 0; j < c; ++j)
      vals[i * c + j] = T(i, j);
  npy::Array a = npy::fromComplex128(
      isReal(T) ? npy::DType::F64 : npy::DType::C128, {r, c}, vals);
  return npy::write(path, a, error);
}

} // namespace linop::learn
