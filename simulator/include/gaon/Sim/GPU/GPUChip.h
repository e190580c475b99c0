//===- GPUChip.h - NVIDIA GPU descriptions for the performance model -----===//
//
// What the GPU performance model knows about a chip: datasheet figures
// (docs/gpu.md and the project's calibration notes say where each comes
// from), architectural constants from the CUDA programming guide, a few
// assumptions, and two efficiencies calibrated against published
// measurements. Presets: A100, H100, H200, L40S.
//
//===----------------------------------------------------------------------===//

#ifndef GAON_SIM_GPU_GPUCHIP_H
#define GAON_SIM_GPU_GPUCHIP_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <optional>
#include <string>

namespace gaon::sim::gpu {

/// Math precision of a kernel's inner loop. FP32 runs on the CUDA cores;
/// the others on tensor cores (TF32 takes fp32 operands), all accumulating in
/// fp32 (int32 for INT8).
enum class Precision : uint8_t { FP32, TF32, FP16, BF16, FP8, INT8 };

llvm::StringRef stringifyPrecision(Precision precision);
std::optional<Precision> symbolizePrecision(llvm::StringRef name);
/// Bytes per operand element.
unsigned getOperandBytes(Precision precision);

struct GPUChip {
  /// Preset key ("h100") and marketing name ("H100 SXM5 80GB").
  std::string key;
  std::string name;
  /// Compute capability, "sm_90".
  std::string chip;

  // --- Compute (datasheet, dense) -----------------------------------------
  unsigned multiprocessors = 0;
  /// Boost clock; used for per-clock resources (shared memory, SFU).
  double clockHz = 0;
  /// Peak dense tensor-core rate per precision, FLOP/s; 0 = not supported.
  double tensorFlops[6] = {0, 0, 0, 0, 0, 0};
  /// Peak FP32 rate of the CUDA cores (FMA = 2 FLOP), FLOP/s.
  double fp32Flops = 0;
  /// Special-function (exp, rsqrt) results per clock per SM.
  unsigned sfuResultsPerClock = 16;

  // --- On-chip resources (CUDA programming guide) --------------------------
  unsigned registersPerMultiprocessor = 65536;
  unsigned maxRegistersPerThread = 255;
  unsigned maxThreadsPerMultiprocessor = 2048;
  unsigned maxBlocksPerMultiprocessor = 32;
  uint64_t sharedMemoryPerMultiprocessor = 0;
  uint64_t maxSharedMemoryPerBlock = 0;
  /// Shared memory reserved by the system per resident block.
  uint64_t reservedSharedMemoryPerBlock = 1024;
  /// Shared-memory bandwidth, bytes per clock per SM (32 banks x 4 bytes).
  unsigned sharedMemoryBytesPerClock = 128;
  /// Per-warp operand tile of the tensor-core instruction family: mma.sync
  /// warps (sm_80, sm_89) reuse a 64x64 warp tile; wgmma warpgroups (sm_90)
  /// a 64 x N tile of up to 256 columns, reading each operand once per
  /// warpgroup.
  unsigned warpTileM = 64, warpTileN = 64;
  /// Threads that share one warp tile (32 for a warp, 128 for a warpgroup).
  unsigned threadsPerWarpTile = 32;
  /// Thread blocks of a cluster that receive one TMA load of a shared
  /// operand tile (multicast, sm_90); 1 where there are no clusters.
  unsigned clusterMulticast = 1;

  // --- Memory ----------------------------------------------------------------
  uint64_t l2Bytes = 0;
  /// L2 bandwidth (A100 whitepaper per-clock figure; assumed for the
  /// others, see docs/gpu.md), bytes/s.
  double l2BytesPerSecond = 0;
  /// Peak DRAM bandwidth (datasheet), bytes/s.
  double dramBytesPerSecond = 0;
  uint64_t dramBytes = 0;
  /// Idle-to-first-byte DRAM latency (assumption), seconds.
  double dramLatencySeconds = 0;

  // --- Overheads and calibrated efficiencies -------------------------------
  /// Per-kernel launch cost on the GPU timeline (assumption), seconds.
  double launchOverheadSeconds = 0;
  /// Fraction of the peak tensor rate a tuned main loop sustains
  /// (calibrated, docs/gpu.md).
  double tensorEfficiency = 0;
  /// Fraction of peak DRAM bandwidth a streaming kernel sustains
  /// (calibrated, docs/gpu.md).
  double dramEfficiency = 0;

  double thermalDesignPowerWatts = 0;

  double getTensorFlops(Precision precision) const {
    return tensorFlops[static_cast<unsigned>(precision)];
  }
  /// The rate the model uses for `precision`: tensor cores, or the CUDA
  /// cores for FP32.
  double getPeakFlops(Precision precision) const {
    return precision == Precision::FP32 ? fp32Flops : getTensorFlops(precision);
  }
  bool usesWarpgroups() const { return threadsPerWarpTile == 128; }
};

/// The presets, in a fixed order: A100, H100, H200, L40S.
llvm::ArrayRef<GPUChip> getGPUChipPresets();
/// A preset by key ("a100", "h100", "h200", "l40s"; case-insensitive);
/// the error lists the known keys.
llvm::Expected<const GPUChip &> lookupGPUChip(llvm::StringRef key);
/// The preset modelling a GPU the driver names ("NVIDIA H100 80GB HBM3"),
/// or null when none does.
const GPUChip *findGPUChipForDevice(llvm::StringRef deviceName);

} // namespace gaon::sim::gpu

#endif // GAON_SIM_GPU_GPUCHIP_H
