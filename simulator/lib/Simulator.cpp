//===- Simulator.cpp - Event-driven NPU simulation ------------------------===//
//
// Two phases. A first pass over the program, in program order, checks and
// prices every command with the engine models (compute cycles; DMA latency,
// bytes and the resources it crosses), adds up traffic and energy, and
// chains each queue's commands as compact steps. A command that repeats one
// of its queue's recent ones up to placement reuses its check and its price.
// The event loop then only moves time: one binary heap of timed events (a
// compute command finishes, a DMA command's start-up and latency elapse, the
// bandwidth flows reach their next completion). DMA payloads are fluid flows
// over shared resources (DMA engine, the cores' network and SRAM ports, the
// chips' DRAM, chip-to-chip links) at max-min fair rates, recomputed when a
// flow joins or leaves. Queues blocked on semaphores are woken by signals;
// nothing ticks.
//
//===----------------------------------------------------------------------===//

#include "gaon/Sim/Simulator.h"

#include "Functional.h"
#include "ProgramChecker.h"

#include "gaon/Sim/EngineModels.h"
#include "gaon/Sim/Report.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/Twine.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <queue>

using namespace gaon::sim;
using llvm::Twine;

namespace gaon::sim {

namespace {
enum class EventKind : uint8_t { ComputeDone, DmaStream, FlowCheck };

struct Event {
  uint64_t time;
  uint64_t sequence;
  EventKind kind;
  uint32_t target;
  bool operator>(const Event &other) const {
    return time != other.time ? time > other.time : sequence > other.sequence;
  }
};

constexpr unsigned kMaxFlowResources = 8;

/// A DMA payload: the resources it crosses, bytes of each per payload
/// byte, and (while streaming) what is left and its current rate.
struct Flow {
  uint32_t queue = 0;
  uint8_t numResources = 0;
  uint32_t resources[kMaxFlowResources];
  float weights[kMaxFlowResources];
  double remaining = 0;
  double rate = 0;
  /// Start-up and latency before the payload streams.
  uint64_t latency = 0;
  /// Cycles the whole command would take alone.
  uint64_t idealCycles = 0;

  void add(uint32_t resource, double weight) {
    assert(weight >= 1.0 && "a payload byte costs at least one byte");
    if (numResources == kMaxFlowResources)
      return;
    resources[numResources] = resource;
    weights[numResources] = float(weight);
    ++numResources;
  }
};

/// A priced DMA command, compactly: what its flow crosses (expanded into
/// a Flow when it starts) and what it costs.
struct DmaPlan {
  double payload = 0;
  uint64_t idealCycles = 0;
  uint32_t latency = 0;
  /// Channel bytes per payload byte on the DRAM side (0: no DRAM side).
  float dramWeight = 0;
  /// Bank-word bytes per payload byte on each SRAM side (0: none).
  float sramWeight[2] = {0, 0};
  uint32_t sramCore[2] = {0, 0};
  uint16_t dramChip = 0;
  uint16_t sourceChip = 0, targetChip = 0;
  /// Bit i: SRAM side i goes through its core's network port.
  uint8_t nocPorts = 0;
};

/// What a tensor or vector command costs (before it is added to the
/// report).
struct ComputeCost {
  uint64_t cycles = 0;
  uint64_t sramReads = 0, sramWrites = 0;
  uint64_t macs = 0;
  double macCycles = 0;
  /// MAC energy (matmul) or vector energy.
  double engineEnergy = 0;
  double sramEnergy = 0;
};

/// What a DMA command costs: its plan and its traffic and energy.
struct DmaCost {
  DmaPlan plan;
  uint64_t payload = 0;
  /// Per side (source, target): DRAM channel bytes, and the side's DRAM or
  /// SRAM energy.
  double channelBytes[2] = {0, 0};
  double sideEnergy[2] = {0, 0};
  uint64_t nocBytes = 0, linkBytes = 0;
  double nocEnergy = 0, linkEnergy = 0;
  /// The command's total energy.
  double energy = 0;
};

/// Marks the end of a queue's chain of steps (and an unused cache entry).
constexpr uint32_t kNoStep = ~0u;

/// A priced command and what it cost.
struct PricedCommand {
  uint32_t command = kNoStep;
  ComputeCost compute;
  DmaCost dma;
  /// The index of `dma.plan` in SimulatorImpl::plans.
  uint32_t plan = 0;
};

/// The last few distinctly priced commands of one queue, newest at
/// `newest`, replaced round robin.
constexpr unsigned kPricedPerQueue = 4;
struct PricedCommands {
  std::array<PricedCommand, kPricedPerQueue> entries;
  unsigned newest = 0;
};

/// One command as the event loop sees it. Steps are stored in program
/// order (step i is command i) and each queue chains its own; laying them
/// out per queue would take a counting pass over the whole program first.
struct Step {
  /// Compute commands: cycles. DMA commands: the index of their plan
  /// (they are timed when they start).
  uint64_t cyclesOrPlan;
  /// Index into the op table (ops.size() for commands without an op).
  uint32_t op;
  /// The queue's next step, or kNoStep.
  uint32_t next;
  /// Into Program::semaphoreIds: the waits, then the signals.
  uint32_t firstSync;
  uint16_t numWaits;
  uint16_t numSignals;
};

/// One in-order command queue (one engine of one core).
struct Queue {
  /// The DMA in flight, if this is a DMA queue.
  Flow flow;
  /// The step running or next to run.
  uint32_t next = kNoStep;
  enum class State : uint8_t { Ready, Blocked, Busy } state = State::Ready;
  Engine wokenBy = Engine::Tensor;
  uint64_t blockedSince = 0;
  uint64_t startTime = 0;
  QueueStats stats;
};

struct SemaphoreState {
  int64_t count = 0;
  std::vector<uint32_t> waiters;
};
} // namespace

class SimulatorImpl {
public:
  SimulatorImpl(const Program &program, const ChipConfig &chip,
                SimOptions options)
      : program(program), chip(chip), options(std::move(options)) {
    if (this->options.functional)
      memory = std::make_unique<FunctionalMemory>(program, chip);
  }

