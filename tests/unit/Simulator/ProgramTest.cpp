//===- ProgramTest.cpp - Program forms, readers' errors and verification --===//

#include "gaon/Sim/ChipConfig.h"
#include "gaon/Sim/ProgramIO.h"
#include "gaon/Sim/Verify.h"

#include "llvm/Support/Endian.h"
#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

#include <cmath>

using namespace gaon::sim;

namespace {

const char *kProgram = R"npu(# A small program using every command kind.
gaon-npu-program 1
buffer 0 "x" input 0 : bf16[64, 32] address 0 size 4096
buffer 1 "w" weight : bf16[32, 48] address 4096 size 3072
buffer 2 "y" output 0 : f32[64, 48] address 8192 size 12288
semaphore 0
semaphore 1 initial 2
op 0 "linalg.matmul" "loc(\"model.mlir\":12:3)"
op 1 "softmax"
dma dram(0, 0) : bf16[64, 32] -> sram(0, 0) : bf16[64, 32] signal(0) op 0
dma dram(1, 0) : bf16[32, 48] -> sram(0, 4096) : bf16[32, 48] queue 1 wait(1) signal(0) op 0
matmul sram(0, 0) : bf16[32, 64] strides [1, 32] transposed, sram(0, 4096) : bf16[32, 48] -> sram(0, 8192) : f32[64, 48] accumulate wait(0, 0) signal(1) op 0
vector.fill -inf -> sram(0, 20480) : f32[64, 1] op 1
vector.reduce max sram(0, 8192) : f32[64, 48] -> sram(0, 20480) : f32[64, 1] axis 1 accumulate op 1
vector.binary sub sram(0, 8192) : f32[64, 48], sram(0, 20480) : f32[64, 1] -> sram(0, 8192) : f32[64, 48] op 1
vector.unary exp sram(0, 8192) : f32[64, 48] -> sram(0, 8192) : f32[64, 48]
vector.scalar sub reversed sram(0, 8192) : f32[64, 48], 0.125 -> sram(0, 8192) : f32[64, 48] core 1
vector.cast sram(0, 8192) : f32[64, 48] -> sram(0, 32768) : bf16[64, 48]
dma sram(0, 8192) : f32[64, 48] -> dram(2, 0) : f32[64, 48] wait(1)
)npu";

std::string print(const Program &program) {
  std::string text;
  llvm::raw_string_ostream os(text);
  printProgramText(program, os);
  return text;
}

std::string errorOf(llvm::Expected<Program> program) {
  if (program)
    return "";
  return llvm::toString(program.takeError());
}

TEST(ProgramText, ParsesEveryCommandKind) {
  llvm::Expected<Program> program = parseProgramText(kProgram, "p.npu");
  ASSERT_TRUE(bool(program)) << llvm::toString(program.takeError());
  ASSERT_EQ(program->commands.size(), 10u);
  EXPECT_EQ(program->buffers[2].role, BufferRole::Output);
  EXPECT_EQ(program->semaphores[1].initial, 2u);
  EXPECT_EQ(program->ops[0].location, "loc(\"model.mlir\":12:3)");
  const Command &matmul = program->commands[2];
  EXPECT_EQ(matmul.kind, CommandKind::Matmul);
  EXPECT_TRUE(matmul.transposeLhs);
  EXPECT_FALSE(matmul.transposeRhs);
  EXPECT_TRUE(matmul.accumulate);
  EXPECT_EQ(program->getWaits(matmul).vec(), (std::vector<uint32_t>{0, 0}));
  EXPECT_EQ(program->getViews(matmul)[0].strides[1], 32);
  EXPECT_TRUE(std::isinf(program->commands[3].scalar));
  EXPECT_EQ(program->commands[4].axis, 1);
  EXPECT_EQ(program->commands[7].core, 1u);
  EXPECT_TRUE(program->commands[7].reversed);
  EXPECT_EQ(program->commands[1].queue, 1);
  EXPECT_EQ(program->describeCommand(2), "p.npu:12");
}

