//===- NPUBackend.cpp - NPU chips through the compiler and simulator ------===//
//
// npu:<preset|file.yaml>. compile() runs the NPU pipeline for the chip
// (gaon::compileForNPU) and keeps the program; execute() runs it in the
// simulator, in functional mode when values are asked for (inputs and
// constants loaded into DRAM, outputs read back) and in timing mode
// otherwise. Times, cycles and utilisation are simulated; energy is
// modeled from the chip's per-event costs. Each op's FLOPs and bytes come
// from the pipeline's own cost annotation (gaon-annotate-costs) of the op
// its commands were lowered from.
//
//===----------------------------------------------------------------------===//

#include "BackendUtils.h"

#include "gaon/Dialect/NPU/IR/NPUDialect.h"
#include "gaon/Pipelines/NPUPipeline.h"
#include "gaon/Runtime/Backends.h"
#include "gaon/Runtime/Model.h"
#include "gaon/Sim/ChipConfig.h"
#include "gaon/Sim/Simulator.h"
#include "gaon/Target/NPU/Target.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

using namespace gaon::runtime;
namespace sim = gaon::sim;

namespace {

/// The key under which the serialiser names the source op of a command
/// (Serialize.cpp getDebugOp): a NameLoc's name, else the op's name, and
/// the location's file position.
std::string getSourceKey(mlir::Operation *op) {
  mlir::Location loc = op->getLoc();
  std::string name = op->getName().getStringRef().str();
  if (auto nameLoc = llvm::dyn_cast<mlir::NameLoc>(loc)) {
    name = nameLoc.getName().str();
    loc = nameLoc.getChildLoc();
  }
  return name + "@" + formatLocation(loc);
}

/// The simulator's precision for a contraction on `type`.
std::optional<sim::Precision> getPrecision(mlir::Type type) {
  if (type.isF32())
    return sim::Precision::Fp32;
  if (type.isF16())
    return sim::Precision::Fp16;
  if (type.isBF16())
    return sim::Precision::Bf16;
  if (llvm::isa<mlir::Float8E4M3FNType, mlir::Float8E5M2Type>(type))
    return sim::Precision::Fp8;
  if (type.isInteger(8))
    return sim::Precision::Int8;
  return std::nullopt;
}

/// Writes the values of `constant` into `bytes` as elements of `dtype`.
llvm::Error loadConstant(mlir::ElementsAttr constant, DType dtype,
                         llvm::MutableArrayRef<uint8_t> bytes) {
  int64_t width = gaon::kernels::getByteWidth(dtype);
  if (constant.getNumElements() * width != int64_t(bytes.size()))
    return llvm::createStringError("a constant of " +
                                   std::to_string(constant.getNumElements()) +
                                   " elements does not fill its buffer of " +
                                   std::to_string(bytes.size()) + " bytes");
  auto *data = reinterpret_cast<std::byte *>(bytes.data());
  mlir::Type elementType = constant.getElementType();
  int64_t index = 0;
  if (llvm::isa<mlir::FloatType>(elementType)) {
    auto values = constant.tryGetValues<llvm::APFloat>();
    if (!values)
      return llvm::createStringError("cannot read a float constant");
    for (const llvm::APFloat &value : *values)
      gaon::kernels::storeElement(data + width * index++, dtype,
                                  value.convertToDouble());
    return llvm::Error::success();
  }
  auto values = constant.tryGetValues<llvm::APInt>();
  if (!values)
    return llvm::createStringError("cannot read an integer constant");
  for (const llvm::APInt &value : *values)
    gaon::kernels::storeInt64(data + width * index++, dtype,
                              value.getSExtValue());
  return llvm::Error::success();
}

/// FLOPs and bytes of a source op, from its npu.cost.
struct SourceWork {
  double flops = 0;
  double bytes = 0;
};

class NPUExecutable : public Executable {
public:
  using Executable::Executable;
  gaon::npu::CompiledProgram compiled;
  /// Per debug op of the program: the work of its source op(s), if known.
  std::vector<std::optional<SourceWork>> work;
  Roofline roofline;
};

class NPUBackend : public HostMemoryBackend {
public:
  NPUBackend(BackendInfo info, sim::ChipConfig chip,
             std::function<llvm::Error(sim::Program &)> editProgram)
      : HostMemoryBackend(std::move(info)), chip(std::move(chip)),
        editProgram(std::move(editProgram)) {}