  llvm::Expected<Report> run();

  std::unique_ptr<FunctionalMemory> memory;

private:
  // Layout of queues and resources.
  uint32_t getCoreIndex(uint32_t chipId, uint32_t core) const {
    return chipId * uint32_t(chip.cores) + core;
  }
  uint32_t getQueueIndex(const Command &command) const {
    uint32_t slot = command.kind == CommandKind::Dma ? command.queue
                    : command.kind == CommandKind::Matmul
                        ? uint32_t(chip.core.dma.engines)
                        : uint32_t(chip.core.dma.engines) + 1;
    return getCoreIndex(command.chip, command.core) * queuesPerCore + slot;
  }
  uint32_t nocPort(uint32_t coreIndex) const { return numQueues + coreIndex; }
  uint32_t sramPort(uint32_t coreIndex) const {
    return numQueues + numCores + coreIndex;
  }
  uint32_t dramOf(uint32_t chipId) const {
    return numQueues + 2 * numCores + chipId;
  }
  uint32_t linkResource(int64_t link) const {
    return numQueues + 2 * numCores + program.chips + uint32_t(link);
  }

  llvm::Error setUp();
  ComputeCost priceCompute(const Command &command) const;
  DmaCost priceDma(const Command &command, uint32_t queueIndex) const;
  /// Adds a priced command to the report and its op's totals.
  void account(const Command &command, const ComputeCost &cost, OpStats &op);
  void account(const Command &command, const DmaCost &cost, OpStats &op);
  /// True if commands `a` and `b` of one queue have the same cost: the same
  /// attributes and views that differ at most in where they start, anywhere
  /// in SRAM and by whole DRAM transfer units in DRAM.
  /// `b` has been checked, `a` need not have been.
  bool costsTheSame(const Command &a, const Command &b) const;
  /// The entry of `recent` that costs the same as `command`, if any.
  PricedCommand *findPriced(PricedCommands &recent, const Command &command);
  /// Sets `flow` to the flow of `plan` on queue `queueIndex`.
  void expand(const DmaPlan &plan, uint32_t queueIndex, Flow &flow) const;
  /// Links from chip `from` to chip `to`, in order.
  llvm::ArrayRef<int64_t> getRoute(uint16_t from, uint16_t to) const {
    return routes[size_t(from) * program.chips + to];
  }

  void push(uint64_t time, EventKind kind, uint32_t target) {
    events.push({time, sequence++, kind, target});
  }
  void tryStart(uint32_t queueIndex);
  void finishStep(uint32_t queueIndex);
  void advanceFlows();
  void recomputeRates();
  void scheduleFlowCheck();
  void onFlowCheck();
  llvm::Error deadlockError() const;

  const Program &program;
  const ChipConfig &chip;
  SimOptions options;
  SystemConfig system;

  uint32_t queuesPerCore = 0, numCores = 0, numQueues = 0;
  bool idealDram = false;
  /// SystemConfig::route for every pair of chips (chips * chips), which
  /// DMAs between chips look up.
  std::vector<std::vector<int64_t>> routes;
  std::vector<Queue> queues;
  std::vector<Step> steps;
  /// The DMA plans steps refer to (repeated commands share one).
  std::vector<DmaPlan> plans;
  std::vector<SemaphoreState> semaphores;
  std::vector<double> capacity;
  std::vector<double> residual;
  std::vector<double> demand;
  std::vector<Flow *> activeFlows;
  uint64_t lastAdvance = 0;
  uint64_t flowGeneration = 0;
  bool ratesDirty = false;

