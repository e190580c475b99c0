//===- ZooExecuteTest.cpp - zoo models run on the CPU reference -----------===//
//
// Runs reduced zoo models on the CPU reference executor with seeded random
// weights and checks what only a correct model satisfies:
//   - KV-cache consistency: prefill of S tokens, then decode of token S+1
//     against the prefill's K/V, gives the same logits (and new K/V entries)
//     as a prefill of all S+1 tokens. This exercises the causal mask, RoPE
//     positions, the cache concatenation and grouped-query attention.
//   - the encoders and CNNs produce finite outputs of the right shapes, and
//     BERT's pooler output lies in tanh's range.
//
//===----------------------------------------------------------------------===//

#include "gaon/Frontend/Import.h"
#include "gaon/Models/Zoo.h"
#include "gaon/Runtime/HostTensor.h"
#include "gaon/Runtime/Reference/Executor.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/StringMap.h"

#include "gtest/gtest.h"

#include <cmath>
#include <limits>

using namespace gaon;
using runtime::HostTensor;

namespace {

/// A model built at a reduced size, with named inputs and outputs.
struct Built {
  mlir::OwningOpRef<mlir::ModuleOp> module;
  mlir::func::FuncOp main;
};

Built build(mlir::MLIRContext &context, llvm::StringRef name,
            models::ZooOptions options) {
  frontend::ImportOptions import;
  import.zoo = options;
  auto module = frontend::importModel(name, import, context);
  EXPECT_TRUE(bool(module)) << llvm::toString(module.takeError());
  Built b;
  if (!module)
    return b;
  b.module = std::move(*module);
  b.main = b.module->lookupSymbol<mlir::func::FuncOp>("main");
  return b;
}

/// Deterministic weights: each argument filled from a seed derived from its
/// name, so modules of different phases share their weights.
HostTensor weightFor(llvm::StringRef name, mlir::RankedTensorType type) {
  auto dtype = runtime::reference::getDType(type.getElementType());
  return HostTensor::random(*dtype, type.getShape(),
                            llvm::hash_value(name) & 0xffffffff,
                            runtime::RandomRange{-0.2, 0.2});
}

/// Arguments of `main`: weights from weightFor, inputs from `inputs` by name.
llvm::SmallVector<HostTensor>
arguments(mlir::func::FuncOp main, const llvm::StringMap<HostTensor> &inputs) {
  llvm::SmallVector<HostTensor> args;
  for (unsigned i = 0; i < main.getNumArguments(); ++i) {
    auto name = main.getArgAttrOfType<mlir::StringAttr>(i, "gaon.name");
    auto kind = main.getArgAttrOfType<mlir::StringAttr>(i, "gaon.kind");
    auto type =
        llvm::cast<mlir::RankedTensorType>(main.getArgument(i).getType());
    if (kind.getValue() == "weight") {
      args.push_back(weightFor(name.getValue(), type));
      continue;
    }
    auto it = inputs.find(name.getValue());
    EXPECT_NE(it, inputs.end()) << "no input " << name.getValue().str();
    args.push_back(it == inputs.end() ? HostTensor() : it->second);
  }
  return args;
}

/// Runs `main`; results by name.
llvm::StringMap<HostTensor> run(mlir::func::FuncOp main,
                                const llvm::StringMap<HostTensor> &inputs) {
  llvm::StringMap<HostTensor> results;
  auto outputs = runtime::reference::execute(main, arguments(main, inputs));
  EXPECT_TRUE(bool(outputs)) << llvm::toString(outputs.takeError());
  if (!outputs)
    return results;
  for (unsigned i = 0; i < main.getNumResults(); ++i)
    results[main.getResultAttrOfType<mlir::StringAttr>(i, "gaon.name")
                .getValue()] = std::move((*outputs)[i]);
  return results;
}

/// Token ids [batch, n] taken from the first n of each row of `tokens`.
HostTensor firstTokens(const HostTensor &tokens, int64_t n) {
  int64_t batch = tokens.getShape()[0], all = tokens.getShape()[1];
  HostTensor t(runtime::DType::I32, {batch, n});
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t i = 0; i < n; ++i)
      t.setInt64(b * n + i, tokens.getInt64(b * all + i));
  return t;
}

/// Largest |a - b| relative to max |b| over the tensors.
double relativeError(const HostTensor &a, const HostTensor &b) {
  EXPECT_EQ(a.getShape(), b.getShape());
  double diff = 0, scale = 1e-6;
  for (int64_t i = 0; i < a.getNumElements(); ++i) {
    diff = std::max(diff, std::abs(a.getDouble(i) - b.getDouble(i)));
    scale = std::max(scale, std::abs(b.getDouble(i)));
  }
  return diff / scale;
}

/// The position `pos` of each [B, KV, S, D] cache, as [B, KV, 1, D].
HostTensor cacheAt(const HostTensor &cache, int64_t pos) {
  llvm::ArrayRef<int64_t> s = cache.getShape();
  HostTensor t(cache.getDType(), {s[0], s[1], 1, s[3]});
  int64_t k = 0;
  for (int64_t b = 0; b < s[0]; ++b)
    for (int64_t h = 0; h < s[1]; ++h)
      for (int64_t d = 0; d < s[3]; ++d)
        t.setDouble(k++, cache.at({b, h, pos, d}));
  return t;
}