TEST(ProgramText, PrintsWhatItReads) {
  llvm::Expected<Program> program = parseProgramText(kProgram, "p.npu");
  ASSERT_TRUE(bool(program));
  std::string printed = print(*program);
  llvm::Expected<Program> reread = parseProgramText(printed, "printed");
  ASSERT_TRUE(bool(reread)) << llvm::toString(reread.takeError());
  EXPECT_EQ(print(*reread), printed);
}

TEST(ProgramBinary, RoundTripsThroughBinary) {
  llvm::Expected<Program> program = parseProgramText(kProgram, "p.npu");
  ASSERT_TRUE(bool(program));
  std::string bytes;
  llvm::raw_string_ostream os(bytes);
  writeProgramBinary(*program, os);
  EXPECT_TRUE(isProgramBinary(bytes));
  llvm::Expected<Program> reread = parseProgramBinary(bytes, "p.npub");
  ASSERT_TRUE(bool(reread)) << llvm::toString(reread.takeError());
  EXPECT_EQ(print(*reread), print(*program));
  // Per-command offsets point at the records.
  EXPECT_TRUE(reread->sourceIsBinary);
  EXPECT_EQ(reread->describeCommand(0).substr(0, 7), "p.npub@");
}

/// Each class of malformed text has its message and position.
TEST(ProgramText, RejectsMalformedInput) {
  struct Case {
    const char *text;
    const char *message;
  };
  const Case cases[] = {
      {"", "t.npu: error: empty program (expected 'gaon-npu-program 1')"},
      {"buffer 0", "t.npu:1:1: error: expected 'gaon-npu-program', got "
                   "'buffer'"},
      {"gaon-npu-program 7", "t.npu:1:18: error: unsupported program version "
                             "7 (this reader knows 1 to 1)"},
      {"gaon-npu-program 1\nfrobnicate", "t.npu:2:1: error: unknown "
                                         "declaration or command "
                                         "'frobnicate'"},
      {"gaon-npu-program 1\nbuffer 1 \"x\" scratch : f32[4] address 0 size 16",
       "t.npu:2:8: error: buffer ids must be 0, 1, 2, ... in order; expected "
       "0, got 1"},
      {"gaon-npu-program 1\nbuffer 0 \"x\" scratch : f33[4] address 0 size 16",
       "t.npu:2:24: error: unknown element type 'f33' (expected f32, f16, "
       "bf16, f8E4M3FN, f8E5M2, i8 or i32)"},
      {"gaon-npu-program 1\nbuffer 0 \"x\" scratch : f32[4] address 0 size 8",
       "t.npu:2:8: error: buffer 'x' has size 8 but its shape needs 16 bytes"},
      {"gaon-npu-program 1\nbuffer 0 \"x\" sideways : f32[4] address 0 size 16",
       "t.npu:2:14: error: unknown buffer role (expected input, output, "
       "weight or scratch) 'sideways'"},
      {"gaon-npu-program 1\nvector.fill 0.0 -> sram(0, 0) : f32[1, 2, 3, 4, 5]",
       "t.npu:2:36: error: views have rank 0 to 4, got rank 5"},
      {"gaon-npu-program 1\nvector.fill 0.0 -> sram(0, 0) : f32[4] strides "
       "[1, 1]",
       "t.npu:2:48: error: expected 1 strides (one per dimension), got 2"},
      {"gaon-npu-program 1\nvector.unary sine sram(0, 0) : f32[4] -> sram(0, "
       "0) : f32[4]",
       "t.npu:2:14: error: unknown unary kind 'sine'"},
      {"gaon-npu-program 1\nmatmul sram(0, 0) : f32[4, 4] sram(0, 0) : f32[4, "
       "4] -> sram(0, 0) : f32[4, 4]",
       "t.npu:2:31: error: expected ',', got 'sram'"},
      {"gaon-npu-program 1\nvector.fill 0.0 -> sram(0, 0) : f32[4] queue 1",
       "t.npu:2:40: error: only dma commands have a queue"},
      {"gaon-npu-program 1\nvector.fill 0.0 -> sram(0, 0) : f32[4] colour 3",
       "t.npu:2:40: error: unknown command attribute 'colour' (expected "
       "core, chip, queue, wait, signal or op)"},
      {"gaon-npu-program 1\nvector.fill 0.0 -> sram(0, 0) : f32[4] core -1",
       "t.npu:2:45: error: a core must be in [0, 4294967295], got -1"},
      {"gaon-npu-program 1\nop 0 \"unterminated", "t.npu:2:6: error: "
                                                  "unterminated string"},
      {"gaon-npu-program 1\nvector.fill 0.0 -> sram(0, 0) : f32[4] $",
       "t.npu:2:40: error: unexpected character '$'"},
      {"gaon-npu-program 1\ndma dram(0, 0) : f32[4] -> hbm(0, 0) : f32[4]",
       "t.npu:2:28: error: expected 'dram' or 'sram', got 'hbm'"},
  };
  for (const Case &c : cases)
    EXPECT_EQ(errorOf(parseProgramText(c.text, "t.npu")), c.message) << c.text;
}

