//===- ChipConfig.cpp - YAML chip descriptions ----------------------------===//
//
// Loading works in layers with LLVM's YAML I/O: fields absent from a
// document keep their current value, so a `base:` preset, the document and
// each `--set path=value` (turned into a one-field document) are read one
// over the other into the same ChipConfig. Validation then names each bad
// field with the file:line the value came from, found by walking the YAML
// node tree, or with the --set that gave it.
//
//===----------------------------------------------------------------------===//

#include "gaon/Sim/ChipConfig.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/YAMLParser.h"
#include "llvm/Support/YAMLTraits.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <map>

using namespace gaon::sim;
using llvm::StringRef;
using llvm::Twine;

//===----------------------------------------------------------------------===//
// Topology helpers
//===----------------------------------------------------------------------===//

StringRef gaon::sim::stringifyNocTopology(NocTopology topology) {
  static constexpr StringRef names[] = {"crossbar", "ring", "mesh"};
  return names[unsigned(topology)];
}

StringRef gaon::sim::stringifyLinkTopology(LinkTopology topology) {
  return topology == LinkTopology::Ring ? "ring" : "fully-connected";
}

/// Width of the near-square grid a mesh lays `cores` out on.
static int64_t getMeshWidth(int64_t cores) {
  int64_t width = 1;
  while (width * width < cores)
    ++width;
  return width;
}

int64_t NocConfig::getHopsToMemory(int64_t core, int64_t cores) const {
  switch (topology) {
  case NocTopology::Crossbar:
    return 1;
  case NocTopology::Ring:
    // The memory controller is one more ring stop, after the last core.
    return std::min(core + 1, cores - core);
  case NocTopology::Mesh: {
    // Memory controllers sit on every edge of the grid.
    int64_t width = getMeshWidth(cores);
    int64_t height = (cores + width - 1) / width;
    int64_t x = core % width, y = core / width;
    return 1 + std::min({x, y, width - 1 - x, height - 1 - y});
  }
  }
  return 1;
}

int64_t NocConfig::getHopsBetween(int64_t a, int64_t b, int64_t cores) const {
  if (a == b)
    return 0;
  switch (topology) {
  case NocTopology::Crossbar:
    return 1;
  case NocTopology::Ring: {
    int64_t stops = cores + 1, distance = std::abs(a - b);
    return std::min(distance, stops - distance);
  }
  case NocTopology::Mesh: {
    int64_t width = getMeshWidth(cores);
    return std::abs(a % width - b % width) + std::abs(a / width - b / width);
  }
  }
  return 1;
}

int64_t SystemConfig::getNumLinks() const {
  return topology == LinkTopology::Ring ? 2 * chips : chips * chips;
}

std::vector<int64_t> SystemConfig::route(int64_t from, int64_t to) const {
  std::vector<int64_t> links;
  if (from == to)
    return links;
  if (topology == LinkTopology::FullyConnected) {
    links.push_back(from * chips + to);
    return links;
  }
  // Ring: clockwise link i goes i -> i+1 (id i); counter-clockwise link goes
  // i -> i-1 (id chips + i). Take the shorter way, clockwise on a tie.
  int64_t clockwise = (to - from + chips) % chips;
  bool forward = clockwise <= chips - clockwise;
  for (int64_t at = from; at != to;) {
    if (forward) {
      links.push_back(at);
      at = (at + 1) % chips;
    } else {
      links.push_back(chips + at);
      at = (at - 1 + chips) % chips;
    }
  }
  return links;
}

std::vector<Precision> TensorEngineConfig::getPrecisions() const {
  std::vector<Precision> result;
  for (unsigned i = 0; i < kNumPrecisions; ++i)
    if (macsPerCycle[i] > 0)
      result.push_back(Precision(i));
  return result;
}

//===----------------------------------------------------------------------===//
// YAML mapping
//===----------------------------------------------------------------------===//

