//===- NPUDialect.cpp - npu dialect, attributes and types -----------------===//

#include "gaon/Dialect/NPU/IR/NPUDialect.h"
#include "gaon/Dialect/NPU/IR/NPUOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace gaon::npu;

#include "gaon/Dialect/NPU/IR/NPUDialect.cpp.inc"
#include "gaon/Dialect/NPU/IR/NPUEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "gaon/Dialect/NPU/IR/NPUAttrs.cpp.inc"

#define GET_TYPEDEF_CLASSES
#include "gaon/Dialect/NPU/IR/NPUTypes.cpp.inc"

void NPUDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "gaon/Dialect/NPU/IR/NPUAttrs.cpp.inc"
      >();
  addTypes<
#define GET_TYPEDEF_LIST
#include "gaon/Dialect/NPU/IR/NPUTypes.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "gaon/Dialect/NPU/IR/NPUOps.cpp.inc"
      >();
}

/// Checks an `npu.cost` dictionary: integer counts and cycles, a float
/// intensity and a "compute" or "memory" bound.
static LogicalResult verifyCostAttr(Operation *op, Attribute value) {
  auto dict = dyn_cast<DictionaryAttr>(value);
  if (!dict)
    return op->emitError() << "'" << NPUDialect::kCostAttrName
                           << "' must be a dictionary, got " << value;
  for (NamedAttribute entry : dict) {
    StringRef key = entry.getName().getValue();
    Attribute field = entry.getValue();
    if (key == "intensity") {
      if (!isa<FloatAttr>(field))
        return op->emitError() << "cost 'intensity' must be a float";
      continue;
    }
    if (key == "bound") {
      auto bound = dyn_cast<StringAttr>(field);
      if (!bound ||
          (bound.getValue() != "compute" && bound.getValue() != "memory"))
        return op->emitError()
               << "cost 'bound' must be \"compute\" or \"memory\"";
      continue;
    }
    if (!llvm::is_contained({"flops", "bytes", "compute_cycles",
                             "memory_cycles", "roofline_cycles"},
                            key))
      return op->emitError() << "unknown cost field '" << key << "'";
    auto count = dyn_cast<IntegerAttr>(field);
    if (!count || count.getValue().isNegative())
      return op->emitError()
             << "cost '" << key << "' must be a non-negative integer";
  }
  return success();
}

LogicalResult NPUDialect::verifyOperationAttribute(Operation *op,
                                                   NamedAttribute attr) {
  if (attr.getName() == kCostAttrName)
    return verifyCostAttr(op, attr.getValue());
  if (attr.getName() == kCoreAttrName) {
    auto core = dyn_cast<IntegerAttr>(attr.getValue());
    if (!core || core.getValue().isNegative())
      return op->emitError()
             << "'" << kCoreAttrName << "' must be a non-negative integer";
    TargetAttr target = TargetAttr::lookup(op);
    if (target && core.getInt() >= target.getCores())
      return op->emitError()
             << "'" << kCoreAttrName << "' names core " << core.getInt()
             << " but target '" << target.getName() << "' has "
             << target.getCores() << " core(s)";
    return success();
  }
  if (attr.getName() != kTargetAttrName)
    return op->emitError() << "unknown npu attribute '"
                           << attr.getName().getValue() << "'";
  if (!isa<TargetAttr>(attr.getValue()))
    return op->emitError() << "'" << kTargetAttrName
                           << "' must be an #npu.target attribute";
  return success();
}

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

bool gaon::npu::isSupportedElementType(Type type) {
  if (type.isF32() || type.isF16() || type.isBF16())
    return true;
  if (isa<Float8E4M3FNType, Float8E5M2Type>(type))
    return true;
  return type.isSignlessInteger(8) || type.isSignlessInteger(32);
}

std::optional<MemorySpace> gaon::npu::getMemorySpace(MemRefType type) {
  Attribute space = type.getMemorySpace();
  if (!space)
    return MemorySpace::Dram;
  if (auto npuSpace = dyn_cast<MemorySpaceAttr>(space))
    return npuSpace.getValue();
  return std::nullopt;
}

