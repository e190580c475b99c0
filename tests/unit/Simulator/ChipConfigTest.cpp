//===- ChipConfigTest.cpp - Chip descriptions, presets, overrides ---------===//

#include "gaon/Sim/ChipConfig.h"

#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

using namespace gaon::sim;

namespace {

/// The message of a failed load, or "" if it loaded.
std::string errorOf(llvm::Expected<ChipConfig> config) {
  if (config)
    return "";
  return llvm::toString(config.takeError());
}

const char *kMinimal = R"yaml(name: tiny
clock_mhz: 500
cores: 2
core:
  tensor:
    dataflow: ws
    rows: 8
    cols: 4
    macs_per_cycle: {bf16: 32, int8: 64}
  vector: {lanes: 16}
  sram: {bytes: 256 KiB, banks: 4, bytes_per_cycle: 64}
  dma: {engines: 2, bytes_per_cycle: 32, startup_cycles: 10}
dram:
  kind: lpddr5
  bytes: 1 GiB
  channels: 4
  bytes_per_cycle_per_channel: 8
  latency_cycles: 50
noc: {link_bytes_per_cycle: 64}
host: {bytes_per_cycle: 16}
)yaml";

TEST(ChipConfig, EveryPresetLoadsAndValidates) {
  std::vector<std::string> names;
  for (const Preset &preset : getPresets()) {
    names.push_back(preset.name.str());
    llvm::Expected<ChipConfig> config = loadChipConfig(preset.name);
    ASSERT_TRUE(bool(config)) << llvm::toString(config.takeError());
    EXPECT_EQ(config->name, preset.name.str());
  }
  EXPECT_EQ(names,
            (std::vector<std::string>{"atom", "rebel-quad", "rngd",
                                      "systolic-32x32", "warboy", "x220"}));
}

TEST(ChipConfig, RngdPeakMatchesDatasheet) {
  llvm::Expected<ChipConfig> rngd = loadChipConfig("rngd");
  ASSERT_TRUE(bool(rngd));
  // 512 slices x 8 rows x 32 bf16 MACs x 2 FLOP x 1 GHz = 262 TFLOPS.
  double tflops = 2.0 * rngd->getPeakMacsPerCycle(Precision::Bf16) *
                  rngd->clockMhz * 1e6 / 1e12;
  EXPECT_NEAR(tflops, 262.1, 0.1);
  EXPECT_EQ(rngd->getPeakMacsPerCycle(Precision::Fp8),
            2 * rngd->getPeakMacsPerCycle(Precision::Bf16));
  // 32 channels x 48 B/cycle x 1 GHz = 1.536 TB/s.
  EXPECT_DOUBLE_EQ(rngd->dram.getBytesPerCycle(), 1536);
  EXPECT_EQ(rngd->core.sram.bytes * rngd->cores, int64_t(256) << 20);
  EXPECT_EQ(rngd->core.tensor.dataflow, Dataflow::Contraction);
}

TEST(ChipConfig, ParsesFieldsAndUnits) {
  llvm::Expected<ChipConfig> config = parseChipConfig(kMinimal, "tiny.yaml");
  ASSERT_TRUE(bool(config)) << llvm::toString(config.takeError());
  EXPECT_EQ(config->core.sram.bytes, 256 * 1024);
  EXPECT_EQ(config->dram.bytes, int64_t(1) << 30);
  EXPECT_EQ(config->core.tensor.dataflow, Dataflow::WeightStationary);
  EXPECT_EQ(config->core.tensor.getMacsPerCycle(Precision::Int8), 64);
  EXPECT_FALSE(config->core.tensor.supports(Precision::Fp32));
  EXPECT_EQ(config->core.dma.engines, 2);
  EXPECT_DOUBLE_EQ(config->dram.getBytesPerCycle(), 32);
  // Defaults for what the document leaves out.
  EXPECT_EQ(config->system.chips, 1);
  EXPECT_EQ(config->core.vector.opCycles.unary[unsigned(UnaryKind::Exp)], 1);
}

TEST(ChipConfig, OverridesApplyOverTheDocument) {
  llvm::Expected<ChipConfig> config = loadChipConfig(
      "systolic-32x32", {"core.tensor.dataflow=ws", "core.tensor.rows=64",
                         "core.sram.bytes=1 MiB", "system.chips=2",
                         "system.link_bytes_per_cycle=100"});
  ASSERT_TRUE(bool(config)) << llvm::toString(config.takeError());
  EXPECT_EQ(config->core.tensor.dataflow, Dataflow::WeightStationary);
  EXPECT_EQ(config->core.tensor.rows, 64);
  EXPECT_EQ(config->core.tensor.cols, 32);
  EXPECT_EQ(config->core.sram.bytes, 1 << 20);
  EXPECT_EQ(config->system.chips, 2);
}

