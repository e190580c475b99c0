//===- ReportJson.cpp - The JSON and CSV forms of a run report ------------===//
//
// docs/runtime.md documents both; docs/run-report.schema.json is the JSON
// Schema the JSON form satisfies.
//
//===----------------------------------------------------------------------===//

#include "gaon/Runtime/RunReport.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace gaon::runtime;
using llvm::json::Array;
using llvm::json::Object;
using llvm::json::Value;

bool RunReport::isSuccess() const {
  for (const BackendRecord &backend : backends)
    if (!backend.error.empty() || (backend.passed && !*backend.passed))
      return false;
  return true;
}

/// JSON has no NaN or infinity: such figures become null.
static Value toNumber(double value) {
  if (!std::isfinite(value))
    return nullptr;
  return value;
}

static Value toJSON(const Figure &figure) {
  return Object{{"value", toNumber(figure.value)},
                {"provenance", stringifyProvenance(figure.provenance)}};
}

static Value toJSON(const std::optional<Figure> &figure) {
  return figure ? toJSON(*figure) : Value(nullptr);
}

static Value toJSON(const TensorSpec &spec) {
  Array shape;
  for (int64_t size : spec.shape)
    shape.push_back(size);
  return Object{{"name", spec.name},
                {"dtype", gaon::kernels::getDTypeName(spec.dtype)},
                {"shape", std::move(shape)}};
}

static Value toJSON(const TensorCheck &check) {
  Object object{
      {"passed", check.passed},
      {"elements", check.elements},
      {"max_abs_error", toNumber(check.maxAbsError)},
      {"max_rel_error", toNumber(check.maxRelError)},
      {"cosine", toNumber(check.cosine)},
      {"mismatches", check.mismatches},
      {"tolerance", Object{{"atol", check.tolerance.atol},
                           {"rtol", check.tolerance.rtol},
                           {"min_cosine", check.tolerance.minCosine}}}};
  object["first_mismatch"] =
      check.firstMismatch < 0
          ? Value(nullptr)
          : Value(Object{{"index", check.firstMismatch},
                         {"actual", toNumber(check.firstMismatchActual)},
                         {"expected", toNumber(check.firstMismatchExpected)}});
  object["error"] = check.error.empty() ? Value(nullptr) : Value(check.error);
  return object;
}

static Value toJSON(const Roofline &roofline) {
  if (!roofline.isKnown())
    return nullptr;
  return Object{{"flops_per_second", roofline.flopsPerSecond},
                {"bytes_per_second", roofline.bytesPerSecond},
                {"precision", roofline.precision},
                {"provenance", stringifyProvenance(roofline.provenance)},
                {"source", roofline.source}};
}

static Value toJSON(const OpRecord &op, unsigned index) {
  Object object{{"index", index},
                {"name", op.name},
                {"location", op.location},
                {"seconds", toNumber(op.seconds)},
                {"flops", toNumber(op.flops)},
                {"bytes", toNumber(op.bytes)},
                {"intensity", toNumber(op.getIntensity())}};
  object["roofline_seconds"] =
      op.rooflineSeconds > 0 ? toNumber(op.rooflineSeconds) : Value(nullptr);
  object["roofline_fraction"] = op.rooflineSeconds > 0
                                    ? toNumber(op.getRooflineFraction())
                                    : Value(nullptr);
  object["bound"] =
      op.bound ? Value(stringifyBound(*op.bound)) : Value(nullptr);
  object["energy_joules"] =
      op.energyJoules ? toNumber(*op.energyJoules) : Value(nullptr);
  return object;
}

static Value toStringArray(llvm::ArrayRef<std::string> strings) {
  Array array;
  for (const std::string &string : strings)
    array.push_back(string);
  return array;
}

