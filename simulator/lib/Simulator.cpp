//===- Simulator.cpp - Event-driven NPU simulation
//-------------------------===//
//
// One binary heap of timed events drives everything: a compute command's
// completion, a DMA command's start-up/latency elapsing, and a check of the
// bandwidth-sharing flows. DMA payloads are fluid flows over shared
// resources (DMA engine, the core's network port and SRAM port, the chip's
// DRAM, chip-to-chip links) whose rates are max-min fair and recomputed
// whenever a flow joins or leaves. Queues block on semaphores and are woken
// by signals; nothing ticks while it waits.
//
//===----------------------------------------------------------------------===//

#include "gaon/Sim/Simulator.h"

#include "Functional.h"

#include "gaon/Sim/EngineModels.h"
#include "gaon/Sim/Report.h"
#include "gaon/Sim/Verify.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/Twine.h"

#include <algorithm>
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

/// A DMA payload in flight.
struct Flow {
  uint32_t queue;
  uint8_t numResources = 0;
  uint32_t resources[kMaxFlowResources];
  double weights[kMaxFlowResources];
  double remaining = 0;
  double rate = 0;
};

/// One in-order command queue (one engine of one core).
struct Queue {
  std::vector<uint32_t> commands;
  size_t next = 0;
  enum class State : uint8_t { Ready, Blocked, Busy } state = State::Ready;
  uint64_t blockedSince = 0;
  Engine wokenBy = Engine::Tensor;
  bool wasBlocked = false;
  uint64_t startTime = 0;
  /// DMA: time the command would take alone.
  uint64_t idealCycles = 0;
  /// DMA: the pending flow (valid between DmaStream and completion).
  Flow flow;
  QueueStats stats;
};

struct SemaphoreState {
  int64_t count = 0;
  std::vector<uint32_t> waiters;
  Engine lastSignaller = Engine::Tensor;
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

  void setUp();
  void push(uint64_t time, EventKind kind, uint32_t target) {
    events.push({time, sequence++, kind, target});
  }
  void tryStart(uint32_t queueIndex);
  void startCommand(uint32_t queueIndex, uint32_t commandIndex);
  void startDma(uint32_t queueIndex, const Command &command);
  void finishCommand(uint32_t queueIndex);
  void advanceFlows();
  void recomputeRates();
  void scheduleFlowCheck();
  void onFlowCheck();
  void addFlowResource(Flow &flow, uint32_t resource, double weight) {
    flow.resources[flow.numResources] = resource;
    flow.weights[flow.numResources] = weight;
    ++flow.numResources;
  }
  OpStats &opStats(const Command &command) {
    return command.op == kNoOp ? noOpStats : report.ops[command.op];
  }
  llvm::Error deadlockError() const;

  const Program &program;
  const ChipConfig &chip;
  SimOptions options;

  uint32_t queuesPerCore = 0, numCores = 0, numQueues = 0;
  std::vector<Queue> queues;
  std::vector<SemaphoreState> semaphores;
  std::vector<double> capacity;
  std::vector<double> residual;
  std::vector<double> demand;
  std::vector<Flow *> activeFlows;
  uint64_t lastAdvance = 0;
  uint64_t flowGeneration = 0;

  std::priority_queue<Event, std::vector<Event>, std::greater<Event>> events;
  uint64_t sequence = 0;
  uint64_t now = 0;
  uint64_t completed = 0;

  /// A functional-mode execution error, if any.
  std::optional<std::string> failure;
  Report report;
  OpStats noOpStats;
  double macCycles = 0;
  double dramChannelBytes = 0;
};

} // namespace gaon::sim

void SimulatorImpl::setUp() {
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
  for (auto [index, command] : llvm::enumerate(program.commands))
    queues[getQueueIndex(command)].commands.push_back(uint32_t(index));

  semaphores.resize(program.semaphores.size());
  for (auto [state, semaphore] : llvm::zip(semaphores, program.semaphores))
    state.count = semaphore.initial;

  // Resource capacities in bytes per cycle.
  SystemConfig system = chip.system;
  system.chips = program.chips;
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

  report.ops.resize(program.ops.size());
  for (auto [id, stats] : llvm::enumerate(report.ops))
    stats.op = uint32_t(id);
  noOpStats.op = kNoOp;
}