  std::priority_queue<Event, std::vector<Event>, std::greater<Event>> events;
  uint64_t sequence = 0;
  uint64_t now = 0;
  uint64_t completed = 0;

  /// A functional-mode execution error, if any.
  std::optional<std::string> failure;
  Report report;
  /// Per op id, then one entry for commands without an op.
  std::vector<OpStats> ops;
  double macCycles = 0;
  double dramChannelBytes = 0;
};

} // namespace gaon::sim

//===----------------------------------------------------------------------===//
// Pricing (the first pass)
//===----------------------------------------------------------------------===//

ComputeCost SimulatorImpl::priceCompute(const Command &command) const {
  CommandViews unpacked = program.getViews(command);
  llvm::ArrayRef<View> views = unpacked;
  ComputeCost cost;
  if (command.kind == CommandKind::Matmul) {
    GemmShape shape = getGemmShape(command, views);
    Precision precision = *getPrecision(views[0].dtype);
    cost.cycles = uint64_t(getTensorCycles(chip.core.tensor, shape, precision));
    TensorTraffic traffic =
        getTensorTraffic(chip.core.tensor, shape, command.accumulate);
    uint64_t inWidth = uint64_t(getByteWidth(views[0].dtype));
    uint64_t accWidth = uint64_t(getByteWidth(views[2].dtype));
    cost.sramReads = uint64_t(traffic.lhsReads + traffic.rhsReads) * inWidth +
                     uint64_t(traffic.accReads) * accWidth;
    cost.sramWrites = uint64_t(traffic.accWrites) * accWidth;
    cost.macs = uint64_t(shape.getMacs());
    cost.macCycles =
        double(cost.macs) / double(chip.core.tensor.getMacsPerCycle(precision));
    cost.engineEnergy =
        double(cost.macs) * chip.energy.macPj[unsigned(precision)];
  } else {
    const View &output = views.back();
    int64_t outputBytes = output.getNumBytes();
    int64_t elements = command.kind == CommandKind::VectorReduce
                           ? views[0].getNumElements()
                           : output.getNumElements();
    cost.cycles =
        uint64_t(getVectorCycles(chip.core.vector, command, elements));
    for (const View &view : views.drop_back())
      cost.sramReads += uint64_t(view.getNumBytes());
    if (command.kind == CommandKind::VectorReduce && command.accumulate)
      cost.sramReads += uint64_t(outputBytes);
    cost.sramWrites = uint64_t(outputBytes);
    cost.engineEnergy = double(elements) * chip.energy.vectorPjPerElement;
  }
  cost.sramEnergy =
      double(cost.sramReads + cost.sramWrites) * chip.energy.sramPjPerByte;
  return cost;
}

void SimulatorImpl::account(const Command &command, const ComputeCost &cost,
                            OpStats &op) {
  report.sramReadBytes += cost.sramReads;
  report.sramWriteBytes += cost.sramWrites;
  if (command.kind == CommandKind::Matmul) {
    report.macs += cost.macs;
    op.macs += cost.macs;
    macCycles += cost.macCycles;
    report.energy.macPj += cost.engineEnergy;
  } else {
    report.energy.vectorPj += cost.engineEnergy;
  }
  report.energy.sramPj += cost.sramEnergy;
  op.sramBytes += cost.sramReads + cost.sramWrites;
  op.energyPj += cost.engineEnergy + cost.sramEnergy;
}

