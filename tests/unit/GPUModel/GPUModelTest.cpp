//===- GPUModelTest.cpp - The GPU performance model vs its closed forms ---===//
//
// Ensures each term of the model (docs/gpu.md) equals its closed form on
// shapes where the form is exact: occupancy limits, Little's-law DRAM
// bandwidth, tensor time with wave quantisation, streaming time, the
// implicit-GEMM mapping of convolutions, attention FLOPs; that the tile
// search picks split-K where a tuned library would; that impossible inputs
// are errors; and that the presets hold the datasheet figures.
//
//===----------------------------------------------------------------------===//

#include "gaon/Sim/GPU/GPUModel.h"

#include "gtest/gtest.h"

#include <algorithm>

using namespace gaon::sim::gpu;
using namespace llvm;

namespace {

const GPUChip &preset(StringRef key) { return cantFail(lookupGPUChip(key)); }

KernelEstimate expectEstimate(Expected<KernelEstimate> estimate) {
  EXPECT_TRUE(bool(estimate)) << toString(estimate.takeError());
  return estimate ? *estimate : KernelEstimate();
}

std::string expectError(Expected<KernelEstimate> estimate) {
  EXPECT_FALSE(bool(estimate));
  return estimate ? std::string() : toString(estimate.takeError());
}

/// The critical path: fixed plus the slowest overlapped term.
void expectCriticalPath(const KernelEstimate &e) {
  double slowest =
      std::max({e.computeSeconds, e.sfuSeconds, e.sharedMemorySeconds,
                e.l2Seconds, e.dramSeconds});
  EXPECT_DOUBLE_EQ(e.seconds, e.fixedSeconds + slowest);
}

TEST(GPUChipTest, PresetsHoldTheDatasheetFigures) {
  ArrayRef<GPUChip> presets = getGPUChipPresets();
  ASSERT_EQ(presets.size(), 4u);
  EXPECT_EQ(presets[0].key, "a100");
  EXPECT_EQ(presets[3].key, "l40s");

  const GPUChip &a100 = preset("a100");
  EXPECT_EQ(a100.chip, "sm_80");
  EXPECT_EQ(a100.multiprocessors, 108u);
  EXPECT_DOUBLE_EQ(a100.getTensorFlops(Precision::BF16), 312e12);
  EXPECT_DOUBLE_EQ(a100.getTensorFlops(Precision::FP8), 0);
  EXPECT_DOUBLE_EQ(a100.fp32Flops, 19.5e12);
  EXPECT_DOUBLE_EQ(a100.dramBytesPerSecond, 2.04e12);
  EXPECT_EQ(a100.l2Bytes, 40u << 20);
  EXPECT_EQ(a100.sharedMemoryPerMultiprocessor, 164u << 10);

  const GPUChip &h100 = preset("H100");
  EXPECT_EQ(h100.chip, "sm_90");
  EXPECT_EQ(h100.multiprocessors, 132u);
  EXPECT_DOUBLE_EQ(h100.getTensorFlops(Precision::BF16), 989e12);
  EXPECT_DOUBLE_EQ(h100.getTensorFlops(Precision::FP8), 1979e12);
  EXPECT_DOUBLE_EQ(h100.getPeakFlops(Precision::FP32), 66.9e12);
  EXPECT_DOUBLE_EQ(h100.dramBytesPerSecond, 3.35e12);

  const GPUChip &h200 = preset("h200");
  EXPECT_DOUBLE_EQ(h200.dramBytesPerSecond, 4.8e12);
  EXPECT_DOUBLE_EQ(h200.getTensorFlops(Precision::BF16), 989e12);

  const GPUChip &l40s = preset("l40s");
  EXPECT_EQ(l40s.multiprocessors, 142u);
  EXPECT_DOUBLE_EQ(l40s.getTensorFlops(Precision::FP8), 733e12);
  EXPECT_DOUBLE_EQ(l40s.dramBytesPerSecond, 0.864e12);
  EXPECT_EQ(l40s.l2Bytes, 96u << 20);
  EXPECT_EQ(l40s.maxThreadsPerMultiprocessor, 1536u);

  Expected<const GPUChip &> unknown = lookupGPUChip("v100");
  ASSERT_FALSE(bool(unknown));
  EXPECT_EQ(toString(unknown.takeError()),
            "unknown GPU 'v100'; known GPUs: a100, h100, h200, l40s");
}

TEST(GPUChipTest, DeviceNamesFindTheirPreset) {
  EXPECT_EQ(findGPUChipForDevice("NVIDIA H100 80GB HBM3"), &preset("h100"));
  EXPECT_EQ(findGPUChipForDevice("NVIDIA H200"), &preset("h200"));
  EXPECT_EQ(findGPUChipForDevice("NVIDIA A100-SXM4-80GB"), &preset("a100"));
  EXPECT_EQ(findGPUChipForDevice("NVIDIA L40S"), &preset("l40s"));
  EXPECT_EQ(findGPUChipForDevice("Tesla V100-SXM2-32GB"), nullptr);
}

TEST(GPUChipTest, PrecisionNames) {
  EXPECT_EQ(symbolizePrecision("BF16"), Precision::BF16);
  EXPECT_EQ(stringifyPrecision(Precision::FP8), "fp8");
  EXPECT_EQ(getOperandBytes(Precision::TF32), 4u);
  EXPECT_EQ(getOperandBytes(Precision::INT8), 1u);
  EXPECT_FALSE(symbolizePrecision("fp4"));
}

TEST(GPUModelTest, OccupancyIsTheTightestLimit) {
  GPUModel h100(preset("h100"));
  // Threads: 2048 per SM / 256 = 8.
  EXPECT_EQ(h100.getBlocksPerMultiprocessor(256, 0, 0), 8u);
  // Blocks: at most 32 per SM.
  EXPECT_EQ(h100.getBlocksPerMultiprocessor(32, 0, 0), 32u);
  // Registers: 128 x 32 = 4096 per warp, 65536 / 4096 = 16 warps = 2 blocks.
  EXPECT_EQ(h100.getBlocksPerMultiprocessor(256, 128, 0), 2u);
  // Registers round up to 256 per warp: 33 x 32 = 1056 -> 1280; 51 warps.
  EXPECT_EQ(h100.getBlocksPerMultiprocessor(64, 33, 0), 25u);
  // Shared memory: 228 KiB / (100 KiB + 1 KiB reserved) = 2.
  EXPECT_EQ(h100.getBlocksPerMultiprocessor(128, 0, 100 << 10), 2u);
  // Does not fit: too many threads, registers or shared memory.
  EXPECT_EQ(h100.getBlocksPerMultiprocessor(1056, 0, 0), 0u);
  EXPECT_EQ(h100.getBlocksPerMultiprocessor(128, 256, 0), 0u);
  EXPECT_EQ(h100.getBlocksPerMultiprocessor(128, 0, 228 << 10), 0u);
  // Partial warps occupy whole warps: 48 threads count as 64.
  EXPECT_EQ(h100.getBlocksPerMultiprocessor(48, 0, 0), 32u);
  GPUModel l40s(preset("l40s"));
  EXPECT_EQ(l40s.getBlocksPerMultiprocessor(512, 0, 0), 3u);
  EXPECT_EQ(l40s.getBlocksPerMultiprocessor(32, 0, 0), 24u);
}

TEST(GPUModelTest, DramBandwidthFollowsLittlesLaw) {
  const GPUChip &chip = preset("h100");
  GPUModel model(chip);
  // One SM with 32 KiB outstanding over a 600 ns round trip.
  EXPECT_DOUBLE_EQ(model.getDramBandwidth(1, 32768),
                   32768 / chip.dramLatencySeconds);
  EXPECT_DOUBLE_EQ(model.getDramBandwidth(10, 32768),
                   10 * 32768 / chip.dramLatencySeconds);
  // The whole chip saturates at the sustained bandwidth.
  EXPECT_DOUBLE_EQ(model.getDramBandwidth(132, 32768),
                   chip.dramBytesPerSecond * chip.dramEfficiency);
}

TEST(GPUModelTest, ComputeBoundGemmMatchesTheTileRoofline) {
  const GPUChip &chip = preset("h100");
  GPUModel model(chip);
  // 12 x 11 = 132 tiles of 128x256: one per SM, one wave.
  GemmShape shape{1, 12 * 128, 11 * 256, 8192, Precision::BF16, 0};
  GemmTile tile{128, 256, 64, 0, 1, 0, 0, 0};
  KernelEstimate e = expectEstimate(model.estimateGemm(shape, tile));
  EXPECT_EQ(e.blocks, 132);
  EXPECT_EQ(e.waves, 1);
  EXPECT_DOUBLE_EQ(e.waveEfficiency, 1.0);
  // Defaults: 4 stages of (128 + 256) x 64 bf16; two consumer warpgroups
  // and a producer.
  EXPECT_EQ(e.tile.stages, 4u);
  EXPECT_EQ(e.tile.sharedMemoryBytes, 4u * 384 * 64 * 2);
  EXPECT_EQ(e.tile.threads, 384u);
  EXPECT_EQ(e.blocksPerMultiprocessor, 1u);

  double smRate = chip.getTensorFlops(Precision::BF16) * chip.tensorEfficiency /
                  chip.multiprocessors;
  EXPECT_DOUBLE_EQ(e.computeSeconds, 2.0 * 128 * 256 * 8192 / smRate);
  EXPECT_EQ(e.bound, Bound::Compute);
  EXPECT_EQ(e.limiter, "tensor cores");
  EXPECT_DOUBLE_EQ(e.flops, 2.0 * shape.m * shape.n * shape.k);
  // Operands fit in L2: DRAM sees A, B and C once.
  EXPECT_DOUBLE_EQ(e.dramBytes, 2.0 * (shape.m * shape.k + shape.k * shape.n +
                                       shape.m * shape.n));
  // Fixed: launch, first DRAM round trip, and the one tile's fill and
  // epilogue (C through shared memory), not hidden with one block per SM.
  double epilogue =
      2.0 * 128 * 256 * 2 / (chip.sharedMemoryBytesPerClock * chip.clockHz);
  EXPECT_DOUBLE_EQ(e.fixedSeconds, chip.launchOverheadSeconds +
                                       2 * chip.dramLatencySeconds + epilogue);
  expectCriticalPath(e);
}

TEST(GPUModelTest, OneTileMoreThanTheChipCostsAWave) {
  GPUModel model(preset("h100"));
  GemmTile tile{128, 256, 64, 0, 1, 0, 0, 0};
  KernelEstimate full = expectEstimate(model.estimateGemm(
      {1, 12 * 128, 11 * 256, 8192, Precision::BF16, 0}, tile));
  // 133 tiles: the busiest SM does two.
  KernelEstimate over = expectEstimate(model.estimateGemm(
      {1, 12 * 128 + 1, 11 * 256, 8192, Precision::BF16, 0}, tile));
  EXPECT_EQ(over.blocks, 13 * 11);
  EXPECT_DOUBLE_EQ(over.computeSeconds, 2 * full.computeSeconds);
  EXPECT_DOUBLE_EQ(over.waveEfficiency, 143.0 / 264.0);
  EXPECT_EQ(over.waves, 2);
}

TEST(GPUModelTest, FewWarpsCannotFeedAllTensorCores) {
  const GPUChip &chip = preset("a100");
  GPUModel a100(chip);
  double smRate = chip.getTensorFlops(Precision::BF16) * chip.tensorEfficiency /
                  chip.multiprocessors;
  GemmTile tile{32, 32, 32, 0, 1, 0, 0, 0};
  // A 32x32 tile is one mma.sync warp: alone on its SM it drives one of the
  // four sub-partitions' tensor cores.
  KernelEstimate alone = expectEstimate(
      a100.estimateGemm({1, 32, 32, 4096, Precision::BF16, 0}, tile));
  EXPECT_DOUBLE_EQ(alone.computeSeconds, 2.0 * 32 * 32 * 4096 / (smRate / 4));
  // Four such blocks resident on every SM use all four.
  KernelEstimate four = expectEstimate(
      a100.estimateGemm({1, 32, 32 * 108 * 4, 4096, Precision::BF16, 0}, tile));
  EXPECT_GE(four.blocksPerMultiprocessor, 4u);
  EXPECT_DOUBLE_EQ(four.computeSeconds, 4 * 2.0 * 32 * 32 * 4096 / smRate);
}

TEST(GPUModelTest, SkinnyGemmsSplitKAndAreMemoryBound) {
  GPUModel model(preset("h100"));
  // Four 64x64 tiles over K = 65536 would keep four SMs busy.
  GemmShape shape{1, 16, 256, 65536, Precision::BF16, 0};
  KernelEstimate best = expectEstimate(model.estimateGemm(shape));
  EXPECT_GT(best.tile.splitK, 1u);
  EXPECT_EQ(best.bound, Bound::Memory);
  KernelEstimate unsplit = expectEstimate(model.estimateGemm(
      shape, GemmTile{best.tile.m, best.tile.n, best.tile.k, 0, 1, 0, 0, 0}));
  EXPECT_LT(best.seconds, unsplit.seconds);
  // The search never does worse than any candidate it could have picked.
  KernelEstimate big = expectEstimate(
      model.estimateGemm(shape, GemmTile{128, 256, 64, 0, 1, 0, 0, 0}));
  EXPECT_LE(best.seconds, big.seconds);
}

TEST(GPUModelTest, LargeGemmsBeyondL2ReadOperandsPerWave) {
  GPUModel model(preset("a100"));
  // 16384^3 bf16: A and B are 512 MiB each, far beyond 40 MiB of L2.
  GemmShape shape{1, 16384, 16384, 16384, Precision::BF16, 0};
  KernelEstimate e = expectEstimate(
      model.estimateGemm(shape, GemmTile{128, 128, 32, 0, 1, 0, 0, 0}));
  double unique = 2.0 * 3 * 16384.0 * 16384;
  EXPECT_GT(e.dramBytes, unique);
  // ...but far less than every tile loading its panels from DRAM.
  double everyTile = 128.0 * 128 * (128 + 128) * 16384 * 2;
  EXPECT_LT(e.dramBytes, everyTile / 4);
}

TEST(GPUModelTest, StreamingKernelsAreBandwidthOrLatencyBound) {
  const GPUChip &chip = preset("h200");
  GPUModel model(chip);
  KernelEstimate copy = expectEstimate(model.estimateStreaming({1e9, 0, 0, 0}));
  double fixed = chip.launchOverheadSeconds + chip.dramLatencySeconds;
  EXPECT_DOUBLE_EQ(copy.seconds, fixed + 1e9 / (chip.dramBytesPerSecond *
                                                chip.dramEfficiency));
  EXPECT_EQ(copy.bound, Bound::Memory);
  EXPECT_EQ(copy.limiter, "DRAM");

  KernelEstimate tiny =
      expectEstimate(model.estimateStreaming({1024, 0, 0, 0}));
  EXPECT_EQ(tiny.bound, Bound::Latency);
  EXPECT_EQ(tiny.limiter, "launch + latency");

  // One row: one SM's worth of outstanding loads (2048 threads x 16 B).
  KernelEstimate row = expectEstimate(model.estimateStreaming({64e6, 0, 0, 1}));
  EXPECT_DOUBLE_EQ(row.dramSeconds,
                   64e6 / (2048 * 16 / chip.dramLatencySeconds));

  KernelEstimate exps =
      expectEstimate(model.estimateStreaming({1e6, 0, 1e11, 0}));
  EXPECT_EQ(exps.limiter, "special function units");
  EXPECT_DOUBLE_EQ(exps.sfuSeconds,
                   1e11 / (16 * chip.clockHz * chip.multiprocessors));
  expectCriticalPath(exps);
}

TEST(GPUModelTest, ConvolutionIsItsImplicitGemm) {
  ConvShape conv;
  conv.batch = 32;
  conv.height = conv.width = 56;
  conv.channels = 64;
  conv.filters = 128;
  conv.filterHeight = conv.filterWidth = 3;
  conv.strideH = conv.strideW = 2;
  conv.padH = conv.padW = 1;
  EXPECT_EQ(conv.getOutputHeight(), 28);
  GemmShape gemm = conv.toGemm();
  EXPECT_EQ(gemm.m, 32 * 28 * 28);
  EXPECT_EQ(gemm.n, 128);
  EXPECT_EQ(gemm.k, 64 * 9);

  GPUModel model(preset("a100"));
  KernelEstimate c = expectEstimate(model.estimateConv(conv));
  KernelEstimate g = expectEstimate(model.estimateGemm(gemm));
  EXPECT_DOUBLE_EQ(c.flops, g.flops);
  // The sliding window reads the input once, not once per filter tap.
  EXPECT_LT(c.dramBytes, g.dramBytes);

  conv.filterHeight = 100;
  EXPECT_EQ(expectError(model.estimateConv(conv)),
            "convolution sizes must be positive and the filter must fit the "
            "padded input");
}

TEST(GPUModelTest, AttentionFlopsAndFlashDecoding) {
  GPUModel model(preset("h100"));
  AttentionShape prefill{2, 32, 8, 2048, 2048, 128, Precision::BF16, false};
  KernelEstimate full = expectEstimate(model.estimateAttention(prefill));
  EXPECT_DOUBLE_EQ(full.flops, 4.0 * 2 * 32 * 2048 * 2048 * 128);
  prefill.causal = true;
  KernelEstimate causal = expectEstimate(model.estimateAttention(prefill));
  EXPECT_DOUBLE_EQ(causal.flops, full.flops / 2);
  EXPECT_LT(causal.seconds, full.seconds);

  // One query token against a long cache: 8 K/V heads would leave 124 SMs
  // idle, so the keys are split across blocks (flash decoding).
  AttentionShape decode{1, 32, 8, 1, 32768, 128, Precision::BF16, false};
  KernelEstimate d = expectEstimate(model.estimateAttention(decode));
  EXPECT_GT(d.tile.splitK, 1u);
  EXPECT_EQ(d.bound, Bound::Memory);

  decode.kvHeads = 5;
  EXPECT_EQ(expectError(model.estimateAttention(decode)),
            "attention heads (32) must be a multiple of the key/value heads "
            "(5)");
}

TEST(GPUModelTest, ImpossibleKernelsAreErrors) {
  GPUModel a100(preset("a100"));
  EXPECT_EQ(
      expectError(a100.estimateGemm({1, 1024, 1024, 1024, Precision::FP8, 0})),
      "A100 SXM4 80GB (sm_80) has no fp8 tensor cores");
  EXPECT_EQ(
      expectError(a100.estimateGemm({1, 0, 1024, 1024, Precision::BF16, 0})),
      "GEMM sizes must be at least 1, got batch 1 M 0 N 1024 K 1024");
  EXPECT_EQ(
      expectError(a100.estimateGemm({1, 1024, 1024, 1024, Precision::BF16, 0},
                                    GemmTile{256, 256, 128, 0, 1, 0, 0, 0})),
      "GEMM tile 256x256x128 (512 threads, 168 registers, 262144 bytes "
      "of shared memory) does not fit an SM of A100 SXM4 80GB (at most "
      "1024 threads, 255 registers, 166912 bytes per block)");
  EXPECT_EQ(expectError(a100.estimateGemm({1, 64, 64, 64, Precision::BF16, 0},
                                          GemmTile{64, 64, 0, 0, 1, 0, 0, 0})),
            "GEMM tile sizes and split-K must be at least 1, got 64x64x0 "
            "split 1");
  EXPECT_EQ(expectError(a100.estimateStreaming({-1, 0, 0, 0})),
            "streaming kernel work must not be negative");
}

TEST(GPUModelTest, FasterMemoryHelpsOnlyMemoryBoundKernels) {
  GPUModel h100(preset("h100")), h200(preset("h200"));
  GemmShape decode{1, 1, 8192, 8192, Precision::BF16, 0};
  KernelEstimate slow = expectEstimate(h100.estimateGemm(decode));
  KernelEstimate fast = expectEstimate(h200.estimateGemm(decode));
  EXPECT_LT(fast.seconds, slow.seconds);
  GemmShape big{1, 12 * 128, 11 * 256, 8192, Precision::BF16, 0};
  EXPECT_DOUBLE_EQ(expectEstimate(h100.estimateGemm(big)).computeSeconds,
                   expectEstimate(h200.estimateGemm(big)).computeSeconds);
}

} // namespace
