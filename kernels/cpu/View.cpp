//===- View.cpp - strided views and bulk element access -------------------===//

#include "gaon/Kernels/View.h"

#include "Common.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

using namespace gaon::kernels;
using gaon::kernels::detail::readScalar;
using gaon::kernels::detail::writeScalar;
using llvm::ArrayRef;
using llvm::SmallVector;

SmallVector<int64_t, 4> View::getContiguousStrides(ArrayRef<int64_t> shape) {
  SmallVector<int64_t, 4> strides(shape.size(), 1);
  for (int64_t i = static_cast<int64_t>(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * std::max<int64_t>(shape[i + 1], 1);
  return strides;
}

View View::getContiguous(std::byte *data, DType dtype,
                         ArrayRef<int64_t> shape) {
  return View(data, dtype, shape, getContiguousStrides(shape));
}

int64_t View::getNumElements() const {
  int64_t count = 1;
  for (int64_t size : shape)
    count *= size;
  return count;
}

bool View::isContiguous() const {
  int64_t expected = 1;
  for (int64_t i = getRank() - 1; i >= 0; --i) {
    if (shape[i] == 1)
      continue;
    if (strides[i] != expected)
      return false;
    expected *= shape[i];
  }
  return true;
}

std::byte *View::getElementPtr(ArrayRef<int64_t> index) const {
  int64_t offset = 0;
  for (auto [i, stride] : llvm::zip(index, strides))
    offset += i * stride;
  return data + offset * getByteWidth(dtype);
}

std::pair<int64_t, int64_t> View::getOffsetRange() const {
  int64_t lo = 0, hi = 0;
  for (auto [size, stride] : llvm::zip(shape, strides)) {
    if (size == 0)
      return {0, -1};
    int64_t extent = (size - 1) * stride;
    (extent < 0 ? lo : hi) += extent;
  }
  return {lo, hi};
}

bool View::mayOverlap(const View &other) const {
  auto [lo, hi] = getOffsetRange();
  auto [otherLo, otherHi] = other.getOffsetRange();
  if (hi < lo || otherHi < otherLo)
    return false;
  const std::byte *begin = data + lo * getByteWidth(dtype);
  const std::byte *end = data + (hi + 1) * getByteWidth(dtype);
  const std::byte *otherBegin =
      other.data + otherLo * getByteWidth(other.dtype);
  const std::byte *otherEnd =
      other.data + (otherHi + 1) * getByteWidth(other.dtype);
  return begin < otherEnd && otherBegin < end;
}

llvm::Error View::verify() const {
  if (shape.size() != strides.size())
    return llvm::createStringError(
        llvm::formatv("view has {0} dimensions but {1} strides", shape.size(),
                      strides.size())
            .str());
  for (int64_t size : shape)
    if (size < 0)
      return llvm::createStringError("view has a negative size: " +
                                     describe(*this));
  if (!data && getNumElements() != 0)
    return llvm::createStringError("view has no data pointer");
  return llvm::Error::success();
}

View View::permute(ArrayRef<int64_t> perm) const {
  View result(data, dtype, {}, {});
  for (int64_t dim : perm) {
    result.shape.push_back(shape[dim]);
    result.strides.push_back(strides[dim]);
  }
  return result;
}

View View::subview(ArrayRef<int64_t> offsets, ArrayRef<int64_t> sizes,
                   ArrayRef<int64_t> steps) const {
  int64_t offset = 0;
  View result(nullptr, dtype, sizes, {});
  for (int64_t i = 0, e = getRank(); i < e; ++i) {
    offset += offsets[i] * strides[i];
    result.strides.push_back(strides[i] * steps[i]);
  }
  result.data = data + offset * getByteWidth(dtype);
  return result;
}

llvm::Expected<View> View::broadcastTo(ArrayRef<int64_t> target) const {
  int64_t targetRank = static_cast<int64_t>(target.size());
  if (targetRank < getRank())
    return llvm::createStringError("cannot broadcast " + describe(*this) +
                                   " to a lower rank");
  View result(data, dtype, target, SmallVector<int64_t>(targetRank, 0));
  int64_t lead = targetRank - getRank();
  for (int64_t i = 0; i < getRank(); ++i) {
    if (shape[i] == target[lead + i])
      result.strides[lead + i] = strides[i];
    else if (shape[i] != 1)
      return llvm::createStringError(
          llvm::formatv("cannot broadcast dimension {0} of size {1} to {2}", i,
                        shape[i], target[lead + i])
              .str());
  }
  return result;
}

View View::splitDim(int64_t dim, ArrayRef<int64_t> sizes) const {
  View result(data, dtype, {}, {});
  for (int64_t i = 0; i < getRank(); ++i) {
    if (i != dim) {
      result.shape.push_back(shape[i]);
      result.strides.push_back(strides[i]);
      continue;
    }
    int64_t inner = 1;
    for (int64_t size : sizes)
      inner *= size;
    for (int64_t size : sizes) {
      inner /= size;
      result.shape.push_back(size);
      result.strides.push_back(strides[i] * inner);
    }
  }
  return result;
}

View View::insertUnitDim(int64_t dim) const {
  View result = *this;
  result.shape.insert(result.shape.begin() + dim, 1);
  result.strides.insert(result.strides.begin() + dim, 0);
  return result;
}

View View::dropUnitDim(int64_t dim) const {
  View result = *this;
  result.shape.erase(result.shape.begin() + dim);
  result.strides.erase(result.strides.begin() + dim);
  return result;
}

std::optional<View> View::tryMergeDims(int64_t dim) const {
  int64_t outer = shape[dim], inner = shape[dim + 1];
  int64_t stride;
  if (outer == 1)
    stride = strides[dim + 1];
  else if (inner == 1)
    stride = strides[dim];
  else if (strides[dim] == strides[dim + 1] * inner)
    stride = strides[dim + 1];
  else
    return std::nullopt;
  View result = *this;
  result.shape[dim] = outer * inner;
  result.strides[dim] = stride;
  result.shape.erase(result.shape.begin() + dim + 1);
  result.strides.erase(result.strides.begin() + dim + 1);
  return result;
}

std::string gaon::kernels::describe(const View &view) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << getDTypeName(view.dtype) << "[";
  llvm::interleave(view.shape, os, "x");
  os << " strides ";
  llvm::interleave(view.strides, os, ",");
  os << "]";
  return text;
}

//===----------------------------------------------------------------------===//
// Bulk loads and stores
//===----------------------------------------------------------------------===//

/// Calls fn(elementPtr) for every element of `view` in row-major order.
template <typename Fn> static void forEachElement(const View &view, Fn &&fn) {
  int64_t width = getByteWidth(view.dtype);
  std::byte *base = view.data;
  forEachOffset(view.shape, view.strides,
                [&](int64_t offset) { fn(base + offset * width); });
}

/// Loads with a type-specific converter `convert(rawValue)`.
template <typename Raw, typename Out, typename Convert>
static void loadWith(const View &view, Out *out, Convert convert) {
  forEachElement(view, [&](const std::byte *ptr) {
    *out++ = static_cast<Out>(convert(readScalar<Raw>(ptr)));
  });
}

void gaon::kernels::loadElements(const View &view, double *out) {
  auto identity = [](auto value) { return value; };
  switch (view.dtype) {
  case DType::F32:
    return loadWith<float>(view, out, identity);
  case DType::F64:
    return loadWith<double>(view, out, identity);
  case DType::BF16:
    return loadWith<uint16_t>(view, out, bf16ToFloat);
  case DType::I8:
    return loadWith<int8_t>(view, out, identity);
  case DType::I32:
    return loadWith<int32_t>(view, out, identity);
  default:
    forEachElement(view, [&](const std::byte *ptr) {
      *out++ = loadElement(ptr, view.dtype);
    });
  }
}

void gaon::kernels::loadElementsFloat(const View &view, float *out) {
  auto identity = [](auto value) { return value; };
  switch (view.dtype) {
  case DType::F32:
    return loadWith<float>(view, out, identity);
  case DType::BF16:
    return loadWith<uint16_t>(view, out, bf16ToFloat);
  case DType::F16:
    return loadWith<uint16_t>(view, out, f16ToFloat);
  case DType::I8:
    return loadWith<int8_t>(view, out, identity);
  default:
    forEachElement(view, [&](const std::byte *ptr) {
      *out++ = static_cast<float>(loadElement(ptr, view.dtype));
    });
  }
}

void gaon::kernels::loadElementsInt64(const View &view, int64_t *out) {
  auto identity = [](auto value) { return value; };
  switch (view.dtype) {
  case DType::I8:
    return loadWith<int8_t>(view, out, identity);
  case DType::I32:
    return loadWith<int32_t>(view, out, identity);
  case DType::I64:
    return loadWith<int64_t>(view, out, identity);
  default:
    forEachElement(view, [&](const std::byte *ptr) {
      *out++ = loadInt64(ptr, view.dtype);
    });
  }
}

void gaon::kernels::storeElements(const double *in, const View &view) {
  switch (view.dtype) {
  case DType::F32:
    return forEachElement(view, [&](std::byte *ptr) {
      writeScalar<float>(ptr, static_cast<float>(*in++));
    });
  case DType::F64:
    return forEachElement(
        view, [&](std::byte *ptr) { writeScalar<double>(ptr, *in++); });
  case DType::BF16:
    return forEachElement(view, [&](std::byte *ptr) {
      writeScalar<uint16_t>(ptr, doubleToBF16(*in++));
    });
  default:
    forEachElement(
        view, [&](std::byte *ptr) { storeElement(ptr, view.dtype, *in++); });
  }
}

void gaon::kernels::storeElementsFloat(const float *in, const View &view) {
  switch (view.dtype) {
  case DType::F32:
    return forEachElement(
        view, [&](std::byte *ptr) { writeScalar<float>(ptr, *in++); });
  case DType::BF16:
    return forEachElement(view, [&](std::byte *ptr) {
      writeScalar<uint16_t>(ptr, floatToBF16(*in++));
    });
  case DType::F16:
    return forEachElement(view, [&](std::byte *ptr) {
      writeScalar<uint16_t>(ptr, floatToF16(*in++));
    });
  default:
    forEachElement(view, [&](std::byte *ptr) {
      storeElement(ptr, view.dtype, static_cast<double>(*in++));
    });
  }
}

void gaon::kernels::storeElementsInt64(const int64_t *in, const View &view) {
  switch (view.dtype) {
  case DType::I8:
    return forEachElement(view, [&](std::byte *ptr) {
      writeScalar<int8_t>(ptr, static_cast<int8_t>(*in++));
    });
  case DType::I32:
    return forEachElement(view, [&](std::byte *ptr) {
      writeScalar<int32_t>(ptr, static_cast<int32_t>(*in++));
    });
  case DType::I64:
    return forEachElement(
        view, [&](std::byte *ptr) { writeScalar<int64_t>(ptr, *in++); });
  default:
    forEachElement(view,
                   [&](std::byte *ptr) { storeInt64(ptr, view.dtype, *in++); });
  }
}