void checkKVCacheConsistency(llvm::StringRef model,
                             models::ZooOptions options) {
  const int64_t s = 5, batch = options.batch;
  HostTensor tokens =
      HostTensor::random(runtime::DType::I32, {batch, s + 1}, 7,
                         runtime::RandomRange{0, double(options.vocab - 1)});
  mlir::MLIRContext context;

  options.phase = models::Phase::Prefill;
  options.seqLen = s + 1;
  Built full = build(context, model, options);
  options.seqLen = s;
  Built prefix = build(context, model, options);
  options.phase = models::Phase::Decode;
  options.kvLen = s;
  Built step = build(context, model, options);
  ASSERT_TRUE(full.main && prefix.main && step.main);

  llvm::StringMap<HostTensor> fullOut = run(full.main, {{"input_ids", tokens}});
  llvm::StringMap<HostTensor> prefixOut =
      run(prefix.main, {{"input_ids", firstTokens(tokens, s)}});
  llvm::StringMap<HostTensor> decodeIn;
  HostTensor last(runtime::DType::I32, {batch, 1});
  for (int64_t b = 0; b < batch; ++b)
    last.setInt64(b, tokens.getInt64(b * (s + 1) + s));
  decodeIn["input_ids"] = last;
  for (int64_t l = 0; l < options.layers; ++l)
    for (const char *kv : {"key", "value"})
      decodeIn["past." + std::to_string(l) + "." + kv] =
          prefixOut["present." + std::to_string(l) + "." + kv];
  llvm::StringMap<HostTensor> stepOut = run(step.main, decodeIn);

  ASSERT_TRUE(fullOut.count("logits") && stepOut.count("logits"));
  EXPECT_LT(relativeError(stepOut["logits"], fullOut["logits"]), 1e-4);
  for (int64_t l = 0; l < options.layers; ++l)
    for (const char *kv : {"key", "value"}) {
      std::string name = "present." + std::to_string(l) + "." + kv;
      EXPECT_LT(relativeError(stepOut[name], cacheAt(fullOut[name], s)), 1e-4)
          << name;
    }
}

TEST(ZooExecute, LlamaDecodeMatchesPrefill) {
  models::ZooOptions o;
  o.layers = 2, o.hidden = 64, o.heads = 4, o.kvHeads = 2, o.vocab = 50;
  o.ffn = 96, o.batch = 2, o.precision = models::Precision::FP32;
  checkKVCacheConsistency("llama3-8b", o);
}

TEST(ZooExecute, ScaledRopeLlamaDecodeMatchesPrefill) {
  models::ZooOptions o;
  o.layers = 1, o.hidden = 64, o.heads = 2, o.kvHeads = 1, o.vocab = 40;
  o.precision = models::Precision::FP32;
  checkKVCacheConsistency("llama3.2-1b", o);
}

TEST(ZooExecute, GPT2DecodeMatchesPrefill) {
  models::ZooOptions o;
  o.layers = 2, o.hidden = 48, o.heads = 3, o.vocab = 60, o.batch = 1;
  checkKVCacheConsistency("gpt2", o);
}

/// --host-embeddings: the same prefill, given the embedding rows, the RoPE
/// tables and the causal mask from the host instead of token ids, gives the
/// same logits and K/V as the graph that looks them up itself.
TEST(ZooExecute, HostEmbeddingsMatchTokenIds) {
  models::ZooOptions o;
  o.layers = 2, o.hidden = 64, o.heads = 4, o.kvHeads = 2, o.vocab = 50;
  o.ffn = 96, o.seqLen = 5, o.precision = models::Precision::FP32;
  auto config = models::resolveConfig("llama3-8b", o);
  ASSERT_TRUE(bool(config)) << llvm::toString(config.takeError());
  ASSERT_EQ(config->ropeFactor, 0) << "the test's tables assume no scaling";
  const int64_t s = o.seqLen, h = config->hidden, d = config->headDim;
  HostTensor ids =
      HostTensor::random(runtime::DType::I32, {1, s}, 11,
                         runtime::RandomRange{0, double(o.vocab - 1)});
  mlir::MLIRContext context;
  Built byIds = build(context, "llama3-8b", o);
  o.hostEmbeddings = true;
  Built byHost = build(context, "llama3-8b", o);
  ASSERT_TRUE(byIds.main && byHost.main);

  // The host's side: embedding rows, RoPE tables, additive causal mask.
  mlir::Builder builder(&context);
  HostTensor table = weightFor(
      "model.embed_tokens.weight",
      mlir::RankedTensorType::get({o.vocab, h}, builder.getF32Type()));
  HostTensor embeds(runtime::DType::F32, {1, s, h});
  HostTensor cos(runtime::DType::F32, {s, d}), sin(runtime::DType::F32, {s, d});
  HostTensor mask(runtime::DType::F32, {s, s});
  for (int64_t t = 0; t < s; ++t) {
    for (int64_t j = 0; j < h; ++j)
      embeds.setDouble(t * h + j, table.getDouble(ids.getInt64(t) * h + j));
    for (int64_t j = 0; j < d; ++j) {
      double freq = std::pow(config->ropeTheta, -2.0 * (j % (d / 2)) / d);
      cos.setDouble(t * d + j, std::cos(t * freq));
      sin.setDouble(t * d + j, std::sin(t * freq));
    }
    for (int64_t k = 0; k < s; ++k)
      mask.setDouble(t * s + k,
                     k > t ? -std::numeric_limits<double>::infinity() : 0);
  }
  llvm::StringMap<HostTensor> expected = run(byIds.main, {{"input_ids", ids}});
  llvm::StringMap<HostTensor> actual =
      run(byHost.main, {{"inputs_embeds", embeds},
                        {"rope.cos", cos},
                        {"rope.sin", sin},
                        {"attention_mask", mask}});
  for (llvm::StringRef name : {"logits", "present.0.key", "present.1.value"}) {
    ASSERT_TRUE(expected.count(name) && actual.count(name)) << name.str();
    EXPECT_LT(relativeError(actual[name], expected[name]), 1e-4) << name.str();
  }
}