void SimulatorImpl::tryStart(uint32_t queueIndex) {
  Queue &queue = queues[queueIndex];
  if (queue.state == Queue::State::Busy || queue.next >= queue.commands.size())
    return;
  uint32_t commandIndex = queue.commands[queue.next];
  const Command &command = program.commands[commandIndex];
  llvm::ArrayRef<uint32_t> waits = program.getWaits(command);
  // All waits are taken at once: each semaphore must cover every time the
  // command lists it.
  for (uint32_t id : waits) {
    int64_t needed = llvm::count(waits, id);
    if (semaphores[id].count < needed) {
      if (queue.state != Queue::State::Blocked) {
        queue.state = Queue::State::Blocked;
        queue.blockedSince = now;
      }
      semaphores[id].waiters.push_back(queueIndex);
      return;
    }
  }
  for (uint32_t id : waits)
    --semaphores[id].count;
  if (queue.state == Queue::State::Blocked) {
    uint64_t stalled = now - queue.blockedSince;
    if (queue.wokenBy == Engine::Dma)
      queue.stats.stallDma += stalled;
    else
      queue.stats.stallSemaphore += stalled;
  }
  queue.state = Queue::State::Busy;
  startCommand(queueIndex, commandIndex);
}

void SimulatorImpl::startCommand(uint32_t queueIndex, uint32_t commandIndex) {
  Queue &queue = queues[queueIndex];
  const Command &command = program.commands[commandIndex];
  llvm::ArrayRef<View> views = program.getViews(command);
  queue.startTime = now;
  OpStats &op = opStats(command);
  if (op.commands == 0 || now < op.start)
    op.start = now;
  ++op.commands;

  if (command.kind == CommandKind::Dma) {
    startDma(queueIndex, command);
    return;
  }
  uint64_t cycles;
  uint64_t sramBytes = 0;
  double energy = 0;
  if (command.kind == CommandKind::Matmul) {
    GemmShape shape = getGemmShape(command, views);
    Precision precision = *getPrecision(views[0].dtype);
    cycles = uint64_t(getTensorCycles(chip.core.tensor, shape, precision));
    TensorTraffic traffic =
        getTensorTraffic(chip.core.tensor, shape, command.accumulate);
    uint64_t inWidth = uint64_t(getByteWidth(views[0].dtype));
    uint64_t accWidth = uint64_t(getByteWidth(views[2].dtype));
    uint64_t reads = uint64_t(traffic.lhsReads + traffic.rhsReads) * inWidth +
                     uint64_t(traffic.accReads) * accWidth;
    uint64_t writes = uint64_t(traffic.accWrites) * accWidth;
    report.sramReadBytes += reads;
    report.sramWriteBytes += writes;
    sramBytes = reads + writes;
    uint64_t macs = uint64_t(shape.getMacs());
    report.macs += macs;
    op.macs += macs;
    macCycles +=
        double(macs) / double(chip.core.tensor.getMacsPerCycle(precision));
    double macEnergy = double(macs) * chip.energy.macPj[unsigned(precision)];
    report.energy.macPj += macEnergy;
    energy += macEnergy;
  } else {
    const View &output = views.back();
    int64_t elements = command.kind == CommandKind::VectorReduce
                           ? views[0].getNumElements()
                           : output.getNumElements();
    cycles = uint64_t(getVectorCycles(chip.core.vector, command, elements));
    uint64_t reads = 0;
    for (const View &view : views.drop_back())
      reads += uint64_t(view.getNumBytes());
    if (command.kind == CommandKind::VectorReduce && command.accumulate)
      reads += uint64_t(output.getNumBytes());
    uint64_t writes = uint64_t(output.getNumBytes());
    report.sramReadBytes += reads;
    report.sramWriteBytes += writes;
    sramBytes = reads + writes;
    double vectorEnergy = double(elements) * chip.energy.vectorPjPerElement;
    report.energy.vectorPj += vectorEnergy;
    energy += vectorEnergy;
  }
  double sramEnergy = double(sramBytes) * chip.energy.sramPjPerByte;
  report.energy.sramPj += sramEnergy;
  op.sramBytes += sramBytes;
  op.energyPj += energy + sramEnergy;
  queue.stats.busy += cycles;
  op.engineCycles += cycles;
  push(now + cycles, EventKind::ComputeDone, queueIndex);
}