std::string binaryOf(const char *text) {
  llvm::Expected<Program> program = parseProgramText(text, "p.npu");
  EXPECT_TRUE(bool(program));
  std::string bytes;
  llvm::raw_string_ostream os(bytes);
  writeProgramBinary(*program, os);
  return bytes;
}

TEST(ProgramBinary, RejectsMalformedInputWithOffsets) {
  std::string bytes = binaryOf(kProgram);
  EXPECT_EQ(errorOf(parseProgramBinary("GAONNPU", "b.npub")),
            "b.npub@0: error: not a binary NPU program (bad magic)");
  std::string badVersion = bytes;
  badVersion[8] = 9;
  EXPECT_EQ(errorOf(parseProgramBinary(badVersion, "b.npub")),
            "b.npub@8: error: unsupported program version 9 (this reader "
            "knows 1 to 1)");
  std::string truncated = bytes.substr(0, bytes.size() - 3);
  EXPECT_EQ(errorOf(parseProgramBinary(truncated, "b.npub"))
                .substr(0, std::string("b.npub@").size()),
            "b.npub@");
  EXPECT_NE(errorOf(parseProgramBinary(truncated, "b.npub"))
                .find(": error: truncated file: expected "),
            std::string::npos);
  std::string trailing = bytes + "xyz";
  EXPECT_EQ(errorOf(parseProgramBinary(trailing, "b.npub")),
            "b.npub@" + std::to_string(bytes.size()) +
                ": error: 3 unexpected bytes after the last command");
  std::string hugeCount = bytes;
  llvm::support::endian::write64le(&hugeCount[32], uint64_t(1) << 40);
  EXPECT_EQ(errorOf(parseProgramBinary(hugeCount, "b.npub")),
            "b.npub@32: error: record counts exceed the file size (" +
                std::to_string(bytes.size()) + " bytes)");
  // An invalid command kind, at the first command's offset.
  llvm::Expected<Program> program = parseProgramBinary(bytes, "b.npub");
  ASSERT_TRUE(bool(program));
  std::string badKind = bytes;
  size_t first = program->commandPositions[0];
  badKind[first] = 10;
  EXPECT_EQ(errorOf(parseProgramBinary(badKind, "b.npub")),
            "b.npub@" + std::to_string(first) +
                ": error: invalid command kind 10");
}

ChipConfig smallChip() {
  llvm::Expected<ChipConfig> chip =
      loadChipConfig("systolic-32x32", {"cores=2", "core.sram.bytes=64 KiB",
                                        "core.tensor.macs_per_cycle.fp32=0"});
  EXPECT_TRUE(bool(chip));
  return *chip;
}

std::string verifyError(const char *body) {
  std::string text = std::string("gaon-npu-program 1\n"
                                 "buffer 0 \"x\" input 0 : f32[64, 64] "
                                 "address 0 size 16384\n"
                                 "semaphore 0\n") +
                     body;
  llvm::Expected<Program> program = parseProgramText(text, "v.npu");
  if (!program)
    return "parse: " + llvm::toString(program.takeError());
  llvm::Error error = verifyProgram(*program, smallChip());
  return error ? llvm::toString(std::move(error)) : "";
}

