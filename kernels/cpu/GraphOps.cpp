//===- GraphOps.cpp - graph-level CPU kernels -----------------------------===//

#include "gaon/Kernels/GraphOps.h"

#include "Common.h"
#include "gaon/Kernels/Ops.h"

#include "llvm/ADT/Sequence.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Parallel.h"

#include <cmath>
#include <cstring>
#include <limits>

using namespace gaon::kernels;
using namespace gaon::kernels::detail;
using llvm::ArrayRef;
using llvm::Error;
using llvm::SmallVector;

/// Runs fn(i) for i in [0, count) on the thread pool and joins the errors.
template <typename Fn> static Error parallelForAll(int64_t count, Fn &&fn) {
  // One task runs here, so kernels it calls can still use the pool (the
  // pool runs nested parallel loops serially).
  if (count == 1)
    return fn(int64_t(0));
  return llvm::parallelForEachError(llvm::seq<int64_t>(0, count), fn);
}

/// The index of flat position `flat` in `shape` (row-major).
static SmallVector<int64_t, 4> unflatten(int64_t flat,
                                         ArrayRef<int64_t> shape) {
  SmallVector<int64_t, 4> index(shape.size(), 0);
  for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
    index[d] = flat % shape[d];
    flat /= shape[d];
  }
  return index;
}

/// The rank-2 (or lower) view of `view` at leading index `index`.
static View sliceLeading(const View &view, ArrayRef<int64_t> index) {
  View result = view;
  int64_t offset = 0;
  for (auto [i, value] : llvm::enumerate(index))
    offset += value * view.strides[i];
  result.data = view.data + offset * getByteWidth(view.dtype);
  result.shape.erase(result.shape.begin(), result.shape.begin() + index.size());
  result.strides.erase(result.strides.begin(),
                       result.strides.begin() + index.size());
  return result;
}

//===----------------------------------------------------------------------===//
// batchMatmul
//===----------------------------------------------------------------------===//

Error gaon::kernels::batchMatmul(const View &lhs, const View &rhs,
                                 const View &out, bool accumulate) {
  if (Error err = verifyViews("batch_matmul",
                              {{"lhs", lhs}, {"rhs", rhs}, {"out", out}}))
    return err;
  for (auto [role, view] : {std::pair<const char *, const View *>{"lhs", &lhs},
                            {"rhs", &rhs},
                            {"out", &out}}) {
    if (view->getRank() < 2 || view->getRank() != out.getRank())
      return kernelError("batch_matmul",
                         llvm::formatv("{0} {1} must have rank >= 2 equal to "
                                       "the output's ({2})",
                                       role, describe(*view), out.getRank()));
  }
  int64_t batchRank = out.getRank() - 2;
  ArrayRef<int64_t> batchShape =
      ArrayRef<int64_t>(out.shape).take_front(batchRank);
  // Broadcast the batch dimensions of lhs and rhs to out's.
  SmallVector<View, 2> operands;
  for (auto [role, view] :
       {std::pair<const char *, const View *>{"lhs", &lhs}, {"rhs", &rhs}}) {
    View broadcast = *view;
    for (int64_t d = 0; d < batchRank; ++d) {
      if (view->shape[d] == out.shape[d])
        continue;
      if (view->shape[d] != 1)
        return kernelError("batch_matmul",
                           llvm::formatv("batch dimension {0} of {1} {2} "
                                         "neither equals the output's ({3}) "
                                         "nor is 1",
                                         d, role, describe(*view),
                                         out.shape[d]));
      broadcast.shape[d] = out.shape[d];
      broadcast.strides[d] = 0;
    }
    operands.push_back(broadcast);
  }
  int64_t batches = 1;
  for (int64_t size : batchShape)
    batches *= size;
  // Validate the matrix shapes once (matmul reports them well).
  if (batches == 0)
    return Error::success();
  auto runBatch = [&](int64_t b) {
    SmallVector<int64_t, 4> index = unflatten(b, batchShape);
    return matmul(sliceLeading(operands[0], index), false,
                  sliceLeading(operands[1], index), false,
                  sliceLeading(out, index), accumulate);
  };
  if (Error err = runBatch(0))
    return err;
  return parallelForAll(batches - 1,
                        [&](int64_t b) { return runBatch(b + 1); });
}

//===----------------------------------------------------------------------===//
// conv2d
//===----------------------------------------------------------------------===//

/// Output size of one spatial dimension (floor mode).
static int64_t getWindowOutputSize(int64_t in, int64_t window, int64_t stride,
                                   int64_t dilation, int64_t padBefore,
                                   int64_t padAfter) {
  int64_t span = in + padBefore + padAfter - dilation * (window - 1) - 1;
  return span < 0 ? 0 : span / stride + 1;
}

