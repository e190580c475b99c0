//===- Passes.td - NPU tiling, placement and scheduling ----*- tablegen -*-===//
//
// The NPU level of DESIGN "IR levels" (item 3): tile linalg ops to the
// target's SRAM and engines, place tiles in SRAM, and once they are `npu`
// commands, assign cores, double-buffer, unroll, spread DMAs over the DMA
// engines, allocate SRAM addresses and insert semaphores. Every pass reads
// the chip from the `npu.target` attribute in scope.
//
//===----------------------------------------------------------------------===//

#ifndef GAON_DIALECT_NPU_TRANSFORMS_PASSES_TD
#define GAON_DIALECT_NPU_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def TileLinalgPass : Pass<"gaon-tile-linalg", "mlir::func::FuncOp"> {
  let summary = "Tile linalg ops to the target's SRAM and engine shapes, "
                "fusing producers and consumers into each tile";
  let description = [{
    Groups linalg ops on tensors and tiles each group with upstream
    TilingInterface tiling (`scf::tileConsumerAndFuseProducersUsingSCF`):

    1. *Grouping.* Walking the function backwards, each op not yet in a group
       roots one; its producers join the group when all their users are in
       it: fills always, a contraction or convolution when the group has
       none yet and only elementwise ops consume it (the epilogue: bias,
       activation, cast), elementwise ops and reductions when no contraction
       in the group consumes them (no recomputed prologue).
    2. *Tile sizes* come from the group's anchor (its contraction or
       convolution, else its root) and the target: for a contraction the
       M, N and K tiles (divisors of the loop ranges) are those whose
       double-buffered operand tiles and output tile (the accumulator, plus
       the epilogue's temporaries and result; one or two buffers) fit in
       `sram-fraction` of the SRAM with the least modeled time: tensor-engine
       cycles in the operand order the conversion picks, DRAM traffic over
       the core's bandwidth share with every strided run shorter than
       `dram_row_bytes` paying `dram_row_switch_bytes`, each DMA command's
       start-up and latency, loads overlapped with compute, and the store
       overlapped with the next tile only with two output buffers. Loops
       that a group member reduces over stay whole.
    3. The root's parallel loops become an `scf.forall` over tiles (one
       iteration per tile; `gaon-assign-cores` spreads them over cores) with
       the group fused into its body.
    4. Inside a tile, reduction loops of contractions (K) and the input
       channels of convolutions become `scf.for` loops, and window loops of
       convolutions and pooling are tiled to 1; each window tap is rewritten
       as a `linalg.generic` on a strided `tensor.extract_slice` of the
       input, so that a convolution is a sum of strided contractions.

    ```mlir
    // before
    %0 = linalg.matmul ins(%a, %b : tensor<512x512xbf16>, tensor<512x512xbf16>)
                       outs(%fill : tensor<512x512xf32>) -> tensor<512x512xf32>
    // after
    %0 = scf.forall (%i, %j) in (2, 2) shared_outs(%o = %fill) -> tensor<512x512xf32> {
      %f = linalg.fill ... -> tensor<256x256xf32>
      %r = scf.for %k = %c0 to %c512 step %c256 iter_args(%acc = %f) {
        %m = linalg.matmul ins(%at, %bt : tensor<256x256xbf16>, tensor<256x256xbf16>)
                           outs(%acc : tensor<256x256xf32>) -> tensor<256x256xf32>
        scf.yield %m : tensor<256x256xf32>
      }
      scf.forall.in_parallel { tensor.parallel_insert_slice %r into %o[...] }
    }
    ```
  }];
  let dependentDialects = ["mlir::scf::SCFDialect",
                           "mlir::tensor::TensorDialect",
                           "mlir::linalg::LinalgDialect",
                           "mlir::affine::AffineDialect",
                           "mlir::arith::ArithDialect"];
  let options = [
    Option<"sramFraction", "sram-fraction", "double", /*default=*/"0.75",
           "Fraction of a core's SRAM the tiles of one group may use">,
    Option<"fuse", "fuse", "bool", /*default=*/"true",
           "Fuse producers into their consumers' tiles (false: every op is "
           "tiled on its own)">,
    ListOption<"tileSizes", "tile-sizes", "int64_t",
               "Override: tile sizes of the anchor's loops (0 keeps a loop "
               "whole), for experiments">,
  ];
  let statistics = [
    Statistic<"numGroups", "groups", "Groups of fused ops tiled">,
    Statistic<"numFused", "fused-ops", "Ops fused into another op's tile">,
    Statistic<"numTiles", "tiles", "Parallel tiles created">,
    Statistic<"numTaps", "window-taps", "Window ops rewritten as taps">,
  ];
}

