//===- Passes.td - the passes of the linop compiler ---------------------===//
//
// One pass per file under compiler/lib/Transforms/, each with a lit test in
// test/lit/Transforms/. The pipeline that strings them together is in
// compiler/lib/Pipeline.cpp (see docs/design.md).
//
//===----------------------------------------------------------------------===//

#ifndef LINOP_TRANSFORMS_PASSES_TD
#define LINOP_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def CheckEquivalence : Pass<"linop-check-equivalence", "::mlir::ModuleOp"> {
  let summary = "Run a pass pipeline and check, with the dense reference "
                "evaluator, that every function still computes the same";
  let description = [{
    Clones the module, runs `pipeline` on it, then evaluates each function
    before and after on the same random inputs in float64/complex128. A
    relative error above `tolerance` is an error at the function; otherwise
    a remark reports the error found. The transformed module is the output.

    `linop-opt --linop-check-equivalence="pipeline=canonicalize" f.mlir`
  }];
  let options = [
    Option<"pipeline", "pipeline", "std::string", /*default=*/"\"\"",
           "the pass pipeline to check (textual form)">,
    Option<"tolerance", "tolerance", "double", /*default=*/"1e-9",
           "largest relative error accepted">,
    Option<"trials", "trials", "unsigned", /*default=*/"2",
           "random inputs per function">,
  ];
}

#endif
