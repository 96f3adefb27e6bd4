//===- Schedule.cpp - linop-cuda-schedule ---------------------------------===//
//
// Each kernel's launch shape and memory level (CudaTarget.cpp:
// chooseSchedule), checked against the GPU description. A kernel the CUDA
// backend cannot run is refused here, at compile time, with its reason.
//
//===----------------------------------------------------------------------===//

#include "linop/CUDA/CudaTarget.h"
#include "linop/CUDA/Passes.h"

namespace linop::cuda {
#define GEN_PASS_DEF_CUDASCHEDULE
#include "linop/CUDA/Passes.h.inc"
} // namespace linop::cuda

using namespace mlir;
using namespace linop;
using namespace linop::cuda;

namespace {

struct CudaSchedulePass
    : linop::cuda::impl::CudaScheduleBase<CudaSchedulePass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    TargetAttr desc = moduleTarget(module);
    if (!desc || desc.getName() != "cuda") {
      module.emitError("linop-cuda-schedule: the module has no CUDA target "
                       "description (run linop-attach-target{target=cuda} "
                       "first)");
      return signalPassFailure();
    }
    GpuDescription gpu = gpuDescription(desc);
    for (kernel::KernelOp k : module.getOps<kernel::KernelOp>()) {
      std::string why;
      FailureOr<kernel::CudaScheduleAttr> s = chooseSchedule(k, gpu, why);
      if (failed(s)) {
        k.emitError("linop-cuda-schedule: @") << k.getFunction() << ": "
                                              << why;
        return signalPassFailure();
      }
      k.setScheduleAttr(*s);
      if (failed(verifySchedule(k, gpu)))
        return signalPassFailure();
    }
  }
};

} // namespace
