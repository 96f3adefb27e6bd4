//===- Fatbin.cpp - a cubin and PTX in one fatbin -------------------------===//
//
// The toolkit's `fatbinary` packs them (the toolkit ships no fatbin
// library; NVIDIA's nvFatbin is a separate download), run as a program.
//
//===----------------------------------------------------------------------===//

#include "linop/CUDA/Fatbin.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>

namespace linop::cuda {

namespace {

/// Where the toolkit's fatbinary is, or empty.
std::string findFatbinary() {
  std::vector<std::string> tries;
  if (const char *p = std::getenv("LINOP_FATBINARY"); p && *p)
    return p; // taken as given: a wrong path fails with its name
  if (const char *home = std::getenv("CUDA_HOME"); home && *home)
    tries.push_back(std::string(home) + "/bin/fatbinary");
  tries.push_back("/usr/local/cuda/bin/fatbinary");
  for (const std::string &t : tries)
    if (llvm::sys::fs::can_execute(t))
      return t;
  if (llvm::ErrorOr<std::string> p = llvm::sys::findProgramByName("fatbinary"))
    return *p;
  return {};
}

} // namespace

bool packFatbin(const NvrtcResult &r, std::string &fatbin,
                std::string &error) {
  std::string tool = findFatbinary();
  if (tool.empty()) {
    error = "--target=cuda packs its cubin and PTX into a fatbin with the "
            "CUDA toolkit's `fatbinary`, which is not in CUDA_HOME/bin, "
            "/usr/local/cuda/bin or PATH (set CUDA_HOME, or LINOP_FATBINARY "
            "to the tool)";
    return false;
  }
  llvm::SmallString<128> dir;
  if (std::error_code ec =
          llvm::sys::fs::createUniqueDirectory("linop-fatbin", dir)) {
    error = "cannot create a temporary directory: " + ec.message();
    return false;
  }
  auto cleanup =
      llvm::make_scope_exit([&] { llvm::sys::fs::remove_directories(dir); });
  std::string cubin = (dir + "/k.cubin").str(), ptx = (dir + "/k.ptx").str(),
              out = (dir + "/k.fatbin").str(), log = (dir + "/log").str();
  for (auto [path, bytes] : {std::pair(cubin, &r.cubin), {ptx, &r.ptx}}) {
    std::error_code ec;
    llvm::raw_fd_ostream os(path, ec);
    if (!ec)
      os << *bytes;
    if (ec || os.has_error()) {
      error = "cannot write " + path;
      return false;
    }
  }
  std::vector<std::string> args = {
      tool, "--64", "--create=" + out,
      "--image3=kind=elf,sm=90a,file=" + cubin,
      "--image3=kind=ptx,sm=90,file=" + ptx};
  std::vector<llvm::StringRef> argv(args.begin(), args.end());
  std::string message;
  std::optional<llvm::StringRef> redirects[] = {std::nullopt,
                                                llvm::StringRef(log),
                                                llvm::StringRef(log)};
  int rc = llvm::sys::ExecuteAndWait(tool, argv, std::nullopt, redirects, 60,
                                     0, &message);
  auto buf = llvm::MemoryBuffer::getFile(out);
  if (rc != 0 || !buf) {
    auto logBuf = llvm::MemoryBuffer::getFile(log);
    error = tool + " failed" + (message.empty() ? "" : " (" + message + ")") +
            (logBuf ? ": " + (*logBuf)->getBuffer().trim().str() : "");
    return false;
  }
  fatbin = (*buf)->getBuffer().str();
  return true;
}

} // namespace linop::cuda
