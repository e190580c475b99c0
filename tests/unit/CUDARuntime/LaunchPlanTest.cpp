//===- LaunchPlanTest.cpp - Launch plan artifact round trip and errors ----===//
//
// Ensures the artifact format documented in docs/gpu.md: what is written is
// read back unchanged, blobs are 64-byte aligned, and every malformed or
// inconsistent file is rejected with a message naming the file and the
// offending field.
//
//===----------------------------------------------------------------------===//

#include "gaon/Runtime/CUDA/LaunchPlan.h"

#include "llvm/Support/EndianStream.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

using namespace gaon::runtime::cuda;
using namespace llvm;

namespace {

/// A plan exercising every field: C = A x W + bias, then a copy to a
/// temporary, in two modules.
LaunchPlan makePlan() {
  LaunchPlan plan;
  plan.name = "forward";
  PlanBuffer a{"a", BufferRole::Input, 0, ElementType::BF16, {64, 32}, 4096};
  PlanBuffer w{"w", BufferRole::Weight, 0, ElementType::BF16, {32, 16}, 1024};
  w.data.resize(1024);
  for (size_t i = 0; i < w.data.size(); ++i)
    w.data[i] = static_cast<uint8_t>(i * 7);
  PlanBuffer c{"c", BufferRole::Output, 0, ElementType::F32, {64, 16}, 4096};
  PlanBuffer t{"scratch", BufferRole::Temporary, 0, ElementType::F32, {}, 256};
  PlanBuffer b{"bias", BufferRole::Input, 1, ElementType::F32, {16}, 64};
  plan.buffers = {a, w, c, t, b};

  PlanModule gemm{"gemm_module", "sm_90", {0x7f, 'E', 'L', 'F', 1, 2, 3}, ""};
  gemm.ptx = ".version 8.7\n.target sm_90a\n";
  PlanModule copy{"copy_module", "sm_80", std::vector<uint8_t>(100, 0xab), ""};
  plan.modules = {gemm, copy};

  PlanLaunch matmul;
  matmul.module = 0;
  matmul.kernel = "matmul_kernel";
  matmul.grid = {1, 4, 1};
  matmul.block = {128, 1, 1};
  matmul.dynamicSharedMemoryBytes = 65536;
  matmul.arguments = {
      KernelArgument::binding(0), KernelArgument::binding(1),
      KernelArgument::binding(4), KernelArgument::binding(2, 64),
      KernelArgument::i32(-5),    KernelArgument::i64(1LL << 40),
      KernelArgument::f32(0.125f)};
  matmul.opName = "linalg.matmul";
  matmul.location = "\"model.mlir\":12:7";
  matmul.flops = 2 * 64 * 16 * 32;
  matmul.bytes = 4096 + 1024 + 4096;
  matmul.contraction =
      ContractionShape{1, 64, 16, 32, ElementType::BF16, 64, 16, 32, 2};
  matmul.registersPerThread = 168;

  PlanLaunch move;
  move.module = 1;
  move.kernel = "copy";
  move.grid = {2, 1, 1};
  move.block = {256, 1, 1};
  move.arguments = {KernelArgument::binding(2), KernelArgument::binding(3)};
  move.bytes = 512;
  plan.launches = {matmul, move};
  return plan;
}

std::string writeToString(const LaunchPlan &plan) {
  std::string bytes;
  raw_string_ostream os(bytes);
  Error error = writeLaunchPlan(plan, os);
  EXPECT_FALSE(error) << toString(std::move(error));
  return bytes;
}

/// Reads `bytes` as a file named "plan.cuplan"; returns the error message,
/// or "" when it was accepted.
std::string readError(StringRef bytes) {
  Expected<LaunchPlan> plan =
      readLaunchPlan(MemoryBufferRef(bytes, "plan.cuplan"));
  if (plan)
    return "";
  return toString(plan.takeError());
}

/// An artifact assembled by hand, as docs/gpu.md describes the layout.
std::string makeArtifact(StringRef header, StringRef blobs = "",
                         uint32_t version = kLaunchPlanFormatVersion) {
  std::string bytes(kLaunchPlanMagic, sizeof(kLaunchPlanMagic));
  raw_string_ostream os(bytes);
  support::endian::write<uint32_t>(os, version, endianness::little);
  support::endian::write<uint32_t>(os, header.size(), endianness::little);
  os << header;
  os.write_zeros(alignTo(bytes.size(), 64) - bytes.size());
  os << blobs;
  return bytes;
}

/// Rewrites the JSON header of artifact `bytes` with `edit`, keeping its blob
/// section: makes files the writer would refuse to write.
std::string rewriteHeader(StringRef bytes,
                          function_ref<void(json::Object &)> edit) {
  uint32_t headerSize = support::endian::read32le(bytes.data() + 12);
  Expected<json::Value> header = json::parse(bytes.substr(16, headerSize));
  EXPECT_TRUE(bool(header));
  if (!header) {
    consumeError(header.takeError());
    return "";
  }
  edit(*header->getAsObject());
  std::string text;
  raw_string_ostream(text) << *header;
  return makeArtifact(text, bytes.substr(alignTo(16 + headerSize, 64)));
}

/// The JSON object of launches[i] in a header.
json::Object &launchIn(json::Object &header, unsigned i) {
  return *(*header.getArray("launches"))[i].getAsObject();
}

TEST(LaunchPlanTest, RoundTripKeepsEveryField) {
  LaunchPlan original = makePlan();
  ASSERT_FALSE(original.verify());
  std::string bytes = writeToString(original);
  Expected<LaunchPlan> read =
      readLaunchPlan(MemoryBufferRef(bytes, "plan.cuplan"));
  ASSERT_TRUE(bool(read)) << toString(read.takeError());

  EXPECT_EQ(read->name, "forward");
  ASSERT_EQ(read->buffers.size(), original.buffers.size());
  for (size_t i = 0; i < original.buffers.size(); ++i) {
    const PlanBuffer &x = original.buffers[i], &y = read->buffers[i];
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.role, y.role);
    EXPECT_EQ(x.index, y.index);
    EXPECT_EQ(x.elementType, y.elementType);
    EXPECT_EQ(x.shape, y.shape);
    EXPECT_EQ(x.bytes, y.bytes);
    EXPECT_EQ(x.data, y.data);
  }
  ASSERT_EQ(read->modules.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(read->modules[i].name, original.modules[i].name);
    EXPECT_EQ(read->modules[i].chip, original.modules[i].chip);
    EXPECT_EQ(read->modules[i].cubin, original.modules[i].cubin);
    EXPECT_EQ(read->modules[i].ptx, original.modules[i].ptx);
  }
  ASSERT_EQ(read->launches.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const PlanLaunch &x = original.launches[i], &y = read->launches[i];
    EXPECT_EQ(x.module, y.module);
    EXPECT_EQ(x.kernel, y.kernel);
    EXPECT_EQ(x.grid, y.grid);
    EXPECT_EQ(x.block, y.block);
    EXPECT_EQ(x.dynamicSharedMemoryBytes, y.dynamicSharedMemoryBytes);
    EXPECT_EQ(x.arguments, y.arguments);
    EXPECT_EQ(x.opName, y.opName);
    EXPECT_EQ(x.location, y.location);
    EXPECT_EQ(x.flops, y.flops);
    EXPECT_EQ(x.bytes, y.bytes);
    EXPECT_EQ(x.contraction, y.contraction);
    EXPECT_EQ(x.registersPerThread, y.registersPerThread);
  }
  // Writing what was read gives the same bytes: the format is canonical.
  EXPECT_EQ(writeToString(*read), bytes);
}

