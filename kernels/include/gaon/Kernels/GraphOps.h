//===- GraphOps.h - graph-level CPU kernels ---------------------*- C++ -*-===//
//
// Kernels the CPU reference needs beyond the npu command set: batched
// matmul, 2-D convolution (any layout through views, strides, padding,
// dilation, groups, depthwise), 2-D pooling, transpose and softmax. Same
// conventions as Ops.h: Views in, llvm::Error out, float math in f32
// (contractions) or double (everything else), one rounding on store.
//
//===----------------------------------------------------------------------===//

#ifndef GAON_KERNELS_GRAPHOPS_H
#define GAON_KERNELS_GRAPHOPS_H

#include "gaon/Kernels/View.h"

#include "llvm/Support/Error.h"

#include <array>

namespace gaon::kernels {

/// out[b] = lhs[b] * rhs[b] (+ out[b] with `accumulate`) over the leading
/// batch dimensions. lhs is [..., M, K], rhs [..., K, N], out [..., M, N],
/// all of one rank >= 2; a batch dimension of lhs or rhs equals out's or is
/// 1 (broadcast). Transposed operands are permuted views. Accumulation as
/// in matmul (Ops.h).
llvm::Error batchMatmul(const View &lhs, const View &rhs, const View &out,
                        bool accumulate);

/// Window geometry shared by convolution and pooling. Output size along a
/// spatial dimension is
///   floor((in + padBefore + padAfter - dilation * (window - 1) - 1) /
///         stride) + 1
/// (pooling also accepts the one extra window of ceil mode).
struct Window2D {
  std::array<int64_t, 2> strides = {1, 1};
  std::array<int64_t, 2> dilations = {1, 1};
  /// top, left, bottom, right
  std::array<int64_t, 4> padding = {0, 0, 0, 0};
};

/// Data layouts of conv2d (input_filter: NHWC_HWCF is linalg's
/// conv_2d_nhwc_hwcf, NCHW_FCHW is ONNX's and linalg's conv_2d_nchw_fchw).
enum class ConvLayout { NHWC_HWCF, NHWC_FHWC, NCHW_FCHW };

/// 2-D convolution (cross-correlation, as ONNX and linalg define it) with
/// `groups` groups: input channels C and output channels F split into
/// groups of C/groups and F/groups; the filter's channel dimension is
/// C/groups. groups == C is depthwise. Zero padding. The output is
/// overwritten, or accumulated into with `accumulate` (linalg's init).
/// Float operands multiply-accumulate in f32; integer ones exactly.
llvm::Error conv2d(ConvLayout layout, const View &input, const View &filter,
                   const View &output, const Window2D &window, int64_t groups,
                   bool accumulate);

/// The layout-free form every conv2d lowers to: input [N, H, W, G, Cg],
/// filter [G, KH, KW, Cg, Fg], output [N, OH, OW, G, Fg]. Any layout or
/// grouping (e.g. linalg's depthwise_conv_2d_nhwc_hwcm, whose output is
/// [N, OH, OW, C, M]) is a permuted or split view of these.
llvm::Error conv2dGrouped(const View &input, const View &filter,
                          const View &output, const Window2D &window,
                          bool accumulate);

enum class PoolKind { Max, Min, Sum, Avg };
enum class PoolLayout { NHWC, NCHW };

/// Options of pool2d beyond the window geometry.
struct PoolOptions {
  std::array<int64_t, 2> size = {1, 1}; ///< window KH, KW
  Window2D window;
  /// Avg divides by the whole window (true) or by the elements inside the
  /// unpadded input (false, the ONNX default).
  bool countIncludePad = false;
};

/// 2-D pooling over the spatial dimensions. Padded positions are ignored by
/// max/min, count as 0 for sum. With `accumulate` the result is combined
/// with out (max/min/sum of the two), as linalg's pooling ops do with init.
llvm::Error pool2d(PoolKind kind, PoolLayout layout, const View &input,
                   const View &output, const PoolOptions &options,
                   bool accumulate);

/// out = in with dimensions permuted: out dimension i is in dimension
/// perm[i]. Converts between dtypes like cast when they differ.
llvm::Error transpose(const View &in, const View &out,
                      llvm::ArrayRef<int64_t> perm);

/// out = softmax(in) along `axis` (exp(x - max) / sum), computed in
/// double. Same shape for in and out.
llvm::Error softmax(const View &in, const View &out, int64_t axis);

} // namespace gaon::kernels

#endif // GAON_KERNELS_GRAPHOPS_H
