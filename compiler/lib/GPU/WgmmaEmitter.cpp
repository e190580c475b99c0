//===- WgmmaEmitter.cpp - tensor-core GEMMs with TMA + wgmma (sm_90a) -----===//
//
// One warpgroup (128 threads) computes a BM x BN tile of C (BM, BN in
// {64, 128}) in wgmma accumulators. K is walked in steps of 64 elements
// (128 bytes: one 128B-swizzled row) through a ring of `stages`
// shared-memory slots filled by TMA: for each step, thread 0 arms the slot's
// mbarrier with the byte count and issues one TMA load of A's [BM x 64] box
// and BN/64 loads of B's [64 x 64] boxes; the warpgroup waits on the
// mbarrier's phase, builds wgmma descriptors on the swizzled tiles and runs
// nvgpu.warpgroup.mma (which waits for the previous step's wgmma group). A
// block-wide barrier then frees the slot of the previous step for the load
// `stages - 1` steps ahead. TMA zero-fills past the tensor's edges. The
// accumulators go to shared memory (nvgpu.warpgroup.mma.store) and the
// fused epilogue stores them to global memory row by row.
//
// The host side creates one TMA descriptor per operand
// (nvgpu.tma.create.descriptor on a 2-D view: batch dims folded into rows)
// and passes it to the kernel as a pointer; the launch plan records it as a
// tensor-map argument for the runtime to encode.
//
// Requirements (else the mma.sync kernel is used): bf16/f16 operands, A
// K-major and B N-major (row-major A[.., M, K], B[.., K, N]), batch dims
// outermost in order, K and N multiples of 8 (16-byte TMA strides), K a
// multiple of 64 when B is batched (so B's rows never run into the next
// batch).
//
//===----------------------------------------------------------------------===//

#include "ContractionAnalysis.h"
#include "Emitters.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;

namespace gaon::gpu {

namespace {

/// K elements per step: one 128-byte swizzled row of 16-bit values.
static constexpr int64_t kWgmmaStepK = 64;
/// Width of one TMA box of B (128 bytes of 16-bit values).
static constexpr int64_t kBoxN = 64;
/// Alignment the 128B swizzle pattern repeats with.
static constexpr int64_t kSwizzleAlign = 1024;

/// The batch loops of `operand`, if its map is (batch..., row, col) with
/// `row` and `col` the given loops and the batch loops in problem order.
static std::optional<SmallVector<unsigned>>
getOperandBatchLoops(const GemmOperand &operand, const GemmProblem &problem,
                     unsigned row, unsigned col) {
  ArrayRef<AffineExpr> results = operand.map.getResults();
  if (results.size() < 2)
    return std::nullopt;
  SmallVector<unsigned> batch;
  for (AffineExpr expr : results.drop_back(2)) {
    auto dim = dyn_cast<AffineDimExpr>(expr);
    if (!dim || !llvm::is_contained(problem.batch.loops, dim.getPosition()))
      return std::nullopt;
    if (!batch.empty() && dim.getPosition() <= batch.back())
      return std::nullopt;
    batch.push_back(dim.getPosition());
  }
  auto r = dyn_cast<AffineDimExpr>(results[results.size() - 2]);
  auto c = dyn_cast<AffineDimExpr>(results.back());
  if (!r || !c || r.getPosition() != row || c.getPosition() != col)
    return std::nullopt;
  return batch;
}

class WgmmaBuilder {
public:
  WgmmaBuilder(const GemmProblem &problem, SmallVector<unsigned> batchA,
               SmallVector<unsigned> batchB, int64_t bm, int64_t bn,
               int64_t stages)
      : problem(problem), batchA(std::move(batchA)), batchB(std::move(batchB)),
        bm(bm), bn(bn), stages(stages) {
    elemType = problem.inputType;
  }

  int64_t tileBytesA() const { return bm * kWgmmaStepK * 2; }
  int64_t tileBytesB() const { return kWgmmaStepK * bn * 2; }
  int64_t smemBytes() const {
    int64_t ring = stages * (tileBytesA() + tileBytesB());
    return std::max(ring, bm * bn * 4) + kSwizzleAlign;
  }