def PromoteTilesPass : Pass<"gaon-promote-tiles", "mlir::func::FuncOp"> {
  let summary = "Place every tile a linalg op reads or writes in SRAM";
  let description = [{
    Inside the tile loops made by `gaon-tile-linalg`, gives every operand of
    a linalg op a home in the SRAM memory space, on tensors, before
    bufferization:

    - an input that comes from DRAM (a slice of a function argument or of
      an intermediate tensor) is copied with `linalg.copy` into a
      `bufferization.alloc_tensor() {memory_space = #npu.memory_space<sram>}`
      right where it is sliced (inside a K loop for K slices);
    - an output (init) becomes such an alloc_tensor, after a copy from DRAM
      if the op reads it (an accumulating matmul, a reduction into an
      initialised tensor);
    - results of ops in the tile stay in SRAM; the tile result reaches DRAM
      through the loop's `tensor.parallel_insert_slice`.

    Function arguments are marked `bufferization.writable = false`: they
    are the program's inputs, and an op that updates one in place gets its
    own output buffer.

    One-shot bufferization then turns each alloc_tensor into a
    `memref.alloc` in SRAM, each `linalg.copy` into a DMA-able copy, and
    the parallel insert into a copy from SRAM to the DRAM result.

    ```mlir
    // before (inside a tile)
    %m = linalg.matmul ins(%a_slice, %b_slice : ...) outs(%acc : ...)
    // after
    %sa = bufferization.alloc_tensor() {memory_space = #npu.memory_space<sram>}
    %pa = linalg.copy ins(%a_slice : ...) outs(%sa : ...)
    ... the same for %b_slice ...
    %m = linalg.matmul ins(%pa, %pb : ...) outs(%acc : ...)
    ```
  }];
  let dependentDialects = ["mlir::bufferization::BufferizationDialect",
                           "mlir::linalg::LinalgDialect",
                           "gaon::npu::NPUDialect"];
  let statistics = [
    Statistic<"numLoads", "promoted-inputs", "Inputs copied into SRAM">,
    Statistic<"numOutputs", "promoted-outputs", "Outputs placed in SRAM">,
  ];
}