namespace {
/// A byte count written as an integer or with a unit: "8 MiB", "48 GiB",
/// "512 KB" (binary and decimal units).
struct ByteSize {
  int64_t value = 0;
};

/// Per-precision values, written as a map {int8: .., bf16: ..}.
template <typename T> struct PerPrecision {
  std::array<T, kNumPrecisions> &values;
};

/// `mapOptional` through a wrapper type: the wrapper starts from the
/// field's current value so that an absent key leaves it unchanged.
template <typename Wrapper, typename T>
void mapWrapped(llvm::yaml::IO &io, const char *key, T &field) {
  Wrapper wrapper{field};
  io.mapOptional(key, wrapper);
  field = wrapper.value;
}
} // namespace

namespace llvm::yaml {

template <> struct ScalarTraits<ByteSize> {
  static void output(const ByteSize &size, void *, raw_ostream &os) {
    static constexpr std::pair<int64_t, const char *> units[] = {
        {int64_t(1) << 30, "GiB"}, {int64_t(1) << 20, "MiB"}, {1024, "KiB"}};
    for (auto [scale, unit] : units) {
      if (size.value >= scale && size.value % scale == 0) {
        os << size.value / scale << " " << unit;
        return;
      }
    }
    os << size.value;
  }
  static StringRef input(StringRef scalar, void *, ByteSize &size) {
    StringRef text = scalar.trim();
    size_t digits = text.find_first_not_of("0123456789.");
    StringRef number = text.substr(0, digits);
    StringRef unit = text.substr(std::min(digits, text.size())).trim();
    double value;
    if (number.empty() || number.getAsDouble(value) || value < 0)
      return "expected a byte count such as 4096 or '8 MiB'";
    static const std::map<std::string, double> scales = {
        {"", 1},          {"B", 1},         {"KiB", 1024.0},
        {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1e3},
        {"MB", 1e6},      {"GB", 1e9},      {"TiB", 1099511627776.0}};
    auto it = scales.find(unit.str());
    if (it == scales.end())
      return "unknown byte unit (expected B, KiB, MiB, GiB, TiB, KB, MB or "
             "GB)";
    double bytes = value * it->second;
    if (bytes != std::floor(bytes) || bytes > 9.0e18)
      return "byte count must be a whole number of bytes";
    size.value = int64_t(bytes);
    return StringRef();
  }
  static QuotingType mustQuote(StringRef) { return QuotingType::None; }
};

template <> struct ScalarEnumerationTraits<Dataflow> {
  static void enumeration(IO &io, Dataflow &value) {
    for (unsigned i = 0; i < 4; ++i)
      io.enumCase(value, stringifyDataflow(Dataflow(i)).data(), Dataflow(i));
  }
};

template <> struct ScalarEnumerationTraits<NocTopology> {
  static void enumeration(IO &io, NocTopology &value) {
    for (unsigned i = 0; i < 3; ++i)
      io.enumCase(value, stringifyNocTopology(NocTopology(i)).data(),
                  NocTopology(i));
  }
};

template <> struct ScalarEnumerationTraits<LinkTopology> {
  static void enumeration(IO &io, LinkTopology &value) {
    io.enumCase(value, "ring", LinkTopology::Ring);
    io.enumCase(value, "fully-connected", LinkTopology::FullyConnected);
  }
};

template <typename T> struct MappingTraits<PerPrecision<T>> {
  static void mapping(IO &io, PerPrecision<T> &map) {
    for (unsigned i = 0; i < kNumPrecisions; ++i)
      if (!io.outputting() || map.values[i] != T())
        io.mapOptional(stringifyPrecision(Precision(i)).data(), map.values[i]);
  }
};

template <> struct MappingTraits<VectorOpCycles> {
  static void mapping(IO &io, VectorOpCycles &cycles) {
    for (unsigned i = 0; i < kNumUnaryKinds; ++i)
      io.mapOptional(stringifyUnaryKind(UnaryKind(i)).data(), cycles.unary[i]);
    for (unsigned i = 0; i < kNumBinaryKinds; ++i)
      io.mapOptional(stringifyBinaryKind(BinaryKind(i)).data(),
                     cycles.binary[i]);
    static const std::string reduceKeys[] = {"reduce_sum", "reduce_max",
                                             "reduce_min"};
    for (unsigned i = 0; i < kNumReduceKinds; ++i)
      io.mapOptional(reduceKeys[i].c_str(), cycles.reduce[i]);
    io.mapOptional("cast", cycles.cast);
    io.mapOptional("fill", cycles.fill);
  }
};

template <> struct MappingTraits<TensorEngineConfig> {
  static void mapping(IO &io, TensorEngineConfig &tensor) {
    io.mapOptional("dataflow", tensor.dataflow);
    io.mapOptional("rows", tensor.rows);
    io.mapOptional("cols", tensor.cols);
    io.mapOptional("slices", tensor.slices);
    io.mapOptional("pipeline_cycles", tensor.pipelineCycles);
    PerPrecision<int64_t> macs{tensor.macsPerCycle};
    io.mapOptional("macs_per_cycle", macs);
  }
};

template <> struct MappingTraits<VectorEngineConfig> {
  static void mapping(IO &io, VectorEngineConfig &vector) {
    io.mapOptional("lanes", vector.lanes);
    io.mapOptional("pipeline_cycles", vector.pipelineCycles);
    io.mapOptional("op_cycles", vector.opCycles);
  }
};

template <> struct MappingTraits<SramConfig> {
  static void mapping(IO &io, SramConfig &sram) {
    mapWrapped<ByteSize>(io, "bytes", sram.bytes);
    io.mapOptional("banks", sram.banks);
    io.mapOptional("bytes_per_cycle", sram.bytesPerCycle);
  }
};

template <> struct MappingTraits<DmaConfig> {
  static void mapping(IO &io, DmaConfig &dma) {
    io.mapOptional("engines", dma.engines);
    io.mapOptional("bytes_per_cycle", dma.bytesPerCycle);
    io.mapOptional("startup_cycles", dma.startupCycles);
  }
};

template <> struct MappingTraits<CoreConfig> {
  static void mapping(IO &io, CoreConfig &core) {
    io.mapOptional("tensor", core.tensor);
    io.mapOptional("vector", core.vector);
    io.mapOptional("sram", core.sram);
    io.mapOptional("dma", core.dma);
  }
};

template <> struct MappingTraits<SharedSramConfig> {
  static void mapping(IO &io, SharedSramConfig &shared) {
    mapWrapped<ByteSize>(io, "bytes", shared.bytes);
    io.mapOptional("bytes_per_cycle", shared.bytesPerCycle);
    io.mapOptional("latency_cycles", shared.latencyCycles);
  }
};

template <> struct MappingTraits<DramConfig> {
  static void mapping(IO &io, DramConfig &dram) {
    io.mapOptional("kind", dram.kind);
    mapWrapped<ByteSize>(io, "bytes", dram.bytes);
    io.mapOptional("channels", dram.channels);
    io.mapOptional("bytes_per_cycle_per_channel", dram.bytesPerCyclePerChannel);
    io.mapOptional("latency_cycles", dram.latencyCycles);
    io.mapOptional("transfer_bytes", dram.transferBytes);
    io.mapOptional("unaligned_read_penalty", dram.unalignedReadPenalty);
    io.mapOptional("unaligned_write_penalty", dram.unalignedWritePenalty);
    io.mapOptional("row_bytes", dram.rowBytes);
    io.mapOptional("row_switch_cycles", dram.rowSwitchCycles);
  }
};

template <> struct MappingTraits<NocConfig> {
  static void mapping(IO &io, NocConfig &noc) {
    io.mapOptional("topology", noc.topology);
    io.mapOptional("link_bytes_per_cycle", noc.linkBytesPerCycle);
    io.mapOptional("hop_cycles", noc.hopCycles);
  }
};

template <> struct MappingTraits<HostLinkConfig> {
  static void mapping(IO &io, HostLinkConfig &host) {
    io.mapOptional("kind", host.kind);
    io.mapOptional("bytes_per_cycle", host.bytesPerCycle);
    io.mapOptional("latency_cycles", host.latencyCycles);
  }
};

template <> struct MappingTraits<EnergyConfig> {
  static void mapping(IO &io, EnergyConfig &energy) {
    PerPrecision<double> mac{energy.macPj};
    io.mapOptional("mac_pj", mac);
    io.mapOptional("sram_pj_per_byte", energy.sramPjPerByte);
    io.mapOptional("dram_pj_per_byte", energy.dramPjPerByte);
    io.mapOptional("noc_pj_per_byte", energy.nocPjPerByte);
    io.mapOptional("link_pj_per_byte", energy.linkPjPerByte);
    io.mapOptional("dma_pj_per_command", energy.dmaPjPerCommand);
    io.mapOptional("vector_pj_per_element", energy.vectorPjPerElement);
    io.mapOptional("static_watts", energy.staticWatts);
  }
};

template <> struct MappingTraits<SystemConfig> {
  static void mapping(IO &io, SystemConfig &system) {
    io.mapOptional("chips", system.chips);
    io.mapOptional("topology", system.topology);
    io.mapOptional("link_bytes_per_cycle", system.linkBytesPerCycle);
    io.mapOptional("link_latency_cycles", system.linkLatencyCycles);
  }
};

template <> struct MappingTraits<ChipConfig> {
  static void mapping(IO &io, ChipConfig &chip) {
    // `base` is handled before mapping (see parseChipConfig).
    std::string base;
    if (!io.outputting())
      io.mapOptional("base", base);
    io.mapOptional("name", chip.name);
    io.mapOptional("description", chip.description);
    io.mapOptional("clock_mhz", chip.clockMhz);
    io.mapOptional("cores", chip.cores);
    io.mapOptional("core", chip.core);
    io.mapOptional("shared_sram", chip.sharedSram);
    io.mapOptional("dram", chip.dram);
    io.mapOptional("noc", chip.noc);
    io.mapOptional("host", chip.host);
    io.mapOptional("energy", chip.energy);
    io.mapOptional("system", chip.system);
  }
};

} // namespace llvm::yaml