  llvm::Expected<std::unique_ptr<Executable>>
  compile(mlir::ModuleOp module, llvm::StringRef entry) override {
    auto entryFunction = getEntryFunction(module, entry);
    if (!entryFunction)
      return entryFunction.takeError();
    mlir::func::FuncOp function = entryFunction->function;
    auto executable = std::make_unique<NPUExecutable>(
        std::move(entryFunction->inputs), std::move(entryFunction->outputs));

    // The pipeline's cost annotation, per source op.
    llvm::StringMap<SourceWork> costs;
    llvm::DenseMap<unsigned, double> flopsByPrecision;
    mlir::OwningOpRef<mlir::ModuleOp> annotated(module.clone());
    if (llvm::Error error = runWithDiagnostics(
            *annotated, [&] { return annotateCosts(*annotated); }))
      return std::move(error);
    annotated->walk([&](mlir::Operation *op) {
      auto cost = op->getAttrOfType<mlir::DictionaryAttr>(
          gaon::npu::NPUDialect::kCostAttrName);
      if (!cost)
        return;
      SourceWork &work = costs[getSourceKey(op)];
      double flops = getNumber(cost, "flops");
      work.flops += flops;
      work.bytes += getNumber(cost, "bytes");
      if (op->getNumOperands() > 0)
        if (auto precision = getPrecision(
                mlir::getElementTypeOrSelf(op->getOperand(0).getType())))
          if (auto linalgOp = llvm::dyn_cast<mlir::linalg::LinalgOp>(op))
            if (mlir::linalg::isaContractionOpInterface(linalgOp) ||
                mlir::linalg::isaConvolutionOpInterface(linalgOp))
              flopsByPrecision[unsigned(*precision)] += flops;
    });
    executable->roofline = getRoofline(flopsByPrecision);

    // The program itself.
    mlir::OwningOpRef<mlir::ModuleOp> clone(module.clone());
    for (auto other :
         llvm::make_early_inc_range(clone->getOps<mlir::func::FuncOp>()))
      if (other.getName() != function.getName() && other.isPublic())
        other.erase();
    mlir::FailureOr<gaon::npu::CompiledProgram> compiled;
    if (llvm::Error error = runWithDiagnostics(*clone, [&] {
          compiled = gaon::compileForNPU(*clone, chip);
          return mlir::success(mlir::succeeded(compiled));
        }))
      return std::move(error);
    executable->compiled = std::move(*compiled);
    sim::Program &program = executable->compiled.program;
    if (editProgram)
      if (llvm::Error error = editProgram(program))
        return std::move(error);
    if (executable->compiled.inputs.size() != executable->getInputs().size() ||
        executable->compiled.outputs.size() != executable->getOutputs().size())
      return llvm::createStringError(
          "the compiled program has " +
          std::to_string(executable->compiled.inputs.size()) + " inputs and " +
          std::to_string(executable->compiled.outputs.size()) +
          " outputs, the model " +
          std::to_string(executable->getInputs().size()) + " and " +
          std::to_string(executable->getOutputs().size()));
    for (const sim::DebugOp &op : program.ops) {
      auto it = costs.find(op.name + "@" + normalizeLocation(op.location));
      executable->work.push_back(it == costs.end()
                                     ? std::nullopt
                                     : std::optional<SourceWork>(it->second));
    }
    return std::move(executable);
  }

