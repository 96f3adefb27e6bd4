// linop-learn: find a butterfly / Monarch / Kronecker factorization of a
// dense matrix and write it out as a Linop spec. See --help and
// docs/learning.md. Free of LLVM: arguments are parsed by hand.
#include "learn/Emit.h"
#include "learn/Input.h"
#include "learn/Learn.h"
#include "learn/Plot.h"
#include "learn/Targets.h"
#include "npy/Npy.h"

#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <new>
#include <iostream>
#include <string>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace linop;
using namespace linop::learn;

namespace {

const char *kHelp = R"(usage: linop-learn (--matrix M.npy | --target NAME:N) [options]

Finds a butterfly (or Monarch, or Kronecker) factorization of a dense matrix,
exactly where one exists, and writes it out as a Linop spec.

input (one of):
  --matrix M.npy          2-D array, real or complex, f16/bf16/f32/f64
  --target NAME:N         dft idft dct dst hadamard hartley convolution
                          legendre randn hilbert (docs/learning.md)
structure:
  --structure S           butterfly | butterfly2 | monarch | kron | auto
                          (default auto: the cheapest in flops that meets the
                          tolerance, else the most accurate)
  --factors K             kron: number of factors (default 2)
  --blocks B              monarch: number of blocks b (N = b m)
  --field F               auto | real | complex weights (default auto: real
                          targets try real weights first)
  --tree T                l2r | r2l | balanced split order (default l2r)
  --algorithm A           orthonormal (default): each singular value goes to
                          the factor split further, so with --tree l2r|r2l
                          the error is within sqrt(L-1) of the best
                          butterfly and the report gives the bound;
                          symmetric: sqrt(sigma) on both sides, no guarantee
  --no-normalize          the same as --algorithm symmetric
  --no-polish             skip the L-BFGS polish of approximate results
  --polish-iterations N   (default 2000)
  --polish-seconds S      time limit of one polish (default 60)
  --pad                   zero-pad to the next power of two >= max(rows, cols)
accuracy:
  --tolerance T           required relative Frobenius error ||B-T||/||T||;
                          exit status 2 (outputs still written) if not reached
  --exact-tolerance T     relative error that counts as exact (default 1e-10)
output:
  -o DIR                  write DIR/NAME.mlir, DIR/report.txt, DIR/report.json
  --name NAME             function name (default from the target or file)
  --dtype f32|f64         weight precision in the spec (default f32)
  --weights inline|npy    inline: dense_resource blobs in the .mlir (default);
                          npy: DIR/NAME_<w>.npy, taken as function arguments
  --save-target FILE.npy  also write the (padded) target matrix
  --plot FILE.png         factor sparsity patterns and error, as a PNG
  --compile               then run linopc on the spec (--target=cpu|cuda)
  --threads N             worker threads (default: the CPUs allowed)
  --quiet                 no progress on stderr
  --help
exit status: 0 success, 1 bad input or usage, 2 tolerance not reached.
)";

int fail(const std::string &msg) {
  std::cerr << "linop-learn: error: " << msg << "\n";
  return 1;
}

bool parseDouble(const std::string &s, double &out) {
  char *end = nullptr;
  errno = 0;
  out = std::strtod(s.c_str(), &end);
  return !s.empty() && end && *end == 0 && errno == 0 && std::isfinite(out);
}

bool parseInt(const std::string &s, int64_t &out) {
  char *end = nullptr;
  errno = 0;
  long long v = std::strtoll(s.c_str(), &end, 10);
  out = v;
  return !s.empty() && end && *end == 0 && errno == 0;
}

// A keyword option's value; the message lists the choices.
template <typename E>
bool choose(const std::string &option, const std::string &v,
            std::initializer_list<std::pair<const char *, E>> choices,
            E &out, std::string &msg) {
  std::string list;
  size_t i = 0;
  for (const auto &c : choices) {
    if (v == c.first) {
      out = c.second;
      return true;
    }
    list += (i == 0 ? "" : i + 1 == choices.size() ? " or " : ", ");
    list += c.first;
    ++i;
  }
  msg = option + " must be " + list + ", got '" + v + "'";
  return false;
}