/// Runs a reduced non-LLM model on random inputs; checks finite outputs.
llvm::StringMap<HostTensor> runForward(llvm::StringRef model,
                                       models::ZooOptions o) {
  mlir::MLIRContext context;
  Built b = build(context, model, o);
  if (!b.main)
    return {};
  llvm::StringMap<HostTensor> inputs;
  for (unsigned i = 0; i < b.main.getNumArguments(); ++i) {
    if (b.main.getArgAttrOfType<mlir::StringAttr>(i, "gaon.kind").getValue() !=
        "input")
      continue;
    auto type =
        llvm::cast<mlir::RankedTensorType>(b.main.getArgument(i).getType());
    auto dtype = runtime::reference::getDType(type.getElementType());
    runtime::RandomRange range = type.getElementType().isInteger(32)
                                     ? runtime::RandomRange{0, 1}
                                     : runtime::RandomRange{-1, 1};
    inputs[b.main.getArgAttrOfType<mlir::StringAttr>(i, "gaon.name")
               .getValue()] =
        HostTensor::random(*dtype, type.getShape(), 11 + i, range);
  }
  llvm::StringMap<HostTensor> out = run(b.main, inputs);
  for (auto &entry : out)
    for (int64_t i = 0; i < entry.second.getNumElements(); ++i)
      EXPECT_TRUE(std::isfinite(entry.second.getDouble(i)))
          << entry.getKey().str() << "[" << i << "]";
  return out;
}

TEST(ZooExecute, BERTForward) {
  models::ZooOptions o;
  o.layers = 2, o.hidden = 32, o.heads = 2, o.vocab = 30, o.seqLen = 6;
  llvm::StringMap<HostTensor> out = runForward("bert-base", o);
  ASSERT_TRUE(out.count("pooler_output"));
  const HostTensor &pooled = out["pooler_output"];
  EXPECT_EQ(pooled.getShape(), llvm::ArrayRef<int64_t>({1, 32}));
  for (int64_t i = 0; i < pooled.getNumElements(); ++i)
    EXPECT_LE(std::abs(pooled.getDouble(i)), 1.0);
  // Post-LN: every token's hidden state has mean 0 before the affine part;
  // with the random affine the output is finite and [1, 6, 32].
  EXPECT_EQ(out["last_hidden_state"].getShape(),
            llvm::ArrayRef<int64_t>({1, 6, 32}));
}

TEST(ZooExecute, ViTForward) {
  models::ZooOptions o;
  o.layers = 1, o.hidden = 32, o.heads = 2, o.image = 32, o.batch = 2;
  llvm::StringMap<HostTensor> out = runForward("vit-b16", o);
  ASSERT_TRUE(out.count("logits"));
  EXPECT_EQ(out["logits"].getShape(), llvm::ArrayRef<int64_t>({2, 1000}));
}

TEST(ZooExecute, ResNetForward) {
  models::ZooOptions o;
  o.layers = 2, o.hidden = 4, o.image = 32;
  llvm::StringMap<HostTensor> out = runForward("resnet50", o);
  ASSERT_TRUE(out.count("logits"));
  EXPECT_EQ(out["logits"].getShape(), llvm::ArrayRef<int64_t>({1, 1000}));
}

TEST(ZooExecute, Bf16LlamaRuns) {
  models::ZooOptions o;
  o.layers = 1, o.hidden = 64, o.heads = 2, o.kvHeads = 1, o.vocab = 20;
  o.seqLen = 4;
  llvm::StringMap<HostTensor> out = runForward("llama3-8b", o);
  ASSERT_TRUE(out.count("logits"));
  EXPECT_EQ(out["logits"].getDType(), runtime::DType::BF16);
}

} // namespace
