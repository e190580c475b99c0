//===- FakeDriver.cpp - A host-memory stand-in for libcuda.so.1 -----------===//
//
// Test double for the CUDA driver, built as a shared library that the tests
// give to Device::open instead of libcuda.so.1. It implements exactly the
// entry points Device resolves, with cuda.h's signatures: device memory is
// host memory, a "cubin" is the text "GAON-FAKE-CUBIN" followed by kernel
// names, and four kernels run on the host thread by thread. Launches advance
// a virtual clock by 1 ms each, so event timings are exact. Lets the launcher
// (parameter marshalling, buffer offsets, shared-memory opt-in, ordering,
// zero-filling, timing, error paths) be tested where there is no GPU.
//
//===----------------------------------------------------------------------===//

#include <cuda.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <string>

namespace {
struct Function {
  std::string name;
  int maxDynamicSharedMemory = 48 * 1024;
};

struct Module {
  std::set<std::string> kernels;
  std::map<std::string, Function> functions;
};

struct Event {
  double milliseconds = -1;
};

struct State {
  int deviceCount = 1;
  bool initialised = false;
  std::set<void *> allocations;
  double clockMilliseconds = 0;
  unsigned launches = 0;
  std::string lastKernel;
  unsigned lastGrid[3] = {0, 0, 0}, lastBlock[3] = {0, 0, 0};
  unsigned lastSharedMemory = 0;
  int primaryContextReferences = 0;
};

State state;
int contextTag;

constexpr const char kCubinPrefix[] = "GAON-FAKE-CUBIN";
constexpr int kMaxSharedMemoryOptin = 232448;

void axpy(void **params, uint64_t thread) {
  float *x = *static_cast<float **>(params[0]);
  float *y = *static_cast<float **>(params[1]);
  float a = *static_cast<float *>(params[2]);
  int32_t n = *static_cast<int32_t *>(params[3]);
  if (thread < static_cast<uint64_t>(n))
    y[thread] += a * x[thread];
}

void accumulate(void **params, uint64_t thread) {
  float *out = *static_cast<float **>(params[0]);
  const float *in = *static_cast<float **>(params[1]);
  int32_t n = *static_cast<int32_t *>(params[2]);
  if (thread < static_cast<uint64_t>(n))
    out[thread] += in[thread];
}

void fill(void **params, uint64_t thread) {
  int64_t *out = *static_cast<int64_t **>(params[0]);
  int64_t value = *static_cast<int64_t *>(params[1]);
  int32_t n = *static_cast<int32_t *>(params[2]);
  if (thread < static_cast<uint64_t>(n))
    out[thread] = value;
}

/// C (f32, M x N) = A (bf16, M x K) x B (bf16, K x N), one thread per C.
void gemm(void **params, uint64_t thread) {
  const uint16_t *a = *static_cast<uint16_t **>(params[0]);
  const uint16_t *b = *static_cast<uint16_t **>(params[1]);
  float *c = *static_cast<float **>(params[2]);
  int32_t m = *static_cast<int32_t *>(params[3]);
  int32_t n = *static_cast<int32_t *>(params[4]);
  int32_t k = *static_cast<int32_t *>(params[5]);
  if (thread >= uint64_t(m) * n)
    return;
  auto widen = [](uint16_t bits) {
    uint32_t wide = uint32_t(bits) << 16;
    float value;
    std::memcpy(&value, &wide, sizeof(value));
    return value;
  };
  int64_t i = thread / n, j = thread % n;
  float sum = 0;
  for (int64_t l = 0; l < k; ++l)
    sum += widen(a[i * k + l]) * widen(b[l * n + j]);
  c[thread] = sum;
}

/// The fake's CUtensorMap encoding: what the TMA kernel below needs.
struct FakeTensorMap {
  const void *globalAddress;
  uint64_t innerDim;
  uint32_t innerBox;
  uint32_t rank;
};
static_assert(sizeof(FakeTensorMap) <= sizeof(CUtensorMap),
              "the fake encoding must fit a CUtensorMap");

/// out[i] = the i-th f32 of the tensor a tensor map describes, for i below
/// its innermost dimension: reads through the map the way a TMA load does.
void tmaCopy(void **params, uint64_t thread) {
  const auto *map = *static_cast<const FakeTensorMap **>(params[0]);
  float *out = *static_cast<float **>(params[1]);
  if (thread < map->innerDim)
    out[thread] = static_cast<const float *>(map->globalAddress)[thread];
}

using KernelBody = void (*)(void **, uint64_t);

KernelBody findKernel(const std::string &name) {
  if (name == "axpy_f32")
    return axpy;
  if (name == "accumulate_f32")
    return accumulate;
  if (name == "fill_i64")
    return fill;
  if (name == "gemm_bf16_f32")
    return gemm;
  if (name == "tma_copy_f32")
    return tmaCopy;
  return nullptr;
}
} // namespace

