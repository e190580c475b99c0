//===- ReductionEmitter.cpp - block-per-row reduction kernels -------------===//
//
// Softmax, layer norm, RMS norm and the like: ops over the same rows that
// reduce along the innermost (column) loops. One block per row; threads
// stride over the columns, `gpu.all_reduce` combines their partials, and
// every per-row value (max, sum, mean, rstd) stays in registers. Elementwise
// intermediates are recomputed where they are read, so only the kernel's
// outputs touch memory.
//
//===----------------------------------------------------------------------===//

#include "Emitters.h"
#include "KernelAnalysis.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;

namespace gaon::gpu {

namespace {

/// One op of the row kernel.
struct RowNode {
  linalg::GenericOp op;
  RowOpClass cls;
};

/// The all_reduce kind and neutral element of a reduction combiner.
struct CombinerInfo {
  mlir::gpu::AllReduceOperation kind;
  TypedAttr neutral;
};

/// Returns the all_reduce kind of `combiner` and its neutral element in
/// `type`.
static std::optional<CombinerInfo> getCombinerInfo(Operation *combiner,
                                                   Type type) {
  using Kind = mlir::gpu::AllReduceOperation;
  Builder b(combiner->getContext());
  auto floatAttr = [&](double v) -> TypedAttr {
    return b.getFloatAttr(type, v);
  };
  auto intAttr = [&](APInt v) -> TypedAttr {
    return b.getIntegerAttr(type, v);
  };
  unsigned width = type.isIntOrFloat() ? type.getIntOrFloatBitWidth() : 0;
  double inf = std::numeric_limits<double>::infinity();
  return llvm::TypeSwitch<Operation *, std::optional<CombinerInfo>>(combiner)
      .Case([&](arith::AddFOp) {
        return CombinerInfo{Kind::ADD, floatAttr(0)};
      })
      .Case([&](arith::MulFOp) {
        return CombinerInfo{Kind::MUL, floatAttr(1)};
      })
      .Case([&](arith::MaximumFOp) {
        return CombinerInfo{Kind::MAXIMUMF, floatAttr(-inf)};
      })
      .Case([&](arith::MinimumFOp) {
        return CombinerInfo{Kind::MINIMUMF, floatAttr(inf)};
      })
      .Case([&](arith::MaxNumFOp) {
        return CombinerInfo{Kind::MAXNUMF, floatAttr(-inf)};
      })
      .Case([&](arith::MinNumFOp) {
        return CombinerInfo{Kind::MINNUMF, floatAttr(inf)};
      })
      .Case([&](arith::AddIOp) {
        return CombinerInfo{Kind::ADD, intAttr(APInt(width, 0))};
      })
      .Case([&](arith::MulIOp) {
        return CombinerInfo{Kind::MUL, intAttr(APInt(width, 1))};
      })
      .Case([&](arith::MaxSIOp) {
        return CombinerInfo{Kind::MAXSI,
                            intAttr(APInt::getSignedMinValue(width))};
      })
      .Case([&](arith::MinSIOp) {
        return CombinerInfo{Kind::MINSI,
                            intAttr(APInt::getSignedMaxValue(width))};
      })
      .Case([&](arith::MaxUIOp) {
        return CombinerInfo{Kind::MAXUI, intAttr(APInt(width, 0))};
      })
      .Case([&](arith::MinUIOp) {
        return CombinerInfo{Kind::MINUI, intAttr(APInt::getAllOnes(width))};
      })
      .Case([&](arith::AndIOp) {
        return CombinerInfo{Kind::AND, intAttr(APInt::getAllOnes(width))};
      })
      .Case([&](arith::OrIOp) {
        return CombinerInfo{Kind::OR, intAttr(APInt(width, 0))};
      })
      .Case([&](arith::XOrIOp) {
        return CombinerInfo{Kind::XOR, intAttr(APInt(width, 0))};
      })
      .Default([](Operation *) { return std::nullopt; });
}

/// Builds the emitted kernel for one row group.
class RowKernelBuilder {
public:
  RowKernelBuilder(func::FuncOp kernel, RowDomain domain,
                   SmallVector<RowNode> nodes,
                   SmallVector<linalg::LinalgOp> ops,
                   DenseMap<Value, unsigned> producer)
      : kernel(kernel), domain(std::move(domain)), nodes(std::move(nodes)),
        ops(std::move(ops)), producer(std::move(producer)) {}

