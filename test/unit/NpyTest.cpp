// Tests of lib/npy: numpy's exact bytes, round trips of every dtype, every
// error message, 16-bit float conversions, and a fuzz-style no-crash check.
#include "npy/Npy.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

using namespace linop::npy;

namespace {

// Files written by numpy 2.4 (np.save, and np.lib.format.write_array with
// version=(2, 0) / (3, 0) for v2 and v3), pasted as hex so the tests need
// neither Python nor files.
// f32
const char *const kNumpy_f32 =
    "934e554d5059010076007b276465736372273a20273c6634272c2027666f7274"
    "72616e5f6f72646572273a2046616c73652c20277368617065273a2028322c20"
    "33292c207d202020202020202020202020202020202020202020202020202020"
    "202020202020202020202020202020202020202020202020202020202020200a"
    "0000803f0000004000004040000080400000a0400000d0c0";

// c64
const char *const kNumpy_c64 =
    "934e554d5059010076007b276465736372273a20273c6338272c2027666f7274"
    "72616e5f6f72646572273a2046616c73652c20277368617065273a2028322c29"
    "2c207d2020202020202020202020202020202020202020202020202020202020"
    "202020202020202020202020202020202020202020202020202020202020200a"
    "0000803f0000004000000080000060c0";

// f16
const char *const kNumpy_f16 =
    "934e554d5059010076007b276465736372273a20273c6632272c2027666f7274"
    "72616e5f6f72646572273a2046616c73652c20277368617065273a2028292c20"
    "7d20202020202020202020202020202020202020202020202020202020202020"
    "202020202020202020202020202020202020202020202020202020202020200a"
    "0041";

// f64e
const char *const kNumpy_f64e =
    "934e554d5059010076007b276465736372273a20273c6638272c2027666f7274"
    "72616e5f6f72646572273a2046616c73652c20277368617065273a2028302c20"
    "33292c207d202020202020202020202020202020202020202020202020202020"
    "202020202020202020202020202020202020202020202020202020202020200a";

// c128
const char *const kNumpy_c128 =
    "934e554d5059010076007b276465736372273a20273c633136272c2027666f72"
    "7472616e5f6f72646572273a2046616c73652c20277368617065273a2028312c"
    "2032292c207d2020202020202020202020202020202020202020202020202020"
    "202020202020202020202020202020202020202020202020202020202020200a"
    "9a9999999999b93f000000000000f0bf000000000000f07f0000000000000000";

// u2
const char *const kNumpy_u2 =
    "934e554d5059010076007b276465736372273a20273c7532272c2027666f7274"
    "72616e5f6f72646572273a2046616c73652c20277368617065273a2028322c29"
    "2c207d2020202020202020202020202020202020202020202020202020202020"
    "202020202020202020202020202020202020202020202020202020202020200a"
    "803f40c0";

// v2
const char *const kNumpy_v2 =
    "934e554d50590200740000007b276465736372273a20273c6638272c2027666f"
    "727472616e5f6f72646572273a2046616c73652c20277368617065273a202831"
    "2c292c207d202020202020202020202020202020202020202020202020202020"
    "202020202020202020202020202020202020202020202020202020202020200a"
    "000000000000f83f";

// v3
const char *const kNumpy_v3 =
    "934e554d50590300740000007b276465736372273a20273c6638272c2027666f"
    "727472616e5f6f72646572273a2046616c73652c20277368617065273a202831"
    "2c292c207d202020202020202020202020202020202020202020202020202020"
    "202020202020202020202020202020202020202020202020202020202020200a"
    "000000000000f83f";

// longdim
const char *const kNumpy_longdim =
    "934e554d5059010076007b276465736372273a20273c6634272c2027666f7274"
    "72616e5f6f72646572273a2046616c73652c20277368617065273a2028313233"
    "34353637383930312c2030292c207d2020202020202020202020202020202020"
    "202020202020202020202020202020202020202020202020202020202020200a";

std::vector<uint8_t> fromHex(const char *hex) {
  std::vector<uint8_t> out;
  const size_t n = std::strlen(hex);
  for (size_t i = 0; i + 1 < n; i += 2)
    out.push_back(static_cast<uint8_t>(std::stoi(std::string(hex + i, 2),
                                                 nullptr, 16)));
  return out;
}

std::vector<uint8_t> toBytes(const std::string &s) {
  return std::vector<uint8_t>(s.begin(), s.end());
}

// A v1.0 file with the given header text (padded as numpy does) and data.
std::vector<uint8_t> makeFile(const std::string &header,
                              const std::vector<uint8_t> &data = {},
                              int major = 1) {
  std::string h = header;
  const size_t prefix = major == 1 ? 10 : 12;
  while ((prefix + h.size() + 1) % 64 != 0)
    h += ' ';
  h += '\n';
  std::vector<uint8_t> out = {0x93, 'N', 'U', 'M', 'P', 'Y',
                              static_cast<uint8_t>(major), 0};
  const size_t len = h.size();
  out.push_back(static_cast<uint8_t>(len));
  out.push_back(static_cast<uint8_t>(len >> 8));
  if (major != 1) {
    out.push_back(static_cast<uint8_t>(len >> 16));
    out.push_back(static_cast<uint8_t>(len >> 24));
  }
  out.insert(out.end(), h.begin(), h.end());
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

std::string parseError(const std::vector<uint8_t> &bytes,
                       const std::string &name = "test.npy") {
  Array a;
  std::string error;
  EXPECT_FALSE(parse(bytes, a, error, name));
  EXPECT_EQ(error.rfind(name + ": ", 0), 0u) << error;
  return error;
}

#define EXPECT_CONTAINS(haystack, needle)                                      \
  EXPECT_NE(std::string(haystack).find(needle), std::string::npos)             \
      << "'" << (haystack) << "' does not contain '" << (needle) << "'"

std::vector<std::complex<double>> values(const Array &a) {
  return toComplex128(a);
}

// Reads a numpy file and checks that we write the very same bytes back.
void expectNumpyRoundTrip(const char *hex, DType dtype,
                          std::vector<int64_t> shape,
                          std::vector<std::complex<double>> expected) {
  const std::vector<uint8_t> bytes = fromHex(hex);
  Array a;
  std::string error;
  ASSERT_TRUE(parse(bytes, a, error)) << error;
  EXPECT_EQ(a.dtype, dtype);
  EXPECT_EQ(a.shape, shape);
  EXPECT_EQ(a.numElements(), static_cast<int64_t>(expected.size()));
  const auto got = values(a);
  ASSERT_EQ(got.size(), expected.size());
  for (size_t i = 0; i < got.size(); ++i)
    EXPECT_EQ(got[i], expected[i]) << "element " << i;
  std::vector<uint8_t> written;
  ASSERT_TRUE(serialize(a, written, error)) << error;
  EXPECT_EQ(written, bytes);
}

} // namespace

// ---------------------------------------------------------------------------
// numpy's own bytes

TEST(Npy, NumpyFloat32Matrix) {
  expectNumpyRoundTrip(kNumpy_f32, DType::F32, {2, 3},
                       {1, 2, 3, 4, 5, -6.5});
}

TEST(Npy, NumpyComplex64Vector) {
  expectNumpyRoundTrip(kNumpy_c64, DType::C64, {2},
                       {{1, 2}, {-0.0, -3.5}});
}

TEST(Npy, NumpyFloat16Scalar) {
  expectNumpyRoundTrip(kNumpy_f16, DType::F16, {}, {2.5});
}

TEST(Npy, NumpyEmptyFloat64) {
  expectNumpyRoundTrip(kNumpy_f64e, DType::F64, {0, 3}, {});
}

TEST(Npy, NumpyComplex128) {
  expectNumpyRoundTrip(kNumpy_c128, DType::C128, {1, 2},
                       {{0.1, -1}, {std::numeric_limits<double>::infinity(), 0}});
}

TEST(Npy, NumpyUint16IsBFloat16) {
  // np.array([0x3f80, 0xc040], dtype='<u2'): bf16 1.0 and -3.0.
  expectNumpyRoundTrip(kNumpy_u2, DType::BF16, {2}, {1.0, -3.0});
}

TEST(Npy, NumpyLongFirstDimensionPadding) {
  // The growth padding depends on the digits of the first dimension.
  expectNumpyRoundTrip(kNumpy_longdim, DType::F32, {12345678901, 0}, {});
}

TEST(Npy, NumpyVersions2And3) {
  for (const char *hex : {kNumpy_v2, kNumpy_v3}) {
    Array a;
    std::string error;
    ASSERT_TRUE(parse(fromHex(hex), a, error)) << error;
    EXPECT_EQ(a.dtype, DType::F64);
    EXPECT_EQ(a.shape, std::vector<int64_t>{1});
    EXPECT_EQ(values(a), std::vector<std::complex<double>>{1.5});
  }
}

// ---------------------------------------------------------------------------
// Round trips

TEST(Npy, RoundTripEveryDTypeAndShape) {
  const std::vector<std::vector<int64_t>> shapes = {
      {}, {0}, {1}, {5}, {2, 3}, {3, 0, 2}, {1, 1, 1, 4}, {2, 3, 4}};
  std::mt19937 rng(1234);
  std::uniform_real_distribution<double> dist(-100, 100);
  for (DType dtype : {DType::F16, DType::BF16, DType::F32, DType::F64,
                      DType::C64, DType::C128}) {
    for (const auto &shape : shapes) {
      SCOPED_TRACE(std::string(dtypeName(dtype)) + " " + shapeString(shape));
      int64_t n = 1;
      for (int64_t d : shape)
        n *= d;
      std::vector<std::complex<double>> v(static_cast<size_t>(n));
      for (auto &x : v)
        x = {dist(rng), isComplex(dtype) ? dist(rng) : 0.0};
      Array a;
      std::string error;
      ASSERT_TRUE(fromComplex128(dtype, shape, v, a, error)) << error;
      EXPECT_EQ(a.numElements(), n);
      EXPECT_EQ(a.data.size(), static_cast<size_t>(n) * dtypeSize(dtype));
      ASSERT_TRUE(validate(a, error)) << error;

      // Values survive up to the dtype's precision.
      const double tol = dtype == DType::F16    ? 100 * 1e-3
                         : dtype == DType::BF16 ? 100 * 8e-3
                         : dtype == DType::F32 || dtype == DType::C64
                             ? 100 * 1e-7
                             : 0;
      const auto rounded = toComplex128(a);
      ASSERT_EQ(rounded.size(), v.size());
      for (size_t i = 0; i < v.size(); ++i) {
        EXPECT_LE(std::abs(rounded[i].real() - v[i].real()), tol);
        EXPECT_LE(std::abs(rounded[i].imag() - v[i].imag()), tol);
      }

      // Through bytes and back: identical.
      std::vector<uint8_t> bytes;
      ASSERT_TRUE(serialize(a, bytes, error)) << error;
      EXPECT_EQ((bytes.size() - a.data.size()) % 64, 0u)
          << "data must start on a 64-byte boundary";
      Array b;
      ASSERT_TRUE(parse(bytes, b, error)) << error;
      EXPECT_EQ(b.dtype, a.dtype);
      EXPECT_EQ(b.shape, a.shape);
      EXPECT_EQ(b.data, a.data);
      EXPECT_EQ(toComplex128(b), rounded);
    }
  }
}

TEST(Npy, RoundTripThroughFile) {
  const std::string path = ::testing::TempDir() + "npy_roundtrip_test.npy";
  Array a = fromComplex128(DType::C64, {2, 2}, {{1, 2}, {3, 4}, {5, 6}, {7, 8}});
  std::string error;
  ASSERT_TRUE(write(path, a, error)) << error;
  Array b;
  ASSERT_TRUE(read(path, b, error)) << error;
  EXPECT_EQ(b.dtype, DType::C64);
  EXPECT_EQ(b.shape, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(b.data, a.data);
  std::remove(path.c_str());
}

TEST(Npy, RealDTypesKeepTheRealPart) {
  Array a = fromComplex128(DType::F64, {2}, {{1.5, 7}, {-2, -1}});
  EXPECT_EQ(toComplex128(a),
            (std::vector<std::complex<double>>{{1.5, 0}, {-2, 0}}));
}

TEST(Npy, FromComplex128SizeMismatch) {
  Array a;
  std::string error;
  EXPECT_FALSE(fromComplex128(DType::F32, {2, 3}, {1, 2, 3}, a, error));
  EXPECT_CONTAINS(error, "3 values for shape (2, 3), which has 6 elements");
  Array b = fromComplex128(DType::F32, {2, 3}, {1, 2, 3});
  EXPECT_FALSE(validate(b, error));
  EXPECT_CONTAINS(error, "array data has 0 bytes but shape (2, 3) f32 needs 24");
}

TEST(Npy, WritesVersion2WhenTheHeaderIsHuge) {
  // Only a shape with tens of thousands of dimensions needs a 64 KiB header.
  Array a;
  a.dtype = DType::F32;
  a.shape.assign(30000, 1);
  a.data.assign(4, 0);
  std::vector<uint8_t> bytes;
  std::string error;
  ASSERT_TRUE(serialize(a, bytes, error)) << error;
  EXPECT_EQ(bytes[6], 2);
  EXPECT_EQ((bytes.size() - 4) % 64, 0u);
  Array b;
  ASSERT_TRUE(parse(bytes, b, error)) << error;
  EXPECT_EQ(b.shape, a.shape);
}

// A recurrence's offsets: integers, exact; a NaN poison is the lowest value,
// out-of-range values saturate.
TEST(Npy, Integers) {
  const std::vector<std::complex<double>> v = {
      {0, 0}, {-7, 0}, {2147483647, 0}, {1e12, 0},
      {std::numeric_limits<double>::quiet_NaN(), 0}};
  Array a32 = fromComplex128(DType::I32, {5}, v),
        a64 = fromComplex128(DType::I64, {5}, v);
  std::vector<std::complex<double>> b32 = toComplex128(a32),
                                    b64 = toComplex128(a64);
  EXPECT_EQ(b32[1].real(), -7.0);
  EXPECT_EQ(b32[2].real(), 2147483647.0);
  EXPECT_EQ(b32[3].real(), 2147483647.0);
  EXPECT_EQ(b32[4].real(), -2147483648.0);
  EXPECT_EQ(b64[3].real(), 1e12);
  EXPECT_EQ(b64[4].real(), double(std::numeric_limits<int64_t>::min()));
  EXPECT_EQ(std::string(dtypeDescr(DType::I32)), "<i4");
  EXPECT_EQ(dtypeSize(DType::I64), 8u);
}

TEST(Npy, DTypeNames) {
  EXPECT_STREQ(dtypeName(DType::F16), "f16");
  EXPECT_STREQ(dtypeName(DType::BF16), "bf16");
  EXPECT_STREQ(dtypeName(DType::F32), "f32");
  EXPECT_STREQ(dtypeName(DType::F64), "f64");
  EXPECT_STREQ(dtypeName(DType::C64), "complex64");
  EXPECT_STREQ(dtypeName(DType::C128), "complex128");
  EXPECT_STREQ(dtypeName(DType::I32), "i32");
  EXPECT_STREQ(dtypeName(DType::I64), "i64");
  for (DType d : {DType::F16, DType::BF16, DType::F32, DType::F64, DType::C64,
                  DType::C128, DType::I32, DType::I64}) {
    DType back;
    ASSERT_TRUE(dtypeFromName(dtypeName(d), back));
    EXPECT_EQ(back, d);
    ASSERT_TRUE(dtypeFromName(dtypeDescr(d), back));
    EXPECT_EQ(back, d);
  }
  DType ignored;
  EXPECT_FALSE(dtypeFromName("uint8", ignored));
  EXPECT_TRUE(isComplex(DType::C64));
  EXPECT_TRUE(isComplex(DType::C128));
  EXPECT_FALSE(isComplex(DType::F64));
  EXPECT_EQ(shapeString({}), "()");
  EXPECT_EQ(shapeString({3}), "(3,)");
  EXPECT_EQ(shapeString({2, 3}), "(2, 3)");
}

// ---------------------------------------------------------------------------
// Header parsing

TEST(Npy, HeaderSpellings) {
  const std::vector<uint8_t> data = {0, 0, 0x80, 0x3f, 0, 0, 0, 0x40};
  for (const char *header : {
           "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }",
           "{'shape':(2,),'fortran_order':False,'descr':'<f4'}",
           "  {  \"descr\" :\"<f4\" , 'fortran_order' : False ,\n"
           "'shape' : ( 2 , ) , }  ",
           "{'descr': '|f4', 'fortran_order': False, 'shape': (2L,)}",
           "{'descr': '=f4', 'fortran_order': False, 'shape': [2]}",
           "{u'descr': u'<f4', 'fortran_order': False, 'shape': (2,)}",
           "{'descr': 'f4', 'fortran_order': True, 'shape': (2,)}",
       }) {
    SCOPED_TRACE(header);
    Array a;
    std::string error;
    ASSERT_TRUE(parse(makeFile(header, data), a, error)) << error;
    EXPECT_EQ(a.dtype, DType::F32);
    EXPECT_EQ(a.shape, std::vector<int64_t>{2});
    EXPECT_EQ(toComplex128(a), (std::vector<std::complex<double>>{1, 2}));
  }
}

TEST(Npy, FortranOrderIsFineWhenTheLayoutIsTheSame) {
  Array a;
  std::string error;
  EXPECT_TRUE(parse(makeFile("{'descr': '<f8', 'fortran_order': True, "
                             "'shape': (1, 3, 1), }",
                             std::vector<uint8_t>(24)),
                    a, error))
      << error;
  EXPECT_TRUE(parse(makeFile("{'descr': '<f8', 'fortran_order': True, "
                             "'shape': (4, 0), }"),
                    a, error))
      << error;
}

// ---------------------------------------------------------------------------
// Errors

TEST(Npy, ErrorBadMagic) {
  EXPECT_CONTAINS(parseError(toBytes("hello, world, this is not numpy")),
                  "not an .npy file: bad magic");
  EXPECT_CONTAINS(parseError(toBytes("PK\x03\x04 zip")), ".npz");
  EXPECT_CONTAINS(parseError({}), "not an .npy file: the file is empty");
  std::vector<uint8_t> prefix = {0x93, 'N', 'U'};
  EXPECT_CONTAINS(parseError(prefix), "truncated header");
}

TEST(Npy, ErrorUnsupportedVersion) {
  auto bytes = fromHex(kNumpy_f32);
  bytes[6] = 4;
  EXPECT_CONTAINS(parseError(bytes),
                  "unsupported .npy format version 4.0 (supported: 1.0, 2.0, "
                  "3.0)");
  bytes[6] = 1;
  bytes[7] = 1;
  EXPECT_CONTAINS(parseError(bytes), "version 1.1");
}

TEST(Npy, ErrorTruncatedHeader) {
  const auto bytes = fromHex(kNumpy_f32);
  EXPECT_CONTAINS(parseError({bytes.begin(), bytes.begin() + 7}),
                  "truncated header");
  EXPECT_CONTAINS(parseError({bytes.begin(), bytes.begin() + 9}),
                  "truncated header: the file ends inside the header length");
  EXPECT_CONTAINS(parseError({bytes.begin(), bytes.begin() + 60}),
                  "truncated header: the header length field says 118 bytes, "
                  "the file has 50 after it");
}

TEST(Npy, ErrorTruncatedData) {
  // shape (2, 3) complex64 needs 48 bytes.
  const std::string header =
      "{'descr': '<c8', 'fortran_order': False, 'shape': (2, 3), }";
  EXPECT_CONTAINS(parseError(makeFile(header, std::vector<uint8_t>(47))),
                  "truncated data: expected 48 bytes of data for shape "
                  "(2, 3) complex64, file has 47");
  EXPECT_CONTAINS(parseError(makeFile(header)), "file has 0");
}

TEST(Npy, ErrorTrailingData) {
  auto bytes = fromHex(kNumpy_f32);
  bytes.push_back(0);
  EXPECT_CONTAINS(parseError(bytes),
                  "trailing data: expected 24 bytes of data for shape (2, 3) "
                  "f32, file has 25");
}

TEST(Npy, ErrorUnsupportedDType) {
  const std::string err = parseError(
      makeFile("{'descr': '<u1', 'fortran_order': False, 'shape': (1,), }",
               std::vector<uint8_t>(1)));
  EXPECT_CONTAINS(err, "unsupported dtype '<u1'");
  for (const char *supported :
       {"'<f2' float16", "'<u2' bfloat16", "'<f4' float32", "'<f8' float64",
        "'<c8' complex64", "'<c16' complex128", "'<i4' int32", "'<i8' int64"})
    EXPECT_CONTAINS(err, supported);
  EXPECT_CONTAINS(
      parseError(makeFile("{'descr': [('a', '<f4'), ('b', '<i4')], "
                          "'fortran_order': False, 'shape': (1,), }")),
      "structured dtype");
}

TEST(Npy, ErrorBigEndian) {
  EXPECT_CONTAINS(
      parseError(makeFile("{'descr': '>f8', 'fortran_order': False, "
                          "'shape': (1,), }",
                          std::vector<uint8_t>(8))),
      "big-endian data ('>f8') is not supported; convert it with "
      "a.astype('<f8')");
}

TEST(Npy, FortranOrderIsReadInCOrder) {
  // np.save(np.asfortranarray(A)) for A[i][j] = 10 i + j, shape (2, 3):
  // the file holds the columns one after the other.
  std::vector<float> columns = {0, 10, 1, 11, 2, 12};
  std::vector<uint8_t> data(columns.size() * 4);
  std::memcpy(data.data(), columns.data(), data.size());
  Array a;
  std::string error;
  ASSERT_TRUE(parse(makeFile("{'descr': '<f4', 'fortran_order': True, "
                             "'shape': (2, 3), }",
                             data),
                    a, error))
      << error;
  EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(toComplex128(a),
            (std::vector<std::complex<double>>{0, 1, 2, 10, 11, 12}));

  // Rank 3, complex: element (i, j, k) = i + 10 j + 100 k + 1000i, written
  // with the first index fastest.
  std::vector<std::complex<float>> file;
  for (int k = 0; k < 4; ++k)
    for (int j = 0; j < 3; ++j)
      for (int i = 0; i < 2; ++i)
        file.push_back({float(i + 10 * j + 100 * k), 1000.0f});
  data.assign(file.size() * 8, 0);
  std::memcpy(data.data(), file.data(), data.size());
  ASSERT_TRUE(parse(makeFile("{'descr': '<c8', 'fortran_order': True, "
                             "'shape': (2, 3, 4), }",
                             data),
                    a, error))
      << error;
  std::vector<std::complex<double>> got = toComplex128(a), want;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 4; ++k)
        want.push_back({double(i + 10 * j + 100 * k), 1000.0});
  EXPECT_EQ(got, want);
  // Written back, it is C order.
  std::vector<uint8_t> bytes;
  ASSERT_TRUE(serialize(a, bytes, error)) << error;
  EXPECT_NE(std::string(bytes.begin(), bytes.end())
                .find("'fortran_order': False"),
            std::string::npos);
}

TEST(Npy, ErrorBadShapes) {
  EXPECT_CONTAINS(parseError(makeFile("{'descr': '<f4', 'fortran_order': "
                                      "False, 'shape': (2, -1), }")),
                  "negative dimension -1 in shape (2, -1)");
  EXPECT_CONTAINS(
      parseError(makeFile("{'descr': '<f4', 'fortran_order': False, "
                          "'shape': (4294967296, 4294967296), }")),
      "shape (4294967296, 4294967296) f32 is too large");
  EXPECT_CONTAINS(parseError(makeFile("{'descr': '<f4', 'fortran_order': "
                                      "False, 'shape': "
                                      "(99999999999999999999,), }")),
                  "does not fit in 64 bits");
  EXPECT_CONTAINS(parseError(makeFile("{'descr': '<f4', 'fortran_order': "
                                      "False, 'shape': (2.5,), }")),
                  "non-integer");
  EXPECT_CONTAINS(parseError(makeFile("{'descr': '<f4', 'fortran_order': "
                                      "False, 'shape': (3), }")),
                  "'shape' must be a tuple of integers, found an integer");
  EXPECT_CONTAINS(parseError(makeFile("{'descr': '<f4', 'fortran_order': "
                                      "False, 'shape': ('a',), }")),
                  "found an element that is a string");
}

TEST(Npy, ErrorMalformedHeader) {
  struct Case {
    const char *header;
    const char *message;
  } cases[] = {
      {"{'descr': '<f4', 'shape': (1,), }", "no 'fortran_order' key"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}",
       "unexpected key 'x'"},
      {"{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, "
       "'shape': (1,)}",
       "duplicate key 'descr'"},
      {"{'descr': '<f4, 'fortran_order': False, 'shape': (1,)}", "expected"},
      {"{'descr': '<f4", "unterminated string"},
      {"['descr', '<f4']", "expected a dict, found a list"},
      {"{'descr': '<f4', 'fortran_order': 0, 'shape': (1,)}",
       "'fortran_order' must be True or False"},
      {"{'descr': '<f4', 'fortran_order': false, 'shape': (1,)}",
       "unexpected name 'false'"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,)} x",
       "unexpected 'x' after the value"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,)",
       "header ends where ',' or '}' was expected"},
      {"{'descr' '<f4'}", "expected ':' after key 'descr'"},
      {"{1: 2}", "dict keys must be strings"},
      {"{'descr': 4, 'fortran_order': False, 'shape': (1,)}",
       "'descr' must be a string"},
      {"", "header ends where a value was expected"},
      {"((((((((((((((((((((((((((((((", "nests more than 16 levels"},
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(c.header);
    const std::string err = parseError(makeFile(c.header));
    EXPECT_CONTAINS(err, c.message);
  }
  // Control characters are shown escaped.
  EXPECT_CONTAINS(parseError(makeFile(std::string("{'descr'\x01}"))),
                  "\\x01");
}

