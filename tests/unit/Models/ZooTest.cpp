//===- ZooTest.cpp - the model zoo's counts and configurations ------------===//
//
// Every zoo model, phase and precision: the parameter and contraction-FLOP
// counts taken from the built IR (ModelStats) equal the closed forms of the
// config, the published parameter counts hold at full size, and impossible
// configurations are errors naming the option.
//
//===----------------------------------------------------------------------===//

#include "gaon/Models/Zoo.h"
#include "gaon/Frontend/Import.h"
#include "gaon/Frontend/ModelStats.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"

#include "gtest/gtest.h"

using namespace gaon;
using models::Phase;
using models::Precision;

namespace {

struct Case {
  std::string model;
  Phase phase;
  Precision precision;
  bool reduced;
};

/// Names a case in gtest's output (and ctest's test list) by its fields
/// instead of a dump of its bytes.
void PrintTo(const Case &c, std::ostream *os) {
  *os << c.model << " " << models::phaseName(c.phase).str() << " "
      << models::precisionName(c.precision).str()
      << (c.reduced ? " reduced" : " full");
}

std::string caseName(const testing::TestParamInfo<Case> &info) {
  std::string name = info.param.model + "_" +
                     models::phaseName(info.param.phase).str() + "_" +
                     models::precisionName(info.param.precision).str() +
                     (info.param.reduced ? "_reduced" : "_full");
  for (char &c : name)
    if (!isalnum(static_cast<unsigned char>(c)))
      c = '_';
  return name;
}

std::vector<Case> allCases() {
  std::vector<Case> cases;
  for (llvm::StringRef name : models::modelNames()) {
    bool llm = name.starts_with("llama") || name.starts_with("gpt2");
    std::vector<Phase> phases =
        llm ? std::vector<Phase>{Phase::Prefill, Phase::Decode}
            : std::vector<Phase>{Phase::Forward};
    for (Phase p : phases) {
      // Full size in the model's own precision; every precision reduced.
      cases.push_back(
          {name.str(), p,
           name.starts_with("llama") ? Precision::BF16 : Precision::FP32,
           false});
      for (Precision pr :
           {Precision::FP32, Precision::BF16, Precision::FP8, Precision::INT8})
        cases.push_back({name.str(), p, pr, true});
    }
  }
  return cases;
}

class ZooCounts : public testing::TestWithParam<Case> {};

TEST_P(ZooCounts, IRCountsEqualClosedForm) {
  const Case &c = GetParam();
  models::ZooOptions options;
  options.phase = c.phase;
  options.precision = c.precision;
  options.batch = 2;
  options.seqLen = 16;
  options.kvLen = 32;
  if (c.reduced) {
    options.layers = 2;
    options.hidden = c.model == "resnet50" ? 8 : 64;
    options.vocab = 100;
    options.image = 64;
    if (c.model.rfind("llama", 0) == 0)
      options.heads = 4, options.kvHeads = 2;
    else if (c.model != "resnet50")
      options.heads = 4;
  }
  auto config = models::resolveConfig(c.model, options);
  ASSERT_TRUE(bool(config)) << llvm::toString(config.takeError());
  mlir::MLIRContext context;
  auto module = models::buildModel(*config, context);
  ASSERT_TRUE(bool(module)) << llvm::toString(module.takeError());
  ASSERT_TRUE(mlir::succeeded(mlir::verify(**module)));
  frontend::ModelStats stats = frontend::computeStats(**module);
  models::ClosedForm closed = models::closedForm(*config);
  EXPECT_EQ(stats.parameters, closed.parameters);
  EXPECT_EQ(stats.contractionFlops, closed.contractionFlops);
  EXPECT_GT(stats.otherFlops, 0);
  EXPECT_GT(stats.weightBytes, 0);
}

INSTANTIATE_TEST_SUITE_P(Zoo, ZooCounts, testing::ValuesIn(allCases()),
                         caseName);

/// Parameters at full size in the model's own precision.
int64_t fullSizeParameters(llvm::StringRef name) {
  auto config = models::resolveConfig(name, {});
  EXPECT_TRUE(bool(config));
  if (!config)
    return -1;
  mlir::MLIRContext context;
  auto module = models::buildModel(*config, context);
  EXPECT_TRUE(bool(module));
  if (!module)
    return -1;
  return frontend::computeStats(**module).parameters;
}

TEST(Zoo, PublishedParameterCounts) {
  // Hugging Face / torchvision / timm parameter counts.
  EXPECT_EQ(fullSizeParameters("llama3.2-1b"), 1235814400);
  EXPECT_EQ(fullSizeParameters("llama3-8b"), 8030261248);
  EXPECT_EQ(fullSizeParameters("llama3-70b"), 70553706496);
  EXPECT_EQ(fullSizeParameters("gpt2"), 124439808);
  EXPECT_EQ(fullSizeParameters("gpt2-medium"), 354823168);
  EXPECT_EQ(fullSizeParameters("gpt2-large"), 774030080);
  EXPECT_EQ(fullSizeParameters("gpt2-xl"), 1557611200);
  EXPECT_EQ(fullSizeParameters("bert-base"), 109482240);
  EXPECT_EQ(fullSizeParameters("bert-large"), 335141888);
  EXPECT_EQ(fullSizeParameters("resnet50"), 25557032);
  EXPECT_EQ(fullSizeParameters("vit-b16"), 86567656);
}

TEST(Zoo, PublishedFlops) {
  // ResNet-50 at 224x224: 4.09 GMACs; ViT-B/16: 17.56 GMACs.
  for (auto [name, macs] :
       {std::pair<const char *, int64_t>{"resnet50", 4089184256},
        {"vit-b16", 17563828224}}) {
    auto config = models::resolveConfig(name, {});
    ASSERT_TRUE(bool(config));
    EXPECT_EQ(models::closedForm(*config).contractionFlops, 2 * macs) << name;
  }
}

TEST(Zoo, DecodeReadsTheKVCache) {
  // Llama 3 8B decode, batch 8, 2048 cached tokens: the inputs are the
  // 32-layer bf16 KV cache plus 8 i32 token ids.
  models::ZooOptions options;
  options.phase = Phase::Decode;
  options.batch = 8;
  options.kvLen = 2048;
  auto config = models::resolveConfig("llama3-8b", options);
  ASSERT_TRUE(bool(config));
  mlir::MLIRContext context;
  auto module = models::buildModel(*config, context);
  ASSERT_TRUE(bool(module));
  frontend::ModelStats stats = frontend::computeStats(**module);
  int64_t cache = int64_t(2) * 32 * 8 * 8 * 2048 * 128 * 2;
  EXPECT_EQ(stats.inputBytes, cache + 8 * 4);
  EXPECT_EQ(stats.weightBytes, 2 * 8030261248);
}

TEST(Zoo, Aliases) {
  EXPECT_TRUE(models::isZooModel("gpt2-124m"));
  EXPECT_TRUE(models::isZooModel("GPT2-1.5B"));
  EXPECT_TRUE(models::isZooModel("bert-base-uncased"));
  EXPECT_FALSE(models::isZooModel("llama3.1-8b"));
  auto config = models::resolveConfig("gpt2-1.5b", {});
  ASSERT_TRUE(bool(config));
  EXPECT_EQ(config->name, "gpt2-xl");
}

/// The error message of resolving `name` with `options`.
std::string configError(llvm::StringRef name, models::ZooOptions options) {
  auto config = models::resolveConfig(name, options);
  if (config)
    return "";
  return llvm::toString(config.takeError());
}

TEST(Zoo, InvalidConfigurations) {
  models::ZooOptions o;
  o.phase = Phase::Decode;
  EXPECT_NE(configError("bert-base", o).find("has no decode phase"),
            std::string::npos);
  o = {};
  o.batch = 0;
  EXPECT_NE(configError("gpt2", o).find("--batch must be at least 1"),
            std::string::npos);
  o = {};
  o.hidden = 96;
  o.heads = 5;
  EXPECT_NE(configError("gpt2", o).find("not a multiple of heads"),
            std::string::npos);
  o = {};
  o.seqLen = 513;
  EXPECT_NE(configError("bert-base", o).find("exceed the model's 512"),
            std::string::npos);
  o = {};
  o.hidden = 64;
  o.heads = 4;
  o.kvHeads = 3;
  EXPECT_NE(configError("llama3-8b", o)
                .find("heads 4 is not a multiple of "
                      "kv-heads 3"),
            std::string::npos);
  o = {};
  o.hidden = 64;
  o.heads = 64;
  EXPECT_NE(configError("llama3-8b", o).find("RoPE needs an even head"),
            std::string::npos);
  EXPECT_NE(configError("resnet18", {}).find("unknown zoo model"),
            std::string::npos);
}

TEST(Zoo, ImportModelByName) {
  frontend::ImportOptions options;
  options.zoo.layers = 1;
  options.zoo.hidden = 32;
  options.zoo.heads = 2;
  options.zoo.vocab = 16;
  options.zoo.seqLen = 4;
  mlir::MLIRContext context;
  auto module = frontend::importModel("gpt2", options, context);
  ASSERT_TRUE(bool(module)) << llvm::toString(module.takeError());
  auto error = frontend::importModel("gpt5", options, context);
  ASSERT_FALSE(bool(error));
  EXPECT_NE(llvm::toString(error.takeError()).find("nor a zoo model"),
            std::string::npos);
}

} // namespace
