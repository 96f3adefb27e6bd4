// Reading and writing numpy's .npy files, for weights, test vectors and
// reference outputs. Plain C++17, no LLVM, so the tools, the tests and the
// benchmarks can all use it.
//
// Supported: format versions 1.0, 2.0 and 3.0 on read; 1.0 on write (2.0 when
// the header does not fit in 64 KiB), exactly the bytes numpy's np.save writes.
// Little-endian, C order (Fortran-order files are read and reordered to C
// order; writes are C order), element types float16 ('<f2'), bfloat16 (stored as
// '<u2', the usual convention since numpy has no bfloat16), float32, float64,
// complex64 and complex128. Everything else is rejected with a message that
// says what the file holds and what is supported.
//
// Every function reports failure through its return value and an error
// string; nothing throws and no input makes it crash.
#ifndef LINOP_NPY_NPY_H
#define LINOP_NPY_NPY_H

#include <complex>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace linop::npy {

/// I32 and I64: integer data (a recurrence's offsets), exact up to 2^53.
enum class DType { F16, BF16, F32, F64, C64, C128, I32, I64 };

/// Bytes per element: 2, 2, 4, 8, 8, 16, 4, 8.
size_t dtypeSize(DType dtype);
bool isComplex(DType dtype);
/// "f16", "bf16", "f32", "f64", "complex64", "complex128", "i32", "i64".
const char *dtypeName(DType dtype);
/// Inverse of dtypeName; also accepts the descr strings ("<f4", "<c16", ...)
/// and numpy's long names ("float32", "complex128", "bfloat16", ...).
bool dtypeFromName(const std::string &name, DType &out);
/// The numpy descr written for `dtype` ("<f2", "<u2" for bf16, "<f4", ...).
const char *dtypeDescr(DType dtype);

/// Python's repr of a shape tuple: "()", "(3,)", "(2, 3)".
std::string shapeString(const std::vector<int64_t> &shape);

/// A dense row-major array. `data` holds numElements() * dtypeSize(dtype)
/// bytes, little-endian, complex values interleaved (re, im).
struct Array {
  DType dtype = DType::F64;
  std::vector<int64_t> shape; // empty: a 0-d array (one element)
  std::vector<uint8_t> data;

  /// Product of the shape (1 for 0-d), or -1 when a dimension is negative or
  /// the product overflows int64 (never the case for an array read or built
  /// by this library).
  int64_t numElements() const;
};

/// Checks that the shape is valid and that data has exactly the number of
/// bytes the shape and dtype need.
bool validate(const Array &a, std::string &error);

/// Parses the bytes of a whole .npy file. `name` is used in error messages
/// (the path, or a description of the buffer).
bool parse(const uint8_t *bytes, size_t size, Array &out, std::string &error,
           const std::string &name = "<memory>");
bool parse(const std::vector<uint8_t> &bytes, Array &out, std::string &error,
           const std::string &name = "<memory>");
/// Serializes to the exact bytes np.save would write for the same array.
bool serialize(const Array &a, std::vector<uint8_t> &out, std::string &error);

bool read(const std::string &path, Array &out, std::string &error);
bool write(const std::string &path, const Array &a, std::string &error);

/// Every element widened to complex<double>; real dtypes get imag = 0. Converts
/// data.size() / dtypeSize(dtype) elements (the whole array when it is valid).
std::vector<std::complex<double>> toComplex128(const Array &a);
/// Builds an array of `dtype` from values, rounding to nearest even. For real
/// dtypes only the real part is kept: callers that must not lose an imaginary
/// part have to check imag == 0 themselves. values.size() must equal the
/// product of the shape; if it does not, the returned array has an empty
/// `data` (and so fails validate()), use the overload below to get a message.
Array fromComplex128(DType dtype, std::vector<int64_t> shape,
                     const std::vector<std::complex<double>> &values);
bool fromComplex128(DType dtype, std::vector<int64_t> shape,
                    const std::vector<std::complex<double>> &values,
                    Array &out, std::string &error);

/// IEEE binary16 and bfloat16 conversions. Narrowing rounds to nearest, ties
/// to even; overflow gives infinity; subnormals are kept; NaN stays NaN (made
/// quiet, sign and leading payload bits kept). The double overloads round
/// once, directly (going through float could round twice).
uint16_t floatToHalf(float value);
uint16_t doubleToHalf(double value);
float halfToFloat(uint16_t bits);
uint16_t floatToBFloat16(float value);
uint16_t doubleToBFloat16(double value);
float bfloat16ToFloat(uint16_t bits);

} // namespace linop::npy

#endif // LINOP_NPY_NPY_H
