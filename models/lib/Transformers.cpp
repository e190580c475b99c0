//===- Transformers.cpp - Llama, GPT-2, BERT and ViT builders -------------===//
//
// Parameter names follow the Hugging Face checkpoints (model.layers.N.
// self_attn.q_proj, h.N.attn.c_attn, encoder.layer.N..., blocks.N...) so a
// reader can map every weight argument to the published model. Linear
// weights are stored [in, out].
//
//===----------------------------------------------------------------------===//

#include "ModelBuilder.h"

#include <tuple>

using namespace mlir;
using namespace gaon::models;
using gaon::frontend::GraphBuilder;

/// KV-cache inputs of a decode step ("past.N.key"/"past.N.value",
/// [B, KV heads, L, D]), created before any weight so data inputs lead the
/// signature.
static SmallVector<std::pair<Value, Value>> pastInputs(ModelBuilder &mb) {
  const ModelConfig &c = mb.config;
  SmallVector<std::pair<Value, Value>> past;
  if (c.phase != Phase::Decode)
    return past;
  for (int64_t i = 0; i < c.layers; ++i) {
    SmallVector<int64_t> shape = {c.batch, c.kvHeads, c.kvLen, c.headDim};
    past.push_back(
        {mb.input("past." + std::to_string(i) + ".key", shape, mb.act),
         mb.input("past." + std::to_string(i) + ".value", shape, mb.act)});
  }
  return past;
}

/// The final hidden state of the last token: [B, 1, H].
static Value lastToken(ModelBuilder &mb, Value x) {
  int64_t t = GraphBuilder::shapeOf(x)[1];
  return mb.gb.sliceAxis(x, 1, t - 1, 1);
}

OwningOpRef<ModuleOp> gaon::models::buildLlama(ModelBuilder &mb) {
  const ModelConfig &c = mb.config;
  GraphBuilder &gb = mb.gb;
  bool decode = c.phase == Phase::Decode;
  int64_t t = c.tokens(), past = decode ? c.kvLen : 0;
  int64_t h = c.hidden, d = c.headDim, groups = c.heads / c.kvHeads;
  Value x, cos, sin, mask;
  if (c.hostEmbeddings) {
    x = mb.hostEmbeddingsInput();
    std::tie(cos, sin) = mb.hostRopeTables();
    mask = mb.hostMask();
  } else {
    Value ids = mb.input("input_ids", {c.batch, t}, mb.ids);
    mb.scope("model.embed_tokens");
    x = mb.embedding(ids, "model.embed_tokens", c.vocab, h);
    mb.scope("model.rotary_emb");
    std::tie(cos, sin) = mb.ropeTables(t, past);
  }
  SmallVector<std::pair<Value, Value>> cache = pastInputs(mb);
  SmallVector<std::pair<std::string, Value>> results;
  for (int64_t i = 0; i < c.layers; ++i) {
    std::string p = "model.layers." + std::to_string(i);
    mb.scope(p + ".self_attn");
    Value hs = mb.rmsNorm(x, p + ".input_layernorm", h);
    Value q = mb.linear(hs, p + ".self_attn.q_proj", h, c.heads * d, false);
    Value k = mb.linear(hs, p + ".self_attn.k_proj", h, c.kvHeads * d, false);
    Value v = mb.linear(hs, p + ".self_attn.v_proj", h, c.kvHeads * d, false);
    q = mb.applyRope(mb.splitHeads(q, c.kvHeads, groups), cos, sin);
    Value k4 =
        gb.reshape(mb.splitHeads(k, c.kvHeads, 1), {c.batch, c.kvHeads, t, d});
    Value v4 =
        gb.reshape(mb.splitHeads(v, c.kvHeads, 1), {c.batch, c.kvHeads, t, d});
    k4 = mb.applyRope(k4, cos, sin);
    results.push_back({"present." + std::to_string(i) + ".key", k4});
    results.push_back({"present." + std::to_string(i) + ".value", v4});
    Value keys = decode ? gb.concat({cache[i].first, k4}, 2) : k4;
    Value values = decode ? gb.concat({cache[i].second, v4}, 2) : v4;
    Value ctx = mb.attention(q, keys, values, /*causal=*/!decode, past, mask);
    Value o = mb.linear(ctx, p + ".self_attn.o_proj", c.heads * d, h, false);
    x = mb.add(x, o);

    mb.scope(p + ".mlp");
    hs = mb.rmsNorm(x, p + ".post_attention_layernorm", h);
    Value gate = mb.linear(hs, p + ".mlp.gate_proj", h, c.ffn, false);
    Value up = mb.linear(hs, p + ".mlp.up_proj", h, c.ffn, false);
    Value down =
        mb.linear(mb.swiglu(gate, up), p + ".mlp.down_proj", c.ffn, h, false);
    x = mb.add(x, down);
  }
  mb.scope("lm_head");
  Value last = mb.rmsNorm(lastToken(mb, x), "model.norm", h);
  Value logits =
      c.tiedEmbeddings
          ? gb.matmul(last, gb.transpose(mb.weight("model.embed_tokens.weight",
                                                   {c.vocab, h}),
                                         {1, 0}))
          : mb.linear(last, "lm_head", h, c.vocab, false);
  results.insert(results.begin(), {"logits", logits});
  return mb.finish(results);
}