//===----------------------------------------------------------------------===//
// Sources of values, for messages
//===----------------------------------------------------------------------===//

namespace {
/// One layer of the description: a YAML document (a file, a preset or a
/// --set turned into YAML).
struct Layer {
  std::string name;
  std::string text;
  /// For --set layers: the option as the user wrote it.
  std::string override;
};

/// Finds the line of a dotted field path in a YAML document.
class FieldLocator {
public:
  /// "file:line:col" of `path`'s value in `layer`, or std::nullopt if the
  /// document does not set it.
  static std::optional<std::string> find(const Layer &layer, StringRef path) {
    llvm::SourceMgr sourceMgr;
    sourceMgr.setDiagHandler([](const llvm::SMDiagnostic &, void *) {});
    llvm::yaml::Stream stream(layer.text, sourceMgr);
    for (llvm::yaml::Document &document : stream) {
      llvm::yaml::Node *node = document.getRoot();
      llvm::SmallVector<StringRef> parts;
      path.split(parts, '.');
      for (StringRef part : parts) {
        auto *map = llvm::dyn_cast_or_null<llvm::yaml::MappingNode>(node);
        if (!map)
          return std::nullopt;
        llvm::yaml::Node *found = nullptr;
        for (llvm::yaml::KeyValueNode &entry : *map) {
          auto *key =
              llvm::dyn_cast_or_null<llvm::yaml::ScalarNode>(entry.getKey());
          llvm::SmallString<32> storage;
          if (key && key->getValue(storage) == part) {
            found = entry.getValue();
            break;
          }
        }
        if (!found)
          return std::nullopt;
        node = found;
      }
      if (!node)
        return std::nullopt;
      auto [line, column] =
          sourceMgr.getLineAndColumn(node->getSourceRange().Start);
      return layer.name + ":" + std::to_string(line) + ":" +
             std::to_string(column);
    }
    return std::nullopt;
  }
};

/// Collects validation failures as "where: error: path: message".
class Validator {
public:
  explicit Validator(llvm::ArrayRef<Layer> layers) : layers(layers) {}

