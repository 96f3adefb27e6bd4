//===- LinopBase.td - the linop dialect, its enums and its type ---------===//

#ifndef LINOP_BASE_TD
#define LINOP_BASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def Linop_Dialect : Dialect {
  let name = "linop";
  let cppNamespace = "::linop";
  let summary = "Structured linear operators as first-class values";
  let description = [{
    Operators are SSA values of type `!linop.op<[F...] M x N, D -> C>`.
    Named transforms, building blocks and structured ops create them,
    combinators combine them, and `linop.apply` applies one to a tensor.
    Chunked linear recurrences are tensor ops. The exact semantics of every
    op is in `docs/semantics.md`; the dense reference evaluator in
    `lib/reference/` implements it.
  }];
  let useDefaultTypePrinterParser = 1;
  let useDefaultAttributePrinterParser = 1;
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::complex::ComplexDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

def Linop_Norm : I32EnumAttr<"Norm", "scaling of a transform", [
    I32EnumAttrCase<"none", 0>, I32EnumAttrCase<"sqrt", 1>,
    I32EnumAttrCase<"full", 2>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::linop";
}
def Linop_NormAttr : EnumAttr<Linop_Dialect, Linop_Norm, "norm">;

def Linop_TrigType : I32EnumAttr<"TrigType", "DCT/DST type", [
    I32EnumAttrCase<"II", 2>, I32EnumAttrCase<"III", 3>,
    I32EnumAttrCase<"IV", 4>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::linop";
}
def Linop_TrigTypeAttr : EnumAttr<Linop_Dialect, Linop_TrigType, "trig_type">;

def Linop_PermKind : I32EnumAttr<"PermKind", "how a permutation is given", [
    I32EnumAttrCase<"explicit_", 0, "explicit">, I32EnumAttrCase<"bitrev", 1>,
    I32EnumAttrCase<"stride", 2>, I32EnumAttrCase<"digitrev", 3>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::linop";
}
def Linop_PermKindAttr : EnumAttr<Linop_Dialect, Linop_PermKind, "perm_kind">;

def Linop_ConvMode : I32EnumAttr<"ConvMode", "convolution output size", [
    I32EnumAttrCase<"causal", 0>, I32EnumAttrCase<"full", 1>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::linop";
}
def Linop_ConvModeAttr : EnumAttr<Linop_Dialect, Linop_ConvMode, "conv_mode">;

def Linop_Gate : I32EnumAttr<"Gate", "decay of a recurrence", [
    I32EnumAttrCase<"none", 0>, I32EnumAttrCase<"scalar", 1>,
    I32EnumAttrCase<"vector", 2>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::linop";
}
def Linop_GateAttr : EnumAttr<Linop_Dialect, Linop_Gate, "gate">;

def Linop_Update : I32EnumAttr<"Update", "state update of a recurrence", [
    I32EnumAttrCase<"additive", 0>, I32EnumAttrCase<"delta", 1>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::linop";
}
def Linop_UpdateAttr : EnumAttr<Linop_Dialect, Linop_Update, "update">;

def Linop_SequenceLayout : I32EnumAttr<"SequenceLayout", "how a recurrence's tensors order batch, time and heads", [
    I32EnumAttrCase<"bthd", 0>, I32EnumAttrCase<"bhtd", 1>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::linop";
}
def Linop_SequenceLayoutAttr : EnumAttr<Linop_Dialect, Linop_SequenceLayout, "layout">;

//===----------------------------------------------------------------------===//
// The target a module is compiled for
//===----------------------------------------------------------------------===//

def Linop_TargetAttr : AttrDef<Linop_Dialect, "Target"> {
  let mnemonic = "target";
  let summary = "the target a module is compiled for, with its description";
  let description = [{
    `#linop.target<"cpu", {lanes = 16 : i64, l1 = 32768 : i64, ...}>` on the
    module (as `linop.target`) tells the target-neutral passes which target
    they plan for. The target (compiler/include/linop/Target.h) gives the
    keys of its description their meaning and checks them
    (`linop-attach-target`).
  }];
  let parameters = (ins StringRefParameter<"the target's name">:$name,
                        "::mlir::DictionaryAttr":$description);
  let assemblyFormat = "`<` $name `,` $description `>`";
  let extraClassDeclaration = [{
    /// The integer `key` of the description, or `otherwise`.
    int64_t getInt(::llvm::StringRef key, int64_t otherwise) const;
  }];
}

//===----------------------------------------------------------------------===//
// The operator type
//===----------------------------------------------------------------------===//

def Linop_OperatorType : TypeDef<Linop_Dialect, "Operator"> {
  let mnemonic = "op";
  let summary = "a linear operator from D^N to C^M, optionally a family";
  let description = [{
    `!linop.op<M x N, E>` maps N elements of type E to M elements of type E.
    `!linop.op<M x N, D -> C>` maps elements of type D to elements of type C
    (for example `f32 -> complex<f32>` for a real-input DFT).
    `!linop.op<[F0, F1] M x N, E>` is a family: one operator per index in
    F0 x F1, applied to the matching rows of the input.
  }];
  let parameters = (ins
    ArrayRefParameter<"int64_t">:$family,
    "int64_t":$rows,
    "int64_t":$cols,
    "::mlir::Type":$domain,
    "::mlir::Type":$codomain);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let builders = [
    TypeBuilder<(ins "int64_t":$rows, "int64_t":$cols, "::mlir::Type":$elem), [{
      return $_get($_ctxt, ::llvm::ArrayRef<int64_t>{}, rows, cols, elem, elem);
    }]>
  ];
  let extraClassDeclaration = [{
    bool isSquare() const { return getRows() == getCols(); }
    /// True when domain and codomain element types are the same.
    bool isEndomorphicField() const { return getDomain() == getCodomain(); }
    /// The same operator shape with another family.
    OperatorType withFamily(::llvm::ArrayRef<int64_t> family) const {
      return get(getContext(), family, getRows(), getCols(), getDomain(), getCodomain());
    }
  }];
}

#endif // LINOP_BASE_TD
