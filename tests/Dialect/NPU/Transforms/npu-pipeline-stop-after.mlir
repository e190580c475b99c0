// Ensures gaon-npu-pipeline rejects a stop-after that names no pass of the
// pipeline with an error and a non-zero exit.
// RUN: not gaon-opt %s '--gaon-npu-pipeline=stop-after=gaon-no-such-pass' -o /dev/null 2>&1 | FileCheck %s
// CHECK: stop-after='gaon-no-such-pass' names no pass of the pipeline

module attributes {npu.target = #npu.target<name = "dual", clock_mhz = 1000, cores = 2, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @exp(%x: tensor<64x64xf32>) -> tensor<64x64xf32> {
  %0 = math.exp %x : tensor<64x64xf32>
  return %0 : tensor<64x64xf32>
}
}