  void fail(StringRef path, const Twine &message) {
    errors.push_back(locate(path) + ": error: " + path.str() + ": " +
                     message.str());
  }
  void positive(StringRef path, int64_t value) {
    if (value <= 0)
      fail(path, "must be positive, got " + Twine(value));
  }
  void positive(StringRef path, double value) {
    if (!(value > 0))
      fail(path, "must be positive, got " + formatDouble(value));
  }
  void nonNegative(StringRef path, int64_t value) {
    if (value < 0)
      fail(path, "must not be negative, got " + Twine(value));
  }
  void nonNegative(StringRef path, double value) {
    if (!(value >= 0))
      fail(path, "must not be negative, got " + formatDouble(value));
  }
  void atLeast(StringRef path, double value, double minimum) {
    if (!(value >= minimum))
      fail(path, "must be at least " + formatDouble(minimum) + ", got " +
                     formatDouble(value));
  }
  void atMost(StringRef path, int64_t value, int64_t maximum) {
    if (value > maximum)
      fail(path, "must be at most " + Twine(maximum) + ", got " + Twine(value));
  }

  llvm::Error takeError() {
    if (errors.empty())
      return llvm::Error::success();
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   llvm::join(errors, "\n"));
  }

private:
  static std::string formatDouble(double value) {
    std::string text;
    llvm::raw_string_ostream(text) << value;
    return text;
  }

