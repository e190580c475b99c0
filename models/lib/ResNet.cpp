//===- ResNet.cpp - ResNet-50 (torchvision v1.5) builder ------------------===//
//
// conv1 7x7/2 -> BN -> ReLU -> max pool 3x3/2 -> bottleneck stages
// [3, 4, 6, 3] (stride on the 3x3 conv, 1x1 projection shortcut in each
// stage's first block) -> global average pool -> fc. Batch norms are in
// inference form (per-channel scale and shift), so the parameter count is
// torchvision's 25,557,032.
//
//===----------------------------------------------------------------------===//

#include "ModelBuilder.h"

using namespace mlir;
using namespace gaon::models;
using gaon::frontend::GraphBuilder;

OwningOpRef<ModuleOp> gaon::models::buildResNet(ModelBuilder &mb) {
  const ModelConfig &c = mb.config;
  GraphBuilder &gb = mb.gb;
  Value x =
      mb.input("pixel_values", {c.batch, c.channels, c.image, c.image}, mb.act);
  mb.scope("stem");
  int64_t w = c.baseWidth;
  x = mb.conv(x, "conv1", c.channels, w, 7, 2, 3, false);
  x = mb.batchNorm(x, "bn1", w, /*relu=*/true);
  frontend::WindowSpec pool;
  pool.kernel = {3, 3};
  pool.strides = {2, 2};
  pool.dilations = {1, 1};
  pool.padsBegin = {1, 1};
  pool.padsEnd = {1, 1};
  x = gb.pool(x, frontend::PoolKind::Max, pool);

  int64_t in = w;
  for (auto [stage, blocks] : llvm::enumerate(c.stageBlocks)) {
    int64_t width = w << stage, out = 4 * width;
    for (int64_t i = 0; i < blocks; ++i) {
      std::string p =
          "layer" + std::to_string(stage + 1) + "." + std::to_string(i);
      mb.scope(p);
      int64_t stride = (i == 0 && stage > 0) ? 2 : 1;
      Value y =
          mb.batchNorm(mb.conv(x, p + ".conv1", in, width, 1, 1, 0, false),
                       p + ".bn1", width, true);
      y = mb.batchNorm(
          mb.conv(y, p + ".conv2", width, width, 3, stride, 1, false),
          p + ".bn2", width, true);
      y = mb.batchNorm(mb.conv(y, p + ".conv3", width, out, 1, 1, 0, false),
                       p + ".bn3", out, false);
      Value shortcut = x;
      if (i == 0)
        shortcut = mb.batchNorm(
            mb.conv(x, p + ".downsample.0", in, out, 1, stride, 0, false),
            p + ".downsample.1", out, false);
      x = mb.relu(mb.add(y, shortcut));
      in = out;
    }
  }
  mb.scope("head");
  // Global average pool, accumulated in f32.
  Value pooled = gb.cast(gb.reduceMean(gb.cast(x, mb.f32), {2, 3}), mb.act);
  pooled = gb.reshape(pooled, {c.batch, in});
  return mb.finish({{"logits", mb.linear(pooled, "fc", in, c.classes, true)}});
}