TEST(Npy, ErrorMessagesNameThePath) {
  const std::string dir = ::testing::TempDir();
  const std::string path = dir + "npy_error_test.npy";
  FILE *f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  std::fputs("definitely not numpy", f);
  std::fclose(f);
  Array a;
  std::string error;
  EXPECT_FALSE(read(path, a, error));
  EXPECT_EQ(error, path + ": not an .npy file: bad magic");
  std::remove(path.c_str());

  EXPECT_FALSE(read(dir + "no/such/file.npy", a, error));
  EXPECT_CONTAINS(error, dir + "no/such/file.npy: cannot open: ");
  EXPECT_CONTAINS(error, "No such file");

  EXPECT_FALSE(read(dir, a, error));
  EXPECT_EQ(error, dir + ": cannot read: it is a directory");

  const std::string empty = dir + "npy_empty_test.npy";
  std::fclose(std::fopen(empty.c_str(), "wb"));
  EXPECT_FALSE(read(empty, a, error));
  EXPECT_EQ(error, empty + ": not an .npy file: the file is empty");
  std::remove(empty.c_str());

  a = fromComplex128(DType::F32, {1}, {1});
  EXPECT_FALSE(write(dir + "no/such/dir/x.npy", a, error));
  EXPECT_CONTAINS(error, dir + "no/such/dir/x.npy: cannot open for writing");

  a.data.pop_back();
  EXPECT_FALSE(write(dir + "x.npy", a, error));
  EXPECT_CONTAINS(error, "cannot write: array data has 3 bytes but shape (1,) "
                         "f32 needs 4");
}