  /// The last layer that sets `path` (later layers win), else the first
  /// document, pointing at where the missing field belongs.
  std::string locate(StringRef path) {
    for (const Layer &layer : llvm::reverse(layers)) {
      if (std::optional<std::string> where = FieldLocator::find(layer, path))
        return layer.override.empty() ? *where : "--set " + layer.override;
    }
    // Not set anywhere: name the closest enclosing section.
    StringRef parent = path;
    while (parent.contains('.')) {
      parent = parent.rsplit('.').first;
      for (const Layer &layer : llvm::reverse(layers))
        if (layer.override.empty())
          if (std::optional<std::string> where =
                  FieldLocator::find(layer, parent))
            return *where + " (in '" + parent.str() + "', field not set)";
    }
    return layers.empty() ? std::string("<config>")
                          : layers.back().name + " (field not set)";
  }

  llvm::ArrayRef<Layer> layers;
  std::vector<std::string> errors;
};
} // namespace

static const StringRef kDramKinds[] = {
    "ideal", "hbm2",   "hbm2e",   "hbm3",   "hbm3e",   "gddr6", "gddr6x",
    "gddr7", "lpddr4", "lpddr4x", "lpddr5", "lpddr5x", "ddr4",  "ddr5"};

static llvm::Error validate(const ChipConfig &chip,
                            llvm::ArrayRef<Layer> layers) {
  Validator v(layers);
  if (chip.name.empty())
    v.fail("name", "must be set");
  v.positive("clock_mhz", chip.clockMhz);
  v.positive("cores", chip.cores);
  v.atMost("cores", chip.cores, 65535);

  const TensorEngineConfig &tensor = chip.core.tensor;
  v.positive("core.tensor.rows", tensor.rows);
  v.positive("core.tensor.cols", tensor.cols);
  v.positive("core.tensor.slices", tensor.slices);
  if (tensor.isSystolic() && tensor.slices != 1)
    v.fail("core.tensor.slices",
           "must be 1 for a systolic (" +
               stringifyDataflow(tensor.dataflow).str() +
               ") array; slices describe contraction arrays");
  v.nonNegative("core.tensor.pipeline_cycles", tensor.pipelineCycles);
  bool anyPrecision = false;
  for (unsigned i = 0; i < kNumPrecisions; ++i) {
    std::string path =
        "core.tensor.macs_per_cycle." + stringifyPrecision(Precision(i)).str();
    v.nonNegative(path, tensor.macsPerCycle[i]);
    anyPrecision |= tensor.macsPerCycle[i] > 0;
  }
  if (!anyPrecision)
    v.fail("core.tensor.macs_per_cycle",
           "must give a positive rate for at least one of int8, fp8, bf16, "
           "fp16, fp32");

  const VectorEngineConfig &vector = chip.core.vector;
  v.positive("core.vector.lanes", vector.lanes);
  v.nonNegative("core.vector.pipeline_cycles", vector.pipelineCycles);
  for (unsigned i = 0; i < kNumUnaryKinds; ++i)
    v.positive("core.vector.op_cycles." +
                   stringifyUnaryKind(UnaryKind(i)).str(),
               vector.opCycles.unary[i]);
  for (unsigned i = 0; i < kNumBinaryKinds; ++i)
    v.positive("core.vector.op_cycles." +
                   stringifyBinaryKind(BinaryKind(i)).str(),
               vector.opCycles.binary[i]);
  for (unsigned i = 0; i < kNumReduceKinds; ++i)
    v.positive("core.vector.op_cycles.reduce_" +
                   stringifyReduceKind(ReduceKind(i)).str(),
               vector.opCycles.reduce[i]);
  v.positive("core.vector.op_cycles.cast", vector.opCycles.cast);
  v.positive("core.vector.op_cycles.fill", vector.opCycles.fill);

  v.positive("core.sram.bytes", chip.core.sram.bytes);
  v.positive("core.sram.banks", chip.core.sram.banks);
  v.positive("core.sram.bytes_per_cycle", chip.core.sram.bytesPerCycle);

  v.positive("core.dma.engines", chip.core.dma.engines);
  v.atMost("core.dma.engines", chip.core.dma.engines, 255);
  v.positive("core.dma.bytes_per_cycle", chip.core.dma.bytesPerCycle);
  v.nonNegative("core.dma.startup_cycles", chip.core.dma.startupCycles);

  v.nonNegative("shared_sram.bytes", chip.sharedSram.bytes);
  if (chip.sharedSram.bytes > 0)
    v.positive("shared_sram.bytes_per_cycle", chip.sharedSram.bytesPerCycle);
  v.nonNegative("shared_sram.latency_cycles", chip.sharedSram.latencyCycles);

  const DramConfig &dram = chip.dram;
  if (!llvm::is_contained(kDramKinds, StringRef(dram.kind)))
    v.fail("dram.kind",
           "unknown kind '" + dram.kind + "' (expected one of " +
               llvm::join(llvm::ArrayRef<StringRef>(kDramKinds), ", ") + ")");
  v.positive("dram.bytes", dram.bytes);
  v.positive("dram.channels", dram.channels);
  v.positive("dram.bytes_per_cycle_per_channel", dram.bytesPerCyclePerChannel);
  v.nonNegative("dram.latency_cycles", dram.latencyCycles);
  v.positive("dram.transfer_bytes", dram.transferBytes);
  v.atLeast("dram.unaligned_read_penalty", dram.unalignedReadPenalty, 1);
  v.atLeast("dram.unaligned_write_penalty", dram.unalignedWritePenalty, 1);
  v.positive("dram.row_bytes", dram.rowBytes);
  v.nonNegative("dram.row_switch_cycles", dram.rowSwitchCycles);

  v.positive("noc.link_bytes_per_cycle", chip.noc.linkBytesPerCycle);
  v.nonNegative("noc.hop_cycles", chip.noc.hopCycles);
  v.positive("host.bytes_per_cycle", chip.host.bytesPerCycle);
  v.nonNegative("host.latency_cycles", chip.host.latencyCycles);

  const EnergyConfig &energy = chip.energy;
  for (unsigned i = 0; i < kNumPrecisions; ++i)
    v.nonNegative("energy.mac_pj." + stringifyPrecision(Precision(i)).str(),
                  energy.macPj[i]);
  v.nonNegative("energy.sram_pj_per_byte", energy.sramPjPerByte);
  v.nonNegative("energy.dram_pj_per_byte", energy.dramPjPerByte);
  v.nonNegative("energy.noc_pj_per_byte", energy.nocPjPerByte);
  v.nonNegative("energy.link_pj_per_byte", energy.linkPjPerByte);
  v.nonNegative("energy.dma_pj_per_command", energy.dmaPjPerCommand);
  v.nonNegative("energy.vector_pj_per_element", energy.vectorPjPerElement);
  v.nonNegative("energy.static_watts", energy.staticWatts);

  v.positive("system.chips", chip.system.chips);
  v.atMost("system.chips", chip.system.chips, 65535);
  if (chip.system.chips > 1)
    v.positive("system.link_bytes_per_cycle", chip.system.linkBytesPerCycle);
  v.nonNegative("system.link_latency_cycles", chip.system.linkLatencyCycles);
  return v.takeError();
}

