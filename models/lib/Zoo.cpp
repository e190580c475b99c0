//===- Zoo.cpp - model names, configurations and closed-form counts -------===//
//
// Published configurations (Hugging Face config.json / torchvision / timm):
//   Llama 3.2 1B: 16 layers, hidden 2048, 32 heads, 8 KV heads, FFN 8192,
//                 vocab 128256, tied embeddings, RoPE theta 5e5 with
//                 Llama-3.1 scaling (factor 32, low 1, high 4, ctx 8192)
//   Llama 3 8B:   32 layers, hidden 4096, 32/8 heads, FFN 14336
//   Llama 3 70B:  80 layers, hidden 8192, 64/8 heads, FFN 28672
//   GPT-2:        12/24/36/48 layers, hidden 768/1024/1280/1600,
//                 12/16/20/25 heads, vocab 50257, 1024 positions, tied
//   BERT:         base 12 layers 768 12 heads FFN 3072; large 24/1024/16/4096;
//                 vocab 30522, 512 positions, 2 token types, with pooler
//   ResNet-50:    torchvision v1.5 bottlenecks [3, 4, 6, 3], 1000 classes
//   ViT-B/16:     12 layers, hidden 768, 12 heads, FFN 3072, 224px, patch 16
//
//===----------------------------------------------------------------------===//

#include "gaon/Models/Zoo.h"

#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/FormatVariadic.h"

using namespace gaon::models;
using llvm::StringRef;

StringRef gaon::models::phaseName(Phase phase) {
  switch (phase) {
  case Phase::Prefill:
    return "prefill";
  case Phase::Decode:
    return "decode";
  case Phase::Forward:
    return "forward";
  }
  return "?";
}

StringRef gaon::models::precisionName(Precision precision) {
  switch (precision) {
  case Precision::FP32:
    return "fp32";
  case Precision::BF16:
    return "bf16";
  case Precision::FP8:
    return "fp8";
  case Precision::INT8:
    return "int8";
  }
  return "?";
}

std::optional<Phase> gaon::models::parsePhase(StringRef name) {
  return llvm::StringSwitch<std::optional<Phase>>(name)
      .Case("prefill", Phase::Prefill)
      .Case("decode", Phase::Decode)
      .Case("forward", Phase::Forward)
      .Default(std::nullopt);
}

std::optional<Precision> gaon::models::parsePrecision(StringRef name) {
  return llvm::StringSwitch<std::optional<Precision>>(name)
      .Cases({"fp32", "f32"}, Precision::FP32)
      .Case("bf16", Precision::BF16)
      .Cases({"fp8", "f8", "f8E4M3FN"}, Precision::FP8)
      .Cases({"int8", "i8", "w8a16"}, Precision::INT8)
      .Default(std::nullopt);
}

static const StringRef kNames[] = {"llama3.2-1b", "llama3-8b",   "llama3-70b",
                                   "gpt2",        "gpt2-medium", "gpt2-large",
                                   "gpt2-xl",     "bert-base",   "bert-large",
                                   "resnet50",    "vit-b16"};

llvm::ArrayRef<StringRef> gaon::models::modelNames() { return kNames; }

/// Canonical name of `name` (aliases resolved), or empty.
static StringRef canonicalName(StringRef name) {
  return llvm::StringSwitch<StringRef>(name.lower())
      .Cases({"llama3.2-1b", "llama-3.2-1b"}, "llama3.2-1b")
      .Cases({"llama3-8b", "llama-3-8b"}, "llama3-8b")
      .Cases({"llama3-70b", "llama-3-70b"}, "llama3-70b")
      .Cases({"gpt2", "gpt2-124m", "gpt2-small"}, "gpt2")
      .Cases({"gpt2-medium", "gpt2-355m"}, "gpt2-medium")
      .Cases({"gpt2-large", "gpt2-774m"}, "gpt2-large")
      .Cases({"gpt2-xl", "gpt2-1.5b"}, "gpt2-xl")
      .Cases({"bert-base", "bert-base-uncased"}, "bert-base")
      .Cases({"bert-large", "bert-large-uncased"}, "bert-large")
      .Cases({"resnet50", "resnet-50"}, "resnet50")
      .Cases({"vit-b16", "vit-b/16", "vit-base-patch16-224"}, "vit-b16")
      .Default("");
}

