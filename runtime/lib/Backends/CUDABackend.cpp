//===- CUDABackend.cpp - NVIDIA GPUs, run or modeled ----------------------===//
//
// cuda:<gpu>. Where the CUDA driver opens and GPU 0 is that kind of GPU,
// the model is compiled with gaon-cuda-pipeline (compileForCuda), its launch
// plan loaded and run on the GPU, the outputs read back and every launch
// timed with CUDA events (measured). Elsewhere every graph-level op is
// modeled as one kernel by the GPU performance model (gaon/Sim/GPU/
// GPUModel.h) on the named preset — a contraction as its GEMM, a 2-D
// convolution as its implicit GEMM, everything else as a streaming kernel —
// and every figure is labelled modeled, with the reason.
//
//===----------------------------------------------------------------------===//

#include "BackendUtils.h"

#include "gaon/Runtime/Backends.h"
#include "gaon/Runtime/CUDA/ModeledPlan.h"
#include "gaon/Runtime/Model.h"
#include "gaon/Runtime/Reference/Executor.h"
#include "gaon/Sim/GPU/GPUModel.h"

#ifdef GAON_HAVE_CUDA_RUNTIME
#include "gaon/GPU/CudaCompiler.h"
#include "gaon/Runtime/CUDA/Device.h"
#include "gaon/Runtime/CUDA/PlanExecutor.h"
#endif

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/IR/BuiltinOps.h"

#include <cstring>

using namespace gaon::runtime;
namespace gpumodel = gaon::sim::gpu;

