// Writing a learned model as a Linop spec (.mlir), its weights (.npy), and
// the reports.
#ifndef LINOP_LEARN_EMIT_H
#define LINOP_LEARN_EMIT_H

#include "learn/Learn.h"
#include "npy/Npy.h"

#include <string>
#include <vector>

namespace linop::learn {

struct EmitOptions {
  std::string name;          // function and resource prefix
  bool f64 = false;          // f64 / complex<f64> instead of f32-based
  bool weightsAsArgs = false; // --weights=npy: weights are func arguments
};

struct Weight {
  std::string name;           // "tw", "tw2", "L", "R", "k0", ...
  std::vector<int64_t> shape; // tensor shape without the element type
  std::vector<cd> values;     // row-major
};

/// The weight tensors of a model, in the order the spec declares them.
std::vector<Weight> modelWeights(const Model &m);

/// "f32", "complex<f64>", ...
std::string elementType(const Model &m, bool f64);

/// The spec text: func.func @name with linop ops, and (unless
/// weightsAsArgs) a dialect_resources block holding the weights.
std::string emitSpec(const Model &m, const EmitOptions &opt);

/// The weights as npy arrays (float32/complex64 or float64/complex128).
npy::Array weightArray(const Weight &w, bool realField, bool f64);

/// The model with every weight rounded to float32 (when !f64), to report
/// the error of what the spec actually holds.
Model roundedModel(const Model &m, bool f64);

struct ReportInfo {
  std::string name, source; // source: "--target dft:1024" or the .npy path
  int64_t n = 0;
  bool realTarget = false;
  bool f64 = false;
  double roundedRelError = 0; // with the weights as stored
  double totalSeconds = 0;
  int threads = 1;
  std::vector<std::string> notes;
};

std::string reportText(const LearnResult &r, const ReportInfo &info);
std::string reportJson(const LearnResult &r, const ReportInfo &info);

/// Writes `text` to `path`; false with a message on failure.
bool writeFile(const std::string &path, const std::string &text,
               std::string &error);

} // namespace linop::learn

#endif // LINOP_LEARN_EMIT_H