bool gaon::models::isZooModel(StringRef name) {
  return !canonicalName(name).empty();
}

/// The published configuration of canonical model `name`.
static ModelConfig baseConfig(StringRef name) {
  ModelConfig c;
  c.name = name.str();
  if (name.starts_with("llama")) {
    c.family = Family::Llama;
    c.precision = Precision::BF16;
    c.vocab = 128256;
    c.kvHeads = 8;
    c.ropeTheta = 500000.0;
    c.normEps = 1e-5;
    c.maxPositions = 131072;
    if (name == "llama3.2-1b") {
      c.layers = 16, c.hidden = 2048, c.heads = 32, c.ffn = 8192;
      c.tiedEmbeddings = true;
      c.ropeFactor = 32, c.ropeLowFreq = 1, c.ropeHighFreq = 4;
      c.ropeOriginalContext = 8192;
    } else if (name == "llama3-8b") {
      c.layers = 32, c.hidden = 4096, c.heads = 32, c.ffn = 14336;
      c.maxPositions = 8192;
    } else {
      c.layers = 80, c.hidden = 8192, c.heads = 64, c.ffn = 28672;
      c.maxPositions = 8192;
    }
  } else if (name.starts_with("gpt2")) {
    c.family = Family::GPT2;
    c.precision = Precision::FP32;
    c.vocab = 50257;
    c.maxPositions = 1024;
    c.tiedEmbeddings = true;
    c.normEps = 1e-5;
    auto set = [&](int64_t l, int64_t h, int64_t n) {
      c.layers = l, c.hidden = h, c.heads = n, c.ffn = 4 * h;
    };
    if (name == "gpt2")
      set(12, 768, 12);
    else if (name == "gpt2-medium")
      set(24, 1024, 16);
    else if (name == "gpt2-large")
      set(36, 1280, 20);
    else
      set(48, 1600, 25);
    c.kvHeads = c.heads;
  } else if (name.starts_with("bert")) {
    c.family = Family::BERT;
    c.precision = Precision::FP32;
    c.vocab = 30522;
    c.maxPositions = 512;
    c.typeVocab = 2;
    c.normEps = 1e-12;
    if (name == "bert-base")
      c.layers = 12, c.hidden = 768, c.heads = 12, c.ffn = 3072;
    else
      c.layers = 24, c.hidden = 1024, c.heads = 16, c.ffn = 4096;
    c.kvHeads = c.heads;
  } else if (name == "resnet50") {
    c.family = Family::ResNet;
    c.precision = Precision::FP32;
    c.stageBlocks = {3, 4, 6, 3};
    c.baseWidth = 64;
    c.normEps = 1e-5;
  } else {
    c.family = Family::ViT;
    c.precision = Precision::FP32;
    c.layers = 12, c.hidden = 768, c.heads = 12, c.ffn = 3072;
    c.kvHeads = c.heads;
    c.patch = 16;
    c.normEps = 1e-12;
  }
  return c;
}

