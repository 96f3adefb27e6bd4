//===- NpyFuzzer.cpp - libFuzzer target for the .npy reader ---------------===//
//
// Parses the input as a .npy file; what parses must validate, widen to
// complex128 and serialize back to bytes that parse to the same array.
// Seeds: corpus/npy.
//
//===----------------------------------------------------------------------===//

#include "npy/Npy.h"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  linop::npy::Array a;
  std::string error;
  if (!linop::npy::parse(data, size, a, error))
    return 0;
  if (!linop::npy::validate(a, error))
    std::abort(); // parse accepted an array that does not hold together
  (void)linop::npy::toComplex128(a);
  std::vector<uint8_t> bytes;
  if (!linop::npy::serialize(a, bytes, error))
    return 0; // e.g. a dtype np.save writes differently: refused, not lost
  linop::npy::Array b;
  if (!linop::npy::parse(bytes, b, error) || b.shape != a.shape ||
      b.dtype != a.dtype || b.data != a.data)
    std::abort(); // a round trip must keep the array
  return 0;
}