//===----------------------------------------------------------------------===//
// Loading
//===----------------------------------------------------------------------===//

/// Reads `layer` over `chip`; YAML errors come back with file:line:col (or
/// the --set option that gave the value).
static llvm::Error readLayer(const Layer &layer, ChipConfig &chip) {
  struct Context {
    const Layer &layer;
    std::string messages;
  } context{layer, ""};
  auto handler = [](const llvm::SMDiagnostic &diag, void *opaque) {
    auto &context = *static_cast<Context *>(opaque);
    if (!context.messages.empty())
      context.messages += "\n";
    if (context.layer.override.empty())
      context.messages += diag.getFilename().str() + ":" +
                          std::to_string(diag.getLineNo()) + ":" +
                          std::to_string(diag.getColumnNo() + 1);
    else
      context.messages += "--set " + context.layer.override;
    context.messages += ": error: " + diag.getMessage().str();
  };
  llvm::yaml::Input input(llvm::MemoryBufferRef(layer.text, layer.name),
                          nullptr, handler, &context);
  input >> chip;
  if (!input.error())
    return llvm::Error::success();
  if (context.messages.empty())
    context.messages = layer.name + ": error: not a YAML chip description";
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 context.messages);
}

/// The value of the top-level `base:` key of `text`, if any.
static std::optional<std::string> findBase(StringRef text) {
  llvm::SourceMgr sourceMgr;
  sourceMgr.setDiagHandler([](const llvm::SMDiagnostic &, void *) {});
  llvm::yaml::Stream stream(text, sourceMgr);
  for (llvm::yaml::Document &document : stream) {
    auto *map =
        llvm::dyn_cast_or_null<llvm::yaml::MappingNode>(document.getRoot());
    if (!map)
      return std::nullopt;
    for (llvm::yaml::KeyValueNode &entry : *map) {
      auto *key =
          llvm::dyn_cast_or_null<llvm::yaml::ScalarNode>(entry.getKey());
      auto *value =
          llvm::dyn_cast_or_null<llvm::yaml::ScalarNode>(entry.getValue());
      llvm::SmallString<32> keyStorage, valueStorage;
      if (key && value && key->getValue(keyStorage) == "base")
        return value->getValue(valueStorage).str();
    }
    return std::nullopt;
  }
  return std::nullopt;
}