TEST(Npy, SerializeRejectsInvalidArrays) {
  Array a;
  a.dtype = DType::C128;
  a.shape = {2, -3};
  std::vector<uint8_t> bytes;
  std::string error;
  EXPECT_FALSE(serialize(a, bytes, error));
  EXPECT_CONTAINS(error, "negative dimension -3");
  EXPECT_EQ(a.numElements(), -1);
  a.shape = {int64_t(1) << 62, 4};
  EXPECT_EQ(a.numElements(), -1);
}

// ---------------------------------------------------------------------------
// Never crash

TEST(Npy, FuzzTruncationsAndRandomBytes) {
  const auto valid = fromHex(kNumpy_c128);
  // Every strict prefix of a valid file is an error with a message.
  for (size_t len = 0; len < valid.size(); ++len) {
    Array a;
    std::string error;
    EXPECT_FALSE(parse(valid.data(), len, a, error)) << len;
    EXPECT_FALSE(error.empty()) << len;
  }
  std::mt19937 rng(42);
  auto byte = [&] { return static_cast<uint8_t>(rng() & 0xff); };
  for (int iter = 0; iter < 20000; ++iter) {
    std::vector<uint8_t> bytes;
    switch (iter % 4) {
    case 0: // random garbage
      bytes.resize(rng() % 300);
      for (auto &b : bytes)
        b = byte();
      break;
    case 1: // valid magic, random rest
      bytes = {0x93, 'N', 'U', 'M', 'P', 'Y', static_cast<uint8_t>(rng() % 4),
               0};
      for (size_t i = rng() % 300; i > 0; --i)
        bytes.push_back(byte());
      break;
    default: { // a valid file with a few bytes changed, or cut
      bytes = iter % 8 == 2 ? fromHex(kNumpy_f32) : valid;
      for (int k = 1 + static_cast<int>(rng() % 4); k > 0; --k) {
        const size_t pos = rng() % bytes.size();
        // Mostly printable changes, so that the header parser goes deep.
        const char printable[] = "{}()[],:'\" 0123456789-LTFNe<>|=fcu";
        bytes[pos] = rng() % 2 ? static_cast<uint8_t>(
                                     printable[rng() % (sizeof printable - 1)])
                               : byte();
      }
      if (rng() % 3 == 0)
        bytes.resize(rng() % bytes.size());
      break;
    }
    }
    Array a;
    std::string error;
    if (!parse(bytes, a, error)) {
      EXPECT_FALSE(error.empty());
    } else {
      EXPECT_TRUE(validate(a, error)) << error;
    }
  }
}

