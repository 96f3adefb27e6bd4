// --plot: a PNG of the target, the learned operator, the error and the
// sparsity pattern of every factor, written directly (zlib deflate).
#ifndef LINOP_LEARN_PLOT_H
#define LINOP_LEARN_PLOT_H

#include "learn/Model.h"

#include <string>

namespace linop::learn {

/// Encodes an 8-bit RGB image (rgb has 3 * width * height bytes, rows top to
/// bottom) as PNG bytes.
std::vector<uint8_t> encodePng(int width, int height,
                               const std::vector<uint8_t> &rgb);

/// Panels, left to right: |T|, |M|, log10 |M - T|, then each factor's
/// nonzero pattern (rightmost factor applies first). N <= 4096.
bool writePlot(const std::string &path, const Model &m, const MatC &T,
               std::string &error);

} // namespace linop::learn

#endif // LINOP_LEARN_PLOT_H
