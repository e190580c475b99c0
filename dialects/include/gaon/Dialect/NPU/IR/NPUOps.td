//===- NPUOps.td - npu operations --------------------------*- tablegen -*-===//

#ifndef GAON_DIALECT_NPU_IR_NPUOPS_TD
#define GAON_DIALECT_NPU_IR_NPUOPS_TD

include "gaon/Dialect/NPU/IR/NPUAttrs.td"
include "gaon/Dialect/NPU/IR/NPUInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/CommonTypeConstraints.td"
include "mlir/IR/CommonAttrConstraints.td"

class NPU_Op<string mnemonic, list<Trait> traits = []>
    : Op<NPU_Dialect, mnemonic, traits>;

/// Operands and attributes every engine command carries: the semaphores it
/// waits on and signals, and the core that runs it.
defvar NPU_Index = ConfinedAttr<I64Attr, [IntNonNegative]>;
defvar NPU_CommandArgs = (ins
  Variadic<NPU_Semaphore>:$waits,
  Variadic<NPU_Semaphore>:$signals,
  DefaultValuedAttr<NPU_Index, "0">:$core
);
defvar NPU_SyncFormat =
    "(`wait` `(` $waits^ `)`)? (`signal` `(` $signals^ `)`)?";

/// An op executed as one command by engine `engine` of a core.
class NPU_CommandOp<string mnemonic, string engine, list<Trait> traits = []>
    : NPU_Op<mnemonic, !listconcat(traits, [AttrSizedOperandSegments,
        NPU_CommandOpInterface])> {
  code engineDecl = !strconcat("::gaon::npu::Engine getEngine() { return "
                               "::gaon::npu::Engine::", engine, "; }");
  let extraClassDeclaration = engineDecl;
  let hasVerifier = 1;
  // Folds the memref.casts to a less static layout that canonicalising a
  // view with constant offsets leaves behind (one per operand after
  // unrolling).
  let hasFolder = 1;
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::fold(FoldAdaptor,
        ::llvm::SmallVectorImpl<::mlir::OpFoldResult> &) {
      return foldLessStaticCasts(*this);
    }
  }];
}

//===----------------------------------------------------------------------===//
// Buffers and semaphores
//===----------------------------------------------------------------------===//

def NPU_AllocOp : NPU_Op<"alloc", [MemoryEffects<[MemAlloc]>]> {
  let summary = "A buffer in a core's SRAM, optionally at a fixed address";
  let description = [{
    Reserves a statically shaped buffer in the SRAM of core `core`. The SRAM
    allocation pass assigns `address` (a byte offset into the scratchpad);
    until then it is absent. The buffer lives for the whole program.

    ```mlir
    %a = npu.alloc : memref<64x64xbf16, #npu.memory_space<sram>>
    %b = npu.alloc address 8192 {core = 1} : memref<64xf32, #npu.memory_space<sram>>
    ```
  }];
  let arguments = (ins OptionalAttr<NPU_Index>:$address,
                       DefaultValuedAttr<NPU_Index, "0">:$core);
  let results = (outs AnyStaticShapeMemRef:$buffer);
  let assemblyFormat = "(`address` $address^)? attr-dict `:` type($buffer)";
  let hasVerifier = 1;
}

def NPU_SemaphoreOp : NPU_Op<"semaphore"> {
  let summary = "Creates a counting semaphore";
  let description = [{
    Creates a chip-wide counting semaphore with the given initial count
    (default 0). A semaphore initialised to N lets N waits through before a
    signal is needed, which is how double buffering marks its free slots.

    ```mlir
    %full = npu.semaphore
    %free = npu.semaphore initial 2
    ```
  }];
  let arguments = (ins DefaultValuedAttr<NPU_Index, "0">:$initial);
  let results = (outs NPU_Semaphore:$semaphore);
  let assemblyFormat = "(`initial` $initial^)? attr-dict";
}

//===----------------------------------------------------------------------===//
// DMA engine
//===----------------------------------------------------------------------===//

