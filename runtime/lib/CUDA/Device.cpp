//===- Device.cpp - A GPU through the run-time-loaded CUDA driver ---------===//
//
// cuda.h provides the declarations; the definitions come from dlopen. The
// entry points are resolved by their versioned symbol names (cuMemAlloc_v2),
// which is what cuda.h's macros map the plain names to.
//
//===----------------------------------------------------------------------===//

#include "gaon/Runtime/CUDA/Device.h"

#include "llvm/ADT/Twine.h"
#include "llvm/Support/FormatVariadic.h"

#include <cuda.h>
#include <dlfcn.h>

using namespace llvm;

namespace gaon::runtime::cuda {

// Every driver entry point the Device uses, by symbol name.
#define GAON_CUDA_DRIVER_FUNCTIONS(X)                                          \
  X(cuGetErrorName)                                                            \
  X(cuGetErrorString)                                                          \
  X(cuInit)                                                                    \
  X(cuDriverGetVersion)                                                        \
  X(cuDeviceGetCount)                                                          \
  X(cuDeviceGet)                                                               \
  X(cuDeviceGetName)                                                           \
  X(cuDeviceGetAttribute)                                                      \
  X(cuDeviceTotalMem_v2)                                                       \
  X(cuDevicePrimaryCtxRetain)                                                  \
  X(cuDevicePrimaryCtxRelease_v2)                                              \
  X(cuCtxSetCurrent)                                                           \
  X(cuCtxSynchronize)                                                          \
  X(cuModuleLoadData)                                                          \
  X(cuModuleUnload)                                                            \
  X(cuModuleGetFunction)                                                       \
  X(cuFuncSetAttribute)                                                        \
  X(cuFuncGetAttribute)                                                        \
  X(cuMemAlloc_v2)                                                             \
  X(cuMemFree_v2)                                                              \
  X(cuMemcpyHtoD_v2)                                                           \
  X(cuMemcpyDtoH_v2)                                                           \
  X(cuMemsetD8_v2)                                                             \
  X(cuLaunchKernel)                                                            \
  X(cuEventCreate)                                                             \
  X(cuEventDestroy_v2)                                                         \
  X(cuEventRecord)                                                             \
  X(cuEventSynchronize)

struct Device::API {
  void *library = nullptr;
  std::string libraryName;
#define GAON_DECLARE(name) decltype(&::name) name = nullptr;
  GAON_CUDA_DRIVER_FUNCTIONS(GAON_DECLARE)
#undef GAON_DECLARE
  /// cuEventElapsedTime_v2 (CUDA 12.8+) or, from older drivers, the
  /// unversioned symbol with the same signature.
  CUresult (*cuEventElapsedTime)(float *, CUevent, CUevent) = nullptr;
  /// Optional: only plans with TMA (sm_90) kernels need it.
  decltype(&::cuTensorMapEncodeTiled) cuTensorMapEncodeTiled = nullptr;

  /// "cuMemAlloc: CUDA_ERROR_OUT_OF_MEMORY (out of memory)", or "cuInit:
  /// CUDA error 34" from a library that cannot name its errors.
  std::string describe(StringRef call, CUresult result) const {
    const char *name = nullptr, *text = nullptr;
    if (cuGetErrorName(result, &name) != CUDA_SUCCESS || !name)
      return formatv("{0}: CUDA error {1}", call, int(result)).str();
    if (cuGetErrorString(result, &text) != CUDA_SUCCESS || !text)
      return formatv("{0}: {1}", call, name).str();
    return formatv("{0}: {1} ({2})", call, name, text).str();
  }

