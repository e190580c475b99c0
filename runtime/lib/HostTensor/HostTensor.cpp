//===- HostTensor.cpp - a tensor in host memory ---------------------------===//

#include "gaon/Runtime/HostTensor.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstring>

using namespace gaon::runtime;
using gaon::kernels::View;

RandomRange RandomRange::getDefault(DType dtype) {
  if (dtype == DType::I1)
    return {0.0, 1.0};
  if (kernels::isInteger(dtype))
    return {-8.0, 8.0};
  return {-1.0, 1.0};
}

static int64_t getElementCount(llvm::ArrayRef<int64_t> shape) {
  int64_t count = 1;
  for (int64_t size : shape)
    count *= size;
  return count;
}

HostTensor::HostTensor(DType dtype, llvm::ArrayRef<int64_t> shape)
    : dtype(dtype), shape(shape),
      bytes(getElementCount(shape) * kernels::getByteWidth(dtype)) {}

HostTensor HostTensor::getScalar(DType dtype, double value) {
  HostTensor tensor(dtype, {});
  tensor.setDouble(0, value);
  return tensor;
}

HostTensor HostTensor::fromDoubles(DType dtype, llvm::ArrayRef<int64_t> shape,
                                   llvm::ArrayRef<double> values) {
  HostTensor tensor(dtype, shape);
  assert(static_cast<int64_t>(values.size()) == tensor.getNumElements() &&
         "value count must match the shape");
  kernels::storeElements(values.data(), tensor.getView());
  return tensor;
}

HostTensor HostTensor::fromInt64s(DType dtype, llvm::ArrayRef<int64_t> shape,
                                  llvm::ArrayRef<int64_t> values) {
  HostTensor tensor(dtype, shape);
  assert(static_cast<int64_t>(values.size()) == tensor.getNumElements() &&
         "value count must match the shape");
  kernels::storeElementsInt64(values.data(), tensor.getView());
  return tensor;
}

HostTensor HostTensor::random(DType dtype, llvm::ArrayRef<int64_t> shape,
                              uint64_t seed) {
  return random(dtype, shape, seed, RandomRange::getDefault(dtype));
}

HostTensor HostTensor::random(DType dtype, llvm::ArrayRef<int64_t> shape,
                              uint64_t seed, RandomRange range) {
  HostTensor tensor(dtype, shape);
  tensor.fillRandom(seed, range);
  return tensor;
}

int64_t HostTensor::getNumElements() const { return getElementCount(shape); }

View HostTensor::getView() {
  return View::getContiguous(bytes.data(), dtype, shape);
}

View HostTensor::getView() const {
  // Kernels never write through their input views.
  return View::getContiguous(const_cast<std::byte *>(bytes.data()), dtype,
                             shape);
}

double HostTensor::getDouble(int64_t flatIndex) const {
  return kernels::loadElement(
      bytes.data() + flatIndex * kernels::getByteWidth(dtype), dtype);
}

int64_t HostTensor::getInt64(int64_t flatIndex) const {
  return kernels::loadInt64(
      bytes.data() + flatIndex * kernels::getByteWidth(dtype), dtype);
}

double HostTensor::at(llvm::ArrayRef<int64_t> index) const {
  return kernels::loadElement(getView().getElementPtr(index), dtype);
}

void HostTensor::setDouble(int64_t flatIndex, double value) {
  kernels::storeElement(bytes.data() + flatIndex * kernels::getByteWidth(dtype),
                        dtype, value);
}

void HostTensor::setInt64(int64_t flatIndex, int64_t value) {
  kernels::storeInt64(bytes.data() + flatIndex * kernels::getByteWidth(dtype),
                      dtype, value);
}

std::vector<double> HostTensor::toDoubles() const {
  std::vector<double> values(getNumElements());
  kernels::loadElements(getView(), values.data());
  return values;
}

void HostTensor::reshape(llvm::ArrayRef<int64_t> newShape) {
  assert(getElementCount(newShape) == getNumElements() &&
         "reshape must keep the element count");
  shape.assign(newShape.begin(), newShape.end());
}

namespace {
/// PCG-XSH-RR 64/32 (M. E. O'Neill, "PCG: A Family of Simple Fast
/// Space-Efficient Statistically Good Algorithms for Random Number
/// Generation", 2014), seeded as pcg32_srandom_r.
class Pcg32 {
public:
  Pcg32(uint64_t seed, uint64_t stream) : increment((stream << 1) | 1) {
    next();
    state += seed;
    next();
  }
  uint32_t next() {
    uint64_t old = state;
    state = old * 6364136223846793005ULL + increment;
    auto xorshifted = static_cast<uint32_t>(((old >> 18) ^ old) >> 27);
    auto rotation = static_cast<uint32_t>(old >> 59);
    return (xorshifted >> rotation) | (xorshifted << ((32 - rotation) & 31));
  }
  /// Uniform in [0, 1) with 53 random bits.
  double nextUnit() {
    uint32_t a = next() >> 5, b = next() >> 6;
    return (static_cast<double>(a) * 67108864.0 + static_cast<double>(b)) *
           0x1.0p-53;
  }

private:
  uint64_t state = 0;
  uint64_t increment;
};
} // namespace

void HostTensor::fillRandom(uint64_t seed) {
  fillRandom(seed, RandomRange::getDefault(dtype));
}

void HostTensor::fillRandom(uint64_t seed, RandomRange range) {
  Pcg32 generator(seed, 0xda3e39cb94b95bdbULL);
  int64_t count = getNumElements();
  if (kernels::isFloat(dtype)) {
    for (int64_t i = 0; i < count; ++i)
      setDouble(i, range.lo + (range.hi - range.lo) * generator.nextUnit());
    return;
  }
  if (dtype == DType::I1)
    range = {0.0, 1.0};
  for (int64_t i = 0; i < count; ++i) {
    double value =
        std::floor(range.lo + (range.hi - range.lo + 1) * generator.nextUnit());
    setInt64(i, static_cast<int64_t>(std::min(value, range.hi)));
  }
}

bool HostTensor::isBitwiseEqual(const HostTensor &other) const {
  return dtype == other.dtype && shape == other.shape && bytes == other.bytes;
}

std::string HostTensor::getTypeString() const {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << kernels::getDTypeName(dtype) << "[";
  llvm::interleave(shape, os, "x");
  os << "]";
  return text;
}
