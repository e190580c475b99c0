//===- ChipConfig.h - NPU chip and system descriptions ----------*- C++ -*-===//
//
// A chip description read from YAML (docs/chip-description.md): clock, cores
// and per core a tensor engine, a vector engine, a scratchpad SRAM and DMA
// engines; chip-level shared SRAM, DRAM, on-chip network and host link;
// energy per event; and, for multi-chip systems, the number of chips and the
// chip-to-chip links. Rates are in bytes per cycle of the core clock and
// latencies in core cycles.
//
// Presets (rngd, warboy, atom, rebel-quad, x220, systolic-32x32) are YAML
// files in simulator/configs/ embedded into the library at build time.
//
//===----------------------------------------------------------------------===//

#ifndef GAON_SIM_CHIPCONFIG_H
#define GAON_SIM_CHIPCONFIG_H

#include "gaon/Sim/Types.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <array>
#include <string>
#include <vector>

namespace llvm {
class raw_ostream;
} // namespace llvm

namespace gaon::sim {

/// The tensor engine of one core.
struct TensorEngineConfig {
  Dataflow dataflow = Dataflow::OutputStationary;
  /// Systolic: PE rows and columns. Contraction: MAC rows per slice and
  /// MACs per row per cycle at the engine's base (bf16) rate.
  int64_t rows = 0;
  int64_t cols = 0;
  /// Contraction arrays only: slices per core.
  int64_t slices = 1;
  /// Extra cycles per command for pipeline fill and drain (contraction
  /// arrays; the systolic model has its own fill/drain from SCALE-Sim).
  int64_t pipelineCycles = 0;
  /// MACs per cycle per precision; 0 means the precision is unsupported.
  std::array<int64_t, kNumPrecisions> macsPerCycle{};

  bool isSystolic() const { return dataflow != Dataflow::Contraction; }
  bool supports(Precision precision) const {
    return macsPerCycle[unsigned(precision)] > 0;
  }
  int64_t getMacsPerCycle(Precision precision) const {
    return macsPerCycle[unsigned(precision)];
  }
  /// MACs per cycle of the array at its base rate (rows x cols [x slices]).
  int64_t getBaseMacsPerCycle() const { return rows * cols * slices; }
  /// Supported precisions, in enum order.
  std::vector<Precision> getPrecisions() const;
};

/// Cycles the vector engine spends per group of `lanes` elements, per op.
struct VectorOpCycles {
  std::array<int64_t, kNumUnaryKinds> unary;
  std::array<int64_t, kNumBinaryKinds> binary; // also vector.scalar
  std::array<int64_t, kNumReduceKinds> reduce;
  int64_t cast = 1;
  int64_t fill = 1;
  VectorOpCycles() {
    unary.fill(1);
    binary.fill(1);
    reduce.fill(1);
  }
};

/// The vector engine of one core.
struct VectorEngineConfig {
  int64_t lanes = 0;
  /// Latency from the first element in to the last element out.
  int64_t pipelineCycles = 0;
  VectorOpCycles opCycles;
};

/// The scratchpad SRAM of one core.
struct SramConfig {
  int64_t bytes = 0;
  int64_t banks = 1;
  double bytesPerCycle = 0;
  /// Bytes one bank delivers per access.
  double getBankWidth() const { return bytesPerCycle / double(banks); }
};

/// The DMA engines of one core (one in-order queue each).
struct DmaConfig {
  int64_t engines = 0;
  double bytesPerCycle = 0;
  int64_t startupCycles = 0;
};

/// Everything one core has; all cores of a chip are alike.
struct CoreConfig {
  TensorEngineConfig tensor;
  VectorEngineConfig vector;
  SramConfig sram;
  DmaConfig dma;
};

/// SRAM shared by the cores of a chip; bytes == 0 means none.
struct SharedSramConfig {
  int64_t bytes = 0;
  double bytesPerCycle = 0;
  int64_t latencyCycles = 0;
};

/// Off-chip memory. `kind: ideal` makes every transfer free (zero cycles,
/// no contention), for compute-only studies such as SCALE-Sim comparisons.
struct DramConfig {
  std::string kind = "hbm3";
  int64_t bytes = 0;
  int64_t channels = 1;
  double bytesPerCyclePerChannel = 0;
  int64_t latencyCycles = 0;
  /// Access granularity: every access moves whole units.
  int64_t transferBytes = 64;
  /// Cost multiplier of a partially covered unit (read; write needs a
  /// read-modify-write).
  double unalignedReadPenalty = 1;
  double unalignedWritePenalty = 1;
  /// DRAM row (page) size and the channel time lost when a strided access
  /// opens a new row for each short run.
  int64_t rowBytes = 2048;
  int64_t rowSwitchCycles = 0;

