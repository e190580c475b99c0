//===- Target.cpp - #npu.target from a simulator chip description ---------===//

#include "gaon/Target/NPU/Target.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

#include <cmath>

using namespace mlir;
using namespace gaon;

/// The MLIR element types a tensor engine takes at `precision`.
static SmallVector<Type> getElementTypes(MLIRContext *context,
                                         sim::Precision precision) {
  Builder b(context);
  switch (precision) {
  case sim::Precision::Int8:
    return {b.getIntegerType(8)};
  case sim::Precision::Fp8:
    return {b.getType<Float8E4M3FNType>(), b.getType<Float8E5M2Type>()};
  case sim::Precision::Bf16:
    return {b.getBF16Type()};
  case sim::Precision::Fp16:
    return {b.getF16Type()};
  case sim::Precision::Fp32:
    return {b.getF32Type()};
  }
  return {};
}

static npu::Dataflow convertDataflow(sim::Dataflow dataflow) {
  switch (dataflow) {
  case sim::Dataflow::OutputStationary:
    return npu::Dataflow::OutputStationary;
  case sim::Dataflow::WeightStationary:
    return npu::Dataflow::WeightStationary;
  case sim::Dataflow::InputStationary:
    return npu::Dataflow::InputStationary;
  case sim::Dataflow::Contraction:
    return npu::Dataflow::Contraction;
  }
  return npu::Dataflow::OutputStationary;
}

npu::TargetAttr gaon::npu::getTargetAttr(MLIRContext *context,
                                         const sim::ChipConfig &chip) {
  Builder b(context);
  SmallVector<Attribute> precisions;
  for (sim::Precision precision : chip.core.tensor.getPrecisions())
    for (Type type : getElementTypes(context, precision))
      precisions.push_back(TypeAttr::get(type));
  const sim::CoreConfig &core = chip.core;
  int64_t dramBytesPerCycle =
      chip.dram.isIdeal()
          ? int64_t(1) << 30
          : std::max<int64_t>(
                1, int64_t(std::llround(chip.dram.getBytesPerCycle())));
  auto round = [](double value) {
    return std::max<int64_t>(1, int64_t(std::llround(value)));
  };
  // The row model only matters where a row switch costs channel time.
  int64_t rowSwitchBytes =
      chip.dram.isIdeal()
          ? 0
          : int64_t(std::llround(double(chip.dram.rowSwitchCycles) *
                                 chip.dram.bytesPerCyclePerChannel));
  int64_t rowBytes = rowSwitchBytes > 0 ? chip.dram.rowBytes : 0;
  return TargetAttr::get(
      context, chip.name, int64_t(std::llround(chip.clockMhz)), chip.cores,
      core.tensor.rows, core.tensor.cols, convertDataflow(core.tensor.dataflow),
      b.getArrayAttr(precisions), core.vector.lanes, core.sram.bytes,
      core.sram.banks, round(core.sram.bytesPerCycle), core.dma.engines,
      round(core.dma.bytesPerCycle), dramBytesPerCycle,
      chip.dram.isIdeal() ? 0 : chip.dram.latencyCycles, core.tensor.slices,
      core.tensor.pipelineCycles, core.dma.startupCycles, rowBytes,
      rowSwitchBytes);
}

llvm::Expected<npu::TargetAttr>
gaon::npu::loadTargetAttr(MLIRContext *context, llvm::StringRef presetOrPath,
                          llvm::ArrayRef<std::string> overrides) {
  llvm::Expected<sim::ChipConfig> chip =
      sim::loadChipConfig(presetOrPath, overrides);
  if (!chip)
    return chip.takeError();
  return getTargetAttr(context, *chip);
}