static Error verifyWindow(llvm::StringRef kernel, const Window2D &window) {
  for (int64_t i = 0; i < 2; ++i)
    if (window.strides[i] < 1 || window.dilations[i] < 1)
      return kernelError(kernel, "strides and dilations must be positive");
  for (int64_t pad : window.padding)
    if (pad < 0)
      return kernelError(kernel, "padding must not be negative");
  return Error::success();
}

Error gaon::kernels::conv2dGrouped(const View &input, const View &filter,
                                   const View &output, const Window2D &window,
                                   bool accumulate) {
  if (Error err = verifyViews(
          "conv2d", {{"input", input}, {"filter", filter}, {"output", output}},
          5))
    return err;
  if (Error err = verifyWindow("conv2d", window))
    return err;
  int64_t n = input.shape[0], h = input.shape[1], w = input.shape[2],
          g = input.shape[3], cg = input.shape[4];
  int64_t kh = filter.shape[1], kw = filter.shape[2], fg = filter.shape[4];
  int64_t oh =
      getWindowOutputSize(h, kh, window.strides[0], window.dilations[0],
                          window.padding[0], window.padding[2]);
  int64_t ow =
      getWindowOutputSize(w, kw, window.strides[1], window.dilations[1],
                          window.padding[1], window.padding[3]);
  if (filter.shape[0] != g || filter.shape[3] != cg ||
      output.shape != SmallVector<int64_t, 4>{n, oh, ow, g, fg})
    return kernelError(
        "conv2d",
        llvm::formatv("shapes do not agree: input {0} (N,H,W,G,Cg), filter "
                      "{1} (G,KH,KW,Cg,Fg), output {2}; expected output "
                      "[{3}x{4}x{5}x{6}x{7}]",
                      describe(input), describe(filter), describe(output), n,
                      oh, ow, g, fg));
  if (isFloat(input.dtype) != isFloat(filter.dtype) ||
      isFloat(input.dtype) != isFloat(output.dtype))
    return kernelError("conv2d", "input, filter and output must all be float "
                                 "or all integer types");

  int64_t width = getByteWidth(input.dtype);
  int64_t depth = kh * kw * cg;
  // Per group: the filter as a [KH*KW*Cg, Fg] matrix (a view when the
  // strides allow, else a contiguous copy).
  std::vector<std::vector<std::byte>> filterCopies(g);
  std::vector<View> filterMatrices(g);
  for (int64_t group = 0; group < g; ++group) {
    View slice = sliceLeading(filter, {group}); // KH, KW, Cg, Fg
    std::optional<View> merged = slice.tryMergeDims(0);
    if (merged)
      merged = merged->tryMergeDims(0);
    if (!merged) {
      filterCopies[group].resize(slice.getNumElements() *
                                 getByteWidth(filter.dtype));
      View contiguous = View::getContiguous(filterCopies[group].data(),
                                            filter.dtype, slice.shape);
      if (Error err = copy(slice, contiguous))
        return err;
      merged = contiguous.tryMergeDims(0)->tryMergeDims(0);
    }
    filterMatrices[group] = *merged;
  }

  auto runImage = [&](int64_t task) -> Error {
    int64_t image = task / g, group = task % g;
    // im2col: one row of KH*KW*Cg input elements per output pixel.
    std::vector<std::byte> patches(oh * ow * depth * width);
    View in = sliceLeading(input, {image}); // H, W, G, Cg
    for (int64_t y = 0; y < oh; ++y)
      for (int64_t x = 0; x < ow; ++x) {
        std::byte *row = patches.data() + (y * ow + x) * depth * width;
        for (int64_t i = 0; i < kh; ++i)
          for (int64_t j = 0; j < kw; ++j) {
            std::byte *dst = row + (i * kw + j) * cg * width;
            int64_t iy = y * window.strides[0] - window.padding[0] +
                         i * window.dilations[0];
            int64_t ix = x * window.strides[1] - window.padding[1] +
                         j * window.dilations[1];
            if (iy < 0 || iy >= h || ix < 0 || ix >= w) {
              std::memset(dst, 0, cg * width);
              continue;
            }
            const std::byte *src = in.getElementPtr({iy, ix, group, 0});
            if (in.strides[3] == 1) {
              std::memcpy(dst, src, cg * width);
              continue;
            }
            for (int64_t c = 0; c < cg; ++c)
              std::memcpy(dst + c * width, src + c * in.strides[3] * width,
                          width);
          }
      }
    View patchMatrix =
        View::getContiguous(patches.data(), input.dtype, {oh * ow, depth});
    View out = sliceLeading(output, {image}); // OH, OW, G, Fg
    out = out.permute({2, 0, 1, 3});
    out = sliceLeading(out, {group}); // OH, OW, Fg
    if (std::optional<View> merged = out.tryMergeDims(0))
      return matmul(patchMatrix, false, filterMatrices[group], false, *merged,
                    accumulate);
    // Output pixels not evenly strided: compute into a contiguous copy.
    std::vector<std::byte> staging(oh * ow * fg * getByteWidth(output.dtype));
    View contiguous =
        View::getContiguous(staging.data(), output.dtype, {oh, ow, fg});
    if (accumulate)
      if (Error err = copy(out, contiguous))
        return err;
    if (Error err = matmul(patchMatrix, false, filterMatrices[group], false,
                           *contiguous.tryMergeDims(0), accumulate))
      return err;
    return copy(contiguous, out);
  };
  return parallelForAll(n * g, runImage);
}