/// Turns "a.b.c=value" into the YAML document "a:\n  b:\n    c: value\n".
static llvm::Expected<Layer> makeOverrideLayer(StringRef option) {
  auto [path, value] = option.split('=');
  path = path.trim();
  if (!option.contains('=') || path.empty())
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "--set " + option.str() +
                                       ": expected path=value, e.g. "
                                       "core.tensor.rows=64");
  llvm::SmallVector<StringRef> parts;
  path.split(parts, '.');
  Layer layer;
  layer.name = "<--set " + option.str() + ">";
  layer.override = option.str();
  for (auto [depth, part] : llvm::enumerate(parts)) {
    if (part.empty())
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "--set " + option.str() +
                                         ": empty field name in '" +
                                         path.str() + "'");
    layer.text += std::string(2 * depth, ' ') + part.str() + ":";
    layer.text += depth + 1 == parts.size() ? " " + value.trim().str() : "";
    layer.text += "\n";
  }
  return layer;
}

static std::optional<StringRef> findPresetYaml(StringRef name) {
  for (const Preset &preset : getPresets())
    if (preset.name == name)
      return preset.yaml;
  return std::nullopt;
}

/// Appends `layer` and the preset chain it names with `base:` (base first).
static llvm::Error collectLayers(Layer layer, std::vector<Layer> &layers,
                                 unsigned depth = 0) {
  if (std::optional<std::string> base = findBase(layer.text)) {
    std::optional<StringRef> yaml = findPresetYaml(*base);
    if (!yaml)
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     *FieldLocator::find(layer, "base") +
                                         ": error: base: unknown preset '" +
                                         *base + "'");
    if (depth > 8)
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     layer.name +
                                         ": error: base: presets nest too "
                                         "deeply");
    if (llvm::Error error = collectLayers({"preset " + *base, yaml->str(), ""},
                                          layers, depth + 1))
      return error;
  }
  layers.push_back(std::move(layer));
  return llvm::Error::success();
}