extern "C" {

// --- Test controls --------------------------------------------------------
__attribute__((visibility("default"))) void gaonFakeCudaReset(int deviceCount) {
  state = State();
  state.deviceCount = deviceCount;
}
__attribute__((visibility("default"))) unsigned gaonFakeCudaLaunchCount() {
  return state.launches;
}
__attribute__((visibility("default"))) size_t gaonFakeCudaLiveAllocations() {
  return state.allocations.size();
}
__attribute__((visibility("default"))) int gaonFakeCudaContextReferences() {
  return state.primaryContextReferences;
}
__attribute__((visibility("default"))) const char *
gaonFakeCudaLastLaunch(unsigned grid[3], unsigned block[3],
                       unsigned *sharedMemory) {
  std::memcpy(grid, state.lastGrid, sizeof(state.lastGrid));
  std::memcpy(block, state.lastBlock, sizeof(state.lastBlock));
  *sharedMemory = state.lastSharedMemory;
  return state.lastKernel.c_str();
}

// --- Driver API -----------------------------------------------------------
CUresult cuGetErrorName(CUresult error, const char **name) {
  switch (error) {
  case CUDA_SUCCESS:
    *name = "CUDA_SUCCESS";
    return CUDA_SUCCESS;
  case CUDA_ERROR_INVALID_VALUE:
    *name = "CUDA_ERROR_INVALID_VALUE";
    return CUDA_SUCCESS;
  case CUDA_ERROR_NOT_INITIALIZED:
    *name = "CUDA_ERROR_NOT_INITIALIZED";
    return CUDA_SUCCESS;
  case CUDA_ERROR_NO_DEVICE:
    *name = "CUDA_ERROR_NO_DEVICE";
    return CUDA_SUCCESS;
  case CUDA_ERROR_INVALID_IMAGE:
    *name = "CUDA_ERROR_INVALID_IMAGE";
    return CUDA_SUCCESS;
  case CUDA_ERROR_NOT_FOUND:
    *name = "CUDA_ERROR_NOT_FOUND";
    return CUDA_SUCCESS;
  default:
    return CUDA_ERROR_INVALID_VALUE;
  }
}

CUresult cuGetErrorString(CUresult error, const char **text) {
  switch (error) {
  case CUDA_ERROR_INVALID_VALUE:
    *text = "invalid argument";
    return CUDA_SUCCESS;
  case CUDA_ERROR_NO_DEVICE:
    *text = "no CUDA-capable device is detected";
    return CUDA_SUCCESS;
  case CUDA_ERROR_INVALID_IMAGE:
    *text = "device kernel image is invalid";
    return CUDA_SUCCESS;
  case CUDA_ERROR_NOT_FOUND:
    *text = "named symbol not found";
    return CUDA_SUCCESS;
  default:
    *text = "fake driver error";
    return CUDA_SUCCESS;
  }
}

CUresult cuInit(unsigned) {
  if (state.deviceCount == 0)
    return CUDA_ERROR_NO_DEVICE;
  state.initialised = true;
  return CUDA_SUCCESS;
}

CUresult cuDriverGetVersion(int *version) {
  *version = 13000;
  return CUDA_SUCCESS;
}

CUresult cuDeviceGetCount(int *count) {
  if (!state.initialised)
    return CUDA_ERROR_NOT_INITIALIZED;
  *count = state.deviceCount;
  return CUDA_SUCCESS;
}

CUresult cuDeviceGet(CUdevice *device, int ordinal) {
  if (ordinal < 0 || ordinal >= state.deviceCount)
    return CUDA_ERROR_INVALID_VALUE;
  *device = ordinal;
  return CUDA_SUCCESS;
}

CUresult cuDeviceGetName(char *name, int length, CUdevice) {
  std::strncpy(name, "Gaon Fake GPU", length);
  return CUDA_SUCCESS;
}

CUresult cuDeviceGetAttribute(int *value, CUdevice_attribute attribute,
                              CUdevice) {
  switch (attribute) {
  case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR:
    *value = 9;
    return CUDA_SUCCESS;
  case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR:
    *value = 0;
    return CUDA_SUCCESS;
  case CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT:
    *value = 132;
    return CUDA_SUCCESS;
  case CU_DEVICE_ATTRIBUTE_CLOCK_RATE:
    *value = 1980000;
    return CUDA_SUCCESS;
  case CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE:
    *value = 2619000;
    return CUDA_SUCCESS;
  case CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH:
    *value = 5120;
    return CUDA_SUCCESS;
  case CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE:
    *value = 50 * 1024 * 1024;
    return CUDA_SUCCESS;
  case CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_MULTIPROCESSOR:
    *value = 233472;
    return CUDA_SUCCESS;
  case CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN:
    *value = kMaxSharedMemoryOptin;
    return CUDA_SUCCESS;
  default:
    return CUDA_ERROR_INVALID_VALUE;
  }
}

CUresult cuDeviceTotalMem_v2(size_t *bytes, CUdevice) {
  *bytes = size_t(80) << 30;
  return CUDA_SUCCESS;
}

CUresult cuDevicePrimaryCtxRetain(CUcontext *context, CUdevice) {
  ++state.primaryContextReferences;
  *context = reinterpret_cast<CUcontext>(&contextTag);
  return CUDA_SUCCESS;
}

CUresult cuDevicePrimaryCtxRelease_v2(CUdevice) {
  --state.primaryContextReferences;
  return CUDA_SUCCESS;
}

CUresult cuCtxSetCurrent(CUcontext context) {
  return context == reinterpret_cast<CUcontext>(&contextTag)
             ? CUDA_SUCCESS
             : CUDA_ERROR_INVALID_VALUE;
}

CUresult cuCtxSynchronize() { return CUDA_SUCCESS; }

CUresult cuModuleLoadData(CUmodule *module, const void *image) {
  const char *text = static_cast<const char *>(image);
  if (std::strncmp(text, kCubinPrefix, sizeof(kCubinPrefix) - 1) != 0)
    return CUDA_ERROR_INVALID_IMAGE;
  auto *loaded = new Module;
  const char *p = text + sizeof(kCubinPrefix) - 1;
  while (*p) {
    while (*p == ' ' || *p == '\n')
      ++p;
    const char *end = p;
    while (*end && *end != ' ' && *end != '\n')
      ++end;
    if (end != p)
      loaded->kernels.insert(std::string(p, end));
    p = end;
  }
  *module = reinterpret_cast<CUmodule>(loaded);
  return CUDA_SUCCESS;
}

CUresult cuModuleUnload(CUmodule module) {
  delete reinterpret_cast<Module *>(module);
  return CUDA_SUCCESS;
}

CUresult cuModuleGetFunction(CUfunction *function, CUmodule module,
                             const char *name) {
  auto *loaded = reinterpret_cast<Module *>(module);
  if (!loaded->kernels.count(name) || !findKernel(name))
    return CUDA_ERROR_NOT_FOUND;
  Function &entry = loaded->functions[name];
  entry.name = name;
  *function = reinterpret_cast<CUfunction>(&entry);
  return CUDA_SUCCESS;
}

CUresult cuFuncSetAttribute(CUfunction function, CUfunction_attribute attribute,
                            int value) {
  if (attribute != CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES ||
      value > kMaxSharedMemoryOptin)
    return CUDA_ERROR_INVALID_VALUE;
  reinterpret_cast<Function *>(function)->maxDynamicSharedMemory = value;
  return CUDA_SUCCESS;
}

CUresult cuFuncGetAttribute(int *value, CUfunction_attribute attribute,
                            CUfunction) {
  if (attribute != CU_FUNC_ATTRIBUTE_NUM_REGS)
    return CUDA_ERROR_INVALID_VALUE;
  *value = 40;
  return CUDA_SUCCESS;
}

CUresult cuMemAlloc_v2(CUdeviceptr *pointer, size_t bytes) {
  if (bytes == 0)
    return CUDA_ERROR_INVALID_VALUE;
  void *memory = std::malloc(bytes);
  std::memset(memory, 0xcd, bytes); // garbage, as fresh device memory is
  state.allocations.insert(memory);
  *pointer = reinterpret_cast<CUdeviceptr>(memory);
  return CUDA_SUCCESS;
}

CUresult cuMemFree_v2(CUdeviceptr pointer) {
  void *memory = reinterpret_cast<void *>(pointer);
  if (!state.allocations.erase(memory))
    return CUDA_ERROR_INVALID_VALUE;
  std::free(memory);
  return CUDA_SUCCESS;
}

CUresult cuMemcpyHtoD_v2(CUdeviceptr destination, const void *source,
                         size_t bytes) {
  std::memcpy(reinterpret_cast<void *>(destination), source, bytes);
  return CUDA_SUCCESS;
}

CUresult cuMemcpyDtoH_v2(void *destination, CUdeviceptr source, size_t bytes) {
  std::memcpy(destination, reinterpret_cast<const void *>(source), bytes);
  return CUDA_SUCCESS;
}

CUresult cuMemsetD8_v2(CUdeviceptr destination, unsigned char value,
                       size_t bytes) {
  std::memset(reinterpret_cast<void *>(destination), value, bytes);
  return CUDA_SUCCESS;
}

CUresult cuLaunchKernel(CUfunction function, unsigned gridX, unsigned gridY,
                        unsigned gridZ, unsigned blockX, unsigned blockY,
                        unsigned blockZ, unsigned sharedMemory, CUstream,
                        void **params, void **) {
  auto *entry = reinterpret_cast<Function *>(function);
  if (static_cast<int>(sharedMemory) > entry->maxDynamicSharedMemory)
    return CUDA_ERROR_INVALID_VALUE;
  KernelBody body = findKernel(entry->name);
  uint64_t threads = uint64_t(gridX) * blockX;
  for (uint64_t thread = 0; thread < threads; ++thread)
    body(params, thread);
  state.lastKernel = entry->name;
  unsigned grid[3] = {gridX, gridY, gridZ}, block[3] = {blockX, blockY, blockZ};
  std::memcpy(state.lastGrid, grid, sizeof(grid));
  std::memcpy(state.lastBlock, block, sizeof(block));
  state.lastSharedMemory = sharedMemory;
  ++state.launches;
  state.clockMilliseconds += 1.0;
  return CUDA_SUCCESS;
}

CUresult cuEventCreate(CUevent *event, unsigned) {
  *event = reinterpret_cast<CUevent>(new Event);
  return CUDA_SUCCESS;
}

CUresult cuEventDestroy_v2(CUevent event) {
  delete reinterpret_cast<Event *>(event);
  return CUDA_SUCCESS;
}

CUresult cuEventRecord(CUevent event, CUstream) {
  reinterpret_cast<Event *>(event)->milliseconds = state.clockMilliseconds;
  return CUDA_SUCCESS;
}

CUresult cuEventSynchronize(CUevent) { return CUDA_SUCCESS; }

CUresult cuTensorMapEncodeTiled(CUtensorMap *tensorMap, CUtensorMapDataType,
                                cuuint32_t rank, void *globalAddress,
                                const cuuint64_t *globalDim, const cuuint64_t *,
                                const cuuint32_t *boxDim, const cuuint32_t *,
                                CUtensorMapInterleave, CUtensorMapSwizzle,
                                CUtensorMapL2promotion,
                                CUtensorMapFloatOOBfill) {
  if (rank < 1 || rank > 5 ||
      reinterpret_cast<uintptr_t>(globalAddress) % 16 != 0)
    return CUDA_ERROR_INVALID_VALUE;
  FakeTensorMap map{globalAddress, globalDim[0], boxDim[0], rank};
  std::memset(tensorMap, 0, sizeof(*tensorMap));
  std::memcpy(tensorMap, &map, sizeof(map));
  return CUDA_SUCCESS;
}

CUresult cuEventElapsedTime_v2(float *milliseconds, CUevent start,
                               CUevent end) {
  auto *a = reinterpret_cast<Event *>(start);
  auto *b = reinterpret_cast<Event *>(end);
  if (a->milliseconds < 0 || b->milliseconds < 0)
    return CUDA_ERROR_INVALID_VALUE;
  *milliseconds = static_cast<float>(b->milliseconds - a->milliseconds);
  return CUDA_SUCCESS;
}

} // extern "C"
