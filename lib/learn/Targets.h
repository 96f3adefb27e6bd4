// The named target matrices of Dao et al. 2019 (REFERENCE.md section 2),
// built in float64 without numpy/scipy. Definitions (also in
// docs/learning.md):
//   dft        F[j,k] = exp(-2 pi i jk/N) / sqrt(N)  (scipy dft(N, 'sqrtn'))
//   idft       conj(F)^T
//   dct        T[k,n] = 2 cos(pi k (2n+1) / 2N) / sqrt(N)
//              (scipy.fftpack.dct(eye(N)).T / sqrt(N): unnormalized DCT-II)
//   dst        T[k,n] = 2 sin(pi (k+1)(2n+1) / 2N) / sqrt(N)   (DST-II)
//   hadamard   (-1)^popcount(i & j) / sqrt(N)   (Sylvester order)
//   hartley    (cos + sin)(2 pi jk / N) / sqrt(N)
//   convolution C[i,j] = h[(i-j) mod N] / sqrt(N), h = N normals of Rng(0)
//   legendre   L[k,j] = P_k(x_j) / sqrt(N), x_j = -1 + 2(j+1)/(N+1)
//              (numpy legvander(linspace(-1,1,N+2)[1:-1], N-1).T / sqrt(N))
//   randn      N*N normals of Rng(0), row-major, / sqrt(N)
//   hilbert    H[i,j] = 1/(i+j+1), divided by its spectral norm
// Rng is splitmix64 + Box-Muller (learn/Common.h), so the random targets are
// the same on every machine (they differ from numpy's seed-0 draws).
#ifndef LINOP_LEARN_TARGETS_H
#define LINOP_LEARN_TARGETS_H

#include "learn/Common.h"

#include <string>
#include <vector>

namespace linop::learn {

struct Target {
  std::string name; // e.g. "dft_1024": used for the function and files
  MatC matrix;
  bool real = false; // every entry real
};

/// The names accepted by makeTarget, in order.
const std::vector<std::string> &targetNames();

/// spec is "NAME:N" (N >= 1; a power of two for hadamard). Returns false with
/// a message for an unknown name or a bad size.
bool makeTarget(const std::string &spec, Target &out, std::string &error);

} // namespace linop::learn

#endif // LINOP_LEARN_TARGETS_H