def AssignCoresPass : Pass<"gaon-assign-cores", "mlir::func::FuncOp"> {
  let summary = "Spread the tiles of each tile loop over the target's cores";
  let description = [{
    Replaces each `scf.forall` tile loop by one `scf.for` per core over a
    contiguous block of its tiles (linear tile index, delinearised back into
    the forall's indices) and sets `core` on every npu command in that
    core's copy. Cores get ceil(tiles / cores) tiles each, the last ones
    fewer; with fewer tiles than cores some cores stay idle. npu commands
    outside any tile loop run on core 0.

    ```mlir
    // before, on a 2-core target
    scf.forall (%i) in (4) { npu.dma ... }
    // after
    scf.for %t = %c0 to %c2 step %c1 { npu.dma ... }            // core 0
    scf.for %t = %c2 to %c4 step %c1 { npu.dma ... {core = 1} }  // core 1
    ```
  }];
  let dependentDialects = ["mlir::scf::SCFDialect",
                           "mlir::affine::AffineDialect",
                           "mlir::arith::ArithDialect"];
  let statistics = [
    Statistic<"numLoops", "tile-loops", "Tile loops distributed">,
    Statistic<"numIdleCores", "idle-cores",
              "Core slots left without a tile (summed over loops)">,
  ];
}

def DoubleBufferPass : Pass<"gaon-double-buffer", "mlir::func::FuncOp"> {
  let summary = "Give each SRAM buffer of a loop body one copy per "
                "in-flight iteration, so DMA overlaps compute";
  let description = [{
    For every `scf.for` (innermost first), multi-buffers each SRAM
    `memref.alloc` of its body with upstream `memref::multiBuffer`: the
    alloc gets a leading dimension of `buffers` and iteration i uses slot
    i mod `buffers`. With two slots the DMA engines load iteration i+1's
    tiles while the tensor engine works on iteration i's, and a tile's
    result is stored while the next tile computes. A buffer already
    multi-buffered for an inner loop is not multiplied again. A loop's
    buffers keep a single copy when their copies, with the buffers the
    loop body already holds, would not fit the target's SRAM
    (`gaon-tile-linalg` sizes some tiles for one output buffer: a larger
    tile that waits for its predecessor's store can beat two smaller ones).

    ```mlir
    // before
    scf.for %k = %c0 to %c512 step %c128 {
      %a = memref.alloc() : memref<128x128xbf16, #npu.memory_space<sram>>
      npu.dma %src -> %a ...
    }
    // after
    %a2 = memref.alloc() : memref<2x128x128xbf16, #npu.memory_space<sram>>
    scf.for %k = %c0 to %c512 step %c128 {
      %a = memref.subview %a2[(%k / 128) mod 2, 0, 0] [1, 128, 128] [1, 1, 1]
      npu.dma %src -> %a ...
    }
    ```
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect",
                           "mlir::affine::AffineDialect",
                           "mlir::arith::ArithDialect"];
  let options = [
    Option<"buffers", "buffers", "unsigned", /*default=*/"2",
           "Copies of each loop-body buffer (1 disables the pass)">,
  ];
  let statistics = [
    Statistic<"numBuffered", "multi-buffered", "SRAM buffers multi-buffered">,
    Statistic<"numTooLarge", "single-buffered",
              "Buffers left single because their copies would not fit">,
  ];
}

def UnrollLoopsPass : Pass<"gaon-unroll-loops", "mlir::func::FuncOp"> {
  let summary = "Fully unroll the tile loops into straight-line commands";
  let description = [{
    The NPU program is, per core, in-order queues of commands without
    control flow. This pass fully unrolls every `scf.for` (their bounds are
    constants after tiling) with upstream `loopUnrollFull`, then folds the
    index arithmetic so that every `memref.subview` has static offsets and
    every command a static layout. Scheduling, SRAM allocation and
    synchronisation then work on straight-line code.

    ```mlir
    // before
    scf.for %k = %c0 to %c256 step %c128 { npu.matmul ... }
    // after
    npu.matmul ...
    npu.matmul ...
    ```
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect",
                           "mlir::arith::ArithDialect",
                           "mlir::affine::AffineDialect"];
  let statistics = [
    Statistic<"numUnrolled", "unrolled-loops", "Loops unrolled">,
    Statistic<"numCommands", "commands", "npu commands after unrolling">,
  ];
}

def AssignDmaQueuesPass : Pass<"gaon-assign-dma-queues", "mlir::func::FuncOp"> {
  let summary = "Spread DMA commands over each core's DMA engines";
  let description = [{
    Engine-level overlap for the DMA engines of a core: with more than one
    engine, stores (SRAM to DRAM) get the last queue of their core, so a
    store that waits for its tile's epilogue never blocks the next tile's
    loads, and loads go to whichever of the other queues has the fewest
    bytes queued so far. With one engine everything stays on queue 0.

    ```mlir
    // on a target with 3 DMA engines
    npu.dma %a -> %sa {queue = 0}   // load, 16 KiB queued on queue 0
    npu.dma %b -> %sb {queue = 1}   // load, queue 1 was emptier
    npu.dma %sc -> %c {queue = 2}   // store
    ```
  }];
  let statistics = [
    Statistic<"numLoads", "loads", "DRAM-to-SRAM DMAs assigned">,
    Statistic<"numStores", "stores", "SRAM-to-DRAM DMAs assigned">,
  ];
}

def AllocateSramPass : Pass<"gaon-allocate-sram", "mlir::func::FuncOp"> {
  let summary = "Give every SRAM buffer an address, reusing space of dead "
                "buffers";
  let description = [{
    On straight-line npu code, replaces each SRAM `memref.alloc` by an
    `npu.alloc` with a byte `address` on the core its users run on. A
    buffer lives from its first to its last use in program order; buffers
    are placed first-fit in order of their first use, at `alignment`-byte
    boundaries, reusing the space of buffers that are dead. If a core's
    buffers do not fit, the pass fails with an error at the alloc that did
    not fit, saying how many bytes were live and how many the target has.
    Reuse orders engines: a DMA that overwrites a dead buffer's space waits
    for that buffer's last reader (`gaon-insert-sync` sees the shared
    addresses).

    ```mlir
    // before
    %a = memref.alloc() : memref<64x64xbf16, #npu.memory_space<sram>>
    // after
    %a = npu.alloc address 8192 {core = 1} : memref<64x64xbf16, #npu.memory_space<sram>>
    ```
  }];
  let dependentDialects = ["gaon::npu::NPUDialect"];
  let options = [
    Option<"alignment", "alignment", "int64_t", /*default=*/"64",
           "Byte alignment of every buffer">,
  ];
  let statistics = [
    Statistic<"numBuffers", "buffers", "SRAM buffers placed">,
    Statistic<"peakBytes", "peak-bytes",
              "Highest SRAM address in use on any core">,
    Statistic<"reusedBytes", "reused-bytes",
              "Bytes placed in space a dead buffer used before">,
  ];
}

def SinkStoresPass : Pass<"gaon-sink-stores", "mlir::func::FuncOp"> {
  let summary = "Issue a store after the loads queued behind it on its DMA "
                "queue";
  let description = [{
    A DMA queue runs its commands in program order. On a chip with one DMA
    engine per core, the store of a tile's result shares the queue with the
    loads of the next tile: it waits for the tile's last compute command
    and holds those loads back, so every tile starts with an empty
    pipeline. On straight-line npu code with SRAM addresses (before
    gaon-insert-sync), this pass moves each store past the loads of its
    queue that follow it, up to the first command that uses one of them
    (later loads of the queue wait for the same compute as the store), and
    not past a load that waits for a command of another queue coming after
    the store's producer (it may be ready later than the store). A store
    never passes a command it conflicts with (the same SRAM bytes or DRAM
    elements, one of the two writing) nor another store of its queue, so
    every dependency keeps its order.

    ```mlir
    // before: the store waits for the last matmul, the next loads wait
    // behind it
    npu.matmul %a1, %b1 -> %acc0
    npu.dma %acc0 -> %c0
    npu.dma %a_next -> %a0
    npu.matmul %a0, %b0 -> %acc1
    // after
    npu.matmul %a1, %b1 -> %acc0
    npu.dma %a_next -> %a0
    npu.dma %acc0 -> %c0
    npu.matmul %a0, %b0 -> %acc1
    ```
  }];
  let dependentDialects = ["gaon::npu::NPUDialect"];
  let options = [
    Option<"window", "window", "int64_t", /*default=*/"256",
           "Commands after a store it may move past (bounds compile time)">,
  ];
  let statistics = [
    Statistic<"numSunk", "stores", "Stores issued later">,
    Statistic<"numOvertaken", "loads",
              "Loads moved ahead of a store on their queue">,
  ];
}

def InsertSyncPass : Pass<"gaon-insert-sync", "mlir::func::FuncOp"> {
  let summary = "Order the engines' command queues with semaphores";
  let description = [{
    On straight-line npu code, finds for each command the last earlier
    command of every other queue (a DMA engine, the tensor or the vector
    engine of some core) that touches the same bytes of SRAM or DRAM with
    at least one of the two writing, and makes the command wait for it.
    Each ordered pair of queues shares one counting semaphore: the producer
    signals it, the consumer waits on it, in program order on both sides,
    so the k-th wait matches the k-th signal. Waits already implied by
    earlier ones (tracked with vector clocks) are left out. Commands of one
    queue stay in program order without semaphores.

    ```mlir
    // before
    npu.dma %a -> %sa {queue = 0}
    npu.matmul %sa, %sb -> %acc
    // after
    %s0 = npu.semaphore
    npu.dma %a -> %sa signal(%s0) {queue = 0}
    npu.matmul %sa, %sb -> %acc wait(%s0)
    ```
  }];
  let dependentDialects = ["gaon::npu::NPUDialect"];
  let statistics = [
    Statistic<"numSemaphores", "semaphores", "Semaphores created">,
    Statistic<"numWaits", "waits", "Waits inserted">,
    Statistic<"numImplied", "implied-waits",
              "Dependencies already implied by earlier waits">,
  ];
}

#endif // GAON_DIALECT_NPU_TRANSFORMS_PASSES_TD