  Error check(CUresult result, StringRef call) const {
    if (result == CUDA_SUCCESS)
      return Error::success();
    return createStringError(inconvertibleErrorCode(), describe(call, result));
  }
};

static Error makeError(const Twine &message) {
  return createStringError(inconvertibleErrorCode(), message);
}

std::string DeviceInfo::getChip() const {
  return formatv("sm_{0}{1}", computeCapabilityMajor, computeCapabilityMinor)
      .str();
}

double DeviceInfo::getPeakMemoryBandwidth() const {
  return 2.0 * memoryClockKHz * 1e3 * memoryBusWidthBits / 8.0;
}

/// Loads the library and resolves every entry point; the library is closed
/// again on failure.
static Expected<std::unique_ptr<Device::API>> loadDriver(StringRef library) {
  auto api = std::make_unique<Device::API>();
  api->libraryName = library.str();
  dlerror();
  api->library = dlopen(api->libraryName.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!api->library) {
    const char *reason = dlerror();
    return makeError("no CUDA driver found (" +
                     Twine(reason ? reason : library) + ")");
  }
  auto resolve = [&](const char *symbol) {
    return dlsym(api->library, symbol);
  };
  const char *missing = nullptr;
#define GAON_RESOLVE(name)                                                     \
  api->name = reinterpret_cast<decltype(&::name)>(resolve(#name));             \
  if (!api->name && !missing)                                                  \
    missing = #name;
  GAON_CUDA_DRIVER_FUNCTIONS(GAON_RESOLVE)
#undef GAON_RESOLVE
  void *elapsed = resolve("cuEventElapsedTime_v2");
  if (!elapsed)
    elapsed = resolve("cuEventElapsedTime");
  api->cuEventElapsedTime =
      reinterpret_cast<decltype(api->cuEventElapsedTime)>(elapsed);
  if (!elapsed && !missing)
    missing = "cuEventElapsedTime";
  api->cuTensorMapEncodeTiled =
      reinterpret_cast<decltype(api->cuTensorMapEncodeTiled)>(
          resolve("cuTensorMapEncodeTiled"));
  if (missing) {
    dlclose(api->library);
    return makeError("the CUDA driver " + library + " lacks " + missing +
                     " (a driver older than CUDA 12? update the NVIDIA "
                     "driver)");
  }
  return api;
}

/// Reads one integer device attribute.
static Error getAttribute(const Device::API &api, CUdevice device,
                          CUdevice_attribute attribute, int &value,
                          StringRef what) {
  return api.check(api.cuDeviceGetAttribute(&value, attribute, device),
                   ("cuDeviceGetAttribute(" + what + ")").str());
}

Expected<std::unique_ptr<Device>> Device::open(unsigned ordinal,
                                               StringRef driverLibrary) {
  Expected<std::unique_ptr<API>> loaded = loadDriver(driverLibrary);
  if (!loaded)
    return loaded.takeError();
  std::unique_ptr<API> api = std::move(*loaded);
  auto fail = [&](Error error) -> Error {
    dlclose(api->library);
    return error;
  };

  if (CUresult result = api->cuInit(0); result != CUDA_SUCCESS) {
    std::string detail = api->describe("cuInit", result);
    if (result == CUDA_ERROR_NO_DEVICE)
      return fail(makeError("CUDA driver found (" + driverLibrary +
                            ") but no GPU: " + detail));
    if (result == CUDA_ERROR_STUB_LIBRARY)
      return fail(makeError("no CUDA driver found (" + driverLibrary +
                            " is the CUDA toolkit's stub library, not a "
                            "driver: " +
                            detail + ")"));
    return fail(makeError("the CUDA driver (" + driverLibrary +
                          ") failed to initialise: " + detail));
  }
  int count = 0;
  if (Error error =
          api->check(api->cuDeviceGetCount(&count), "cuDeviceGetCount"))
    return fail(std::move(error));
  if (ordinal >= static_cast<unsigned>(count))
    return fail(makeError("no CUDA GPU " + Twine(ordinal) + ": the driver (" +
                          driverLibrary + ") sees " + Twine(count)));

  CUdevice device = 0;
  DeviceInfo info;
  info.ordinal = ordinal;
  char name[256] = {0};
  size_t totalMemory = 0;
  Error error = api->check(api->cuDeviceGet(&device, ordinal), "cuDeviceGet");
  if (!error)
    error = api->check(api->cuDeviceGetName(name, sizeof(name) - 1, device),
                       "cuDeviceGetName");
  if (!error)
    error = api->check(api->cuDeviceTotalMem_v2(&totalMemory, device),
                       "cuDeviceTotalMem");
  if (!error)
    error = api->check(api->cuDriverGetVersion(&info.driverVersion),
                       "cuDriverGetVersion");
  struct {
    CUdevice_attribute attribute;
    int *value;
    const char *what;
  } attributes[] = {
      {CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR,
       &info.computeCapabilityMajor, "compute capability major"},
      {CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR,
       &info.computeCapabilityMinor, "compute capability minor"},
      {CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, &info.multiprocessorCount,
       "multiprocessor count"},
      {CU_DEVICE_ATTRIBUTE_CLOCK_RATE, &info.clockKHz, "clock rate"},
      {CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE, &info.memoryClockKHz,
       "memory clock rate"},
      {CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH, &info.memoryBusWidthBits,
       "memory bus width"},
      {CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE, &info.l2CacheBytes, "L2 size"},
      {CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_MULTIPROCESSOR,
       &info.sharedMemoryPerMultiprocessor, "shared memory per SM"},
      {CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN,
       &info.sharedMemoryPerBlockOptin, "shared memory per block"}};
  for (const auto &attribute : attributes)
    if (!error)
      error = getAttribute(*api, device, attribute.attribute, *attribute.value,
                           attribute.what);
  if (error)
    return fail(std::move(error));
  info.name = name;
  info.totalMemoryBytes = totalMemory;

  CUcontext context = nullptr;
  if (Error error = api->check(api->cuDevicePrimaryCtxRetain(&context, device),
                               "cuDevicePrimaryCtxRetain"))
    return fail(std::move(error));
  if (Error error =
          api->check(api->cuCtxSetCurrent(context), "cuCtxSetCurrent")) {
    api->cuDevicePrimaryCtxRelease_v2(device);
    return fail(std::move(error));
  }
  return std::unique_ptr<Device>(
      new Device(std::move(api), context, std::move(info)));
}

Device::Device(std::unique_ptr<API> api, void *context, DeviceInfo info)
    : api(std::move(api)), context(context), info(std::move(info)) {}

// The driver library stays loaded: libraries such as cuBLAS may still hold
// the primary context's device.
Device::~Device() {
  CUdevice device = 0;
  if (api->cuDeviceGet(&device, info.ordinal) == CUDA_SUCCESS)
    api->cuDevicePrimaryCtxRelease_v2(device);
}

Error Device::makeCurrent() {
  return api->check(api->cuCtxSetCurrent(static_cast<CUcontext>(context)),
                    "cuCtxSetCurrent");
}

Expected<DevicePtr> Device::allocate(uint64_t bytes) {
  if (Error error = makeCurrent())
    return std::move(error);
  CUdeviceptr pointer = 0;
  // cuMemAlloc rejects zero bytes; a zero-sized buffer gets one byte.
  if (Error error = api->check(api->cuMemAlloc_v2(&pointer, bytes ? bytes : 1),
                               formatv("cuMemAlloc({0} bytes)", bytes).str()))
    return std::move(error);
  return static_cast<DevicePtr>(pointer);
}

Error Device::free(DevicePtr pointer) {
  if (Error error = makeCurrent())
    return error;
  return api->check(api->cuMemFree_v2(static_cast<CUdeviceptr>(pointer)),
                    "cuMemFree");
}

Error Device::upload(DevicePtr destination, ArrayRef<uint8_t> bytes) {
  if (bytes.empty())
    return Error::success();
  if (Error error = makeCurrent())
    return error;
  return api->check(api->cuMemcpyHtoD_v2(static_cast<CUdeviceptr>(destination),
                                         bytes.data(), bytes.size()),
                    "cuMemcpyHtoD");
}

Error Device::download(MutableArrayRef<uint8_t> destination, DevicePtr source) {
  if (destination.empty())
    return Error::success();
  if (Error error = makeCurrent())
    return error;
  return api->check(api->cuMemcpyDtoH_v2(destination.data(),
                                         static_cast<CUdeviceptr>(source),
                                         destination.size()),
                    "cuMemcpyDtoH");
}

Error Device::fill(DevicePtr destination, uint8_t value, uint64_t bytes) {
  if (bytes == 0)
    return Error::success();
  if (Error error = makeCurrent())
    return error;
  return api->check(
      api->cuMemsetD8_v2(static_cast<CUdeviceptr>(destination), value, bytes),
      "cuMemsetD8");
}

Expected<ModuleHandle> Device::loadModule(ArrayRef<uint8_t> image,
                                          StringRef name) {
  if (Error error = makeCurrent())
    return std::move(error);
  CUmodule module = nullptr;
  if (CUresult result = api->cuModuleLoadData(&module, image.data());
      result != CUDA_SUCCESS) {
    std::string detail = api->describe("cuModuleLoadData", result);
    if (result == CUDA_ERROR_NO_BINARY_FOR_GPU ||
        result == CUDA_ERROR_INVALID_IMAGE)
      detail += "; the GPU is " + info.getChip() + " (" + info.name +
                "), compile for that chip";
    return makeError("module '" + name + "': " + detail);
  }
  return static_cast<ModuleHandle>(module);
}

Error Device::unloadModule(ModuleHandle module) {
  if (Error error = makeCurrent())
    return error;
  return api->check(api->cuModuleUnload(static_cast<CUmodule>(module)),
                    "cuModuleUnload");
}

Expected<FunctionHandle> Device::getFunction(ModuleHandle module,
                                             StringRef symbol) {
  if (Error error = makeCurrent())
    return std::move(error);
  CUfunction function = nullptr;
  std::string name = symbol.str();
  if (Error error = api->check(
          api->cuModuleGetFunction(&function, static_cast<CUmodule>(module),
                                   name.c_str()),
          ("cuModuleGetFunction('" + symbol + "')").str()))
    return std::move(error);
  return static_cast<FunctionHandle>(function);
}

Error Device::setMaxDynamicSharedMemory(FunctionHandle function,
                                        uint32_t bytes) {
  if (Error error = makeCurrent())
    return error;
  return api->check(
      api->cuFuncSetAttribute(static_cast<CUfunction>(function),
                              CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                              static_cast<int>(bytes)),
      formatv("cuFuncSetAttribute(max dynamic shared memory = {0} bytes; the "
              "GPU allows {1} per block)",
              bytes, info.sharedMemoryPerBlockOptin)
          .str());
}

Expected<int> Device::getRegistersPerThread(FunctionHandle function) {
  if (Error error = makeCurrent())
    return std::move(error);
  int registers = 0;
  if (Error error = api->check(
          api->cuFuncGetAttribute(&registers, CU_FUNC_ATTRIBUTE_NUM_REGS,
                                  static_cast<CUfunction>(function)),
          "cuFuncGetAttribute(registers)"))
    return std::move(error);
  return registers;
}

Expected<std::vector<uint8_t>>
Device::encodeTensorMap(DevicePtr address, const TensorMapArgument &map) {
  if (!api->cuTensorMapEncodeTiled)
    return makeError("the CUDA driver " + api->libraryName +
                     " lacks cuTensorMapEncodeTiled, which TMA kernels need "
                     "(a driver older than CUDA 12? update the NVIDIA "
                     "driver)");
  CUtensorMapDataType type;
  switch (map.elementType) {
  case ElementType::F32:
    type = CU_TENSOR_MAP_DATA_TYPE_FLOAT32;
    break;
  case ElementType::F16:
    type = CU_TENSOR_MAP_DATA_TYPE_FLOAT16;
    break;
  case ElementType::BF16:
    type = CU_TENSOR_MAP_DATA_TYPE_BFLOAT16;
    break;
  case ElementType::I32:
    type = CU_TENSOR_MAP_DATA_TYPE_INT32;
    break;
  case ElementType::I64:
    type = CU_TENSOR_MAP_DATA_TYPE_INT64;
    break;
  case ElementType::F8E4M3FN:
  case ElementType::F8E5M2:
  case ElementType::I8:
    type = CU_TENSOR_MAP_DATA_TYPE_UINT8;
    break;
  }
  static constexpr CUtensorMapSwizzle swizzles[] = {
      CU_TENSOR_MAP_SWIZZLE_NONE, CU_TENSOR_MAP_SWIZZLE_32B,
      CU_TENSOR_MAP_SWIZZLE_64B, CU_TENSOR_MAP_SWIZZLE_128B};
  static constexpr CUtensorMapL2promotion promotions[] = {
      CU_TENSOR_MAP_L2_PROMOTION_NONE, CU_TENSOR_MAP_L2_PROMOTION_L2_64B,
      CU_TENSOR_MAP_L2_PROMOTION_L2_128B, CU_TENSOR_MAP_L2_PROMOTION_L2_256B};
  std::vector<cuuint64_t> dims(map.globalDims.begin(), map.globalDims.end());
  std::vector<cuuint64_t> strides(map.globalStrides.begin(),
                                  map.globalStrides.end());
  std::vector<cuuint32_t> box(map.boxDims.begin(), map.boxDims.end());
  std::vector<cuuint32_t> elementStrides(map.globalDims.size(), 1);
  CUtensorMap encoded;
  static_assert(sizeof(encoded) == kTensorMapBytes, "CUtensorMap size");
  if (Error error = api->check(
          api->cuTensorMapEncodeTiled(
              &encoded, type, map.globalDims.size(),
              reinterpret_cast<void *>(static_cast<uintptr_t>(address)),
              dims.data(), strides.data(), box.data(), elementStrides.data(),
              CU_TENSOR_MAP_INTERLEAVE_NONE,
              swizzles[static_cast<unsigned>(map.swizzle)],
              promotions[static_cast<unsigned>(map.l2Promotion)],
              map.oobFillNaN ? CU_TENSOR_MAP_FLOAT_OOB_FILL_NAN_REQUEST_ZERO_FMA
                             : CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE),
          "cuTensorMapEncodeTiled"))
    return std::move(error);
  const auto *bytes = reinterpret_cast<const uint8_t *>(&encoded);
  return std::vector<uint8_t>(bytes, bytes + kTensorMapBytes);
}

Error Device::launch(FunctionHandle function, Dim3 grid, Dim3 block,
                     uint32_t dynamicSharedMemoryBytes,
                     ArrayRef<void *> parameters) {
  if (Error error = makeCurrent())
    return error;
  return api->check(
      api->cuLaunchKernel(static_cast<CUfunction>(function), grid.x, grid.y,
                          grid.z, block.x, block.y, block.z,
                          dynamicSharedMemoryBytes, /*hStream=*/nullptr,
                          const_cast<void **>(parameters.data()),
                          /*extra=*/nullptr),
      "cuLaunchKernel");
}

Error Device::synchronize() {
  if (Error error = makeCurrent())
    return error;
  return api->check(api->cuCtxSynchronize(), "cuCtxSynchronize");
}

Expected<EventHandle> Device::createEvent() {
  if (Error error = makeCurrent())
    return std::move(error);
  CUevent event = nullptr;
  if (Error error = api->check(api->cuEventCreate(&event, CU_EVENT_DEFAULT),
                               "cuEventCreate"))
    return std::move(error);
  return static_cast<EventHandle>(event);
}

Error Device::destroyEvent(EventHandle event) {
  if (Error error = makeCurrent())
    return error;
  return api->check(api->cuEventDestroy_v2(static_cast<CUevent>(event)),
                    "cuEventDestroy");
}

Error Device::recordEvent(EventHandle event) {
  if (Error error = makeCurrent())
    return error;
  return api->check(
      api->cuEventRecord(static_cast<CUevent>(event), /*hStream=*/nullptr),
      "cuEventRecord");
}

Expected<float> Device::getElapsedMilliseconds(EventHandle start,
                                               EventHandle end) {
  if (Error error = makeCurrent())
    return std::move(error);
  if (Error error =
          api->check(api->cuEventSynchronize(static_cast<CUevent>(end)),
                     "cuEventSynchronize"))
    return std::move(error);
  float milliseconds = 0;
  if (Error error = api->check(
          api->cuEventElapsedTime(&milliseconds, static_cast<CUevent>(start),
                                  static_cast<CUevent>(end)),
          "cuEventElapsedTime"))
    return std::move(error);
  return milliseconds;
}

} // namespace gaon::runtime::cuda