namespace {

/// The model's precision for arithmetic on `type`: f32 stays on the CUDA
/// cores (no TF32 unless the model asks for it).
std::optional<gpumodel::Precision> getPrecision(mlir::Type type) {
  if (type.isF32() || type.isF64())
    return gpumodel::Precision::FP32;
  if (type.isF16())
    return gpumodel::Precision::FP16;
  if (type.isBF16())
    return gpumodel::Precision::BF16;
  if (llvm::isa<mlir::Float8E4M3FNType, mlir::Float8E5M2Type>(type))
    return gpumodel::Precision::FP8;
  if (type.isInteger(8))
    return gpumodel::Precision::INT8;
  return std::nullopt;
}

/// Product of the static loop ranges of `dims`.
int64_t getSize(llvm::ArrayRef<int64_t> ranges, llvm::ArrayRef<unsigned> dims) {
  int64_t size = 1;
  for (unsigned dim : dims)
    size *= ranges[dim];
  return size;
}

/// A contraction as the GEMM it computes.
std::optional<gpumodel::GemmShape> getGemm(mlir::linalg::LinalgOp op) {
  if (!mlir::linalg::isaContractionOpInterface(op))
    return std::nullopt;
  mlir::FailureOr<mlir::linalg::ContractionDimensions> dims =
      mlir::linalg::inferContractionDims(op);
  auto precision = getPrecision(
      mlir::getElementTypeOrSelf(op.getDpsInputOperand(0)->get().getType()));
  if (mlir::failed(dims) || !precision)
    return std::nullopt;
  llvm::SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  gpumodel::GemmShape shape;
  shape.batch = getSize(ranges, dims->batch);
  shape.m = getSize(ranges, dims->m);
  shape.n = getSize(ranges, dims->n);
  shape.k = getSize(ranges, dims->k);
  shape.precision = *precision;
  mlir::Type result = mlir::getElementTypeOrSelf(op->getResult(0).getType());
  shape.outputBytes = (result.getIntOrFloatBitWidth() + 7) / 8;
  return shape;
}

/// A regular (not depthwise) 2-D convolution as the model's ConvShape; the
/// input is taken as already padded (padding is a separate tensor.pad).
std::optional<gpumodel::ConvShape> getConv(mlir::linalg::LinalgOp op) {
  if (!mlir::linalg::isaConvolutionOpInterface(op) || op.getNumDpsInputs() != 2)
    return std::nullopt;
  mlir::FailureOr<mlir::linalg::ConvolutionDimensions> dims =
      mlir::linalg::inferConvolutionDims(op);
  auto precision = getPrecision(
      mlir::getElementTypeOrSelf(op.getDpsInputOperand(0)->get().getType()));
  if (mlir::failed(dims) || !precision || !dims->depth.empty() ||
      dims->outputImage.size() != 2 || dims->filterLoop.size() != 2 ||
      dims->outputChannel.empty() || dims->inputChannel.empty())
    return std::nullopt;
  llvm::SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  gpumodel::ConvShape shape;
  shape.batch = getSize(ranges, dims->batch);
  shape.channels = getSize(ranges, dims->inputChannel);
  shape.filters = getSize(ranges, dims->outputChannel);
  shape.filterHeight = ranges[dims->filterLoop[0]];
  shape.filterWidth = ranges[dims->filterLoop[1]];
  shape.strideH = dims->strides[0];
  shape.strideW = dims->strides[1];
  int64_t outH = ranges[dims->outputImage[0]],
          outW = ranges[dims->outputImage[1]];
  shape.height = (outH - 1) * shape.strideH +
                 (shape.filterHeight - 1) * dims->dilations[0] + 1;
  shape.width = (outW - 1) * shape.strideW +
                (shape.filterWidth - 1) * dims->dilations[1] + 1;
  shape.precision = *precision;
  return shape;
}

/// The chip's datasheet roofline for the precision most FLOPs of `costs`
/// use.
Roofline getGPURoofline(const gpumodel::GPUChip &chip, const OpCosts &costs) {
  llvm::DenseMap<unsigned, double> flopsByPrecision;
  for (auto &[op, work] : costs)
    if (!op->getOperands().empty())
      if (auto precision = getPrecision(
              mlir::getElementTypeOrSelf(op->getOperand(0).getType())))
        flopsByPrecision[static_cast<unsigned>(*precision)] += work.flops;
  gpumodel::Precision dominant = gpumodel::Precision::FP32;
  double most = -1;
  for (auto [precision, flops] : flopsByPrecision)
    if (flops > most && chip.getPeakFlops(gpumodel::Precision(precision)) > 0) {
      most = flops;
      dominant = gpumodel::Precision(precision);
    }
  Roofline roofline;
  roofline.flopsPerSecond = chip.getPeakFlops(dominant);
  roofline.bytesPerSecond = chip.dramBytesPerSecond;
  roofline.precision = gpumodel::stringifyPrecision(dominant).lower();
  roofline.provenance = Provenance::Modeled;
  roofline.source =
      chip.name + " datasheet peaks (GPU model preset " + chip.key + ")";
  return roofline;
}

/// The modeled kernel of one op.
llvm::Expected<gpumodel::KernelEstimate>
estimateOp(mlir::Operation *op, const OpWork &work,
           const gpumodel::GPUModel &model) {
  if (auto linalgOp = llvm::dyn_cast<mlir::linalg::LinalgOp>(op)) {
    if (std::optional<gpumodel::GemmShape> gemm = getGemm(linalgOp))
      return model.estimateGemm(*gemm);
    if (std::optional<gpumodel::ConvShape> conv = getConv(linalgOp))
      return model.estimateConv(*conv);
  }
  gpumodel::StreamingKernel kernel;
  kernel.bytes = work.bytes;
  kernel.flops = work.flops;
  kernel.transcendentals = work.transcendentals;
  if (auto linalgOp = llvm::dyn_cast<mlir::linalg::LinalgOp>(op))
    if (linalgOp.getNumReductionLoops() > 0)
      kernel.parallelism = work.parallelism;
  return model.estimateStreaming(kernel);
}

class CUDAExecutable : public Executable {
public:
  using Executable::Executable;
  std::vector<OpRecord> ops;
  double seconds = 0;
  double flops = 0;
  Roofline roofline;
};

class CUDABackend : public HostMemoryBackend {
public:
  CUDABackend(BackendInfo info, const gpumodel::GPUChip &chip)
      : HostMemoryBackend(std::move(info)), chip(chip), model(chip) {}

  llvm::Expected<std::unique_ptr<Executable>>
  compile(mlir::ModuleOp module, llvm::StringRef entry) override {
    auto lowered = getLoweredEntry(module, entry);
    if (!lowered)
      return lowered.takeError();
    mlir::func::FuncOp function = lowered->entry.function;
    auto executable = std::make_unique<CUDAExecutable>(
        std::move(lowered->entry.inputs), std::move(lowered->entry.outputs));

    // The roofline is the chip's peak for the precision most FLOPs use.
    OpCosts costs = analyzeOpCosts(function);
    Roofline &roofline = executable->roofline;
    roofline = getGPURoofline(chip, costs);

    // One kernel per op, in program order.
    for (mlir::Operation &op : function.getBody().getOps()) {
      auto it = costs.find(&op);
      if (it == costs.end() || it->second.isView)
        continue;
      auto estimate = estimateOp(&op, it->second, model);
      if (!estimate)
        return llvm::createStringError(op.getName().getStringRef().str() +
                                       " at " + formatLocation(op.getLoc()) +
                                       ": the GPU model cannot model it: " +
                                       llvm::toString(estimate.takeError()));
      OpRecord record = makeOpRecord(&op, costs, estimate->seconds, roofline);
      record.energyJoules = estimate->seconds * chip.thermalDesignPowerWatts;
      executable->seconds += estimate->seconds;
      executable->flops += record.flops;
      executable->ops.push_back(std::move(record));
    }
    return std::move(executable);
  }

