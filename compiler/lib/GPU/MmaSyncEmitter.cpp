//===- MmaSyncEmitter.cpp - tensor-core GEMMs with mma.sync (sm_80+) ------===//
//
// A block computes a BM x BN tile of C. K is walked in BK steps through a
// multi-stage ring of shared-memory tiles filled by cp.async
// (nvgpu.device_async_copy, zero-filling past the edges), so the loads of
// the next `stages - 1` steps overlap the math of the current one. Each warp
// owns a WM x WN sub-tile held in mma.sync accumulators; its operand
// fragments come from shared memory through ldmatrix (transposed where the
// operand is stored MN-major), padded rows keep ldmatrix free of bank
// conflicts. The epilogue applies the fused elementwise ops to each
// accumulator and stores it.
//
// Per k-step (after the prologue has issued stages-1 tiles):
//   cp.async.wait_group(stages-2); bar.sync      // tile kt has landed
//   issue tile kt+stages-1 into the slot tile kt-1 used; commit group
//   for kk: ldmatrix A, B fragments; mma.sync m16n8k16 (m16n8k8 for tf32)
//
//===----------------------------------------------------------------------===//

#include "ContractionAnalysis.h"
#include "Emitters.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;

namespace gaon::gpu {

namespace {

/// Block, warp and pipeline shape of one mma.sync kernel.
struct MmaTileConfig {
  int64_t bm, bn, bk;
  int64_t warpsM, warpsN;
  int64_t stages;

  int64_t warpTileM() const { return bm / warpsM; }
  int64_t warpTileN() const { return bn / warpsN; }
  int64_t threads() const { return warpsM * warpsN * 32; }
};

/// Shared-memory tile of one operand: [stages][rows][cols + pad].
struct SmemTile {
  int64_t rows, cols, pad;
  int64_t pitch() const { return cols + pad; }
  int64_t elemsPerStage() const { return rows * pitch(); }
};

/// Picks the block tile with the lowest estimated time: the blocks one SM
/// runs (whole waves of as many as fit at once) times the work of a tile,
/// scaled by how far its operand reuse (bm*bn / (bm+bn); 64 for 128x128)
/// falls short of keeping the tensor cores fed.
static MmaTileConfig chooseConfig(const GemmProblem &problem,
                                  const EmitOptions &options,
                                  int64_t elemBytes) {
  // {bm, bn, warpsM, warpsN}, largest first.
  static const int64_t candidates[][4] = {{128, 128, 2, 2}, {128, 64, 2, 2},
                                          {64, 128, 2, 2},  {64, 64, 2, 2},
                                          {32, 64, 1, 2},   {16, 64, 1, 2}};
  int64_t m = problem.m.size(), n = problem.n.size();
  int64_t bk = 64 / elemBytes;
  int64_t smemPerSM = options.isHopper() ? 228 * 1024 : 164 * 1024;
  const int64_t *best = nullptr;
  double bestScore = 0;
  for (const auto &c : candidates) {
    int64_t bm = c[0], bn = c[1], threads = c[2] * c[3] * 32;
    int64_t stages =
        options.stages ? options.stages : (bm * bn >= 128 * 64 ? 3 : 4);
    int64_t smem = stages * (bm + bn) * (bk + 16 / elemBytes) * elemBytes;
    // Accumulators (one f32 register per element of the warp tile, spread
    // over 32 lanes) plus fragments and addressing.
    int64_t regs = (bm / c[2]) * (bn / c[3]) / 32 + 64;
    int64_t perSM =
        std::min({smemPerSM / smem, int64_t(65536) / (regs * threads),
                  int64_t(2048) / threads, int64_t(32)});
    if (perSM < 1)
      continue;
    int64_t tiles = problem.numBatches() * llvm::divideCeil(m, bm) *
                    llvm::divideCeil(n, bn);
    int64_t waves = llvm::divideCeil(tiles, options.numSMs * perSM);
    int64_t concurrent =
        std::min<int64_t>(perSM, llvm::divideCeil(tiles, options.numSMs));
    double reuse = double(bm * bn) / double(bm + bn);
    double score = double(waves * concurrent) * double(bm * bn) *
                   std::max(1.0, 64.0 / reuse);
    if (!best || score < bestScore) {
      best = c;
      bestScore = score;
    }
  }
  MmaTileConfig config;
  config.bm = best[0];
  config.bn = best[1];
  config.warpsM = best[2];
  config.warpsN = best[3];
  // 64 bytes of K per stage: 32 bf16/f16 or 16 tf32 elements.
  config.bk = bk;
  config.stages = options.stages ? options.stages
                                 : (config.bm * config.bn >= 128 * 64 ? 3 : 4);
  return config;
}

/// Emits the kernel for one analysed problem.
class MmaSyncBuilder {
public:
  MmaSyncBuilder(const GemmProblem &problem, const MmaTileConfig &config,
                 int64_t copyElems)
      : problem(problem), config(config), copyElems(copyElems) {
    elemType = problem.inputType;
    elemBytes = elemType.getIntOrFloatBitWidth() / 8;
    tf32 = elemType.isF32();
    kStep = tf32 ? 8 : 16;
    int64_t pad = 16 / elemBytes;
    tileA = problem.a.major == Major::K ? SmemTile{config.bm, config.bk, pad}
                                        : SmemTile{config.bk, config.bm, pad};
    tileB = problem.b.major == Major::K ? SmemTile{config.bn, config.bk, pad}
                                        : SmemTile{config.bk, config.bn, pad};
  }

