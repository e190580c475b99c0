//===- Passes.td - NPU target description and serialisation -*- tablegen -*-===//

#ifndef GAON_TARGET_NPU_PASSES_TD
#define GAON_TARGET_NPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def SetNPUTargetPass : Pass<"gaon-set-npu-target", "mlir::ModuleOp"> {
  let summary = "Attach the #npu.target of a simulator chip to the module";
  let description = [{
    Loads a chip description (a preset name: rngd, warboy, atom, rebel-quad,
    x220, systolic-32x32, or a YAML file path), applies `set` overrides
    ("core.sram.bytes=1048576") and stores its #npu.target under `npu.target`
    on the module, replacing any there. A description that does not load or
    validate is an error that quotes the simulator's message.

    ```mlir
    // gaon-opt --gaon-set-npu-target=target=systolic-32x32
    module attributes {npu.target = #npu.target<name = "systolic-32x32", ...>}
    ```
  }];
  let dependentDialects = ["gaon::npu::NPUDialect"];
  let options = [
    Option<"target", "target", "std::string", /*default=*/"",
           "Chip preset name or YAML file">,
    ListOption<"overrides", "set", "std::string",
               "Edits of the chip description, path=value">,
  ];
}

def EmitNPUProgramPass : Pass<"gaon-emit-npu-program", "mlir::ModuleOp"> {
  let summary = "Serialise scheduled npu IR to the simulator's program "
                "format";
  let description = [{
    Builds the NPU program of function `function` (by default the module's
    only function) with `gaon::npu::serializeFunction` and writes it to
    `output` in the text form (or the binary form with `binary`). Buffers:
    arguments are `input N`, returned buffers `output N`, other DRAM
    allocations `scratch`, globals `weight`. Every command carries a debug
    op with the name and MLIR location of the op it came from, so the
    simulator's per-op breakdown maps back to the source. The IR is left
    unchanged.

    ```
    gaon-npu-program 1
    buffer 0 "arg0" input 0 : bf16[64, 64] address 0 size 8192
    ...
    op 0 "linalg.matmul" "loc(\"mm.mlir\":4:8)"
    dma dram(0, 0) : bf16[64, 64] -> sram(0, 0) : bf16[64, 64] signal(0) op 0
    ```
  }];
  let options = [
    Option<"output", "output", "std::string", /*default=*/"\"-\"",
           "File to write (- for stdout)">,
    Option<"function", "function", "std::string", /*default=*/"",
           "Function to serialise (default: the only one)">,
    Option<"binary", "binary", "bool", /*default=*/"false",
           "Write the compact binary form">,
  ];
  let statistics = [
    Statistic<"numCommands", "commands", "Commands written">,
    Statistic<"numBuffers", "buffers", "DRAM buffers written">,
  ];
}

#endif // GAON_TARGET_NPU_PASSES_TD