static Value toJSON(const BackendRecord &backend) {
  const BackendInfo &info = backend.info;
  Object object{
      {"name", info.name},
      {"device", info.device},
      {"timing_provenance", stringifyProvenance(info.timing)},
      {"computes_values", info.computesValues},
      {"notes", toStringArray(info.notes)},
      {"is_reference", backend.isReference},
      {"is_baseline", backend.isBaseline},
      {"status", backend.error.empty() ? "ok" : "error"},
      {"error", backend.error.empty() ? Value(nullptr) : Value(backend.error)},
      {"compile_seconds",
       toJSON(Figure{backend.compileSeconds, Provenance::Measured})}};
  const Execution *execution =
      backend.execution ? &*backend.execution : nullptr;
  object["latency_seconds"] =
      execution ? toJSON(execution->latencySeconds) : Value(nullptr);
  object["throughput"] =
      backend.throughput
          ? Value(Object{{"value", toNumber(backend.throughput->value)},
                         {"provenance",
                          stringifyProvenance(backend.throughput->provenance)}})
          : Value(nullptr);
  object["speedup"] = backend.speedup ? toNumber(*backend.speedup) : nullptr;
  object["utilization"] =
      execution ? toJSON(execution->utilization) : Value(nullptr);
  object["energy_joules"] =
      execution ? toJSON(execution->energyJoules) : Value(nullptr);
  object["roofline"] = execution ? toJSON(execution->roofline) : nullptr;
  object["produced_values"] = execution && execution->producedValues;
  object["execution_notes"] =
      execution ? toStringArray(execution->notes) : Value(Array{});

  Array outputs;
  for (auto [index, output] : llvm::enumerate(backend.outputs)) {
    Object entry = std::move(*toJSON(output.spec).getAsObject());
    entry["index"] = static_cast<int64_t>(index);
    entry["check"] = output.check ? toJSON(*output.check) : Value(nullptr);
    entry["npy"] =
        output.npyPath.empty() ? Value(nullptr) : Value(output.npyPath);
    outputs.push_back(std::move(entry));
  }
  object["passed"] = backend.passed ? Value(*backend.passed) : nullptr;
  object["outputs"] = std::move(outputs);

  if (backend.layerDirectory.empty()) {
    object["layers"] = nullptr;
  } else {
    Value divergence = nullptr;
    if (const std::optional<Divergence> &d = backend.divergence)
      divergence = Object{{"op_index", d->opIndex},
                          {"name", d->opName},
                          {"location", d->location},
                          {"result", d->resultIndex},
                          {"check", toJSON(d->check)}};
    object["layers"] = Object{{"directory", backend.layerDirectory},
                              {"dumped", backend.layersDumped},
                              {"first_divergence", std::move(divergence)}};
  }

  Array ops;
  if (execution)
    for (auto [index, op] : llvm::enumerate(execution->ops))
      ops.push_back(toJSON(op, index));
  object["op_provenance"] =
      execution ? Value(stringifyProvenance(execution->opProvenance))
                : Value(nullptr);
  object["ops"] = std::move(ops);
  return object;
}

Value gaon::runtime::toJSON(const RunReport &report) {
  Array inputs;
  for (const InputRecord &input : report.inputs) {
    Object entry = std::move(*::toJSON(input.spec).getAsObject());
    entry["source"] = input.source;
    inputs.push_back(std::move(entry));
  }
  Array backends;
  for (const BackendRecord &backend : report.backends)
    backends.push_back(::toJSON(backend));
  return Object{
      {"format", "gaon-run-report"},
      {"version", kRunReportVersion},
      {"model", Object{{"name", report.model},
                       {"source", report.source},
                       {"entry", report.entry},
                       {"seed", static_cast<int64_t>(report.seed)},
                       {"inputs", std::move(inputs)},
                       {"work", Object{{"unit", report.workUnit},
                                       {"per_run", report.workPerRun},
                                       {"source", report.workSource}}}}},
      {"reference",
       report.reference.empty() ? Value(nullptr) : Value(report.reference)},
      {"baseline", report.baseline},
      {"success", report.isSuccess()},
      {"backends", std::move(backends)}};
}

void gaon::runtime::writeJson(const RunReport &report, llvm::raw_ostream &os) {
  os << llvm::formatv("{0:2}", toJSON(report)) << "\n";
}

//===----------------------------------------------------------------------===//
// CSV
//===----------------------------------------------------------------------===//

