//===- EmitterUtils.cpp - helpers shared by the GPU kernel emitters -------===//

#include "Emitters.h"

#include "gaon/GPU/Passes.h"

#include "mlir/Dialect/Affine/Utils.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/IRMapping.h"

using namespace mlir;

namespace gaon::gpu {

void recordLaunch(func::FuncOp kernel, const LaunchRecord &record) {
  MLIRContext *ctx = kernel.getContext();
  Builder b(ctx);
  NamedAttrList entries;
  entries.append("template", b.getStringAttr(record.templateName));
  entries.append("flops", b.getI64IntegerAttr(record.flops));
  entries.append("bytes", b.getI64IntegerAttr(record.bytes));
  if (record.gemm) {
    entries.append("gemm", b.getDenseI64ArrayAttr(*record.gemm));
    entries.append("type", TypeAttr::get(record.operandType));
    entries.append("tile", b.getDenseI64ArrayAttr(record.tile));
    entries.append("stages", b.getI64IntegerAttr(record.stages));
  }
  SmallVector<Attribute> launches;
  if (auto existing = kernel->getAttrOfType<ArrayAttr>(kKernelLaunchesAttrName))
    launches.assign(existing.begin(), existing.end());
  launches.push_back(entries.getDictionary(ctx));
  kernel->setAttr(kKernelLaunchesAttrName, b.getArrayAttr(launches));
}

/// Reads an i64 attribute of `kernel`, 0 if absent.
static int64_t getI64Attr(func::FuncOp kernel, StringRef name) {
  auto attr = kernel->getAttrOfType<IntegerAttr>(name);
  return attr ? attr.getInt() : 0;
}

int64_t getKernelFlops(func::FuncOp kernel) {
  return getI64Attr(kernel, kKernelFlopsAttrName);
}

int64_t getKernelBytes(func::FuncOp kernel) {
  return getI64Attr(kernel, kKernelBytesAttrName);
}

Value indexConstant(OpBuilder &b, Location loc, int64_t value) {
  return arith::ConstantIndexOp::create(b, loc, value);
}

SmallVector<Value> delinearize(OpBuilder &b, Location loc, Value linear,
                               ArrayRef<int64_t> sizes) {
  SmallVector<Value> indices(sizes.size());
  Value rest = linear;
  for (int64_t i = static_cast<int64_t>(sizes.size()) - 1; i >= 0; --i) {
    if (sizes[i] == 1) {
      indices[i] = indexConstant(b, loc, 0);
      continue;
    }
    if (i == 0) {
      indices[i] = rest;
      break;
    }
    Value size = indexConstant(b, loc, sizes[i]);
    indices[i] = arith::RemUIOp::create(b, loc, rest, size);
    rest = arith::DivUIOp::create(b, loc, rest, size);
  }
  return indices;
}

SmallVector<Value> applyMap(OpBuilder &b, Location loc, AffineMap map,
                            ValueRange dims) {
  SmallVector<Value> results;
  for (AffineExpr expr : map.getResults()) {
    if (auto dim = dyn_cast<AffineDimExpr>(expr)) {
      results.push_back(dims[dim.getPosition()]);
      continue;
    }
    results.push_back(affine::expandAffineExpr(b, loc, expr, dims, {}));
  }
  return results;
}

mlir::gpu::LaunchOp createLaunch(OpBuilder &b, Location loc,
                                 std::array<int64_t, 3> grid,
                                 std::array<int64_t, 3> block,
                                 int64_t dynamicSmemBytes,
                                 StringRef templateName) {
  auto c = [&](int64_t v) { return indexConstant(b, loc, v); };
  Value smem;
  if (dynamicSmemBytes > 0)
    smem =
        arith::ConstantIntOp::create(b, loc, b.getI32Type(), dynamicSmemBytes);
  auto launch =
      mlir::gpu::LaunchOp::create(b, loc, c(grid[0]), c(grid[1]), c(grid[2]),
                                  c(block[0]), c(block[1]), c(block[2]), smem);
  launch->setAttr(kKernelTemplateAttrName, b.getStringAttr(templateName));
  Block &body = launch.getBody().front();
  if (body.empty() || !body.back().hasTrait<OpTrait::IsTerminator>()) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToEnd(&body);
    mlir::gpu::TerminatorOp::create(b, loc);
  }
  return launch;
}