// ---------------------------------------------------------------------------
// 16-bit floats

TEST(Npy, HalfRoundTripsEveryValue) {
  for (uint32_t bits = 0; bits < 0x10000; ++bits) {
    const uint16_t h = static_cast<uint16_t>(bits);
    const float f = halfToFloat(h);
    if (std::isnan(f)) {
      EXPECT_TRUE(std::isnan(halfToFloat(floatToHalf(f)))) << bits;
      continue;
    }
    EXPECT_EQ(floatToHalf(f), h) << bits;
    EXPECT_EQ(doubleToHalf(f), h) << bits;
  }
}

TEST(Npy, BFloat16RoundTripsEveryValue) {
  for (uint32_t bits = 0; bits < 0x10000; ++bits) {
    const uint16_t h = static_cast<uint16_t>(bits);
    const float f = bfloat16ToFloat(h);
    uint32_t fbits;
    std::memcpy(&fbits, &f, 4);
    EXPECT_EQ(fbits, bits << 16) << bits; // bf16 is the top half of a float
    if (std::isnan(f)) {
      EXPECT_TRUE(std::isnan(bfloat16ToFloat(floatToBFloat16(f)))) << bits;
      continue;
    }
    EXPECT_EQ(floatToBFloat16(f), h) << bits;
    EXPECT_EQ(doubleToBFloat16(f), h) << bits;
  }
}