TEST(LaunchPlanTest, LayoutIsMagicVersionHeaderAlignedBlobs) {
  std::string bytes = writeToString(makePlan());
  ASSERT_GE(bytes.size(), 16u);
  EXPECT_EQ(StringRef(bytes).take_front(8), "GAONCUPL");
  const char *p = bytes.data() + 8;
  EXPECT_EQ(support::endian::read32le(p), kLaunchPlanFormatVersion);
  uint32_t headerSize = support::endian::read32le(p + 4);
  Expected<json::Value> header =
      json::parse(StringRef(bytes).substr(16, headerSize));
  ASSERT_TRUE(bool(header)) << toString(header.takeError());
  uint64_t blobStart = alignTo(16 + headerSize, 64);
  // Each blob is 64-byte aligned in the file and holds what the plan holds.
  const json::Object *module =
      (*header->getAsObject()->getArray("modules"))[1].getAsObject();
  const json::Object *cubin = module->getObject("cubin");
  ASSERT_TRUE(cubin);
  uint64_t offset = *cubin->getInteger("offset");
  EXPECT_EQ((blobStart + offset) % 64, 0u);
  EXPECT_EQ(*cubin->getInteger("size"), 100);
  EXPECT_EQ(static_cast<uint8_t>(bytes[blobStart + offset]), 0xab);
  EXPECT_EQ(bytes.size() % 64, 0u);
}