  llvm::Expected<Execution> execute(Executable &executable,
                                    llvm::ArrayRef<DeviceBuffer *> inputs,
                                    llvm::ArrayRef<DeviceBuffer *> outputs,
                                    const ExecuteOptions &options) override {
    auto &npu = static_cast<NPUExecutable &>(executable);
    const gaon::npu::CompiledProgram &compiled = npu.compiled;
    const sim::Program &program = compiled.program;
    bool functional = options.computeValues;
    if (functional || !inputs.empty() || !outputs.empty()) {
      if (llvm::Error error = checkBuffers(inputs, npu.getInputs(), "input"))
        return std::move(error);
      if (llvm::Error error = checkBuffers(outputs, npu.getOutputs(), "output"))
        return std::move(error);
    }

    sim::SimOptions simOptions;
    simOptions.functional = functional;
    if (options.onProgress) {
      simOptions.progressInterval = 1u << 16;
      simOptions.progress = [&](uint64_t done, uint64_t total, uint64_t) {
        options.onProgress(total ? double(done) / double(total) : 1.0);
      };
    }
    sim::Simulator simulator(program, chip, simOptions);
    if (functional) {
      for (auto [id, buffer] : llvm::zip(compiled.inputs, inputs))
        if (llvm::Error error =
                copyIn(getTensor(*buffer), simulator.getBufferData(id)))
          return std::move(error);
      for (const auto &[id, constant] : compiled.constants)
        if (llvm::Error error =
                loadConstant(constant, program.buffers[id].dtype,
                             simulator.getBufferData(id)))
          return std::move(error);
    }
    auto report = simulator.run();
    if (!report)
      return report.takeError();

    Execution execution;
    execution.latencySeconds = {report->seconds, Provenance::Simulated};
    execution.utilization =
        Figure{report->tensorUtilization, Provenance::Simulated};
    execution.energyJoules =
        Figure{report->energy.getTotalPj() * 1e-12, Provenance::Modeled};
    execution.opProvenance = Provenance::Simulated;
    execution.roofline = npu.roofline;
    for (const sim::OpStats &stats : report->ops)
      execution.ops.push_back(makeRecord(npu, stats));
    execution.notes.push_back(
        std::string(functional ? "functional" : "timing") + " mode, " +
        std::to_string(report->cycles) + " cycles at " +
        std::to_string(int(chip.clockMhz)) + " MHz, " +
        std::to_string(report->commands) + " commands; host transfers (" +
        llvm::formatv(
            "{0:f1} MiB, modeled {1:f3} ms",
            double(report->hostUploadBytes + report->hostDownloadBytes) /
                (1 << 20),
            chip.getSeconds(report->hostCycles) * 1e3)
            .str() +
        ") not included");
    if (!functional)
      return execution;

    for (auto [id, buffer] : llvm::zip(compiled.outputs, outputs))
      if (llvm::Error error =
              copyOut(simulator.getBufferData(id), getTensor(*buffer)))
        return std::move(error);
    execution.producedValues = true;
    if (options.onLayer)
      if (llvm::Error error = exposeLayers(program, simulator, options))
        return std::move(error);
    return execution;
  }

private:
  /// Runs the pipeline's graph-level passes up to the cost annotation.
  mlir::LogicalResult annotateCosts(mlir::ModuleOp module) {
    module->setAttr(gaon::npu::NPUDialect::kTargetAttrName,
                    gaon::npu::getTargetAttr(module.getContext(), chip));
    gaon::NPUCompileOptions options;
    options.stopAfter = "gaon-annotate-costs";
    mlir::PassManager pm(module.getContext());
    if (mlir::failed(gaon::buildNPUPipeline(pm, options)))
      return mlir::failure();
    return pm.run(module);
  }

  static double getNumber(mlir::DictionaryAttr dictionary,
                          llvm::StringRef name) {
    mlir::Attribute value = dictionary.get(name);
    if (auto integer = llvm::dyn_cast_or_null<mlir::IntegerAttr>(value))
      return double(integer.getInt());
    if (auto real = llvm::dyn_cast_or_null<mlir::FloatAttr>(value))
      return real.getValueAsDouble();
    return 0;
  }

  /// The chip's roofline for the precision most contraction FLOPs use.
  Roofline getRoofline(const llvm::DenseMap<unsigned, double> &flops) const {
    sim::Precision precision = sim::Precision::Bf16;
    double most = -1;
    for (auto [candidate, count] : flops)
      if (count > most &&
          chip.core.tensor.supports(sim::Precision(candidate))) {
        most = count;
        precision = sim::Precision(candidate);
      }
    if (most < 0)
      for (sim::Precision candidate : chip.core.tensor.getPrecisions()) {
        precision = candidate;
        break;
      }
    double hertz = chip.clockMhz * 1e6;
    Roofline roofline;
    roofline.flopsPerSecond =
        2.0 * double(chip.getPeakMacsPerCycle(precision)) * hertz;
    roofline.bytesPerSecond = chip.dram.getBytesPerCycle() * hertz;
    roofline.precision = sim::stringifyPrecision(precision).str();
    roofline.provenance = Provenance::Modeled;
    roofline.source = "chip description " + chip.name +
                      ": tensor-engine MACs/cycle x cores x clock, DRAM "
                      "channels x bytes/cycle x clock";
    return roofline;
  }

