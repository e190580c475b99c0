//===- Device.h - A GPU through the run-time-loaded CUDA driver -*- C++ -*-===//
//
// The CUDA driver (libcuda.so.1) is opened with dlopen when a Device is
// opened, never linked: Gaon builds and runs where there is no driver, and
// Device::open then says so in a message the user can act on. A Device owns
// the primary context of one GPU; device memory is addressed by DevicePtr.
//
//===----------------------------------------------------------------------===//

#ifndef GAON_RUNTIME_CUDA_DEVICE_H
#define GAON_RUNTIME_CUDA_DEVICE_H

#include "gaon/Runtime/CUDA/LaunchPlan.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace gaon::runtime::cuda {

/// The driver library Device::open loads unless told otherwise.
inline constexpr llvm::StringLiteral kDriverLibrary = "libcuda.so.1";

/// A device address.
using DevicePtr = uint64_t;
/// Opaque driver handles (CUmodule, CUfunction, CUevent).
using ModuleHandle = void *;
using FunctionHandle = void *;
using EventHandle = void *;

/// What the driver reports about a GPU (all measured by the driver, not
/// modeled).
struct DeviceInfo {
  std::string name;
  unsigned ordinal = 0;
  int computeCapabilityMajor = 0, computeCapabilityMinor = 0;
  int multiprocessorCount = 0;
  /// Peak SM clock and peak memory clock, kHz.
  int clockKHz = 0;
  int memoryClockKHz = 0;
  int memoryBusWidthBits = 0;
  uint64_t totalMemoryBytes = 0;
  int l2CacheBytes = 0;
  int sharedMemoryPerMultiprocessor = 0;
  int sharedMemoryPerBlockOptin = 0;
  /// Driver version as the driver encodes it (1000 * major + 10 * minor).
  int driverVersion = 0;

  /// "sm_90" for compute capability 9.0.
  std::string getChip() const;
  /// Peak DRAM bandwidth from the memory clock and bus width (double data
  /// rate), bytes per second.
  double getPeakMemoryBandwidth() const;
};

/// One GPU, its primary context, and the loaded driver. Every call makes the
/// context current on the calling thread first.
class Device {
public:
  /// Loads `driverLibrary`, initialises the driver and retains the primary
  /// context of GPU `ordinal`. Fails, without side effects, with a message
  /// that starts "no CUDA driver found" when the library cannot be loaded,
  /// and otherwise says what the driver answered.
  static llvm::Expected<std::unique_ptr<Device>>
  open(unsigned ordinal = 0, llvm::StringRef driverLibrary = kDriverLibrary);
  ~Device();
  Device(const Device &) = delete;
  Device &operator=(const Device &) = delete;

  const DeviceInfo &getInfo() const { return info; }

  llvm::Expected<DevicePtr> allocate(uint64_t bytes);
  llvm::Error free(DevicePtr pointer);
  llvm::Error upload(DevicePtr destination, llvm::ArrayRef<uint8_t> bytes);
  llvm::Error download(llvm::MutableArrayRef<uint8_t> destination,
                       DevicePtr source);
  llvm::Error fill(DevicePtr destination, uint8_t value, uint64_t bytes);

  /// Loads a cubin or fatbin; `name` appears in error messages.
  llvm::Expected<ModuleHandle> loadModule(llvm::ArrayRef<uint8_t> image,
                                          llvm::StringRef name);
  llvm::Error unloadModule(ModuleHandle module);
  llvm::Expected<FunctionHandle> getFunction(ModuleHandle module,
                                             llvm::StringRef symbol);
  /// Allows `bytes` of dynamic shared memory (needed above 48 KiB).
  llvm::Error setMaxDynamicSharedMemory(FunctionHandle function,
                                        uint32_t bytes);
  llvm::Expected<int> getRegistersPerThread(FunctionHandle function);

  /// Size of an encoded CUtensorMap.
  static constexpr unsigned kTensorMapBytes = 128;
  /// Encodes `map` over the tensor at `address` (cuTensorMapEncodeTiled,
  /// CUDA 12+): the 128 bytes TMA copies read.
  llvm::Expected<std::vector<uint8_t>>
  encodeTensorMap(DevicePtr address, const TensorMapArgument &map);

  /// Enqueues a launch on the default stream; `parameters[i]` points at the
  /// value of kernel parameter i.
  llvm::Error launch(FunctionHandle function, Dim3 grid, Dim3 block,
                     uint32_t dynamicSharedMemoryBytes,
                     llvm::ArrayRef<void *> parameters);
  /// Waits for all work on the device.
  llvm::Error synchronize();

  /// CUDA events on the default stream, for timing.
  llvm::Expected<EventHandle> createEvent();
  llvm::Error destroyEvent(EventHandle event);
  llvm::Error recordEvent(EventHandle event);
  /// Milliseconds between two recorded events; waits for `end`.
  llvm::Expected<float> getElapsedMilliseconds(EventHandle start,
                                               EventHandle end);

  /// The driver's entry points, resolved when the Device was opened.
  struct API;

private:
  Device(std::unique_ptr<API> api, void *context, DeviceInfo info);
  llvm::Error makeCurrent();

  std::unique_ptr<API> api;
  void *context;
  DeviceInfo info;
};

} // namespace gaon::runtime::cuda

#endif // GAON_RUNTIME_CUDA_DEVICE_H
