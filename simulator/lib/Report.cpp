//===- Report.cpp - JSON, CSV, Chrome trace and text reports --------------===//

#include "gaon/Sim/Report.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <set>

using namespace gaon::sim;
using llvm::StringRef;

std::string gaon::sim::getQueueName(const QueueStats &queue) {
  std::string name;
  if (queue.chip != 0)
    name += "chip " + std::to_string(queue.chip) + " ";
  name += "core " + std::to_string(queue.core) + " " +
          stringifyEngine(queue.engine).str();
  if (queue.engine == Engine::Dma)
    name += " " + std::to_string(queue.queue);
  return name;
}

/// Cores that ran at least one command; reports list all queues of these.
static std::set<std::pair<uint16_t, uint32_t>>
getActiveCores(const Report &report) {
  std::set<std::pair<uint16_t, uint32_t>> cores;
  for (const QueueStats &queue : report.queues)
    if (queue.commands > 0)
      cores.insert({queue.chip, queue.core});
  return cores;
}

static StringRef getOpName(const Program &program, uint32_t op) {
  return op == kNoOp ? StringRef("(no op)") : StringRef(program.ops[op].name);
}
static StringRef getOpLocation(const Program &program, uint32_t op) {
  return op == kNoOp ? StringRef() : StringRef(program.ops[op].location);
}

void gaon::sim::writeJsonReport(const Report &report, const Program &program,
                                llvm::raw_ostream &os) {
  llvm::json::OStream json(os, 2);
  json.object([&] {
    json.attribute("format", "gaon-sim-report");
    json.attribute("version", 1);
    json.attribute("chip", report.chip);
    json.attribute("clock_mhz", report.clockMhz);
    json.attribute("mode", report.functional ? "functional" : "timing");
    json.attributeObject("provenance", [&] {
      json.attribute("cycles", "simulated");
      json.attribute("traffic", "simulated");
      json.attribute("energy", "modeled");
      json.attribute("host", "modeled");
    });
    json.attribute("cycles", int64_t(report.cycles));
    json.attribute("seconds", report.seconds);
    json.attribute("commands", int64_t(report.commands));
    json.attribute("macs", int64_t(report.macs));
    json.attribute("tensor_utilization", report.tensorUtilization);
    json.attributeObject("traffic_bytes", [&] {
      json.attribute("dram_read", int64_t(report.dramReadBytes));
      json.attribute("dram_write", int64_t(report.dramWriteBytes));
      json.attribute("dram_channel", int64_t(report.dramChannelBytes));
      json.attribute("sram_read", int64_t(report.sramReadBytes));
      json.attribute("sram_write", int64_t(report.sramWriteBytes));
      json.attribute("noc", int64_t(report.nocBytes));
      json.attribute("chip_link", int64_t(report.chipLinkBytes));
    });
    json.attributeObject("energy_pj", [&] {
      const EnergyBreakdown &energy = report.energy;
      json.attribute("mac", energy.macPj);
      json.attribute("sram", energy.sramPj);
      json.attribute("dram", energy.dramPj);
      json.attribute("noc", energy.nocPj);
      json.attribute("chip_link", energy.linkPj);
      json.attribute("dma", energy.dmaPj);
      json.attribute("vector", energy.vectorPj);
      json.attribute("static", energy.staticPj);
      json.attribute("total", energy.getTotalPj());
    });
    json.attribute("average_power_w",
                   report.seconds > 0
                       ? report.energy.getTotalPj() * 1e-12 / report.seconds
                       : 0.0);
    json.attributeObject("host", [&] {
      json.attribute("upload_bytes", int64_t(report.hostUploadBytes));
      json.attribute("download_bytes", int64_t(report.hostDownloadBytes));
      json.attribute("cycles", int64_t(report.hostCycles));
    });
    std::set<std::pair<uint16_t, uint32_t>> cores = getActiveCores(report);
    json.attributeArray("engines", [&] {
      for (const QueueStats &queue : report.queues) {
        if (!cores.count({queue.chip, queue.core}))
          continue;
        json.object([&] {
          json.attribute("name", getQueueName(queue));
          json.attribute("chip", int64_t(queue.chip));
          json.attribute("core", int64_t(queue.core));
          json.attribute("engine", stringifyEngine(queue.engine));
          if (queue.engine == Engine::Dma)
            json.attribute("queue", int64_t(queue.queue));
          json.attribute("commands", int64_t(queue.commands));
          json.attribute("busy", int64_t(queue.busy));
          json.attribute("stall_dma", int64_t(queue.stallDma));
          json.attribute("stall_semaphore", int64_t(queue.stallSemaphore));
          json.attribute("stall_bandwidth", int64_t(queue.stallBandwidth));
          json.attribute("idle", int64_t(queue.idle));
        });
      }
    });
    json.attributeArray("ops", [&] {
      for (const OpStats &op : report.ops) {
        json.object([&] {
          if (op.op == kNoOp)
            json.attribute("op", nullptr);
          else
            json.attribute("op", int64_t(op.op));
          json.attribute("name", getOpName(program, op.op));
          json.attribute("location", getOpLocation(program, op.op));
          json.attribute("commands", int64_t(op.commands));
          json.attribute("engine_cycles", int64_t(op.engineCycles));
          json.attribute("start", int64_t(op.start));
          json.attribute("end", int64_t(op.end));
          json.attribute("macs", int64_t(op.macs));
          json.attribute("dram_bytes", int64_t(op.dramBytes));
          json.attribute("sram_bytes", int64_t(op.sramBytes));
          json.attribute("energy_pj", op.energyPj);
        });
      }
    });
  });
  os << "\n";
}

