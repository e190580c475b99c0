//===- DeviceTest.cpp - CUDA driver loading and the plan launcher ---------===//
//
// Ensures the no-driver path says what is wrong in words a user can act on,
// and, against a host-memory stand-in for libcuda.so.1 (FakeDriver.cpp),
// that a launch plan is loaded, marshalled, launched in order, zero-filled
// between runs, timed and released as docs/gpu.md says. A test that needs a
// real GPU skips, saying why.
//
//===----------------------------------------------------------------------===//

#include "gaon/Runtime/CUDA/Device.h"
#include "gaon/Runtime/CUDA/PlanExecutor.h"

#include "llvm/Support/FileSystem.h"

#include "gtest/gtest.h"

#include <cstring>
#include <dlfcn.h>

using namespace gaon::runtime::cuda;
using namespace llvm;

namespace {

/// The fake driver's test controls, resolved from the same loaded library
/// that Device::open uses.
struct FakeDriver {
  void (*reset)(int deviceCount);
  unsigned (*launchCount)();
  size_t (*liveAllocations)();
  int (*contextReferences)();
  const char *(*lastLaunch)(unsigned grid[3], unsigned block[3],
                            unsigned *sharedMemory);

  static FakeDriver &get() {
    static FakeDriver driver = [] {
      void *library = dlopen(GAON_FAKE_CUDA_DRIVER, RTLD_NOW | RTLD_LOCAL);
      EXPECT_TRUE(library) << dlerror();
      FakeDriver d;
      d.reset = reinterpret_cast<decltype(d.reset)>(
          dlsym(library, "gaonFakeCudaReset"));
      d.launchCount = reinterpret_cast<decltype(d.launchCount)>(
          dlsym(library, "gaonFakeCudaLaunchCount"));
      d.liveAllocations = reinterpret_cast<decltype(d.liveAllocations)>(
          dlsym(library, "gaonFakeCudaLiveAllocations"));
      d.contextReferences = reinterpret_cast<decltype(d.contextReferences)>(
          dlsym(library, "gaonFakeCudaContextReferences"));
      d.lastLaunch = reinterpret_cast<decltype(d.lastLaunch)>(
          dlsym(library, "gaonFakeCudaLastLaunch"));
      return d;
    }();
    return driver;
  }
};

std::unique_ptr<Device> openFake(int deviceCount = 1) {
  FakeDriver::get().reset(deviceCount);
  Expected<std::unique_ptr<Device>> device =
      Device::open(0, GAON_FAKE_CUDA_DRIVER);
  EXPECT_TRUE(bool(device)) << toString(device.takeError());
  return device ? std::move(*device) : nullptr;
}

std::string openError(unsigned ordinal, StringRef library) {
  Expected<std::unique_ptr<Device>> device = Device::open(ordinal, library);
  if (device)
    return "";
  return toString(device.takeError());
}

std::vector<uint8_t> toBytes(ArrayRef<float> values) {
  std::vector<uint8_t> bytes(values.size() * sizeof(float));
  std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

template <typename T> std::vector<T> fromBytes(ArrayRef<uint8_t> bytes) {
  std::vector<T> values(bytes.size() / sizeof(T));
  std::memcpy(values.data(), bytes.data(), bytes.size());
  return values;
}

std::vector<uint8_t> fakeCubin(StringRef kernels) {
  std::string text = ("GAON-FAKE-CUBIN " + kernels).str();
  std::vector<uint8_t> image(text.begin(), text.end());
  image.push_back(0);
  return image;
}

/// out[0..8) = 0.5 * w; out[8..16) = x; flags = 1 << 40; scratch = x, the
/// last with 64 KiB of dynamic shared memory (above the default limit).
LaunchPlan makePlan() {
  LaunchPlan plan;
  plan.name = "fake";
  PlanBuffer x{"x", BufferRole::Input, 0, ElementType::F32, {8}, 32};
  PlanBuffer out{"out", BufferRole::Output, 0, ElementType::F32, {16}, 64};
  PlanBuffer w{"w", BufferRole::Weight, 0, ElementType::F32, {8}, 32};
  w.data = toBytes({1, 2, 3, 4, 5, 6, 7, 8});
  PlanBuffer flags{"flags", BufferRole::Output, 1, ElementType::I64, {4}, 32};
  PlanBuffer scratch{"scratch", BufferRole::Temporary, 0, ElementType::F32, {8},
                     32};
  plan.buffers = {x, out, w, flags, scratch};
  plan.modules = {{"fake_module", "sm_90",
                   fakeCubin("accumulate_f32 axpy_f32 fill_i64"), ""}};
  auto launch = [&](StringRef kernel, std::vector<KernelArgument> args,
                    uint32_t sharedMemory = 0) {
    PlanLaunch l;
    l.kernel = kernel.str();
    l.grid = {2, 1, 1};
    l.block = {4, 1, 1};
    l.dynamicSharedMemoryBytes = sharedMemory;
    l.arguments = std::move(args);
    l.opName = "test." + kernel.str();
    plan.launches.push_back(l);
  };
  launch("accumulate_f32",
         {KernelArgument::binding(1, 32), KernelArgument::binding(0),
          KernelArgument::i32(8)});
  launch("axpy_f32", {KernelArgument::binding(2), KernelArgument::binding(1),
                      KernelArgument::f32(0.5f), KernelArgument::i32(8)});
  launch("fill_i64",
         {KernelArgument::binding(3), KernelArgument::i64(int64_t(1) << 40),
          KernelArgument::i32(4)});
  launch("accumulate_f32",
         {KernelArgument::binding(4), KernelArgument::binding(0),
          KernelArgument::i32(8)},
         64 * 1024);
  return plan;
}

TEST(DeviceTest, MissingDriverSaysNoDriverFound) {
  EXPECT_EQ(openError(0, "/nonexistent/libcuda.so.1"),
            "no CUDA driver found (/nonexistent/libcuda.so.1: cannot open "
            "shared object file: No such file or directory)");
}

TEST(DeviceTest, LibraryWithoutTheDriverAPIIsRejected) {
  EXPECT_EQ(openError(0, "libm.so.6"),
            "the CUDA driver libm.so.6 lacks cuGetErrorName (a driver older "
            "than CUDA 12? update the NVIDIA driver)");
}

TEST(DeviceTest, ToolkitStubIsNotADriver) {
  if (!sys::fs::exists(GAON_CUDA_STUB_DRIVER))
    GTEST_SKIP() << "no stub driver at " << GAON_CUDA_STUB_DRIVER;
  std::string error = openError(0, GAON_CUDA_STUB_DRIVER);
  // The stub cannot name its own errors: CUDA_ERROR_STUB_LIBRARY is 34.
  EXPECT_EQ(error, "no CUDA driver found (" GAON_CUDA_STUB_DRIVER
                   " is the CUDA toolkit's stub library, not a driver: "
                   "cuInit: CUDA error 34)");
}

/// The path this machine takes: libcuda.so.1 from the loader's search path.
TEST(DeviceTest, SystemDriverOpensOrExplains) {
  Expected<std::unique_ptr<Device>> device = Device::open();
  if (!device) {
    std::string error = toString(device.takeError());
    EXPECT_TRUE(StringRef(error).starts_with("no CUDA driver found") ||
                StringRef(error).starts_with("CUDA driver found"))
        << error;
    GTEST_SKIP() << "no GPU here: " << error;
  }
  const DeviceInfo &info = (*device)->getInfo();
  EXPECT_FALSE(info.name.empty());
  EXPECT_GE(info.computeCapabilityMajor, 5);
  EXPECT_GT(info.multiprocessorCount, 0);
  EXPECT_GT(info.totalMemoryBytes, 0u);
  EXPECT_GT(info.getPeakMemoryBandwidth(), 1e11);
}

TEST(DeviceTest, DriverWithoutGPUSaysSo) {
  FakeDriver::get().reset(0);
  EXPECT_EQ(openError(0, GAON_FAKE_CUDA_DRIVER),
            "CUDA driver found (" GAON_FAKE_CUDA_DRIVER
            ") but no GPU: cuInit: CUDA_ERROR_NO_DEVICE (no CUDA-capable "
            "device is detected)");
  FakeDriver::get().reset(1);
  EXPECT_EQ(openError(3, GAON_FAKE_CUDA_DRIVER),
            "no CUDA GPU 3: the driver (" GAON_FAKE_CUDA_DRIVER ") sees 1");
}

TEST(DeviceTest, ReportsWhatTheDriverSays) {
  std::unique_ptr<Device> device = openFake();
  ASSERT_TRUE(device);
  const DeviceInfo &info = device->getInfo();
  EXPECT_EQ(info.name, "Gaon Fake GPU");
  EXPECT_EQ(info.getChip(), "sm_90");
  EXPECT_EQ(info.multiprocessorCount, 132);
  EXPECT_EQ(info.clockKHz, 1980000);
  EXPECT_EQ(info.driverVersion, 13000);
  EXPECT_EQ(info.sharedMemoryPerBlockOptin, 232448);
  // 2 transfers per clock x 2.619 GHz x 640 bytes.
  EXPECT_DOUBLE_EQ(info.getPeakMemoryBandwidth(), 2 * 2619e6 * 640);
  EXPECT_EQ(FakeDriver::get().contextReferences(), 1);
  device.reset();
  EXPECT_EQ(FakeDriver::get().contextReferences(), 0);
}

TEST(DeviceTest, RunsAPlanAndReadsOutputsBack) {
  std::unique_ptr<Device> device = openFake();
  ASSERT_TRUE(device);
  LaunchPlan plan = makePlan();
  Expected<std::unique_ptr<LoadedPlan>> loaded =
      LoadedPlan::load(*device, plan);
  ASSERT_TRUE(bool(loaded)) << toString(loaded.takeError());
  EXPECT_EQ(FakeDriver::get().liveAllocations(), 5u);
  EXPECT_EQ((*loaded)->getRegistersPerThread(), std::vector<int>(4, 40));

  ASSERT_FALSE((*loaded)->setInput(0, toBytes({1, 1, 2, 3, 5, 8, 13, 21})));
  // Twice: the output that launch 0 accumulates into is zeroed per run.
  for (int run = 0; run < 2; ++run) {
    ASSERT_FALSE((*loaded)->run(/*synchronizeEachLaunch=*/run == 1));
    Expected<std::vector<uint8_t>> out = (*loaded)->getOutput(0);
    ASSERT_TRUE(bool(out)) << toString(out.takeError());
    EXPECT_EQ(fromBytes<float>(*out),
              (std::vector<float>{0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 1, 1, 2, 3, 5,
                                  8, 13, 21}));
    Expected<std::vector<uint8_t>> flags = (*loaded)->getOutput(1);
    ASSERT_TRUE(bool(flags)) << toString(flags.takeError());
    EXPECT_EQ(fromBytes<int64_t>(*flags),
              std::vector<int64_t>(4, int64_t(1) << 40));
  }
  EXPECT_EQ(FakeDriver::get().launchCount(), 8u);
  unsigned grid[3], block[3], sharedMemory = 0;
  EXPECT_STREQ(FakeDriver::get().lastLaunch(grid, block, &sharedMemory),
               "accumulate_f32");
  EXPECT_EQ(grid[0], 2u);
  EXPECT_EQ(block[0], 4u);
  EXPECT_EQ(sharedMemory, 64u * 1024);

  loaded->reset();
  EXPECT_EQ(FakeDriver::get().liveAllocations(), 0u);
}

TEST(DeviceTest, EncodesTensorMapsForTMAKernels) {
  std::unique_ptr<Device> device = openFake();
  ASSERT_TRUE(device);
  LaunchPlan plan;
  plan.name = "tma";
  plan.buffers = {{"x", BufferRole::Input, 0, ElementType::F32, {4, 8}, 128},
                  {"y", BufferRole::Output, 0, ElementType::F32, {4}, 16}};
  plan.modules = {{"m", "sm_90a", fakeCubin("tma_copy_f32"), ""}};
  // The second row of x, as a [8 x 3] tensor map starting 32 bytes in.
  TensorMapArgument map;
  map.elementType = ElementType::F32;
  map.globalDims = {4, 3};
  map.globalStrides = {32};
  map.boxDims = {4, 2};
  PlanLaunch launch;
  launch.kernel = "tma_copy_f32";
  launch.grid = {1, 1, 1};
  launch.block = {4, 1, 1};
  launch.arguments = {KernelArgument::tensorMap(0, 32, map),
                      KernelArgument::binding(1)};
  plan.launches = {launch};
  Expected<std::unique_ptr<LoadedPlan>> loaded =
      LoadedPlan::load(*device, plan);
  ASSERT_TRUE(bool(loaded)) << toString(loaded.takeError());
  // Two buffers and the encoded tensor map.
  EXPECT_EQ(FakeDriver::get().liveAllocations(), 3u);
  ASSERT_FALSE((*loaded)->setInput(
      0, toBytes({0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10,
                  11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21,
                  22, 23, 24, 25, 26, 27, 28, 29, 30, 31})));
  ASSERT_FALSE((*loaded)->run());
  Expected<std::vector<uint8_t>> out = (*loaded)->getOutput(0);
  ASSERT_TRUE(bool(out)) << toString(out.takeError());
  EXPECT_EQ(fromBytes<float>(*out), (std::vector<float>{8, 9, 10, 11}));
  loaded->reset();
  EXPECT_EQ(FakeDriver::get().liveAllocations(), 0u);
}

TEST(DeviceTest, TimesEachLaunchWithEvents) {
  std::unique_ptr<Device> device = openFake();
  ASSERT_TRUE(device);
  LaunchPlan plan = makePlan();
  Expected<std::unique_ptr<LoadedPlan>> loaded =
      LoadedPlan::load(*device, plan);
  ASSERT_TRUE(bool(loaded)) << toString(loaded.takeError());
  Expected<PlanTiming> timing = (*loaded)->time(/*warmupRuns=*/2,
                                                /*timedRuns=*/3);
  ASSERT_TRUE(bool(timing)) << toString(timing.takeError());
  // The fake's clock advances 1 ms per launch.
  EXPECT_EQ(timing->iterations, 3u);
  EXPECT_EQ(timing->launchMilliseconds, std::vector<double>(4, 1.0));
  EXPECT_DOUBLE_EQ(timing->totalMilliseconds, 4.0);
  EXPECT_EQ(FakeDriver::get().launchCount(), 5u * 4);
}

TEST(DeviceTest, InputsMustMatchTheirShape) {
  std::unique_ptr<Device> device = openFake();
  ASSERT_TRUE(device);
  LaunchPlan plan = makePlan();
  Expected<std::unique_ptr<LoadedPlan>> loaded =
      LoadedPlan::load(*device, plan);
  ASSERT_TRUE(bool(loaded)) << toString(loaded.takeError());
  EXPECT_EQ(toString((*loaded)->setInput(0, toBytes({1}))),
            "input 0 ('x') takes 32 bytes, got 4");
  EXPECT_EQ(toString((*loaded)->setInput(1, toBytes({1}))),
            "launch plan 'fake' has 1 inputs, not 2");
  EXPECT_EQ(toString((*loaded)->getOutput(2).takeError()),
            "launch plan 'fake' has 2 outputs, not 3");
}

TEST(DeviceTest, LoadErrorsNameTheLaunchAndReleaseEverything) {
  std::unique_ptr<Device> device = openFake();
  ASSERT_TRUE(device);
  auto loadError = [&](const LaunchPlan &plan) {
    Expected<std::unique_ptr<LoadedPlan>> loaded =
        LoadedPlan::load(*device, plan);
    EXPECT_FALSE(bool(loaded));
    EXPECT_EQ(FakeDriver::get().liveAllocations(), 0u);
    return loaded ? std::string() : toString(loaded.takeError());
  };

  LaunchPlan plan = makePlan();
  plan.launches[2].kernel = "missing_kernel";
  EXPECT_EQ(loadError(plan),
            "loading launch plan 'fake' onto Gaon Fake GPU: launches[2] "
            "(test.fill_i64) in module 'fake_module': "
            "cuModuleGetFunction('missing_kernel'): CUDA_ERROR_NOT_FOUND "
            "(named symbol not found)");

  plan = makePlan();
  plan.modules[0].cubin = {0x7f, 'E', 'L', 'F', 0};
  EXPECT_EQ(loadError(plan),
            "loading launch plan 'fake' onto Gaon Fake GPU: module "
            "'fake_module': cuModuleLoadData: CUDA_ERROR_INVALID_IMAGE "
            "(device kernel image is invalid); the GPU is sm_90 (Gaon Fake "
            "GPU), compile for that chip");

  plan = makePlan();
  plan.launches[3].dynamicSharedMemoryBytes = 300 * 1024;
  EXPECT_EQ(loadError(plan),
            "loading launch plan 'fake' onto Gaon Fake GPU: launches[3] "
            "(test.accumulate_f32): cuFuncSetAttribute(max dynamic shared "
            "memory = 307200 bytes; the GPU allows 232448 per block): "
            "CUDA_ERROR_INVALID_VALUE (invalid argument)");

  plan = makePlan();
  plan.launches[0].arguments[0].buffer = 17;
  EXPECT_EQ(loadError(plan),
            "launch plan 'fake': launches[0] (test.accumulate_f32): argument "
            "0 binds buffer 17, but the plan has 5 buffers");
}

} // namespace
