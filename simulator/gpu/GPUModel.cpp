//===- GPUModel.cpp - Tile-level GPU kernel performance model -------------===//
//
// Every kernel is reduced to thread-block tiles: how many, the work and
// shared-memory traffic of each, the L2 and DRAM traffic of all, and how
// many tiles an SM holds at once. The time is then
//
//   T = T_fixed + max(T_compute, T_sfu, T_smem, T_L2, T_DRAM)
//
// with the busiest SM doing ceil(tiles / SMs) tiles (wave quantisation).
// docs/gpu.md derives each term.
//
//===----------------------------------------------------------------------===//

#include "gaon/Sim/GPU/GPUModel.h"

#include "llvm/ADT/Twine.h"
#include "llvm/Support/MathExtras.h"

#include <algorithm>
#include <cmath>

using namespace llvm;

namespace gaon::sim::gpu {

StringRef stringifyBound(Bound bound) {
  switch (bound) {
  case Bound::Compute:
    return "compute";
  case Bound::Memory:
    return "memory";
  case Bound::Latency:
    return "latency";
  }
  return "";
}

static Error makeError(const Twine &message) {
  return createStringError(inconvertibleErrorCode(), message);
}

static int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

//===----------------------------------------------------------------------===//
// Occupancy and bandwidth
//===----------------------------------------------------------------------===//

unsigned
GPUModel::getBlocksPerMultiprocessor(unsigned threads,
                                     unsigned registersPerThread,
                                     uint64_t sharedMemoryBytes) const {
  if (threads == 0 || threads > 1024 ||
      sharedMemoryBytes > chip.maxSharedMemoryPerBlock ||
      registersPerThread > chip.maxRegistersPerThread)
    return 0;
  // Threads are scheduled in whole warps.
  unsigned warpThreads = alignTo(threads, 32);
  unsigned blocks = std::min(chip.maxBlocksPerMultiprocessor,
                             chip.maxThreadsPerMultiprocessor / warpThreads);
  if (registersPerThread) {
    // Registers are allocated per warp in units of 256.
    unsigned perWarp = alignTo(registersPerThread * 32, 256);
    unsigned warpsByRegisters = chip.registersPerMultiprocessor / perWarp;
    blocks = std::min(blocks, warpsByRegisters / (warpThreads / 32));
  }
  uint64_t perBlock = sharedMemoryBytes + chip.reservedSharedMemoryPerBlock;
  blocks =
      std::min<uint64_t>(blocks, chip.sharedMemoryPerMultiprocessor / perBlock);
  return blocks;
}

double GPUModel::getDramBandwidth(double activeMultiprocessors,
                                  double bytesInFlightPerMultiprocessor) const {
  double sustained = chip.dramBytesPerSecond * chip.dramEfficiency;
  double drawn = activeMultiprocessors * bytesInFlightPerMultiprocessor /
                 chip.dramLatencySeconds;
  return std::min(sustained, drawn);
}

//===----------------------------------------------------------------------===//
// The tile-level evaluation shared by every kernel kind
//===----------------------------------------------------------------------===//

namespace {
/// A kernel reduced to its thread-block tiles.
struct TiledKernel {
  /// Math unit: tensor cores for the precision, CUDA cores for FP32.
  Precision precision = Precision::BF16;
  int64_t tiles = 0;
  /// Work of one tile as executed (padded to the tile shape).
  double flopsPerTile = 0;
  double transcendentalsPerTile = 0;
  /// Shared-memory bytes one tile writes and reads.
  double sharedMemoryBytesPerTile = 0;
  double l2Bytes = 0;
  double dramBytes = 0;
  /// Loads one block keeps outstanding (its software pipeline).
  double bytesInFlightPerBlock = 0;
  unsigned blocksPerMultiprocessor = 1;
  /// Warps of a block that issue tensor-core (or FMA) instructions.
  unsigned mathWarpsPerBlock = 4;
  /// Prologue (pipeline fill) and epilogue of one tile; hidden behind
  /// another resident block's main loop when an SM holds more than one.
  double perTileOverheadSeconds = 0;
  /// Launches besides the main kernel (a split-K reduction, say).
  unsigned extraLaunches = 0;
  double usefulFlops = 0;
};
} // namespace

static KernelEstimate evaluate(const GPUChip &chip, const GPUModel &model,
                               const TiledKernel &k) {
  KernelEstimate e;
  const double sms = chip.multiprocessors;
  int64_t tilesPerSM = ceilDiv(k.tiles, chip.multiprocessors);
  double activeSMs = std::min<double>(sms, k.tiles);
  unsigned residentBlocks =
      std::min<int64_t>(k.blocksPerMultiprocessor, tilesPerSM);

  // An SM's four sub-partitions each need a warp issuing math.
  double issueFraction =
      std::min(1.0, residentBlocks * k.mathWarpsPerBlock / 4.0);
  double smRate = chip.getPeakFlops(k.precision) * chip.tensorEfficiency / sms *
                  issueFraction;
  e.computeSeconds = tilesPerSM * k.flopsPerTile / smRate;
  e.sfuSeconds = tilesPerSM * k.transcendentalsPerTile /
                 (chip.sfuResultsPerClock * chip.clockHz);
  e.sharedMemorySeconds = tilesPerSM * k.sharedMemoryBytesPerTile /
                          (chip.sharedMemoryBytesPerClock * chip.clockHz);
  e.l2Seconds = k.l2Bytes / chip.l2BytesPerSecond;
  e.dramSeconds =
      k.dramBytes / model.getDramBandwidth(
                        activeSMs, residentBlocks * k.bytesInFlightPerBlock);
  int64_t exposedTiles = k.blocksPerMultiprocessor > 1 ? 1 : tilesPerSM;
  e.fixedSeconds = (1 + k.extraLaunches) * chip.launchOverheadSeconds +
                   chip.dramLatencySeconds +
                   exposedTiles * k.perTileOverheadSeconds;

  struct Term {
    double seconds;
    Bound bound;
    const char *limiter;
  } terms[] = {{e.computeSeconds, Bound::Compute,
                k.precision == Precision::FP32 ? "CUDA cores" : "tensor cores"},
               {e.sfuSeconds, Bound::Compute, "special function units"},
               {e.sharedMemorySeconds, Bound::Memory, "shared memory"},
               {e.l2Seconds, Bound::Memory, "L2"},
               {e.dramSeconds, Bound::Memory, "DRAM"}};
  const Term *slowest = std::max_element(
      std::begin(terms), std::end(terms),
      [](const Term &a, const Term &b) { return a.seconds < b.seconds; });
  e.seconds = e.fixedSeconds + slowest->seconds;
  if (e.fixedSeconds > slowest->seconds) {
    e.bound = Bound::Latency;
    e.limiter = "launch + latency";
  } else {
    e.bound = slowest->bound;
    e.limiter = slowest->limiter;
  }
  e.flops = k.usefulFlops;
  e.dramBytes = k.dramBytes;
  e.blocks = k.tiles;
  e.blocksPerMultiprocessor = k.blocksPerMultiprocessor;
  e.waves = ceilDiv(k.tiles,
                    int64_t(chip.multiprocessors) * k.blocksPerMultiprocessor);
  e.waveEfficiency = double(k.tiles) / (double(tilesPerSM) * sms);
  return e;
}

/// Checks the chip can run `precision`.
static Error checkPrecision(const GPUChip &chip, Precision precision) {
  if (chip.getPeakFlops(precision) > 0)
    return Error::success();
  return makeError(chip.name + " (" + chip.chip + ") has no " +
                   stringifyPrecision(precision) + " tensor cores");
}

//===----------------------------------------------------------------------===//
// GEMM
//===----------------------------------------------------------------------===//

/// Bytes per element of C.
static unsigned getOutputBytes(const GemmShape &shape) {
  if (shape.outputBytes)
    return shape.outputBytes;
  return shape.precision == Precision::INT8 ? 4
                                            : getOperandBytes(shape.precision);
}

/// The warp (or warpgroup) tile the math instructions work on.
static void getWarpTile(const GPUChip &chip, Precision precision, unsigned &m,
                        unsigned &n, unsigned &threads) {
  if (precision == Precision::FP32) { // SIMT: 32 x 32 per warp
    m = n = 32;
    threads = 32;
    return;
  }
  m = chip.warpTileM;
  n = chip.warpTileN;
  threads = chip.threadsPerWarpTile;
}

Expected<KernelEstimate> GPUModel::estimateGemm(const GemmShape &shape,
                                                const GemmTile &given) const {
  if (shape.batch < 1 || shape.m < 1 || shape.n < 1 || shape.k < 1)
    return makeError("GEMM sizes must be at least 1, got batch " +
                     Twine(shape.batch) + " M " + Twine(shape.m) + " N " +
                     Twine(shape.n) + " K " + Twine(shape.k));
  if (given.m < 1 || given.n < 1 || given.k < 1 || given.splitK < 1)
    return makeError("GEMM tile sizes and split-K must be at least 1, got " +
                     Twine(given.m) + "x" + Twine(given.n) + "x" +
                     Twine(given.k) + " split " + Twine(given.splitK));
  if (Error error = checkPrecision(chip, shape.precision))
    return std::move(error);

  GemmTile tile = given;
  const double in = getOperandBytes(shape.precision);
  const double out = getOutputBytes(shape);
  unsigned warpM, warpN, warpThreads;
  getWarpTile(chip, shape.precision, warpM, warpN, warpThreads);
  int64_t warpTilesM = ceilDiv(tile.m, std::min<int64_t>(warpM, tile.m));
  int64_t warpTilesN = ceilDiv(tile.n, std::min<int64_t>(warpN, tile.n));
  unsigned mathThreads = warpTilesM * warpTilesN * warpThreads;
  if (!tile.threads)
    // Warpgroup kernels add a producer warpgroup that issues the TMA loads.
    tile.threads = std::min<unsigned>(
        1024,
        std::max<unsigned>(128, mathThreads) +
            (chip.usesWarpgroups() && shape.precision != Precision::FP32 ? 128
                                                                         : 0));
  if (!tile.registersPerThread)
    // fp32 accumulators spread over the math threads, plus addressing.
    tile.registersPerThread = std::min<int64_t>(
        chip.maxRegistersPerThread,
        ceilDiv(tile.m * tile.n, std::min(mathThreads, tile.threads)) + 40);
  uint64_t stageBytes = (tile.m + tile.n) * tile.k * in;
  bool derivedSharedMemory = !tile.sharedMemoryBytes;
  if (!tile.stages)
    tile.stages = chip.usesWarpgroups() ? 4 : 3;
  if (derivedSharedMemory) {
    // Fewer stages when the default depth does not fit.
    while (tile.stages > 2 &&
           tile.stages * stageBytes > chip.maxSharedMemoryPerBlock)
      --tile.stages;
    tile.sharedMemoryBytes = tile.stages * stageBytes;
  }
  unsigned blocksPerSM = getBlocksPerMultiprocessor(
      tile.threads, tile.registersPerThread, tile.sharedMemoryBytes);
  if (!blocksPerSM)
    return makeError("GEMM tile " + Twine(tile.m) + "x" + Twine(tile.n) + "x" +
                     Twine(tile.k) + " (" + Twine(tile.threads) + " threads, " +
                     Twine(tile.registersPerThread) + " registers, " +
                     Twine(tile.sharedMemoryBytes) +
                     " bytes of shared memory) does not fit "
                     "an SM of " +
                     chip.name + " (at most 1024 threads, " +
                     Twine(chip.maxRegistersPerThread) + " registers, " +
                     Twine(chip.maxSharedMemoryPerBlock) + " bytes per block)");

  int64_t tilesM = ceilDiv(shape.m, tile.m), tilesN = ceilDiv(shape.n, tile.n);
  int64_t splitK = std::min<int64_t>(tile.splitK, ceilDiv(shape.k, tile.k));
  tile.splitK = splitK;
  int64_t kPerSplit = alignTo(ceilDiv(shape.k, splitK), tile.k);
  const double batch = shape.batch, m = shape.m, n = shape.n, k = shape.k;

  TiledKernel kernel;
  kernel.precision = shape.precision;
  kernel.tiles = shape.batch * tilesM * tilesN * splitK;
  kernel.flopsPerTile = 2.0 * tile.m * tile.n * kPerSplit;
  double stagedBytes = (tile.m + tile.n) * double(kPerSplit) * in;
  double fragmentBytes =
      (warpTilesN * tile.m + warpTilesM * tile.n) * double(kPerSplit) * in;
  kernel.sharedMemoryBytesPerTile = stagedBytes + fragmentBytes;
  kernel.blocksPerMultiprocessor = blocksPerSM;
  kernel.mathWarpsPerBlock = std::max<unsigned>(1, mathThreads / 32);
  kernel.bytesInFlightPerBlock = (tile.stages - 1) * double(stageBytes);
  kernel.usefulFlops = 2.0 * batch * m * n * k;

  // DRAM: A, B once and C once when one problem's operands stay in L2;
  // otherwise the panels each wave of resident tiles touches, the wave's
  // tiles grouped into a near-square block (grouped rasterisation).
  double operands = batch * (m * k + k * n) * in;
  double result = batch * m * n * out;
  double partials = splitK > 1 ? 2.0 * splitK * batch * m * n * 4 : 0;
  // With clusters, tiles adjacent in M receive one multicast B tile.
  double multicast = tilesM > 1 ? chip.clusterMulticast : 1;
  double l2Loads =
      kernel.tiles * (tile.m + tile.n / multicast) * double(kPerSplit) * in;
  double dramOperands = operands;
  if (operands / batch > chip.l2Bytes / 2.0) {
    double resident = std::min<double>(
        double(kernel.tiles), double(chip.multiprocessors) * blocksPerSM);
    double groupN =
        std::clamp(std::round(std::sqrt(resident * tile.m / double(tile.n))),
                   1.0, double(tilesN));
    double groupM = std::min<double>(std::ceil(resident / groupN), tilesM);
    double perWave = (groupM * tile.m + groupN * tile.n) * k * in;
    double waves = std::ceil(kernel.tiles / resident);
    dramOperands = std::clamp(waves * perWave, operands, l2Loads);
  }
  kernel.l2Bytes = l2Loads + result + partials;
  kernel.dramBytes =
      dramOperands + result + (partials > chip.l2Bytes / 2.0 ? partials : 0);
  kernel.extraLaunches = splitK > 1 ? 1 : 0;
  // Pipeline fill, then the C tile through shared memory to global.
  kernel.perTileOverheadSeconds =
      chip.dramLatencySeconds +
      2.0 * tile.m * tile.n * out /
          (chip.sharedMemoryBytesPerClock * chip.clockHz);

  KernelEstimate estimate = evaluate(chip, *this, kernel);
  estimate.tile = tile;
  return estimate;
}

/// Tile shapes (M, N) a tuned library offers for the chip's instruction
/// family, and the K step that makes one 128-byte (sm_90) or 64-byte row.
static void getCandidateTiles(const GPUChip &chip, Precision precision,
                              std::vector<std::pair<int64_t, int64_t>> &mn,
                              int64_t &tileK) {
  unsigned in = getOperandBytes(precision);
  if (precision == Precision::FP32) {
    mn = {{128, 128}, {128, 64}, {64, 128}, {64, 64}, {32, 64}};
    tileK = 8;
    return;
  }
  if (chip.usesWarpgroups()) {
    mn = {{128, 256}, {256, 128}, {128, 128}, {128, 64},
          {64, 256},  {64, 128},  {64, 64}};
    tileK = 128 / in;
    return;
  }
  mn = {{128, 256}, {256, 128}, {128, 128}, {128, 64}, {64, 128},
        {64, 64},   {32, 128},  {32, 64},   {16, 128}, {16, 64}};
  tileK = 64 / in;
}

Expected<KernelEstimate> GPUModel::estimateGemm(const GemmShape &shape) const {
  std::vector<std::pair<int64_t, int64_t>> candidates;
  int64_t tileK = 0;
  getCandidateTiles(chip, shape.precision, candidates, tileK);
  std::optional<KernelEstimate> best;
  Error firstError = Error::success();
  for (auto [tileM, tileN] : candidates) {
    for (unsigned splitK : {1, 2, 4, 8, 16}) {
      GemmTile tile;
      tile.m = tileM;
      tile.n = tileN;
      tile.k = tileK;
      tile.splitK = splitK;
      Expected<KernelEstimate> estimate = estimateGemm(shape, tile);
      if (!estimate) {
        // Sizes or precision the chip lacks fail for every candidate.
        if (!firstError && !best)
          firstError = estimate.takeError();
        else
          consumeError(estimate.takeError());
        continue;
      }
      if (!best || estimate->seconds < best->seconds)
        best = *estimate;
    }
  }
  if (best) {
    consumeError(std::move(firstError));
    return *best;
  }
  return std::move(firstError);
}

//===----------------------------------------------------------------------===//
// Convolution
//===----------------------------------------------------------------------===//

int64_t ConvShape::getOutputHeight() const {
  return (height + 2 * padH - filterHeight) / strideH + 1;
}

int64_t ConvShape::getOutputWidth() const {
  return (width + 2 * padW - filterWidth) / strideW + 1;
}

GemmShape ConvShape::toGemm() const {
  GemmShape gemm;
  gemm.m = batch * getOutputHeight() * getOutputWidth();
  gemm.n = filters;
  gemm.k = channels * filterHeight * filterWidth;
  gemm.precision = precision;
  return gemm;
}

Expected<KernelEstimate> GPUModel::estimateConv(const ConvShape &shape) const {
  if (shape.batch < 1 || shape.height < 1 || shape.width < 1 ||
      shape.channels < 1 || shape.filters < 1 || shape.filterHeight < 1 ||
      shape.filterWidth < 1 || shape.strideH < 1 || shape.strideW < 1 ||
      shape.padH < 0 || shape.padW < 0 || shape.getOutputHeight() < 1 ||
      shape.getOutputWidth() < 1)
    return makeError("convolution sizes must be positive and the filter "
                     "must fit the padded input");
  Expected<KernelEstimate> estimate = estimateGemm(shape.toGemm());
  if (!estimate)
    return estimate.takeError();
  // The implicit GEMM's A operand is the input read through a sliding
  // window: DRAM sees the input once, not C*R*S times per output pixel.
  double in = getOperandBytes(shape.precision);
  GemmShape gemm = shape.toGemm();
  double implicitA = double(gemm.m) * gemm.k * in;
  double input =
      double(shape.batch) * shape.height * shape.width * shape.channels * in;
  if (implicitA > input) {
    double saved = std::min(implicitA - input, estimate->dramBytes - input);
    estimate->dramBytes -= std::max(0.0, saved);
  }
  return estimate;
}

//===----------------------------------------------------------------------===//
// Attention
//===----------------------------------------------------------------------===//

Expected<KernelEstimate>
GPUModel::estimateAttention(const AttentionShape &shape) const {
  if (shape.batch < 1 || shape.heads < 1 || shape.kvHeads < 1 ||
      shape.queryLength < 1 || shape.keyLength < 1 || shape.headDim < 1)
    return makeError("attention sizes must be at least 1");
  if (shape.heads % shape.kvHeads != 0)
    return makeError("attention heads (" + Twine(shape.heads) +
                     ") must be a multiple of the key/value heads (" +
                     Twine(shape.kvHeads) + ")");
  if (shape.precision == Precision::FP32)
    return makeError("fused attention is modeled on tensor cores; fp32 "
                     "attention is not supported");
  if (Error error = checkPrecision(chip, shape.precision))
    return std::move(error);

  const double in = getOperandBytes(shape.precision);
  const double d = shape.headDim;
  const bool warpgroups = chip.usesWarpgroups();
  // Query rows sharing one K/V head are packed into the tile's M dimension.
  int64_t rows = shape.queryLength * (shape.heads / shape.kvHeads);
  int64_t minRows = warpgroups ? 64 : 16;
  int64_t tileM = std::min<int64_t>(128, alignTo(rows, minRows));
  int64_t tileN = warpgroups ? 128 : 64;
  int64_t queryTiles = ceilDiv(rows, tileM);
  unsigned readers = ceilDiv(tileM, warpgroups ? 64 : 16);
  unsigned threads =
      warpgroups ? readers * 128 + 128 : (tileM > 64 ? 256 : 128);
  uint64_t sharedMemory =
      (2 * 2 * tileN * shape.headDim + tileM * shape.headDim) * in;
  unsigned blocksPerSM = getBlocksPerMultiprocessor(threads, 0, sharedMemory);
  if (!blocksPerSM)
    return makeError("attention tile does not fit an SM of " + chip.name);

  double q = double(shape.batch) * shape.heads * shape.queryLength * d * in;
  double kv = 2.0 * shape.batch * shape.kvHeads * shape.keyLength * d * in;
  double causalFraction = shape.causal ? 0.5 : 1.0;

  std::optional<KernelEstimate> best;
  for (int64_t split = 1; split <= 64; split *= 2) {
    if (split > 1 && split > ceilDiv(shape.keyLength, tileN))
      break;
    int64_t keys = alignTo(ceilDiv(shape.keyLength, split), tileN);
    double keysDone = shape.causal ? keys / 2.0 + tileM / 2.0 : keys;
    keysDone = std::min<double>(keysDone, keys);

    TiledKernel kernel;
    kernel.precision = shape.precision;
    kernel.tiles = shape.batch * shape.kvHeads * queryTiles * split;
    kernel.flopsPerTile = 4.0 * tileM * keysDone * d;
    kernel.transcendentalsPerTile = double(tileM) * keysDone;
    double stagedBytes = 2.0 * keysDone * d * in;
    kernel.sharedMemoryBytesPerTile = stagedBytes * (1 + readers);
    kernel.blocksPerMultiprocessor = blocksPerSM;
    kernel.mathWarpsPerBlock = warpgroups ? readers * 4 : threads / 32;
    kernel.bytesInFlightPerBlock = 2.0 * tileN * d * in;
    kernel.usefulFlops = 4.0 * shape.batch * shape.heads * shape.queryLength *
                         double(shape.keyLength) * d * causalFraction;
    double partials = split > 1 ? 2.0 * split * shape.batch * shape.heads *
                                      shape.queryLength * (d + 2) * 4
                                : 0;
    double kvTraffic = kv * causalFraction;
    if (queryTiles > 1 && kv > chip.l2Bytes / 2.0)
      kvTraffic *= queryTiles;
    kernel.l2Bytes = kernel.tiles * stagedBytes + 2 * q + partials;
    kernel.dramBytes = 2 * q + std::max(kvTraffic, kv * causalFraction);
    kernel.extraLaunches = split > 1 ? 1 : 0;
    kernel.perTileOverheadSeconds =
        chip.dramLatencySeconds +
        2.0 * tileM * d * in / (chip.sharedMemoryBytesPerClock * chip.clockHz);

    KernelEstimate estimate = evaluate(chip, *this, kernel);
    estimate.tile.m = tileM;
    estimate.tile.n = tileN;
    estimate.tile.k = shape.headDim;
    estimate.tile.splitK = split;
    estimate.tile.stages = 2;
    estimate.tile.threads = threads;
    estimate.tile.sharedMemoryBytes = sharedMemory;
    if (!best || estimate.seconds < best->seconds)
      best = estimate;
  }
  return *best;
}

//===----------------------------------------------------------------------===//
// Streaming kernels
//===----------------------------------------------------------------------===//

Expected<KernelEstimate>
GPUModel::estimateStreaming(const StreamingKernel &kernel) const {
  if (kernel.bytes < 0 || kernel.flops < 0 || kernel.transcendentals < 0 ||
      kernel.parallelism < 0)
    return makeError("streaming kernel work must not be negative");
  KernelEstimate e;
  const double sms = chip.multiprocessors;
  double active = kernel.parallelism
                      ? std::min<double>(sms, double(kernel.parallelism))
                      : sms;
  // A full SM keeps one 16-byte load per resident thread in flight.
  double inFlight = chip.maxThreadsPerMultiprocessor * 16.0;
  e.dramSeconds = kernel.bytes / getDramBandwidth(active, inFlight);
  e.computeSeconds = kernel.flops / (chip.fp32Flops * active / sms);
  e.sfuSeconds = kernel.transcendentals /
                 (chip.sfuResultsPerClock * chip.clockHz * active);
  e.fixedSeconds = chip.launchOverheadSeconds + chip.dramLatencySeconds;
  double slowest = std::max({e.dramSeconds, e.computeSeconds, e.sfuSeconds});
  e.seconds = e.fixedSeconds + slowest;
  if (e.fixedSeconds > slowest) {
    e.bound = Bound::Latency;
    e.limiter = "launch + latency";
  } else if (slowest == e.dramSeconds) {
    e.bound = Bound::Memory;
    e.limiter = "DRAM";
  } else {
    e.bound = Bound::Compute;
    e.limiter =
        slowest == e.computeSeconds ? "CUDA cores" : "special function units";
  }
  e.flops = kernel.flops;
  e.dramBytes = kernel.bytes;
  e.blocks = kernel.parallelism;
  return e;
}

} // namespace gaon::sim::gpu