TEST(LaunchPlanTest, QueriesOrderInputsAndOutputsByIndex) {
  LaunchPlan plan = makePlan();
  EXPECT_EQ(plan.getInputs(), (std::vector<unsigned>{0, 4}));
  EXPECT_EQ(plan.getOutputs(), (std::vector<unsigned>{2}));
  EXPECT_EQ(plan.getTotalFlops(), 2u * 64 * 16 * 32);
  EXPECT_EQ(plan.getTotalBytes(), 4096u + 1024 + 4096 + 512);
  plan.buffers[0].index = 1;
  plan.buffers[4].index = 0;
  EXPECT_EQ(plan.getInputs(), (std::vector<unsigned>{4, 0}));
}

TEST(LaunchPlanTest, DumpShowsBlobSizesOnly) {
  json::Value dump = toJSON(makePlan());
  const json::Object *module =
      (*dump.getAsObject()->getArray("modules"))[0].getAsObject();
  EXPECT_EQ(*module->getObject("cubin")->getInteger("size"), 7);
  EXPECT_FALSE(module->getObject("cubin")->get("offset"));
  EXPECT_EQ(*module->getObject("ptx")->getInteger("size"), 28);
}

TEST(LaunchPlanTest, RejectsForeignAndTruncatedFiles) {
  EXPECT_EQ(readError(""), "plan.cuplan: not a Gaon CUDA launch plan (the "
                           "file does not start with 'GAONCUPL')");
  EXPECT_NE(readError("\x7f"
                      "ELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00")
                .find("not a Gaon CUDA launch plan"),
            std::string::npos);

  std::string future = makeArtifact("{}", "", kLaunchPlanFormatVersion + 1);
  EXPECT_EQ(readError(future),
            "plan.cuplan: launch plan format version 2 is not supported; this "
            "build reads version 1 (recompile the model with this build's "
            "gaon-compile)");

  std::string bytes = writeToString(makePlan());
  EXPECT_NE(readError(bytes.substr(0, 40)).find("runs past the end"),
            std::string::npos);
  // Header intact, blob section cut short.
  uint32_t headerSize = support::endian::read32le(bytes.data() + 12);
  std::string cut = bytes.substr(0, alignTo(16 + headerSize, 64) + 8);
  EXPECT_EQ(readError(cut), "plan.cuplan: blob lies outside the file "
                            "(truncated artifact?) at header.buffers[1].data");
}

TEST(LaunchPlanTest, RejectsMalformedHeaders) {
  EXPECT_NE(readError(makeArtifact("{\"name\": "))
                .find("plan.cuplan: malformed JSON header: "),
            std::string::npos);
  EXPECT_EQ(readError(makeArtifact("{\"name\": \"f\", \"buffers\": []}")),
            "plan.cuplan: missing value at header.modules");
  EXPECT_EQ(readError(makeArtifact(
                R"({"name": "f", "buffers": [{"name": "x", "role": "input",
              "index": 0, "type": "f31", "shape": [], "bytes": 4}],
              "modules": [], "launches": []})")),
            "plan.cuplan: expected an element type: f32, f16, bf16, f8E4M3FN, "
            "f8E5M2, i8, i32 or i64 at header.buffers[0].type");
  EXPECT_EQ(readError(makeArtifact(
                R"({"name": "f", "buffers": [{"name": "x", "role": "scratch",
                    "type": "f32", "shape": [], "bytes": 4}],
                    "modules": [], "launches": []})")),
            "plan.cuplan: expected a buffer role: input, output, weight or "
            "temporary at header.buffers[0].role");
  EXPECT_EQ(readError(makeArtifact(
                R"({"name": "f", "buffers": [{"name": "x", "role": "input",
                    "type": "f32", "shape": [], "bytes": 4}],
                    "modules": [], "launches": []})")),
            "plan.cuplan: missing value at header.buffers[0].index");

  std::string bytes = writeToString(makePlan());
  EXPECT_EQ(readError(rewriteHeader(bytes,
                                    [](json::Object &header) {
                                      launchIn(header, 1).erase("grid");
                                    })),
            "plan.cuplan: missing value at header.launches[1].grid");
  EXPECT_EQ(readError(rewriteHeader(bytes,
                                    [](json::Object &header) {
                                      launchIn(header, 0)["flops"] = "many";
                                    })),
            "plan.cuplan: expected uint64_t at header.launches[0].flops");
}

