// Ensures npu commands fold a memref.cast that only makes a layout less
// static (what canonicalising a subview with constant offsets leaves
// behind) and keep one that makes it more static.
// RUN: gaon-opt %s -split-input-file -canonicalize | FileCheck %s

// CHECK-LABEL: func @fold_cast
// CHECK-SAME: (%[[X:.*]]: memref<4x16xf32>)
// CHECK: %[[ROW:.*]] = memref.subview %[[X]][1, 0] [1, 16] [1, 1] : memref<4x16xf32> to memref<16xf32, strided<[1], offset: 16>>
// CHECK-NOT: memref.cast
// CHECK: npu.dma %[[ROW]] -> %[[S:.*]] : memref<16xf32, strided<[1], offset: 16>> -> memref<16xf32, #npu.memory_space<sram>>
// CHECK: npu.vector.unary exp %[[S]] -> %[[S]]
func.func @fold_cast(%x: memref<4x16xf32>) {
  %s = npu.alloc address 0 : memref<16xf32, #npu.memory_space<sram>>
  %row = memref.subview %x[1, 0] [1, 16] [1, 1] : memref<4x16xf32> to memref<16xf32, strided<[1], offset: 16>>
  %dyn = memref.cast %row : memref<16xf32, strided<[1], offset: 16>> to memref<16xf32, strided<[1], offset: ?>>
  npu.dma %dyn -> %s : memref<16xf32, strided<[1], offset: ?>> -> memref<16xf32, #npu.memory_space<sram>>
  npu.vector.unary exp %s -> %s : memref<16xf32, #npu.memory_space<sram>> -> memref<16xf32, #npu.memory_space<sram>>
  return
}

// -----

// CHECK-LABEL: func @keep_cast
// CHECK: %[[STATIC:.*]] = memref.cast
// CHECK: npu.dma %[[STATIC]]
func.func @keep_cast(%x: memref<16xf32, strided<[1], offset: ?>>) {
  %s = npu.alloc address 0 : memref<16xf32, #npu.memory_space<sram>>
  %static = memref.cast %x : memref<16xf32, strided<[1], offset: ?>> to memref<16xf32, strided<[1], offset: 16>>
  npu.dma %static -> %s : memref<16xf32, strided<[1], offset: 16>> -> memref<16xf32, #npu.memory_space<sram>>
  return
}
