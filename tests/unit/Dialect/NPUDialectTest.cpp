//===- NPUDialectTest.cpp - C++ API of the npu dialect --------------------===//
//
// Ensures the helpers passes rely on (target lookup, memory spaces, buffer
// sizes) give the right answers from C++.
//
//===----------------------------------------------------------------------===//

#include "gaon/Dialect/NPU/IR/NPUOps.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

using namespace mlir;
using namespace gaon::npu;

namespace {

class NPUDialectTest : public ::testing::Test {
protected:
  NPUDialectTest() {
    context.loadDialect<NPUDialect, func::FuncDialect, memref::MemRefDialect>();
  }
  MemRefType parseMemRef(StringRef text) {
    return cast<MemRefType>(parseType(text, &context));
  }
  MLIRContext context;
};

TEST_F(NPUDialectTest, MemorySpaceDefaultsToDram) {
  EXPECT_EQ(getMemorySpace(parseMemRef("memref<4xf32>")), MemorySpace::Dram);
  EXPECT_EQ(
      getMemorySpace(parseMemRef("memref<4xf32, #npu.memory_space<sram>>")),
      MemorySpace::Sram);
  EXPECT_EQ(getMemorySpace(parseMemRef("memref<4xf32, 7>")), std::nullopt);
}

TEST_F(NPUDialectTest, StaticSizeCountsStridedExtent) {
  EXPECT_EQ(getStaticSizeInBytes(parseMemRef("memref<64x64xbf16>")), 8192);
  // Rows of 64 elements 256 apart: 63 * 256 + 64 elements of 4 bytes.
  EXPECT_EQ(getStaticSizeInBytes(
                parseMemRef("memref<64x64xf32, strided<[256, 1], offset: 8>>")),
            (63 * 256 + 64) * 4);
  EXPECT_EQ(getStaticSizeInBytes(parseMemRef("memref<3xf8E4M3FN>")), 3);
  EXPECT_EQ(getStaticSizeInBytes(parseMemRef("memref<?x4xf32>")), std::nullopt);
}

TEST_F(NPUDialectTest, SupportedElementTypes) {
  Builder b(&context);
  EXPECT_TRUE(isSupportedElementType(b.getBF16Type()));
  EXPECT_TRUE(isSupportedElementType(b.getI8Type()));
  EXPECT_TRUE(isSupportedElementType(b.getI32Type()));
  EXPECT_FALSE(isSupportedElementType(b.getF64Type()));
  EXPECT_FALSE(isSupportedElementType(b.getI16Type()));
}

TEST_F(NPUDialectTest, TargetLookupFindsEnclosingModule) {
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(R"mlir(
    module attributes {npu.target = #npu.target<name = "t", clock_mhz = 800,
        cores = 4, tensor_rows = 16, tensor_cols = 8, dataflow = ws,
        precisions = [bf16, i8], vector_lanes = 16, sram_bytes = 1024,
        sram_banks = 4, sram_bytes_per_cycle = 32, dma_engines = 1,
        dma_bytes_per_cycle = 16, dram_bytes_per_cycle = 32,
        dram_latency = 0>} {
      func.func @f() {
        %s = npu.semaphore
        return
      }
    })mlir",
                                                             &context);
  ASSERT_TRUE(module);
  Operation *semaphore = nullptr;
  module->walk([&](SemaphoreOp op) { semaphore = op; });
  ASSERT_NE(semaphore, nullptr);
  TargetAttr target = TargetAttr::lookup(semaphore);
  ASSERT_TRUE(target);
  EXPECT_EQ(target.getName(), "t");
  EXPECT_EQ(target.getCores(), 4);
  EXPECT_EQ(target.getDataflow(), Dataflow::WeightStationary);
  Builder b(&context);
  EXPECT_TRUE(target.supportsPrecision(b.getI8Type()));
  EXPECT_FALSE(target.supportsPrecision(b.getF16Type()));
}

TEST_F(NPUDialectTest, TargetLookupWithoutTargetIsNull) {
  OwningOpRef<ModuleOp> module =
      parseSourceString<ModuleOp>("module {}", &context);
  ASSERT_TRUE(module);
  EXPECT_FALSE(TargetAttr::lookup(*module));
}

} // namespace
