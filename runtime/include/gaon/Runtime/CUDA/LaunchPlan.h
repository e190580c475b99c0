//===- LaunchPlan.h - Host side of a compiled CUDA program ------*- C++ -*-===//
//
// A launch plan is everything the host does to run a compiled graph on an
// NVIDIA GPU, as data: the device buffers (with their role in the graph's
// signature), the modules (cubins), and the kernel launches in order with
// their grids, shared memory and argument bindings. The compiler writes one
// (gaon-cuda-pipeline), the runtime loads and launches it, and the GPU
// performance model reads each launch's cost. The artifact file format is
// documented in docs/gpu.md; this library has no MLIR dependency.
//
//===----------------------------------------------------------------------===//

#ifndef GAON_RUNTIME_CUDA_LAUNCHPLAN_H
#define GAON_RUNTIME_CUDA_LAUNCHPLAN_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace llvm {
class MemoryBufferRef;
class raw_ostream;
} // namespace llvm

namespace gaon::runtime::cuda {

/// Version of the artifact format this library reads and writes.
inline constexpr uint32_t kLaunchPlanFormatVersion = 1;

/// The artifact's first eight bytes.
inline constexpr char kLaunchPlanMagic[8] = {'G', 'A', 'O', 'N',
                                             'C', 'U', 'P', 'L'};

/// Element type of a buffer, spelled as MLIR spells it ("bf16", "f8E4M3FN").
enum class ElementType : uint8_t {
  F32,
  F16,
  BF16,
  F8E4M3FN,
  F8E5M2,
  I8,
  I32,
  I64
};

llvm::StringRef stringifyElementType(ElementType type);
std::optional<ElementType> symbolizeElementType(llvm::StringRef name);
/// Bytes one element occupies.
unsigned getElementBytes(ElementType type);

/// What a buffer is to the graph being run.
enum class BufferRole : uint8_t {
  /// Argument `index` of the entry function: the caller provides its bytes.
  Input,
  /// Result `index` of the entry function: the caller reads it back.
  Output,
  /// A constant whose bytes the artifact carries.
  Weight,
  /// Scratch memory private to the plan.
  Temporary
};

llvm::StringRef stringifyBufferRole(BufferRole role);
std::optional<BufferRole> symbolizeBufferRole(llvm::StringRef name);

/// One device allocation. Outputs and temporaries are zero-filled before
/// every run of the plan; weights are uploaded from `data`.
struct PlanBuffer {
  std::string name;
  BufferRole role = BufferRole::Temporary;
  /// Position in the entry function's arguments (Input) or results (Output).
  unsigned index = 0;
  ElementType elementType = ElementType::F32;
  std::vector<int64_t> shape;
  /// Allocation size; at least the shape's element count times element size.
  uint64_t bytes = 0;
  /// Contents of a Weight buffer (exactly `bytes` long); empty otherwise.
  std::vector<uint8_t> data;

  /// Number of elements in `shape` (1 for a scalar).
  int64_t getNumElements() const;
};

/// One loadable GPU module.
struct PlanModule {
  std::string name;
  /// Target chip, "sm_<major><minor>" (sm_80, sm_90, sm_90a).
  std::string chip;
  /// Image for cuModuleLoadData: a cubin (ELF) or a fatbin.
  std::vector<uint8_t> cubin;
  /// The PTX the cubin was assembled from, for inspection; may be empty.
  std::string ptx;
};

/// A CUDA tensor map (the descriptor TMA copies read) over a tensor in a
/// buffer, which the runtime encodes with cuTensorMapEncodeTiled when it
/// loads the plan. Dimensions run innermost first, as the driver takes them;
/// elements are dense within a box (element strides of 1) and not
/// interleaved.
struct TensorMapArgument {
  enum class Swizzle : uint8_t { None, B32, B64, B128 };
  enum class L2Promotion : uint8_t { None, B64, B128, B256 };
  ElementType elementType = ElementType::BF16;
  /// Extent of each dimension, innermost first.
  std::vector<uint64_t> globalDims;
  /// Byte stride of dimensions 1..rank-1 (dimension 0 is contiguous).
  std::vector<uint64_t> globalStrides;
  /// Extent of the box one TMA copy moves, innermost first.
  std::vector<uint32_t> boxDims;
  Swizzle swizzle = Swizzle::None;
  L2Promotion l2Promotion = L2Promotion::None;
  /// Elements outside the tensor read as NaN instead of zero.
  bool oobFillNaN = false;

