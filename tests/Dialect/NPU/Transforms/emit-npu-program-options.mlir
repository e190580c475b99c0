// Ensures the options of gaon-emit-npu-program: function= picks the function
// to serialise (required when there are several, and must exist), binary
// writes the compact form, and an output file that cannot be opened is an
// error.
// RUN: gaon-opt %s '--gaon-emit-npu-program=function=second' -o /dev/null | FileCheck %s --check-prefix=PICK
// RUN: not gaon-opt %s --gaon-emit-npu-program -o /dev/null 2>&1 | FileCheck %s --check-prefix=SEVERAL
// RUN: not gaon-opt %s '--gaon-emit-npu-program=function=third' -o /dev/null 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: gaon-opt %s '--gaon-emit-npu-program=function=second binary=true output=%t.bin' -o /dev/null
// RUN: head -c 7 %t.bin | FileCheck %s --check-prefix=BINARY
// RUN: not gaon-opt %s '--gaon-emit-npu-program=function=second output=%t.missing/dir/out.npu' -o /dev/null 2>&1 | FileCheck %s --check-prefix=NOFILE

// PICK: gaon-npu-program 1
// PICK-NEXT: buffer 0 "arg0" input 0 : f32[16] address 0 size 64
// PICK-NEXT: op 0 "npu.vector.fill" "loc(\"{{.*}}emit-npu-program-options.mlir\":{{[0-9]+}}:3)"
// PICK-NEXT: vector.fill 2.0 -> sram(0, 0) : f32[16] op 0
// SEVERAL: error: several functions to serialise; pick one with function=<name>
// MISSING: error: no function 'third' to serialise
// BINARY: GAONNPU
// NOFILE: error: cannot open '{{.*}}out.npu':

#sram = #npu.memory_space<sram>
module attributes {npu.target = #npu.target<name = "dual", clock_mhz = 1000, cores = 2, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @first(%x: memref<8xf32>) {
  return
}
func.func @second(%x: memref<16xf32>) {
  %a = npu.alloc address 0 : memref<16xf32, #sram>
  npu.vector.fill 2.0 -> %a : memref<16xf32, #sram>
  return
}
}