  void build(OpBuilder &b, Location loc);

private:
  SmallVector<Value> evaluate(OpBuilder &b, Location loc, unsigned node,
                              ArrayRef<Value> colIndices);
  Value evaluateReductionValue(OpBuilder &b, Location loc, unsigned node,
                               ArrayRef<Value> colIndices,
                               const ReductionCombiner &combiner);
  SmallVector<Value> inputArgs(OpBuilder &b, Location loc, unsigned node,
                               ArrayRef<Value> loopIndices,
                               ArrayRef<Value> colIndices);
  SmallVector<Value> pointIndices(ArrayRef<Value> colIndices) const;
  bool isKernelOutput(Value buffer) {
    auto arg = dyn_cast<BlockArgument>(buffer);
    return arg && arg.getOwner() == &kernel.getBody().front();
  }
  /// Runs `body(colIndices)` for every column this thread owns.
  SmallVector<Value>
  forEachColumn(OpBuilder &b, Location loc, ValueRange iterInits,
                function_ref<SmallVector<Value>(OpBuilder &, Location,
                                                ArrayRef<Value>, ValueRange)>
                    body);
  void storeOnce(OpBuilder &b, Location loc, Value value, Value buffer);

  func::FuncOp kernel;
  RowDomain domain;
  SmallVector<RowNode> nodes;
  SmallVector<linalg::LinalgOp> ops;
  int64_t threads = 32;
  Value threadId;
  SmallVector<Value> rowIndices;
  /// The node writing each buffer.
  DenseMap<Value, unsigned> producer;
  /// Per-row values by the buffer they would have been written to.
  DenseMap<Value, Value> perRow;
};

} // namespace

SmallVector<Value>
RowKernelBuilder::pointIndices(ArrayRef<Value> colIndices) const {
  SmallVector<Value> indices(rowIndices);
  indices.append(colIndices.begin(), colIndices.end());
  return indices;
}

SmallVector<Value> RowKernelBuilder::inputArgs(OpBuilder &b, Location loc,
                                               unsigned node,
                                               ArrayRef<Value> loopIndices,
                                               ArrayRef<Value> colIndices) {
  linalg::GenericOp op = nodes[node].op;
  SmallVector<Value> args;
  for (OpOperand *input : op.getDpsInputOperands()) {
    Value buffer = input->get();
    if (!op.payloadUsesValueFromOperand(input)) {
      args.push_back(Value());
      continue;
    }
    auto it = producer.find(buffer);
    if (it == producer.end() || it->second >= node) {
      args.push_back(loadOperand(b, loc, op, *input, loopIndices));
      continue;
    }
    RowNode source = nodes[it->second];
    if (source.cls != RowOpClass::Elementwise) {
      args.push_back(perRow.lookup(buffer));
      continue;
    }
    // Recompute the elementwise intermediate at this point.
    SmallVector<Value> values = evaluate(b, loc, it->second, colIndices);
    unsigned resultIndex = 0;
    for (OpOperand &init : source.op.getDpsInitsMutable())
      if (init.get() == buffer)
        resultIndex = init.getOperandNumber() - source.op.getNumDpsInputs();
    args.push_back(values[resultIndex]);
  }
  return args;
}

SmallVector<Value> RowKernelBuilder::evaluate(OpBuilder &b, Location loc,
                                              unsigned node,
                                              ArrayRef<Value> colIndices) {
  linalg::GenericOp op = nodes[node].op;
  SmallVector<Value> loopIndices = nodes[node].cls == RowOpClass::Scalar
                                       ? SmallVector<Value>(rowIndices)
                                       : pointIndices(colIndices);
  SmallVector<Value> args = inputArgs(b, loc, node, loopIndices, colIndices);
  for (OpOperand &init : op.getDpsInitsMutable())
    args.push_back(op.payloadUsesValueFromOperand(&init)
                       ? loadOperand(b, loc, op, init, loopIndices)
                       : Value());
  return clonePayload(b, loc, op, args, loopIndices);
}

Value RowKernelBuilder::evaluateReductionValue(
    OpBuilder &b, Location loc, unsigned node, ArrayRef<Value> colIndices,
    const ReductionCombiner &combiner) {
  linalg::GenericOp op = nodes[node].op;
  SmallVector<Value> loopIndices = pointIndices(colIndices);
  SmallVector<Value> args = inputArgs(b, loc, node, loopIndices, colIndices);
  Block &body = op.getRegion().front();
  IRMapping mapping;
  for (auto [arg, value] : llvm::zip(body.getArguments(), args))
    if (value)
      mapping.map(arg, value);
  for (Operation &inner : body.without_terminator()) {
    if (&inner == combiner.combiner)
      continue;
    if (auto index = dyn_cast<linalg::IndexOp>(inner)) {
      mapping.map(index.getResult(), loopIndices[index.getDim()]);
      continue;
    }
    b.clone(inner, mapping);
  }
  return mapping.lookupOrDefault(combiner.value);
}

SmallVector<Value> RowKernelBuilder::forEachColumn(
    OpBuilder &b, Location loc, ValueRange iterInits,
    function_ref<SmallVector<Value>(OpBuilder &, Location, ArrayRef<Value>,
                                    ValueRange)>
        body) {
  auto loop = scf::ForOp::create(
      b, loc, threadId, indexConstant(b, loc, domain.numCols()),
      indexConstant(b, loc, threads), iterInits,
      [&](OpBuilder &nb, Location nloc, Value col, ValueRange iterArgs) {
        SmallVector<Value> colIndices = delinearize(nb, nloc, col, domain.cols);
        scf::YieldOp::create(nb, nloc, body(nb, nloc, colIndices, iterArgs));
      });
  return loop.getResults();
}

void RowKernelBuilder::storeOnce(OpBuilder &b, Location loc, Value value,
                                 Value buffer) {
  Value isFirst = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                        threadId, indexConstant(b, loc, 0));
  auto ifOp = scf::IfOp::create(b, loc, isFirst, /*withElseRegion=*/false);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&ifOp.getThenRegion().front());
  memref::StoreOp::create(b, loc, value, buffer, rowIndices);
}

