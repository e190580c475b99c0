//===- Simulator.h - Event-driven NPU simulation ----------------*- C++ -*-===//
//
// Runs a Program on a ChipConfig. Time jumps from event to event (a command
// finishes, a transfer starts streaming, a transfer finishes); idle engines
// are never ticked. DMA transfers share DRAM channels, network ports, SRAM
// ports and chip-to-chip links max-min fairly, so their rates change as
// transfers start and finish. Timing mode computes no values; functional
// mode also executes every command on real buffers with the CPU kernels.
//
//===----------------------------------------------------------------------===//

#ifndef GAON_SIM_SIMULATOR_H
#define GAON_SIM_SIMULATOR_H

#include "gaon/Sim/ChipConfig.h"
#include "gaon/Sim/Program.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace gaon::sim {

struct SimOptions {
  /// Execute every command on real data (Simulator::getBufferData).
  bool functional = false;
  /// Keep one trace event per command (Report::trace).
  bool collectTrace = false;
  /// Called every `progressInterval` completed commands and at the end.
  std::function<void(uint64_t done, uint64_t total, uint64_t cycle)> progress;
  uint64_t progressInterval = 1u << 20;
};

/// Time of one engine queue of one core. busy + stalls + idle = cycles.
struct QueueStats {
  uint16_t chip = 0;
  uint32_t core = 0;
  Engine engine = Engine::Dma;
  /// DMA queue index.
  uint8_t queue = 0;
  uint64_t commands = 0;
  /// Executing at the rate the engine would have alone.
  uint64_t busy = 0;
  /// Blocked on a semaphore signalled by a DMA command.
  uint64_t stallDma = 0;
  /// Blocked on a semaphore signalled by a tensor or vector command.
  uint64_t stallSemaphore = 0;
  /// DMA only: extra transfer time because bandwidth was shared.
  uint64_t stallBandwidth = 0;
  uint64_t idle = 0;
};

/// Per debug op (source MLIR op) totals.
struct OpStats {
  uint32_t op = kNoOp;
  uint64_t commands = 0;
  /// Sum of the engine time of its commands.
  uint64_t engineCycles = 0;
  /// First start and last end.
  uint64_t start = 0;
  uint64_t end = 0;
  uint64_t macs = 0;
  uint64_t dramBytes = 0;
  uint64_t sramBytes = 0;
  double energyPj = 0;
};

/// Energy by event class, picojoules (modeled from EnergyConfig).
struct EnergyBreakdown {
  double macPj = 0, sramPj = 0, dramPj = 0, nocPj = 0, linkPj = 0, dmaPj = 0,
         vectorPj = 0, staticPj = 0;
  double getTotalPj() const {
    return macPj + sramPj + dramPj + nocPj + linkPj + dmaPj + vectorPj +
           staticPj;
  }
};

struct TraceEvent {
  uint32_t command = 0;
  uint64_t start = 0;
  uint64_t end = 0;
};

/// What one simulation produced; every figure is simulated or modeled.
struct Report {
  std::string chip;
  double clockMhz = 0;
  bool functional = false;
  uint64_t cycles = 0;
  double seconds = 0;
  uint64_t commands = 0;
  std::vector<QueueStats> queues;
  uint64_t dramReadBytes = 0;
  uint64_t dramWriteBytes = 0;
  /// Channel occupancy in bytes, including transfer-unit rounding and
  /// unaligned/row-switch penalties.
  uint64_t dramChannelBytes = 0;
  uint64_t sramReadBytes = 0;
  uint64_t sramWriteBytes = 0;
  uint64_t nocBytes = 0;
  uint64_t chipLinkBytes = 0;
  uint64_t macs = 0;
  /// MACs / (cycles * peak MACs per cycle of the precisions used).
  double tensorUtilization = 0;
  /// Modeled host-link time to upload inputs and weights and download
  /// outputs (not part of `cycles`).
  uint64_t hostUploadBytes = 0;
  uint64_t hostDownloadBytes = 0;
  uint64_t hostCycles = 0;
  EnergyBreakdown energy;
  /// One entry per debug op that has commands, in op id order, then one
  /// with op == kNoOp for commands without one (if any).
  std::vector<OpStats> ops;
  /// Per command, in completion order (SimOptions::collectTrace).
  std::vector<TraceEvent> trace;
};

class SimulatorImpl;

/// A simulation of one program on one chip. In functional mode, fill the
/// input and weight buffers through getBufferData before run() and read the
/// outputs after.
class Simulator {
public:
  Simulator(const Program &program, const ChipConfig &chip,
            SimOptions options = {});
  ~Simulator();

  /// The bytes of DRAM buffer `id` (functional mode; zero-initialised).
  llvm::MutableArrayRef<uint8_t> getBufferData(uint32_t id);
  /// By buffer name; an error if there is none.
  llvm::Expected<llvm::MutableArrayRef<uint8_t>>
  getBufferData(llvm::StringRef name);

  /// Verifies the program against the chip, then simulates it. Errors:
  /// verification failures, and deadlocks (naming the blocked queues).
  llvm::Expected<Report> run();

private:
  std::unique_ptr<SimulatorImpl> impl;
};

/// Verifies and simulates in timing mode (or as `options` says).
llvm::Expected<Report> simulate(const Program &program, const ChipConfig &chip,
                                const SimOptions &options = {});

} // namespace gaon::sim

#endif // GAON_SIM_SIMULATOR_H
