//===- NPUBase.td - npu dialect definition -----------------*- tablegen -*-===//
//
// The `npu` dialect: the tile-level instruction set of Gaon's NPU abstract
// machine (see docs/npu-program.md). Ops here map one-to-one onto commands of
// the simulator's program format.
//
//===----------------------------------------------------------------------===//

#ifndef GAON_DIALECT_NPU_IR_NPUBASE_TD
#define GAON_DIALECT_NPU_IR_NPUBASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def NPU_Dialect : Dialect {
  let name = "npu";
  let cppNamespace = "::gaon::npu";
  let summary = "Tile-level commands of an NPU: DMA, tensor engine, vector "
                "engine and semaphores";
  let description = [{
    The `npu` dialect models the abstract machine that Gaon's NPU simulator
    executes. A chip has cores; each core has DMA engines, a tensor engine
    (systolic or contraction array) and a vector engine, all working on a
    per-core scratchpad SRAM and the chip's DRAM. Every op that does work is a
    *command* for one engine of one core; commands for the same engine run in
    program order, and engines order themselves through counting semaphores
    (`wait` decrements, blocking at zero; `signal` increments on completion).

    The chip description the compiler needs is attached to the module as a
    `#npu.target<...>` attribute under the name `npu.target`, so every pass and
    verifier reads the target's parameters from the IR.
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
  let useDefaultAttributePrinterParser = 1;
  let useDefaultTypePrinterParser = 1;
  let hasOperationAttrVerify = 1;
  let extraClassDeclaration = [{
    /// Name of the module attribute that holds the `#npu.target`.
    static constexpr ::llvm::StringLiteral kTargetAttrName = "npu.target";
    /// Name of the discardable attribute that holds an op's roofline cost
    /// (a dictionary written by `gaon-annotate-costs`).
    static constexpr ::llvm::StringLiteral kCostAttrName = "npu.cost";
    /// Name of the discardable attribute on a loop that says which core runs
    /// its body (written by `gaon-assign-cores`).
    static constexpr ::llvm::StringLiteral kCoreAttrName = "npu.core";
  }];
}

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

def NPU_MemorySpaceDram : I32EnumAttrCase<"Dram", 0, "dram">;
def NPU_MemorySpaceSram : I32EnumAttrCase<"Sram", 1, "sram">;
def NPU_MemorySpaceEnum : I32EnumAttr<"MemorySpace", "NPU memory space",
    [NPU_MemorySpaceDram, NPU_MemorySpaceSram]> {
  let cppNamespace = "::gaon::npu";
  let genSpecializedAttr = 0;
}

def NPU_DataflowOS : I32EnumAttrCase<"OutputStationary", 0, "os">;
def NPU_DataflowWS : I32EnumAttrCase<"WeightStationary", 1, "ws">;
def NPU_DataflowIS : I32EnumAttrCase<"InputStationary", 2, "is">;
def NPU_DataflowCA : I32EnumAttrCase<"Contraction", 3, "contraction">;
def NPU_DataflowEnum : I32EnumAttr<"Dataflow", "tensor-engine dataflow",
    [NPU_DataflowOS, NPU_DataflowWS, NPU_DataflowIS, NPU_DataflowCA]> {
  let cppNamespace = "::gaon::npu";
  let genSpecializedAttr = 0;
}

def NPU_EngineDma : I32EnumAttrCase<"Dma", 0, "dma">;
def NPU_EngineTensor : I32EnumAttrCase<"Tensor", 1, "tensor">;
def NPU_EngineVector : I32EnumAttrCase<"Vector", 2, "vector">;
def NPU_EngineEnum : I32EnumAttr<"Engine", "engine of an NPU core",
    [NPU_EngineDma, NPU_EngineTensor, NPU_EngineVector]> {
  let cppNamespace = "::gaon::npu";
}

def NPU_UnaryKindEnum : I32EnumAttr<"UnaryKind", "vector-engine unary op", [
    I32EnumAttrCase<"Copy", 0, "copy">,
    I32EnumAttrCase<"Neg", 1, "neg">,
    I32EnumAttrCase<"Abs", 2, "abs">,
    I32EnumAttrCase<"Relu", 3, "relu">,
    I32EnumAttrCase<"Exp", 4, "exp">,
    I32EnumAttrCase<"Log", 5, "log">,
    I32EnumAttrCase<"Sqrt", 6, "sqrt">,
    I32EnumAttrCase<"Rsqrt", 7, "rsqrt">,
    I32EnumAttrCase<"Reciprocal", 8, "reciprocal">,
    I32EnumAttrCase<"Tanh", 9, "tanh">,
    I32EnumAttrCase<"Erf", 10, "erf">,
    I32EnumAttrCase<"Sigmoid", 11, "sigmoid">,
    I32EnumAttrCase<"Gelu", 12, "gelu">,
    I32EnumAttrCase<"GeluTanh", 13, "gelu_tanh">,
    I32EnumAttrCase<"Silu", 14, "silu">]> {
  let cppNamespace = "::gaon::npu";
}

def NPU_BinaryKindEnum : I32EnumAttr<"BinaryKind", "vector-engine binary op", [
    I32EnumAttrCase<"Add", 0, "add">,
    I32EnumAttrCase<"Sub", 1, "sub">,
    I32EnumAttrCase<"Mul", 2, "mul">,
    I32EnumAttrCase<"Div", 3, "div">,
    I32EnumAttrCase<"Max", 4, "max">,
    I32EnumAttrCase<"Min", 5, "min">,
    I32EnumAttrCase<"Pow", 6, "pow">]> {
  let cppNamespace = "::gaon::npu";
}

def NPU_ReduceKindEnum : I32EnumAttr<"ReduceKind", "vector-engine reduction", [
    I32EnumAttrCase<"Sum", 0, "sum">,
    I32EnumAttrCase<"Max", 1, "max">,
    I32EnumAttrCase<"Min", 2, "min">]> {
  let cppNamespace = "::gaon::npu";
}

#endif // GAON_DIALECT_NPU_IR_NPUBASE_TD
