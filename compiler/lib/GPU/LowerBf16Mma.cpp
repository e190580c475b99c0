//===- LowerBf16Mma.cpp - bf16 nvgpu.mma.sync -> nvvm.mma.sync ------------===//

#include "gaon/GPU/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace gaon::gpu {
#define GEN_PASS_DEF_GPULOWERBF16MMA
#include "gaon/GPU/Passes.h.inc"
} // namespace gaon::gpu

using namespace mlir;

namespace {

/// Packs each row of a vector<Rx2xbf16> fragment into one i32 register, the
/// form nvvm.mma.sync takes bf16 multiplicands in.
static SmallVector<Value> packRows(PatternRewriter &rewriter, Location loc,
                                   Value fragment) {
  auto type = cast<VectorType>(fragment.getType());
  Type i32 = rewriter.getI32Type();
  SmallVector<Value> rows;
  for (int64_t r = 0, e = type.getDimSize(0); r < e; ++r) {
    Value row = vector::ExtractOp::create(rewriter, loc, fragment, r);
    Value packed = vector::BitCastOp::create(rewriter, loc,
                                             VectorType::get({1}, i32), row);
    rows.push_back(vector::ExtractOp::create(rewriter, loc, packed, 0));
  }
  return rows;
}

/// nvgpu.mma.sync m16n8k16 on bf16 with f32 accumulators -> nvvm.mma.sync.
struct LowerBf16MmaSync : public OpRewritePattern<nvgpu::MmaSyncOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(nvgpu::MmaSyncOp op,
                                PatternRewriter &rewriter) const override {
    auto aType = cast<VectorType>(op.getMatrixA().getType());
    auto bType = cast<VectorType>(op.getMatrixB().getType());
    auto cType = cast<VectorType>(op.getMatrixC().getType());
    SmallVector<int64_t> shape = llvm::to_vector(
        llvm::map_range(op.getMmaShape().getAsValueRange<IntegerAttr>(),
                        [](const APInt &v) { return v.getSExtValue(); }));
    if (!aType.getElementType().isBF16() || !bType.getElementType().isBF16())
      return rewriter.notifyMatchFailure(op, "not a bf16 mma");
    if (shape != SmallVector<int64_t>{16, 8, 16} ||
        aType.getShape() != ArrayRef<int64_t>{4, 2} ||
        bType.getShape() != ArrayRef<int64_t>{2, 2} ||
        cType.getShape() != ArrayRef<int64_t>{2, 2} ||
        !cType.getElementType().isF32())
      return rewriter.notifyMatchFailure(op, "not m16n8k16 with f32 acc");

    Location loc = op.getLoc();
    SmallVector<Value> a = packRows(rewriter, loc, op.getMatrixA());
    SmallVector<Value> b = packRows(rewriter, loc, op.getMatrixB());
    SmallVector<Value> c;
    for (int64_t i = 0; i < 2; ++i)
      for (int64_t j = 0; j < 2; ++j)
        c.push_back(vector::ExtractOp::create(rewriter, loc, op.getMatrixC(),
                                              ArrayRef<int64_t>{i, j}));
    Type f32 = rewriter.getF32Type();
    auto resultType = LLVM::LLVMStructType::getLiteral(
        rewriter.getContext(), SmallVector<Type>(4, f32));
    auto mma =
        NVVM::MmaOp::create(rewriter, loc, resultType, a, b, c, shape,
                            /*b1Op=*/std::nullopt, /*intOverflow=*/std::nullopt,
                            std::array<NVVM::MMATypes, 2>{NVVM::MMATypes::bf16,
                                                          NVVM::MMATypes::bf16},
                            std::array<NVVM::MMALayout, 2>{
                                NVVM::MMALayout::row, NVVM::MMALayout::col});
    SmallVector<Value> d;
    for (int64_t i = 0; i < 4; ++i)
      d.push_back(LLVM::ExtractValueOp::create(rewriter, loc, mma, i));
    rewriter.replaceOpWithNewOp<vector::FromElementsOp>(op, cType, d);
    return success();
  }
};

struct GpuLowerBf16MmaPass
    : public gaon::gpu::impl::GpuLowerBf16MmaBase<GpuLowerBf16MmaPass> {
  void runOnOperation() override {
    int64_t before = 0;
    getOperation().walk([&](nvgpu::MmaSyncOp) { ++before; });
    RewritePatternSet patterns(&getContext());
    patterns.add<LowerBf16MmaSync>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    int64_t after = 0;
    getOperation().walk([&](nvgpu::MmaSyncOp) { ++after; });
    numLowered += before - after;
  }
};
} // namespace