  int64_t smemBytes() const {
    return config.stages * (tileA.elemsPerStage() + tileB.elemsPerStage()) *
           elemBytes;
  }

  void build(OpBuilder &b, Location loc);

private:
  SmallVector<Value> issueTileLoads(OpBuilder &b, Location loc, bool isA,
                                    Value stage, Value kTile);
  Value loadFragmentA(OpBuilder &b, Location loc, Value smem, Value stage,
                      int64_t i, int64_t kk);
  std::pair<Value, Value> loadFragmentsB(OpBuilder &b, Location loc, Value smem,
                                         Value stage, int64_t jp, int64_t kk);
  Value loadFragmentB(OpBuilder &b, Location loc, Value smem, Value stage,
                      int64_t j, int64_t kk);
  Value c(OpBuilder &b, Location loc, int64_t v) {
    return indexConstant(b, loc, v);
  }
  Value add(OpBuilder &b, Location loc, Value x, Value y) {
    return arith::AddIOp::create(b, loc, x, y);
  }
  Value mul(OpBuilder &b, Location loc, Value x, int64_t y) {
    return arith::MulIOp::create(b, loc, x, c(b, loc, y));
  }

  const GemmProblem &problem;
  MmaTileConfig config;
  int64_t copyElems;
  Type elemType;
  int64_t elemBytes;
  bool tf32;
  int64_t kStep;
  SmemTile tileA, tileB;

