//===- ONNXFold.cpp - evaluate shape computations at import time ----------===//
//
// ONNX exporters compute reshape targets, slice bounds and the like from
// Shape ops at run time. With static shapes every such chain is constant:
// these helpers evaluate it on the host so the IR gets static shapes.
//
//===----------------------------------------------------------------------===//

#include "ONNXImporterImpl.h"

using namespace mlir;
using namespace gaon::frontend;
using namespace gaon::frontend::onnx_import;
using llvm::SmallVector;

bool onnx_import::allInputsFoldable(NodeContext &ctx) {
  for (unsigned i = 0; i < ctx.numInputs(); ++i) {
    if (!ctx.hasInput(i))
      continue;
    DenseElementsAttr c = ctx.constant(i);
    if (!c || c.getNumElements() > kFoldLimit)
      return false;
  }
  return true;
}

SmallVector<int64_t> onnx_import::intValues(DenseElementsAttr v,
                                            bool isUnsigned) {
  SmallVector<int64_t> out;
  bool zext = isUnsigned || v.getElementType().isInteger(1);
  for (const llvm::APInt &x : v.getValues<llvm::APInt>())
    out.push_back(zext ? static_cast<int64_t>(x.getZExtValue())
                       : x.getSExtValue());
  return out;
}

/// Row-major strides of `shape`.
static SmallVector<int64_t> rowMajorStrides(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t i = static_cast<int64_t>(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

/// Calls `fn(index)` for every multi-index of `shape` in row-major order.
static void forEachIndex(ArrayRef<int64_t> shape,
                         llvm::function_ref<void(ArrayRef<int64_t>)> fn) {
  int64_t n = numElements(shape);
  SmallVector<int64_t> index(shape.size(), 0);
  for (int64_t k = 0; k < n; ++k) {
    fn(index);
    for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
      if (++index[d] < shape[d])
        break;
      index[d] = 0;
    }
  }
}

/// A constant of `shape` with `v`'s element type from `elements`.
static DenseElementsAttr make(DenseElementsAttr v, ArrayRef<int64_t> shape,
                              ArrayRef<Attribute> elements) {
  return DenseElementsAttr::get(
      RankedTensorType::get(shape, v.getElementType()), elements);
}

DenseElementsAttr onnx_import::foldSlice(DenseElementsAttr v,
                                         ArrayRef<int64_t> offsets,
                                         ArrayRef<int64_t> sizes,
                                         ArrayRef<int64_t> strides) {
  auto in = llvm::to_vector(v.getValues<Attribute>());
  SmallVector<int64_t> inStrides = rowMajorStrides(v.getType().getShape());
  SmallVector<Attribute> out;
  forEachIndex(sizes, [&](ArrayRef<int64_t> idx) {
    int64_t linear = 0;
    for (size_t d = 0; d < idx.size(); ++d)
      linear += (offsets[d] + idx[d] * strides[d]) * inStrides[d];
    out.push_back(in[linear]);
  });
  return make(v, sizes, out);
}

DenseElementsAttr onnx_import::foldGather(DenseElementsAttr data,
                                          DenseElementsAttr indices,
                                          int64_t axis) {
  ArrayRef<int64_t> ds = data.getType().getShape();
  ArrayRef<int64_t> is = indices.getType().getShape();
  SmallVector<int64_t> idx = intValues(indices);
  for (int64_t &i : idx) {
    if (i < 0)
      i += ds[axis];
    if (i < 0 || i >= ds[axis])
      return nullptr;
  }
  auto in = llvm::to_vector(data.getValues<Attribute>());
  SmallVector<int64_t> inStrides = rowMajorStrides(ds);
  SmallVector<int64_t> outShape(ds.begin(), ds.begin() + axis);
  outShape.append(is.begin(), is.end());
  outShape.append(ds.begin() + axis + 1, ds.end());
  SmallVector<int64_t> idxStrides = rowMajorStrides(is);
  SmallVector<Attribute> out;
  forEachIndex(outShape, [&](ArrayRef<int64_t> o) {
    int64_t linear = 0, pos = 0;
    for (int64_t d = 0; d < axis; ++d)
      linear += o[d] * inStrides[d];
    for (size_t d = 0; d < is.size(); ++d)
      pos += o[axis + d] * idxStrides[d];
    linear += idx[pos] * inStrides[axis];
    for (size_t d = axis + 1; d < ds.size(); ++d)
      linear += o[d - 1 + is.size()] * inStrides[d];
    out.push_back(in[linear]);
  });
  return make(data, outShape, out);
}

DenseElementsAttr onnx_import::foldConcat(ArrayRef<DenseElementsAttr> vs,
                                          int64_t axis) {
  SmallVector<int64_t> outShape(vs.front().getType().getShape());
  outShape[axis] = 0;
  for (DenseElementsAttr v : vs)
    outShape[axis] += v.getType().getDimSize(axis);
  SmallVector<SmallVector<Attribute>> inputs;
  for (DenseElementsAttr v : vs)
    inputs.push_back(llvm::to_vector(v.getValues<Attribute>()));
  SmallVector<Attribute> out;
  forEachIndex(outShape, [&](ArrayRef<int64_t> o) {
    int64_t along = o[axis];
    size_t which = 0;
    while (along >= vs[which].getType().getDimSize(axis))
      along -= vs[which++].getType().getDimSize(axis);
    ArrayRef<int64_t> shape = vs[which].getType().getShape();
    SmallVector<int64_t> strides = rowMajorStrides(shape);
    int64_t linear = 0;
    for (size_t d = 0; d < o.size(); ++d)
      linear += (d == static_cast<size_t>(axis) ? along : o[d]) * strides[d];
    out.push_back(inputs[which][linear]);
  });
  return make(vs.front(), outShape, out);
}

DenseElementsAttr onnx_import::foldBroadcast(DenseElementsAttr v,
                                             ArrayRef<int64_t> shape) {
  ArrayRef<int64_t> in = v.getType().getShape();
  if (in == shape)
    return v;
  if (v.isSplat())
    return DenseElementsAttr::get(
        RankedTensorType::get(shape, v.getElementType()),
        v.getSplatValue<Attribute>());
  auto values = llvm::to_vector(v.getValues<Attribute>());
  SmallVector<int64_t> inStrides = rowMajorStrides(in);
  size_t offset = shape.size() - in.size();
  SmallVector<Attribute> out;
  forEachIndex(shape, [&](ArrayRef<int64_t> o) {
    int64_t linear = 0;
    for (size_t d = 0; d < in.size(); ++d)
      linear += (in[d] == 1 ? 0 : o[offset + d]) * inStrides[d];
    out.push_back(values[linear]);
  });
  return make(v, shape, out);
}

DenseElementsAttr onnx_import::foldCast(DenseElementsAttr v, Type to,
                                        bool srcUnsigned) {
  Type from = v.getElementType();
  SmallVector<Attribute> out;
  auto push = [&](double asDouble, int64_t asInt, bool isFloat) {
    if (auto ft = dyn_cast<FloatType>(to)) {
      llvm::APFloat f(asDouble);
      bool lost;
      f.convert(ft.getFloatSemantics(), llvm::APFloat::rmNearestTiesToEven,
                &lost);
      out.push_back(FloatAttr::get(to, f));
      return;
    }
    unsigned width = to.getIntOrFloatBitWidth();
    if (width == 1) {
      out.push_back(IntegerAttr::get(to, isFloat ? asDouble != 0 : asInt != 0));
      return;
    }
    // Float to integer truncates toward zero.
    int64_t value = isFloat ? static_cast<int64_t>(asDouble) : asInt;
    out.push_back(
        IntegerAttr::get(to, llvm::APInt(width, value, /*isSigned=*/true,
                                         /*implicitTrunc=*/true)));
  };
  if (isa<FloatType>(from)) {
    for (const llvm::APFloat &f : v.getValues<llvm::APFloat>())
      push(f.convertToDouble(), 0, true);
  } else {
    for (int64_t i : intValues(v, srcUnsigned))
      push(static_cast<double>(i), i, false);
  }
  return DenseElementsAttr::get(
      RankedTensorType::get(v.getType().getShape(), to), out);
}
