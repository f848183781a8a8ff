// Draws samples from a generator trained with `gan train` and writes them
// as one PNG grid: a small program using gan as an installed library.
//
//   sample_from_checkpoint CHECKPOINT OUT.png [COUNT]
//
// CHECKPOINT is a .ckpt file or a run folder (its latest checkpoint is
// used); COUNT samples are drawn (default 64).
#include <cstdint>
#include <cstdio>
#include <exception>
#include <string>

#include <torch/utils.h>

#include <gan/core/error.h>
#include <gan/data/dataset.h>
#include <gan/io/image.h>
#include <gan/models/sampling.h>
#include <gan/train/snapshot.h>

int main(int argc, char** argv) {
  if (argc < 3 || argc > 4) {
    std::fprintf(stderr, "usage: %s CHECKPOINT OUT.png [COUNT]\n", argv[0]);
    return 2;
  }
  const std::string checkpoint = argv[1];
  const std::string out = argv[2];

  try {
    const int64_t count = argc == 4 ? std::stoll(argv[3]) : 64;
    if (count < 1) throw gan::Error("COUNT must be at least 1");

    // G on the CPU, in eval mode: the moving average of its weights when
    // the run kept one. The checkpoint's config says which prior z comes
    // from and how pixels are scaled.
    const auto loaded = gan::train::load_generator(checkpoint, torch::kCPU);
    auto& generator = *loaded.generator;
    const auto& config = loaded.info.config;
    if (loaded.info.spec.sample_shape.size() != 3) {
      throw gan::Error(checkpoint +
                       ": this generator makes points, not images");
    }

    // A class-conditional generator needs a class per sample: cycle
    // through them all.
    torch::Tensor labels;
    if (generator.num_classes() > 0) {
      labels = torch::arange(count, torch::kInt64)
                   .remainder(generator.num_classes());
    }

    // G(z) for z ~ p_z, then the grid with values mapped to [0, 1].
    torch::manual_seed(0);
    const auto samples =
        gan::models::generate(generator, config.model.prior, count, torch::kCPU,
                              /*batch=*/500, labels);
    gan::io::write_image_grid(
        out, gan::data::to_unit_range(samples, config.data.range));
    std::printf("wrote %lld samples to %s\n", static_cast<long long>(count),
                out.c_str());
  } catch (const std::exception& e) {
    // gan throws gan::Error with a message naming what went wrong.
    std::fprintf(stderr, "error: %s\n", gan::describe(e).c_str());
    return 1;
  }
  return 0;
}
