//===- CublasGemm.h - cuBLASLt GEMM baseline --------------------*- C++ -*-===//
//
// The vendor-library figure each generated GEMM is compared with: cuBLASLt
// on the Device's primary context and default stream, row-major operands,
// fp32 accumulation. Linking this library needs the CUDA toolkit's
// libcublasLt (not a driver, not a GPU).
//
//===----------------------------------------------------------------------===//

#ifndef GAON_KERNELS_CUDA_CUBLASGEMM_H
#define GAON_KERNELS_CUDA_CUBLASGEMM_H

#include "gaon/Runtime/CUDA/Device.h"

#include "llvm/Support/Error.h"

#include <cstdint>
#include <map>
#include <memory>
#include <tuple>

namespace gaon::kernels::cuda {

using runtime::cuda::DevicePtr;
using runtime::cuda::ElementType;

/// C[b] (M x N) = A[b] (M x K) x B[b] (K x N), all row-major and packed,
/// batches `batch` apart. A and B are `input` (f32, f16 or bf16); C is
/// `output` (f32, or the input type). Accumulation is fp32; f32 inputs use
/// fp32 FMA (no TF32).
struct GemmProblem {
  int64_t batch = 1, m = 0, n = 0, k = 0;
  ElementType input = ElementType::BF16;
  ElementType output = ElementType::F32;

  auto key() const { return std::make_tuple(batch, m, n, k, input, output); }
  bool operator<(const GemmProblem &other) const { return key() < other.key(); }
};

class CublasLtGemm {
public:
  /// A cuBLASLt handle and a 64 MiB workspace on `device`, which must outlive
  /// this object.
  static llvm::Expected<std::unique_ptr<CublasLtGemm>>
  create(runtime::cuda::Device &device);
  ~CublasLtGemm();
  CublasLtGemm(const CublasLtGemm &) = delete;
  CublasLtGemm &operator=(const CublasLtGemm &) = delete;

  /// Enqueues one GEMM on the default stream. The first call for a problem
  /// asks cuBLASLt's heuristic for its best algorithm and keeps it.
  llvm::Error run(const GemmProblem &problem, DevicePtr a, DevicePtr b,
                  DevicePtr c);

  struct Prepared;

private:
  CublasLtGemm(runtime::cuda::Device &device, void *handle,
               DevicePtr workspace);
  llvm::Expected<Prepared *> prepare(const GemmProblem &problem);

  runtime::cuda::Device &device;
  void *handle;
  DevicePtr workspace;
  std::map<GemmProblem, std::unique_ptr<Prepared>> prepared;
};

} // namespace gaon::kernels::cuda

#endif // GAON_KERNELS_CUDA_CUBLASGEMM_H
