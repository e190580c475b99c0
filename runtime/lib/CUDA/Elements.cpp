//===- Elements.cpp - Host-side reading and filling of plan buffers -------===//

#include "gaon/Runtime/CUDA/Elements.h"

#include "llvm/ADT/APFloat.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

using namespace llvm;

namespace gaon::runtime::cuda {

static const fltSemantics *getSemantics(ElementType type) {
  switch (type) {
  case ElementType::F32:
    return &APFloat::IEEEsingle();
  case ElementType::F16:
    return &APFloat::IEEEhalf();
  case ElementType::BF16:
    return &APFloat::BFloat();
  case ElementType::F8E4M3FN:
    return &APFloat::Float8E4M3FN();
  case ElementType::F8E5M2:
    return &APFloat::Float8E5M2();
  case ElementType::I8:
  case ElementType::I32:
  case ElementType::I64:
    return nullptr;
  }
  return nullptr;
}

/// Stores the low `bytes` bytes of `bits` at `out` (little-endian host).
static void storeBits(uint64_t bits, unsigned bytes, uint8_t *out) {
  std::memcpy(out, &bits, bytes);
}

void fillTestElements(ElementType type, MutableArrayRef<uint8_t> bytes,
                      uint64_t seed) {
  unsigned width = getElementBytes(type);
  // The 33 possible values, encoded once.
  uint64_t encoded[33];
  const fltSemantics *semantics = getSemantics(type);
  for (int k = -16; k <= 16; ++k) {
    if (!semantics) {
      encoded[k + 16] = static_cast<uint64_t>(static_cast<int64_t>(k));
      continue;
    }
    APFloat value(k / 16.0);
    bool losesInfo = false;
    value.convert(*semantics, APFloat::rmNearestTiesToEven, &losesInfo);
    encoded[k + 16] = value.bitcastToAPInt().getZExtValue();
  }
  // mt19937_64's sequence is fixed by the standard (its distributions are
  // not), so the same seed gives the same inputs with every C++ library.
  std::mt19937_64 generator(seed);
  for (size_t offset = 0; offset + width <= bytes.size(); offset += width)
    storeBits(encoded[generator() % 33], width, bytes.data() + offset);
}

/// IEEE-style binary float with `exponentBits` and `mantissaBits` (and a
/// sign bit). `finiteOnlyNaN` is the E4M3FN convention: no infinities, and
/// only the all-ones pattern is NaN.
static double decodeFloat(uint32_t bits, unsigned exponentBits,
                          unsigned mantissaBits, bool finiteOnlyNaN) {
  uint32_t mantissa = bits & ((1u << mantissaBits) - 1);
  uint32_t exponent = (bits >> mantissaBits) & ((1u << exponentBits) - 1);
  bool negative = (bits >> (mantissaBits + exponentBits)) & 1;
  int bias = (1 << (exponentBits - 1)) - 1;
  uint32_t maxExponent = (1u << exponentBits) - 1;
  double value;
  if (finiteOnlyNaN && exponent == maxExponent &&
      mantissa == (1u << mantissaBits) - 1)
    value = std::numeric_limits<double>::quiet_NaN();
  else if (!finiteOnlyNaN && exponent == maxExponent)
    value = mantissa ? std::numeric_limits<double>::quiet_NaN()
                     : std::numeric_limits<double>::infinity();
  else if (exponent == 0)
    value = std::ldexp(double(mantissa), 1 - bias - int(mantissaBits));
  else
    value = std::ldexp(double(mantissa | (1u << mantissaBits)),
                       int(exponent) - bias - int(mantissaBits));
  return negative ? -value : value;
}

double readElement(ElementType type, ArrayRef<uint8_t> bytes, size_t index) {
  const uint8_t *p = bytes.data() + index * getElementBytes(type);
  switch (type) {
  case ElementType::F32: {
    float value;
    std::memcpy(&value, p, sizeof(value));
    return value;
  }
  case ElementType::BF16: {
    uint16_t bits;
    std::memcpy(&bits, p, sizeof(bits));
    uint32_t widened = uint32_t(bits) << 16;
    float value;
    std::memcpy(&value, &widened, sizeof(value));
    return value;
  }
  case ElementType::F16: {
    uint16_t bits;
    std::memcpy(&bits, p, sizeof(bits));
    return decodeFloat(bits, 5, 10, false);
  }
  case ElementType::F8E4M3FN:
    return decodeFloat(*p, 4, 3, true);
  case ElementType::F8E5M2:
    return decodeFloat(*p, 5, 2, false);
  case ElementType::I8:
    return static_cast<int8_t>(*p);
  case ElementType::I32: {
    int32_t value;
    std::memcpy(&value, p, sizeof(value));
    return value;
  }
  case ElementType::I64: {
    int64_t value;
    std::memcpy(&value, p, sizeof(value));
    return static_cast<double>(value);
  }
  }
  return 0;
}

ElementSummary summarizeElements(ElementType type, ArrayRef<uint8_t> bytes) {
  ElementSummary summary;
  summary.count = bytes.size() / getElementBytes(type);
  bool first = true;
  for (size_t i = 0; i < summary.count; ++i) {
    double value = readElement(type, bytes, i);
    if (!std::isfinite(value)) {
      ++summary.nonFinite;
      continue;
    }
    summary.sum += value;
    summary.minimum = first ? value : std::min(summary.minimum, value);
    summary.maximum = first ? value : std::max(summary.maximum, value);
    first = false;
  }
  return summary;
}

} // namespace gaon::runtime::cuda
