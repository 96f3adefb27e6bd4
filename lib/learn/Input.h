// Reading and checking the matrix to learn: every bad input gets a clear
// message, never a crash.
#ifndef LINOP_LEARN_INPUT_H
#define LINOP_LEARN_INPUT_H

#include "learn/Common.h"

#include <string>
#include <vector>

namespace linop::learn {

/// Reads a 2-D .npy array (f16, bf16, f32, f64, complex64, complex128).
/// `realInput` tells whether the dtype was real. Rejects unreadable files,
/// other ranks and empty arrays.
bool readMatrixNpy(const std::string &path, MatC &out, bool &realInput,
                   std::vector<std::string> &notes, std::string &error);

/// Makes T ready for learning, or says why not: entries must be finite; T
/// must be square unless `pad` (then it is zero-padded to the next power of
/// two >= max(rows, cols), with a note); it must not be all zeros (every
/// structure represents that with zero weights: nothing to learn) and N >=
/// 2. A numerically singular T is accepted with a note (checked by LU for
/// N <= 512): the factorization is still valid, with singular factors.
bool prepareMatrix(MatC &T, bool pad, std::vector<std::string> &notes,
                   std::string &error);

/// Writes T as a float64 or complex128 .npy (complex when any imaginary
/// part is nonzero).
bool writeMatrixNpy(const std::string &path, const MatC &T,
                    std::string &error);

} // namespace linop::learn

#endif // LINOP_LEARN_INPUT_H