/// A CSV field, quoted when it holds a comma, quote or newline.
static void writeCsvField(llvm::raw_ostream &os, StringRef field) {
  if (field.find_first_of(",\"\n") == StringRef::npos) {
    os << field;
    return;
  }
  os << '"';
  for (char c : field) {
    if (c == '"')
      os << '"';
    os << c;
  }
  os << '"';
}

void gaon::sim::writeOpCsv(const Report &report, const Program &program,
                           llvm::raw_ostream &os) {
  os << "op,name,location,commands,engine_cycles,start_cycle,end_cycle,"
        "span_cycles,macs,dram_bytes,sram_bytes,energy_pj\n";
  for (const OpStats &op : report.ops) {
    if (op.op != kNoOp)
      os << op.op;
    os << ",";
    writeCsvField(os, getOpName(program, op.op));
    os << ",";
    writeCsvField(os, getOpLocation(program, op.op));
    os << "," << op.commands << "," << op.engineCycles << "," << op.start << ","
       << op.end << "," << (op.end - op.start) << "," << op.macs << ","
       << op.dramBytes << "," << op.sramBytes << ","
       << llvm::format("%.3f", op.energyPj) << "\n";
  }
}

void gaon::sim::writeChromeTrace(const Report &report, const Program &program,
                                 llvm::raw_ostream &os) {
  // One process per core, one thread per engine queue; timestamps in
  // microseconds of simulated time.
  uint32_t queuesPerCore = 0;
  uint32_t coresPerChip = 0;
  for (const QueueStats &queue : report.queues) {
    if (queue.chip == 0 && queue.core == 0)
      ++queuesPerCore;
    if (queue.chip == 0)
      coresPerChip = std::max(coresPerChip, queue.core + 1);
  }
  auto pidOf = [&](uint32_t chip, uint32_t core) {
    return int64_t(chip) * coresPerChip + core;
  };
  auto tidOf = [&](const Command &command) -> int64_t {
    if (command.kind == CommandKind::Dma)
      return command.queue;
    return command.kind == CommandKind::Matmul ? queuesPerCore - 2
                                               : queuesPerCore - 1;
  };
  double cyclesPerMicrosecond = report.clockMhz;
  llvm::json::OStream json(os);
  json.object([&] {
    json.attribute("displayTimeUnit", "ns");
    json.attributeObject("otherData", [&] {
      json.attribute("chip", report.chip);
      json.attribute("clock_mhz", report.clockMhz);
      json.attribute("cycles", int64_t(report.cycles));
      json.attribute("time", "simulated");
    });
    json.attributeArray("traceEvents", [&] {
      std::set<std::pair<uint16_t, uint32_t>> cores = getActiveCores(report);
      uint32_t slot = 0;
      for (const QueueStats &queue : report.queues) {
        uint32_t thisSlot = slot++ % queuesPerCore;
        if (!cores.count({queue.chip, queue.core}))
          continue;
        int64_t pid = pidOf(queue.chip, queue.core);
        if (thisSlot == 0)
          json.object([&] {
            json.attribute("name", "process_name");
            json.attribute("ph", "M");
            json.attribute("pid", pid);
            json.attributeObject("args", [&] {
              json.attribute("name",
                             (queue.chip
                                  ? "chip " + std::to_string(queue.chip) + " "
                                  : std::string()) +
                                 "core " + std::to_string(queue.core));
            });
          });
        json.object([&] {
          json.attribute("name", "thread_name");
          json.attribute("ph", "M");
          json.attribute("pid", pid);
          json.attribute("tid", int64_t(thisSlot));
          json.attributeObject("args", [&] {
            std::string name = stringifyEngine(queue.engine).str();
            if (queue.engine == Engine::Dma)
              name += " " + std::to_string(queue.queue);
            json.attribute("name", name);
          });
        });
      }
      for (const TraceEvent &event : report.trace) {
        const Command &command = program.commands[event.command];
        json.object([&] {
          json.attribute("name", command.op == kNoOp
                                     ? stringifyCommandKind(command.kind)
                                     : getOpName(program, command.op));
          json.attribute("cat", stringifyCommandKind(command.kind));
          json.attribute("ph", "X");
          json.attribute("pid", pidOf(command.chip, command.core));
          json.attribute("tid", tidOf(command));
          json.attribute("ts", double(event.start) / cyclesPerMicrosecond);
          json.attribute("dur", double(event.end - event.start) /
                                    cyclesPerMicrosecond);
          json.attributeObject("args", [&] {
            json.attribute("command", int64_t(event.command));
            json.attribute("start_cycle", int64_t(event.start));
            json.attribute("cycles", int64_t(event.end - event.start));
            if (command.op != kNoOp) {
              json.attribute("op", int64_t(command.op));
              json.attribute("location", getOpLocation(program, command.op));
            }
          });
        });
      }
    });
  });
  os << "\n";
}