DmaCost SimulatorImpl::priceDma(const Command &command,
                                uint32_t queueIndex) const {
  CommandViews unpacked = program.getViews(command);
  llvm::ArrayRef<View> views = unpacked;
  const View &source = views[0], &target = views[1];
  DmaCost cost;
  DmaPlan &plan = cost.plan;
  int64_t payload = source.getNumBytes();
  cost.payload = uint64_t(payload);
  plan.payload = double(payload);
  uint64_t latency = uint64_t(chip.core.dma.startupCycles);
  cost.energy = chip.energy.dmaPjPerCommand;

  auto chipOf = [&](const View &view) -> uint16_t {
    return view.space == MemorySpace::Dram ? program.buffers[view.buffer].chip
                                           : view.chip;
  };
  plan.sourceChip = chipOf(source);
  plan.targetChip = chipOf(target);
  // A copy inside one core's SRAM stays off the network.
  bool local = source.space == MemorySpace::Sram &&
               target.space == MemorySpace::Sram &&
               plan.sourceChip == plan.targetChip && source.core == target.core;
  int64_t hops = 0;
  unsigned sramSides = 0;
  for (auto [side, view] : llvm::enumerate(views)) {
    bool isWrite = side == 1;
    if (view.space == MemorySpace::Dram) {
      const Buffer &buffer = program.buffers[view.buffer];
      int64_t start =
          int64_t(buffer.address) + view.offset * getByteWidth(view.dtype);
      DramCost dram = getDramCost(chip.dram, view, start, isWrite);
      cost.channelBytes[side] = dram.channelBytes;
      cost.sideEnergy[side] = dram.channelBytes * chip.energy.dramPjPerByte;
      if (payload > 0) {
        plan.dramChip = buffer.chip;
        plan.dramWeight = float(dram.channelBytes / double(payload));
      }
      latency += uint64_t(chip.dram.latencyCycles);
      hops += chip.noc.getHopsToMemory(command.core, chip.cores);
    } else {
      plan.sramCore[sramSides] = getCoreIndex(view.chip, view.core);
      plan.sramWeight[sramSides] =
          float(getSramAccessFactor(chip.core.sram, view));
      if (!local)
        plan.nocPorts |= uint8_t(1u << sramSides);
      ++sramSides;
      cost.sideEnergy[side] = double(payload) * chip.energy.sramPjPerByte;
    }
    cost.energy += cost.sideEnergy[side];
  }
  if (source.space == MemorySpace::Sram && target.space == MemorySpace::Sram &&
      plan.sourceChip == plan.targetChip)
    hops = chip.noc.getHopsBetween(source.core, target.core, chip.cores);
  latency += uint64_t(hops * chip.noc.hopCycles);
  cost.nocBytes = local ? 0 : uint64_t(payload);
  cost.nocEnergy = double(cost.nocBytes) * chip.energy.nocPjPerByte;
  cost.energy += cost.nocEnergy;
  if (plan.sourceChip != plan.targetChip) {
    size_t linkHops = getRoute(plan.sourceChip, plan.targetChip).size();
    latency += uint64_t(linkHops) * uint64_t(chip.system.linkLatencyCycles);
    cost.linkBytes = uint64_t(payload) * linkHops;
    cost.linkEnergy = double(cost.linkBytes) * chip.energy.linkPjPerByte;
    cost.energy += cost.linkEnergy;
  }

  if (idealDram) {
    // Ideal memory: only the engine's start-up costs time.
    latency = uint64_t(chip.core.dma.startupCycles);
    plan.payload = 0;
  }
  plan.latency = uint32_t(std::min<uint64_t>(latency, UINT32_MAX));
  // Alone, the flow would run at its tightest resource.
  Flow flow;
  expand(plan, queueIndex, flow);
  double soloRate = INFINITY;
  for (unsigned i = 0; i < flow.numResources; ++i)
    soloRate =
        std::min(soloRate, capacity[flow.resources[i]] / flow.weights[i]);
  plan.idealCycles =
      latency + uint64_t(std::ceil(plan.payload / soloRate - 1e-9));
  return cost;
}

void SimulatorImpl::account(const Command &command, const DmaCost &cost,
                            OpStats &op) {
  report.energy.dmaPj += chip.energy.dmaPjPerCommand;
  for (auto [side, view] : llvm::enumerate(program.getPackedViews(command))) {
    bool isWrite = side == 1;
    if (program.getLayout(view).space == MemorySpace::Dram) {
      (isWrite ? report.dramWriteBytes : report.dramReadBytes) += cost.payload;
      dramChannelBytes += cost.channelBytes[side];
      op.dramBytes += cost.payload;
      report.energy.dramPj += cost.sideEnergy[side];
    } else {
      (isWrite ? report.sramWriteBytes : report.sramReadBytes) += cost.payload;
      op.sramBytes += cost.payload;
      report.energy.sramPj += cost.sideEnergy[side];
    }
  }
  report.nocBytes += cost.nocBytes;
  report.energy.nocPj += cost.nocEnergy;
  if (cost.plan.sourceChip != cost.plan.targetChip) {
    report.chipLinkBytes += cost.linkBytes;
    report.energy.linkPj += cost.linkEnergy;
  }
  op.energyPj += cost.energy;
}

bool SimulatorImpl::costsTheSame(const Command &a, const Command &b) const {
  if (a.kind != b.kind || a.opKind != b.opKind || a.axis != b.axis ||
      a.transposeLhs != b.transposeLhs || a.transposeRhs != b.transposeRhs ||
      a.accumulate != b.accumulate)
    return false;
  for (auto [x, y] :
       llvm::zip_equal(program.getPackedViews(a), program.getPackedViews(b))) {
    if (x.layout != y.layout)
      return false;
    const ViewLayout &layout = program.getLayout(x);
    if (layout.space == MemorySpace::Sram) {
      if (x.bufferOrCore != y.bufferOrCore)
        return false;
      continue;
    }
    if (x.bufferOrCore >= program.buffers.size())
      return false;
    const Buffer &xBuffer = program.buffers[x.bufferOrCore],
                 &yBuffer = program.buffers[y.bufferOrCore];
    int64_t width = getByteWidth(layout.dtype), unit = chip.dram.transferBytes;
    if (xBuffer.chip != yBuffer.chip ||
        (int64_t(xBuffer.address) + x.offset * width) % unit !=
            (int64_t(yBuffer.address) + y.offset * width) % unit)
      return false;
  }
  return true;
}