llvm::Expected<ModelConfig> gaon::models::resolveConfig(StringRef name,
                                                        const ZooOptions &o) {
  StringRef canonical = canonicalName(name);
  if (canonical.empty())
    return llvm::createStringError("unknown zoo model '" + name.str() + "'");
  ModelConfig c = baseConfig(canonical);
  auto bad = [&](const llvm::Twine &msg) {
    return llvm::createStringError(c.name + ": " + msg.str());
  };
  auto positive = [&](int64_t v, StringRef what) -> llvm::Error {
    if (v < 0)
      return bad(llvm::formatv("--{0} must be positive, got {1}", what, v));
    return llvm::Error::success();
  };
  for (auto [v, what] : {std::pair<int64_t, StringRef>{o.batch, "batch"},
                         {o.seqLen, "seq"},
                         {o.kvLen, "kv"},
                         {o.layers, "layers"},
                         {o.hidden, "hidden"},
                         {o.heads, "heads"},
                         {o.kvHeads, "kv-heads"},
                         {o.ffn, "ffn"},
                         {o.vocab, "vocab"},
                         {o.image, "image"}})
    if (llvm::Error e = positive(v, what))
      return std::move(e);
  if (o.batch < 1)
    return bad("--batch must be at least 1");

  // Phase.
  if (c.isLLM()) {
    c.phase = o.phase.value_or(Phase::Prefill);
    if (c.phase == Phase::Forward)
      c.phase = Phase::Prefill;
  } else {
    if (o.phase && *o.phase != Phase::Forward)
      return bad("has no " + phaseName(*o.phase).str() +
                 " phase (only LLMs have prefill and decode)");
    c.phase = Phase::Forward;
  }
  c.batch = o.batch;
  c.seqLen = o.seqLen ? o.seqLen : 128;
  c.kvLen = o.kvLen ? o.kvLen : 512;
  if (o.precision)
    c.precision = *o.precision;
  c.hostEmbeddings = o.hostEmbeddings;

  // Sizes.
  int64_t hidden0 = c.hidden, heads0 = c.heads;
  if (o.layers)
    c.layers = o.layers;
  if (c.family == Family::ResNet) {
    if (o.hidden)
      c.baseWidth = o.hidden;
    if (o.layers) {
      if (o.layers > 4)
        return bad("--layers keeps at most the 4 stages of ResNet-50");
      c.stageBlocks.resize(o.layers);
    }
  } else if (o.hidden) {
    c.hidden = o.hidden;
    int64_t headDim0 = hidden0 / heads0;
    c.heads = o.heads ? o.heads : std::max<int64_t>(1, c.hidden / headDim0);
    if (!o.ffn)
      c.ffn = (c.ffn * c.hidden + hidden0 - 1) / hidden0;
    if (c.family == Family::Llama && !o.kvHeads)
      c.kvHeads = std::max<int64_t>(1, c.heads * c.kvHeads / heads0);
  }
  if (o.heads)
    c.heads = o.heads;
  if (o.kvHeads)
    c.kvHeads = o.kvHeads;
  if (c.family != Family::Llama)
    c.kvHeads = c.heads;
  if (o.ffn)
    c.ffn = o.ffn;
  if (o.vocab)
    c.vocab = o.vocab;
  if (o.image)
    c.image = o.image;

  if (c.family != Family::ResNet) {
    if (c.hidden % c.heads)
      return bad(llvm::formatv("hidden {0} is not a multiple of heads {1}",
                               c.hidden, c.heads));
    if (c.heads % c.kvHeads)
      return bad(llvm::formatv("heads {0} is not a multiple of kv-heads {1}",
                               c.heads, c.kvHeads));
    c.headDim = c.hidden / c.heads;
    if (c.family == Family::Llama && c.headDim % 2)
      return bad("RoPE needs an even head dimension");
  }
  if (c.family == Family::GPT2 || c.family == Family::BERT) {
    int64_t last = c.phase == Phase::Decode ? c.kvLen + 1 : c.seqLen;
    if (last > c.maxPositions)
      return bad(llvm::formatv("{0} positions exceed the model's {1}", last,
                               c.maxPositions));
  }
  if (c.family == Family::ViT && c.image % c.patch)
    return bad(llvm::formatv("--image {0} is not a multiple of the patch {1}",
                             c.image, c.patch));
  if (c.family == Family::ResNet && c.image < 32)
    return bad("--image must be at least 32 for ResNet-50's five "
               "downsamplings");
  return c;
}

//===----------------------------------------------------------------------===//
// Closed forms
//===----------------------------------------------------------------------===//

/// Parameters of a linear layer (in x out, optional bias) plus its int8
/// scales.
static int64_t linearParams(const ModelConfig &c, int64_t in, int64_t out,
                            bool bias) {
  return in * out + (bias ? out : 0) +
         (c.precision == Precision::INT8 ? out : 0);
}

/// A BERT/ViT/GPT-2 encoder/decoder block: QKV, output projection, two
/// LayerNorms with bias, a two-layer MLP with bias.
static int64_t blockParams(const ModelConfig &c) {
  int64_t h = c.hidden;
  return 3 * linearParams(c, h, h, true) + linearParams(c, h, h, true) +
         linearParams(c, h, c.ffn, true) + linearParams(c, c.ffn, h, true) +
         4 * h;
}

