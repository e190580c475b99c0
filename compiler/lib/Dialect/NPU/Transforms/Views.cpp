//===- Views.cpp - resolve memref views to buffers and strides ------------===//

#include "gaon/Dialect/NPU/Transforms/Views.h"

#include "gaon/Dialect/NPU/IR/NPUDialect.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace gaon::npu;

std::pair<int64_t, int64_t> ResolvedView::getExtent() const {
  int64_t low = offset, high = offset;
  for (auto [size, stride] : llvm::zip(sizes, strides)) {
    if (size == 0)
      return {offset, offset};
    int64_t span = (size - 1) * stride;
    (span < 0 ? low : high) += span;
  }
  return {low, high + 1};
}

/// The operand a view op views, or null for any other op.
static Value getViewSource(Operation *op) {
  return llvm::TypeSwitch<Operation *, Value>(op)
      .Case<memref::SubViewOp, memref::CastOp, memref::ReinterpretCastOp>(
          [](auto view) { return view.getSource(); })
      .Case<memref::TransposeOp>(
          [](memref::TransposeOp view) { return view.getIn(); })
      .Case<memref::ExpandShapeOp, memref::CollapseShapeOp>(
          [](auto view) { return view.getSrc(); })
      .Default([](Operation *) { return Value(); });
}

Value gaon::npu::getRootBuffer(Value value) {
  while (Operation *op = value.getDefiningOp()) {
    Value source = getViewSource(op);
    if (!source)
      break;
    value = source;
  }
  return value;
}

/// The layout of `type` if fully static.
static std::optional<std::pair<int64_t, SmallVector<int64_t>>>
getStaticLayout(MemRefType type) {
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(getStridesAndOffset(type, strides, offset)) ||
      ShapedType::isDynamic(offset) ||
      llvm::any_of(strides, ShapedType::isDynamic) || !type.hasStaticShape())
    return std::nullopt;
  return std::make_pair(offset, strides);
}

/// Evaluates an OpFoldResult to a constant.
static std::optional<int64_t> evaluateFold(OpFoldResult value,
                                           IndexEvaluator evaluate) {
  if (std::optional<int64_t> constant = getConstantIntValue(value))
    return constant;
  if (auto dynamic = dyn_cast<Value>(value); dynamic && evaluate)
    return evaluate(dynamic);
  return std::nullopt;
}

FailureOr<ResolvedView> gaon::npu::resolveView(Value value,
                                               IndexEvaluator evaluate) {
  auto type = dyn_cast<MemRefType>(value.getType());
  if (!type)
    return failure();
  Operation *op = value.getDefiningOp();
  bool isView = op && getViewSource(op);
  // A static layout is relative to the root's start whatever the chain.
  if (auto layout = getStaticLayout(type)) {
    ResolvedView view;
    view.root = getRootBuffer(value);
    view.offset = layout->first;
    view.sizes.assign(type.getShape().begin(), type.getShape().end());
    view.strides.assign(layout->second.begin(), layout->second.end());
    return view;
  }
  if (!isView)
    return failure();
  FailureOr<ResolvedView> source = resolveView(getViewSource(op), evaluate);
  if (failed(source))
    return failure();
  ResolvedView view = *source;

  if (auto subview = dyn_cast<memref::SubViewOp>(op)) {
    SmallVector<int64_t> sizes, strides;
    llvm::SmallBitVector dropped = subview.getDroppedDims();
    for (auto [dim, offset, size, step] :
         llvm::enumerate(subview.getMixedOffsets(), subview.getMixedSizes(),
                         subview.getMixedStrides())) {
      std::optional<int64_t> o = evaluateFold(offset, evaluate),
                             s = evaluateFold(size, evaluate),
                             t = evaluateFold(step, evaluate);
      if (!o || !s || !t)
        return failure();
      view.offset += *o * source->strides[dim];
      if (dropped.test(dim))
        continue;
      sizes.push_back(*s);
      strides.push_back(source->strides[dim] * *t);
    }
    view.sizes.assign(sizes.begin(), sizes.end());
    view.strides.assign(strides.begin(), strides.end());
    return view;
  }
  if (auto transpose = dyn_cast<memref::TransposeOp>(op)) {
    AffineMap permutation = transpose.getPermutation();
    for (unsigned i = 0; i < permutation.getNumResults(); ++i) {
      unsigned from = permutation.getDimPosition(i);
      view.sizes[i] = source->sizes[from];
      view.strides[i] = source->strides[from];
    }
    return view;
  }
  if (auto expand = dyn_cast<memref::ExpandShapeOp>(op)) {
    view.sizes.assign(type.getShape().begin(), type.getShape().end());
    view.strides.assign(type.getRank(), 0);
    for (auto [dim, group] :
         llvm::enumerate(expand.getReassociationIndices())) {
      int64_t stride = source->strides[dim];
      for (int64_t i : llvm::reverse(group)) {
        view.strides[i] = stride;
        stride *= type.getDimSize(i);
      }
    }
    return view;
  }
  if (auto collapse = dyn_cast<memref::CollapseShapeOp>(op)) {
    view.sizes.assign(type.getShape().begin(), type.getShape().end());
    view.strides.clear();
    for (const ReassociationIndices &group :
         collapse.getReassociationIndices()) {
      // The innermost non-unit dim of a contiguous group sets its stride.
      int64_t stride = source->strides[group.back()];
      for (int64_t i : llvm::reverse(group))
        if (source->sizes[i] != 1) {
          stride = source->strides[i];
          break;
        }
      view.strides.push_back(stride);
    }
    return view;
  }
  if (isa<memref::CastOp>(op))
    return view;
  if (auto reinterpret = dyn_cast<memref::ReinterpretCastOp>(op)) {
    ResolvedView result;
    result.root = view.root;
    std::optional<int64_t> offset =
        evaluateFold(reinterpret.getMixedOffsets()[0], evaluate);
    if (!offset)
      return failure();
    result.offset = *offset;
    for (auto [size, stride] : llvm::zip(reinterpret.getMixedSizes(),
                                         reinterpret.getMixedStrides())) {
      std::optional<int64_t> s = evaluateFold(size, evaluate),
                             t = evaluateFold(stride, evaluate);
      if (!s || !t)
        return failure();
      result.sizes.push_back(*s);
      result.strides.push_back(*t);
    }
    return result;
  }
  return failure();
}
