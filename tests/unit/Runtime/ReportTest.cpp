//===- ReportTest.cpp - The terminal table, JSON, CSV and HTML reports ----===//
//
// Each rendering of a RunReport made by runComparison over fake backends
// carries the figures it should: table rows, JSON fields, one CSV row per
// figure, and in the HTML the table rows, the stacked breakdown segments,
// the roofs and one roofline point per op, with no external resource.
//
//===----------------------------------------------------------------------===//

#include "FakeBackend.h"

#include "gaon/Runtime/Comparison.h"
#include "gaon/Runtime/RunReport.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

using namespace gaon::runtime;
using namespace gaon::runtime::testing;

namespace {

/// Occurrences of `needle` in `text`.
size_t countOccurrences(llvm::StringRef text, llvm::StringRef needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != llvm::StringRef::npos;
       at = text.find(needle, at + needle.size()))
    ++n;
  return n;
}

class ReportTest : public ::testing::Test {
protected:
  void SetUp() override {
    context.loadDialect<mlir::func::FuncDialect>();
    auto module = mlir::parseSourceString<mlir::ModuleOp>(
        "func.func @main(%x: tensor<8x16xf32>) -> tensor<8x16xf32> {\n"
        "  return %x : tensor<8x16xf32>\n}\n",
        &context);
    ASSERT_TRUE(module);
    auto made = makeModel(std::move(module), "models/fake.mlir", "");
    ASSERT_TRUE(bool(made));
    Model model = std::move(*made);

    FakeBehaviour cpu;
    cpu.roofline = {1e11, 2e10, "f32", Provenance::Measured, "host"};
    FakeBehaviour npu;
    npu.latency = 2e-6;
    npu.provenance = Provenance::Simulated;
    npu.energy = 3e-6;
    npu.roofline = {2.5e14, 1.5e12, "f32", Provenance::Modeled, "rngd.yaml"};
    FakeBehaviour broken = npu;
    broken.addError = 1;
    FakeBehaviour failing;
    failing.compileError = "cannot <compile> & fail";
    FakeBackend cpuBackend("cpu", cpu), npuBackend("npu:a", npu),
        brokenBackend("npu:b", broken), failingBackend("npu:c", failing);
    Backend *backends[] = {&cpuBackend, &npuBackend, &brokenBackend,
                           &failingBackend};
    auto made2 = runComparison(model, backends, &cpuBackend, {});
    ASSERT_TRUE(bool(made2)) << llvm::toString(made2.takeError());
    report = std::move(*made2);
  }

  mlir::MLIRContext context;
  RunReport report;
};

TEST_F(ReportTest, TerminalTable) {
  std::string text;
  llvm::raw_string_ostream os(text);
  printTable(report, os);
  EXPECT_NE(text.find("model fake (models/fake.mlir, @main); inputs: random, "
                      "seed 0; items per run: 8 (dim 0 of argument 0)"),
            std::string::npos)
      << text;
  llvm::SmallVector<llvm::StringRef> lines;
  llvm::StringRef(text).split(lines, '\n', -1, false);
  // Title, header, rule, four rows, then the failures.
  ASSERT_GE(lines.size(), 7u) << text;
  EXPECT_TRUE(lines[1].starts_with("backend")) << text;
  EXPECT_TRUE(lines[1].contains("vs cpu"));
  EXPECT_TRUE(lines[3].starts_with("cpu ")) << text;
  EXPECT_TRUE(lines[3].contains("reference"));
  EXPECT_TRUE(lines[4].starts_with("npu:a ")) << text;
  EXPECT_TRUE(lines[4].contains("simulated"));
  EXPECT_TRUE(lines[4].contains("2.00 us"));
  EXPECT_TRUE(lines[4].contains("500x"));
  EXPECT_TRUE(lines[4].contains("3.00 uJ (modeled)"));
  EXPECT_TRUE(lines[4].contains("pass (cos 1.000000)"));
  EXPECT_TRUE(lines[5].contains("FAIL")) << text;
  EXPECT_TRUE(lines[6].starts_with("npu:c ")) << text;
  EXPECT_TRUE(lines[6].contains("ERROR"));
  EXPECT_NE(text.find("npu:b: output 0 f32[8x16] differs from cpu"),
            std::string::npos);
  EXPECT_NE(text.find("npu:c: error: cannot <compile> & fail"),
            std::string::npos);
}

