//===- Target.h - #npu.target from a simulator chip description -*- C++ -*-===//
//
// The bridge between the simulator's chip descriptions (gaon::sim::ChipConfig:
// presets and YAML files) and the compiler's #npu.target attribute.
//
//===----------------------------------------------------------------------===//

#ifndef GAON_TARGET_NPU_TARGET_H
#define GAON_TARGET_NPU_TARGET_H

#include "gaon/Dialect/NPU/IR/NPUDialect.h"
#include "gaon/Sim/ChipConfig.h"

#include "llvm/Support/Error.h"

namespace gaon::npu {

/// The #npu.target of one chip of `chip`: clock, cores, tensor engine
/// (rows, cols, slices, pipeline, dataflow, supported precisions), vector
/// lanes, SRAM, DMA and the DRAM bandwidth and latency. DRAM bandwidth is
/// the chip's channel total (unbounded, 1<<30, for `kind: ideal`).
TargetAttr getTargetAttr(mlir::MLIRContext *context,
                         const sim::ChipConfig &chip);

/// Loads a chip by preset name or YAML path (sim::loadChipConfig) and
/// converts it; `overrides` are "path=value" edits of the description.
llvm::Expected<TargetAttr>
loadTargetAttr(mlir::MLIRContext *context, llvm::StringRef presetOrPath,
               llvm::ArrayRef<std::string> overrides = {});

} // namespace gaon::npu

#endif // GAON_TARGET_NPU_TARGET_H