  Value tid, lane, warpM, warpN, m0, n0;
  SmallVector<Value> batchIndices;
  Value smemA, smemB;
};

} // namespace

SmallVector<Value> MmaSyncBuilder::issueTileLoads(OpBuilder &b, Location loc,
                                                  bool isA, Value stage,
                                                  Value kTile) {
  const GemmOperand &operand = isA ? problem.a : problem.b;
  const SmemTile &tile = isA ? tileA : tileB;
  Value smem = isA ? smemA : smemB;
  int64_t mnSize = isA ? problem.m.size() : problem.n.size();
  int64_t kSize = problem.k.size();
  Value mnBase = isA ? m0 : n0;
  Value k0 = mul(b, loc, kTile, config.bk);

  int64_t chunksPerRow = tile.cols / copyElems;
  int64_t chunks = tile.rows * chunksPerRow;
  int64_t threads = config.threads();
  SmallVector<Value> tokens;
  for (int64_t first = 0; first < chunks; first += threads) {
    Value chunk = add(b, loc, tid, c(b, loc, first));
    auto emitCopy = [&](OpBuilder &nb, Location nloc) {
      Value row =
          arith::DivUIOp::create(nb, nloc, chunk, c(nb, nloc, chunksPerRow));
      Value col = arith::MulIOp::create(
          nb, nloc,
          arith::RemUIOp::create(nb, nloc, chunk, c(nb, nloc, chunksPerRow)),
          c(nb, nloc, copyElems));
      // Rows of the tile run along K or M/N depending on the layout.
      bool kMajor = operand.major == Major::K;
      Value kIdx = add(nb, nloc, k0, kMajor ? col : row);
      Value mnIdx = add(nb, nloc, mnBase, kMajor ? row : col);
      auto lessThan = [&](Value v, int64_t bound) {
        return arith::CmpIOp::create(nb, nloc, arith::CmpIPredicate::ult, v,
                                     c(nb, nloc, bound));
      };
      Value valid = arith::AndIOp::create(nb, nloc, lessThan(kIdx, kSize),
                                          lessThan(mnIdx, mnSize));
      // Out-of-range chunks copy nothing (and zero-fill) from a clamped,
      // valid address.
      Value kLast = c(nb, nloc, kMajor ? kSize - copyElems : kSize - 1);
      Value mnLast = c(nb, nloc, kMajor ? mnSize - 1 : mnSize - copyElems);
      Value kClamped = arith::MinUIOp::create(nb, nloc, kIdx, kLast);
      Value mnClamped = arith::MinUIOp::create(nb, nloc, mnIdx, mnLast);
      SmallVector<Value> loops =
          isA ? buildLoopIndices(nb, nloc, problem, batchIndices, mnClamped,
                                 Value(), kClamped)
              : buildLoopIndices(nb, nloc, problem, batchIndices, Value(),
                                 mnClamped, kClamped);
      SmallVector<Value> srcIndices = applyMap(nb, nloc, operand.map, loops);
      Value srcElems = arith::SelectOp::create(
          nb, nloc, valid, c(nb, nloc, copyElems), c(nb, nloc, 0));
      UnitAttr bypassL1 =
          copyElems * elemBytes == 16 ? nb.getUnitAttr() : UnitAttr();
      return nvgpu::DeviceAsyncCopyOp::create(
          nb, nloc, smem, ValueRange{stage, row, col}, operand.buffer,
          srcIndices, nb.getIndexAttr(copyElems), srcElems, bypassL1);
    };
    if (first + threads <= chunks) {
      tokens.push_back(emitCopy(b, loc));
      continue;
    }
    // The last round covers only part of the tile.
    Value inTile = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                         chunk, c(b, loc, chunks));
    auto ifOp = scf::IfOp::create(b, loc, inTile, /*withElseRegion=*/false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&ifOp.getThenRegion().front());
    emitCopy(b, loc);
  }
  return tokens;
}

