#include "learn/Plot.h"

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>

namespace linop::learn {

namespace {

void put32(std::vector<uint8_t> &out, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8)
    out.push_back(uint8_t(v >> s));
}

void chunk(std::vector<uint8_t> &out, const char *type,
           const std::vector<uint8_t> &data) {
  put32(out, uint32_t(data.size()));
  size_t start = out.size();
  out.insert(out.end(), type, type + 4);
  out.insert(out.end(), data.begin(), data.end());
  uLong crc = crc32(0L, Z_NULL, 0);
  crc = crc32(crc, out.data() + start, uInt(out.size() - start));
  put32(out, uint32_t(crc));
}

struct Canvas {
  int w, h;
  std::vector<uint8_t> rgb;
  Canvas(int w_, int h_) : w(w_), h(h_), rgb(size_t(w_) * h_ * 3, 255) {}
  void set(int x, int y, uint8_t r, uint8_t g, uint8_t b) {
    size_t k = (size_t(y) * w + x) * 3;
    rgb[k] = r;
    rgb[k + 1] = g;
    rgb[k + 2] = b;
  }
};

// A simple dark-blue -> yellow ramp for t in [0, 1].
void ramp(double t, uint8_t &r, uint8_t &g, uint8_t &b) {
  t = std::clamp(t, 0.0, 1.0);
  r = uint8_t(255 * std::clamp(1.6 * t - 0.3, 0.0, 1.0));
  g = uint8_t(255 * std::clamp(1.2 * t, 0.0, 1.0) * 0.9);
  b = uint8_t(255 * std::clamp(0.6 - 0.6 * t + 0.2, 0.0, 1.0));
}

} // namespace

std::vector<uint8_t> encodePng(int width, int height,
                               const std::vector<uint8_t> &rgb) {
  std::vector<uint8_t> raw;
  raw.reserve(size_t(height) * (1 + 3 * size_t(width)));
  for (int y = 0; y < height; ++y) {
    raw.push_back(0); // filter: none
    raw.insert(raw.end(), rgb.begin() + size_t(y) * width * 3,
               rgb.begin() + size_t(y + 1) * width * 3);
  }
  uLongf size = compressBound(uLong(raw.size()));
  std::vector<uint8_t> z(size);
  compress2(z.data(), &size, raw.data(), uLong(raw.size()), 9);
  z.resize(size);
  std::vector<uint8_t> out = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  std::vector<uint8_t> ihdr;
  put32(ihdr, uint32_t(width));
  put32(ihdr, uint32_t(height));
  ihdr.insert(ihdr.end(), {8, 2, 0, 0, 0}); // 8-bit RGB
  chunk(out, "IHDR", ihdr);
  chunk(out, "IDAT", z);
  chunk(out, "IEND", {});
  return out;
}

