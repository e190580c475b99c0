//===- GPUChip.cpp - NVIDIA GPU presets
//------------------------------------===//
//
// Sources, by tag (docs/gpu.md has the table):
//  [S] datasheet figures as collected in the project's calibration notes
//      (SMs, dense tensor and FP32 rates, L2, shared memory per SM, DRAM
//      bandwidth, TDP) and NVIDIA datasheets (boost clock, TF32/INT8 rates,
//      memory size);
//  [G] CUDA C++ Programming Guide, compute-capability tables (registers,
//      threads and blocks per SM, shared memory per block, 32 banks x 4 B,
//      16 special-function results per clock per SM);
//  [W] the A100 whitepaper: L2 reads 5120 bytes per clock;
//  [A] assumptions (L2 bandwidth beyond A100, DRAM latency, launch
//      overhead);
//  [C] calibrated: tensorEfficiency against the MAMF BF16 GEMM measurements
//      (A100 271.2, H100 794.5 TFLOPS), dramEfficiency against the H200
//      device-to-device copy (4.3 of 4.8 TB/s).
//
//===----------------------------------------------------------------------===//

#include "gaon/Sim/GPU/GPUChip.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

using namespace llvm;

namespace gaon::sim::gpu {

static constexpr StringLiteral kPrecisionNames[] = {"fp32", "tf32", "fp16",
                                                    "bf16", "fp8",  "int8"};
static constexpr unsigned kOperandBytes[] = {4, 4, 2, 2, 1, 1};

StringRef stringifyPrecision(Precision precision) {
  return kPrecisionNames[static_cast<unsigned>(precision)];
}

std::optional<Precision> symbolizePrecision(StringRef name) {
  for (auto [i, known] : llvm::enumerate(kPrecisionNames))
    if (known.equals_insensitive(name))
      return static_cast<Precision>(i);
  return std::nullopt;
}

unsigned getOperandBytes(Precision precision) {
  return kOperandBytes[static_cast<unsigned>(precision)];
}

static constexpr double kTera = 1e12;
static constexpr uint64_t kKiB = 1024, kMiB = 1024 * 1024;

/// Hopper's SXM parts; H200 differs in memory only.
static GPUChip makeHopper(StringRef key, StringRef name, double dramBandwidth,
                          uint64_t dramBytes) {
  GPUChip c;
  c.key = key.str();
  c.name = name.str();
  c.chip = "sm_90";
  c.multiprocessors = 132; // [S]
  c.clockHz = 1.98e9;      // [S] max boost
  c.tensorFlops[static_cast<unsigned>(Precision::TF32)] = 494.7 * kTera; // [S]
  c.tensorFlops[static_cast<unsigned>(Precision::FP16)] = 989 * kTera;   // [S]
  c.tensorFlops[static_cast<unsigned>(Precision::BF16)] = 989 * kTera;   // [S]
  c.tensorFlops[static_cast<unsigned>(Precision::FP8)] = 1979 * kTera;   // [S]
  c.tensorFlops[static_cast<unsigned>(Precision::INT8)] = 1979 * kTera;  // [S]
  c.fp32Flops = 66.9 * kTera;                                            // [S]
  c.sharedMemoryPerMultiprocessor = 228 * kKiB;                          // [S]
  c.maxSharedMemoryPerBlock = 227 * kKiB;                                // [G]
  c.warpTileM = 64; // wgmma: a warpgroup computes 64 x N, N <= 256
  c.warpTileN = 256;
  c.threadsPerWarpTile = 128;
  c.clusterMulticast = 2; // [G] clusters of 2 share a TMA multicast tile
  c.l2Bytes = 50 * kMiB;  // [S]
  c.l2BytesPerSecond = 5120 * 1.98e9; // [A] A100's 5120 B/clock

  c.dramBytesPerSecond = dramBandwidth; // [S]
  c.dramBytes = dramBytes;              // [S]
  c.dramLatencySeconds = 600e-9;        // [A]
  c.launchOverheadSeconds = 2e-6;       // [A]
  c.tensorEfficiency = 0.81;            // [C] H100 MAMF
  c.dramEfficiency = 0.9;               // [C] H200 copy
  c.thermalDesignPowerWatts = 700;      // [S]
  return c;
}

static std::vector<GPUChip> makePresets() {
  std::vector<GPUChip> presets;

  GPUChip a100;
  a100.key = "a100";
  a100.name = "A100 SXM4 80GB";
  a100.chip = "sm_80";
  a100.multiprocessors = 108; // [S]
  a100.clockHz = 1.41e9;      // [S] boost
  a100.tensorFlops[static_cast<unsigned>(Precision::TF32)] = 156 * kTera; // [S]
  a100.tensorFlops[static_cast<unsigned>(Precision::FP16)] = 312 * kTera; // [S]
  a100.tensorFlops[static_cast<unsigned>(Precision::BF16)] = 312 * kTera; // [S]
  a100.tensorFlops[static_cast<unsigned>(Precision::INT8)] = 624 * kTera; // [S]
  a100.fp32Flops = 19.5 * kTera;                                          // [S]
  a100.sharedMemoryPerMultiprocessor = 164 * kKiB;                        // [S]
  a100.maxSharedMemoryPerBlock = 163 * kKiB;                              // [G]
  a100.l2Bytes = 40 * kMiB;                                               // [S]
  a100.l2BytesPerSecond = 5120 * 1.41e9;                                  // [W]
  a100.dramBytesPerSecond = 2.04 * kTera;                                 // [S]
  a100.dramBytes = 80ull << 30;                                           // [S]
  a100.dramLatencySeconds = 600e-9;                                       // [A]
  a100.launchOverheadSeconds = 2e-6;                                      // [A]
  a100.tensorEfficiency = 0.87;       // [C] A100 MAMF
  a100.dramEfficiency = 0.9;          // [C] H200 copy, assumed to carry over
  a100.thermalDesignPowerWatts = 400; // [S]
  presets.push_back(a100);

  presets.push_back(
      makeHopper("h100", "H100 SXM5 80GB", 3.35 * kTera, 80ull << 30));
  presets.push_back(
      makeHopper("h200", "H200 SXM 141GB", 4.8 * kTera, 141ull << 30));

  GPUChip l40s;
  l40s.key = "l40s";
  l40s.name = "L40S";
  l40s.chip = "sm_89";
  l40s.multiprocessors = 142; // [S]
  l40s.clockHz = 2.52e9;      // [S] boost
  l40s.tensorFlops[static_cast<unsigned>(Precision::TF32)] = 183 * kTera; // [S]
  l40s.tensorFlops[static_cast<unsigned>(Precision::FP16)] = 362 * kTera; // [S]
  l40s.tensorFlops[static_cast<unsigned>(Precision::BF16)] = 362 * kTera; // [S]
  l40s.tensorFlops[static_cast<unsigned>(Precision::FP8)] = 733 * kTera;  // [S]
  l40s.tensorFlops[static_cast<unsigned>(Precision::INT8)] = 733 * kTera; // [S]
  l40s.fp32Flops = 91.6 * kTera;                                          // [S]
  l40s.maxThreadsPerMultiprocessor = 1536;                                // [G]
  l40s.maxBlocksPerMultiprocessor = 24;                                   // [G]
  l40s.sharedMemoryPerMultiprocessor = 100 * kKiB;                        // [S]
  l40s.maxSharedMemoryPerBlock = 99 * kKiB;                               // [G]
  l40s.l2Bytes = 96 * kMiB;                                               // [S]
  l40s.l2BytesPerSecond = 5.0 * kTera;                                    // [A]
  l40s.dramBytesPerSecond = 0.864 * kTera;                                // [S]
  l40s.dramBytes = 48ull << 30;                                           // [S]
  l40s.dramLatencySeconds = 600e-9;                                       // [A]
  l40s.launchOverheadSeconds = 2e-6;                                      // [A]
  l40s.tensorEfficiency = 0.87; // [A] no measurement: A100's mma.sync value
  l40s.dramEfficiency = 0.9;    // [C] H200 copy, assumed to carry over
  l40s.thermalDesignPowerWatts = 350; // [S]
  presets.push_back(l40s);
  return presets;
}

ArrayRef<GPUChip> getGPUChipPresets() {
  static const std::vector<GPUChip> presets = makePresets();
  return presets;
}

Expected<const GPUChip &> lookupGPUChip(StringRef key) {
  for (const GPUChip &chip : getGPUChipPresets())
    if (chip.key == key.lower())
      return chip;
  std::string known;
  for (const GPUChip &chip : getGPUChipPresets())
    known += (known.empty() ? "" : ", ") + chip.key;
  return createStringError(inconvertibleErrorCode(),
                           "unknown GPU '" + key + "'; known GPUs: " + known);
}

const GPUChip *findGPUChipForDevice(StringRef deviceName) {
  // Keys are the chips' model numbers, which device names contain.
  for (const GPUChip &chip : getGPUChipPresets())
    if (deviceName.contains_insensitive(chip.key))
      return &chip;
  return nullptr;
}

} // namespace gaon::sim::gpu
