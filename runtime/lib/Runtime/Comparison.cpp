//===- Comparison.cpp - Run one model on several backends -----------------===//

#include "gaon/Runtime/Comparison.h"

#include "ReportFormat.h"

#include "gaon/Runtime/Npy.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>

using namespace gaon::runtime;

uint64_t gaon::runtime::deriveSeed(uint64_t seed, unsigned index) {
  // splitmix64 (Steele, Lea, Flood 2014), one step.
  auto mix = [](uint64_t z) {
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  };
  return mix(mix(seed) + index);
}

llvm::Expected<std::vector<HostTensor>>
gaon::runtime::makeInputs(const Model &model, const ComparisonOptions &options,
                          std::vector<InputRecord> *records) {
  if (options.inputFiles.size() > model.inputs.size())
    return llvm::createStringError(
        std::to_string(options.inputFiles.size()) + " input files for " +
        std::to_string(model.inputs.size()) + " arguments of @" + model.entry);
  std::vector<HostTensor> inputs;
  for (auto [index, spec] : llvm::enumerate(model.inputs)) {
    std::string file =
        index < options.inputFiles.size() ? options.inputFiles[index] : "";
    InputRecord record{spec, ""};
    if (file.empty()) {
      inputs.push_back(HostTensor::random(spec.dtype, spec.shape,
                                          deriveSeed(options.seed, index)));
      record.source = "random(seed=" + std::to_string(options.seed) + ")";
    } else {
      // bf16/fp8 are stored as raw integers: read them as the model's type.
      std::optional<DType> raw;
      if (spec.dtype == DType::BF16 || spec.dtype == DType::F8E4M3FN ||
          spec.dtype == DType::F8E5M2)
        raw = spec.dtype;
      llvm::Expected<HostTensor> tensor = readNpy(file, raw);
      if (!tensor)
        return tensor.takeError();
      if (tensor->getDType() != spec.dtype ||
          tensor->getShape() != llvm::ArrayRef<int64_t>(spec.shape))
        return llvm::createStringError(
            file + " holds " + tensor->getTypeString() + " but argument " +
            std::to_string(index) + " of @" + model.entry + " is " +
            spec.getTypeString());
      inputs.push_back(std::move(*tensor));
      record.source = file;
    }
    if (records)
      records->push_back(std::move(record));
  }
  return inputs;
}

namespace {

using Clock = std::chrono::steady_clock;

/// The key that pairs an intermediate tensor of a backend with the
/// reference's: op name, location, result and occurrence.
std::string getLayerKey(llvm::StringRef opName, llvm::StringRef location,
                        unsigned result, unsigned occurrence) {
  return llvm::formatv("{0}@{1}#{2}.{3}", opName, location, occurrence, result)
      .str();
}

/// Collects the intermediate tensors of one execution: writes each as .npy,
/// keeps them (the reference) or compares them with the reference's.
class LayerCollector {
public:
  LayerCollector(std::string directory,
                 const llvm::StringMap<HostTensor> *reference)
      : directory(std::move(directory)), reference(reference) {}

  llvm::Error add(const LayerTensor &layer) {
    unsigned occurrence = occurrences[(layer.opName + "@" + layer.location +
                                       "." + std::to_string(layer.resultIndex))
                                          .str()]++;
    std::string key = getLayerKey(layer.opName, layer.location,
                                  layer.resultIndex, occurrence);
    std::string file =
        llvm::formatv("{0,0+4}-{1}-r{2}.npy", layer.opIndex,
                      detail::sanitizeName(layer.opName), layer.resultIndex)
            .str();
    llvm::SmallString<256> path(directory);
    llvm::sys::path::append(path, file);
    if (llvm::Error error = writeNpy(path, layer.value)) {
      writeError = llvm::toString(std::move(error));
      return llvm::createStringError("stopped: cannot dump layers");
    }
    index.push_back(llvm::json::Object{
        {"file", file},
        {"op_index", layer.opIndex},
        {"name", layer.opName.str()},
        {"location", layer.location.str()},
        {"result", layer.resultIndex},
        {"dtype", gaon::kernels::getDTypeName(layer.value.getDType())},
        {"shape", llvm::json::Array(layer.value.getShape())}});
    if (!reference) {
      kept.try_emplace(key, layer.value);
    } else if (!divergence) {
      auto it = reference->find(key);
      if (it != reference->end()) {
        TensorCheck check = compareTensors(layer.value, it->second);
        if (!check.passed)
          divergence = Divergence{layer.opIndex, layer.opName.str(),
                                  layer.location.str(), layer.resultIndex,
                                  std::move(check)};
      }
    }
    return llvm::Error::success();
  }