/// Contraction FLOPs of one transformer layer over `t` query tokens
/// attending to `k` keys.
static int64_t layerFlops(const ModelConfig &c, int64_t t, int64_t k) {
  int64_t b = c.batch, h = c.hidden, d = c.headDim;
  int64_t q = c.heads * d, kv = c.kvHeads * d;
  int64_t mlp = c.family == Family::Llama ? 3 * h * c.ffn : 2 * h * c.ffn;
  int64_t proj = 2 * b * t * (h * q + 2 * h * kv + q * h + mlp);
  int64_t attention = 2 * 2 * b * c.heads * t * k * d;
  return proj + attention;
}

ClosedForm gaon::models::closedForm(const ModelConfig &c) {
  ClosedForm f;
  int64_t b = c.batch, h = c.hidden;
  switch (c.family) {
  case Family::Llama: {
    int64_t d = c.headDim, q = c.heads * d, kv = c.kvHeads * d;
    int64_t perLayer =
        linearParams(c, h, q, false) + 2 * linearParams(c, h, kv, false) +
        linearParams(c, q, h, false) + 2 * linearParams(c, h, c.ffn, false) +
        linearParams(c, c.ffn, h, false) + 2 * h;
    f.parameters = c.vocab * h + c.layers * perLayer + h +
                   (c.tiedEmbeddings ? 0 : linearParams(c, h, c.vocab, false));
    break;
  }
  case Family::GPT2:
    f.parameters =
        c.vocab * h + c.maxPositions * h + c.layers * blockParams(c) + 2 * h;
    break;
  case Family::BERT:
    f.parameters = (c.vocab + c.maxPositions + c.typeVocab) * h + 2 * h +
                   c.layers * blockParams(c) + linearParams(c, h, h, true);
    break;
  case Family::ViT: {
    int64_t patches = (c.image / c.patch) * (c.image / c.patch);
    f.parameters = linearParams(c, c.channels * c.patch * c.patch, h, true) +
                   h + (patches + 1) * h + c.layers * blockParams(c) + 2 * h +
                   linearParams(c, h, c.classes, true);
    int64_t s = patches + 1;
    f.contractionFlops = 2 * b * patches * h * c.channels * c.patch * c.patch +
                         c.layers * layerFlops(c, s, s) + 2 * b * h * c.classes;
    return f;
  }
  case Family::ResNet: {
    // Walk the stages: conv weights (+ int8 scales), BN scale and shift.
    int64_t params = 0, flops = 0, side = (c.image + 2 * 3 - 7) / 2 + 1;
    auto conv = [&](int64_t cin, int64_t cout, int64_t k, int64_t outSide) {
      params += cin * cout * k * k + 2 * cout +
                (c.precision == Precision::INT8 ? cout : 0);
      flops += 2 * b * cout * outSide * outSide * cin * k * k;
    };
    int64_t w = c.baseWidth;
    conv(3, w, 7, side);
    side = (side + 2 - 3) / 2 + 1; // max pool 3x3/2
    int64_t in = w;
    for (auto [stage, blocks] : llvm::enumerate(c.stageBlocks)) {
      int64_t width = w << stage, out = width * 4;
      for (int64_t i = 0; i < blocks; ++i) {
        int64_t stride = (i == 0 && stage > 0) ? 2 : 1;
        int64_t outSide = (side - 1) / stride + 1;
        conv(in, width, 1, side);
        conv(width, width, 3, outSide);
        conv(width, out, 1, outSide);
        if (i == 0)
          conv(in, out, 1, outSide); // downsample
        in = out;
        side = outSide;
      }
    }
    params += linearParams(c, in, c.classes, true);
    flops += 2 * b * in * c.classes;
    f.parameters = params;
    f.contractionFlops = flops;
    return f;
  }
  }
  // LLMs and BERT: layers, then the head.
  int64_t t = c.tokens();
  int64_t keys = c.phase == Phase::Decode ? c.kvLen + 1 : c.seqLen;
  f.contractionFlops = c.layers * layerFlops(c, t, keys);
  if (c.isLLM())
    f.contractionFlops += 2 * b * h * c.vocab; // last token's logits
  else
    f.contractionFlops += 2 * b * h * h; // BERT pooler
  return f;
}