PricedCommand *SimulatorImpl::findPriced(PricedCommands &recent,
                                         const Command &command) {
  for (unsigned i = 0; i < kPricedPerQueue; ++i) {
    PricedCommand &entry =
        recent.entries[(recent.newest + kPricedPerQueue - i) % kPricedPerQueue];
    if (entry.command != kNoStep &&
        costsTheSame(command, program.commands[entry.command]))
      return &entry;
  }
  return nullptr;
}

void SimulatorImpl::expand(const DmaPlan &plan, uint32_t queueIndex,
                           Flow &flow) const {
  flow.numResources = 0;
  flow.rate = 0;
  flow.queue = queueIndex;
  flow.remaining = plan.payload;
  flow.idealCycles = plan.idealCycles;
  flow.latency = plan.latency;
  flow.add(queueIndex, 1.0);
  if (plan.dramWeight > 0)
    flow.add(dramOf(plan.dramChip), plan.dramWeight);
  for (unsigned side = 0; side < 2; ++side) {
    if (plan.sramWeight[side] <= 0)
      continue;
    flow.add(sramPort(plan.sramCore[side]), plan.sramWeight[side]);
    if (plan.nocPorts & (1u << side))
      flow.add(nocPort(plan.sramCore[side]), 1.0);
  }
  if (plan.sourceChip != plan.targetChip)
    for (int64_t link : getRoute(plan.sourceChip, plan.targetChip))
      flow.add(linkResource(link), 1.0);
}

llvm::Error SimulatorImpl::setUp() {
  system = chip.system;
  system.chips = program.chips;
  idealDram = chip.dram.isIdeal();
  if (program.chips > 1) {
    routes.resize(size_t(program.chips) * program.chips);
    for (uint32_t from = 0; from < program.chips; ++from)
      for (uint32_t to = 0; to < program.chips; ++to)
        if (from != to)
          routes[size_t(from) * program.chips + to] = system.route(from, to);
  }
  queuesPerCore = uint32_t(chip.core.dma.engines) + 2;
  numCores = program.chips * uint32_t(chip.cores);
  numQueues = numCores * queuesPerCore;
  queues.assign(numQueues, Queue());
  for (uint32_t chipId = 0; chipId < program.chips; ++chipId)
    for (uint32_t core = 0; core < uint32_t(chip.cores); ++core)
      for (uint32_t slot = 0; slot < queuesPerCore; ++slot) {
        QueueStats &stats =
            queues[getCoreIndex(chipId, core) * queuesPerCore + slot].stats;
        stats.chip = uint16_t(chipId);
        stats.core = core;
        stats.engine = slot < uint32_t(chip.core.dma.engines) ? Engine::Dma
                       : slot == uint32_t(chip.core.dma.engines)
                           ? Engine::Tensor
                           : Engine::Vector;
        stats.queue = stats.engine == Engine::Dma ? uint8_t(slot) : 0;
      }

  // Resource capacities in bytes per cycle.
  size_t numResources =
      numQueues + 2 * numCores + program.chips + size_t(system.getNumLinks());
  capacity.assign(numResources, 0);
  for (uint32_t q = 0; q < numQueues; ++q)
    capacity[q] = chip.core.dma.bytesPerCycle;
  for (uint32_t c = 0; c < numCores; ++c) {
    capacity[nocPort(c)] = chip.noc.linkBytesPerCycle;
    capacity[sramPort(c)] = chip.core.sram.bytesPerCycle;
  }
  for (uint32_t c = 0; c < program.chips; ++c)
    capacity[dramOf(c)] = chip.dram.getBytesPerCycle();
  for (int64_t link = 0; link < system.getNumLinks(); ++link)
    capacity[linkResource(link)] = chip.system.linkBytesPerCycle;
  residual.assign(numResources, 0);
  demand.assign(numResources, 0);

  semaphores.resize(program.semaphores.size());
  for (auto [state, semaphore] : llvm::zip(semaphores, program.semaphores))
    state.count = semaphore.initial;

  ops.resize(program.ops.size() + 1);
  for (auto [id, stats] : llvm::enumerate(ops))
    stats.op = id < program.ops.size() ? uint32_t(id) : kNoOp;

  // Check, price and lay out every command on its queue in one pass in
  // program order; a program with errors is not simulated.
  ProgramChecker checker(program, chip);
  checker.checkGlobals();
  steps.resize(program.commands.size());
  std::vector<uint32_t> lastStep(numQueues, kNoStep);
  std::vector<PricedCommands> recentlyPriced(numQueues);
  for (auto [index, command] : llvm::enumerate(program.commands)) {
    // A queue's commands mostly repeat a few shapes (the tiles of an op,
    // loads and stores): a command that costs the same as one of the
    // queue's last few distinct valid ones needs neither its layout checked
    // nor pricing.
    bool onQueue = command.chip < program.chips &&
                   command.core < uint64_t(chip.cores) &&
                   (command.kind != CommandKind::Dma ||
                    command.queue < chip.core.dma.engines);
    uint32_t queueIndex = onQueue ? getQueueIndex(command) : 0;
    PricedCommand *priced =
        onQueue ? findPriced(recentlyPriced[queueIndex], command) : nullptr;
    if (!checker.checkCommand(index, /*layoutChecked=*/priced != nullptr)) {
      if (checker.isFull())
        break;
      continue;
    }
    uint32_t opIndex =
        command.op == kNoOp ? uint32_t(program.ops.size()) : command.op;
    Step &step = steps[index];
    step.op = opIndex;
    step.next = kNoStep;
    step.firstSync = command.firstSemaphore;
    step.numWaits = command.numWaits;
    step.numSignals = command.numSignals;
    bool isDma = command.kind == CommandKind::Dma;
    if (!priced) {
      PricedCommands &recent = recentlyPriced[queueIndex];
      recent.newest = (recent.newest + 1) % kPricedPerQueue;
      priced = &recent.entries[recent.newest];
      priced->command = uint32_t(index);
      if (isDma) {
        priced->dma = priceDma(command, queueIndex);
        priced->plan = uint32_t(plans.size());
        plans.push_back(priced->dma.plan);
      } else {
        priced->compute = priceCompute(command);
      }
    }
    if (isDma) {
      account(command, priced->dma, ops[opIndex]);
      step.cyclesOrPlan = priced->plan;
    } else {
      account(command, priced->compute, ops[opIndex]);
      step.cyclesOrPlan = priced->compute.cycles;
    }
    uint32_t &last = lastStep[queueIndex];
    (last == kNoStep ? queues[queueIndex].next : steps[last].next) =
        uint32_t(index);
    last = uint32_t(index);
  }
  return checker.takeError();
}