OwningOpRef<ModuleOp> gaon::models::buildGPT2(ModelBuilder &mb) {
  const ModelConfig &c = mb.config;
  GraphBuilder &gb = mb.gb;
  bool decode = c.phase == Phase::Decode;
  int64_t t = c.tokens(), past = decode ? c.kvLen : 0;
  int64_t h = c.hidden, d = c.headDim;
  Value tokens, mask;
  if (c.hostEmbeddings) {
    tokens = mb.hostEmbeddingsInput();
    mask = mb.hostMask();
  } else {
    Value ids = mb.input("input_ids", {c.batch, t}, mb.ids);
    mb.scope("transformer.wte");
    tokens = mb.embedding(ids, "transformer.wte", c.vocab, h);
  }
  SmallVector<std::pair<Value, Value>> cache = pastInputs(mb);
  SmallVector<std::pair<std::string, Value>> results;
  mb.scope("transformer.wpe");
  Value positions = gb.sliceAxis(
      mb.weight("transformer.wpe.weight", {c.maxPositions, h}), 0, past, t);
  Value x = mb.add(tokens, positions);
  for (int64_t i = 0; i < c.layers; ++i) {
    std::string p = "transformer.h." + std::to_string(i);
    mb.scope(p + ".attn");
    Value hs = mb.layerNorm(x, p + ".ln_1", h);
    Value qkv = mb.linear(hs, p + ".attn.c_attn", h, 3 * h, true);
    Value q = mb.splitHeads(gb.sliceAxis(qkv, 2, 0, h), c.heads, 1);
    Value k = gb.reshape(mb.splitHeads(gb.sliceAxis(qkv, 2, h, h), c.heads, 1),
                         {c.batch, c.heads, t, d});
    Value v =
        gb.reshape(mb.splitHeads(gb.sliceAxis(qkv, 2, 2 * h, h), c.heads, 1),
                   {c.batch, c.heads, t, d});
    results.push_back({"present." + std::to_string(i) + ".key", k});
    results.push_back({"present." + std::to_string(i) + ".value", v});
    Value keys = decode ? gb.concat({cache[i].first, k}, 2) : k;
    Value values = decode ? gb.concat({cache[i].second, v}, 2) : v;
    Value ctx = mb.attention(q, keys, values, !decode, past, mask);
    x = mb.add(x, mb.linear(ctx, p + ".attn.c_proj", h, h, true));

    mb.scope(p + ".mlp");
    hs = mb.layerNorm(x, p + ".ln_2", h);
    Value fc = mb.gelu(mb.linear(hs, p + ".mlp.c_fc", h, c.ffn, true),
                       /*tanhApprox=*/true);
    x = mb.add(x, mb.linear(fc, p + ".mlp.c_proj", c.ffn, h, true));
  }
  mb.scope("lm_head");
  Value last = mb.layerNorm(lastToken(mb, x), "transformer.ln_f", h);
  Value wte = mb.weight("transformer.wte.weight", {c.vocab, h});
  Value logits = gb.matmul(last, gb.transpose(wte, {1, 0}));
  results.insert(results.begin(), {"logits", logits});
  return mb.finish(results);
}

/// Bidirectional multi-head attention with biased projections, as BERT and
/// ViT have: x [B, S, H] -> [B, S, H] before the output projection.
static Value encoderAttention(ModelBuilder &mb, Value x, const std::string &q,
                              const std::string &k, const std::string &v) {
  const ModelConfig &c = mb.config;
  int64_t h = c.hidden, s = GraphBuilder::shapeOf(x)[1];
  SmallVector<int64_t> kvShape = {c.batch, c.heads, s, c.headDim};
  Value qh = mb.splitHeads(mb.linear(x, q, h, h, true), c.heads, 1);
  Value kh = mb.gb.reshape(
      mb.splitHeads(mb.linear(x, k, h, h, true), c.heads, 1), kvShape);
  Value vh = mb.gb.reshape(
      mb.splitHeads(mb.linear(x, v, h, h, true), c.heads, 1), kvShape);
  return mb.attention(qh, kh, vh, /*causal=*/false, 0);
}