Value MmaSyncBuilder::loadFragmentA(OpBuilder &b, Location loc, Value smem,
                                    Value stage, int64_t i, int64_t kk) {
  Value mBase =
      add(b, loc, mul(b, loc, warpM, config.warpTileM()), c(b, loc, i * 16));
  if (tf32) {
    // m16n8k8 A: a0 (g, t), a1 (g+8, t), a2 (g, t+4), a3 (g+8, t+4).
    Value g = arith::DivUIOp::create(b, loc, lane, c(b, loc, 4));
    Value t = arith::RemUIOp::create(b, loc, lane, c(b, loc, 4));
    SmallVector<Value> elems;
    for (auto [dm, dk] : {std::pair{0, 0}, {8, 0}, {0, 4}, {8, 4}}) {
      Value m = add(b, loc, add(b, loc, mBase, g), c(b, loc, dm));
      Value k = add(b, loc, t, c(b, loc, kk * kStep + dk));
      SmallVector<Value> idx = problem.a.major == Major::K
                                   ? SmallVector<Value>{stage, m, k}
                                   : SmallVector<Value>{stage, k, m};
      elems.push_back(memref::LoadOp::create(b, loc, smem, idx));
    }
    return vector::FromElementsOp::create(
        b, loc, VectorType::get({4, 1}, elemType), elems);
  }
  // ldmatrix.x4: lane l addresses row l%8 of 8x8 matrix l/8; matrices are
  // (m 0-7, k 0-7), (m 8-15, k 0-7), (m 0-7, k 8-15), (m 8-15, k 8-15).
  Value j = arith::DivUIOp::create(b, loc, lane, c(b, loc, 8));
  Value r = arith::RemUIOp::create(b, loc, lane, c(b, loc, 8));
  Value mOff = mul(b, loc, arith::RemUIOp::create(b, loc, j, c(b, loc, 2)), 8);
  Value kOff = mul(b, loc, arith::DivUIOp::create(b, loc, j, c(b, loc, 2)), 8);
  Value kBase = c(b, loc, kk * kStep);
  bool trans = problem.a.major == Major::MN;
  SmallVector<Value> idx;
  if (!trans) // [m][k]: the lane's row is m.
    idx = {stage, add(b, loc, add(b, loc, mBase, mOff), r),
           add(b, loc, kBase, kOff)};
  else // [k][m]: the lane's row is k.
    idx = {stage, add(b, loc, add(b, loc, kBase, kOff), r),
           add(b, loc, mBase, mOff)};
  return nvgpu::LdMatrixOp::create(b, loc, VectorType::get({4, 2}, elemType),
                                   smem, idx, trans, 4);
}

std::pair<Value, Value> MmaSyncBuilder::loadFragmentsB(OpBuilder &b,
                                                       Location loc, Value smem,
                                                       Value stage, int64_t jp,
                                                       int64_t kk) {
  // ldmatrix.x4 covering two n8 fragments: matrices (k 0-7, n 0-7),
  // (k 8-15, n 0-7), (k 0-7, n 8-15), (k 8-15, n 8-15).
  Value nBase =
      add(b, loc, mul(b, loc, warpN, config.warpTileN()), c(b, loc, jp * 16));
  Value j = arith::DivUIOp::create(b, loc, lane, c(b, loc, 8));
  Value r = arith::RemUIOp::create(b, loc, lane, c(b, loc, 8));
  Value kOff = mul(b, loc, arith::RemUIOp::create(b, loc, j, c(b, loc, 2)), 8);
  Value nOff = mul(b, loc, arith::DivUIOp::create(b, loc, j, c(b, loc, 2)), 8);
  Value kBase = c(b, loc, kk * kStep);
  bool trans = problem.b.major == Major::MN;
  SmallVector<Value> idx;
  if (trans) // [k][n]: the lane's row is k.
    idx = {stage, add(b, loc, add(b, loc, kBase, kOff), r),
           add(b, loc, nBase, nOff)};
  else // [n][k]: the lane's row is n.
    idx = {stage, add(b, loc, add(b, loc, nBase, nOff), r),
           add(b, loc, kBase, kOff)};
  Value both = nvgpu::LdMatrixOp::create(
      b, loc, VectorType::get({4, 2}, elemType), smem, idx, trans, 4);
  // Rows (2r, 2r+1) of the x4 result form the fragment of n8 tile r.
  Type fragType = VectorType::get({2, 2}, elemType);
  auto half = [&](int64_t row) -> Value {
    Value frag = arith::ConstantOp::create(
        b, loc, fragType,
        DenseElementsAttr::get(cast<ShapedType>(fragType),
                               b.getZeroAttr(elemType)));
    for (int64_t r = 0; r < 2; ++r)
      frag = vector::InsertOp::create(
          b, loc, vector::ExtractOp::create(b, loc, both, row + r), frag, r);
    return frag;
  };
  return {half(0), half(2)};
}