TEST_F(ReportTest, JsonCarriesEveryFigure) {
  std::string text;
  llvm::raw_string_ostream os(text);
  writeJson(report, os);
  auto parsed = llvm::json::parse(text);
  ASSERT_TRUE(bool(parsed)) << llvm::toString(parsed.takeError());
  const llvm::json::Object &root = *parsed->getAsObject();
  EXPECT_EQ(root.getString("format"), "gaon-run-report");
  EXPECT_EQ(root.getInteger("version"), int64_t(kRunReportVersion));
  EXPECT_EQ(root.getBoolean("success"), false);
  EXPECT_EQ(root.getString("reference"), "cpu");
  const llvm::json::Array &backends = *root.getArray("backends");
  ASSERT_EQ(backends.size(), 4u);

  const llvm::json::Object &npu = *backends[1].getAsObject();
  EXPECT_EQ(npu.getString("name"), "npu:a");
  EXPECT_EQ(npu.getString("status"), "ok");
  EXPECT_EQ(npu.getObject("latency_seconds")->getNumber("value"), 2e-6);
  EXPECT_EQ(npu.getObject("latency_seconds")->getString("provenance"),
            "simulated");
  EXPECT_EQ(npu.getObject("energy_joules")->getString("provenance"), "modeled");
  EXPECT_NEAR(*npu.getNumber("speedup"), 500, 1e-9);
  EXPECT_NEAR(*npu.getObject("throughput")->getNumber("value"), 8 / 2e-6, 1e-3);
  EXPECT_EQ(npu.getBoolean("passed"), true);
  const llvm::json::Object &roofline = *npu.getObject("roofline");
  EXPECT_EQ(roofline.getNumber("flops_per_second"), 2.5e14);
  const llvm::json::Array &ops = *npu.getArray("ops");
  ASSERT_EQ(ops.size(), 2u);
  const llvm::json::Object &op = *ops[0].getAsObject();
  EXPECT_EQ(op.getString("name"), "arith.mulf");
  EXPECT_EQ(op.getNumber("flops"), 128);
  EXPECT_EQ(op.getNumber("bytes"), 1024);
  EXPECT_EQ(op.getString("bound"), "memory");
  EXPECT_NEAR(*op.getNumber("roofline_seconds"), 1024 / 1.5e12, 1e-18);

  const llvm::json::Object &broken = *backends[2].getAsObject();
  EXPECT_EQ(broken.getBoolean("passed"), false);
  const llvm::json::Object &check =
      *(*broken.getArray("outputs"))[0].getAsObject()->getObject("check");
  EXPECT_EQ(check.getBoolean("passed"), false);
  EXPECT_NEAR(*check.getNumber("max_abs_error"), 1, 1e-6);
  EXPECT_EQ(check.getInteger("mismatches"), 128);

  const llvm::json::Object &failing = *backends[3].getAsObject();
  EXPECT_EQ(failing.getString("status"), "error");
  EXPECT_EQ(failing.getString("error"), "cannot <compile> & fail");
  EXPECT_EQ(failing.get("latency_seconds")->kind(), llvm::json::Value::Null);
}

TEST_F(ReportTest, CsvHasOneRowPerFigure) {
  std::string text;
  llvm::raw_string_ostream os(text);
  writeCsv(report, os);
  llvm::SmallVector<llvm::StringRef> lines;
  llvm::StringRef(text).split(lines, '\n', -1, false);
  EXPECT_EQ(lines[0], "backend,scope,item,metric,value,unit,provenance");
  EXPECT_TRUE(
      llvm::is_contained(lines, "npu:a,run,,latency_seconds,2e-06,s,simulated"))
      << text;
  EXPECT_TRUE(
      llvm::is_contained(lines, "npu:a,run,,energy_joules,3e-06,J,modeled"));
  EXPECT_TRUE(
      llvm::is_contained(lines, "npu:b,output,output 0,passed,0,bool,"));
  EXPECT_TRUE(llvm::is_contained(
      lines, "npu:a,op,\"0 arith.mulf \"\"fake.mlir\"\":2:5\",flops,128,FLOP,"
             "modeled"))
      << text;
  EXPECT_TRUE(
      llvm::is_contained(lines, "npu:c,run,,error,cannot <compile> & fail,,"));
  // Every row has seven fields (quoted commas aside).
  for (llvm::StringRef line : lines) {
    if (!line.contains('"')) {
      EXPECT_EQ(countOccurrences(line, ","), 6u) << line.str();
    }
  }
}

TEST_F(ReportTest, HtmlIsSelfContainedWithTableAndPlots) {
  std::string text;
  llvm::raw_string_ostream os(text);
  writeHtml(report, os);
  EXPECT_TRUE(llvm::StringRef(text).starts_with("<!DOCTYPE html>"));
  EXPECT_TRUE(llvm::StringRef(text).ends_with("</html>\n"));
  // Table rows, one per backend, classed by outcome.
  EXPECT_EQ(countOccurrences(text, "<tr class=\"ok\" data-backend=\"cpu\">"),
            1u);
  EXPECT_EQ(countOccurrences(text, "<tr class=\"ok\" data-backend=\"npu:a\">"),
            1u);
  EXPECT_EQ(
      countOccurrences(text, "<tr class=\"fail\" data-backend=\"npu:b\">"), 1u);
  EXPECT_EQ(
      countOccurrences(text, "<tr class=\"error\" data-backend=\"npu:c\">"),
      1u);
  EXPECT_NE(text.find("cannot &lt;compile&gt; &amp; fail"), std::string::npos);
  // Breakdown: two segments per backend that ran; roofline: a roof per
  // backend and a point per op.
  EXPECT_EQ(countOccurrences(text, "<rect class=\"op\""), 6u);
  EXPECT_EQ(countOccurrences(text, "<polyline class=\"roof\""), 3u);
  EXPECT_EQ(countOccurrences(text, "<circle class=\"op\""), 6u);
  EXPECT_NE(text.find("data-backend=\"npu:a\" data-op=\"arith.mulf\" "
                      "data-intensity=\"0.125\""),
            std::string::npos);
  // The data is embedded; nothing is fetched.
  EXPECT_EQ(countOccurrences(text, "<script type=\"application/json\" "
                                   "id=\"gaon-report\">"),
            1u);
  EXPECT_EQ(countOccurrences(text, "src="), 0u);
  EXPECT_EQ(countOccurrences(text, "<link"), 0u);
  EXPECT_EQ(countOccurrences(text, "http"),
            countOccurrences(text, "xmlns=\"http://www.w3.org/"));
}

} // namespace
