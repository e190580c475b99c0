//===- Baselines.h - Hand-written CUDA reference kernels as plans -*- C++
//-*-===//
//
// The kernels of kernels/cuda/Baselines.cu (row softmax, layer norm,
// attention; fp32 and bf16) are built into cubins for sm_80 and sm_90 and
// embedded here. Each is offered as a one-launch LaunchPlan, so a baseline
// runs through exactly the path a compiled model takes (LoadedPlan on a
// Device) and is timed the same way.
//
//===----------------------------------------------------------------------===//

#ifndef GAON_KERNELS_CUDA_BASELINES_H
#define GAON_KERNELS_CUDA_BASELINES_H

#include "gaon/Runtime/CUDA/LaunchPlan.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>

namespace gaon::kernels::cuda {

using runtime::cuda::ElementType;
using runtime::cuda::LaunchPlan;

/// The chips the baselines are compiled for.
inline constexpr llvm::StringLiteral kBaselineChips[] = {"sm_80", "sm_90"};

/// Every kernel symbol in the baseline cubins.
llvm::ArrayRef<llvm::StringLiteral> getBaselineKernelNames();

/// The cubin to run on `chip` (sm_80 also serves sm_86 and sm_89, being
/// binary compatible within the major version); an error for others.
llvm::Expected<llvm::ArrayRef<uint8_t>> getBaselineCubin(llvm::StringRef chip);

/// y = softmax(x) along the last dimension of a rows x cols tensor.
/// Input 0: x; output 0: y. F32 or BF16.
llvm::Expected<LaunchPlan> makeSoftmaxPlan(llvm::StringRef chip, int64_t rows,
                                           int64_t cols, ElementType type);

/// y = (x - mean) / sqrt(var + epsilon) * gamma + beta per row. Inputs:
/// x (rows x cols), gamma (cols), beta (cols); output 0: y.
llvm::Expected<LaunchPlan> makeLayerNormPlan(llvm::StringRef chip, int64_t rows,
                                             int64_t cols, ElementType type,
                                             float epsilon = 1e-5f);

struct AttentionProblem {
  int64_t batch = 1, heads = 1, kvHeads = 1;
  int64_t queries = 1, keys = 1, dim = 64;
  bool causal = false;
};

/// o = softmax(q k^T / sqrt(dim)) v. Inputs: q [batch, heads, queries, dim],
/// k and v [batch, kvHeads, keys, dim]; output 0: o like q. With `causal`,
/// query i sees keys up to i + keys - queries.
llvm::Expected<LaunchPlan> makeAttentionPlan(llvm::StringRef chip,
                                             const AttentionProblem &problem,
                                             ElementType type);

} // namespace gaon::kernels::cuda

#endif // GAON_KERNELS_CUDA_BASELINES_H