def NPU_DmaOp : NPU_CommandOp<"dma", "Dma"> {
  let summary = "Copies a strided block between DRAM and SRAM";
  let description = [{
    Copies `source` to `target` on DMA engine `queue` of core `core`. Both are
    memrefs of the same shape (rank 1 to 4) and element type with strided
    layouts, so a DMA can gather a tile out of a larger tensor, or transpose
    it through its strides. At least one side is in SRAM.

    ```mlir
    %sv = memref.subview %w[0, 64] [64, 64] [1, 1]
        : memref<256x256xbf16> to memref<64x64xbf16, strided<[256, 1], offset: 64>>
    npu.dma %sv -> %tile signal(%full) {queue = 1}
        : memref<64x64xbf16, strided<[256, 1], offset: 64>>
        -> memref<64x64xbf16, #npu.memory_space<sram>>
    ```
  }];
  let arguments = !con((ins AnyStridedMemRef:$source,
                            AnyStridedMemRef:$target,
                            DefaultValuedAttr<NPU_Index, "0">:$queue),
                       NPU_CommandArgs);
  let assemblyFormat = !strconcat("$source `->` $target ", NPU_SyncFormat,
      " attr-dict `:` type($source) `->` type($target)");
}

//===----------------------------------------------------------------------===//
// Tensor engine
//===----------------------------------------------------------------------===//

def NPU_MatmulOp : NPU_CommandOp<"matmul", "Tensor"> {
  let summary = "Tensor-engine matrix multiply of SRAM tiles";
  let description = [{
    Computes `acc = lhs * rhs` (or `acc += lhs * rhs` with `accumulate`) on
    the tensor engine. Without transposes, `lhs` is MxK, `rhs` is KxN and
    `acc` is MxN; `transposed` after an operand says it is stored KxM (lhs) or
    NxK (rhs). `lhs` and `rhs` share an element type the target's tensor
    engine supports; `acc` is f32 for float inputs (or the input type itself),
    i32 for i8. All operands are in SRAM.

    ```mlir
    npu.matmul %a, %b transposed -> %c accumulate wait(%full) signal(%free)
        : memref<64x32xbf16, #npu.memory_space<sram>>,
          memref<48x32xbf16, #npu.memory_space<sram>>
        -> memref<64x48xf32, #npu.memory_space<sram>>
    ```
  }];
  let arguments = !con((ins AnyStridedMemRefOfRank<2>:$lhs,
                            AnyStridedMemRefOfRank<2>:$rhs,
                            AnyStridedMemRefOfRank<2>:$acc,
                            UnitAttr:$transpose_lhs,
                            UnitAttr:$transpose_rhs,
                            UnitAttr:$accumulate),
                       NPU_CommandArgs);
  let assemblyFormat = !strconcat([{
    $lhs (`transposed` $transpose_lhs^)? `,` $rhs (`transposed` $transpose_rhs^)?
    `->` $acc (`accumulate` $accumulate^)? }], NPU_SyncFormat, [{
    attr-dict `:` type($lhs) `,` type($rhs) `->` type($acc)
  }]);
}

//===----------------------------------------------------------------------===//
// Vector engine
//===----------------------------------------------------------------------===//

def NPU_VectorUnaryOp : NPU_CommandOp<"vector.unary", "Vector"> {
  let summary = "Elementwise unary op on the vector engine";
  let description = [{
    `output = f(input)` elementwise, for `f` one of copy, neg, abs, relu, exp,
    log, sqrt, rsqrt, reciprocal, tanh, erf, sigmoid, gelu (erf form),
    gelu_tanh and silu. Input and output are SRAM buffers of the same shape
    and float element type (copy accepts any type).

    ```mlir
    npu.vector.unary exp %x -> %y
        : memref<64x64xf32, #npu.memory_space<sram>>
        -> memref<64x64xf32, #npu.memory_space<sram>>
    ```
  }];
  let arguments = !con((ins NPU_UnaryKindEnum:$kind,
                            AnyStridedMemRef:$input,
                            AnyStridedMemRef:$output),
                       NPU_CommandArgs);
  let assemblyFormat = !strconcat("$kind $input `->` $output ", NPU_SyncFormat,
      " attr-dict `:` type($input) `->` type($output)");
}

def NPU_VectorBinaryOp : NPU_CommandOp<"vector.binary", "Vector"> {
  let summary = "Elementwise binary op with broadcasting on the vector engine";
  let description = [{
    `output = lhs op rhs` elementwise for op in add, sub, mul, div, max, min
    and pow. Operands have the output's rank; each of their dimensions equals
    the output's or is 1 (broadcast), which is how a per-row mean or a bias
    vector is applied. All are SRAM buffers of one float element type.

    ```mlir
    npu.vector.binary sub %x, %mean -> %y
        : memref<64x128xf32, #npu.memory_space<sram>>,
          memref<64x1xf32, #npu.memory_space<sram>>
        -> memref<64x128xf32, #npu.memory_space<sram>>
    ```
  }];
  let arguments = !con((ins NPU_BinaryKindEnum:$kind,
                            AnyStridedMemRef:$lhs,
                            AnyStridedMemRef:$rhs,
                            AnyStridedMemRef:$output),
                       NPU_CommandArgs);
  let assemblyFormat = !strconcat("$kind $lhs `,` $rhs `->` $output ", NPU_SyncFormat,
      " attr-dict `:` type($lhs) `,` type($rhs) `->` type($output)");
}