void SimulatorImpl::startDma(uint32_t queueIndex, const Command &command) {
  Queue &queue = queues[queueIndex];
  llvm::ArrayRef<View> views = program.getViews(command);
  const View &source = views[0], &target = views[1];
  int64_t payload = source.getNumBytes();
  OpStats &op = opStats(command);

  Flow &flow = queue.flow;
  flow = Flow();
  flow.queue = queueIndex;
  flow.remaining = double(payload);
  addFlowResource(flow, queueIndex, 1.0);
  uint64_t latency = uint64_t(chip.core.dma.startupCycles);
  double energy = chip.energy.dmaPjPerCommand;
  report.energy.dmaPj += chip.energy.dmaPjPerCommand;

  // The chips each side lives on, and the network path between them.
  auto chipOf = [&](const View &view) -> uint32_t {
    return view.space == MemorySpace::Dram ? program.buffers[view.buffer].chip
                                           : view.chip;
  };
  uint32_t sourceChip = chipOf(source), targetChip = chipOf(target);
  bool local = source.space == MemorySpace::Sram &&
               target.space == MemorySpace::Sram &&
               source.chip == target.chip && source.core == target.core;
  int64_t hops = 0;
  for (const View &view : views) {
    if (view.space == MemorySpace::Dram) {
      const Buffer &buffer = program.buffers[view.buffer];
      bool isWrite = &view == &target;
      int64_t start =
          int64_t(buffer.address) + view.offset * getByteWidth(view.dtype);
      DramCost cost = getDramCost(chip.dram, view, start, isWrite);
      (isWrite ? report.dramWriteBytes : report.dramReadBytes) +=
          uint64_t(payload);
      dramChannelBytes += cost.channelBytes;
      op.dramBytes += uint64_t(payload);
      double dramEnergy = cost.channelBytes * chip.energy.dramPjPerByte;
      report.energy.dramPj += dramEnergy;
      energy += dramEnergy;
      if (payload > 0)
        addFlowResource(flow, dramOf(buffer.chip),
                        cost.channelBytes / double(payload));
      latency += uint64_t(chip.dram.latencyCycles);
      hops += chip.noc.getHopsToMemory(command.core, chip.cores);
    } else {
      uint32_t viewCore = getCoreIndex(view.chip, view.core);
      double factor = getSramAccessFactor(chip.core.sram, view);
      addFlowResource(flow, sramPort(viewCore), factor);
      if (!local)
        addFlowResource(flow, nocPort(viewCore), 1.0);
      (&view == &target ? report.sramWriteBytes : report.sramReadBytes) +=
          uint64_t(payload);
      op.sramBytes += uint64_t(payload);
      double sramEnergy = double(payload) * chip.energy.sramPjPerByte;
      report.energy.sramPj += sramEnergy;
      energy += sramEnergy;
    }
  }
  if (source.space == MemorySpace::Sram && target.space == MemorySpace::Sram &&
      sourceChip == targetChip)
    hops = chip.noc.getHopsBetween(source.core, target.core, chip.cores);
  latency += uint64_t(hops * chip.noc.hopCycles);
  uint64_t nocBytes = local ? 0 : uint64_t(payload);
  report.nocBytes += nocBytes;
  double nocEnergy = double(nocBytes) * chip.energy.nocPjPerByte;
  report.energy.nocPj += nocEnergy;
  energy += nocEnergy;
  // Chip-to-chip links along the route.
  if (sourceChip != targetChip) {
    SystemConfig system = chip.system;
    system.chips = program.chips;
    std::vector<int64_t> route = system.route(sourceChip, targetChip);
    for (int64_t link : route)
      if (flow.numResources < kMaxFlowResources)
        addFlowResource(flow, linkResource(link), 1.0);
    latency += uint64_t(route.size()) * uint64_t(chip.system.linkLatencyCycles);
    uint64_t linkBytes = uint64_t(payload) * route.size();
    report.chipLinkBytes += linkBytes;
    double linkEnergy = double(linkBytes) * chip.energy.linkPjPerByte;
    report.energy.linkPj += linkEnergy;
    energy += linkEnergy;
  }
  op.energyPj += energy;

  if (chip.dram.isIdeal()) {
    // Ideal memory: only the engine's start-up costs time.
    latency = uint64_t(chip.core.dma.startupCycles);
    flow.remaining = 0;
  }
  // Alone, the flow would run at its tightest resource.
  double soloRate = INFINITY;
  for (unsigned i = 0; i < flow.numResources; ++i)
    soloRate =
        std::min(soloRate, capacity[flow.resources[i]] / flow.weights[i]);
  queue.idealCycles =
      latency + uint64_t(std::ceil(flow.remaining / soloRate - 1e-9));
  push(now + latency, EventKind::DmaStream, queueIndex);
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
    llvm::SmallVector<Flow *, 32> still;
    for (Flow *flow : unfrozen) {
      bool saturated = false;
      for (unsigned i = 0; i < flow->numResources; ++i) {
        uint32_t r = flow->resources[i];
        saturated |= residual[r] <= 1e-9 * capacity[r];
      }
      if (!saturated)
        still.push_back(flow);
    }
    for (Flow *flow : unfrozen)
      for (unsigned i = 0; i < flow->numResources; ++i)
        demand[flow->resources[i]] = 0;
    unfrozen = std::move(still);
  }
}

