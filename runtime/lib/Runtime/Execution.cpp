//===- Execution.cpp - What one run of a model on a backend gives ---------===//

#include "gaon/Runtime/Execution.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>

using namespace gaon::runtime;

llvm::StringRef gaon::runtime::stringifyProvenance(Provenance provenance) {
  switch (provenance) {
  case Provenance::Measured:
    return "measured";
  case Provenance::Simulated:
    return "simulated";
  case Provenance::Modeled:
    return "modeled";
  }
  return "modeled";
}

llvm::StringRef gaon::runtime::stringifyBound(Bound bound) {
  return bound == Bound::Compute ? "compute" : "memory";
}

int64_t TensorSpec::getNumElements() const {
  int64_t count = 1;
  for (int64_t size : shape)
    count *= size;
  return count;
}

std::string TensorSpec::getTypeString() const {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << gaon::kernels::getDTypeName(dtype) << "[";
  llvm::interleave(shape, os, "x");
  os << "]";
  return text;
}

double Roofline::getBoundSeconds(double flops, double bytes) const {
  if (!isKnown())
    return 0;
  return std::max(flops / flopsPerSecond, bytes / bytesPerSecond);
}

Bound Roofline::getBound(double flops, double bytes) const {
  return flops / flopsPerSecond >= bytes / bytesPerSecond ? Bound::Compute
                                                          : Bound::Memory;
}