  llvm::Error writeIndex() {
    llvm::SmallString<256> path(directory);
    llvm::sys::path::append(path, "index.json");
    std::error_code error;
    llvm::raw_fd_ostream os(path, error);
    if (error)
      return llvm::createStringError(error, "cannot write '" + path.str() +
                                                "': " + error.message());
    os << llvm::formatv("{0:2}", llvm::json::Value(std::move(index))) << "\n";
    return llvm::Error::success();
  }

  unsigned getCount() const { return index.size(); }
  llvm::StringMap<HostTensor> takeKept() { return std::move(kept); }
  std::optional<Divergence> divergence;
  /// Set when a dump could not be written.
  std::string writeError;

private:
  std::string directory;
  const llvm::StringMap<HostTensor> *reference;
  llvm::StringMap<unsigned> occurrences;
  llvm::StringMap<HostTensor> kept;
  llvm::json::Array index;
};

/// Creates `directory` (and its parents), as an llvm::Error.
llvm::Error createDirectory(llvm::StringRef directory) {
  if (std::error_code error = llvm::sys::fs::create_directories(directory))
    return llvm::createStringError(error, "cannot create directory '" +
                                              directory.str() +
                                              "': " + error.message());
  return llvm::Error::success();
}

/// Runs the comparison's steps for one backend.
class BackendRun {
public:
  BackendRun(const Model &model, Backend &backend,
             const ComparisonOptions &options, llvm::StringRef label)
      : model(model), backend(backend), options(options), label(label) {}

  /// Compiles, runs and downloads the outputs. Failures of the backend land
  /// in `record.error`; failures to write files are returned.
  llvm::Error run(llvm::ArrayRef<HostTensor> inputs, bool computeValues,
                  const llvm::StringMap<HostTensor> *referenceLayers,
                  BackendRecord &record, std::vector<HostTensor> &outputs) {
    record.info = backend.getInfo();
    llvm::Error error =
        runBackend(inputs, computeValues, referenceLayers, record, outputs);
    if (!fileError.empty()) {
      llvm::consumeError(std::move(error));
      return llvm::createStringError(fileError);
    }
    if (error) {
      record.error = llvm::toString(std::move(error));
      record.execution.reset();
      outputs.clear();
    }
    return llvm::Error::success();
  }

  llvm::StringMap<HostTensor> takeLayers() { return std::move(layers); }

private:
  void progress(llvm::StringRef step, double fraction) {
    if (options.onProgress)
      options.onProgress(
          (label + " " + backend.getInfo().name + ": " + step).str(), fraction);
  }

