//===- Layers.h - GEMM and convolution layers without a program -*- C++ -*-===//
//
// What a chip designer runs first: one GEMM or convolution layer, or a CSV
// list of them (SCALE-Sim's topology formats), turned into a tiled,
// double-buffered NPU program for the chip and simulated. A convolution is
// its im2col GEMM (M = output pixels, K = filter window, N = filters), as
// SCALE-Sim maps it.
//
//===----------------------------------------------------------------------===//

#ifndef GAON_SIM_LAYERS_H
#define GAON_SIM_LAYERS_H

#include "gaon/Sim/EngineModels.h"
#include "gaon/Sim/Program.h"

#include "llvm/Support/Error.h"

#include <optional>
#include <string>
#include <vector>

namespace gaon::sim {

struct Layer {
  std::string name;
  GemmShape gemm;
  /// Set for convolution layers (gemm is then conv->toGemm()).
  std::optional<ConvShape> conv;
};

/// "MxNxK", e.g. "512x512x512".
llvm::Expected<Layer> parseGemmLayer(llvm::StringRef spec);
/// "H,W,R,S,C,K,stride" or "H,W,R,S,C,K,strideH,strideW".
llvm::Expected<Layer> parseConvLayer(llvm::StringRef spec);
/// A SCALE-Sim topology CSV: convolution rows "name, H, W, R, S, C, K,
/// stride[, strideW]," or, with a header whose second column is M, GEMM
/// rows "name, M, N, K,". Errors name the line.
llvm::Expected<std::vector<Layer>> parseLayerCsv(llvm::StringRef text,
                                                 llvm::StringRef bufferName);

/// How buildLayerProgram tiled a layer.
struct LayerTiling {
  int64_t tileM = 0, tileN = 0, tileK = 0;
  int64_t tiles = 0;
  int64_t coresUsed = 0;
};

/// A program computing `layer` on chip 0: DRAM buffers for A (M x K, the
/// im2col matrix for convolutions), B (K x N) and C (M x N); output tiles
/// spread over the cores; per core, A and B tiles double-buffered in SRAM
/// by the DMA engines while the tensor engine accumulates over K; C tiles
/// written back as they finish. `inputType` is the tensor-engine input
/// element type (accumulation in f32, or i32 for i8).
llvm::Expected<Program> buildLayerProgram(const Layer &layer,
                                          const ChipConfig &chip,
                                          DType inputType,
                                          LayerTiling *tiling = nullptr);

} // namespace gaon::sim

#endif // GAON_SIM_LAYERS_H