// Halfway between two neighbours rounds to the even one; a hair above or
// below rounds to the nearer one. Checked for every finite positive value,
// subnormals included.
// T is the narrowing function's argument type (midpoints are exact in both
// float and double; the neighbours are taken in T).
template <typename T>
void checkTies(uint16_t maxFinite, float (*widen)(uint16_t),
               uint16_t (*narrow)(T)) {
  for (uint16_t h = 0; h < maxFinite; ++h) {
    const T lo = widen(h), hi = widen(static_cast<uint16_t>(h + 1));
    const T mid = lo + (hi - lo) / 2; // no overflow near the top
    const uint16_t even = (h & 1) ? static_cast<uint16_t>(h + 1) : h;
    ASSERT_EQ(narrow(mid), even) << h;
    ASSERT_EQ(narrow(std::nextafter(mid, T(0))), h) << h;
    ASSERT_EQ(narrow(std::nextafter(mid, std::numeric_limits<T>::max())),
              h + 1)
        << h;
    ASSERT_EQ(narrow(-mid), even | 0x8000) << h;
  }
}

TEST(Npy, HalfRoundsToNearestEven) {
  checkTies<double>(0x7bff, halfToFloat, doubleToHalf);
  checkTies<float>(0x7bff, halfToFloat, floatToHalf);
}

