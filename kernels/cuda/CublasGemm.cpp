//===- CublasGemm.cpp - cuBLASLt GEMM baseline ----------------------------===//
//
// Row-major C = A x B is column-major C^T = B^T x A^T: cuBLASLt is given B
// as its first operand and A as its second, with M and N swapped.
//
//===----------------------------------------------------------------------===//

#include "gaon/Kernels/CUDA/CublasGemm.h"

#include "llvm/ADT/Twine.h"
#include "llvm/Support/FormatVariadic.h"

#include <cublasLt.h>

using namespace llvm;
using namespace gaon::runtime::cuda;

namespace gaon::kernels::cuda {

static constexpr uint64_t kWorkspaceBytes = 64ull << 20;

static Error check(cublasStatus_t status, StringRef call) {
  if (status == CUBLAS_STATUS_SUCCESS)
    return Error::success();
  return createStringError(inconvertibleErrorCode(),
                           formatv("{0}: {1} ({2})", call,
                                   cublasLtGetStatusName(status),
                                   cublasLtGetStatusString(status))
                               .str());
}

static Expected<cudaDataType_t> getDataType(ElementType type) {
  switch (type) {
  case ElementType::F32:
    return CUDA_R_32F;
  case ElementType::F16:
    return CUDA_R_16F;
  case ElementType::BF16:
    return CUDA_R_16BF;
  default:
    return createStringError(inconvertibleErrorCode(),
                             "the cuBLAS baseline takes f32, f16 or bf16, "
                             "not " +
                                 stringifyElementType(type));
  }
}

struct CublasLtGemm::Prepared {
  cublasLtMatmulDesc_t operation = nullptr;
  cublasLtMatrixLayout_t layouts[3] = {nullptr, nullptr, nullptr};
  cublasLtMatmulAlgo_t algorithm;