/// Each class of invalid command has its message, naming the line.
TEST(Verify, RejectsInvalidPrograms) {
  struct Case {
    const char *body;
    const char *message;
  };
  const Case cases[] = {
      {"dma dram(0, 4000) : f32[2, 64] -> sram(0, 0) : f32[2, 64]",
       "v.npu:4: error: dma: source f32[2, 64] touches elements 4000 to 4127 "
       "of buffer 'x', which has 4096"},
      {"dma dram(0, 0) : f32[64, 64] -> sram(0, 61440) : f32[64, 64]",
       "v.npu:4: error: dma: target f32[64, 64] spans SRAM bytes [61440, "
       "77824) outside the 65536-byte SRAM of core 0"},
      {"dma dram(0, 0) : f32[4] -> sram(0, 2) : f32[4]",
       "v.npu:4: error: dma: target at SRAM address 2 is not aligned to its "
       "4-byte elements"},
      {"dma dram(3, 0) : f32[4] -> sram(0, 0) : f32[4]",
       "v.npu:4: error: dma: source uses buffer 3, but the program has 1"},
      {"dma dram(0, 0) : f16[4] -> sram(0, 0) : f16[4]",
       "v.npu:4: error: dma: source reads f16 from buffer 'x' of f32"},
      {"dma dram(0, 0) : f32[4] -> sram(0, 0) : f32[2, 2]",
       "v.npu:4: error: dma: source and target must have the same shape, got "
       "f32[4] and f32[2, 2]"},
      {"dma dram(0, 0) : f32[4] -> sram(0, 0) : f32[4] queue 2",
       "v.npu:4: error: dma: DMA queue 2 does not exist: 'systolic-32x32' "
       "has 2 DMA engine(s) per core"},
      {"dma dram(0, 0) : f32[4] -> sram(0, 0) : f32[4] core 2",
       "v.npu:4: error: dma: core 2 does not exist: 'systolic-32x32' has 2 "
       "core(s)"},
      {"dma dram(0, 0) : f32[4] -> sram(0, 0) : f32[4] signal(5)",
       "v.npu:4: error: dma: signals semaphore 5, but the program has 1"},
      {"dma dram(0, 0) : f32[4] -> sram(0, 0) : f32[4] op 0",
       "v.npu:4: error: dma: names op 0, but the program has 0"},
      {"dma dram(0, 0) : f32[4] -> sram(0, 0) : f32[4] chip 1",
       "v.npu:4: error: dma: runs on chip 1 but the program spans 1"},
      {"matmul sram(0, 0) : f32[8, 8], sram(0, 256) : f32[8, 8] -> sram(0, "
       "512) : f32[8, 8]",
       "v.npu:4: error: matmul: the tensor engine of 'systolic-32x32' has no "
       "fp32 support (supports int8, fp8, bf16, fp16)"},
      {"matmul sram(0, 0) : bf16[8, 4], sram(0, 256) : bf16[8, 8] -> sram(0, "
       "512) : f32[8, 8]",
       "v.npu:4: error: matmul: contraction sizes differ: lhs has K = 4, rhs "
       "has K = 8"},
      {"matmul sram(0, 0) : bf16[8, 8], sram(0, 256) : bf16[8, 8] -> sram(0, "
       "512) : f32[8, 4]",
       "v.npu:4: error: matmul: acc must be 8x8, got f32[8, 4]"},
      {"matmul sram(0, 0) : i8[8, 8], sram(0, 256) : i8[8, 8] -> sram(0, "
       "512) : f32[8, 8]",
       "v.npu:4: error: matmul: cannot accumulate i8 products in f32 "
       "(expected i32 for i8 inputs, f32 otherwise)"},
      {"matmul sram(0, 0) : bf16[8, 8], sram(1, 256) : bf16[8, 8] -> sram(0, "
       "512) : f32[8, 8]",
       "v.npu:4: error: matmul: rhs is in the SRAM of core 1 but the command "
       "runs on core 0"},
      {"matmul dram(0, 0) : f32[8, 8], sram(0, 256) : f32[8, 8] -> sram(0, "
       "512) : f32[8, 8]",
       "v.npu:4: error: matmul: lhs must be in SRAM"},
      {"vector.binary add sram(0, 0) : f32[4, 8], sram(0, 256) : f32[4, 2] -> "
       "sram(0, 512) : f32[4, 8]",
       "v.npu:4: error: vector.binary: rhs dimension 1 is 2, which neither "
       "matches the output's 8 nor broadcasts (1)"},
      {"vector.unary exp sram(0, 0) : i8[4] -> sram(0, 256) : i8[4]",
       "v.npu:4: error: vector.unary: input must have a float element type, "
       "got i8"},
      {"vector.reduce sum sram(0, 0) : f32[4, 8] -> sram(0, 256) : f32[4, 8] "
       "axis 1",
       "v.npu:4: error: vector.reduce: output must have the input's shape "
       "with dimension 1 set to 1, got f32[4, 8]"},
      {"vector.reduce sum sram(0, 0) : f32[4, 8] -> sram(0, 256) : f32[4, 1] "
       "axis 2",
       "v.npu:4: error: vector.reduce: axis 2 is out of range for rank 2"},
      {"vector.unary copy sram(0, 0) : f32[4] -> sram(0, 256) : f16[4]",
       "v.npu:4: error: vector.unary: operands must share an element type, "
       "got f32 and f16 (output)"},
      {"dma sram(0, 0) : f32[4] -> sram(1, 0) : f32[4]", ""},
  };
  for (const Case &c : cases)
    EXPECT_EQ(verifyError(c.body), c.message) << c.body;
}

