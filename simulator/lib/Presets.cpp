//===- Presets.cpp - Chip descriptions embedded at build time -------------===//

#include "gaon/Sim/ChipConfig.h"

// kPresets, generated from simulator/configs/*.yaml.
#include "Presets.inc"

llvm::ArrayRef<gaon::sim::Preset> gaon::sim::getPresets() { return kPresets; }