TEST(Npy, BFloat16RoundsToNearestEven) {
  checkTies<double>(0x7f7f, bfloat16ToFloat, doubleToBFloat16);
  checkTies<float>(0x7f7f, bfloat16ToFloat, floatToBFloat16);
}

TEST(Npy, HalfSpecialValues) {
  const double inf = std::numeric_limits<double>::infinity();
  // The values numpy wrote for [65504, 6e-8, -0.0, inf, 1/3] as float16.
  EXPECT_EQ(doubleToHalf(65504), 0x7bff);
  EXPECT_EQ(doubleToHalf(6e-8), 0x0001);
  EXPECT_EQ(doubleToHalf(-0.0), 0x8000);
  EXPECT_EQ(doubleToHalf(inf), 0x7c00);
  EXPECT_EQ(doubleToHalf(1.0 / 3), 0x3555);
  // Overflow: 65520 is the halfway point to 2^16, which rounds to infinity.
  EXPECT_EQ(doubleToHalf(65519.99), 0x7bff);
  EXPECT_EQ(floatToHalf(65520.0f), 0x7c00);
  EXPECT_EQ(floatToHalf(-1e10f), 0xfc00);
  EXPECT_EQ(doubleToHalf(1e300), 0x7c00);
  // Subnormals and underflow.
  EXPECT_EQ(doubleToHalf(std::ldexp(1.0, -24)), 0x0001);
  EXPECT_EQ(doubleToHalf(std::ldexp(1.0, -25)), 0x0000); // tie to even zero
  EXPECT_EQ(doubleToHalf(std::ldexp(1.0, -25) * 1.0001), 0x0001);
  EXPECT_EQ(doubleToHalf(std::ldexp(3.0, -25)), 0x0002); // tie to even 2
  EXPECT_EQ(doubleToHalf(-std::ldexp(1.0, -30)), 0x8000);
  EXPECT_EQ(doubleToHalf(std::numeric_limits<double>::denorm_min()), 0);
  EXPECT_EQ(doubleToHalf(std::ldexp(1023.0, -24)), 0x03ff);
  EXPECT_EQ(doubleToHalf(std::ldexp(1023.5, -24)), 0x0400); // to the normal
  EXPECT_FLOAT_EQ(halfToFloat(0x0001), std::ldexp(1.0f, -24));
  EXPECT_FLOAT_EQ(halfToFloat(0x3c00), 1.0f);
  EXPECT_TRUE(std::isinf(halfToFloat(0xfc00)) && halfToFloat(0xfc00) < 0);
  // NaN stays NaN, quiet, with its sign.
  const uint16_t nan = floatToHalf(-std::numeric_limits<float>::quiet_NaN());
  EXPECT_EQ(nan & 0xfc00, 0xfc00);
  EXPECT_NE(nan & 0x03ff, 0);
  EXPECT_TRUE(std::isnan(halfToFloat(0x7c01)));
  EXPECT_NE(floatToHalf(halfToFloat(0x7c01)) & 0x0200, 0); // made quiet
}

