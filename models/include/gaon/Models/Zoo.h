//===- Zoo.h - the model zoo: config-driven graph builders ------*- C++ -*-===//
//
// Builders that emit graph-level MLIR (linalg on tensors, as torch-mlir's
// linalg-on-tensors backend does) for well-known models by name:
//
//   llama3.2-1b, llama3-8b, llama3-70b            decoder LLMs (RoPE, GQA,
//                                                  SwiGLU, RMSNorm)
//   gpt2, gpt2-medium, gpt2-large, gpt2-xl        (124M, 355M, 774M, 1.5B)
//   bert-base, bert-large                         encoders (+ pooler)
//   resnet50                                      CNN (torchvision v1.5)
//   vit-b16                                       ViT-B/16, 224x224
//
// Weights are shape-only: every parameter is an argument of @main tagged
// {gaon.kind = "weight", gaon.name = "<pytorch-style name>"}; data inputs are
// tagged gaon.kind = "input" (token ids, pixels, KV caches). LLMs have two
// phases: prefill (S tokens, causal attention, returns the last token's
// logits and the layers' K/V) and decode (one token against a KV cache of
// length L passed as inputs, returns logits and the new K/V entries).
//
// Every model also has a closed-form parameter and contraction-FLOP count
// computed from its config alone, which tests compare with the counts taken
// from the built IR (gaon/Frontend/ModelStats.h).
//
//===----------------------------------------------------------------------===//

#ifndef GAON_MODELS_ZOO_H
#define GAON_MODELS_ZOO_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <optional>
#include <string>

namespace mlir {
class MLIRContext;
} // namespace mlir

namespace gaon::models {

enum class Family { Llama, GPT2, BERT, ResNet, ViT };
enum class Phase { Prefill, Decode, Forward };
/// fp32: all f32. bf16: all bf16. fp8: linear/conv weights and their
/// activations f8E4M3FN, f32 accumulation, bf16 elsewhere. int8: W8A16 —
/// linear/conv weights i8 with a per-output-channel bf16 scale, bf16
/// activations, f32 accumulation.
enum class Precision { FP32, BF16, FP8, INT8 };

llvm::StringRef phaseName(Phase phase);
llvm::StringRef precisionName(Precision precision);
std::optional<Phase> parsePhase(llvm::StringRef name);
std::optional<Precision> parsePrecision(llvm::StringRef name);

/// What a user can change about a zoo model; 0 / nullopt keep the model's
/// own value.
struct ZooOptions {
  /// LLMs: prefill (default) or decode. Other models only have Forward.
  std::optional<Phase> phase;
  int64_t batch = 1;
  /// Tokens of a prefill / an encoder pass (default 128).
  int64_t seqLen = 0;
  /// Decode: KV-cache length L (default 512).
  int64_t kvLen = 0;
  /// Reduced-size variants.
  int64_t layers = 0;
  int64_t hidden = 0;
  int64_t heads = 0;
  int64_t kvHeads = 0;
  int64_t ffn = 0;
  int64_t vocab = 0;
  /// Input image side for CNN/ViT (default 224).
  int64_t image = 0;
  /// Default: the model's published dtype (bf16 for Llama, fp32 else).
  std::optional<Precision> precision;
  /// LLMs and BERT: the host does the table lookups, as NPU runtimes do
  /// for an engine that cannot gather. The graph takes `inputs_embeds`
  /// [B, T, H] (the token embeddings; BERT's plus the token-type ones)
  /// instead of token ids, Llama takes its RoPE tables `rope.cos` and
  /// `rope.sin` [T, D], and a causal prefill takes an additive f32
  /// `attention_mask` [T, T]. The graph then has no gathers and no index
  /// arithmetic.
  bool hostEmbeddings = false;
};

/// A fully resolved model configuration.
struct ModelConfig {
  std::string name;
  Family family;
  Phase phase;
  Precision precision;
  int64_t batch = 1;
  int64_t seqLen = 0;
  int64_t kvLen = 0;
  int64_t layers = 0;
  int64_t hidden = 0;
  int64_t heads = 0;
  int64_t kvHeads = 0;
  int64_t headDim = 0;
  int64_t ffn = 0;
  int64_t vocab = 0;
  int64_t maxPositions = 0;
  int64_t typeVocab = 0;
  bool tiedEmbeddings = false;
  double normEps = 1e-5;
  double ropeTheta = 10000.0;
  /// Llama-3.1-style RoPE frequency scaling (factor 0: none).
  double ropeFactor = 0, ropeLowFreq = 1, ropeHighFreq = 4;
  int64_t ropeOriginalContext = 8192;
  // CNN / ViT.
  int64_t image = 224;
  int64_t patch = 16;
  int64_t channels = 3;
  int64_t classes = 1000;
  /// ResNet: bottleneck blocks per stage and stem width.
  llvm::SmallVector<int64_t, 4> stageBlocks;
  int64_t baseWidth = 64;

  /// Tokens processed by this phase (S for prefill/forward, 1 for decode).
  /// See ZooOptions::hostEmbeddings.
  bool hostEmbeddings = false;

  int64_t tokens() const { return phase == Phase::Decode ? 1 : seqLen; }
  bool isLLM() const {
    return family == Family::Llama || family == Family::GPT2;
  }
};

/// Names the zoo knows (canonical names; aliases such as gpt2-124m resolve).
llvm::ArrayRef<llvm::StringRef> modelNames();
bool isZooModel(llvm::StringRef name);

/// Resolves `name` with `options` into a config; errors name the bad option.
llvm::Expected<ModelConfig> resolveConfig(llvm::StringRef name,
                                          const ZooOptions &options);

/// Builds @main of the model into a new module.
llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
buildModel(const ModelConfig &config, mlir::MLIRContext &context);

/// Counts derived from the config alone (no IR).
struct ClosedForm {
  /// Parameters (weights, norm scales, biases, int8 scales).
  int64_t parameters = 0;
  /// FLOPs of matmuls and convolutions (2 per multiply-accumulate).
  int64_t contractionFlops = 0;
};
ClosedForm closedForm(const ModelConfig &config);

} // namespace gaon::models

#endif // GAON_MODELS_ZOO_H
