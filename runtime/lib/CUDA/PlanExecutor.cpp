//===- PlanExecutor.cpp - Load and launch a launch plan on a GPU ----------===//

#include "gaon/Runtime/CUDA/PlanExecutor.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/Twine.h"

#include <cstring>

using namespace llvm;

namespace gaon::runtime::cuda {

/// Dynamic shared memory a kernel may use without opting in.
static constexpr uint32_t kDefaultDynamicSharedMemory = 48 * 1024;

static Error makeError(const Twine &message) {
  return createStringError(inconvertibleErrorCode(), message);
}

/// Prefixes `error` with `context`.
static Error withContext(const Twine &context, Error error) {
  if (!error)
    return error;
  return makeError(context + ": " + toString(std::move(error)));
}

/// The bytes a buffer's shape occupies (the plan is verified, so this fits).
static uint64_t getShapeBytes(const PlanBuffer &buffer) {
  return static_cast<uint64_t>(buffer.getNumElements()) *
         getElementBytes(buffer.elementType);
}

Expected<std::unique_ptr<LoadedPlan>> LoadedPlan::load(Device &device,
                                                       const LaunchPlan &plan) {
  if (Error error = plan.verify())
    return withContext("launch plan '" + plan.name + "'", std::move(error));
  std::unique_ptr<LoadedPlan> loaded(new LoadedPlan(device, plan));
  if (Error error = loaded->initialize())
    return withContext("loading launch plan '" + plan.name + "' onto " +
                           device.getInfo().name,
                       std::move(error));
  return loaded;
}

Error LoadedPlan::initialize() {
  for (const PlanModule &module : plan.modules) {
    Expected<ModuleHandle> handle =
        device.loadModule(module.cubin, module.name);
    if (!handle)
      return handle.takeError();
    modules.push_back(*handle);
  }
  for (auto [id, buffer] : llvm::enumerate(plan.buffers)) {
    Expected<DevicePtr> address = device.allocate(buffer.bytes);
    if (!address)
      return withContext(describeBuffer(id), address.takeError());
    buffers.push_back(*address);
    Error error = buffer.role == BufferRole::Weight
                      ? device.upload(*address, buffer.data)
                      : device.fill(*address, 0, buffer.bytes);
    if (error)
      return withContext(describeBuffer(id), std::move(error));
  }
  for (unsigned id = 0, e = plan.launches.size(); id < e; ++id) {
    const PlanLaunch &launch = plan.launches[id];
    Expected<FunctionHandle> function =
        device.getFunction(modules[launch.module], launch.kernel);
    if (!function)
      return withContext(plan.describeLaunch(id) + " in module '" +
                             plan.modules[launch.module].name + "'",
                         function.takeError());
    functions.push_back(*function);
    if (launch.dynamicSharedMemoryBytes > kDefaultDynamicSharedMemory)
      if (Error error = device.setMaxDynamicSharedMemory(
              *function, launch.dynamicSharedMemoryBytes))
        return withContext(plan.describeLaunch(id), std::move(error));
    Expected<int> count = device.getRegistersPerThread(*function);
    if (!count)
      return withContext(plan.describeLaunch(id), count.takeError());
    registers.push_back(*count);

    std::vector<uint64_t> &values = parameterValues.emplace_back();
    for (const KernelArgument &arg : launch.arguments) {
      uint64_t slot = 0;
      switch (arg.kind) {
      case KernelArgument::Kind::Buffer:
        slot = buffers[arg.buffer] + arg.byteOffset;
        break;
      case KernelArgument::Kind::I32: {
        int32_t value = static_cast<int32_t>(arg.intValue);
        std::memcpy(&slot, &value, sizeof(value));
        break;
      }
      case KernelArgument::Kind::I64:
        std::memcpy(&slot, &arg.intValue, sizeof(arg.intValue));
        break;
      case KernelArgument::Kind::F32:
        std::memcpy(&slot, &arg.floatValue, sizeof(arg.floatValue));
        break;
      case KernelArgument::Kind::TensorMap: {
        Expected<std::vector<uint8_t>> encoded = device.encodeTensorMap(
            buffers[arg.buffer] + arg.byteOffset, arg.map);
        if (!encoded)
          return withContext(plan.describeLaunch(id), encoded.takeError());
        Expected<DevicePtr> address = device.allocate(encoded->size());
        if (!address)
          return withContext(plan.describeLaunch(id), address.takeError());
        tensorMaps.push_back(*address);
        if (Error error = device.upload(*address, *encoded))
          return withContext(plan.describeLaunch(id), std::move(error));
        slot = *address;
        break;
      }
      }
      values.push_back(slot);
    }
  }
  // Pointers into the value slots, taken once every vector has its size.
  for (std::vector<uint64_t> &values : parameterValues) {
    std::vector<void *> &pointers = parameterPointers.emplace_back();
    for (uint64_t &slot : values)
      pointers.push_back(&slot);
  }
  return Error::success();
}

std::string LoadedPlan::describeBuffer(unsigned id) const {
  return ("buffers[" + Twine(id) + "] ('" + plan.buffers[id].name + "')").str();
}

LoadedPlan::~LoadedPlan() {
  // Nothing useful can be done with a failure to free; the context is going
  // away with the device anyway.
  for (DevicePtr address : buffers)
    consumeError(device.free(address));
  for (DevicePtr address : tensorMaps)
    consumeError(device.free(address));
  for (ModuleHandle module : modules)
    consumeError(device.unloadModule(module));
}

Error LoadedPlan::setInput(unsigned index, ArrayRef<uint8_t> bytes) {
  std::vector<unsigned> inputs = plan.getInputs();
  if (index >= inputs.size())
    return makeError("launch plan '" + plan.name + "' has " +
                     Twine(inputs.size()) + " inputs, not " + Twine(index + 1));
  const PlanBuffer &buffer = plan.buffers[inputs[index]];
  if (bytes.size() != getShapeBytes(buffer))
    return makeError("input " + Twine(index) + " ('" + buffer.name +
                     "') takes " + Twine(getShapeBytes(buffer)) +
                     " bytes, got " + Twine(bytes.size()));
  return withContext("input " + Twine(index) + " ('" + buffer.name + "')",
                     device.upload(buffers[inputs[index]], bytes));
}

Error LoadedPlan::resetOutputsAndTemporaries() {
  for (auto [id, buffer] : llvm::enumerate(plan.buffers))
    if (buffer.role == BufferRole::Output ||
        buffer.role == BufferRole::Temporary)
      if (Error error = device.fill(buffers[id], 0, buffer.bytes))
        return withContext(describeBuffer(id), std::move(error));
  return Error::success();
}

Error LoadedPlan::launch(unsigned id) {
  const PlanLaunch &launch = plan.launches[id];
  return withContext(plan.describeLaunch(id),
                     device.launch(functions[id], launch.grid, launch.block,
                                   launch.dynamicSharedMemoryBytes,
                                   parameterPointers[id]));
}

Error LoadedPlan::run(bool synchronizeEachLaunch) {
  if (Error error = resetOutputsAndTemporaries())
    return error;
  for (unsigned id = 0, e = plan.launches.size(); id < e; ++id) {
    if (Error error = launch(id))
      return error;
    if (synchronizeEachLaunch)
      if (Error error = device.synchronize())
        return withContext(plan.describeLaunch(id), std::move(error));
  }
  return withContext("running launch plan '" + plan.name + "'",
                     device.synchronize());
}

Expected<std::vector<uint8_t>> LoadedPlan::getOutput(unsigned index) {
  std::vector<unsigned> outputs = plan.getOutputs();
  if (index >= outputs.size())
    return makeError("launch plan '" + plan.name + "' has " +
                     Twine(outputs.size()) + " outputs, not " +
                     Twine(index + 1));
  const PlanBuffer &buffer = plan.buffers[outputs[index]];
  std::vector<uint8_t> bytes(getShapeBytes(buffer));
  if (Error error = device.download(bytes, buffers[outputs[index]]))
    return withContext("output " + Twine(index) + " ('" + buffer.name + "')",
                       std::move(error));
  return bytes;
}

Expected<PlanTiming> LoadedPlan::time(unsigned warmupRuns, unsigned timedRuns) {
  for (unsigned i = 0; i < warmupRuns; ++i)
    if (Error error = run())
      return std::move(error);

  unsigned count = plan.launches.size();
  std::vector<EventHandle> events;
  llvm::scope_exit destroyEvents([&] {
    for (EventHandle event : events)
      consumeError(device.destroyEvent(event));
  });
  for (unsigned i = 0; i <= count; ++i) {
    Expected<EventHandle> event = device.createEvent();
    if (!event)
      return event.takeError();
    events.push_back(*event);
  }

  PlanTiming timing;
  timing.iterations = timedRuns;
  timing.launchMilliseconds.assign(count, 0.0);
  for (unsigned run = 0; run < timedRuns; ++run) {
    if (Error error = resetOutputsAndTemporaries())
      return std::move(error);
    if (Error error = device.recordEvent(events[0]))
      return std::move(error);
    for (unsigned id = 0; id < count; ++id) {
      if (Error error = launch(id))
        return std::move(error);
      if (Error error = device.recordEvent(events[id + 1]))
        return std::move(error);
    }
    for (unsigned id = 0; id < count; ++id) {
      Expected<float> ms =
          device.getElapsedMilliseconds(events[id], events[id + 1]);
      if (!ms)
        return withContext(plan.describeLaunch(id), ms.takeError());
      timing.launchMilliseconds[id] += *ms;
    }
    Expected<float> total =
        device.getElapsedMilliseconds(events[0], events[count]);
    if (!total)
      return total.takeError();
    timing.totalMilliseconds += *total;
  }
  if (timedRuns) {
    for (double &ms : timing.launchMilliseconds)
      ms /= timedRuns;
    timing.totalMilliseconds /= timedRuns;
  }
  return timing;
}

} // namespace gaon::runtime::cuda