/// RFC 4180 quoting where needed.
static std::string quoteCsv(llvm::StringRef field) {
  if (field.find_first_of(",\"\n\r") == llvm::StringRef::npos)
    return field.str();
  std::string quoted = "\"";
  for (char c : field) {
    if (c == '"')
      quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

namespace {
/// Writes rows of the long-format table.
class CsvWriter {
public:
  explicit CsvWriter(llvm::raw_ostream &os) : os(os) {
    os << "backend,scope,item,metric,value,unit,provenance\n";
  }
  void row(llvm::StringRef backend, llvm::StringRef scope, llvm::StringRef item,
           llvm::StringRef metric, double value, llvm::StringRef unit,
           llvm::StringRef provenance) {
    std::string number;
    if (std::isfinite(value))
      llvm::raw_string_ostream(number) << llvm::format("%.9g", value);
    text(backend, scope, item, metric, number, unit, provenance);
  }
  void text(llvm::StringRef backend, llvm::StringRef scope,
            llvm::StringRef item, llvm::StringRef metric, llvm::StringRef value,
            llvm::StringRef unit, llvm::StringRef provenance) {
    os << quoteCsv(backend) << ',' << scope << ',' << quoteCsv(item) << ','
       << metric << ',' << quoteCsv(value) << ',' << unit << ',' << provenance
       << '\n';
  }

private:
  llvm::raw_ostream &os;
};
} // namespace

void gaon::runtime::writeCsv(const RunReport &report, llvm::raw_ostream &os) {
  CsvWriter csv(os);
  for (const BackendRecord &backend : report.backends) {
    llvm::StringRef name = backend.info.name;
    csv.row(name, "run", "", "compile_seconds", backend.compileSeconds, "s",
            "measured");
    if (!backend.error.empty()) {
      csv.text(name, "run", "", "error", backend.error, "", "");
      continue;
    }
    if (!backend.execution)
      continue;
    const Execution &execution = *backend.execution;
    auto figure = [&](llvm::StringRef metric, const Figure &value,
                      llvm::StringRef unit) {
      csv.row(name, "run", "", metric, value.value, unit,
              stringifyProvenance(value.provenance));
    };
    figure("latency_seconds", execution.latencySeconds, "s");
    if (backend.throughput)
      figure("throughput", *backend.throughput, report.workUnit + "/s");
    if (execution.utilization)
      figure("utilization", *execution.utilization, "fraction");
    if (execution.energyJoules)
      figure("energy_joules", *execution.energyJoules, "J");
    if (backend.speedup)
      csv.row(name, "run", "", "speedup", *backend.speedup, "x",
              stringifyProvenance(execution.latencySeconds.provenance));
    if (execution.roofline.isKnown()) {
      llvm::StringRef provenance =
          stringifyProvenance(execution.roofline.provenance);
      csv.row(name, "run", "", "peak_flops_per_second",
              execution.roofline.flopsPerSecond, "FLOP/s", provenance);
      csv.row(name, "run", "", "peak_bytes_per_second",
              execution.roofline.bytesPerSecond, "B/s", provenance);
    }

    for (auto [index, output] : llvm::enumerate(backend.outputs)) {
      if (!output.check)
        continue;
      std::string item = "output " + std::to_string(index);
      const TensorCheck &check = *output.check;
      csv.row(name, "output", item, "passed", check.passed, "bool", "");
      csv.row(name, "output", item, "max_abs_error", check.maxAbsError, "", "");
      csv.row(name, "output", item, "max_rel_error", check.maxRelError, "", "");
      csv.row(name, "output", item, "cosine", check.cosine, "", "");
      csv.row(name, "output", item, "mismatches", check.mismatches, "count",
              "");
    }

    llvm::StringRef opProvenance = stringifyProvenance(execution.opProvenance);
    for (auto [index, op] : llvm::enumerate(execution.ops)) {
      std::string item =
          std::to_string(index) + " " + op.name + " " + op.location;
      csv.row(name, "op", item, "seconds", op.seconds, "s", opProvenance);
      csv.row(name, "op", item, "flops", op.flops, "FLOP", "modeled");
      csv.row(name, "op", item, "bytes", op.bytes, "B", "modeled");
      if (op.rooflineSeconds > 0) {
        llvm::StringRef rooflineProvenance =
            stringifyProvenance(execution.roofline.provenance);
        csv.row(name, "op", item, "roofline_seconds", op.rooflineSeconds, "s",
                rooflineProvenance);
        csv.row(name, "op", item, "roofline_fraction", op.getRooflineFraction(),
                "fraction", opProvenance);
      }
      if (op.bound)
        csv.text(name, "op", item, "bound", stringifyBound(*op.bound), "",
                 "modeled");
      if (op.energyJoules)
        csv.row(name, "op", item, "energy_joules", *op.energyJoules, "J",
                "modeled");
    }
  }
}

llvm::Error gaon::runtime::writeReportFile(
    llvm::StringRef path, const RunReport &report,
    void (*writer)(const RunReport &, llvm::raw_ostream &)) {
  std::error_code error;
  llvm::raw_fd_ostream os(path, error, llvm::sys::fs::OF_Text);
  if (error)
    return llvm::createStringError(error, "cannot write '" + path.str() +
                                              "': " + error.message());
  writer(report, os);
  os.close();
  if (os.has_error())
    return llvm::createStringError(os.error(),
                                   "cannot write '" + path.str() +
                                       "': " + os.error().message());
  return llvm::Error::success();
}