Value MmaSyncBuilder::loadFragmentB(OpBuilder &b, Location loc, Value smem,
                                    Value stage, int64_t j, int64_t kk) {
  // tf32 m16n8k8 B: b0 (k = t, n = g), b1 (k = t + 4, n = g).
  Value g = arith::DivUIOp::create(b, loc, lane, c(b, loc, 4));
  Value t = arith::RemUIOp::create(b, loc, lane, c(b, loc, 4));
  Value n = add(
      b, loc,
      add(b, loc, mul(b, loc, warpN, config.warpTileN()), c(b, loc, j * 8)), g);
  SmallVector<Value> elems;
  for (int64_t dk : {0, 4}) {
    Value k = add(b, loc, t, c(b, loc, kk * kStep + dk));
    SmallVector<Value> idx = problem.b.major == Major::K
                                 ? SmallVector<Value>{stage, n, k}
                                 : SmallVector<Value>{stage, k, n};
    elems.push_back(memref::LoadOp::create(b, loc, smem, idx));
  }
  return vector::FromElementsOp::create(
      b, loc, VectorType::get({2, 1}, elemType), elems);
}

void MmaSyncBuilder::build(OpBuilder &b, Location loc) {
  int64_t m = problem.m.size(), n = problem.n.size(), k = problem.k.size();
  int64_t gridX = llvm::divideCeil(n, config.bn);
  int64_t gridY = llvm::divideCeil(m, config.bm);
  int64_t gridZ = problem.numBatches();
  mlir::gpu::LaunchOp launch =
      createLaunch(b, loc, {gridX, gridY, gridZ}, {config.threads(), 1, 1},
                   smemBytes(), "mma_sync");
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&launch.getBody().front());

  tid = mlir::gpu::ThreadIdOp::create(b, loc, mlir::gpu::Dimension::x);
  lane = arith::RemUIOp::create(b, loc, tid, c(b, loc, 32));
  Value warp = arith::DivUIOp::create(b, loc, tid, c(b, loc, 32));
  warpM = arith::DivUIOp::create(b, loc, warp, c(b, loc, config.warpsN));
  warpN = arith::RemUIOp::create(b, loc, warp, c(b, loc, config.warpsN));
  Value bx = mlir::gpu::BlockIdOp::create(b, loc, mlir::gpu::Dimension::x);
  Value by = mlir::gpu::BlockIdOp::create(b, loc, mlir::gpu::Dimension::y);
  Value bz = mlir::gpu::BlockIdOp::create(b, loc, mlir::gpu::Dimension::z);
  n0 = mul(b, loc, bx, config.bn);
  m0 = mul(b, loc, by, config.bm);
  batchIndices = delinearize(b, loc, bz, problem.batch.sizes);

  // The stage rings of A and B in dynamic shared memory.
  auto workgroup = mlir::gpu::AddressSpaceAttr::get(
      b.getContext(), mlir::gpu::AddressSpace::Workgroup);
  Value smem = mlir::gpu::DynamicSharedMemoryOp::create(
      b, loc,
      MemRefType::get({ShapedType::kDynamic}, b.getI8Type(), AffineMap(),
                      workgroup));
  auto ringType = [&](const SmemTile &tile) {
    return MemRefType::get({config.stages, tile.rows, tile.pitch()}, elemType,
                           AffineMap(), workgroup);
  };
  smemA = memref::ViewOp::create(b, loc, ringType(tileA), smem, c(b, loc, 0),
                                 ValueRange{});
  smemB = memref::ViewOp::create(
      b, loc, ringType(tileB), smem,
      c(b, loc, config.stages * tileA.elemsPerStage() * elemBytes),
      ValueRange{});

  auto issueStage = [&](OpBuilder &nb, Location nloc, Value stage,
                        Value kTile) -> Value {
    SmallVector<Value> tokens = issueTileLoads(nb, nloc, true, stage, kTile);
    tokens.append(issueTileLoads(nb, nloc, false, stage, kTile));
    return nvgpu::DeviceAsyncCreateGroupOp::create(
        nb, nloc, nvgpu::DeviceAsyncTokenType::get(nb.getContext()), tokens);
  };

  // Prologue: tiles 0 .. stages-2.
  Value token;
  for (int64_t s = 0; s < config.stages - 1; ++s)
    token = issueStage(b, loc, c(b, loc, s), c(b, loc, s));

  int64_t fragsM = config.warpTileM() / 16, fragsN = config.warpTileN() / 8;
  Type accType = VectorType::get({2, 2}, b.getF32Type());
  Value zeroAcc = arith::ConstantOp::create(
      b, loc, accType,
      DenseElementsAttr::get(cast<ShapedType>(accType),
                             b.getF32FloatAttr(0.0f)));
  SmallVector<Value> inits(fragsM * fragsN, zeroAcc);
  inits.push_back(token);
  int64_t numK = llvm::divideCeil(k, config.bk);
  auto loop = scf::ForOp::create(
      b, loc, c(b, loc, 0), c(b, loc, numK), c(b, loc, 1), inits,
      [&](OpBuilder &nb, Location nloc, Value kt, ValueRange iterArgs) {
        // Tile kt has landed once at most stages-2 groups are in flight.
        nvgpu::DeviceAsyncWaitOp::create(
            nb, nloc, iterArgs.back(), nb.getI32IntegerAttr(config.stages - 2));
        mlir::gpu::BarrierOp::create(nb, nloc);
        // Refill the slot the previous step read.
        Value next = add(nb, nloc, kt, c(nb, nloc, config.stages - 1));
        Value nextStage =
            arith::RemUIOp::create(nb, nloc, next, c(nb, nloc, config.stages));
        Value nextToken = issueStage(nb, nloc, nextStage, next);

        Value stage =
            arith::RemUIOp::create(nb, nloc, kt, c(nb, nloc, config.stages));
        SmallVector<Value> accs(iterArgs.drop_back());
        for (int64_t kk = 0; kk < config.bk / kStep; ++kk) {
          SmallVector<Value> fragA, fragB;
          for (int64_t i = 0; i < fragsM; ++i)
            fragA.push_back(loadFragmentA(nb, nloc, smemA, stage, i, kk));
          if (tf32) {
            for (int64_t j = 0; j < fragsN; ++j)
              fragB.push_back(loadFragmentB(nb, nloc, smemB, stage, j, kk));
          } else {
            for (int64_t jp = 0; jp < fragsN / 2; ++jp) {
              auto [lo, hi] = loadFragmentsB(nb, nloc, smemB, stage, jp, kk);
              fragB.push_back(lo);
              fragB.push_back(hi);
            }
          }
          for (int64_t i = 0; i < fragsM; ++i)
            for (int64_t j = 0; j < fragsN; ++j) {
              Value &acc = accs[i * fragsN + j];
              acc = nvgpu::MmaSyncOp::create(nb, nloc, fragA[i], fragB[j], acc,
                                             ArrayRef<int64_t>{16, 8, kStep},
                                             tf32);
            }
        }
        accs.push_back(nextToken);
        scf::YieldOp::create(nb, nloc, accs);
      });
  // Drain the (empty) groups still in flight.
  nvgpu::DeviceAsyncWaitOp::create(b, loc, loop.getResults().back(),
                                   b.getI32IntegerAttr(0));

  // Epilogue: accumulator element (r, e) of fragment (i, j) is C[row, col]
  // with row = g + 8r, col = 2t + e inside the fragment.
  Value g = arith::DivUIOp::create(b, loc, lane, c(b, loc, 4));
  Value t2 = mul(b, loc, arith::RemUIOp::create(b, loc, lane, c(b, loc, 4)), 2);
  Value warpRow = add(b, loc, m0, mul(b, loc, warpM, config.warpTileM()));
  Value warpCol = add(b, loc, n0, mul(b, loc, warpN, config.warpTileN()));
  for (int64_t i = 0; i < fragsM; ++i) {
    for (int64_t j = 0; j < fragsN; ++j) {
      Value acc = loop.getResult(i * fragsN + j);
      for (int64_t r = 0; r < 2; ++r) {
        Value row =
            add(b, loc, add(b, loc, warpRow, g), c(b, loc, i * 16 + r * 8));
        for (int64_t e = 0; e < 2; ++e) {
          Value col =
              add(b, loc, add(b, loc, warpCol, t2), c(b, loc, j * 8 + e));
          Value inBounds = arith::AndIOp::create(
              b, loc,
              arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, row,
                                    c(b, loc, m)),
              arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, col,
                                    c(b, loc, n)));
          auto ifOp =
              scf::IfOp::create(b, loc, inBounds, /*withElseRegion=*/false);
          OpBuilder::InsertionGuard inner(b);
          b.setInsertionPointToStart(&ifOp.getThenRegion().front());
          Value value =
              vector::ExtractOp::create(b, loc, acc, ArrayRef<int64_t>{r, e});
          emitEpilogueStore(b, loc, problem, batchIndices, row, col, value);
        }
      }
    }
  }
}