  void build(OpBuilder &b, Location loc);

private:
  Value createDescriptor(OpBuilder &b, Location loc, Value buffer,
                         ArrayRef<int64_t> box,
                         nvgpu::TensorMapDescriptorType type);
  Value linearBatch(OpBuilder &b, Location loc, ArrayRef<unsigned> loops);
  Value c(OpBuilder &b, Location loc, int64_t v) {
    return indexConstant(b, loc, v);
  }

  const GemmProblem &problem;
  SmallVector<unsigned> batchA, batchB;
  int64_t bm, bn, stages;
  Type elemType;
  SmallVector<Value> batchIndices;
};

} // namespace

Value WgmmaBuilder::createDescriptor(OpBuilder &b, Location loc, Value buffer,
                                     ArrayRef<int64_t> box,
                                     nvgpu::TensorMapDescriptorType type) {
  // A 2-D view: every dim but the innermost folded into rows.
  auto memrefType = cast<MemRefType>(buffer.getType());
  Value view = buffer;
  if (memrefType.getRank() > 2) {
    ReassociationIndices rows;
    for (int64_t i = 0; i + 1 < memrefType.getRank(); ++i)
      rows.push_back(i);
    view = memref::CollapseShapeOp::create(
        b, loc, buffer,
        SmallVector<ReassociationIndices>{rows, {memrefType.getRank() - 1}});
  }
  Value unranked = memref::CastOp::create(
      b, loc, UnrankedMemRefType::get(elemType, memrefType.getMemorySpace()),
      view);
  SmallVector<Value> boxValues;
  for (int64_t d : box)
    boxValues.push_back(c(b, loc, d));
  Value descriptor =
      nvgpu::TmaCreateDescriptorOp::create(b, loc, type, unranked, boxValues);
  // Passed to the kernel as the pointer it lowers to.
  return UnrealizedConversionCastOp::create(
             b, loc, LLVM::LLVMPointerType::get(b.getContext()), descriptor)
      .getResult(0);
}

Value WgmmaBuilder::linearBatch(OpBuilder &b, Location loc,
                                ArrayRef<unsigned> loops) {
  Value linear = c(b, loc, 0);
  for (unsigned loop : loops) {
    auto pos =
        llvm::find(problem.batch.loops, loop) - problem.batch.loops.begin();
    linear = arith::AddIOp::create(
        b, loc,
        arith::MulIOp::create(b, loc, linear,
                              c(b, loc, problem.batch.sizes[pos])),
        batchIndices[pos]);
  }
  return linear;
}

void WgmmaBuilder::build(OpBuilder &b, Location loc) {
  MLIRContext *ctx = b.getContext();
  int64_t m = problem.m.size(), n = problem.n.size(), k = problem.k.size();
  auto workgroup =
      mlir::gpu::AddressSpaceAttr::get(ctx, mlir::gpu::AddressSpace::Workgroup);
  auto smemType = [&](ArrayRef<int64_t> shape, Type elem) {
    return MemRefType::get(shape, elem, AffineMap(), workgroup);
  };
  auto tmaType = [&](ArrayRef<int64_t> box) {
    return nvgpu::TensorMapDescriptorType::get(
        ctx, smemType(box, elemType), nvgpu::TensorMapSwizzleKind::SWIZZLE_128B,
        nvgpu::TensorMapL2PromoKind::L2PROMO_256B,
        nvgpu::TensorMapOOBKind::OOB_ZERO,
        nvgpu::TensorMapInterleaveKind::INTERLEAVE_NONE);
  };
  nvgpu::TensorMapDescriptorType typeA = tmaType({bm, kWgmmaStepK});
  nvgpu::TensorMapDescriptorType typeB = tmaType({kWgmmaStepK, kBoxN});

  // Host side: the two TMA descriptors.
  Value ptrA =
      createDescriptor(b, loc, problem.a.buffer, {bm, kWgmmaStepK}, typeA);
  Value ptrB =
      createDescriptor(b, loc, problem.b.buffer, {kWgmmaStepK, kBoxN}, typeB);

  int64_t threads = 128;
  mlir::gpu::LaunchOp launch = createLaunch(
      b, loc,
      {llvm::divideCeil(n, bn), llvm::divideCeil(m, bm), problem.numBatches()},
      {threads, 1, 1}, smemBytes(), "wgmma");
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&launch.getBody().front());

