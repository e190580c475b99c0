//===- Backend.cpp - The runtime's backend interface ----------------------===//

#include "gaon/Runtime/Backend.h"

using namespace gaon::runtime;

DeviceBuffer::~DeviceBuffer() = default;
Executable::~Executable() = default;
Backend::~Backend() = default;

llvm::Error gaon::runtime::checkBuffers(llvm::ArrayRef<DeviceBuffer *> buffers,
                                        llvm::ArrayRef<TensorSpec> specs,
                                        llvm::StringRef what) {
  if (buffers.size() != specs.size())
    return llvm::createStringError("the model takes " +
                                   std::to_string(specs.size()) + " " + what +
                                   "s, got " + std::to_string(buffers.size()));
  for (auto [index, buffer, spec] : llvm::enumerate(buffers, specs)) {
    const TensorSpec &actual = buffer->getSpec();
    if (actual.dtype != spec.dtype || actual.shape != spec.shape)
      return llvm::createStringError(
          what + " " + std::to_string(index) + " is " + actual.getTypeString() +
          ", the model expects " + spec.getTypeString());
  }
  return llvm::Error::success();
}

llvm::Expected<std::vector<HostTensor>>
gaon::runtime::runOnce(Backend &backend, Executable &executable,
                       llvm::ArrayRef<HostTensor> inputs) {
  if (inputs.size() != executable.getInputs().size())
    return llvm::createStringError(
        "the model takes " + std::to_string(executable.getInputs().size()) +
        " inputs, got " + std::to_string(inputs.size()));
  std::vector<std::unique_ptr<DeviceBuffer>> owned;
  std::vector<DeviceBuffer *> inputBuffers, outputBuffers;
  for (auto [tensor, spec] : llvm::zip(inputs, executable.getInputs())) {
    auto buffer = backend.allocate(spec);
    if (!buffer)
      return buffer.takeError();
    if (llvm::Error error = backend.upload(tensor, **buffer))
      return std::move(error);
    inputBuffers.push_back(buffer->get());
    owned.push_back(std::move(*buffer));
  }
  for (const TensorSpec &spec : executable.getOutputs()) {
    auto buffer = backend.allocate(spec);
    if (!buffer)
      return buffer.takeError();
    outputBuffers.push_back(buffer->get());
    owned.push_back(std::move(*buffer));
  }
  auto execution =
      backend.execute(executable, inputBuffers, outputBuffers, {});
  if (!execution)
    return execution.takeError();
  if (!execution->producedValues)
    return llvm::createStringError(backend.getInfo().name +
                                   " computed no values");
  std::vector<HostTensor> outputs;
  for (DeviceBuffer *buffer : outputBuffers) {
    auto tensor = backend.download(*buffer);
    if (!tensor)
      return tensor.takeError();
    outputs.push_back(std::move(*tensor));
  }
  return outputs;
}

llvm::Expected<std::unique_ptr<DeviceBuffer>>
HostMemoryBackend::allocate(const TensorSpec &spec) {
  for (int64_t size : spec.shape)
    if (size < 0)
      return llvm::createStringError("cannot allocate " + spec.getTypeString() +
                                     ": dynamic or negative size");
  return std::make_unique<HostBuffer>(spec);
}

HostTensor &HostMemoryBackend::getTensor(DeviceBuffer &buffer) {
  return static_cast<HostBuffer &>(buffer).getTensor();
}

llvm::Error HostMemoryBackend::upload(const HostTensor &source,
                                      DeviceBuffer &target) {
  HostTensor &tensor = getTensor(target);
  if (source.getDType() != tensor.getDType() ||
      source.getShape() != tensor.getShape())
    return llvm::createStringError("cannot upload " + source.getTypeString() +
                                   " into a buffer of " +
                                   tensor.getTypeString());
  tensor = source;
  return llvm::Error::success();
}

llvm::Expected<HostTensor>
HostMemoryBackend::download(const DeviceBuffer &source) {
  return static_cast<const HostBuffer &>(source).getTensor();
}
