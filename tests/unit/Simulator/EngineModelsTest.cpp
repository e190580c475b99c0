//===- EngineModelsTest.cpp - Per-engine cycle and traffic models ---------===//
//
// Systolic figures are hand-derived from SCALE-Sim v2's compute modules
// (docs/simulator-models.md): per fold the skewed ofmap demand matrix has
// T + R + C - 2 lines (OS) or 2R + C + T - 2 lines (WS, IS), and SCALE-Sim
// reports folds * lines - 1. Shapes are written M x N x K.
//
//===----------------------------------------------------------------------===//

#include "gaon/Sim/EngineModels.h"

#include "gtest/gtest.h"

using namespace gaon::sim;

namespace {

struct SystolicCase {
  Dataflow dataflow;
  GemmShape shape;
  int64_t folds, linesPerFold, cycles;
};

TEST(SystolicModel, MatchesScaleSimOn32x32) {
  constexpr Dataflow os = Dataflow::OutputStationary,
                     ws = Dataflow::WeightStationary,
                     is = Dataflow::InputStationary;
  const SystolicCase cases[] = {
      // OS: folds = ceil(M/32) * ceil(N/32), lines = K + 62.
      {os, {33, 33, 33}, 4, 95, 379},
      {os, {1, 1024, 1024}, 32, 1086, 34751},
      {os, {100, 70, 300}, 12, 362, 4343},
      {os, {512, 512, 512}, 256, 574, 146943},
      // WS: folds = ceil(K/32) * ceil(N/32), lines = M + 94.
      {ws, {33, 33, 33}, 4, 127, 507},
      {ws, {1, 1024, 1024}, 1024, 95, 97279},
      {ws, {100, 70, 300}, 30, 194, 5819},
      {ws, {512, 512, 512}, 256, 606, 155135},
      // IS: folds = ceil(K/32) * ceil(M/32), lines = N + 94.
      {is, {33, 33, 33}, 4, 127, 507},
      {is, {1, 1024, 1024}, 32, 1118, 35775},
      {is, {100, 70, 300}, 40, 164, 6559},
      {is, {512, 512, 512}, 256, 606, 155135},
  };
  for (const SystolicCase &c : cases) {
    SystolicEstimate estimate = estimateSystolic(c.dataflow, 32, 32, c.shape);
    SCOPED_TRACE(std::string(stringifyDataflow(c.dataflow)) + " " +
                 std::to_string(c.shape.m) + "x" + std::to_string(c.shape.n) +
                 "x" + std::to_string(c.shape.k));
    EXPECT_EQ(estimate.folds, c.folds);
    EXPECT_EQ(estimate.linesPerFold, c.linesPerFold);
    EXPECT_EQ(estimate.cycles, c.cycles);
  }
}

TEST(SystolicModel, RectangularArrays) {
  // 8 rows x 16 cols, OS, M=20 N=40 K=10: folds 3 * 3, lines 10 + 8 + 16 - 2.
  EXPECT_EQ(
      estimateSystolic(Dataflow::OutputStationary, 8, 16, {20, 40, 10}).cycles,
      9 * 32 - 1);
  // WS: folds ceil(10/8) * ceil(40/16) = 6, lines 16 + 16 + 20 - 2 = 50.
  EXPECT_EQ(
      estimateSystolic(Dataflow::WeightStationary, 8, 16, {20, 40, 10}).cycles,
      6 * 50 - 1);
  // IS: folds ceil(10/8) * ceil(20/16) = 4, lines 16 + 16 + 40 - 2 = 70.
  EXPECT_EQ(
      estimateSystolic(Dataflow::InputStationary, 8, 16, {20, 40, 10}).cycles,
      4 * 70 - 1);
}

TEST(SystolicModel, ConvolutionMapsLikeScaleSim) {
  // ResNet-18 conv1 as in SCALE-Sim's Resnet18.csv: 224x224 input, 7x7x3
  // filters, 64 of them, stride 2 -> ofmap ceil((224 - 7 + 2) / 2) = 110.
  ConvShape conv{224, 224, 7, 7, 3, 64, 2, 2};
  GemmShape gemm = conv.toGemm();
  EXPECT_EQ(gemm.m, 110 * 110);
  EXPECT_EQ(gemm.k, 147);
  EXPECT_EQ(gemm.n, 64);
  // OS: 379 * 2 folds of 147 + 62 lines.
  EXPECT_EQ(estimateSystolic(Dataflow::OutputStationary, 32, 32, gemm).cycles,
            758 * 209 - 1);
}

TEST(SystolicModel, SramReadsFollowTheFolds) {
  // OS re-reads the ifmap once per column fold and the filter once per row
  // fold (SCALE-Sim's ifmap_reads / filter_reads).
  SystolicEstimate os =
      estimateSystolic(Dataflow::OutputStationary, 32, 32, {100, 70, 300});
  EXPECT_EQ(os.ifmapReads, 100 * 300 * 3);
  EXPECT_EQ(os.filterReads, 300 * 70 * 4);
  EXPECT_EQ(os.ofmapWrites, 100 * 70);
  SystolicEstimate ws =
      estimateSystolic(Dataflow::WeightStationary, 32, 32, {100, 70, 300});
  EXPECT_EQ(ws.filterReads, 300 * 70);
  EXPECT_EQ(ws.ofmapWrites, 100 * 70 * 10);
}

TensorEngineConfig makeSystolic(int64_t rows, int64_t cols) {
  TensorEngineConfig tensor;
  tensor.rows = rows;
  tensor.cols = cols;
  tensor.macsPerCycle[unsigned(Precision::Bf16)] = rows * cols;
  tensor.macsPerCycle[unsigned(Precision::Int8)] = 2 * rows * cols;
  tensor.macsPerCycle[unsigned(Precision::Fp32)] = rows * cols / 4;
  return tensor;
}

TEST(TensorModel, PrecisionRates) {
  TensorEngineConfig tensor = makeSystolic(32, 32);
  GemmShape shape{64, 128, 64};
  // bf16 is the base rate: exactly SCALE-Sim.
  EXPECT_EQ(getTensorCycles(tensor, shape, Precision::Bf16),
            estimateSystolic(Dataflow::OutputStationary, 32, 32, shape).cycles);
  // int8 at twice the rate packs two MACs per PE along N: a 32x64 array.
  EXPECT_EQ(getTensorCycles(tensor, shape, Precision::Int8),
            estimateSystolic(Dataflow::OutputStationary, 32, 64, shape).cycles);
  // fp32 at a quarter of the rate takes four times as long.
  EXPECT_EQ(
      getTensorCycles(tensor, shape, Precision::Fp32),
      4 * estimateSystolic(Dataflow::OutputStationary, 32, 32, shape).cycles);
}

TEST(TensorModel, ContractionArray) {
  // RNGD-style PE: 64 slices x 8 rows x 32 bf16 lanes, 64-cycle pipeline.
  TensorEngineConfig tensor;
  tensor.dataflow = Dataflow::Contraction;
  tensor.slices = 64;
  tensor.rows = 8;
  tensor.cols = 32;
  tensor.pipelineCycles = 64;
  tensor.macsPerCycle[unsigned(Precision::Bf16)] = 16384;
  tensor.macsPerCycle[unsigned(Precision::Fp8)] = 32768;
  // M over slices: ceil(256/64) * ceil(64/8) * ceil(512/32) = 4*8*16 = 512.
  EXPECT_EQ(getTensorCycles(tensor, {256, 64, 512}, Precision::Bf16), 512 + 64);
  // fp8 doubles the lanes: K steps halve.
  EXPECT_EQ(getTensorCycles(tensor, {256, 64, 512}, Precision::Fp8), 256 + 64);
  // A GEMV (M = 1): N over slices would take ceil(4096/64) * ceil(4096/32)
  // = 8192; splitting K over the slices keeps every lane busy:
  // ceil(4096/8) * ceil(4096 / (64*32)) + log2(64) = 1030.
  EXPECT_EQ(getTensorCycles(tensor, {1, 4096, 4096}, Precision::Bf16),
            1030 + 64);
  // A tiny output splits K over the slices and reduces across them:
  // ceil(1/8) * ceil(65536 / (64*32)) + log2(64) = 32 + 6.
  EXPECT_EQ(getTensorCycles(tensor, {1, 1, 65536}, Precision::Bf16),
            32 + 6 + 64);
}

TEST(VectorModel, LanesTimesOpCostPlusPipeline) {
  VectorEngineConfig vector;
  vector.lanes = 32;
  vector.pipelineCycles = 4;
  vector.opCycles.unary[unsigned(UnaryKind::Exp)] = 4;
  vector.opCycles.binary[unsigned(BinaryKind::Add)] = 1;
  Command exp;
  exp.kind = CommandKind::VectorUnary;
  exp.opKind = uint8_t(UnaryKind::Exp);
  EXPECT_EQ(getVectorCycles(vector, exp, 1000), 32 * 4 + 4);
  Command add;
  add.kind = CommandKind::VectorBinary;
  add.opKind = uint8_t(BinaryKind::Add);
  EXPECT_EQ(getVectorCycles(vector, add, 64), 2 + 4);
}

TEST(AccessModel, RunsOfStridedViews) {
  // A 16x32 bf16 tile of a 16x256 matrix: 16 runs of 64 bytes, 512 apart.
  View tile = View::dram(0, 0, DType::BF16, {16, 32}, {256, 1});
  AccessPattern pattern = getAccessPattern(tile);
  EXPECT_EQ(pattern.runs, 16);
  EXPECT_EQ(pattern.runBytes, 64);
  EXPECT_EQ(pattern.runStrideBytes, 512);
  // A contiguous view is one run.
  pattern = getAccessPattern(View::dram(0, 0, DType::F32, {4, 8, 16}));
  EXPECT_EQ(pattern.runs, 1);
  EXPECT_EQ(pattern.runBytes, 4 * 8 * 16 * 4);
  // A transposing view moves one element per run.
  pattern = getAccessPattern(View::dram(0, 0, DType::F32, {8, 4}, {1, 8}));
  EXPECT_EQ(pattern.runs, 32);
  EXPECT_EQ(pattern.runBytes, 4);
}

TEST(AccessModel, TransferUnitsAndUnalignedPenalties) {
  DramConfig dram;
  dram.transferBytes = 64;
  dram.unalignedReadPenalty = 2;
  dram.unalignedWritePenalty = 50;
  dram.rowBytes = 1 << 20;
  // 100 contiguous bytes at an aligned address: 1 full unit + 1 partial.
  View view = View::dram(0, 0, DType::I8, {100});
  EXPECT_DOUBLE_EQ(getDramCost(dram, view, 0, false).channelBytes, 64 + 64 * 2);
  EXPECT_DOUBLE_EQ(getDramCost(dram, view, 0, true).channelBytes, 64 + 64 * 50);
  // 128 aligned bytes: two full units, no penalty.
  View aligned = View::dram(0, 0, DType::I8, {128});
  EXPECT_DOUBLE_EQ(getDramCost(dram, aligned, 0, false).channelBytes, 128);
  // The same 128 bytes starting at byte 32 touch three units, two partial.
  EXPECT_DOUBLE_EQ(getDramCost(dram, aligned, 32, false).channelBytes,
                   64 + 2 * 64 * 2);
  // 8 runs of 64 bytes, 256 apart, aligned: 8 full units.
  View strided = View::dram(0, 0, DType::I8, {8, 64}, {256, 1});
  EXPECT_DOUBLE_EQ(getDramCost(dram, strided, 0, false).channelBytes, 512);
}

TEST(AccessModel, RowSwitchesOfShortStridedRuns) {
  DramConfig dram;
  dram.transferBytes = 64;
  dram.rowBytes = 1024;
  dram.rowSwitchCycles = 40;
  dram.bytesPerCyclePerChannel = 32;
  // 16 runs of 64 bytes, 4 KiB apart: each opens a row (40 cycles x 32 B).
  View column = View::dram(0, 0, DType::F32, {16, 16}, {1024, 1});
  DramCost cost = getDramCost(dram, column, 0, false);
  EXPECT_EQ(cost.rowSwitches, 16);
  EXPECT_DOUBLE_EQ(cost.channelBytes, 16 * 64 + 16 * 40 * 32);
  // Sequential streams hide row activations.
  EXPECT_EQ(getDramCost(dram, View::dram(0, 0, DType::F32, {4096}), 0, false)
                .rowSwitches,
            0);
}

} // namespace
