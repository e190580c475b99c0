//===- NPUInterfaces.td - npu op interfaces ----------------*- tablegen -*-===//

#ifndef GAON_DIALECT_NPU_IR_NPUINTERFACES_TD
#define GAON_DIALECT_NPU_IR_NPUINTERFACES_TD

include "mlir/IR/OpBase.td"

def NPU_CommandOpInterface : OpInterface<"CommandOpInterface"> {
  let cppNamespace = "::gaon::npu";
  let description = [{
    An op that one engine of one core executes as a single command. Passes
    that schedule, synchronise and serialise NPU programs work through this
    interface rather than on each op kind.
  }];
  let methods = [
    InterfaceMethod<"The engine kind that executes this command.",
      "::gaon::npu::Engine", "getEngine">,
    InterfaceMethod<"The core that executes this command.",
      "int64_t", "getCoreIndex", (ins), [{}], [{ return $_op.getCore(); }]>,
    InterfaceMethod<"Semaphores waited on before the command starts.",
      "::mlir::OperandRange", "getWaitSemaphores", (ins), [{}],
      [{ return $_op.getWaits(); }]>,
    InterfaceMethod<"Semaphores signalled when the command completes.",
      "::mlir::OperandRange", "getSignalSemaphores", (ins), [{}],
      [{ return $_op.getSignals(); }]>,
    InterfaceMethod<"Mutable list of semaphores waited on.",
      "::mlir::MutableOperandRange", "getWaitSemaphoresMutable", (ins), [{}],
      [{ return $_op.getWaitsMutable(); }]>,
    InterfaceMethod<"Mutable list of semaphores signalled.",
      "::mlir::MutableOperandRange", "getSignalSemaphoresMutable", (ins), [{}],
      [{ return $_op.getSignalsMutable(); }]>,
  ];
}

#endif // GAON_DIALECT_NPU_IR_NPUINTERFACES_TD