TEST(Verify, RejectsBuffersOutsideDram) {
  llvm::Expected<Program> program = parseProgramText(
      "gaon-npu-program 1\n"
      "buffer 0 \"big\" scratch : i8[16] address 17179869184 size 16\n",
      "d.npu");
  ASSERT_TRUE(bool(program));
  llvm::Error error = verifyProgram(*program, smallChip());
  EXPECT_EQ(llvm::toString(std::move(error)),
            "d.npu: error: buffer 0 'big' [17179869184, 17179869200) lies "
            "outside the 17179869184-byte DRAM of 'systolic-32x32'");
}

TEST(Verify, SummarisesAProgramTooBigForDram) {
  llvm::Expected<Program> program = parseProgramText(
      "gaon-npu-program 1\n"
      "buffer 0 \"a\" scratch : i8[16] address 17179869184 size 16\n"
      "buffer 1 \"b\" scratch : i8[16] address 17179869200 size 16\n"
      "buffer 2 \"c\" scratch : i8[16] address 17179869216 size 16\n",
      "d.npu");
  ASSERT_TRUE(bool(program));
  llvm::Error error = verifyProgram(*program, smallChip());
  EXPECT_EQ(llvm::toString(std::move(error)),
            "d.npu: error: buffer 0 'a' [17179869184, 17179869200) lies "
            "outside the 17179869184-byte DRAM of 'systolic-32x32'\n"
            "d.npu: error: 2 more buffers lie outside it: the program needs "
            "17179869232 bytes of DRAM, 'systolic-32x32' has 17179869184");
}

/// Element types the CPU reference knows but NPU memory does not hold (i64,
/// i1, f64) are rejected when a program is built through the C++ API.
TEST(Verify, RejectsNonNpuElementTypes) {
  ProgramBuilder builder;
  builder.addBuffer("ids", BufferRole::Input, 0, DType::I64, {4});
  Program program = builder.take();
  llvm::Error error = verifyProgram(program, smallChip());
  EXPECT_EQ(llvm::toString(std::move(error)),
            "program: error: buffer 0 'ids' has element type i64, which NPU "
            "memory does not hold");
}

} // namespace