Error gaon::kernels::conv2d(ConvLayout layout, const View &input,
                            const View &filter, const View &output,
                            const Window2D &window, int64_t groups,
                            bool accumulate) {
  if (Error err = verifyViews(
          "conv2d", {{"input", input}, {"filter", filter}, {"output", output}},
          4))
    return err;
  // Bring everything to NHWC input, [KH, KW, Cg, F] filter, NHWC output.
  View in = input, fil = filter, out = output;
  switch (layout) {
  case ConvLayout::NHWC_HWCF:
    break;
  case ConvLayout::NHWC_FHWC:
    fil = filter.permute({1, 2, 3, 0});
    break;
  case ConvLayout::NCHW_FCHW:
    in = input.permute({0, 2, 3, 1});
    fil = filter.permute({2, 3, 1, 0});
    out = output.permute({0, 2, 3, 1});
    break;
  }
  int64_t c = in.shape[3], f = out.shape[3];
  if (groups < 1 || c % groups != 0 || f % groups != 0 || fil.shape[3] != f ||
      fil.shape[2] * groups != c)
    return kernelError(
        "conv2d",
        llvm::formatv("{0} groups do not fit input {1}, filter {2} and output "
                      "{3}: channels must divide into groups and the filter "
                      "must have channels/groups input and all output "
                      "channels",
                      groups, describe(input), describe(filter),
                      describe(output)));
  View groupedFilter =
      fil.splitDim(3, {groups, f / groups}).permute({3, 0, 1, 2, 4});
  return conv2dGrouped(in.splitDim(3, {groups, c / groups}), groupedFilter,
                       out.splitDim(3, {groups, f / groups}), window,
                       accumulate);
}

//===----------------------------------------------------------------------===//
// pool2d
//===----------------------------------------------------------------------===//