  bool operator==(const TensorMapArgument &other) const;
};

/// One kernel parameter. Kernels use the bare-pointer memref calling
/// convention: a memref parameter is a single device pointer, which the plan
/// gives as a buffer plus a byte offset into it.
struct KernelArgument {
  /// TensorMap: a tensor map over the tensor at `buffer` + `byteOffset`,
  /// passed as the device address of its encoded 128-byte CUtensorMap (the
  /// form MLIR's nvgpu TMA lowering reads it in).
  enum class Kind : uint8_t { Buffer, I32, I64, F32, TensorMap };
  Kind kind = Kind::Buffer;
  /// Kind::Buffer and Kind::TensorMap: the buffer's index in
  /// LaunchPlan::buffers and the byte offset of the pointer passed to the
  /// kernel (of the tensor the map describes).
  unsigned buffer = 0;
  uint64_t byteOffset = 0;
  /// Kind::I32 and Kind::I64.
  int64_t intValue = 0;
  /// Kind::F32.
  float floatValue = 0;
  /// Kind::TensorMap.
  TensorMapArgument map;

  static KernelArgument binding(unsigned buffer, uint64_t byteOffset = 0);
  static KernelArgument i32(int32_t value);
  static KernelArgument i64(int64_t value);
  static KernelArgument f32(float value);
  static KernelArgument tensorMap(unsigned buffer, uint64_t byteOffset,
                                  TensorMapArgument map);
  bool operator==(const KernelArgument &other) const;
};

struct Dim3 {
  uint32_t x = 1, y = 1, z = 1;
  uint64_t count() const { return uint64_t(x) * y * z; }
  bool operator==(const Dim3 &other) const {
    return x == other.x && y == other.y && z == other.z;
  }
};

/// The GEMM a contraction kernel computes (a convolution as its implicit
/// GEMM), and the tile each thread block computes: what the GPU performance
/// model needs beyond FLOPs and bytes.
struct ContractionShape {
  int64_t batch = 1, m = 0, n = 0, k = 0;
  ElementType elementType = ElementType::BF16;
  /// Thread-block tile (M, N, K) and software-pipeline stages; 0 = unknown.
  int64_t tileM = 0, tileN = 0, tileK = 0;
  int64_t stages = 0;
  bool operator==(const ContractionShape &other) const;
};

/// One kernel launch, in plan order (launches run one after another on one
/// stream).
struct PlanLaunch {
  /// Index into LaunchPlan::modules.
  unsigned module = 0;
  /// Kernel symbol in that module.
  std::string kernel;
  Dim3 grid, block;
  uint32_t dynamicSharedMemoryBytes = 0;
  std::vector<KernelArgument> arguments;
  /// The graph op this launch implements, and its MLIR location.
  std::string opName;
  std::string location;
  /// Work of the op: floating-point operations, and the bytes it must move
  /// to and from device memory at minimum (each operand read once, each
  /// result written once).
  uint64_t flops = 0;
  uint64_t bytes = 0;
  /// Set for matmul / batch_matmul / convolution kernels.
  std::optional<ContractionShape> contraction;
  /// Registers per thread as ptxas allocated them; 0 when not known.
  uint32_t registersPerThread = 0;
};

/// The whole host side of one compiled entry function.
struct LaunchPlan {
  /// The entry function's name.
  std::string name;
  std::vector<PlanBuffer> buffers;
  std::vector<PlanModule> modules;
  std::vector<PlanLaunch> launches;

  /// Checks every invariant the launcher relies on: buffer sizes cover their
  /// shapes, input and output indices are 0..n-1 without gaps, weights carry
  /// their bytes, launches name existing modules and buffers with offsets
  /// inside them, grid and block sizes are within CUDA's limits.
  llvm::Error verify() const;

  /// Buffer indices of the inputs (outputs), ordered by their `index`.
  std::vector<unsigned> getInputs() const;
  std::vector<unsigned> getOutputs() const;
  /// "launches[3] (linalg.matmul at "model.mlir":4:10)" for messages.
  std::string describeLaunch(unsigned launch) const;
  /// Sum over launches.
  uint64_t getTotalFlops() const;
  uint64_t getTotalBytes() const;
};

/// Serialises `plan` as an artifact: magic, version, a JSON header, then the
/// cubins, PTX and weights as 64-byte-aligned blobs. Verifies first.
llvm::Error writeLaunchPlan(const LaunchPlan &plan, llvm::raw_ostream &os);
llvm::Error writeLaunchPlanFile(const LaunchPlan &plan, llvm::StringRef path);

/// Reads an artifact; every malformed input is an error naming the buffer
/// identifier (the file name) and what is wrong where.
llvm::Expected<LaunchPlan> readLaunchPlan(llvm::MemoryBufferRef buffer);
llvm::Expected<LaunchPlan> readLaunchPlanFile(llvm::StringRef path);

/// The JSON header of `plan` as the artifact stores it, with each blob shown
/// as {"size": N} (no offsets), for dumps and tests.
llvm::json::Value toJSON(const LaunchPlan &plan);

} // namespace gaon::runtime::cuda

#endif // GAON_RUNTIME_CUDA_LAUNCHPLAN_H
