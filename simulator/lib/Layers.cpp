//===- Layers.cpp - GEMM and convolution layers as NPU programs -----------===//

#include "gaon/Sim/Layers.h"

#include "gaon/Sim/ChipConfig.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/MathExtras.h"

using namespace gaon::sim;
using llvm::StringRef;
using llvm::Twine;

static llvm::Error makeError(const Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// Parses `fields` as positive integers into `values`.
static bool parsePositive(llvm::ArrayRef<StringRef> fields,
                          llvm::SmallVectorImpl<int64_t> &values,
                          std::string &bad) {
  for (StringRef field : fields) {
    int64_t value;
    if (field.trim().getAsInteger(10, value) || value <= 0) {
      bad = field.trim().str();
      return false;
    }
    values.push_back(value);
  }
  return true;
}

llvm::Expected<Layer> gaon::sim::parseGemmLayer(StringRef spec) {
  llvm::SmallVector<StringRef> fields;
  spec.split(fields, 'x');
  llvm::SmallVector<int64_t> values;
  std::string bad;
  if (fields.size() != 3 || !parsePositive(fields, values, bad))
    return makeError("--gemm expects MxNxK with positive sizes, e.g. "
                     "512x512x512; got '" +
                     spec + "'");
  Layer layer;
  layer.name = "gemm-" + spec.str();
  layer.gemm = {values[0], values[1], values[2]};
  return layer;
}

/// A convolution from H, W, R, S, C, K, stride[, strideW].
static llvm::Expected<Layer>
makeConv(StringRef name, llvm::ArrayRef<StringRef> fields, const Twine &where) {
  llvm::SmallVector<int64_t> values;
  std::string bad;
  if ((fields.size() != 7 && fields.size() != 8) ||
      !parsePositive(fields, values, bad))
    return makeError(where +
                     ": expected H, W, R, S, C, K, stride[, "
                     "stride_w] as positive integers" +
                     (bad.empty() ? Twine() : Twine(", got '") + bad + "'"));
  ConvShape conv;
  conv.ifmapH = values[0];
  conv.ifmapW = values[1];
  conv.filterH = values[2];
  conv.filterW = values[3];
  conv.channels = values[4];
  conv.filters = values[5];
  conv.strideH = values[6];
  conv.strideW = values.size() == 8 ? values[7] : values[6];
  if (conv.filterH > conv.ifmapH || conv.filterW > conv.ifmapW)
    return makeError(where + ": the filter (" + Twine(conv.filterH) + "x" +
                     Twine(conv.filterW) + ") is larger than the input (" +
                     Twine(conv.ifmapH) + "x" + Twine(conv.ifmapW) + ")");
  Layer layer;
  layer.name = name.str();
  layer.conv = conv;
  layer.gemm = conv.toGemm();
  return layer;
}

llvm::Expected<Layer> gaon::sim::parseConvLayer(StringRef spec) {
  llvm::SmallVector<StringRef> fields;
  spec.split(fields, ',');
  return makeConv("conv-" + spec.str(), fields, "--conv '" + spec + "'");
}

llvm::Expected<std::vector<Layer>>
gaon::sim::parseLayerCsv(StringRef text, StringRef bufferName) {
  std::vector<Layer> layers;
  bool gemm = false, sawHeader = false;
  size_t lineNumber = 0;
  while (!text.empty()) {
    StringRef line;
    std::tie(line, text) = text.split('\n');
    ++lineNumber;
    line = line.trim();
    if (line.empty() || line.starts_with("#"))
      continue;
    llvm::SmallVector<StringRef> fields;
    line.split(fields, ',');
    // SCALE-Sim rows end with a comma.
    if (!fields.empty() && fields.back().trim().empty())
      fields.pop_back();
    std::string where = (bufferName + ":" + Twine(lineNumber)).str();
    if (!sawHeader) {
      sawHeader = true;
      gemm = fields.size() >= 2 && fields[1].trim().equals_insensitive("M");
      continue;
    }
    if (fields.empty())
      continue;
    StringRef name = fields.front().trim();
    llvm::ArrayRef<StringRef> values = llvm::ArrayRef(fields).drop_front();
    if (gemm) {
      llvm::SmallVector<int64_t> sizes;
      std::string bad;
      if (values.size() != 3 || !parsePositive(values, sizes, bad))
        return makeError(where + ": error: expected name, M, N, K with "
                                 "positive sizes");
      Layer layer;
      layer.name = name.str();
      layer.gemm = {sizes[0], sizes[1], sizes[2]};
      layers.push_back(layer);
      continue;
    }
    llvm::Expected<Layer> layer = makeConv(name, values, where + ": error");
    if (!layer)
      return layer.takeError();
    layers.push_back(*layer);
  }
  if (layers.empty())
    return makeError(bufferName + ": error: no layers (expected a header "
                                  "line and one layer per line)");
  return layers;
}

//===----------------------------------------------------------------------===//
// Program construction
//===----------------------------------------------------------------------===//

namespace {
/// SRAM bytes one core needs for tiles of tm x tn x tk.
struct TileBudget {
  int64_t inputWidth, accWidth;
  int64_t bytes(int64_t tm, int64_t tn, int64_t tk, int64_t buffers) const {
    auto aligned = [](int64_t bytes) {
      return int64_t(llvm::alignTo(bytes, 64));
    };
    return buffers *
           (aligned(tm * tk * inputWidth) + aligned(tk * tn * inputWidth) +
            aligned(tm * tn * accWidth));
  }
};

/// Halves `tile` down to a multiple of `granule` (never below it).
int64_t halve(int64_t tile, int64_t granule) {
  int64_t half =
      int64_t(llvm::alignTo(uint64_t((tile + 1) / 2), uint64_t(granule)));
  return std::max(granule, std::min(half, tile));
}
} // namespace

llvm::Expected<Program> gaon::sim::buildLayerProgram(const Layer &layer,
                                                     const ChipConfig &chip,
                                                     DType inputType,
                                                     LayerTiling *tiling) {
  std::optional<Precision> precision = getPrecision(inputType);
  if (!precision || !chip.core.tensor.supports(*precision))
    return makeError("chip '" + chip.name +
                     "' has no tensor-engine support "
                     "for " +
                     stringifyDType(inputType));
  const int64_t m = layer.gemm.m, n = layer.gemm.n, k = layer.gemm.k;
  DType accType = inputType == DType::I8 ? DType::I32 : DType::F32;
  TileBudget budget{getByteWidth(inputType), getByteWidth(accType)};
  const int64_t sram = chip.core.sram.bytes, cores = chip.cores;
  const TensorEngineConfig &tensor = chip.core.tensor;
  int64_t granuleM =
      std::min<int64_t>(m, tensor.isSystolic() ? tensor.rows : tensor.slices);
  int64_t granuleN =
      std::min<int64_t>(n, tensor.isSystolic() ? tensor.cols : tensor.rows);
  int64_t granuleK =
      std::min<int64_t>(k, tensor.isSystolic() ? tensor.rows : tensor.cols);

  // Spread output tiles over the cores, then shrink until they fit.
  int64_t tm = m, tn = n, tk = k;
  auto outputTiles = [&] {
    return int64_t(llvm::divideCeil(m, tm) * llvm::divideCeil(n, tn));
  };
  while (outputTiles() < cores && (tm > granuleM || tn > granuleN)) {
    if (tn >= tm && tn > granuleN)
      tn = halve(tn, granuleN);
    else
      tm = halve(tm, granuleM);
  }
  auto buffers = [&] { return outputTiles() == 1 && tk == k ? 1 : 2; };
  while (budget.bytes(tm, tn, tk, buffers()) > sram) {
    if (tm <= granuleM && tn <= granuleN && tk <= granuleK)
      return makeError("layer '" + layer.name + "' does not fit the " +
                       Twine(sram) + "-byte SRAM of '" + chip.name +
                       "' even in " + Twine(tm) + "x" + Twine(tn) + "x" +
                       Twine(tk) + " tiles");
    if (tk >= tm && tk >= tn && tk > granuleK)
      tk = halve(tk, granuleK);
    else if (tm >= tn && tm > granuleM)
      tm = halve(tm, granuleM);
    else if (tn > granuleN)
      tn = halve(tn, granuleN);
    else if (tm > granuleM)
      tm = halve(tm, granuleM);
    else
      tk = halve(tk, granuleK);
  }

  ProgramBuilder builder;
  uint32_t a = builder.addBuffer(layer.conv ? "im2col" : "a", BufferRole::Input,
                                 0, inputType, {m, k});
  uint32_t b = builder.addBuffer("b", BufferRole::Weight, 0, inputType, {k, n});
  uint32_t c = builder.addBuffer("c", BufferRole::Output, 0, accType, {m, n});
  std::string location = "layer " + layer.name + ": M=" + std::to_string(m) +
                         " N=" + std::to_string(n) + " K=" + std::to_string(k);
  uint32_t op = builder.addOp(layer.conv ? "conv" : "gemm", location);

  // SRAM layout per core: A slots, B slots, C slots.
  auto aligned = [](int64_t bytes) {
    return int64_t(llvm::alignTo(bytes, 64));
  };
  int64_t aSlot = aligned(tm * tk * budget.inputWidth);
  int64_t bSlot = aligned(tk * tn * budget.inputWidth);
  int64_t cSlot = aligned(tm * tn * budget.accWidth);
  // One set of buffers when the whole layer is one step, else two.
  const int64_t slots = buffers();
  int64_t bBase = slots * aSlot, cBase = bBase + slots * bSlot;
  int64_t engines = chip.core.dma.engines;
  uint8_t queueA = 0, queueB = uint8_t(1 % engines),
          queueC = uint8_t(engines - 1);

  // Output tiles in N-major order, dealt round-robin to cores.
  struct Tile {
    int64_t m0, n0, mt, nt;
  };
  std::vector<std::vector<Tile>> perCore(static_cast<size_t>(cores));
  int64_t tileCount = 0;
  for (int64_t n0 = 0; n0 < n; n0 += tn)
    for (int64_t m0 = 0; m0 < m; m0 += tm, ++tileCount)
      perCore[size_t(tileCount % cores)].push_back(
          {m0, n0, std::min(tm, m - m0), std::min(tn, n - n0)});
  int64_t kTiles = int64_t(llvm::divideCeil(k, tk));

  for (int64_t core = 0; core < cores; ++core) {
    const std::vector<Tile> &tiles = perCore[size_t(core)];
    if (tiles.empty())
      continue;
    uint32_t full[2], freeSlot[2], accReady[2], accFree[2];
    for (int i = 0; i < 2; ++i) {
      full[i] = builder.addSemaphore(0);
      freeSlot[i] = builder.addSemaphore(2);
      accReady[i] = builder.addSemaphore(0);
      accFree[i] = builder.addSemaphore(1);
    }
    int64_t steps = int64_t(tiles.size()) * kTiles;
    auto emitLoads = [&](int64_t step) {
      const Tile &tile = tiles[size_t(step / kTiles)];
      int64_t k0 = (step % kTiles) * tk, kt = std::min(tk, k - k0);
      int slot = int(step % slots);
      CommandOptions options;
      options.core = uint32_t(core);
      options.op = op;
      options.waits = freeSlot[slot];
      options.signals = full[slot];
      options.queue = queueA;
      builder.dma(
          View::dram(a, tile.m0 * k + k0, inputType, {tile.mt, kt}, {k, 1}),
          View::sram(uint32_t(core), slot * aSlot, inputType, {tile.mt, kt}),
          options);
      options.queue = queueB;
      builder.dma(
          View::dram(b, k0 * n + tile.n0, inputType, {kt, tile.nt}, {n, 1}),
          View::sram(uint32_t(core), bBase + slot * bSlot, inputType,
                     {kt, tile.nt}),
          options);
    };
    emitLoads(0);
    for (int64_t step = 0; step < steps; ++step) {
      if (step + 1 < steps)
        emitLoads(step + 1);
      int64_t tileIndex = step / kTiles, kIndex = step % kTiles;
      const Tile &tile = tiles[size_t(tileIndex)];
      int64_t kt = std::min(tk, k - kIndex * tk);
      int slot = int(step % slots), acc = int(tileIndex % slots);
      bool last = kIndex + 1 == kTiles;
      llvm::SmallVector<uint32_t, 3> waits = {full[slot], full[slot]};
      llvm::SmallVector<uint32_t, 3> signals = {freeSlot[slot], freeSlot[slot]};
      if (kIndex == 0)
        waits.push_back(accFree[acc]);
      if (last)
        signals.push_back(accReady[acc]);
      CommandOptions options;
      options.core = uint32_t(core);
      options.op = op;
      options.waits = waits;
      options.signals = signals;
      View accView = View::sram(uint32_t(core), cBase + acc * cSlot, accType,
                                {tile.mt, tile.nt});
      builder.matmul(
          View::sram(uint32_t(core), slot * aSlot, inputType, {tile.mt, kt}),
          View::sram(uint32_t(core), bBase + slot * bSlot, inputType,
                     {kt, tile.nt}),
          accView, false, false, kIndex > 0, options);
      if (!last)
        continue;
      CommandOptions store;
      store.core = uint32_t(core);
      store.op = op;
      store.queue = queueC;
      store.waits = accReady[acc];
      store.signals = accFree[acc];
      builder.dma(accView,
                  View::dram(c, tile.m0 * n + tile.n0, accType,
                             {tile.mt, tile.nt}, {n, 1}),
                  store);
    }
  }
  if (tiling) {
    tiling->tileM = tm;
    tiling->tileN = tn;
    tiling->tileK = tk;
    tiling->tiles = tileCount;
    tiling->coresUsed = std::min<int64_t>(cores, tileCount);
  }
  return builder.take();
}