void RowKernelBuilder::build(OpBuilder &b, Location loc) {
  // Enough threads that each handles about four columns, within [32, 256].
  int64_t perThread = (domain.numCols() + 3) / 4;
  while (threads < perThread && threads < 256)
    threads *= 2;
  mlir::gpu::LaunchOp launch = createLaunch(b, loc, {domain.numRows(), 1, 1},
                                            {threads, 1, 1}, 0, "reduction");
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&launch.getBody().front());
  Value row = mlir::gpu::BlockIdOp::create(b, loc, mlir::gpu::Dimension::x);
  threadId = mlir::gpu::ThreadIdOp::create(b, loc, mlir::gpu::Dimension::x);
  rowIndices = delinearize(b, loc, row, domain.rows);

  for (auto [index, node] : llvm::enumerate(nodes)) {
    linalg::GenericOp op = node.op;
    Location opLoc = op.getLoc();
    switch (node.cls) {
    case RowOpClass::Reduction: {
      ReductionCombiner combiner = *matchReductionCombiner(op);
      Value buffer = op.getDpsInitOperand(0)->get();
      Type type = getElementTypeOrSelf(buffer.getType());
      // Narrow floats are combined in f32 across the block.
      Type partialType =
          isa<FloatType>(type) && type.getIntOrFloatBitWidth() < 32
              ? Float32Type::get(b.getContext())
              : type;
      std::optional<CombinerInfo> info =
          getCombinerInfo(combiner.combiner, partialType);
      Value neutral = arith::ConstantOp::create(b, opLoc, info->neutral);
      auto combine = [&](OpBuilder &nb, Location nloc, Value lhs,
                         Value rhs) -> Value {
        OperationState state(nloc, combiner.combiner->getName());
        state.addOperands({lhs, rhs});
        state.addTypes(lhs.getType());
        state.addAttributes(combiner.combiner->getAttrs());
        return nb.create(state)->getResult(0);
      };
      SmallVector<Value> partial = forEachColumn(
          b, opLoc, neutral,
          [&](OpBuilder &nb, Location nloc, ArrayRef<Value> cols,
              ValueRange acc) -> SmallVector<Value> {
            Value value =
                evaluateReductionValue(nb, nloc, index, cols, combiner);
            if (value.getType() != partialType)
              value = arith::ExtFOp::create(nb, nloc, partialType, value);
            return {combine(nb, nloc, value, acc[0])};
          });
      Value total = mlir::gpu::AllReduceOp::create(
          b, opLoc, partial[0],
          mlir::gpu::AllReduceOperationAttr::get(b.getContext(), info->kind),
          /*uniform=*/true);
      if (total.getType() != type)
        total = arith::TruncFOp::create(b, opLoc, type, total);
      Value init = getFillValue(buffer, op, ops);
      if (!init) {
        SmallVector<Value> zeros(domain.cols.size(),
                                 indexConstant(b, opLoc, 0));
        init = loadOperand(b, opLoc, op, *op.getDpsInitOperand(0),
                           pointIndices(zeros));
      }
      Value result = combine(b, opLoc, total, init);
      perRow[buffer] = result;
      if (isKernelOutput(buffer))
        storeOnce(b, opLoc, result, buffer);
      break;
    }
    case RowOpClass::Scalar: {
      SmallVector<Value> results = evaluate(b, opLoc, index, {});
      for (auto [init, result] : llvm::zip_equal(op.getDpsInits(), results)) {
        perRow[init] = result;
        if (isKernelOutput(init))
          storeOnce(b, opLoc, result, init);
      }
      break;
    }
    case RowOpClass::Elementwise: {
      if (llvm::none_of(op.getDpsInits(),
                        [&](Value v) { return isKernelOutput(v); }))
        break; // Recomputed where it is read.
      forEachColumn(b, opLoc, {},
                    [&](OpBuilder &nb, Location nloc, ArrayRef<Value> cols,
                        ValueRange) -> SmallVector<Value> {
                      SmallVector<Value> results =
                          evaluate(nb, nloc, index, cols);
                      SmallVector<Value> point = pointIndices(cols);
                      for (auto [init, result] :
                           llvm::zip_equal(op.getDpsInitsMutable(), results))
                        if (isKernelOutput(init.get()))
                          storeOperand(nb, nloc, op, init, point, result);
                      return {};
                    });
      break;
    }
    }
  }
}