  llvm::Error runBackend(llvm::ArrayRef<HostTensor> inputs, bool computeValues,
                         const llvm::StringMap<HostTensor> *referenceLayers,
                         BackendRecord &record,
                         std::vector<HostTensor> &outputs) {
    progress("compiling", 0);
    Clock::time_point start = Clock::now();
    auto executable = backend.compile(*model.module, model.entry);
    record.compileSeconds =
        std::chrono::duration<double>(Clock::now() - start).count();
    if (!executable)
      return executable.takeError();

    // A backend that times without data gets no buffers in a timing-only
    // run: the inputs of a large model need not exist anywhere.
    bool withData = computeValues || !backend.getInfo().timesWithoutData;
    std::vector<std::unique_ptr<DeviceBuffer>> inputBuffers, outputBuffers;
    std::vector<DeviceBuffer *> inputPointers, outputPointers;
    llvm::ArrayRef<HostTensor> uploaded =
        withData ? inputs : llvm::ArrayRef<HostTensor>();
    for (auto [index, tensor] : llvm::enumerate(uploaded)) {
      auto buffer = backend.allocate(model.inputs[index]);
      if (!buffer)
        return buffer.takeError();
      if (llvm::Error error = backend.upload(tensor, **buffer))
        return error;
      inputPointers.push_back(buffer->get());
      inputBuffers.push_back(std::move(*buffer));
    }
    llvm::ArrayRef<TensorSpec> outputSpecs =
        withData ? llvm::ArrayRef<TensorSpec>(model.outputs)
                 : llvm::ArrayRef<TensorSpec>();
    for (const TensorSpec &spec : outputSpecs) {
      auto buffer = backend.allocate(spec);
      if (!buffer)
        return buffer.takeError();
      outputPointers.push_back(buffer->get());
      outputBuffers.push_back(std::move(*buffer));
    }

    ExecuteOptions executeOptions;
    executeOptions.computeValues = computeValues;
    executeOptions.onProgress = [&](double fraction) {
      progress("executing", fraction);
    };
    std::optional<LayerCollector> collector;
    if (!options.layerDirectory.empty() && backend.getInfo().exposesLayers &&
        computeValues) {
      record.layerDirectory = (llvm::Twine(options.layerDirectory) + "/" +
                               detail::sanitizeName(backend.getInfo().name))
                                  .str();
      if (llvm::Error error = createDirectory(record.layerDirectory))
        return fail(std::move(error));
      collector.emplace(record.layerDirectory, referenceLayers);
      executeOptions.onLayer = [&](const LayerTensor &layer) {
        return collector->add(layer);
      };
    }

    progress("executing", 0);
    auto execution = backend.execute(**executable, inputPointers,
                                     outputPointers, executeOptions);
    if (collector && !collector->writeError.empty())
      return fail(llvm::createStringError(collector->writeError));
    if (!execution)
      return execution.takeError();
    record.execution = std::move(*execution);

    if (collector) {
      record.layersDumped = collector->getCount();
      if (llvm::Error error = collector->writeIndex())
        return fail(std::move(error));
      record.divergence = std::move(collector->divergence);
      if (!referenceLayers)
        layers = collector->takeKept();
    }

    for (const TensorSpec &spec : model.outputs)
      record.outputs.push_back(OutputRecord{spec, std::nullopt, ""});
    if (!record.execution->producedValues)
      return llvm::Error::success();
    for (auto [index, buffer] : llvm::enumerate(outputBuffers)) {
      auto tensor = backend.download(*buffer);
      if (!tensor)
        return tensor.takeError();
      outputs.push_back(std::move(*tensor));
    }
    if (!options.outputDirectory.empty()) {
      std::string directory = (llvm::Twine(options.outputDirectory) + "/" +
                               detail::sanitizeName(backend.getInfo().name))
                                  .str();
      if (llvm::Error error = createDirectory(directory))
        return fail(std::move(error));
      for (auto [index, tensor] : llvm::enumerate(outputs)) {
        std::string path =
            (llvm::Twine(directory) + "/output" + llvm::Twine(index) + ".npy")
                .str();
        if (llvm::Error error = writeNpy(path, tensor))
          return fail(std::move(error));
        record.outputs[index].npyPath = path;
      }
    }
    return llvm::Error::success();
  }

  /// Records a failure to write our own files (not the backend's fault).
  llvm::Error fail(llvm::Error error) {
    fileError = llvm::toString(std::move(error));
    return llvm::createStringError(fileError);
  }

  const Model &model;
  Backend &backend;
  const ComparisonOptions &options;
  std::string label;
  llvm::StringMap<HostTensor> layers;
  std::string fileError;
};

} // namespace