  llvm::Expected<Execution> execute(Executable &executable,
                                    llvm::ArrayRef<DeviceBuffer *> inputs,
                                    llvm::ArrayRef<DeviceBuffer *> outputs,
                                    const ExecuteOptions &options) override {
    auto &cuda = static_cast<CUDAExecutable &>(executable);
    // Modeled timing needs no data: empty buffer lists are fine.
    if (!inputs.empty() || !outputs.empty()) {
      if (llvm::Error error = checkBuffers(inputs, cuda.getInputs(), "input"))
        return std::move(error);
      if (llvm::Error error =
              checkBuffers(outputs, cuda.getOutputs(), "output"))
        return std::move(error);
    }
    Execution execution;
    execution.latencySeconds = {cuda.seconds, Provenance::Modeled};
    execution.opProvenance = Provenance::Modeled;
    execution.ops = cuda.ops;
    execution.roofline = cuda.roofline;
    if (cuda.seconds > 0 && cuda.flops > 0)
      execution.utilization =
          Figure{cuda.flops / cuda.seconds / cuda.roofline.flopsPerSecond,
                 Provenance::Modeled};
    execution.energyJoules = Figure{cuda.seconds * chip.thermalDesignPowerWatts,
                                    Provenance::Modeled};
    execution.notes.push_back(
        "modeled: one kernel per graph op (no fusion), tuned-library tiles; "
        "energy = board power (" +
        std::to_string(static_cast<int>(chip.thermalDesignPowerWatts)) +
        " W) x modeled time, an upper bound; no values computed");
    return execution;
  }

private:
  gpumodel::GPUChip chip;
  gpumodel::GPUModel model;
};

#ifdef GAON_HAVE_CUDA_RUNTIME
/// Compiles with gaon-cuda-pipeline and runs the launch plan on the GPU.
class CUDADeviceExecutable : public Executable {
public:
  using Executable::Executable;
  cuda::LaunchPlan plan;
  std::unique_ptr<cuda::LoadedPlan> loaded;
  Roofline roofline;
};

class CUDADeviceBackend : public HostMemoryBackend {
public:
  CUDADeviceBackend(BackendInfo info, std::unique_ptr<cuda::Device> device,
                    const gpumodel::GPUChip &chip)
      : HostMemoryBackend(std::move(info)), device(std::move(device)),
        chip(chip) {}

  llvm::Expected<std::unique_ptr<Executable>>
  compile(mlir::ModuleOp module, llvm::StringRef entry) override {
    mlir::OwningOpRef<mlir::ModuleOp> clone(module.clone());
    auto entryFunction = getEntryFunction(*clone, entry);
    if (!entryFunction)
      return entryFunction.takeError();
    mlir::func::FuncOp function = entryFunction->function;
    auto executable = std::make_unique<CUDADeviceExecutable>(
        std::move(entryFunction->inputs), std::move(entryFunction->outputs));
    executable->roofline = getGPURoofline(chip, analyzeOpCosts(function));
    gaon::gpu::CudaCompileOptions options;
    options.chip = chip.chip;
    options.entry = function.getName().str();
    auto plan = gaon::gpu::compileForCuda(*clone, options);
    if (!plan)
      return plan.takeError();
    executable->plan = std::move(*plan);
    auto loaded = cuda::LoadedPlan::load(*device, executable->plan);
    if (!loaded)
      return loaded.takeError();
    executable->loaded = std::move(*loaded);
    return std::move(executable);
  }

