// gan's side of the side-by-side benchmark: runs one case through the
// library exactly as `gan train` / `gan sample` do (Trainer::step, generate)
// and prints one JSON object: case, images_per_second, seconds, steps,
// peak_rss_mib. bench/compare.py alternates it with bench/pytorch_twin.py.
//
//   gan_case --case mlp-train --threads 2 [--seconds 10]
//
// Cases: mlp-train (the paper's nets on Fashion-MNIST, batch 100),
// mlp-train-bf16 (the same with train.precision = "bf16"),
// dcgan1-train / dcgan3-train (DCGAN at 32 x 32, 1 or 3 channels, batch 64,
// synthetic pixels: speed does not depend on their values), mlp-sample and
// dcgan3-sample (G alone, large batches), data (shuffled, scaled real
// minibatches of 100), sgemm (the best single-precision matrix-product rate
// at the paper nets' shapes: the peak the others are measured against).
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <string>

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "gan/core/runtime.h"
#include "gan/data/load.h"
#include "gan/data/sampler.h"
#include "gan/models/factory.h"
#include "gan/models/sampling.h"
#include "gan/train/trainer.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Timing {
  int64_t steps = 0;
  double seconds = 0;
};

// Calls `run_one` `warmup` times, then until both `seconds` and `min_steps`
// are reached.
Timing timed(const std::function<void()>& run_one, int warmup, double seconds,
             int64_t min_steps) {
  for (int i = 0; i < warmup; ++i) run_one();
  Timing t;
  const auto start = Clock::now();
  while (true) {
    run_one();
    ++t.steps;
    t.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    if (t.seconds >= seconds && t.steps >= min_steps) return t;
  }
}

double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024.0;  // ru_maxrss is in KiB on Linux
}

gan::train::Config dcgan_config(int64_t channels) {
  gan::train::Config config;
  config.data.range = gan::data::PixelRange::kMinusOneOne;
  config.data.channels = channels;
  config.model.family = gan::models::ModelFamily::kDcgan;
  config.model.prior = gan::models::PriorKind::kNormal;
  config.optim.kind = gan::train::OptimizerKind::kAdam;
  config.optim.lr = 2e-4;
  config.optim.lr_decay = 1.0;
  config.optim.beta1 = 0.5;
  config.optim.beta2 = 0.999;
  config.train.batch_size = 64;
  return config;
}

// Synthetic uint8 images [N, C, 32, 32], the same for every run.
gan::data::Dataset synthetic_images(int64_t channels) {
  auto generator = at::detail::createCPUGenerator(1);
  auto pixels = torch::randint(0, 256, {50000, channels, 32, 32}, generator,
                               torch::TensorOptions(torch::kUInt8));
  return gan::data::Dataset(pixels, {}, 0, gan::data::PixelRange::kMinusOneOne);
}

// GFLOP/s of C = A B for the shapes the paper's nets multiply (forward and
// backward of batch 100 and 200), plus one large square product; the best.
double sgemm_peak(double seconds) {
  struct Shape {
    int64_t m, k, n;
  };
  const Shape shapes[] = {{200, 784, 1200},
                          {200, 1200, 1200},
                          {100, 1200, 784},
                          {1200, 200, 1200},
                          {1024, 1024, 1024}};
  double best = 0;
  for (const auto& s : shapes) {
    auto a = torch::randn({s.m, s.k});
    auto b = torch::randn({s.k, s.n});
    auto c = torch::empty({s.m, s.n});
    const auto t = timed([&] { torch::mm_out(c, a, b); }, 3,
                         seconds / std::size(shapes), 5);
    best = std::max(best, 2.0 * s.m * s.k * s.n * t.steps / t.seconds / 1e9);
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  std::string which;
  int threads = 2;
  double seconds = 10;
  int64_t sample_batch = 1000;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    const std::string value = argv[i + 1];
    if (key == "--case")
      which = value;
    else if (key == "--threads")
      threads = std::stoi(value);
    else if (key == "--seconds")
      seconds = std::stod(value);
    else if (key == "--sample-batch")
      sample_batch = std::stoll(value);
    else {
      std::fprintf(stderr, "gan_case: unknown option %s\n", key.c_str());
      return 1;
    }
  }
  gan::configure_threads(threads);
  torch::manual_seed(1);

  Timing t;
  int64_t images_per_call = 0;
  double gflops = 0;
  if (which == "mlp-train" || which == "mlp-train-bf16" ||
      which == "dcgan1-train" || which == "dcgan3-train") {
    const bool mlp = which.rfind("mlp-train", 0) == 0;
    auto config = mlp ? gan::train::Config() : dcgan_config(which[5] - '0');
    config.train.threads = threads;
    if (which == "mlp-train-bf16") config.train.precision = "bf16";
    auto data =
        mlp ? gan::data::load_dataset(config.data, gan::data::Split::kTrain)
            : synthetic_images(config.data.channels);
    gan::train::Trainer trainer(config, std::move(data), torch::kCPU);
    t = timed([&] { trainer.step(); }, 5, seconds, 10);
    images_per_call = config.train.batch_size;
  } else if (which == "mlp-sample" || which == "dcgan3-sample") {
    auto config =
        which == "mlp-sample" ? gan::train::Config() : dcgan_config(3);
    gan::models::DataSpec spec;
    spec.sample_shape = which == "mlp-sample" ? std::vector<int64_t>{1, 28, 28}
                                              : std::vector<int64_t>{3, 32, 32};
    spec.output = which == "mlp-sample"
                      ? gan::models::OutputActivation::kSigmoid
                      : gan::models::OutputActivation::kTanh;
    auto generator = gan::models::make_generator(config.model, spec);
    t = timed(
        [&] {
          gan::models::generate(*generator, config.model.prior, sample_batch,
                                torch::kCPU, sample_batch);
        },
        2, seconds, 3);
    images_per_call = sample_batch;
  } else if (which == "data") {
    gan::train::Config config;
    const auto data =
        gan::data::load_dataset(config.data, gan::data::Split::kTrain);
    gan::data::EpochSampler sampler(data.size(), 100, 1);
    int64_t index = 0;
    t = timed(
        [&] {
          const int64_t epoch = index / sampler.batches_per_epoch();
          data.batch(sampler.batch(epoch, index), torch::kCPU);
          ++index;
        },
        5, seconds, 10);
    images_per_call = 100;
  } else if (which == "sgemm") {
    gflops = sgemm_peak(seconds);
  } else {
    std::fprintf(stderr, "gan_case: unknown case '%s'\n", which.c_str());
    return 1;
  }

  if (which == "sgemm") {
    // "blas" names the kernels the peak was measured with (OpenBLAS picks
    // them per CPU, and OPENBLAS_CORETYPE overrides its choice).
    const nlohmann::json line = {{"tool", "gan"},
                                 {"case", "sgemm"},
                                 {"threads", threads},
                                 {"gflops", gflops},
                                 {"blas", gan::blas_backend()}};
    std::printf("%s\n", line.dump().c_str());
    return 0;
  }
  std::printf(
      "%s\n",
      fmt::format(R"({{"tool": "gan", "case": "{}", "threads": {}, )"
                  R"("steps": {}, "seconds": {:.4f}, )"
                  R"("images_per_second": {:.2f}, "peak_rss_mib": {:.1f}}})",
                  which, threads, t.steps, t.seconds,
                  images_per_call * t.steps / t.seconds, peak_rss_mib())
          .c_str());
  return 0;
}