  bool isIdeal() const { return kind == "ideal"; }
  double getBytesPerCycle() const {
    return double(channels) * bytesPerCyclePerChannel;
  }
};

enum class NocTopology : uint8_t { Crossbar, Ring, Mesh };
llvm::StringRef stringifyNocTopology(NocTopology topology);

/// On-chip network between cores, DRAM controllers and shared SRAM.
struct NocConfig {
  NocTopology topology = NocTopology::Crossbar;
  /// Bandwidth of each core's port into the network.
  double linkBytesPerCycle = 0;
  int64_t hopCycles = 0;
  /// Hops between core `core` (of `cores`) and the memory side.
  int64_t getHopsToMemory(int64_t core, int64_t cores) const;
  /// Hops between two cores.
  int64_t getHopsBetween(int64_t a, int64_t b, int64_t cores) const;
};

/// The link to the host (PCIe); used to model input/output transfer time.
struct HostLinkConfig {
  std::string kind = "pcie";
  double bytesPerCycle = 0;
  int64_t latencyCycles = 0;
};

/// Energy per event, in picojoules, plus static power.
struct EnergyConfig {
  std::array<double, kNumPrecisions> macPj{};
  double sramPjPerByte = 0;
  double dramPjPerByte = 0;
  double nocPjPerByte = 0;
  double linkPjPerByte = 0;
  double dmaPjPerCommand = 0;
  double vectorPjPerElement = 0;
  double staticWatts = 0;
};

enum class LinkTopology : uint8_t { Ring, FullyConnected };
llvm::StringRef stringifyLinkTopology(LinkTopology topology);

/// Multi-chip systems: `chips` identical chips joined by links.
struct SystemConfig {
  int64_t chips = 1;
  LinkTopology topology = LinkTopology::Ring;
  /// Bandwidth of one link in one direction.
  double linkBytesPerCycle = 0;
  int64_t linkLatencyCycles = 0;
  /// Links a transfer from chip `from` to chip `to` crosses, in order, as
  /// directed link ids (see getNumLinks).
  std::vector<int64_t> route(int64_t from, int64_t to) const;
  int64_t getNumLinks() const;
};

/// A chip (or a system of identical chips).
struct ChipConfig {
  std::string name;
  std::string description;
  double clockMhz = 0;
  int64_t cores = 0;
  CoreConfig core;
  SharedSramConfig sharedSram;
  DramConfig dram;
  NocConfig noc;
  HostLinkConfig host;
  EnergyConfig energy;
  SystemConfig system;

  /// Cycles -> seconds at the core clock.
  double getSeconds(double cycles) const { return cycles / (clockMhz * 1e6); }
  /// Peak tensor-engine MACs per cycle of the whole system at `precision`.
  int64_t getPeakMacsPerCycle(Precision precision) const {
    return core.tensor.getMacsPerCycle(precision) * cores * system.chips;
  }
};

/// A chip description embedded in the library.
struct Preset {
  llvm::StringRef name;
  llvm::StringRef yaml;
};
llvm::ArrayRef<Preset> getPresets();

/// Parses `yaml` (named `bufferName` in messages), applies `overrides`
/// ("path.to.field=value", e.g. "core.tensor.rows=64") and validates. A
/// document may start from a preset with `base: <preset>`. Every error names
/// the field and its file:line (or the --set that gave it).
llvm::Expected<ChipConfig>
parseChipConfig(llvm::StringRef yaml, llvm::StringRef bufferName,
                llvm::ArrayRef<std::string> overrides = {});

/// Loads a preset by name, or else a YAML file by path.
llvm::Expected<ChipConfig>
loadChipConfig(llvm::StringRef presetOrPath,
               llvm::ArrayRef<std::string> overrides = {});

/// Writes `config` as a YAML chip description that parseChipConfig reads
/// back to the same config.
void printChipConfig(const ChipConfig &config, llvm::raw_ostream &os);

} // namespace gaon::sim

#endif // GAON_SIM_CHIPCONFIG_H