TEST(Npy, BFloat16SpecialValues) {
  EXPECT_EQ(floatToBFloat16(1.0f), 0x3f80);
  EXPECT_EQ(floatToBFloat16(-3.0f), 0xc040);
  EXPECT_EQ(floatToBFloat16(std::numeric_limits<float>::max()), 0x7f80);
  EXPECT_EQ(floatToBFloat16(std::numeric_limits<float>::infinity()), 0x7f80);
  EXPECT_EQ(floatToBFloat16(std::numeric_limits<float>::denorm_min()), 0x0000);
  EXPECT_EQ(floatToBFloat16(std::ldexp(1.0f, -133)), 0x0001); // subnormal
  EXPECT_EQ(doubleToBFloat16(1e300), 0x7f80);
  EXPECT_EQ(doubleToBFloat16(1e-300), 0x0000);
  EXPECT_TRUE(std::isnan(
      bfloat16ToFloat(floatToBFloat16(std::numeric_limits<float>::quiet_NaN()))));
  // A signaling-looking NaN whose payload sits only in the low bits must not
  // turn into infinity.
  EXPECT_TRUE(std::isnan(bfloat16ToFloat(floatToBFloat16(
      [] { float f; uint32_t b = 0x7f800001; std::memcpy(&f, &b, 4); return f; }()))));
}