OwningOpRef<ModuleOp> gaon::models::buildBERT(ModelBuilder &mb) {
  const ModelConfig &c = mb.config;
  GraphBuilder &gb = mb.gb;
  int64_t s = c.seqLen, h = c.hidden;
  std::string e = "bert.embeddings";
  Value x;
  if (c.hostEmbeddings) {
    x = mb.hostEmbeddingsInput();
    mb.scope("bert.embeddings");
  } else {
    Value ids = mb.input("input_ids", {c.batch, s}, mb.ids);
    Value types = mb.input("token_type_ids", {c.batch, s}, mb.ids);
    mb.scope("bert.embeddings");
    x = mb.add(
        mb.embedding(ids, e + ".word_embeddings", c.vocab, h),
        mb.embedding(types, e + ".token_type_embeddings", c.typeVocab, h));
  }
  x = mb.add(x, gb.sliceAxis(mb.weight(e + ".position_embeddings.weight",
                                       {c.maxPositions, h}),
                             0, 0, s));
  x = mb.layerNorm(x, e + ".LayerNorm", h);
  for (int64_t i = 0; i < c.layers; ++i) {
    std::string p = "bert.encoder.layer." + std::to_string(i);
    mb.scope(p + ".attention");
    Value ctx = encoderAttention(mb, x, p + ".attention.self.query",
                                 p + ".attention.self.key",
                                 p + ".attention.self.value");
    Value o = mb.linear(ctx, p + ".attention.output.dense", h, h, true);
    x = mb.layerNorm(mb.add(x, o), p + ".attention.output.LayerNorm", h);
    mb.scope(p + ".ffn");
    Value inter =
        mb.gelu(mb.linear(x, p + ".intermediate.dense", h, c.ffn, true), false);
    Value out = mb.linear(inter, p + ".output.dense", c.ffn, h, true);
    x = mb.layerNorm(mb.add(x, out), p + ".output.LayerNorm", h);
  }
  mb.scope("bert.pooler");
  Value first = gb.reshape(gb.sliceAxis(x, 1, 0, 1), {c.batch, h});
  Value pooled = mb.tanh(mb.linear(first, "bert.pooler.dense", h, h, true));
  return mb.finish({{"last_hidden_state", x}, {"pooler_output", pooled}});
}

OwningOpRef<ModuleOp> gaon::models::buildViT(ModelBuilder &mb) {
  const ModelConfig &c = mb.config;
  GraphBuilder &gb = mb.gb;
  int64_t h = c.hidden, side = c.image / c.patch, n = side * side;
  Value pixels =
      mb.input("pixel_values", {c.batch, c.channels, c.image, c.image}, mb.act);

  mb.scope("patch_embed");
  Value p = mb.conv(pixels, "patch_embed.proj", c.channels, h, c.patch, c.patch,
                    0, true);
  p = gb.transpose(gb.reshape(p, {c.batch, h, n}), {0, 2, 1});
  Value cls =
      gb.broadcastTo(mb.weight("cls_token", {1, 1, h}), {c.batch, 1, h});
  Value x =
      mb.add(gb.concat({cls, p}, 1), mb.weight("pos_embed", {1, n + 1, h}));
  for (int64_t i = 0; i < c.layers; ++i) {
    std::string b = "blocks." + std::to_string(i);
    mb.scope(b + ".attn");
    Value hs = mb.layerNorm(x, b + ".norm1", h);
    Value ctx =
        encoderAttention(mb, hs, b + ".attn.q", b + ".attn.k", b + ".attn.v");
    x = mb.add(x, mb.linear(ctx, b + ".attn.proj", h, h, true));
    mb.scope(b + ".mlp");
    hs = mb.layerNorm(x, b + ".norm2", h);
    Value fc = mb.gelu(mb.linear(hs, b + ".mlp.fc1", h, c.ffn, true), false);
    x = mb.add(x, mb.linear(fc, b + ".mlp.fc2", c.ffn, h, true));
  }
  mb.scope("head");
  x = mb.layerNorm(x, "norm", h);
  Value first = gb.reshape(gb.sliceAxis(x, 1, 0, 1), {c.batch, h});
  return mb.finish({{"logits", mb.linear(first, "head", h, c.classes, true)}});
}
