//===- ScalarProgram.h - arith/math bodies evaluated over lanes -*- C++ -*-===//
//
// Private to the reference executor. A ScalarProgram is a region body (a
// linalg payload, a tensor.pad/generate body) or a single elementwise op,
// precompiled into a flat list of scalar instructions that each run over
// many lanes at once (one lane per iteration point of a chunk).
//
// Lane representation: float values are doubles rounded to their MLIR type
// after every op (so f32 arithmetic is exactly IEEE f32); integers are
// int64 holding the value sign-extended from the type's width (i1 true is
// -1), wrapped after every op.
//
//===----------------------------------------------------------------------===//

#ifndef GAON_RUNTIME_REFERENCE_SCALARPROGRAM_H
#define GAON_RUNTIME_REFERENCE_SCALARPROGRAM_H

#include "gaon/Runtime/HostTensor.h"

#include "mlir/IR/Operation.h"
#include "mlir/IR/Value.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/Error.h"

#include <vector>

namespace gaon::runtime::reference::detail {

/// The scalar type of a lane: a float type (rounding target) or an integer
/// width (1..64; index is 64).
struct LaneType {
  bool isFloat = false;
  DType floatType = DType::F64;
  unsigned width = 64;
};

/// Looks up a value defined outside the compiled ops (a captured scalar or
/// tensor); null if it has none.
using ExternalLookup = llvm::function_ref<const HostTensor *(mlir::Value)>;

class ScalarProgram {
public:
  /// Per-thread lane storage for one program.
  struct Workspace {
    int64_t capacity = 0;
    std::vector<double> floats;
    std::vector<int64_t> ints;
  };

  /// Adds a lane slot the caller fills before each run (a block argument,
  /// an elementwise operand, a linalg.index result), keyed by `value`, of
  /// scalar type `type` (an element type is taken from shaped types).
  llvm::Expected<int> addInput(mlir::Value value, mlir::Type type);

  /// Compiles `op` (arith, math, linalg.index, tensor.extract). Operands
  /// must already have slots or be found by `lookup`. linalg.index results
  /// become inputs listed by getIndexInputs.
  llvm::Error addOp(mlir::Operation *op, ExternalLookup lookup);

  /// Marks `value` as an output; its lanes are read with the accessors.
  llvm::Expected<int> addOutput(mlir::Value value, ExternalLookup lookup);

  /// A workspace for runs of up to `capacity` lanes, constants filled in.
  Workspace createWorkspace(int64_t capacity) const;

  /// Runs every instruction over the first `lanes` lanes.
  llvm::Error run(Workspace &workspace, int64_t lanes) const;

  const LaneType &getType(int slot) const { return slots[slot].type; }
  double *getFloatLanes(Workspace &w, int slot) const {
    return w.floats.data() + slots[slot].offset * w.capacity;
  }
  int64_t *getIntLanes(Workspace &w, int slot) const {
    return w.ints.data() + slots[slot].offset * w.capacity;
  }
  /// (slot, loop dimension) of every linalg.index.
  llvm::ArrayRef<std::pair<int, int64_t>> getIndexInputs() const {
    return indexInputs;
  }

  /// Every scalar operation a program can run.
  enum class Opcode : uint16_t {
    // float -> float
    NegF,
    AbsF,
    Exp,
    Exp2,
    Expm1,
    Log,
    Log2,
    Log10,
    Log1p,
    Sqrt,
    Rsqrt,
    Cbrt,
    Tanh,
    Sinh,
    Cosh,
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
    Asinh,
    Acosh,
    Atanh,
    Erf,
    Erfc,
    Floor,
    Ceil,
    Round,
    RoundEven,
    Trunc,
    // (float, float) -> float
    AddF,
    SubF,
    MulF,
    DivF,
    RemF,
    MaximumF,
    MinimumF,
    MaxNumF,
    MinNumF,
    PowF,
    Atan2,
    CopySign,
    Fma,   // (float, float, float) -> float
    FPowI, // (float, int) -> float
    // integer
    AbsI,
    AddI,
    SubI,
    MulI,
    DivSI,
    DivUI,
    RemSI,
    RemUI,
    CeilDivSI,
    CeilDivUI,
    FloorDivSI,
    MaxSI,
    MinSI,
    MaxUI,
    MinUI,
    AndI,
    OrI,
    XOrI,
    ShLI,
    ShRSI,
    ShRUI,
    IPowI,
    CmpF,
    CmpI,
    Select,
    // conversions
    FloatToFloat,
    SIToFP,
    UIToFP,
    FPToSI,
    FPToUI,
    IntToIntSigned,
    IntToIntUnsigned,
    BitcastFloatToInt,
    BitcastIntToFloat,
    IsNaN,
    IsInf,
    IsFinite,
    Extract, // tensor.extract from a captured tensor
  };

  struct Instruction {
    Opcode opcode;
    int result = -1;
    int operands[3] = {-1, -1, -1};
    int predicate = 0;
    const HostTensor *tensor = nullptr; ///< Extract: the source
    std::vector<int> indices;           ///< Extract: index slots
    mlir::Operation *op = nullptr;      ///< for run-time errors
  };

private:
  struct Slot {
    LaneType type;
    int64_t offset; ///< index among float (or int) slots
    bool isConstant = false;
    double floatConstant = 0;
    int64_t intConstant = 0;
  };
  int addSlot(LaneType type);
  llvm::Expected<int> getOperandSlot(mlir::Operation *user, mlir::Value value,
                                     ExternalLookup lookup);

  std::vector<Slot> slots;
  int64_t numFloatSlots = 0, numIntSlots = 0;
  llvm::DenseMap<mlir::Value, int> valueSlots;
  std::vector<Instruction> instructions;
  std::vector<std::pair<int, int64_t>> indexInputs;
};

/// The lane type of an MLIR scalar type, or an error naming it.
llvm::Expected<LaneType> getLaneType(mlir::Type type);

/// Loads `count` elements into lanes: lane i reads the element at element
/// offset offsets[i] from `base`, converting to the lane representation.
void loadLanes(const std::byte *base, DType dtype, const int64_t *offsets,
               int64_t count, const LaneType &type, double *floats,
               int64_t *ints);
/// Stores lanes into the elements at element offsets offsets[i] from
/// `base` (values are already rounded to the element type).
void storeLanes(std::byte *base, DType dtype, const int64_t *offsets,
                int64_t count, const LaneType &type, const double *floats,
                const int64_t *ints);

} // namespace gaon::runtime::reference::detail

#endif // GAON_RUNTIME_REFERENCE_SCALARPROGRAM_H