TEST(Npy, DoubleNarrowingRoundsOnce) {
  // Just above the midpoint of 1 and the next half: going through float
  // would land exactly on the midpoint and then round down to even.
  const double x = 1.0 + std::ldexp(1.0, -11) + std::ldexp(1.0, -40);
  EXPECT_EQ(doubleToHalf(x), 0x3c01);
  const double y = 1.0 + std::ldexp(1.0, -8) + std::ldexp(1.0, -40);
  EXPECT_EQ(doubleToBFloat16(y), 0x3f81);
}

#ifdef __FLT16_MAX__
TEST(Npy, HalfMatchesTheCompiler) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> wide(-70000.0f, 70000.0f);
  std::uniform_real_distribution<float> tiny(-1e-4f, 1e-4f);
  for (int i = 0; i < 300000; ++i) {
    // Random bit patterns, and values in the normal and subnormal ranges.
    float f;
    if (i % 3 == 0) {
      const uint32_t bits = rng();
      std::memcpy(&f, &bits, 4);
    } else {
      f = i % 3 == 1 ? wide(rng) : tiny(rng);
    }
    if (std::isnan(f))
      continue;
    const _Float16 ref = static_cast<_Float16>(f);
    uint16_t refBits;
    std::memcpy(&refBits, &ref, 2);
    ASSERT_EQ(floatToHalf(f), refBits) << f;
  }
}
#endif
