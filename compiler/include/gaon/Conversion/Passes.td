//===- Passes.td - conversions into the npu dialect --------*- tablegen -*-===//

#ifndef GAON_CONVERSION_PASSES_TD
#define GAON_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// LinalgToNPU
//===----------------------------------------------------------------------===//

def ConvertLinalgToNPUPass
    : Pass<"gaon-convert-linalg-to-npu", "mlir::func::FuncOp"> {
  let summary = "Convert tiled, bufferized linalg ops on SRAM tiles into npu "
                "commands";
  let description = [{
    After tiling, promotion and bufferization every linalg op works on SRAM
    buffers and every copy moves a tile between DRAM and SRAM. This pass
    turns them into engine commands:

    - `linalg.copy` / `memref.copy` between DRAM and SRAM: `npu.dma` (the
      strided DRAM view is the DMA's gather/scatter pattern); between two
      SRAM buffers: `npu.vector.unary copy`; between two DRAM buffers: a DMA
      in and a DMA out through an SRAM staging buffer, in chunks of at most
      `staging-bytes`;
    - `linalg.fill`: `npu.vector.fill`;
    - a contraction (matmul, batch_matmul, transposed forms, a convolution
      tap): `npu.matmul ... accumulate` on 2-D views of the tiles (unit
      batch dims dropped, several M or N dims collapsed), with the operand
      order and `transposed` flags that match the output's layout;
    - an elementwise or reduction body: one `npu.vector.*` command per body
      op (binary ops with a constant operand become `npu.vector.scalar`,
      casts `npu.vector.cast`), on views of the operands permuted and
      expanded to the loop order so that broadcasting happens in the
      engine; intermediate values live in SRAM temporaries; a reduction
      computes its folded value and `npu.vector.reduce ... accumulate`s it
      into the output, one reduced loop at a time.

    Every command gets the location of the linalg op it came from. An op
    that cannot be converted (e.g. operands still in DRAM because the tile
    was not promoted) gets an error at its location.

    ```mlir
    // before
    linalg.matmul ins(%a, %b : memref<64x32xbf16, #sram>, memref<32x16xbf16, #sram>)
                  outs(%c : memref<64x16xf32, #sram>)
    // after
    npu.matmul %a, %b -> %c accumulate
        : memref<64x32xbf16, #sram>, memref<32x16xbf16, #sram> -> memref<64x16xf32, #sram>
    ```
  }];
  let dependentDialects = ["gaon::npu::NPUDialect",
                           "mlir::memref::MemRefDialect",
                           "mlir::scf::SCFDialect",
                           "mlir::arith::ArithDialect"];
  let options = [
    Option<"stagingBytes", "staging-bytes", "int64_t", /*default=*/"65536",
           "Largest SRAM chunk used to copy between two DRAM buffers">,
  ];
  let statistics = [
    Statistic<"numDma", "dma", "npu.dma commands created">,
    Statistic<"numMatmul", "matmul", "npu.matmul commands created">,
    Statistic<"numVector", "vector", "npu.vector.* commands created">,
  ];
}

#endif // GAON_CONVERSION_PASSES_TD
