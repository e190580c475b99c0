//===- CUDABackend.cpp - NVIDIA GPUs, run or modeled ----------------------===//
//
// cuda:<gpu>. Where the CUDA driver opens and a compiled launch plan exists
// the plan runs on the GPU (measured); until the CUDA compiler is built in,
// and wherever there is no driver or GPU, every graph-level op is modeled
// as one kernel by the GPU performance model (gaon/Sim/GPU/GPUModel.h) on
// the named preset — a contraction as its GEMM, a 2-D convolution as its
// implicit GEMM, everything else as a streaming kernel — and every figure
// is labelled modeled, with the reason.
//
//===----------------------------------------------------------------------===//

#include "BackendUtils.h"

#include "gaon/Runtime/Backends.h"
#include "gaon/Runtime/CUDA/ModeledPlan.h"
#include "gaon/Runtime/Model.h"
#include "gaon/Runtime/Reference/Executor.h"
#include "gaon/Sim/GPU/GPUModel.h"

#ifdef GAON_HAVE_CUDA_RUNTIME
#include "gaon/Runtime/CUDA/Device.h"
#endif

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/IR/BuiltinOps.h"

using namespace gaon::runtime;
namespace gpu = gaon::sim::gpu;

namespace {

/// The model's precision for arithmetic on `type`: f32 stays on the CUDA
/// cores (no TF32 unless the model asks for it).
std::optional<gpu::Precision> getPrecision(mlir::Type type) {
  if (type.isF32() || type.isF64())
    return gpu::Precision::FP32;
  if (type.isF16())
    return gpu::Precision::FP16;
  if (type.isBF16())
    return gpu::Precision::BF16;
  if (llvm::isa<mlir::Float8E4M3FNType, mlir::Float8E5M2Type>(type))
    return gpu::Precision::FP8;
  if (type.isInteger(8))
    return gpu::Precision::INT8;
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
std::optional<gpu::GemmShape> getGemm(mlir::linalg::LinalgOp op) {
  if (!mlir::linalg::isaContractionOpInterface(op))
    return std::nullopt;
  mlir::FailureOr<mlir::linalg::ContractionDimensions> dims =
      mlir::linalg::inferContractionDims(op);
  auto precision = getPrecision(
      mlir::getElementTypeOrSelf(op.getDpsInputOperand(0)->get().getType()));
  if (mlir::failed(dims) || !precision)
    return std::nullopt;
  llvm::SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  gpu::GemmShape shape;
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
std::optional<gpu::ConvShape> getConv(mlir::linalg::LinalgOp op) {
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
  gpu::ConvShape shape;
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

/// The modeled kernel of one op.
llvm::Expected<gpu::KernelEstimate> estimateOp(mlir::Operation *op,
                                               const OpWork &work,
                                               const gpu::GPUModel &model) {
  if (auto linalgOp = llvm::dyn_cast<mlir::linalg::LinalgOp>(op)) {
    if (std::optional<gpu::GemmShape> gemm = getGemm(linalgOp))
      return model.estimateGemm(*gemm);
    if (std::optional<gpu::ConvShape> conv = getConv(linalgOp))
      return model.estimateConv(*conv);
  }
  gpu::StreamingKernel kernel;
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
  CUDABackend(BackendInfo info, const gpu::GPUChip &chip)
      : HostMemoryBackend(std::move(info)), chip(chip), model(chip) {}

  llvm::Expected<std::unique_ptr<Executable>>
  compile(mlir::ModuleOp module, llvm::StringRef entry) override {
    mlir::OwningOpRef<mlir::ModuleOp> clone(module.clone());
    if (llvm::Error error = runWithDiagnostics(
            *clone, [&] { return reference::lowerTosaToLinalg(*clone); }))
      return std::move(error);
    auto function = findEntry(*clone, entry);
    if (!function)
      return function.takeError();
    auto inputs = getTensorSpecs(function->getArgumentTypes(), "argument");
    if (!inputs)
      return inputs.takeError();
    auto outputs = getTensorSpecs(function->getResultTypes(), "result");
    if (!outputs)
      return outputs.takeError();
    auto executable = std::make_unique<CUDAExecutable>(std::move(*inputs),
                                                       std::move(*outputs));

    // The roofline is the chip's peak for the precision most FLOPs use.
    OpCosts costs = analyzeOpCosts(*function);
    llvm::DenseMap<unsigned, double> flopsByPrecision;
    for (auto &[op, work] : costs)
      if (!op->getOperands().empty())
        if (auto precision = getPrecision(
                mlir::getElementTypeOrSelf(op->getOperand(0).getType())))
          flopsByPrecision[static_cast<unsigned>(*precision)] += work.flops;
    gpu::Precision dominant = gpu::Precision::FP32;
    double most = -1;
    for (auto [precision, flops] : flopsByPrecision)
      if (flops > most && chip.getPeakFlops(gpu::Precision(precision)) > 0) {
        most = flops;
        dominant = gpu::Precision(precision);
      }
    Roofline &roofline = executable->roofline;
    roofline.flopsPerSecond = chip.getPeakFlops(dominant);
    roofline.bytesPerSecond = chip.dramBytesPerSecond;
    roofline.precision = gpu::stringifyPrecision(dominant).lower();
    roofline.provenance = Provenance::Modeled;
    roofline.source =
        chip.name + " datasheet peaks (GPU model preset " + chip.key + ")";

    // One kernel per op, in program order.
    for (mlir::Operation &op : function->getBody().getOps()) {
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
  gpu::GPUChip chip;
  gpu::GPUModel model;
};

/// Why the backend models instead of running, as the user should read it.
std::string getModeledReason(const gpu::GPUChip &chip) {
#ifdef GAON_HAVE_CUDA_RUNTIME
  auto device = cuda::Device::open();
  if (!device)
    return cuda::describeModeledFallback(device.takeError(), chip);
  return cuda::describeModeledFallback(
      llvm::createStringError("a CUDA GPU is present (" +
                              (*device)->getInfo().name +
                              ") but this build cannot compile models for "
                              "CUDA yet (no gaon-cuda-pipeline)"),
      chip);
#else
  return cuda::describeModeledFallback(
      llvm::createStringError(
          "built without the CUDA toolkit, so no CUDA driver support"),
      chip);
#endif
}

} // namespace

llvm::Expected<std::unique_ptr<Backend>>
gaon::runtime::createCUDABackend(llvm::StringRef gpuName,
                                 const BackendOptions &options) {
  auto chip = gpu::lookupGPUChip(gpuName);
  if (!chip)
    return llvm::createStringError("cuda:" + gpuName.str() + ": " +
                                   llvm::toString(chip.takeError()));
  BackendInfo info;
  info.name = "cuda:" + gpuName.lower();
  info.device = chip->name + " (GPU performance model)";
  info.timing = Provenance::Modeled;
  info.computesValues = false;
  info.exposesLayers = false;
  info.timesWithoutData = true;
  info.notes.push_back(options.modelCuda
                           ? "--model-cuda: reporting modeled " +
                                 llvm::StringRef(chip->key).upper() + " figures"
                           : getModeledReason(*chip));
  return std::make_unique<CUDABackend>(std::move(info), *chip);
}
