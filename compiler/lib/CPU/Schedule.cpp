//===- Schedule.cpp - linop-cpu-schedule ----------------------------------===//
//
// Each kernel's layout, chosen by the CPU cost model: across rows (always
// possible) or along the row (where the kernel has that form and the model
// prices it cheaper).
//
//===----------------------------------------------------------------------===//

#include "linop/CPU/CpuTarget.h"
#include "linop/CPU/Passes.h"

namespace linop::cpu {
#define GEN_PASS_DEF_CPUSCHEDULE
#include "linop/CPU/Passes.h.inc"
} // namespace linop::cpu

using namespace mlir;
using namespace linop;
using namespace linop::cpu;

namespace {

struct CpuSchedulePass : linop::cpu::impl::CpuScheduleBase<CpuSchedulePass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    TargetAttr desc = moduleTarget(module);
    if (!desc || desc.getName() != "cpu") {
      module.emitError("linop-cpu-schedule: the module has no CPU target "
                       "description (run linop-attach-target{target=cpu} "
                       "first)");
      return signalPassFailure();
    }
    CpuDescription cpu = cpuDescription(desc);
    module.walk([&](kernel::KernelOp k) {
      // Split kernels run across sub-rows, W of them per tile.
      if (k.subrowCount() > 1 && k.subrowCount() % cpu.lanes) {
        k.emitError("linop-cpu-schedule: @")
            << k.getFunction() << ": a kernel split into "
            << k.subrowCount() << " sub-rows per row runs on the CPU in "
            << "tiles of " << cpu.lanes << " whole sub-rows; "
            << k.subrowCount() << " is not a multiple of " << cpu.lanes;
        signalPassFailure();
        return;
      }
      bool along = chooseAlongRow(kernelShape(k), cpu);
      k.setScheduleAttr(kernel::CpuScheduleAttr::get(
          &getContext(),
          along ? kernel::CpuLayout::along_row : kernel::CpuLayout::across_rows,
          cpu.lanes));
    });
  }
};

} // namespace
