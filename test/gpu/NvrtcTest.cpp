// Tests of the NVRTC loader. NVRTC needs no GPU, so these run wherever the
// CUDA toolkit is installed, and skip elsewhere.
#include "linop/CUDA/Nvrtc.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>

using linop::cuda::compileCuda;
using linop::cuda::deviceHeader;
using linop::cuda::NvrtcResult;

namespace {

#define EXPECT_CONTAINS(haystack, needle)                                      \
  EXPECT_NE(std::string(haystack).find(needle), std::string::npos)             \
      << "'" << (haystack) << "' does not contain '" << (needle) << "'"

#define REQUIRE_NVRTC()                                                        \
  do {                                                                         \
    std::string why;                                                           \
    if (!linop::cuda::nvrtcAvailable(why))                                     \
      GTEST_SKIP() << why;                                                     \
  } while (0)

// Uses every helper of linop/cuda_device.h, so that they all compile.
const char kKernel[] = R"(
#include "linop/cuda_device.h"

extern "C" __global__ void __launch_bounds__(128)
linop_test_helpers(const __grid_constant__ linop_cuda_args args) {
  float *slice = linop_shared<float>();
  float *out = reinterpret_cast<float *>(args.ptr[1]);
  const unsigned rank = linop_cluster_rank();
  const unsigned size = linop_cluster_size();
  for (long long g = blockIdx.x / size; g < linop_row_groups(args, 2);
       g += gridDim.x / size) {
    slice[threadIdx.x] = reinterpret_cast<const float *>(args.ptr[0])[g];
    linop_cluster_sync();
    const unsigned next = linop_map_shared(slice, (rank + 1) % size);
    float2 pair = linop_load_remote2(next);
    float v = linop_load_remote(next + 4) + pair.x + pair.y;
    linop_store_remote(next, v);
    linop_store_remote2(next, pair);
    v += linop_f16_to_f32(linop_f32_to_f16(v)) +
         linop_bf16_to_f32(linop_f32_to_bf16(v));
    static_cast<float *>(linop_workspace(args, size, 64))[0] = v;
    out[g] = v;
    linop_cluster_sync();
  }
}
)";

} // namespace

TEST(Nvrtc, Available) {
  std::string why;
  if (!linop::cuda::nvrtcAvailable(why))
    GTEST_SKIP() << why;
  EXPECT_CONTAINS(why, "NVRTC ");
  EXPECT_CONTAINS(why, "libnvrtc");
  std::printf("%s\n", why.c_str());
}

TEST(Nvrtc, DeviceHeaderIsEmbedded) {
  const auto [name, text] = deviceHeader();
  EXPECT_EQ(name, "linop/cuda_device.h");
  EXPECT_CONTAINS(text, "#ifndef LINOP_CUDA_DEVICE_H");
  EXPECT_CONTAINS(text, "linop_cuda_args");
  EXPECT_CONTAINS(text, "#endif /* LINOP_CUDA_DEVICE_H */");
}

TEST(Nvrtc, CompilesKernelWithDeviceHeader) {
  REQUIRE_NVRTC();
  NvrtcResult out;
  std::string error;
  ASSERT_TRUE(compileCuda("helpers.cu", kKernel, {deviceHeader()}, {}, out,
                          error))
      << error;
  // An ELF for NVIDIA GPUs (e_machine EM_CUDA = 190).
  ASSERT_GT(out.cubin.size(), 64u);
  EXPECT_EQ(out.cubin.substr(0, 4), "\x7f" "ELF");
  EXPECT_EQ(static_cast<unsigned char>(out.cubin[18]) |
                static_cast<unsigned char>(out.cubin[19]) << 8,
            190);
  // PTX for compute_90, with the cluster instructions in it.
  EXPECT_CONTAINS(out.ptx, ".target sm_90");
  EXPECT_EQ(out.ptx.find(".target sm_90a"), std::string::npos);
  EXPECT_CONTAINS(out.ptx, ".entry linop_test_helpers");
  EXPECT_CONTAINS(out.ptx, "mapa.shared::cluster");
  EXPECT_CONTAINS(out.ptx, "barrier.cluster.arrive.release");
  EXPECT_CONTAINS(out.ptx, "ld.shared::cluster.v2.f32");
  EXPECT_CONTAINS(out.ptx, "cvt.rn.bf16.f32");
  EXPECT_EQ(out.ptx.back(), '\n'); // text, without the NUL
}

TEST(Nvrtc, OptionsReachTheCompiler) {
  REQUIRE_NVRTC();
  const char source[] = R"(
#if LINOP_TEST_VALUE != 42
#error "LINOP_TEST_VALUE is not 42"
#endif
extern "C" __global__ void k(float *x) { x[threadIdx.x] = LINOP_TEST_VALUE; }
)";
  NvrtcResult out;
  std::string error;
  EXPECT_TRUE(compileCuda("value.cu", source, {}, {"-DLINOP_TEST_VALUE=42"},
                          out, error))
      << error;
  EXPECT_FALSE(compileCuda("value.cu", source, {}, {"-DLINOP_TEST_VALUE=7"},
                           out, error));
  EXPECT_CONTAINS(error, "LINOP_TEST_VALUE is not 42");
}

TEST(Nvrtc, SyntaxErrorGivesTheLog) {
  REQUIRE_NVRTC();
  const char source[] =
      "extern \"C\" __global__ void broken(float *x) {\n  x[0] = ;\n}\n";
  NvrtcResult out;
  std::string error;
  ASSERT_FALSE(compileCuda("broken.cu", source, {}, {}, out, error));
  EXPECT_CONTAINS(error, "could not compile broken.cu");
  EXPECT_CONTAINS(error, "-arch=sm_90a");
  EXPECT_CONTAINS(error, "NVRTC_ERROR_COMPILATION");
  // NVRTC's log: file, line and the complaint.
  EXPECT_CONTAINS(error, "broken.cu(2)");
  EXPECT_CONTAINS(error, "expected an expression");
  EXPECT_TRUE(out.cubin.empty());
  EXPECT_TRUE(out.ptx.empty());
}

TEST(Nvrtc, MissingHeaderIsAnError) {
  REQUIRE_NVRTC();
  NvrtcResult out;
  std::string error;
  ASSERT_FALSE(compileCuda("include.cu", "#include \"linop/cuda_device.h\"\n",
                           {}, {}, out, error));
  EXPECT_CONTAINS(error, "linop/cuda_device.h");
}

TEST(Nvrtc, MissingLibraryIsExplained) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        setenv("LINOP_NVRTC_LIBRARY", "/no/such/libnvrtc.so", 1);
        std::string why;
        const bool available = linop::cuda::nvrtcAvailable(why);
        NvrtcResult out;
        std::string error;
        const bool compiled = compileCuda("k.cu", "", {}, {}, out, error);
        std::fprintf(stderr, "%s\n%s\n", why.c_str(), error.c_str());
        std::exit(!available && !compiled && why == error ? 0 : 1);
      },
      ::testing::ExitedWithCode(0),
      "not found; tried /no/such/libnvrtc.so: .*LINOP_NVRTC_LIBRARY");
}