LogicalResult emitReductionKernel(func::FuncOp kernel,
                                  const EmitOptions &options) {
  (void)options;
  if (failed(verifyOneWriterPerBuffer(kernel)))
    return failure();
  SmallVector<linalg::LinalgOp> ops = getKernelOps(kernel);
  std::optional<RowDomain> domain;
  for (linalg::LinalgOp op : ops)
    if (auto generic = dyn_cast<linalg::GenericOp>(op.getOperation()))
      if ((domain = getRowReductionDomain(generic)))
        break;
  if (!domain)
    return kernel.emitError("reduction kernel has no row reduction");

  SmallVector<RowNode> nodes;
  DenseMap<Value, unsigned> producer;
  for (linalg::LinalgOp op : ops) {
    if (isa<linalg::FillOp>(op))
      continue;
    auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
    std::optional<RowOpClass> cls =
        generic ? classifyRowOp(generic, *domain) : std::nullopt;
    if (!cls)
      return op->emitOpError("does not fit the row-reduction kernel it was "
                             "fused into");
    for (OpOperand *input : generic.getDpsInputOperands()) {
      auto it = producer.find(input->get());
      if (it != producer.end() &&
          !isValidRowAccess(nodes[it->second].cls, *cls,
                            generic.getMatchingIndexingMap(input), *domain))
        return op->emitOpError("reads a value of its row kernel through an "
                               "unsupported indexing map");
    }
    for (Value init : generic.getDpsInits())
      producer[init] = nodes.size();
    nodes.push_back({generic, *cls});
  }

  OpBuilder b(kernel.getBody().front().getTerminator());
  RowKernelBuilder builder(kernel, *domain, nodes, ops, producer);
  builder.build(b, ops.front().getLoc());
  eraseComputedOps(kernel);
  LaunchRecord record;
  record.templateName = "reduction";
  record.flops = getKernelFlops(kernel);
  record.bytes = getKernelBytes(kernel);
  recordLaunch(kernel, record);
  return success();
}

} // namespace gaon::gpu