//===----------------------------------------------------------------------===//
// The event loop
//===----------------------------------------------------------------------===//

void SimulatorImpl::tryStart(uint32_t queueIndex) {
  Queue &queue = queues[queueIndex];
  if (queue.state == Queue::State::Busy || queue.next == kNoStep)
    return;
  const Step &step = steps[queue.next];
  // A queue's next steps and their semaphore ids follow closely in program
  // order: fetch them ahead.
  if (queue.next + 16 < steps.size())
    __builtin_prefetch(&steps[queue.next + 16]);
  if (queue.next + 8 < steps.size())
    __builtin_prefetch(program.semaphoreIds.data() +
                       steps[queue.next + 8].firstSync);
  const uint32_t *waits = program.semaphoreIds.data() + step.firstSync;
  // All waits are taken at once: each semaphore must cover every time the
  // command lists it.
  for (unsigned i = 0; i < step.numWaits; ++i) {
    int64_t count = semaphores[waits[i]].count;
    // A semaphore is listed between once and numWaits times: count only
    // when it matters.
    int64_t needed = 1;
    if (count >= 1 && count < int64_t(step.numWaits)) {
      needed = 0;
      for (unsigned j = 0; j < step.numWaits; ++j)
        needed += waits[j] == waits[i];
    }
    if (count < needed) {
      if (queue.state != Queue::State::Blocked) {
        queue.state = Queue::State::Blocked;
        queue.blockedSince = now;
      }
      semaphores[waits[i]].waiters.push_back(queueIndex);
      return;
    }
  }
  for (unsigned i = 0; i < step.numWaits; ++i)
    --semaphores[waits[i]].count;
  if (queue.state == Queue::State::Blocked) {
    uint64_t stalled = now - queue.blockedSince;
    (queue.wokenBy == Engine::Dma ? queue.stats.stallDma
                                  : queue.stats.stallSemaphore) += stalled;
  }
  queue.state = Queue::State::Busy;
  queue.startTime = now;
  OpStats &op = ops[step.op];
  if (op.commands == 0)
    op.start = now;
  ++op.commands;
  if (queue.stats.engine != Engine::Dma) {
    queue.stats.busy += step.cyclesOrPlan;
    op.engineCycles += step.cyclesOrPlan;
    push(now + step.cyclesOrPlan, EventKind::ComputeDone, queueIndex);
  } else {
    expand(plans[step.cyclesOrPlan], queueIndex, queue.flow);
    push(now + queue.flow.latency, EventKind::DmaStream, queueIndex);
  }
}

