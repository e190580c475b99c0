//===- ModelBuilder.h - layers of the model zoo's builders -----*- C++ -*-===//
//
// Builds @main of a zoo model: data inputs and shape-only weights become
// arguments (tagged gaon.kind/gaon.name), layers (linear, conv, norms,
// activations, attention, RoPE) emit graph-level IR through GraphBuilder,
// and every op carries the name of the layer that made it as its location
// (loc("layers.3.self_attn")), so per-op costs map back to the model.
//
// Precision (ModelConfig::precision) is handled here: activations are f32
// (fp32) or bf16 (others); elementwise bodies compute in f32 and round on
// store; linear/conv weights are f32, bf16, f8E4M3FN (with f8 activations
// and f32 accumulation) or i8 with a per-output-channel bf16 scale.
//
//===----------------------------------------------------------------------===//

#ifndef GAON_MODELS_LIB_MODELBUILDER_H
#define GAON_MODELS_LIB_MODELBUILDER_H

#include "gaon/Frontend/GraphBuilder.h"
#include "gaon/Models/Zoo.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/StringMap.h"

namespace gaon::models {

/// Computes a scalar from f32 scalars (elementwise bodies run in f32).
using F32Fn = llvm::function_ref<mlir::Value(mlir::OpBuilder &, mlir::Location,
                                             mlir::ValueRange)>;

class ModelBuilder {
public:
  ModelBuilder(mlir::MLIRContext &ctx, const ModelConfig &config);

  const ModelConfig &config;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  mlir::OpBuilder b;
  frontend::GraphBuilder gb;
  /// f32, the activation type, and the token-id type (i32: it indexes
  /// every vocabulary and is a type the NPU stores).
  mlir::Type f32, act, ids;

  //===--- Arguments and results ------------------------------------------===//

  /// A data input of @main (gaon.kind = "input").
  mlir::Value input(const llvm::Twine &name, llvm::ArrayRef<int64_t> shape,
                    mlir::Type type);
  /// A shape-only weight argument (gaon.kind = "weight"); the same name
  /// returns the same argument (tied embeddings).
  mlir::Value weight(const llvm::Twine &name, llvm::ArrayRef<int64_t> shape,
                     mlir::Type type = nullptr);
  /// Names the ops created from now on.
  void scope(const llvm::Twine &name);
  /// Returns `results` (named) from @main and hands out the module.
  mlir::OwningOpRef<mlir::ModuleOp>
  finish(llvm::ArrayRef<std::pair<std::string, mlir::Value>> results);

  //===--- Elementwise ----------------------------------------------------===//

  /// Elementwise op over broadcast `inputs` with an f32 body, result in
  /// `resultType` (default: the activation type).
  mlir::Value map(mlir::ValueRange inputs, F32Fn body,
                  mlir::Type resultType = nullptr);
  mlir::Value add(mlir::Value x, mlir::Value y);
  mlir::Value relu(mlir::Value x);
  /// GELU, erf form or tanh approximation.
  mlir::Value gelu(mlir::Value x, bool tanhApprox);
  mlir::Value tanh(mlir::Value x);
  /// silu(gate) * up.
  mlir::Value swiglu(mlir::Value gate, mlir::Value up);

  //===--- Layers ---------------------------------------------------------===//

  /// x [..., in] @ W [in, out] (+ bias) with the precision's weight type.
  mlir::Value linear(mlir::Value x, const llvm::Twine &name, int64_t in,
                     int64_t out, bool bias);
  /// NCHW convolution, square kernel, weight [cout, cin, k, k].
  mlir::Value conv(mlir::Value x, const llvm::Twine &name, int64_t cin,
                   int64_t cout, int64_t k, int64_t stride, int64_t pad,
                   bool bias);
  /// Inference batch norm as a per-channel scale and shift (running
  /// statistics folded in), optionally followed by ReLU.
  mlir::Value batchNorm(mlir::Value x, const llvm::Twine &name,
                        int64_t channels, bool relu);
  /// LayerNorm over the last dim, with weight and bias.
  mlir::Value layerNorm(mlir::Value x, const llvm::Twine &name, int64_t dim);
  /// RMSNorm over the last dim, with weight.
  mlir::Value rmsNorm(mlir::Value x, const llvm::Twine &name, int64_t dim);
  /// Rows of table `name` [rows, dim] at integer `ids`.
  mlir::Value embedding(mlir::Value ids, const llvm::Twine &name, int64_t rows,
                        int64_t dim);

  //===--- Attention ------------------------------------------------------===//

  /// Splits x [B, T, heads*D] into [B, groupsOuter, groupsInner, T, D]
  /// (query heads h = outer * inner_count + inner).
  mlir::Value splitHeads(mlir::Value x, int64_t outer, int64_t inner);
  /// RoPE tables cos, sin [T, D] (f32) for positions offset..offset+T-1.
  std::pair<mlir::Value, mlir::Value> ropeTables(int64_t tokens,
                                                 int64_t offset);
  /// Rotates x [..., T, D] by the RoPE tables (HF rotate_half form).
  mlir::Value applyRope(mlir::Value x, mlir::Value cos, mlir::Value sin);
  /// Scaled dot-product attention. q [B, KV, G, T, D]; k, v [B, KV, K, D].
  /// `causal`: query t (at position pastLen + t) sees keys <= its position,
  /// from the additive f32 `mask` [T, K] when one is given (host
  /// embeddings), else from index arithmetic. Returns [B, T, KV*G*D].
  mlir::Value attention(mlir::Value q, mlir::Value k, mlir::Value v,
                        bool causal, int64_t pastLen,
                        mlir::Value mask = nullptr);
  /// With config.hostEmbeddings: the `inputs_embeds` input [B, T, H].
  mlir::Value hostEmbeddingsInput();
  /// With config.hostEmbeddings: the additive causal mask input [T, T] of a
  /// prefill, null for a decode step (it sees every key).
  mlir::Value hostMask();
  /// With config.hostEmbeddings: the RoPE table inputs [T, D].
  std::pair<mlir::Value, mlir::Value> hostRopeTables();

private:
  /// Dequantising epilogue: acc (f32) * scale + bias -> activation type;
  /// scale/bias broadcast as `paramShape`.
  mlir::Value epilogue(mlir::Value acc, mlir::Value scale, mlir::Value bias,
                       llvm::ArrayRef<int64_t> paramShape);
  /// Weight element type of linear/conv layers for the precision.
  mlir::Type weightType();

  mlir::func::FuncOp func;
  llvm::StringMap<mlir::Value> weights;
};

/// The family builders.
mlir::OwningOpRef<mlir::ModuleOp> buildLlama(ModelBuilder &mb);
mlir::OwningOpRef<mlir::ModuleOp> buildGPT2(ModelBuilder &mb);
mlir::OwningOpRef<mlir::ModuleOp> buildBERT(ModelBuilder &mb);
mlir::OwningOpRef<mlir::ModuleOp> buildViT(ModelBuilder &mb);
mlir::OwningOpRef<mlir::ModuleOp> buildResNet(ModelBuilder &mb);

} // namespace gaon::models

#endif // GAON_MODELS_LIB_MODELBUILDER_H