  llvm::Expected<Execution> execute(Executable &executable,
                                    llvm::ArrayRef<DeviceBuffer *> inputs,
                                    llvm::ArrayRef<DeviceBuffer *> outputs,
                                    const ExecuteOptions &options) override {
    auto &gpu = static_cast<CUDADeviceExecutable &>(executable);
    if (llvm::Error error = checkBuffers(inputs, gpu.getInputs(), "input"))
      return std::move(error);
    if (llvm::Error error = checkBuffers(outputs, gpu.getOutputs(), "output"))
      return std::move(error);
    for (auto [index, buffer] : llvm::enumerate(inputs)) {
      const HostTensor &tensor = getTensor(*buffer);
      if (llvm::Error error = gpu.loaded->setInput(
              index, {reinterpret_cast<const uint8_t *>(tensor.getData()),
                      size_t(tensor.getSizeInBytes())}))
        return std::move(error);
    }
    Execution execution;
    if (options.computeValues) {
      if (llvm::Error error = gpu.loaded->run())
        return std::move(error);
      for (auto [index, buffer] : llvm::enumerate(outputs)) {
        auto bytes = gpu.loaded->getOutput(index);
        if (!bytes)
          return bytes.takeError();
        HostTensor &tensor = getTensor(*buffer);
        if (int64_t(bytes->size()) != tensor.getSizeInBytes())
          return llvm::createStringError(
              "output " + std::to_string(index) + " of the launch plan has " +
              std::to_string(bytes->size()) + " bytes, the model's " +
              tensor.getTypeString() + " " +
              std::to_string(tensor.getSizeInBytes()));
        std::memcpy(tensor.getData(), bytes->data(), bytes->size());
      }
      execution.producedValues = true;
    }
    auto timing = gpu.loaded->time(kWarmupRuns, kTimedRuns);
    if (!timing)
      return timing.takeError();
    execution.latencySeconds = {timing->totalMilliseconds * 1e-3,
                                Provenance::Measured};
    execution.opProvenance = Provenance::Measured;
    execution.roofline = gpu.roofline;
    double flops = 0;
    for (auto [launch, milliseconds] :
         llvm::zip(gpu.plan.launches, timing->launchMilliseconds)) {
      OpRecord record;
      record.name = launch.opName.empty() ? launch.kernel : launch.opName;
      record.location = normalizeLocation(launch.location);
      record.seconds = milliseconds * 1e-3;
      record.flops = double(launch.flops);
      record.bytes = double(launch.bytes);
      flops += record.flops;
      if (gpu.roofline.isKnown()) {
        record.rooflineSeconds =
            gpu.roofline.getBoundSeconds(record.flops, record.bytes);
        record.bound = gpu.roofline.getBound(record.flops, record.bytes);
      }
      execution.ops.push_back(std::move(record));
    }
    if (execution.latencySeconds.value > 0 && gpu.roofline.isKnown())
      execution.utilization = Figure{flops / execution.latencySeconds.value /
                                         gpu.roofline.flopsPerSecond,
                                     Provenance::Measured};
    execution.notes.push_back(
        "CUDA events, mean of " + std::to_string(kTimedRuns) + " runs after " +
        std::to_string(kWarmupRuns) + " warm-up runs; " +
        std::to_string(gpu.plan.launches.size()) + " kernel launches");
    return execution;
  }

private:
  static constexpr unsigned kWarmupRuns = 3, kTimedRuns = 20;
  std::unique_ptr<cuda::Device> device;
  gpumodel::GPUChip chip;
};
#endif

} // namespace

llvm::Expected<std::unique_ptr<Backend>>
gaon::runtime::createCUDABackend(llvm::StringRef gpuName,
                                 const BackendOptions &options) {
  auto chip = gpumodel::lookupGPUChip(gpuName);
  if (!chip)
    return llvm::createStringError("cuda:" + gpuName.str() + ": " +
                                   llvm::toString(chip.takeError()));
  BackendInfo info;
  info.name = "cuda:" + gpuName.lower();
  std::string reason;
  if (options.modelCuda) {
    reason = "--model-cuda: reporting modeled " +
             llvm::StringRef(chip->key).upper() + " figures";
  } else {
#ifdef GAON_HAVE_CUDA_RUNTIME
    auto device = cuda::Device::open();
    if (!device) {
      reason = cuda::describeModeledFallback(device.takeError(), *chip);
    } else {
      const cuda::DeviceInfo &deviceInfo = (*device)->getInfo();
      const gpumodel::GPUChip *present =
          gpumodel::findGPUChipForDevice(deviceInfo.name);
      if (present && present->key == chip->key) {
        info.device = deviceInfo.name + " (CUDA, " + deviceInfo.getChip() + ")";
        info.timing = Provenance::Measured;
        info.computesValues = true;
        info.notes.push_back("running on GPU 0: " + deviceInfo.name +
                             ", driver " +
                             std::to_string(deviceInfo.driverVersion));
        return std::make_unique<CUDADeviceBackend>(std::move(info),
                                                   std::move(*device), *chip);
      }
      reason = cuda::describeModeledFallback(
          llvm::createStringError("the GPU present is " + deviceInfo.name +
                                  ", not an " +
                                  llvm::StringRef(chip->key).upper()),
          *chip);
    }
#else
    reason = cuda::describeModeledFallback(
        llvm::createStringError(
            "built without the CUDA toolkit, so without the CUDA driver "
            "backend"),
        *chip);
#endif
  }
  info.device = chip->name + " (GPU performance model)";
  info.timing = Provenance::Modeled;
  info.timesWithoutData = true;
  info.notes.push_back(reason);
  return std::make_unique<CUDABackend>(std::move(info), *chip);
}