llvm::Expected<RunReport> gaon::runtime::runComparison(
    const Model &model, llvm::ArrayRef<Backend *> backends, Backend *reference,
    const ComparisonOptions &options) {
  RunReport report;
  report.model = model.name;
  report.source = model.source;
  report.entry = model.entry;
  report.seed = options.seed;
  report.workUnit = model.workUnit;
  report.workPerRun = model.workPerRun;
  report.workSource = model.workSource;
  if (backends.empty())
    return llvm::createStringError("no backends to run");

  // The baseline must be one of the backends.
  Backend *baseline = backends.front();
  if (!options.baseline.empty()) {
    auto it = llvm::find_if(backends, [&](Backend *backend) {
      return backend->getInfo().name == options.baseline;
    });
    if (it == backends.end()) {
      std::string names;
      for (Backend *backend : backends)
        names += (names.empty() ? "" : ", ") + backend->getInfo().name;
      return llvm::createStringError("baseline '" + options.baseline +
                                     "' is not among the backends (" + names +
                                     ")");
    }
    baseline = *it;
  }
  report.baseline = baseline->getInfo().name;

  // Inputs exist only if some backend computes values or needs data to
  // time the model.
  bool computeValues = (options.checkValues && reference) ||
                       !options.outputDirectory.empty() ||
                       !options.layerDirectory.empty();
  bool needData = computeValues || llvm::any_of(backends, [](Backend *backend) {
                    return !backend->getInfo().timesWithoutData;
                  });
  std::vector<HostTensor> inputs;
  if (needData) {
    auto made = makeInputs(model, options, &report.inputs);
    if (!made)
      return made.takeError();
    inputs = std::move(*made);
  } else {
    for (const TensorSpec &spec : model.inputs)
      report.inputs.push_back({spec, "none (timing only)"});
  }
  if (!options.outputDirectory.empty()) {
    std::string directory = options.outputDirectory + "/inputs";
    if (llvm::Error error = createDirectory(directory))
      return std::move(error);
    for (auto [index, tensor] : llvm::enumerate(inputs))
      if (llvm::Error error = writeNpy(
              directory + "/input" + std::to_string(index) + ".npy", tensor))
        return std::move(error);
  }

  // The reference runs first; the others in the order given.
  bool check = options.checkValues && reference;
  std::vector<Backend *> order;
  if (check)
    order.push_back(reference);
  for (Backend *backend : backends)
    if (!llvm::is_contained(order, backend))
      order.push_back(backend);

  std::vector<HostTensor> referenceOutputs;
  llvm::StringMap<HostTensor> referenceLayers;
  for (auto [position, backend] : llvm::enumerate(order)) {
    bool isReference = check && backend == reference;
    std::string label = llvm::formatv("[{0}/{1}]", position + 1, order.size());
    BackendRecord record;
    std::vector<HostTensor> outputs;
    BackendRun run(model, *backend, options, label);
    if (llvm::Error error =
            run.run(inputs, computeValues,
                    isReference ? nullptr : &referenceLayers, record, outputs))
      return std::move(error);
    record.isReference = isReference;
    record.isBaseline = backend == baseline;

    if (isReference) {
      if (!record.error.empty())
        return llvm::createStringError("the reference backend " +
                                       backend->getInfo().name +
                                       " failed: " + record.error);
      report.reference = backend->getInfo().name;
      referenceOutputs = std::move(outputs);
      referenceLayers = run.takeLayers();
    } else if (check && record.error.empty() && !outputs.empty()) {
      bool passed = true;
      for (auto [index, output] : llvm::enumerate(record.outputs)) {
        output.check = compareTensors(outputs[index], referenceOutputs[index]);
        passed &= output.check->passed;
      }
      record.passed = passed;
    }
    // A reference that is not among the backends only provides values.
    if (!isReference || llvm::is_contained(backends, backend))
      report.backends.push_back(std::move(record));
  }

  // Throughput and speed-up from the latencies.
  const BackendRecord *baselineRecord = nullptr;
  for (const BackendRecord &record : report.backends)
    if (record.isBaseline)
      baselineRecord = &record;
  for (BackendRecord &record : report.backends) {
    if (!record.execution)
      continue;
    const Figure &latency = record.execution->latencySeconds;
    if (latency.value > 0)
      record.throughput =
          Figure{report.workPerRun / latency.value, latency.provenance};
    if (baselineRecord && baselineRecord->execution && latency.value > 0)
      record.speedup =
          baselineRecord->execution->latencySeconds.value / latency.value;
  }
  return report;
}