std::string selfDir() {
  char buf[4096];
  ssize_t len = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (len <= 0)
    return ".";
  std::string p(buf, size_t(len));
  size_t slash = p.rfind('/');
  return slash == std::string::npos ? "." : p.substr(0, slash);
}

std::string stem(const std::string &path) {
  size_t slash = path.rfind('/');
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  size_t dot = base.rfind('.');
  if (dot != std::string::npos && dot > 0)
    base = base.substr(0, dot);
  std::string out;
  for (char c : base)
    out += (std::isalnum(static_cast<unsigned char>(c)) || c == '_') ? c : '_';
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0])))
    out = "m_" + out;
  return out;
}

bool validName(const std::string &s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0])))
    return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_')
      return false;
  return true;
}

bool makeDir(const std::string &dir, std::string &error) {
  struct stat st;
  if (stat(dir.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode))
      return true;
    error = dir + " exists and is not a directory";
    return false;
  }
  if (mkdir(dir.c_str(), 0777) != 0) {
    error = "cannot create " + dir + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

} // namespace

namespace {
int learnMain(int argc, char **argv);
} // namespace

// An allocation that fails anywhere still ends in a message, not an abort.
int main(int argc, char **argv) {
  try {
    return learnMain(argc, argv);
  } catch (const std::bad_alloc &) {
    std::fprintf(stderr, "linop-learn: error: out of memory (a smaller "
                         "target, or a machine with more memory)\n");
    return 1;
  }
}