void SimulatorImpl::finishStep(uint32_t queueIndex) {
  Queue &queue = queues[queueIndex];
  uint32_t index = queue.next;
  const Step &step = steps[index];
  OpStats &op = ops[step.op];
  if (queue.stats.engine == Engine::Dma) {
    uint64_t elapsed = now - queue.startTime;
    uint64_t ideal = std::min(queue.flow.idealCycles, elapsed);
    queue.stats.busy += ideal;
    queue.stats.stallBandwidth += elapsed - ideal;
    op.engineCycles += elapsed;
  }
  ++queue.stats.commands;
  op.end = std::max(op.end, now);
  if (options.collectTrace)
    report.trace.push_back({index, queue.startTime, now});
  if (memory && !failure) {
    const Command &command = program.commands[index];
    CommandViews views = program.getViews(command);
    if (llvm::Error error = memory->execute(command, views))
      failure = program.describeCommand(index) +
                ": error: " + stringifyCommandKind(command.kind).str() + ": " +
                llvm::toString(std::move(error));
  }
  queue.state = Queue::State::Ready;
  queue.next = step.next;
  ++completed;
  if (options.progress && completed % options.progressInterval == 0)
    options.progress(completed, program.commands.size(), now);

  // Signal, wake the waiters in the order they blocked, then move on.
  Engine engine = queue.stats.engine;
  const uint32_t *signals =
      program.semaphoreIds.data() + step.firstSync + step.numWaits;
  llvm::SmallVector<uint32_t, 8> woken;
  for (unsigned i = 0; i < step.numSignals; ++i) {
    SemaphoreState &semaphore = semaphores[signals[i]];
    ++semaphore.count;
    for (uint32_t waiter : semaphore.waiters) {
      queues[waiter].wokenBy = engine;
      woken.push_back(waiter);
    }
    semaphore.waiters.clear();
  }
  for (uint32_t waiter : woken)
    tryStart(waiter);
  tryStart(queueIndex);
}

void SimulatorImpl::advanceFlows() {
  if (now == lastAdvance)
    return;
  double elapsed = double(now - lastAdvance);
  for (Flow *flow : activeFlows)
    flow->remaining -= flow->rate * elapsed;
  lastAdvance = now;
}

void SimulatorImpl::recomputeRates() {
  // Progressive filling: raise every unfrozen flow's rate together until a
  // resource saturates, freeze the flows through it, repeat.
  for (Flow *flow : activeFlows) {
    flow->rate = 0;
    for (unsigned i = 0; i < flow->numResources; ++i) {
      residual[flow->resources[i]] = capacity[flow->resources[i]];
      demand[flow->resources[i]] = 0;
    }
  }
  llvm::SmallVector<Flow *, 32> unfrozen(activeFlows.begin(),
                                         activeFlows.end());
  while (!unfrozen.empty()) {
    for (Flow *flow : unfrozen)
      for (unsigned i = 0; i < flow->numResources; ++i)
        demand[flow->resources[i]] += flow->weights[i];
    double step = INFINITY;
    for (Flow *flow : unfrozen)
      for (unsigned i = 0; i < flow->numResources; ++i) {
        uint32_t r = flow->resources[i];
        step = std::min(step, residual[r] / demand[r]);
      }
    for (Flow *flow : unfrozen) {
      flow->rate += step;
      for (unsigned i = 0; i < flow->numResources; ++i)
        residual[flow->resources[i]] -= step * flow->weights[i];
    }
    for (Flow *flow : unfrozen)
      for (unsigned i = 0; i < flow->numResources; ++i)
        demand[flow->resources[i]] = 0;
    llvm::erase_if(unfrozen, [&](Flow *flow) {
      for (unsigned i = 0; i < flow->numResources; ++i) {
        uint32_t r = flow->resources[i];
        if (residual[r] <= 1e-9 * capacity[r])
          return true;
      }
      return false;
    });
  }
}

void SimulatorImpl::scheduleFlowCheck() {
  ++flowGeneration;
  if (activeFlows.empty())
    return;
  double earliest = INFINITY;
  for (Flow *flow : activeFlows)
    earliest = std::min(earliest, flow->remaining / flow->rate);
  uint64_t delay = uint64_t(std::ceil(std::max(0.0, earliest) - 1e-9));
  push(now + delay, EventKind::FlowCheck, uint32_t(flowGeneration));
}

void SimulatorImpl::onFlowCheck() {
  advanceFlows();
  llvm::SmallVector<uint32_t, 8> done;
  llvm::erase_if(activeFlows, [&](Flow *flow) {
    if (flow->remaining > 1e-6 && flow->remaining > flow->rate * 1e-9)
      return false;
    done.push_back(flow->queue);
    return true;
  });
  ratesDirty = true;
  for (uint32_t queueIndex : done)
    finishStep(queueIndex);
}

