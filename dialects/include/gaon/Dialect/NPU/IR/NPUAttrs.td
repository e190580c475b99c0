//===- NPUAttrs.td - npu attributes and types --------------*- tablegen -*-===//

#ifndef GAON_DIALECT_NPU_IR_NPUATTRS_TD
#define GAON_DIALECT_NPU_IR_NPUATTRS_TD

include "gaon/Dialect/NPU/IR/NPUBase.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"

class NPU_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<NPU_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

class NPU_Type<string name, string typeMnemonic, list<Trait> traits = []>
    : TypeDef<NPU_Dialect, name, traits> {
  let mnemonic = typeMnemonic;
}

def NPU_MemorySpaceAttr : EnumAttr<NPU_Dialect, NPU_MemorySpaceEnum,
                                   "memory_space"> {
  let summary = "NPU memory space: off-chip `dram` or per-core `sram`";
  let description = [{
    Marks where a memref lives. `#npu.memory_space<sram>` is the scratchpad of
    one core; `#npu.memory_space<dram>` is the chip's off-chip memory. A memref
    with no memory space is in DRAM.

    ```mlir
    memref<128x64xbf16, #npu.memory_space<sram>>
    ```
  }];
  let assemblyFormat = "`<` $value `>`";
}

def NPU_DataflowAttr : EnumAttr<NPU_Dialect, NPU_DataflowEnum, "dataflow">;

def NPU_TargetAttr : NPU_Attr<"Target", "target"> {
  let summary = "Chip description the NPU compiler targets";
  let description = [{
    The parameters of one NPU chip that the compiler's passes need; the
    simulator's YAML chip description carries these and more (energy,
    DRAM timing, network). Sizes are in bytes, rates in bytes per cycle of
    the core clock. `precisions` lists the tensor-engine input types. A
    contraction array (`dataflow = contraction`) has `tensor_slices` slices
    of `tensor_rows` MAC rows of `tensor_cols` MACs each per core;
    `tensor_pipeline_cycles` and `dma_startup_cycles` are fixed costs per
    command. A strided DRAM access whose contiguous runs are shorter than
    `dram_row_bytes` and a row or more apart opens a new DRAM row per run,
    which costs `dram_row_switch_bytes` of channel time (0: not modeled).
    These five are optional (defaults 1, 0, 0, 0 and 0) and printed only
    when they differ from their defaults.

    ```mlir
    module attributes {npu.target = #npu.target<
        name = "systolic-32x32", clock_mhz = 1000, cores = 1,
        tensor_rows = 32, tensor_cols = 32, dataflow = os,
        precisions = [bf16, f16, f32, i8], vector_lanes = 32,
        sram_bytes = 8388608, sram_banks = 16, sram_bytes_per_cycle = 256,
        dma_engines = 2, dma_bytes_per_cycle = 64,
        dram_bytes_per_cycle = 128, dram_latency = 100>} {}
    ```
  }];
  let parameters = (ins
    StringRefParameter<"chip name">:$name,
    "int64_t":$clock_mhz,
    "int64_t":$cores,
    "int64_t":$tensor_rows,
    "int64_t":$tensor_cols,
    EnumParameter<NPU_DataflowEnum>:$dataflow,
    "::mlir::ArrayAttr":$precisions,
    "int64_t":$vector_lanes,
    "int64_t":$sram_bytes,
    "int64_t":$sram_banks,
    "int64_t":$sram_bytes_per_cycle,
    "int64_t":$dma_engines,
    "int64_t":$dma_bytes_per_cycle,
    "int64_t":$dram_bytes_per_cycle,
    "int64_t":$dram_latency,
    DefaultValuedParameter<"int64_t", "1",
        "contraction arrays: slices per core">:$tensor_slices,
    DefaultValuedParameter<"int64_t", "0",
        "extra tensor-engine cycles per command (pipeline fill and drain)">
        :$tensor_pipeline_cycles,
    DefaultValuedParameter<"int64_t", "0",
        "cycles a DMA command takes to start">:$dma_startup_cycles,
    DefaultValuedParameter<"int64_t", "0",
        "DRAM row (page) bytes; 0: rows are not modeled">:$dram_row_bytes,
    DefaultValuedParameter<"int64_t", "0",
        "DRAM channel bytes lost when a run opens a new row">
        :$dram_row_switch_bytes
  );
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// True if the tensor engine accepts `type` as an input precision.
    bool supportsPrecision(::mlir::Type type) const;
    /// The `npu.target` of the closest enclosing op that has one, or null.
    static TargetAttr lookup(::mlir::Operation *op);
  }];
}

def NPU_Semaphore : NPU_Type<"Semaphore", "semaphore"> {
  let summary = "A counting semaphore that orders engine commands";
  let description = [{
    `wait` on a semaphore blocks the engine's queue until its count is
    positive and then decrements it; `signal` increments it when the command
    completes. Semaphores are chip-wide, so they order engines of one core and
    across cores.
  }];
}

#endif // GAON_DIALECT_NPU_IR_NPUATTRS_TD
