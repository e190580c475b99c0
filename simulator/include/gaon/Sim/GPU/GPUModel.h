//===- GPUModel.h - Tile-level GPU kernel performance model -----*- C++ -*-===//
//
// Predicts the time of one kernel on a GPUChip from what the kernel does and
// how it is tiled: a tile-level roofline with occupancy (threads, registers,
// shared memory per SM), wave quantisation, tensor-core rate per precision,
// shared-memory, L2 and DRAM bandwidth (with the DRAM bandwidth a partly
// occupied chip can draw, by Little's law), DRAM latency and launch
// overhead. Every figure it returns is *modeled*. The equations are in
// docs/gpu.md.
//
//===----------------------------------------------------------------------===//

#ifndef GAON_SIM_GPU_GPUMODEL_H
#define GAON_SIM_GPU_GPUMODEL_H

#include "gaon/Sim/GPU/GPUChip.h"

#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>

namespace gaon::sim::gpu {

/// C[b] (M x N) = A[b] (M x K) x B[b] (K x N), `batch` times.
struct GemmShape {
  int64_t batch = 1, m = 0, n = 0, k = 0;
  Precision precision = Precision::BF16;
  /// Bytes per element of C; 0 means the operand size (bf16 in, bf16 out).
  unsigned outputBytes = 0;
};

/// How a GEMM kernel is tiled; 0 fields are derived (docs/gpu.md).
struct GemmTile {
  int64_t m = 0, n = 0, k = 0;
  /// Software-pipeline depth (shared-memory buffers of A and B tiles).
  unsigned stages = 0;
  /// K split over this many blocks, reduced afterwards (split-K).
  unsigned splitK = 1;
  unsigned threads = 0;
  unsigned registersPerThread = 0;
  uint64_t sharedMemoryBytes = 0;
};

/// A forward convolution (NHWC, KRSC weights), modeled as its implicit
/// GEMM: M = N*P*Q, N = K, K = C*R*S.
struct ConvShape {
  int64_t batch = 1, height = 0, width = 0, channels = 0;
  int64_t filters = 0, filterHeight = 1, filterWidth = 1;
  int64_t strideH = 1, strideW = 1, padH = 0, padW = 0;
  Precision precision = Precision::BF16;

  int64_t getOutputHeight() const;
  int64_t getOutputWidth() const;
  GemmShape toGemm() const;
};

/// softmax(Q K^T / sqrt(d)) V as one fused (flash-attention style) kernel.
/// Grouped-query attention shares each K/V head among heads/kvHeads query
/// heads.
struct AttentionShape {
  int64_t batch = 1, heads = 0, kvHeads = 0;
  int64_t queryLength = 0, keyLength = 0, headDim = 0;
  Precision precision = Precision::BF16;
  bool causal = false;
};

/// An elementwise chain or a row reduction (softmax, layer/RMS norm): work
/// that streams its operands once.
struct StreamingKernel {
  /// Device-memory bytes read plus written.
  double bytes = 0;
  /// FP32 arithmetic (CUDA cores) and special-function results (exp, rsqrt).
  double flops = 0;
  double transcendentals = 0;
  /// Independent units of work (rows of a reduction, blocks of an
  /// elementwise kernel); 0 = enough to fill the chip.
  int64_t parallelism = 0;
};

/// What limits a kernel.
enum class Bound : uint8_t { Compute, Memory, Latency };
llvm::StringRef stringifyBound(Bound bound);

/// A modeled kernel time and its breakdown. Seconds are modeled, never
/// measured.
struct KernelEstimate {
  double seconds = 0;
  /// Useful work (unpadded FLOPs) and modeled DRAM traffic.
  double flops = 0;
  double dramBytes = 0;
  double getFlopsPerSecond() const { return seconds > 0 ? flops / seconds : 0; }
  double getBytesPerSecond() const {
    return seconds > 0 ? dramBytes / seconds : 0;
  }

  Bound bound = Bound::Latency;
  /// The binding resource: "tensor cores", "CUDA cores", "special function
  /// units", "shared memory", "L2", "DRAM", "launch + latency".
  std::string limiter;
  /// Terms of the model: the critical path is fixed + max(the others).
  double computeSeconds = 0, sfuSeconds = 0, sharedMemorySeconds = 0,
         l2Seconds = 0, dramSeconds = 0, fixedSeconds = 0;

  /// Tiling (tile-based kernels): the tile used, blocks, resident blocks per
  /// SM, waves, and the fraction of the last-wave-padded SM time doing work.
  GemmTile tile;
  int64_t blocks = 0;
  unsigned blocksPerMultiprocessor = 0;
  int64_t waves = 0;
  double waveEfficiency = 1;
};

class GPUModel {
public:
  explicit GPUModel(const GPUChip &chip) : chip(chip) {}
  const GPUChip &getChip() const { return chip; }

  /// One GEMM kernel with the given tile (0 fields derived). Errors: sizes
  /// below 1, a precision the chip lacks, a tile that does not fit an SM.
  llvm::Expected<KernelEstimate> estimateGemm(const GemmShape &shape,
                                              const GemmTile &tile) const;
  /// The fastest of the tile and split-K candidates a tuned library would
  /// choose from (docs/gpu.md), as cuBLAS's heuristics do.
  llvm::Expected<KernelEstimate> estimateGemm(const GemmShape &shape) const;
  llvm::Expected<KernelEstimate> estimateConv(const ConvShape &shape) const;
  llvm::Expected<KernelEstimate>
  estimateAttention(const AttentionShape &shape) const;
  llvm::Expected<KernelEstimate>
  estimateStreaming(const StreamingKernel &kernel) const;

  /// Resident blocks per SM for a block of `threads` threads, each with
  /// `registersPerThread` registers (0 = not limiting), and
  /// `sharedMemoryBytes` of shared memory. 0 when it does not fit.
  unsigned getBlocksPerMultiprocessor(unsigned threads,
                                      unsigned registersPerThread,
                                      uint64_t sharedMemoryBytes) const;
  /// DRAM bandwidth `activeMultiprocessors` SMs can draw with
  /// `bytesInFlightPerMultiprocessor` outstanding each (Little's law),
  /// capped by the sustained chip bandwidth.
  double getDramBandwidth(double activeMultiprocessors,
                          double bytesInFlightPerMultiprocessor) const;

private:
  GPUChip chip;
};

} // namespace gaon::sim::gpu

#endif // GAON_SIM_GPU_GPUMODEL_H