/// "12.3 %" of `part` in `whole`.
static std::string percent(uint64_t part, uint64_t whole) {
  std::string text;
  llvm::raw_string_ostream(text) << llvm::format(
      "%5.1f%%", whole ? 100.0 * double(part) / double(whole) : 0.0);
  return text;
}

/// Bytes with a binary unit.
static std::string formatBytes(uint64_t bytes) {
  std::string text;
  llvm::raw_string_ostream os(text);
  if (bytes >= (uint64_t(1) << 30))
    os << llvm::format("%.2f GiB", double(bytes) / double(1 << 30));
  else if (bytes >= (1 << 20))
    os << llvm::format("%.2f MiB", double(bytes) / double(1 << 20));
  else if (bytes >= 1024)
    os << llvm::format("%.2f KiB", double(bytes) / 1024.0);
  else
    os << bytes << " B";
  return text;
}

void gaon::sim::printSummary(const Report &report, const Program &program,
                             llvm::raw_ostream &os) {
  os << "chip " << report.chip << " at " << llvm::format("%g", report.clockMhz)
     << " MHz, " << (report.functional ? "functional" : "timing") << " mode\n";
  os << llvm::format("  cycles      %llu (simulated), %.3f us\n",
                     (unsigned long long)report.cycles, report.seconds * 1e6);
  os << "  commands    " << report.commands << "\n";
  os << llvm::format("  tensor util %.1f%% of peak (%llu MACs)\n",
                     100.0 * report.tensorUtilization,
                     (unsigned long long)report.macs);
  os << "  DRAM        read " << formatBytes(report.dramReadBytes) << ", write "
     << formatBytes(report.dramWriteBytes) << ", channel occupancy "
     << formatBytes(report.dramChannelBytes) << "\n";
  os << "  SRAM        read " << formatBytes(report.sramReadBytes) << ", write "
     << formatBytes(report.sramWriteBytes) << "\n";
  if (report.chipLinkBytes)
    os << "  chip links  " << formatBytes(report.chipLinkBytes) << "\n";
  const EnergyBreakdown &energy = report.energy;
  os << llvm::format(
      "  energy      %.3f uJ (modeled): mac %.3f, sram %.3f, "
      "dram %.3f, noc %.3f, links %.3f, dma %.3f, vector %.3f, "
      "static %.3f\n",
      energy.getTotalPj() * 1e-6, energy.macPj * 1e-6, energy.sramPj * 1e-6,
      energy.dramPj * 1e-6, energy.nocPj * 1e-6, energy.linkPj * 1e-6,
      energy.dmaPj * 1e-6, energy.vectorPj * 1e-6, energy.staticPj * 1e-6);
  if (report.hostCycles)
    os << "  host I/O    " << report.hostCycles << " cycles (modeled; "
       << formatBytes(report.hostUploadBytes) << " up, "
       << formatBytes(report.hostDownloadBytes)
       << " down; not in the cycles above)\n";
  os << "  engine               commands    busy  stall-dma  stall-sem  "
        "stall-bw    idle\n";
  std::set<std::pair<uint16_t, uint32_t>> cores = getActiveCores(report);
  for (const QueueStats &queue : report.queues) {
    if (!cores.count({queue.chip, queue.core}))
      continue;
    os << llvm::format("  %-20s %8llu  ", getQueueName(queue).c_str(),
                       (unsigned long long)queue.commands)
       << percent(queue.busy, report.cycles) << "     "
       << percent(queue.stallDma, report.cycles) << "     "
       << percent(queue.stallSemaphore, report.cycles) << "    "
       << percent(queue.stallBandwidth, report.cycles) << "  "
       << percent(queue.idle, report.cycles) << "\n";
  }
  // The costliest ops by engine time.
  std::vector<const OpStats *> ops;
  for (const OpStats &op : report.ops)
    ops.push_back(&op);
  llvm::stable_sort(ops, [](const OpStats *a, const OpStats *b) {
    return a->engineCycles > b->engineCycles;
  });
  if (!ops.empty())
    os << "  top ops by engine cycles:\n";
  for (const OpStats *op : llvm::ArrayRef(ops).take_front(10))
    os << llvm::format("    %12llu  %-24s %s\n",
                       (unsigned long long)op->engineCycles,
                       getOpName(program, op->op).str().c_str(),
                       getOpLocation(program, op->op).str().c_str());
}