llvm::Expected<ChipConfig>
gaon::sim::parseChipConfig(StringRef yaml, StringRef bufferName,
                           llvm::ArrayRef<std::string> overrides) {
  std::vector<Layer> layers;
  if (llvm::Error error =
          collectLayers({bufferName.str(), yaml.str(), ""}, layers))
    return std::move(error);
  for (const std::string &option : overrides) {
    llvm::Expected<Layer> layer = makeOverrideLayer(option);
    if (!layer)
      return layer.takeError();
    layers.push_back(std::move(*layer));
  }
  ChipConfig chip;
  for (const Layer &layer : layers)
    if (llvm::Error error = readLayer(layer, chip))
      return std::move(error);
  if (llvm::Error error = validate(chip, layers))
    return std::move(error);
  return chip;
}

llvm::Expected<ChipConfig>
gaon::sim::loadChipConfig(StringRef presetOrPath,
                          llvm::ArrayRef<std::string> overrides) {
  if (std::optional<StringRef> yaml = findPresetYaml(presetOrPath))
    return parseChipConfig(*yaml, "preset " + presetOrPath.str(), overrides);
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      llvm::MemoryBuffer::getFile(presetOrPath);
  if (!buffer) {
    std::vector<std::string> names;
    for (const Preset &preset : getPresets())
      names.push_back(preset.name.str());
    return llvm::createStringError(
        buffer.getError(), "cannot read chip description '" +
                               presetOrPath.str() +
                               "': " + buffer.getError().message() +
                               " (presets: " + llvm::join(names, ", ") + ")");
  }
  return parseChipConfig((*buffer)->getBuffer(), presetOrPath, overrides);
}

void gaon::sim::printChipConfig(const ChipConfig &config,
                                llvm::raw_ostream &os) {
  llvm::yaml::Output output(os);
  ChipConfig copy = config;
  output << copy;
}
