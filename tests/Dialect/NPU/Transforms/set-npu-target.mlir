// Ensures gaon-set-npu-target stores the #npu.target of a chip preset or a
// YAML chip description on the module, replacing any target already there,
// applies `set` overrides, and reports a missing target, an unknown preset,
// a description that does not validate and a bad override with the
// simulator's message.
// RUN: gaon-opt %s --gaon-set-npu-target=target=systolic-32x32 | FileCheck %s --check-prefix=PRESET
// RUN: gaon-opt %s '--gaon-set-npu-target=target=systolic-32x32 set=core.sram.bytes=1048576,cores=4' | FileCheck %s --check-prefix=SET
// RUN: gaon-opt %s --gaon-set-npu-target=target=%S/Inputs/two-core-chip.yaml | FileCheck %s --check-prefix=YAML
// RUN: not gaon-opt %s --gaon-set-npu-target 2>&1 | FileCheck %s --check-prefix=EMPTY
// RUN: not gaon-opt %s --gaon-set-npu-target=target=no-such-chip 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// RUN: not gaon-opt %s --gaon-set-npu-target=target=%S/Inputs/bad-dram-chip.yaml 2>&1 | FileCheck %s --check-prefix=INVALID
// RUN: not gaon-opt %s '--gaon-set-npu-target=target=systolic-32x32 set=core.sram.bytes=lots' 2>&1 | FileCheck %s --check-prefix=BADSET
// RUN: not gaon-opt %s '--gaon-set-npu-target=target=systolic-32x32 set=core.nothing=1' 2>&1 | FileCheck %s --check-prefix=BADKEY

// The 'old' target below is replaced.
// PRESET: module attributes {npu.target = #npu.target<name = "systolic-32x32", clock_mhz = 1000, cores = 1, tensor_rows = 32, tensor_cols = 32, dataflow = os,
// PRESET-SAME: vector_lanes = 32, sram_bytes = 8388608,
// PRESET-NOT: "old"

// SET: #npu.target<name = "systolic-32x32", clock_mhz = 1000, cores = 4,
// SET-SAME: sram_bytes = 1048576,

// YAML: module attributes {npu.target = #npu.target<name = "two-core-test", clock_mhz = 500, cores = 2, tensor_rows = 16, tensor_cols = 16, dataflow = ws, precisions = [i8, bf16], vector_lanes = 16, sram_bytes = 262144, sram_banks = 8, sram_bytes_per_cycle = 128, dma_engines = 3, dma_bytes_per_cycle = 32, dram_bytes_per_cycle = 32, dram_latency = 150>}

// EMPTY: error: gaon-set-npu-target needs target=<preset or YAML file>
// UNKNOWN: error: cannot load NPU target 'no-such-chip': cannot read chip description 'no-such-chip': {{.*}}(presets: {{.*}}systolic-32x32{{.*}})
// INVALID: error: cannot load NPU target '{{.*}}bad-dram-chip.yaml': {{.*}}bad-dram-chip.yaml:{{[0-9]+}}:{{[0-9]+}}: error: dram.kind: unknown kind 'ddr'
// BADSET: error: cannot load NPU target 'systolic-32x32': --set core.sram.bytes=lots: error: expected a byte count
// BADKEY: error: cannot load NPU target 'systolic-32x32': --set core.nothing=1: error: unknown key 'nothing'

module attributes {npu.target = #npu.target<name = "old", clock_mhz = 1, cores = 1, tensor_rows = 4, tensor_cols = 4, dataflow = os, precisions = [f32], vector_lanes = 4, sram_bytes = 1024, sram_banks = 1, sram_bytes_per_cycle = 4, dma_engines = 1, dma_bytes_per_cycle = 4, dram_bytes_per_cycle = 4, dram_latency = 1>} {
  func.func @f() {
    return
  }
}