Error gaon::kernels::pool2d(PoolKind kind, PoolLayout layout, const View &input,
                            const View &output, const PoolOptions &options,
                            bool accumulate) {
  if (Error err =
          verifyViews("pool2d", {{"input", input}, {"output", output}}, 4))
    return err;
  const Window2D &window = options.window;
  if (Error err = verifyWindow("pool2d", window))
    return err;
  if (options.size[0] < 1 || options.size[1] < 1)
    return kernelError("pool2d", "the window size must be positive");
  View in = input, out = output;
  if (layout == PoolLayout::NCHW) {
    in = input.permute({0, 2, 3, 1});
    out = output.permute({0, 2, 3, 1});
  }
  int64_t n = in.shape[0], h = in.shape[1], w = in.shape[2], c = in.shape[3];
  int64_t oh = out.shape[1], ow = out.shape[2];
  int64_t sizes[2] = {h, w}, outSizes[2] = {oh, ow};
  bool sizesOk = out.shape[0] == n && out.shape[3] == c;
  for (int64_t d = 0; d < 2 && sizesOk; ++d) {
    int64_t floorSize = getWindowOutputSize(
        sizes[d], options.size[d], window.strides[d], window.dilations[d],
        window.padding[d], window.padding[d + 2]);
    // Ceil mode adds one window that starts inside the padded input.
    sizesOk = outSizes[d] == floorSize ||
              (outSizes[d] == floorSize + 1 &&
               floorSize * window.strides[d] < sizes[d] + window.padding[d]);
  }
  if (!sizesOk)
    return kernelError(
        "pool2d",
        llvm::formatv("output {0} does not match input {1} with a "
                      "{2}x{3} window, strides {4}x{5}, dilations "
                      "{6}x{7} and padding {8},{9},{10},{11}",
                      describe(output), describe(input), options.size[0],
                      options.size[1], window.strides[0], window.strides[1],
                      window.dilations[0], window.dilations[1],
                      window.padding[0], window.padding[1], window.padding[2],
                      window.padding[3]));

  std::vector<double> values = loadAll(in); // NHWC order
  std::vector<double> result(out.getNumElements());
  if (accumulate)
    loadElements(out, result.data());
  constexpr double inf = std::numeric_limits<double>::infinity();
  llvm::parallelFor(0, static_cast<size_t>(n * oh), [&](size_t task) {
    int64_t image = static_cast<int64_t>(task) / oh;
    int64_t y = static_cast<int64_t>(task) % oh;
    for (int64_t x = 0; x < ow; ++x)
      for (int64_t ch = 0; ch < c; ++ch) {
        double acc = kind == PoolKind::Max   ? -inf
                     : kind == PoolKind::Min ? inf
                                             : 0.0;
        int64_t count = 0, paddedCount = 0;
        for (int64_t i = 0; i < options.size[0]; ++i) {
          int64_t iy = y * window.strides[0] - window.padding[0] +
                       i * window.dilations[0];
          for (int64_t j = 0; j < options.size[1]; ++j) {
            int64_t ix = x * window.strides[1] - window.padding[1] +
                         j * window.dilations[1];
            if (iy < h + window.padding[2] && ix < w + window.padding[3])
              ++paddedCount;
            if (iy < 0 || iy >= h || ix < 0 || ix >= w)
              continue;
            ++count;
            double v = values[((image * h + iy) * w + ix) * c + ch];
            switch (kind) {
            case PoolKind::Max:
              acc = applyBinary(BinaryKind::Max, acc, v);
              break;
            case PoolKind::Min:
              acc = applyBinary(BinaryKind::Min, acc, v);
              break;
            case PoolKind::Sum:
            case PoolKind::Avg:
              acc += v;
              break;
            }
          }
        }
        if (kind == PoolKind::Avg)
          acc /= static_cast<double>(options.countIncludePad ? paddedCount
                                                             : count);
        double &slot = result[((image * oh + y) * ow + x) * c + ch];
        if (!accumulate)
          slot = acc;
        else if (kind == PoolKind::Max)
          slot = applyBinary(BinaryKind::Max, slot, acc);
        else if (kind == PoolKind::Min)
          slot = applyBinary(BinaryKind::Min, slot, acc);
        else
          slot += acc;
      }
  });
  storeElements(result.data(), out);
  return Error::success();
}

//===----------------------------------------------------------------------===//
// transpose, softmax
//===----------------------------------------------------------------------===//

Error gaon::kernels::transpose(const View &in, const View &out,
                               ArrayRef<int64_t> perm) {
  if (Error err = verifyViews("transpose", {{"input", in}, {"output", out}}))
    return err;
  SmallVector<bool, 4> seen(in.getRank(), false);
  bool valid = static_cast<int64_t>(perm.size()) == in.getRank();
  for (int64_t dim : perm) {
    if (!valid || dim < 0 || dim >= in.getRank() || seen[dim]) {
      valid = false;
      break;
    }
    seen[dim] = true;
  }
  if (!valid)
    return kernelError("transpose", "the permutation is not a permutation of "
                                    "the input's " +
                                        llvm::Twine(in.getRank()) +
                                        " dimensions");
  View permuted = in.permute(perm);
  if (Error err = expectSameShape("transpose", "permuted input", permuted,
                                  "output", out))
    return err;
  return cast(permuted, out);
}

Error gaon::kernels::softmax(const View &in, const View &out, int64_t axis) {
  if (Error err = verifyViews("softmax", {{"input", in}, {"output", out}}))
    return err;
  if (Error err = expectSameShape("softmax", "input", in, "output", out))
    return err;
  if (axis < 0 || axis >= in.getRank())
    return kernelError("softmax", llvm::formatv("axis {0} is out of range for "
                                                "{1}",
                                                axis, describe(in)));
  if (!isFloat(in.dtype) || !isFloat(out.dtype))
    return kernelError("softmax", "needs float input and output");
  std::vector<double> values = loadAll(in);
  int64_t length = in.shape[axis], inner = 1;
  for (int64_t d = axis + 1; d < in.getRank(); ++d)
    inner *= in.shape[d];
  int64_t outer = length * inner == 0
                      ? 0
                      : static_cast<int64_t>(values.size()) / (length * inner);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      double *base = values.data() + o * length * inner + i;
      double max = -std::numeric_limits<double>::infinity();
      for (int64_t r = 0; r < length; ++r)
        max = applyBinary(BinaryKind::Max, max, base[r * inner]);
      double sum = 0.0;
      for (int64_t r = 0; r < length; ++r) {
        base[r * inner] = std::exp(base[r * inner] - max);
        sum += base[r * inner];
      }
      for (int64_t r = 0; r < length; ++r)
        base[r * inner] /= sum;
    }
  storeElements(values.data(), out);
  return Error::success();
}