TEST(LaunchPlanTest, RejectsBadArgumentsAndDims) {
  const char *header = R"({"name": "f", "buffers": [], "modules": [],
      "launches": [{"module": 0, "kernel": "k", "grid": [1, 1], "block":
      [1, 1, 1], "sharedMemoryBytes": 0, "args": [], "op": "", "loc": "",
      "flops": 0, "bytes": 0}]})";
  EXPECT_EQ(readError(makeArtifact(header)),
            "plan.cuplan: expected [x, y, z] at header.launches[0].grid");
  header = R"({"name": "f", "buffers": [], "modules": [],
      "launches": [{"module": 0, "kernel": "k", "grid": [1, 1, 1], "block":
      [1, 1, 1], "sharedMemoryBytes": 0, "args": [{"i32": 3000000000}],
      "op": "", "loc": "", "flops": 0, "bytes": 0}]})";
  EXPECT_EQ(readError(makeArtifact(header)),
            "plan.cuplan: expected a 32-bit integer at "
            "header.launches[0].args[0].i32");
  header = R"({"name": "f", "buffers": [], "modules": [],
      "launches": [{"module": 0, "kernel": "k", "grid": [1, 1, 1], "block":
      [1, 1, 1], "sharedMemoryBytes": 0, "args": [{"f64": 1.0}],
      "op": "", "loc": "", "flops": 0, "bytes": 0}]})";
  EXPECT_EQ(readError(makeArtifact(header)),
            "plan.cuplan: expected {\"buffer\", \"offset\"}, {\"i32\"}, "
            "{\"i64\"} or {\"f32\"} at header.launches[0].args[0]");
}

/// Each inconsistency the verifier catches, with its message.
TEST(LaunchPlanTest, VerifierNamesWhatIsInconsistent) {
  auto expectVerify = [&](function_ref<void(LaunchPlan &)> corrupt,
                          StringRef message) {
    LaunchPlan broken = makePlan();
    corrupt(broken);
    Error error = broken.verify();
    ASSERT_TRUE(bool(error)) << "expected: " << message.str();
    EXPECT_EQ(toString(std::move(error)), message);
  };
  expectVerify([](LaunchPlan &p) { p.launches[0].arguments[3].buffer = 9; },
               "launches[0] (linalg.matmul at \"model.mlir\":12:7): argument "
               "3 binds buffer 9, but the plan has 5 buffers");
  expectVerify(
      [](LaunchPlan &p) { p.launches[0].arguments[3].byteOffset = 4096; },
      "launches[0] (linalg.matmul at \"model.mlir\":12:7): argument 3 points "
      "4096 bytes into buffers[2] ('c'), which has 4096 bytes");
  expectVerify([](LaunchPlan &p) { p.launches[1].module = 2; },
               "launches[1] (kernel copy): module 2 does not exist; the plan "
               "has 2 modules");
  expectVerify(
      [](LaunchPlan &p) {
        p.launches[1].block = {1024, 2, 1};
      },
      "launches[1] (kernel copy): block (1024, 2, 1) is outside "
      "CUDA's limits (each at least 1, z at most 64, at most 1024 "
      "threads)");
  expectVerify(
      [](LaunchPlan &p) {
        p.launches[1].grid = {1, 0, 1};
      },
      "launches[1] (kernel copy): grid (1, 0, 1) is outside CUDA's "
      "limits ([1, 2^31-1], [1, 65535], [1, 65535])");
  expectVerify([](LaunchPlan &p) { p.buffers[4].index = 0; },
               "buffers[4] ('bias'): input index 0 is used twice; inputs must "
               "be numbered 0..1");
  expectVerify([](LaunchPlan &p) { p.buffers[4].index = 2; },
               "buffers[4] ('bias'): input index 2 is not contiguous; inputs "
               "must be numbered 0..1");
  expectVerify([](LaunchPlan &p) { p.buffers[2].bytes = 100; },
               "buffers[2] ('c'): 100 bytes cannot hold its shape, which needs "
               "4096");
  expectVerify([](LaunchPlan &p) { p.buffers[1].data.pop_back(); },
               "buffers[1] ('w'): a weight must carry exactly its 1024 bytes, "
               "it carries 1023");
  expectVerify([](LaunchPlan &p) { p.buffers[3].data = {1}; },
               "buffers[3] ('scratch'): only weights carry data, this is a "
               "temporary");
  expectVerify([](LaunchPlan &p) { p.buffers[3].name = "a"; },
               "buffers[3] ('a'): name used twice");
  expectVerify([](LaunchPlan &p) { p.modules[0].chip = "hopper"; },
               "modules[0] ('gemm_module'): chip 'hopper' is not of the form "
               "sm_<major><minor>, e.g. sm_90");
  expectVerify([](LaunchPlan &p) { p.launches[0].contraction->k = 0; },
               "launches[0] (linalg.matmul at \"model.mlir\":12:7): "
               "contraction sizes must be at least 1, got batch 1 M 64 N 16 K "
               "0");
}