TEST(ChipConfig, BasePresetIsExtended) {
  llvm::Expected<ChipConfig> config =
      parseChipConfig("base: rngd\nname: rngd-half\ncores: 4\n", "half.yaml");
  ASSERT_TRUE(bool(config)) << llvm::toString(config.takeError());
  EXPECT_EQ(config->name, "rngd-half");
  EXPECT_EQ(config->cores, 4);
  EXPECT_EQ(config->core.tensor.slices, 64);
}

TEST(ChipConfig, InvalidValueNamesFieldAndLine) {
  std::string yaml = kMinimal;
  yaml.replace(yaml.find("rows: 8"), 7, "rows: 0");
  EXPECT_EQ(errorOf(parseChipConfig(yaml, "tiny.yaml")),
            "tiny.yaml:7:11: error: core.tensor.rows: must be positive, got 0");
}

TEST(ChipConfig, InvalidOverrideNamesTheOption) {
  EXPECT_EQ(errorOf(loadChipConfig("rngd", {"core.dma.engines=0"})),
            "--set core.dma.engines=0: error: core.dma.engines: must be "
            "positive, got 0");
}

TEST(ChipConfig, MissingFieldNamesItsSection) {
  std::string yaml = kMinimal;
  yaml.replace(yaml.find("lanes: 16"), 9, "pipeline_cycles: 2");
  EXPECT_EQ(errorOf(parseChipConfig(yaml, "tiny.yaml")),
            "tiny.yaml:10:12 (in 'core.vector', field not set): error: "
            "core.vector.lanes: must be positive, got 0");
}

TEST(ChipConfig, UnknownKeyIsAnError) {
  std::string yaml = kMinimal;
  yaml.replace(yaml.find("rows: 8"), 7, "rowz: 8");
  std::string message = errorOf(parseChipConfig(yaml, "tiny.yaml"));
  EXPECT_NE(message.find("tiny.yaml:7:5: error: unknown key 'rowz'"),
            std::string::npos)
      << message;
}

TEST(ChipConfig, BadScalarsAreErrors) {
  std::string yaml = kMinimal;
  yaml.replace(yaml.find("dataflow: ws"), 12, "dataflow: diagonal");
  EXPECT_NE(errorOf(parseChipConfig(yaml, "tiny.yaml"))
                .find("tiny.yaml:6:15: error: unknown enumerated scalar"),
            std::string::npos);
  EXPECT_EQ(errorOf(loadChipConfig("rngd", {"core.sram.bytes=12 parsecs"})),
            "--set core.sram.bytes=12 parsecs: error: unknown byte unit "
            "(expected B, KiB, MiB, GiB, TiB, KB, MB or GB)");
  EXPECT_NE(errorOf(loadChipConfig("rngd", {"core.tensor.rows"}))
                .find("expected path=value"),
            std::string::npos);
  EXPECT_NE(errorOf(loadChipConfig("rngd", {"dram.kind=sdram"}))
                .find("dram.kind: unknown kind 'sdram'"),
            std::string::npos);
  EXPECT_NE(errorOf(loadChipConfig("no-such-chip")).find("presets: atom"),
            std::string::npos);
}

TEST(ChipConfig, SystolicArraysHaveOneSlice) {
  EXPECT_NE(errorOf(loadChipConfig("systolic-32x32", {"core.tensor.slices=4"}))
                .find("must be 1 for a systolic (os) array"),
            std::string::npos);
}

TEST(ChipConfig, PrintedConfigReadsBackIdentically) {
  for (const Preset &preset : getPresets()) {
    llvm::Expected<ChipConfig> config = loadChipConfig(preset.name);
    ASSERT_TRUE(bool(config));
    std::string first, second;
    llvm::raw_string_ostream os1(first), os2(second);
    printChipConfig(*config, os1);
    llvm::Expected<ChipConfig> reread = parseChipConfig(first, "printed");
    ASSERT_TRUE(bool(reread)) << llvm::toString(reread.takeError()) << first;
    printChipConfig(*reread, os2);
    EXPECT_EQ(first, second);
  }
}

TEST(ChipConfig, RoutesAcrossChipLinks) {
  SystemConfig ring;
  ring.chips = 4;
  EXPECT_EQ(ring.route(0, 1), (std::vector<int64_t>{0}));
  EXPECT_EQ(ring.route(0, 3), (std::vector<int64_t>{4}));
  EXPECT_EQ(ring.route(0, 2), (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(ring.route(2, 2), (std::vector<int64_t>{}));
  SystemConfig full = ring;
  full.topology = LinkTopology::FullyConnected;
  EXPECT_EQ(full.route(2, 1), (std::vector<int64_t>{9}));
}

} // namespace