  Value descA =
      UnrealizedConversionCastOp::create(b, loc, typeA, ptrA).getResult(0);
  Value descB =
      UnrealizedConversionCastOp::create(b, loc, typeB, ptrB).getResult(0);
  Value tid = mlir::gpu::ThreadIdOp::create(b, loc, mlir::gpu::Dimension::x);
  Value leader = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, tid,
                                       c(b, loc, 0));
  Value bx = mlir::gpu::BlockIdOp::create(b, loc, mlir::gpu::Dimension::x);
  Value by = mlir::gpu::BlockIdOp::create(b, loc, mlir::gpu::Dimension::y);
  Value bz = mlir::gpu::BlockIdOp::create(b, loc, mlir::gpu::Dimension::z);
  Value n0 = arith::MulIOp::create(b, loc, bx, c(b, loc, bn));
  Value m0 = arith::MulIOp::create(b, loc, by, c(b, loc, bm));
  batchIndices = delinearize(b, loc, bz, problem.batch.sizes);
  // Rows of the 2-D views where this block's A tile and B panel start.
  Value rowA = arith::AddIOp::create(
      b, loc,
      arith::MulIOp::create(b, loc, linearBatch(b, loc, batchA), c(b, loc, m)),
      m0);
  Value rowB =
      arith::MulIOp::create(b, loc, linearBatch(b, loc, batchB), c(b, loc, k));

  // Dynamic shared memory, aligned to the swizzle pattern.
  Value raw = mlir::gpu::DynamicSharedMemoryOp::create(
      b, loc, smemType({ShapedType::kDynamic}, b.getI8Type()));
  Value address = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, raw);
  Value misalign =
      arith::RemUIOp::create(b, loc, address, c(b, loc, kSwizzleAlign));
  Value base = arith::RemUIOp::create(
      b, loc, arith::SubIOp::create(b, loc, c(b, loc, kSwizzleAlign), misalign),
      c(b, loc, kSwizzleAlign));
  auto view = [&](OpBuilder &nb, Location nloc, Value byteOffset,
                  MemRefType type) -> Value {
    return memref::ViewOp::create(
        nb, nloc, type, raw, arith::AddIOp::create(nb, nloc, base, byteOffset),
        ValueRange{});
  };
  auto offsetA = [&](OpBuilder &nb, Location nloc, Value slot) -> Value {
    return arith::MulIOp::create(nb, nloc, slot, c(nb, nloc, tileBytesA()));
  };
  auto offsetB = [&](OpBuilder &nb, Location nloc, Value slot) -> Value {
    return arith::AddIOp::create(
        nb, nloc, c(nb, nloc, stages * tileBytesA()),
        arith::MulIOp::create(nb, nloc, slot, c(nb, nloc, tileBytesB())));
  };

  // One mbarrier per slot, armed by thread 0.
  auto barrierType = nvgpu::MBarrierGroupType::get(ctx, workgroup, stages);
  Value barriers = nvgpu::MBarrierCreateOp::create(b, loc, barrierType);
  for (int64_t s = 0; s < stages; ++s)
    nvgpu::MBarrierInitOp::create(b, loc, barriers, c(b, loc, 1), c(b, loc, s),
                                  leader);
  mlir::gpu::BarrierOp::create(b, loc);
  nvgpu::TmaPrefetchOp::create(b, loc, descA, leader);
  nvgpu::TmaPrefetchOp::create(b, loc, descB, leader);

  int64_t txBytes = tileBytesA() + tileBytesB();
  auto issueLoads = [&](OpBuilder &nb, Location nloc, Value slot, Value kTile,
                        Value predicate) {
    nvgpu::MBarrierArriveExpectTxOp::create(
        nb, nloc, barriers, c(nb, nloc, txBytes), slot, predicate);
    Value k0 = arith::MulIOp::create(nb, nloc, kTile, c(nb, nloc, kWgmmaStepK));
    // TMA coordinates run innermost first.
    nvgpu::TmaAsyncLoadOp::create(nb, nloc,
                                  view(nb, nloc, offsetA(nb, nloc, slot),
                                       smemType({bm, kWgmmaStepK}, elemType)),
                                  barriers, descA, ValueRange{k0, rowA}, slot,
                                  Value(), predicate);
    Value kRow = arith::AddIOp::create(nb, nloc, rowB, k0);
    for (int64_t box = 0; box < bn / kBoxN; ++box) {
      Value boxOffset =
          arith::AddIOp::create(nb, nloc, offsetB(nb, nloc, slot),
                                c(nb, nloc, box * kWgmmaStepK * kBoxN * 2));
      Value col = arith::AddIOp::create(nb, nloc, n0, c(nb, nloc, box * kBoxN));
      nvgpu::TmaAsyncLoadOp::create(
          nb, nloc,
          view(nb, nloc, boxOffset, smemType({kWgmmaStepK, kBoxN}, elemType)),
          barriers, descB, ValueRange{col, kRow}, slot, Value(), predicate);
    }
  };

  int64_t numK = llvm::divideCeil(k, kWgmmaStepK);
  for (int64_t s = 0; s < std::min(stages - 1, numK); ++s)
    issueLoads(b, loc, c(b, loc, s), c(b, loc, s), leader);

  auto accType = nvgpu::WarpgroupAccumulatorType::get(
      ctx, VectorType::get({bm, bn}, b.getF32Type()));
  Value acc = nvgpu::WarpgroupMmaInitAccumulatorOp::create(b, loc, accType);
  auto descTypeA = nvgpu::WarpgroupMatrixDescriptorType::get(
      ctx, smemType({bm, kWgmmaStepK}, elemType));
  auto descTypeB = nvgpu::WarpgroupMatrixDescriptorType::get(
      ctx, smemType({kWgmmaStepK, bn}, elemType));
  auto loop = scf::ForOp::create(
      b, loc, c(b, loc, 0), c(b, loc, numK), c(b, loc, 1), ValueRange{acc},
      [&](OpBuilder &nb, Location nloc, Value kt, ValueRange iterArgs) {
        Value slot = arith::RemUIOp::create(nb, nloc, kt, c(nb, nloc, stages));
        // The slot's n-th fill completes mbarrier phase n.
        Value round = arith::DivUIOp::create(nb, nloc, kt, c(nb, nloc, stages));
        Value parity = arith::CmpIOp::create(
            nb, nloc, arith::CmpIPredicate::ne,
            arith::RemUIOp::create(nb, nloc, round, c(nb, nloc, 2)),
            c(nb, nloc, 0));
        nvgpu::MBarrierTryWaitParityOp::create(nb, nloc, barriers, parity,
                                               c(nb, nloc, 10000000), slot);
        Value wgA = nvgpu::WarpgroupGenerateDescriptorOp::create(
            nb, nloc, descTypeA,
            view(nb, nloc, offsetA(nb, nloc, slot),
                 smemType({bm, kWgmmaStepK}, elemType)),
            descA);
        Value wgB = nvgpu::WarpgroupGenerateDescriptorOp::create(
            nb, nloc, descTypeB,
            view(nb, nloc, offsetB(nb, nloc, slot),
                 smemType({kWgmmaStepK, bn}, elemType)),
            descB);
        Value next = nvgpu::WarpgroupMmaOp::create(
            nb, nloc, accType, wgA, wgB, /*waitGroup=*/nullptr,
            /*transposeA=*/nullptr, /*transposeB=*/nb.getUnitAttr(),
            iterArgs[0]);
        // Each warp has retired step kt-1's wgmma (waitGroup 1); after the
        // barrier its slot can be refilled.
        mlir::gpu::BarrierOp::create(nb, nloc);
        Value ahead =
            arith::AddIOp::create(nb, nloc, kt, c(nb, nloc, stages - 1));
        Value inRange = arith::CmpIOp::create(
            nb, nloc, arith::CmpIPredicate::ult, ahead, c(nb, nloc, numK));
        Value predicate = arith::AndIOp::create(nb, nloc, leader, inRange);
        Value aheadSlot =
            arith::RemUIOp::create(nb, nloc, ahead, c(nb, nloc, stages));
        issueLoads(nb, nloc, aheadSlot, ahead, predicate);
        scf::YieldOp::create(nb, nloc, next);
      });
  NVVM::WgmmaWaitGroupSyncOp::create(b, loc, 0);
  mlir::gpu::BarrierOp::create(b, loc);

  // Epilogue: accumulators to shared memory, then row-major to the output.
  Value tileC = view(b, loc, c(b, loc, 0), smemType({bm, bn}, b.getF32Type()));
  nvgpu::WarpgroupMmaStoreOp::create(b, loc, loop.getResult(0), tileC);
  mlir::gpu::BarrierOp::create(b, loc);
  scf::ForOp::create(
      b, loc, tid, c(b, loc, bm * bn), c(b, loc, threads), ValueRange{},
      [&](OpBuilder &nb, Location nloc, Value idx, ValueRange) {
        Value r = arith::DivUIOp::create(nb, nloc, idx, c(nb, nloc, bn));
        Value col = arith::RemUIOp::create(nb, nloc, idx, c(nb, nloc, bn));
        Value row = arith::AddIOp::create(nb, nloc, m0, r);
        Value gcol = arith::AddIOp::create(nb, nloc, n0, col);
        Value inBounds = arith::AndIOp::create(
            nb, nloc,
            arith::CmpIOp::create(nb, nloc, arith::CmpIPredicate::ult, row,
                                  c(nb, nloc, m)),
            arith::CmpIOp::create(nb, nloc, arith::CmpIPredicate::ult, gcol,
                                  c(nb, nloc, n)));
        auto ifOp =
            scf::IfOp::create(nb, nloc, inBounds, /*withElseRegion=*/false);
        {
          OpBuilder::InsertionGuard inner(nb);
          nb.setInsertionPointToStart(&ifOp.getThenRegion().front());
          Value value =
              memref::LoadOp::create(nb, nloc, tileC, ValueRange{r, col});
          emitEpilogueStore(nb, nloc, problem, batchIndices, row, gcol, value);
        }
        scf::YieldOp::create(nb, nloc);
      });
}

