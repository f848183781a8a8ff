// Google Benchmark timings of the pieces of a paper-MLP training step, to
// see where a step's time goes: the matrix products at the nets' shapes,
// one maxout layer forward and backward, and the whole step.
//
//   build/bench/gan_micro --benchmark_filter=Sgemm
#include <benchmark/benchmark.h>

#include <ATen/CPUGeneratorImpl.h>

#include "gan/core/runtime.h"
#include "gan/models/maxout.h"
#include "gan/train/trainer.h"

namespace {

// C = A B with A [m, k] and B [k, n]; reports GFLOP/s.
void BM_Sgemm(benchmark::State& state) {
  const int64_t m = state.range(0), k = state.range(1), n = state.range(2);
  auto a = torch::randn({m, k});
  auto b = torch::randn({k, n});
  auto c = torch::empty({m, n});
  for (auto _ : state) torch::mm_out(c, a, b);
  state.counters["GFLOP/s"] = benchmark::Counter(
      2.0 * m * k * n, benchmark::Counter::kIsIterationInvariantRate,
      benchmark::Counter::kIs1000);
}
// The paper D's first layer (batch 200 = real + fake), G's middle and
// output layers (batch 100), and a weight gradient (transposed shapes).
BENCHMARK(BM_Sgemm)
    ->Args({200, 784, 1200})
    ->Args({100, 1200, 1200})
    ->Args({100, 1200, 784})
    ->Args({1200, 200, 784})
    ->Args({1024, 1024, 1024});

// D's first maxout layer (784 -> 240 x 5) on 200 inputs, forward and
// backward.
void BM_MaxoutForwardBackward(benchmark::State& state) {
  gan::models::Maxout layer(784, 240, 5, /*spectral_norm=*/false);
  auto x = torch::rand({200, 784});
  for (auto _ : state) {
    layer->zero_grad();
    layer->forward(x).sum().backward();
  }
  state.SetItemsProcessed(state.iterations() * 200);
}
BENCHMARK(BM_MaxoutForwardBackward);

// One whole step of Algorithm 1 with the paper's nets (batch 100) on
// random pixels.
void BM_PaperStep(benchmark::State& state) {
  auto generator = at::detail::createCPUGenerator(1);
  auto pixels = torch::randint(0, 256, {10000, 1, 28, 28}, generator,
                               torch::TensorOptions(torch::kUInt8));
  gan::train::Config config;
  config.train.threads = gan::available_cores() >= 2 ? 2 : 1;
  gan::train::Trainer trainer(
      config,
      gan::data::Dataset(pixels, {}, 0, gan::data::PixelRange::kZeroOne),
      torch::kCPU);
  for (auto _ : state) trainer.step();
  state.SetItemsProcessed(state.iterations() * config.train.batch_size);
}
BENCHMARK(BM_PaperStep)->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  gan::configure_threads(0);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