bool writePlot(const std::string &path, const Model &m, const MatC &T,
               std::string &error) {
  int64_t n = m.n;
  if (n > 4096) {
    error = "--plot supports N <= 4096, got " + std::to_string(n);
    return false;
  }
  using Entry = std::function<double(int64_t, int64_t)>;
  struct Panel {
    Entry value; // >= 0; patterns use 0 / 1
    bool pattern;
    bool logScale;
  };
  MatC M = m.toDense();
  double tmax = T.cwiseAbs().maxCoeff(), mmax = M.cwiseAbs().maxCoeff();
  std::vector<Panel> panels;
  panels.push_back({[&](int64_t i, int64_t j) { return std::abs(T(i, j)) / tmax; },
                    false, false});
  panels.push_back({[&](int64_t i, int64_t j) {
                      return mmax > 0 ? std::abs(M(i, j)) / mmax : 0.0;
                    },
                    false, false});
  panels.push_back({[&](int64_t i, int64_t j) {
                      // log10 error mapped from [-16, 0] (relative to max |T|)
                      double e = std::abs(M(i, j) - T(i, j)) / tmax;
                      return e <= 1e-16 ? 0.0 : (std::log10(e) + 16) / 16;
                    },
                    false, true});
  // Factor patterns, leftmost (last applied) first.
  if (m.structure == Structure::Butterfly ||
      m.structure == Structure::Butterfly2) {
    for (int k = int(m.butterflies.size()) - 1; k >= 0; --k) {
      const Butterfly &b = m.butterflies[k];
      for (int blk = b.nblocks - 1; blk >= 0; --blk)
        for (int l = b.L - 1; l >= 0; --l) {
          const Butterfly *bp = &b;
          panels.push_back({[bp, blk, l](int64_t i, int64_t j) {
                              int64_t s = bp->stride(l);
                              if ((i ^ j) != 0 && (i ^ j) != s)
                                return 0.0;
                              int64_t a = std::min(i, j) & ~s;
                              int64_t p = (a / (2 * s)) * s + a % (2 * s);
                              int u = (i & s) ? 1 : 0, v = (j & s) ? 1 : 0;
                              return std::abs(bp->t(blk, l, p, u, v)) > 0 ? 1.0
                                                                           : 0.0;
                            },
                            true, false});
        }
    }
  } else if (m.structure == Structure::Monarch) {
    int64_t mm = m.monarchM, bb = m.monarchB;
    const Model *mp = &m;
    panels.push_back({[mp, mm, bb](int64_t r, int64_t c) {
                        int64_t ip = r / mm, jp = r % mm, i = c / mm;
                        if (c % mm != jp)
                          return 0.0;
                        return std::abs(mp->left[(jp * bb + ip) * bb + i]) > 0
                                   ? 1.0
                                   : 0.0;
                      },
                      true, false});
    panels.push_back({[mp, mm](int64_t r, int64_t c) {
                        if (r / mm != c / mm)
                          return 0.0;
                        int64_t i = r / mm;
                        return std::abs(mp->right[(i * mm + r % mm) * mm +
                                                  c % mm]) > 0
                                   ? 1.0
                                   : 0.0;
                      },
                      true, false});
  } else if (m.structure == Structure::Kron) {
    int64_t inner = n;
    for (const MatC &A : m.kron) {
      int64_t nk = A.rows();
      inner /= nk;
      const MatC *ap = &A;
      panels.push_back({[ap, nk, inner](int64_t i, int64_t j) {
                          // I (x) A (x) I: other digits equal.
                          if (i / (nk * inner) != j / (nk * inner) ||
                              i % inner != j % inner)
                            return 0.0;
                          return std::abs((*ap)((i / inner) % nk,
                                                (j / inner) % nk)) > 0
                                     ? 1.0
                                     : 0.0;
                        },
                        true, false});
    }
  }
  // Panels of at most 256 pixels (max-pooled cells), small N upscaled to at
  // least 128.
  int64_t zoom = std::max<int64_t>(1, 128 / n);
  int P = int(std::min<int64_t>(n, 256) * zoom), gap = 8;
  int64_t cell = std::max<int64_t>(1, (n + 255) / 256);
  int cols = int(std::min<size_t>(panels.size(), 8));
  int rows = int((panels.size() + cols - 1) / cols);
  Canvas c(cols * (P + gap) + gap, rows * (P + gap) + gap);
  for (size_t k = 0; k < panels.size(); ++k) {
    int ox = gap + int(k % cols) * (P + gap), oy = gap + int(k / cols) * (P + gap);
    for (int py = 0; py < P; ++py)
      for (int px = 0; px < P; ++px) {
        double v = 0;
        int64_t cy = py / zoom, cx = px / zoom;
        for (int64_t i = cy * cell; i < std::min(n, (cy + 1) * cell); ++i)
          for (int64_t j = cx * cell; j < std::min(n, (cx + 1) * cell); ++j)
            v = std::max(v, panels[k].value(i, j));
        uint8_t r, g, b;
        if (panels[k].pattern) {
          r = g = b = v > 0 ? 0 : 255;
        } else {
          ramp(v, r, g, b);
        }
        c.set(ox + px, oy + py, r, g, b);
      }
  }
  std::vector<uint8_t> png = encodePng(c.w, c.h, c.rgb);
  std::ofstream f(path, std::ios::binary);
  if (!f.write(reinterpret_cast<const char *>(png.data()), png.size())) {
    error = "cannot write " + path;
    return false;
  }
  return true;
}

} // namespace linop::learn