  ~Prepared() {
    for (cublasLtMatrixLayout_t layout : layouts)
      if (layout)
        cublasLtMatrixLayoutDestroy(layout);
    if (operation)
      cublasLtMatmulDescDestroy(operation);
  }
};

CublasLtGemm::CublasLtGemm(Device &device, void *handle, DevicePtr workspace)
    : device(device), handle(handle), workspace(workspace) {}

Expected<std::unique_ptr<CublasLtGemm>> CublasLtGemm::create(Device &device) {
  cublasLtHandle_t handle = nullptr;
  if (Error error = check(cublasLtCreate(&handle), "cublasLtCreate"))
    return std::move(error);
  Expected<DevicePtr> workspace = device.allocate(kWorkspaceBytes);
  if (!workspace) {
    cublasLtDestroy(handle);
    return workspace.takeError();
  }
  return std::unique_ptr<CublasLtGemm>(
      new CublasLtGemm(device, handle, *workspace));
}

CublasLtGemm::~CublasLtGemm() {
  prepared.clear();
  cublasLtDestroy(static_cast<cublasLtHandle_t>(handle));
  consumeError(device.free(workspace));
}

/// A column-major rows x cols matrix (leading dimension rows), batched.
static Error makeLayout(cublasLtMatrixLayout_t &layout, cudaDataType_t type,
                        int64_t rows, int64_t cols, int64_t batch) {
  if (Error error =
          check(cublasLtMatrixLayoutCreate(&layout, type, rows, cols, rows),
                "cublasLtMatrixLayoutCreate"))
    return error;
  if (batch == 1)
    return Error::success();
  int32_t count = static_cast<int32_t>(batch);
  int64_t stride = rows * cols;
  if (Error error = check(cublasLtMatrixLayoutSetAttribute(
                              layout, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT,
                              &count, sizeof(count)),
                          "cublasLtMatrixLayoutSetAttribute(batch count)"))
    return error;
  return check(cublasLtMatrixLayoutSetAttribute(
                   layout, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET, &stride,
                   sizeof(stride)),
               "cublasLtMatrixLayoutSetAttribute(batch stride)");
}

Expected<CublasLtGemm::Prepared *> CublasLtGemm::prepare(const GemmProblem &p) {
  if (auto it = prepared.find(p); it != prepared.end())
    return it->second.get();
  if (p.batch < 1 || p.m < 1 || p.n < 1 || p.k < 1 || p.batch > INT32_MAX)
    return createStringError(inconvertibleErrorCode(),
                             "GEMM sizes must be at least 1");
  if (p.output != ElementType::F32 && p.output != p.input)
    return createStringError(inconvertibleErrorCode(),
                             "the cuBLAS baseline writes f32 or the input "
                             "type");
  Expected<cudaDataType_t> inType = getDataType(p.input);
  if (!inType)
    return inType.takeError();
  Expected<cudaDataType_t> outType = getDataType(p.output);
  if (!outType)
    return outType.takeError();

  auto entry = std::make_unique<Prepared>();
  if (Error error =
          check(cublasLtMatmulDescCreate(&entry->operation, CUBLAS_COMPUTE_32F,
                                         CUDA_R_32F),
                "cublasLtMatmulDescCreate"))
    return std::move(error);
  // Column-major view: first operand B^T (N x K), second A^T (K x M),
  // result C^T (N x M).
  if (Error error = makeLayout(entry->layouts[0], *inType, p.n, p.k, p.batch))
    return std::move(error);
  if (Error error = makeLayout(entry->layouts[1], *inType, p.k, p.m, p.batch))
    return std::move(error);
  if (Error error = makeLayout(entry->layouts[2], *outType, p.n, p.m, p.batch))
    return std::move(error);

  cublasLtMatmulPreference_t preference = nullptr;
  if (Error error = check(cublasLtMatmulPreferenceCreate(&preference),
                          "cublasLtMatmulPreferenceCreate"))
    return std::move(error);
  uint64_t workspaceBytes = kWorkspaceBytes;
  cublasLtMatmulHeuristicResult_t result = {};
  int found = 0;
  Error error = check(cublasLtMatmulPreferenceSetAttribute(
                          preference, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES,
                          &workspaceBytes, sizeof(workspaceBytes)),
                      "cublasLtMatmulPreferenceSetAttribute");
  if (!error)
    error = check(cublasLtMatmulAlgoGetHeuristic(
                      static_cast<cublasLtHandle_t>(handle), entry->operation,
                      entry->layouts[0], entry->layouts[1], entry->layouts[2],
                      entry->layouts[2], preference, 1, &result, &found),
                  "cublasLtMatmulAlgoGetHeuristic");
  cublasLtMatmulPreferenceDestroy(preference);
  if (error)
    return std::move(error);
  if (found == 0)
    return createStringError(
        inconvertibleErrorCode(),
        formatv("cuBLASLt has no algorithm for {0}x{1}x{2}x{3} {4} -> {5}",
                p.batch, p.m, p.n, p.k, stringifyElementType(p.input),
                stringifyElementType(p.output))
            .str());
  entry->algorithm = result.algo;
  Prepared *raw = entry.get();
  prepared[p] = std::move(entry);
  return raw;
}

Error CublasLtGemm::run(const GemmProblem &problem, DevicePtr a, DevicePtr b,
                        DevicePtr c) {
  Expected<Prepared *> entry = prepare(problem);
  if (!entry)
    return entry.takeError();
  float alpha = 1.0f, beta = 0.0f;
  Prepared &p = **entry;
  return check(
      cublasLtMatmul(static_cast<cublasLtHandle_t>(handle), p.operation, &alpha,
                     reinterpret_cast<const void *>(b), p.layouts[0],
                     reinterpret_cast<const void *>(a), p.layouts[1], &beta,
                     reinterpret_cast<const void *>(c), p.layouts[2],
                     reinterpret_cast<void *>(c), p.layouts[2], &p.algorithm,
                     reinterpret_cast<void *>(workspace), kWorkspaceBytes,
                     /*stream=*/nullptr),
      "cublasLtMatmul");
}

} // namespace gaon::kernels::cuda