llvm::Error SimulatorImpl::deadlockError() const {
  std::vector<std::string> blocked;
  for (const Queue &queue : queues) {
    if (queue.next == kNoStep)
      continue;
    const Command &command = program.commands[queue.next];
    std::string waits;
    for (uint32_t id : program.getWaits(command))
      waits += (waits.empty() ? "" : ", ") + std::to_string(id) + " (count " +
               std::to_string(semaphores[id].count) + ")";
    blocked.push_back("  " + program.describeCommand(queue.next) + ": " +
                      stringifyCommandKind(command.kind).str() + " on " +
                      getQueueName(queue.stats) + " waits on semaphore " +
                      waits);
  }
  return llvm::createStringError(
      llvm::inconvertibleErrorCode(),
      "deadlock at cycle " + Twine(now) + ": " + Twine(blocked.size()) +
          " queue(s) wait on semaphores no remaining command signals:\n" +
          llvm::join(blocked, "\n"));
}

llvm::Expected<Report> SimulatorImpl::run() {
  if (llvm::Error error = setUp())
    return std::move(error);
  for (uint32_t q = 0; q < numQueues; ++q)
    tryStart(q);
  // Events at one time form a batch: flow rates are recomputed once, after
  // every flow that joins or leaves at that time has done so.
  while (!failure) {
    if (events.empty() || events.top().time > now) {
      if (ratesDirty) {
        ratesDirty = false;
        recomputeRates();
        scheduleFlowCheck();
        continue;
      }
      if (events.empty())
        break;
    }
    Event event = events.top();
    events.pop();
    now = event.time;
    switch (event.kind) {
    case EventKind::ComputeDone:
      finishStep(event.target);
      break;
    case EventKind::DmaStream: {
      Flow &flow = queues[event.target].flow;
      if (flow.remaining <= 0) {
        finishStep(event.target);
        break;
      }
      advanceFlows();
      activeFlows.push_back(&flow);
      ratesDirty = true;
      break;
    }
    case EventKind::FlowCheck:
      if (event.target == uint32_t(flowGeneration))
        onFlowCheck();
      break;
    }
  }
  if (failure)
    return llvm::createStringError(llvm::inconvertibleErrorCode(), *failure);
  if (completed != program.commands.size())
    return deadlockError();
  if (options.progress && completed % options.progressInterval != 0)
    options.progress(completed, program.commands.size(), now);

  report.chip = chip.name;
  report.clockMhz = chip.clockMhz;
  report.functional = options.functional;
  report.cycles = now;
  report.seconds = chip.getSeconds(double(now));
  report.commands = program.commands.size();
  report.dramChannelBytes = uint64_t(std::llround(dramChannelBytes));
  for (Queue &queue : queues) {
    QueueStats &stats = queue.stats;
    stats.idle =
        now - std::min(now, stats.busy + stats.stallDma + stats.stallSemaphore +
                                stats.stallBandwidth);
    report.queues.push_back(stats);
  }
  report.tensorUtilization =
      now == 0 ? 0 : macCycles / (double(now) * double(numCores));
  for (const Buffer &buffer : program.buffers) {
    if (buffer.role == BufferRole::Input || buffer.role == BufferRole::Weight)
      report.hostUploadBytes += buffer.size;
    else if (buffer.role == BufferRole::Output)
      report.hostDownloadBytes += buffer.size;
  }
  uint64_t hostBytes = report.hostUploadBytes + report.hostDownloadBytes;
  if (hostBytes > 0)
    report.hostCycles =
        uint64_t(std::ceil(double(hostBytes) / chip.host.bytesPerCycle)) +
        (report.hostUploadBytes ? uint64_t(chip.host.latencyCycles) : 0) +
        (report.hostDownloadBytes ? uint64_t(chip.host.latencyCycles) : 0);
  report.energy.staticPj =
      chip.energy.staticWatts * double(program.chips) * report.seconds * 1e12;
  // Ops without commands are dropped; commands without an op come last.
  for (OpStats &op : ops)
    if (op.commands > 0)
      report.ops.push_back(op);
  return std::move(report);
}

//===----------------------------------------------------------------------===//
// Public interface
//===----------------------------------------------------------------------===//

Simulator::Simulator(const Program &program, const ChipConfig &chip,
                     SimOptions options)
    : impl(std::make_unique<SimulatorImpl>(program, chip, std::move(options))) {
}

Simulator::~Simulator() = default;

llvm::MutableArrayRef<uint8_t> Simulator::getBufferData(uint32_t id) {
  if (!impl->memory)
    return {};
  return impl->memory->getBuffer(id);
}

llvm::Expected<llvm::MutableArrayRef<uint8_t>>
Simulator::getBufferData(llvm::StringRef name) {
  if (!impl->memory)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "buffer contents exist only in functional "
                                   "mode");
  std::optional<uint32_t> id = impl->memory->findBuffer(name);
  if (!id)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "the program has no buffer named '" +
                                       name.str() + "'");
  return impl->memory->getBuffer(*id);
}

llvm::Expected<Report> Simulator::run() { return impl->run(); }

llvm::Expected<Report> gaon::sim::simulate(const Program &program,
                                           const ChipConfig &chip,
                                           const SimOptions &options) {
  return Simulator(program, chip, options).run();
}