TEST(LaunchPlanTest, ReaderRunsTheVerifier) {
  std::string bytes = writeToString(makePlan());
  EXPECT_EQ(
      readError(rewriteHeader(bytes,
                              [](json::Object &header) {
                                (*launchIn(header, 1).getArray("args"))[1] =
                                    json::Object{{"buffer", 7}, {"offset", 0}};
                              })),
      "plan.cuplan: launches[1] (kernel copy): argument 1 binds buffer "
      "7, but the plan has 5 buffers");
}

TEST(LaunchPlanTest, WriterRefusesInvalidPlans) {
  LaunchPlan plan = makePlan();
  plan.launches[0].kernel.clear();
  std::string bytes;
  raw_string_ostream os(bytes);
  Error error = writeLaunchPlan(plan, os);
  ASSERT_TRUE(bool(error));
  EXPECT_EQ(toString(std::move(error)),
            "cannot write launch plan 'forward': launches[0] (linalg.matmul "
            "at \"model.mlir\":12:7): empty kernel name");
  EXPECT_TRUE(bytes.empty());
}

TEST(LaunchPlanTest, FileRoundTripAndMissingFile) {
  SmallString<128> path;
  ASSERT_FALSE(sys::fs::createTemporaryFile("plan", "cuplan", path));
  ASSERT_FALSE(writeLaunchPlanFile(makePlan(), path));
  Expected<LaunchPlan> plan = readLaunchPlanFile(path);
  ASSERT_TRUE(bool(plan)) << toString(plan.takeError());
  EXPECT_EQ(plan->launches.size(), 2u);
  sys::fs::remove(path);

  Expected<LaunchPlan> missing = readLaunchPlanFile("/nonexistent/x.cuplan");
  ASSERT_FALSE(bool(missing));
  EXPECT_EQ(toString(missing.takeError()),
            "cannot open launch plan '/nonexistent/x.cuplan': No such file or "
            "directory");
}

TEST(LaunchPlanTest, ElementTypesAndRolesRoundTrip) {
  for (ElementType type :
       {ElementType::F32, ElementType::F16, ElementType::BF16,
        ElementType::F8E4M3FN, ElementType::F8E5M2, ElementType::I8,
        ElementType::I32, ElementType::I64})
    EXPECT_EQ(symbolizeElementType(stringifyElementType(type)), type);
  EXPECT_EQ(getElementBytes(ElementType::BF16), 2u);
  EXPECT_EQ(getElementBytes(ElementType::F8E4M3FN), 1u);
  EXPECT_EQ(getElementBytes(ElementType::I64), 8u);
  EXPECT_FALSE(symbolizeElementType("tf32"));
  for (BufferRole role : {BufferRole::Input, BufferRole::Output,
                          BufferRole::Weight, BufferRole::Temporary})
    EXPECT_EQ(symbolizeBufferRole(stringifyBufferRole(role)), role);
}

} // namespace