FailureOr<EmitStatus> emitMmaSyncKernel(func::FuncOp kernel,
                                        const EmitOptions &options,
                                        std::string &whyNot) {
  if (failed(verifyOneWriterPerBuffer(kernel)))
    return failure();
  std::optional<GemmProblem> problem = analyzeGemm(kernel, whyNot);
  if (!problem)
    return EmitStatus::NotApplicable;
  Type elem = problem->inputType;
  if (!elem.isBF16() && !elem.isF16() && !(elem.isF32() && options.allowTf32)) {
    whyNot = elem.isF32() ? "f32 operands and allow-tf32=false"
                          : "operand type has no mma.sync kernel";
    return EmitStatus::NotApplicable;
  }
  Type result = problem->resultType;
  if (!result.isF32() && !result.isBF16() && !result.isF16()) {
    whyNot = "result type is not a float";
    return EmitStatus::NotApplicable;
  }
  int64_t copyElems = chooseCopyElems(*problem, {16, 8, 4});
  if (!copyElems) {
    whyNot = "the contiguous operand extents are not multiples of 4 bytes "
             "(cp.async needs 4, 8 or 16-byte chunks)";
    return EmitStatus::NotApplicable;
  }
  int64_t elemBytes = elem.getIntOrFloatBitWidth() / 8;
  MmaTileConfig config = chooseConfig(*problem, options, elemBytes);
  MmaSyncBuilder builder(*problem, config, copyElems);
  // A100 and H100 allow 163 KiB and 227 KiB of shared memory per block.
  int64_t smemLimit = options.isHopper() ? 227 * 1024 : 163 * 1024;
  if (builder.smemBytes() > smemLimit) {
    whyNot = "the pipeline needs " + std::to_string(builder.smemBytes()) +
             " bytes of shared memory";
    return EmitStatus::NotApplicable;
  }
  OpBuilder b(kernel.getBody().front().getTerminator());
  builder.build(b, problem->contraction.getLoc());
  eraseComputedOps(kernel);
  LaunchRecord record;
  record.templateName = "mma_sync";
  record.flops = getKernelFlops(kernel);
  record.bytes = getKernelBytes(kernel);
  record.gemm = {problem->numBatches(), problem->m.size(), problem->n.size(),
                 problem->k.size()};
  record.operandType = elem;
  record.tile = {config.bm, config.bn, config.bk};
  record.stages = config.stages;
  recordLaunch(kernel, record);
  return EmitStatus::Emitted;
}

} // namespace gaon::gpu