def NPU_VectorScalarOp : NPU_CommandOp<"vector.scalar", "Vector"> {
  let summary = "Elementwise binary op with an immediate scalar";
  let description = [{
    `output = input op scalar` elementwise (or `scalar op input` with
    `reversed`), for op in add, sub, mul, div, max, min and pow: a scale, a
    clamp or `1 - x` without a buffer for the constant.

    ```mlir
    npu.vector.scalar mul %s, 1.250000e-01 -> %t
        : memref<64x64xf32, #npu.memory_space<sram>>
        -> memref<64x64xf32, #npu.memory_space<sram>>
    ```
  }];
  let arguments = !con((ins NPU_BinaryKindEnum:$kind,
                            AnyStridedMemRef:$input,
                            F64Attr:$scalar,
                            AnyStridedMemRef:$output,
                            UnitAttr:$reversed),
                       NPU_CommandArgs);
  let assemblyFormat = !strconcat("$kind (`reversed` $reversed^)? $input `,` $scalar "
      "`->` $output ", NPU_SyncFormat,
      " attr-dict `:` type($input) `->` type($output)");
}

def NPU_VectorReduceOp : NPU_CommandOp<"vector.reduce", "Vector"> {
  let summary = "Sum, max or min along one axis on the vector engine";
  let description = [{
    Reduces `input` along `axis` into `output`, which has the input's shape
    with that dimension set to 1 (so it broadcasts straight back in a
    `vector.binary`). With `accumulate` the result is combined with what
    `output` holds, for reductions split across tiles.

    ```mlir
    npu.vector.reduce max %x -> %m axis 1
        : memref<64x128xf32, #npu.memory_space<sram>>
        -> memref<64x1xf32, #npu.memory_space<sram>>
    ```
  }];
  let arguments = !con((ins NPU_ReduceKindEnum:$kind,
                            AnyStridedMemRef:$input,
                            AnyStridedMemRef:$output,
                            NPU_Index:$axis,
                            UnitAttr:$accumulate),
                       NPU_CommandArgs);
  let assemblyFormat = !strconcat("$kind $input `->` $output `axis` $axis "
      "(`accumulate` $accumulate^)? ", NPU_SyncFormat,
      " attr-dict `:` type($input) `->` type($output)");
}

def NPU_VectorCastOp : NPU_CommandOp<"vector.cast", "Vector"> {
  let summary = "Element type conversion on the vector engine";
  let description = [{
    Converts each element of `input` to the element type of `output` (same
    shape), rounding to nearest even for narrowing float casts and
    saturating for float to integer.

    ```mlir
    npu.vector.cast %acc -> %out
        : memref<64x64xf32, #npu.memory_space<sram>>
        -> memref<64x64xbf16, #npu.memory_space<sram>>
    ```
  }];
  let arguments = !con((ins AnyStridedMemRef:$input,
                            AnyStridedMemRef:$output),
                       NPU_CommandArgs);
  let assemblyFormat = !strconcat("$input `->` $output ", NPU_SyncFormat,
      " attr-dict `:` type($input) `->` type($output)");
}

def NPU_VectorFillOp : NPU_CommandOp<"vector.fill", "Vector"> {
  let summary = "Fills an SRAM buffer with a constant";
  let description = [{
    Sets every element of `output` to `value`, e.g. to zero an accumulator
    or to seed a running max with -inf.

    ```mlir
    npu.vector.fill 0.000000e+00 -> %acc
        : memref<64x64xf32, #npu.memory_space<sram>>
    ```
  }];
  let arguments = !con((ins F64Attr:$value, AnyStridedMemRef:$output),
                       NPU_CommandArgs);
  let assemblyFormat = !strconcat("$value `->` $output ", NPU_SyncFormat,
      " attr-dict `:` type($output)");
}

#endif // GAON_DIALECT_NPU_IR_NPUOPS_TD