namespace {
int learnMain(int argc, char **argv) {
  std::string matrixPath, targetSpec, outDir, name, plotPath, saveTarget;
  std::string compileTarget;
  bool compile = false, pad = false, f64 = false, weightsNpy = false;
  LearnOptions opt;
  bool toleranceGiven = false;

  std::vector<std::string> args(argv + 1, argv + argc);
  for (size_t i = 0; i < args.size(); ++i) {
    std::string a = args[i], value;
    bool hasInline = false;
    if (a.rfind("--", 0) == 0) {
      size_t eq = a.find('=');
      if (eq != std::string::npos) {
        value = a.substr(eq + 1);
        a = a.substr(0, eq);
        hasInline = true;
      }
    }
    auto next = [&](std::string &out) {
      if (hasInline) {
        out = value;
        return true;
      }
      if (i + 1 >= args.size())
        return false;
      out = args[++i];
      return true;
    };
    auto need = [&](std::string &out) {
      if (!next(out)) {
        std::cerr << "linop-learn: error: " << a << " needs a value\n";
        std::exit(1);
      }
    };
    std::string v, msg;
    int64_t iv;
    double dv;
    if (a == "--help" || a == "-h") {
      std::cout << kHelp;
      return 0;
    } else if (a == "--matrix") {
      need(matrixPath);
    } else if (a == "--target") {
      need(v);
      // --target NAME:N picks a matrix; --target=cpu|cuda the compile target.
      if (v.find(':') == std::string::npos &&
          (v == "cpu" || v == "cuda" || v == "gpu"))
        compileTarget = v;
      else
        targetSpec = v;
    } else if (a == "--structure") {
      need(v);
      if (v == "auto") {
        opt.autoStructure = true;
      } else if (structureFromName(v, opt.structure) &&
                 opt.structure != Structure::Dense) {
        opt.autoStructure = false;
      } else {
        return fail("--structure must be butterfly, butterfly2, monarch, "
                    "kron or auto, got '" + v + "'");
      }
    } else if (a == "--factors") {
      need(v);
      if (!parseInt(v, iv) || iv < 1 || iv > 64)
        return fail("--factors must be an integer in [1, 64], got '" + v + "'");
      opt.kronFactors = int(iv);
    } else if (a == "--blocks") {
      need(v);
      if (!parseInt(v, iv) || iv < 1)
        return fail("--blocks must be a positive integer, got '" + v + "'");
      opt.monarchBlocks = iv;
    } else if (a == "--field" || a == "--tree" || a == "--algorithm") {
      need(v);
      bool ok =
          a == "--field"
              ? choose(a, v,
                       {{"auto", Field::Auto},
                        {"real", Field::Real},
                        {"complex", Field::Complex}},
                       opt.field, msg)
          : a == "--tree" ? choose(a, v,
                                   {{"l2r", Tree::LeftToRight},
                                    {"r2l", Tree::RightToLeft},
                                    {"balanced", Tree::Balanced}},
                                   opt.tree, msg)
                          : choose(a, v,
                                   {{"orthonormal", Scaling::Orthonormal},
                                    {"symmetric", Scaling::Symmetric}},
                                   opt.scaling, msg);
      if (!ok)
        return fail(msg);
    } else if (a == "--no-normalize") {
      opt.scaling = Scaling::Symmetric;
    } else if (a == "--no-polish") {
      opt.polish = false;
    } else if (a == "--polish-iterations") {
      need(v);
      if (!parseInt(v, iv) || iv < 0)
        return fail("--polish-iterations must be >= 0, got '" + v + "'");
      opt.polishOptions.maxIterations = int(iv);
    } else if (a == "--polish-seconds") {
      need(v);
      if (!parseDouble(v, dv) || dv < 0)
        return fail("--polish-seconds must be >= 0, got '" + v + "'");
      opt.polishOptions.maxSeconds = dv;
    } else if (a == "--pad") {
      pad = true;
    } else if (a == "--tolerance") {
      need(v);
      if (!parseDouble(v, dv) || dv < 0)
        return fail("--tolerance must be a number >= 0, got '" + v + "'");
      opt.tolerance = dv;
      toleranceGiven = true;
    } else if (a == "--exact-tolerance") {
      need(v);
      if (!parseDouble(v, dv) || dv <= 0)
        return fail("--exact-tolerance must be a number > 0, got '" + v + "'");
      opt.exactTolerance = dv;
    } else if (a == "-o" || a == "--output") {
      need(outDir);
    } else if (a == "--name") {
      need(name);
      if (!validName(name))
        return fail("--name must be letters, digits and _, not starting "
                    "with a digit, got '" + name + "'");
    } else if (a == "--dtype") {
      need(v);
      if (v == "f32")
        f64 = false;
      else if (v == "f64")
        f64 = true;
      else
        return fail("--dtype must be f32 or f64, got '" + v + "'");
    } else if (a == "--weights") {
      need(v);
      if (v == "npy")
        weightsNpy = true;
      else if (v == "inline")
        weightsNpy = false;
      else
        return fail("--weights must be inline or npy, got '" + v + "'");
    } else if (a == "--save-target") {
      need(saveTarget);
    } else if (a == "--plot") {
      need(plotPath);
    } else if (a == "--compile") {
      compile = true;
      if (hasInline)
        compileTarget = value;
    } else if (a == "--threads") {
      need(v);
      if (!parseInt(v, iv) || iv < 1 || iv > 1024)
        return fail("--threads must be in [1, 1024], got '" + v + "'");
      setNumThreads(int(iv));
    } else if (a == "--quiet" || a == "-q") {
      setQuiet(true);
    } else {
      return fail("unknown argument '" + args[i] + "' (see --help)");
    }
  }
  if (matrixPath.empty() == targetSpec.empty())
    return fail("give exactly one of --matrix M.npy or --target NAME:N "
                "(see --help)");
  if (weightsNpy && outDir.empty())
    return fail("--weights npy needs -o DIR");
  if (compile && outDir.empty())
    return fail("--compile needs -o DIR");
  if (compile) {
    // Fail before the work, not after: linopc must sit beside us.
    std::string linopc = selfDir() + "/linopc";
    if (access(linopc.c_str(), X_OK) != 0)
      return fail("linopc not built yet: expected " + linopc +
                  " (build it with `ninja linopc`, or drop --compile)");
  }

  std::string dirError;
  if (!outDir.empty() && !makeDir(outDir, dirError))
    return fail(dirError);

  Timer total;
  ReportInfo info;
  MatC T;
  bool realInput = false;
  if (!targetSpec.empty()) {
    Target t;
    std::string error;
    if (!makeTarget(targetSpec, t, error))
      return fail(error);
    T = std::move(t.matrix);
    realInput = t.real;
    info.source = "--target " + targetSpec;
    if (name.empty())
      name = t.name;
  } else {
    std::string error;
    if (!readMatrixNpy(matrixPath, T, realInput, info.notes, error))
      return fail(error);
    info.source = matrixPath;
    if (name.empty())
      name = stem(matrixPath);
  }
  {
    std::string error;
    size_t before = info.notes.size();
    if (!prepareMatrix(T, pad, info.notes, error))
      return fail(error);
    for (size_t k = before; k < info.notes.size(); ++k)
      progress("note: " + info.notes[k]);
  }
  int64_t n = T.rows();
  if (!saveTarget.empty()) {
    std::string error;
    if (!writeMatrixNpy(saveTarget, T, error))
      return fail("cannot write " + saveTarget + ": " + error);
  }

  LearnResult result;
  std::string error;
  if (!linop::learn::learn(T, opt, result, error))
    return fail(error);

  info.name = name;
  info.n = n;
  info.realTarget = isReal(T);
  info.f64 = f64;
  info.threads = numThreads();
  double norm = T.norm();
  // The weights as the spec stores them; estimated from 512 columns for
  // large N (the exact error above is over all columns).
  bool sampled = false;
  info.roundedRelError =
      frobeniusError(roundedModel(result.model, f64), T, n > 2048 ? 512 : 0,
                     &sampled) /
      norm;
  if (sampled)
    info.notes.push_back("error as stored estimated from 512 of the " +
                         std::to_string(n) + " columns");
  if (!realInput && info.realTarget)
    info.notes.push_back("complex input with zero imaginary parts");
  info.totalSeconds = total.seconds();
  // Compiled Monarch factors are run-time arguments (linopc refuses
  // constant ones), so --compile writes them as .npy files.
  if (compile && !weightsNpy && result.model.structure == Structure::Monarch) {
    weightsNpy = true;
    info.notes.push_back("--compile: a compiled Monarch takes its factors at "
                         "run time, so they are written as .npy files (as "
                         "--weights npy)");
  }

  std::string text = reportText(result, info);
  if (!outDir.empty()) {
    EmitOptions eo;
    eo.name = name;
    eo.f64 = f64;
    eo.weightsAsArgs = weightsNpy;
    if (!writeFile(outDir + "/" + name + ".mlir", emitSpec(result.model, eo),
                   error))
      return fail(error);
    if (weightsNpy)
      for (const Weight &w : modelWeights(result.model)) {
        std::string path = outDir + "/" + name + "_" + w.name + ".npy";
        if (!npy::write(path, weightArray(w, result.model.real(), f64), error))
          return fail("cannot write " + path + ": " + error);
      }
    if (!writeFile(outDir + "/report.txt", text, error) ||
        !writeFile(outDir + "/report.json", reportJson(result, info), error))
      return fail(error);
  }
  if (!plotPath.empty()) {
    if (!writePlot(plotPath, result.model, T, error))
      return fail(error);
  }
  if (!quiet() || outDir.empty())
    std::cout << text;

  int status = 0;
  if (toleranceGiven && result.relError > opt.tolerance) {
    std::cerr << "linop-learn: tolerance " << opt.tolerance
              << " not reached: best relative error " << result.relError
              << " (" << structureName(result.model.structure) << ")"
              << (outDir.empty() ? "" : "; outputs written anyway") << "\n";
    status = 2;
  }
  if (compile && status == 0) {
    std::string linopc = selfDir() + "/linopc";
    std::string target = compileTarget.empty() ? "cpu" : compileTarget;
    // Absolute paths: linopc resolves its temporary directory from -o.
    char resolved[PATH_MAX];
    std::string dir = realpath(outDir.c_str(), resolved) ? resolved : outDir;
    std::string mlir = dir + "/" + name + ".mlir";
    pid_t pid = fork();
    if (pid == 0) {
      // linopc SPEC --target=T -o DIR: the library lands beside the spec.
      std::string targetArg = "--target=" + target;
      execl(linopc.c_str(), "linopc", mlir.c_str(), targetArg.c_str(), "-o",
            dir.c_str(), (char *)nullptr);
      _exit(127);
    }
    int ws = 0;
    if (pid < 0 || waitpid(pid, &ws, 0) < 0)
      return fail("could not run " + linopc);
    if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0)
      return fail("linopc failed on " + mlir);
  }
  return status;
}

} // namespace