FailureOr<EmitStatus> emitWgmmaKernel(func::FuncOp kernel,
                                      const EmitOptions &options,
                                      std::string &whyNot) {
  if (failed(verifyOneWriterPerBuffer(kernel)))
    return failure();
  std::optional<GemmProblem> problem = analyzeGemm(kernel, whyNot);
  if (!problem)
    return EmitStatus::NotApplicable;
  Type elem = problem->inputType;
  if (!elem.isBF16() && !elem.isF16()) {
    whyNot = "wgmma kernels take bf16/f16 operands";
    return EmitStatus::NotApplicable;
  }
  if (problem->isConvolution) {
    whyNot = "convolutions need im2col TMA, which nvgpu does not expose";
    return EmitStatus::NotApplicable;
  }
  if (problem->a.major != Major::K || problem->b.major != Major::MN) {
    whyNot = "wgmma kernels take row-major A[M,K] and B[K,N]";
    return EmitStatus::NotApplicable;
  }
  std::optional<SmallVector<unsigned>> batchA = getOperandBatchLoops(
      problem->a, *problem, problem->m.loops[0], problem->k.loops[0]);
  std::optional<SmallVector<unsigned>> batchB = getOperandBatchLoops(
      problem->b, *problem, problem->k.loops[0], problem->n.loops[0]);
  if (!batchA || !batchB) {
    whyNot = "operands are not laid out as [batch..., rows, cols]";
    return EmitStatus::NotApplicable;
  }
  int64_t m = problem->m.size(), n = problem->n.size(), k = problem->k.size();
  if (k % 8 != 0 || n % 8 != 0) {
    whyNot = "TMA needs K and N to be multiples of 8 (16-byte strides)";
    return EmitStatus::NotApplicable;
  }
  if (!batchB->empty() && k % kWgmmaStepK != 0) {
    whyNot = "a batched B needs K to be a multiple of 64";
    return EmitStatus::NotApplicable;
  }
  int64_t bm = m > 64 ? 128 : 64;
  int64_t bn = n > 64 ? 128 : 64;
  int64_t stages = options.stages ? options.stages : 4;
  WgmmaBuilder builder(*problem, *batchA, *batchB, bm, bn, stages);
  if (builder.smemBytes() > 227 * 1024) {
    whyNot = "the pipeline needs " + std::to_string(builder.smemBytes()) +
             " bytes of shared memory";
    return EmitStatus::NotApplicable;
  }
  OpBuilder b(kernel.getBody().front().getTerminator());
  builder.build(b, problem->contraction.getLoc());
  eraseComputedOps(kernel);
  LaunchRecord record;
  record.templateName = "wgmma";
  record.flops = getKernelFlops(kernel);
  record.bytes = getKernelBytes(kernel);
  record.gemm = {problem->numBatches(), m, n, k};
  record.operandType = elem;
  record.tile = {bm, bn, kWgmmaStepK};
  record.stages = stages;
  recordLaunch(kernel, record);
  return EmitStatus::Emitted;
}

} // namespace gaon::gpu