void SimulatorImpl::scheduleFlowCheck() {
  ++flowGeneration;
  double earliest = INFINITY;
  for (Flow *flow : activeFlows)
    earliest = std::min(earliest, flow->remaining / flow->rate);
  if (activeFlows.empty())
    return;
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
  recomputeRates();
  scheduleFlowCheck();
  for (uint32_t queueIndex : done)
    finishCommand(queueIndex);
}

void SimulatorImpl::finishCommand(uint32_t queueIndex) {
  Queue &queue = queues[queueIndex];
  uint32_t commandIndex = queue.commands[queue.next];
  const Command &command = program.commands[commandIndex];
  uint64_t elapsed = now - queue.startTime;
  if (command.kind == CommandKind::Dma) {
    uint64_t ideal = std::min(queue.idealCycles, elapsed);
    queue.stats.busy += ideal;
    queue.stats.stallBandwidth += elapsed - ideal;
    opStats(command).engineCycles += elapsed;
  }
  ++queue.stats.commands;
  OpStats &op = opStats(command);
  op.end = std::max(op.end, now);
  if (options.collectTrace)
    report.trace.push_back({commandIndex, queue.startTime, now});
  if (memory && !failure)
    if (llvm::Error error = memory->execute(command, program.getViews(command)))
      failure = llvm::toString(std::move(error));

  queue.state = Queue::State::Ready;
  ++queue.next;
  ++completed;
  if (options.progress && completed % options.progressInterval == 0)
    options.progress(completed, program.commands.size(), now);

  // Signal, wake the waiters in the order they blocked, then move on.
  llvm::SmallVector<uint32_t, 8> woken;
  for (uint32_t id : program.getSignals(command)) {
    SemaphoreState &semaphore = semaphores[id];
    ++semaphore.count;
    semaphore.lastSignaller = command.getEngine();
    for (uint32_t waiter : semaphore.waiters) {
      queues[waiter].wokenBy = command.getEngine();
      woken.push_back(waiter);
    }
    semaphore.waiters.clear();
  }
  for (uint32_t waiter : woken)
    tryStart(waiter);
  tryStart(queueIndex);
}

llvm::Error SimulatorImpl::deadlockError() const {
  std::vector<std::string> blocked;
  for (const Queue &queue : queues) {
    if (queue.next >= queue.commands.size())
      continue;
    uint32_t commandIndex = queue.commands[queue.next];
    const Command &command = program.commands[commandIndex];
    std::string waits;
    for (uint32_t id : program.getWaits(command))
      waits += (waits.empty() ? "" : ", ") + std::to_string(id) + " (count " +
               std::to_string(semaphores[id].count) + ")";
    blocked.push_back("  " + program.describeCommand(commandIndex) + ": " +
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
  if (llvm::Error error = verifyProgram(program, chip))
    return std::move(error);
  setUp();
  for (uint32_t q = 0; q < numQueues; ++q)
    tryStart(q);
  while (!events.empty()) {
    Event event = events.top();
    events.pop();
    now = event.time;
    switch (event.kind) {
    case EventKind::ComputeDone:
      finishCommand(event.target);
      break;
    case EventKind::DmaStream: {
      Flow &flow = queues[event.target].flow;
      if (flow.remaining <= 0) {
        finishCommand(event.target);
        break;
      }
      advanceFlows();
      activeFlows.push_back(&flow);
      recomputeRates();
      scheduleFlowCheck();
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
  llvm::erase_if(report.ops,
                 [](const OpStats &op) { return op.commands == 0; });
  if (noOpStats.commands > 0)
    report.ops.push_back(noOpStats);
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