LogicalResult gaon::npu::getStridesAndOffset(MemRefType type,
                                             SmallVectorImpl<int64_t> &strides,
                                             int64_t &offset) {
  if (!type.getLayout().isIdentity() || !type.hasStaticShape())
    return type.getStridesAndOffset(strides, offset);
  offset = 0;
  strides.assign(type.getRank(), 1);
  for (int64_t k = type.getRank() - 2; k >= 0; --k)
    strides[k] = strides[k + 1] * type.getDimSize(k + 1);
  return success();
}

std::optional<int64_t> gaon::npu::getStaticSizeInBytes(MemRefType type) {
  if (!type.hasStaticShape() || !type.getElementType().isIntOrFloat())
    return std::nullopt;
  int64_t elementBytes =
      (type.getElementType().getIntOrFloatBitWidth() + 7) / 8;
  if (type.getNumElements() == 0)
    return 0;
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(getStridesAndOffset(type, strides, offset)))
    return std::nullopt;
  // Extent of the strided region: one past the last element addressed.
  int64_t extent = 1;
  for (auto [size, stride] : llvm::zip(type.getShape(), strides)) {
    if (ShapedType::isDynamic(stride))
      return std::nullopt;
    extent += (size - 1) * stride;
  }
  return extent * elementBytes;
}

//===----------------------------------------------------------------------===//
// TargetAttr
//===----------------------------------------------------------------------===//

LogicalResult
TargetAttr::verify(function_ref<InFlightDiagnostic()> emitError, StringRef name,
                   int64_t clockMhz, int64_t cores, int64_t tensorRows,
                   int64_t tensorCols, Dataflow dataflow, ArrayAttr precisions,
                   int64_t vectorLanes, int64_t sramBytes, int64_t sramBanks,
                   int64_t sramBytesPerCycle, int64_t dmaEngines,
                   int64_t dmaBytesPerCycle, int64_t dramBytesPerCycle,
                   int64_t dramLatency, int64_t tensorSlices,
                   int64_t tensorPipelineCycles, int64_t dmaStartupCycles,
                   int64_t dramRowBytes, int64_t dramRowSwitchBytes) {
  if (name.empty())
    return emitError() << "'name' must not be empty";
  std::pair<StringRef, int64_t> positive[] = {
      {"clock_mhz", clockMhz},
      {"cores", cores},
      {"tensor_rows", tensorRows},
      {"tensor_cols", tensorCols},
      {"vector_lanes", vectorLanes},
      {"sram_bytes", sramBytes},
      {"sram_banks", sramBanks},
      {"sram_bytes_per_cycle", sramBytesPerCycle},
      {"dma_engines", dmaEngines},
      {"dma_bytes_per_cycle", dmaBytesPerCycle},
      {"dram_bytes_per_cycle", dramBytesPerCycle},
      {"tensor_slices", tensorSlices}};
  for (auto [field, value] : positive)
    if (value <= 0)
      return emitError() << "'" << field << "' must be positive, got " << value;
  std::pair<StringRef, int64_t> nonNegative[] = {
      {"dram_latency", dramLatency},
      {"tensor_pipeline_cycles", tensorPipelineCycles},
      {"dma_startup_cycles", dmaStartupCycles},
      {"dram_row_bytes", dramRowBytes},
      {"dram_row_switch_bytes", dramRowSwitchBytes}};
  for (auto [field, value] : nonNegative)
    if (value < 0)
      return emitError() << "'" << field << "' must not be negative, got "
                         << value;
  if (precisions.empty())
    return emitError() << "'precisions' must list at least one type";
  for (Attribute precision : precisions) {
    auto typeAttr = dyn_cast<TypeAttr>(precision);
    if (!typeAttr)
      return emitError() << "'precisions' must hold types, got " << precision;
    if (!isSupportedElementType(typeAttr.getValue()) ||
        typeAttr.getValue().isSignlessInteger(32))
      return emitError() << "'precisions' holds " << typeAttr.getValue()
                         << ", which no tensor engine takes (expected f32, "
                            "f16, bf16, f8E4M3FN, f8E5M2 or i8)";
  }
  return success();
}

bool TargetAttr::supportsPrecision(Type type) const {
  return llvm::any_of(getPrecisions(), [&](Attribute precision) {
    return cast<TypeAttr>(precision).getValue() == type;
  });
}

TargetAttr TargetAttr::lookup(Operation *op) {
  for (; op; op = op->getParentOp())
    if (auto target =
            op->getAttrOfType<TargetAttr>(NPUDialect::kTargetAttrName))
      return target;
  return {};
}