SmallVector<Value> clonePayload(OpBuilder &b, Location loc, linalg::LinalgOp op,
                                ArrayRef<Value> blockArgs,
                                ArrayRef<Value> loopIndices) {
  Block *body = op.getBlock();
  IRMapping mapping;
  for (auto [arg, value] : llvm::zip_equal(body->getArguments(), blockArgs))
    if (value)
      mapping.map(arg, value);
  for (Operation &inner : body->without_terminator()) {
    if (auto index = dyn_cast<linalg::IndexOp>(inner)) {
      mapping.map(index.getResult(), loopIndices[index.getDim()]);
      continue;
    }
    b.clone(inner, mapping);
  }
  SmallVector<Value> yielded;
  for (Value v : body->getTerminator()->getOperands())
    yielded.push_back(mapping.lookupOrDefault(v));
  return yielded;
}

Value loadOperand(OpBuilder &b, Location loc, linalg::LinalgOp op,
                  OpOperand &operand, ArrayRef<Value> loopIndices) {
  Value value = operand.get();
  if (!isa<MemRefType>(value.getType()))
    return value;
  SmallVector<Value> indices =
      applyMap(b, loc, op.getMatchingIndexingMap(&operand), loopIndices);
  return memref::LoadOp::create(b, loc, value, indices);
}

void storeOperand(OpBuilder &b, Location loc, linalg::LinalgOp op,
                  OpOperand &operand, ArrayRef<Value> loopIndices,
                  Value value) {
  SmallVector<Value> indices =
      applyMap(b, loc, op.getMatchingIndexingMap(&operand), loopIndices);
  memref::StoreOp::create(b, loc, value, operand.get(), indices);
}

SmallVector<linalg::LinalgOp> getKernelOps(func::FuncOp kernel) {
  SmallVector<linalg::LinalgOp> ops;
  for (Operation &op : kernel.getBody().front())
    if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op))
      ops.push_back(linalgOp);
  return ops;
}

void eraseComputedOps(func::FuncOp kernel) {
  SmallVector<linalg::LinalgOp> ops = getKernelOps(kernel);
  for (linalg::LinalgOp op : llvm::reverse(ops))
    op->erase();
  SmallVector<memref::AllocOp> allocs(
      kernel.getBody().front().getOps<memref::AllocOp>());
  for (memref::AllocOp alloc : allocs)
    if (alloc->use_empty())
      alloc->erase();
}

LogicalResult verifyOneWriterPerBuffer(func::FuncOp kernel) {
  DenseMap<Value, SmallVector<linalg::LinalgOp, 2>> writers;
  for (linalg::LinalgOp op : getKernelOps(kernel))
    for (Value init : op.getDpsInits())
      writers[init].push_back(op);
  for (auto &[buffer, ops] : writers) {
    bool fillThenAccumulate = ops.size() == 2 && isa<linalg::FillOp>(ops[0]) &&
                              !isa<linalg::FillOp>(ops[1]);
    if (ops.size() > 1 && !fillThenAccumulate)
      return ops.back()->emitOpError(
          "writes a buffer another op of its kernel also writes; the "
          "GPU kernel emitters need one buffer per value (run "
          "gaon-gpu-outline-kernels before bufferisation, without CSE in "
          "between)");
  }
  return success();
}

Value getFillValue(Value buffer, Operation *user,
                   ArrayRef<linalg::LinalgOp> ops) {
  Value value;
  for (linalg::LinalgOp op : ops) {
    if (op == user)
      break;
    for (OpOperand &init : op.getDpsInitsMutable()) {
      if (init.get() != buffer)
        continue;
      auto fill = dyn_cast<linalg::FillOp>(op.getOperation());
      if (!fill)
        return nullptr;
      value = fill.getDpsInputOperand(0)->get();
    }
  }
  return value;
}

} // namespace gaon::gpu
