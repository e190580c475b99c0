//===- KernelsBenchmark.cpp - timings of the CPU kernels ------------------===//
//
// Measured wall-clock figures for the kernels the simulator and the CPU
// reference spend their time in. Run: build/bin/gaon-kernels-bench.
//
//===----------------------------------------------------------------------===//

#include "gaon/Kernels/Ops.h"

#include <benchmark/benchmark.h>

#include <vector>

using namespace gaon::kernels;

namespace {

/// A contiguous buffer of `dtype` holding a deterministic ramp.
struct Tensor {
  Tensor(DType dtype, llvm::ArrayRef<int64_t> shape)
      : view(nullptr, dtype, shape, View::getContiguousStrides(shape)) {
    bytes.resize(view.getNumElements() * getByteWidth(dtype));
    view.data = bytes.data();
    for (int64_t i = 0, e = view.getNumElements(); i < e; ++i)
      storeElement(bytes.data() + i * getByteWidth(dtype), dtype,
                   ((i * 7919) % 1000) / 1000.0 - 0.5);
  }
  std::vector<std::byte> bytes;
  View view;
};

void BM_Matmul(benchmark::State &state, DType input, DType acc) {
  int64_t n = state.range(0);
  Tensor a(input, {n, n}), b(input, {n, n}), c(acc, {n, n});
  for (auto _ : state) {
    llvm::cantFail(matmul(a.view, false, b.view, false, c.view, false));
    benchmark::ClobberMemory();
  }
  state.counters["GFLOP/s"] = benchmark::Counter(
      2.0 * n * n * n, benchmark::Counter::kIsIterationInvariantRate,
      benchmark::Counter::kIs1000);
}
BENCHMARK_CAPTURE(BM_Matmul, f32, DType::F32, DType::F32)
    ->Arg(64)
    ->Arg(512)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_Matmul, bf16_f32, DType::BF16, DType::F32)
    ->Arg(64)
    ->Arg(512)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_Matmul, i8_i32, DType::I8, DType::I32)
    ->Arg(512)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_UnaryExp(benchmark::State &state) {
  Tensor x(DType::F32, {64, 1024}), y(DType::BF16, {64, 1024});
  for (auto _ : state)
    llvm::cantFail(unary(UnaryKind::Exp, x.view, y.view));
  state.SetItemsProcessed(state.iterations() * 64 * 1024);
}
BENCHMARK(BM_UnaryExp);

void BM_BinaryBroadcast(benchmark::State &state) {
  Tensor x(DType::F32, {64, 1024}), row(DType::F32, {64, 1}),
      y(DType::F32, {64, 1024});
  for (auto _ : state)
    llvm::cantFail(binary(BinaryKind::Sub, x.view, row.view, y.view));
  state.SetItemsProcessed(state.iterations() * 64 * 1024);
}
BENCHMARK(BM_BinaryBroadcast);

void BM_ReduceSum(benchmark::State &state) {
  Tensor x(DType::F32, {64, 1024}), y(DType::F32, {64, 1});
  for (auto _ : state)
    llvm::cantFail(reduce(ReduceKind::Sum, x.view, y.view, 1, false));
  state.SetItemsProcessed(state.iterations() * 64 * 1024);
}
BENCHMARK(BM_ReduceSum);

void BM_CopyStrided(benchmark::State &state) {
  Tensor x(DType::BF16, {512, 512}), y(DType::BF16, {512, 512});
  View transposed = x.view.permute({1, 0});
  for (auto _ : state)
    llvm::cantFail(copy(transposed, y.view));
  state.SetBytesProcessed(state.iterations() * 512 * 512 * 2);
}
BENCHMARK(BM_CopyStrided);

} // namespace

BENCHMARK_MAIN();