  OpRecord makeRecord(const NPUExecutable &npu,
                      const sim::OpStats &stats) const {
    OpRecord record;
    if (stats.op < npu.compiled.program.ops.size()) {
      const sim::DebugOp &op = npu.compiled.program.ops[stats.op];
      record.name = op.name;
      record.location = normalizeLocation(op.location);
      if (const std::optional<SourceWork> &work = npu.work[stats.op]) {
        record.flops = work->flops;
        record.bytes = work->bytes;
      }
    } else {
      record.name = "(no source op)";
    }
    if (record.flops == 0 && record.bytes == 0) {
      // No annotation: what the simulator counted.
      record.flops = 2.0 * double(stats.macs);
      record.bytes = double(stats.dramBytes);
    }
    record.seconds = chip.getSeconds(double(stats.end - stats.start));
    record.energyJoules = stats.energyPj * 1e-12;
    if (npu.roofline.isKnown() && (record.flops > 0 || record.bytes > 0)) {
      record.rooflineSeconds =
          npu.roofline.getBoundSeconds(record.flops, record.bytes);
      record.bound = npu.roofline.getBound(record.flops, record.bytes);
    }
    return record;
  }

  static llvm::Error copyIn(const HostTensor &tensor,
                            llvm::MutableArrayRef<uint8_t> bytes) {
    if (int64_t(bytes.size()) != tensor.getSizeInBytes())
      return llvm::createStringError("the program's buffer for a " +
                                     tensor.getTypeString() + " input holds " +
                                     std::to_string(bytes.size()) + " bytes");
    std::memcpy(bytes.data(), tensor.getData(), bytes.size());
    return llvm::Error::success();
  }

  static llvm::Error copyOut(llvm::ArrayRef<uint8_t> bytes,
                             HostTensor &tensor) {
    if (int64_t(bytes.size()) != tensor.getSizeInBytes())
      return llvm::createStringError("the program's buffer for a " +
                                     tensor.getTypeString() + " output holds " +
                                     std::to_string(bytes.size()) + " bytes");
    std::memcpy(tensor.getData(), bytes.data(), bytes.size());
    return llvm::Error::success();
  }

  /// Hands out the final contents of every scratch and output buffer as
  /// the result of the op whose command last wrote it, in the order of
  /// those last writes.
  llvm::Error exposeLayers(const sim::Program &program,
                           sim::Simulator &simulator,
                           const ExecuteOptions &options) const {
    std::vector<std::pair<size_t, uint32_t>> lastWrites; // command, buffer
    llvm::DenseMap<uint32_t, size_t> lastWriter;
    for (auto [index, command] : llvm::enumerate(program.commands)) {
      if (command.kind != sim::CommandKind::Dma)
        continue;
      const sim::View &target = program.getViews(command)[1];
      if (target.space == sim::MemorySpace::Dram)
        lastWriter[target.buffer] = index;
    }
    for (auto [buffer, command] : lastWriter) {
      sim::BufferRole role = program.buffers[buffer].role;
      if (role == sim::BufferRole::Scratch || role == sim::BufferRole::Output)
        lastWrites.push_back({command, buffer});
    }
    llvm::sort(lastWrites);
    unsigned index = 0;
    for (auto [command, id] : lastWrites) {
      uint32_t op = program.commands[command].op;
      if (op >= program.ops.size())
        continue;
      const sim::Buffer &buffer = program.buffers[id];
      HostTensor value(buffer.dtype, buffer.shape);
      if (llvm::Error error = copyOut(simulator.getBufferData(id), value))
        return error;
      std::string location = normalizeLocation(program.ops[op].location);
      if (llvm::Error error = options.onLayer(
              LayerTensor{index++, program.ops[op].name, location, 0, value}))
        return error;
    }
    return llvm::Error::success();
  }

  sim::ChipConfig chip;
  std::function<llvm::Error(sim::Program &)> editProgram;
};

} // namespace

llvm::Expected<std::unique_ptr<Backend>>
gaon::runtime::createNPUBackend(llvm::StringRef chipName,
                                const BackendOptions &options) {
  auto chip = sim::loadChipConfig(chipName, options.chipOverrides);
  if (!chip)
    return llvm::createStringError("npu:" + chipName.str() + ": " +
                                   llvm::toString(chip.takeError()));
  BackendInfo info;
  info.name = "npu:" + chipName.str();
  // The description's first clause names the chip ("FuriosaAI RNGD").
  llvm::StringRef description = chip->description;
  info.device =
      (description.empty() ? chip->name : description.split(',').first.str()) +
      " (NPU simulator)";
  info.timing = Provenance::Simulated;
  info.computesValues = true;
  info.exposesLayers = true;
  info.timesWithoutData = true;
  return std::make_unique<NPUBackend>(std::move(info), std::move(*chip),
                                      options.editNPUProgram);
}
