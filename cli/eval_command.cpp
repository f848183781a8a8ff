// `gan eval`: score a generator the way the GAN paper does. --parzen fits a
// Gaussian Parzen window on generated samples and reports the test set's
// mean log-likelihood; --nearest writes Figure 2 (samples beside their
// nearest training images). Samples come from a checkpoint or a .npy file.
#include <cmath>
#include <memory>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "common.h"
#include "gan/core/error.h"
#include "gan/data/load.h"
#include "gan/eval/mode_coverage.h"
#include "gan/eval/nearest.h"
#include "gan/eval/parzen.h"
#include "gan/io/image.h"
#include "gan/io/npy.h"
#include "gan/models/sampling.h"
#include "gan/train/figures.h"
#include "gan/train/snapshot.h"

namespace gan::cli {
namespace {

struct EvalOptions {
  std::string checkpoint;
  std::string npy;
  std::string data_path;
  std::optional<int64_t> train_size;
  bool parzen = false;
  bool coverage = false;
  std::string toy;
  bool raw = false;
  std::string nearest;
  int64_t samples = 10000;
  int64_t validation = 1000;
  int64_t nearest_count = 32;
  int64_t seed = 0;
  bool json = false;
  int threads = 0;
  std::string device = "cpu";
};

// Samples in [0, 1] (pixels) as float [N, C, H, W], or points as they are.
torch::Tensor samples_from_npy(const std::string& path) {
  auto array = io::read_npy(path);
  if (array.scalar_type() == torch::kByte && array.dim() == 4) {
    // uint8 [N, H, W, C], as `gan sample` writes it.
    return array.permute({0, 3, 1, 2}).to(torch::kFloat32).div(255.0);
  }
  if (array.scalar_type() == torch::kByte && array.dim() == 3) {
    return array.unsqueeze(1).to(torch::kFloat32).div(255.0);  // [N, H, W]
  }
  return array.to(torch::kFloat32);
}

void run_eval(const EvalOptions& o) {
  if (o.checkpoint.empty() == o.npy.empty()) {
    throw Error("give exactly one of --checkpoint and --npy");
  }
  if (!o.parzen && !o.coverage && o.nearest.empty()) {
    throw Error(
        "nothing to evaluate; give --parzen, --coverage and/or --nearest "
        "FILE.png");
  }
  const auto device = set_up_process(o.threads, o.device);

  // Where samples come from, and which dataset they are scored against.
  data::DataConfig data_config;
  std::optional<train::LoadedGenerator> loaded;
  if (!o.checkpoint.empty()) {
    loaded = train::load_generator(o.checkpoint, device, o.raw);
    data_config = loaded->info.config.data;
  }
  if (!o.toy.empty()) {
    train::Config toy;
    train::apply_override(toy, "data.toy=" + o.toy);
    data_config.format = data::DataFormat::kToy;
    data_config.toy = toy.data.toy;
  }
  if (!o.data_path.empty()) data_config.path = o.data_path;
  if (o.train_size) data_config.train_size = *o.train_size;
  // Scores are computed on pixels in [0, 1], whatever range G works in.
  const auto model_range = data_config.range;
  data_config.range = data::PixelRange::kZeroOne;

  torch::manual_seed(static_cast<uint64_t>(o.seed));
  torch::Tensor samples;
  if (loaded) {
    samples = data::to_unit_range(
        models::generate(*loaded->generator, loaded->info.config.model.prior,
                         o.samples, device),
        model_range);
  } else {
    samples = samples_from_npy(o.npy);
  }

  nlohmann::json report;
  report["source"] = loaded ? o.checkpoint : o.npy;
  if (loaded) report["step"] = loaded->info.step;
  report["samples"] = samples.size(0);

  if (o.parzen) {
    const auto valid =
        data::load_dataset(data_config, data::Split::kValidation);
    const auto test = data::load_dataset(data_config, data::Split::kTest);
    const int64_t n_valid = std::min(o.validation, valid.size());
    const auto valid_x =
        data::pixels_to_float(valid.examples().slice(0, 0, n_valid),
                              data::PixelRange::kZeroOne);
    const auto test_x = data::pixels_to_float(test.examples(),
                                              data::PixelRange::kZeroOne);
    const auto r = eval::parzen_evaluate(samples, valid_x, test_x);
    report["parzen"] = {{"log_likelihood", r.log_likelihood},
                        {"std_error", r.std_error},
                        {"sigma", r.sigma},
                        {"sigmas", r.sigmas},
                        {"validation_scores", r.validation_scores},
                        {"validation_images", n_valid},
                        {"test_images", r.num_test}};
    if (!o.json) {
      fmt::print(
          "Parzen log-likelihood of {} test images: {:.2f} +- {:.2f} "
          "(sigma {:.4f} chosen on {} validation images, {} samples)\n",
          r.num_test, r.log_likelihood, r.std_error, r.sigma, n_valid,
          samples.size(0));
    }
  }

  if (o.coverage) {
    if (data_config.format != data::DataFormat::kToy) {
      throw Error(
          "--coverage scores toy mixtures; this checkpoint was trained on "
          "images (hint: --toy ring|grid|gaussian_1d for a .npy of points)");
    }
    // The samples of the run's figures, so the numbers match the pictures.
    const auto points =
        loaded ? train::fixed_seed_samples(*loaded->generator,
                                           loaded->info.config.model.prior,
                                           train::kToyFigureSamples, device)
               : samples;
    const auto mixture = data::toy_mixture(data_config.toy);
    const auto c = eval::mode_coverage(points.flatten(1), mixture.means,
                                       mixture.std);
    report["coverage"] = {{"modes", c.modes},
                          {"modes_captured", c.modes_captured},
                          {"high_quality", c.high_quality},
                          {"samples", points.size(0)},
                          {"counts", c.counts}};
    if (std::isfinite(c.reverse_kl)) {
      report["coverage"]["reverse_kl"] = c.reverse_kl;
    } else {
      report["coverage"]["reverse_kl"] = nullptr;
    }
    if (!o.json) {
      fmt::print(
          "modes captured: {} of {}; high-quality samples: {:.1f}% (within "
          "3 std of a mode, {} samples); reverse KL: {:.4f}\n",
          c.modes_captured, c.modes, 100 * c.high_quality, points.size(0),
          c.reverse_kl);
    }
  }

  if (!o.nearest.empty()) {
    const auto train = data::load_dataset(data_config, data::Split::kTrain);
    const int64_t n = std::min(o.nearest_count, samples.size(0));
    const auto shown = samples.slice(0, 0, n);
    const auto index = eval::nearest_neighbours(
        shown,
        data::pixels_to_float(train.examples(), data::PixelRange::kZeroOne));
    const auto neighbours = data::pixels_to_float(
        train.examples().index_select(0, index), data::PixelRange::kZeroOne);
    // Four pairs per row: sample, nearest training image, sample, ...
    io::write_image_grid(o.nearest,
                         eval::pair_with_neighbours(shown, neighbours),
                         /*columns=*/8);
    report["nearest"] = o.nearest;
    if (!o.json) fmt::print("wrote {}\n", o.nearest);
  }

  if (o.json) fmt::print("{}\n", report.dump());
}

}  // namespace

void add_eval_command(CLI::App& app) {
  auto options = std::make_shared<EvalOptions>();
  auto* cmd = app.add_subcommand(
      "eval", "Score a generator: Parzen log-likelihood, nearest neighbours");
  cmd->add_option("--checkpoint", options->checkpoint,
                  "checkpoint file, or a run folder (its latest checkpoint)");
  cmd->add_option("--npy", options->npy,
                  "score samples from a .npy file instead (uint8 N x H x W "
                  "x C, as gan sample writes)");
  cmd->add_option("--data", options->data_path,
                  "dataset folder to score against (default: the "
                  "checkpoint's, else Fashion-MNIST)");
  cmd->add_option("--train-size", options->train_size,
                  "leading training images of that folder; the rest are the "
                  "validation split (default: the checkpoint's, else 50000)");
  cmd->add_flag("--parzen", options->parzen,
                "Parzen-window log-likelihood of the test set (the paper's "
                "Table 1)");
  cmd->add_flag("--coverage", options->coverage,
                "mode coverage of a toy mixture: modes captured, share of "
                "samples within 3 std of a mode, reverse KL (2,500 samples)");
  cmd->add_option("--toy", options->toy,
                  "the mixture --npy points are scored against (ring, grid, "
                  "gaussian_1d)");
  cmd->add_flag("--raw", options->raw,
                "use G's trained weights even when the run kept a moving "
                "average of them");
  cmd->add_option("--nearest", options->nearest,
                  "write the paper's Figure 2 to this PNG: samples beside "
                  "their nearest training images");
  cmd->add_option("--samples", options->samples,
                  "samples drawn for the Parzen window")
      ->capture_default_str();
  cmd->add_option("--validation", options->validation,
                  "validation images that choose the window width")
      ->capture_default_str();
  cmd->add_option("--nearest-count", options->nearest_count,
                  "samples shown in the nearest-neighbour figure")
      ->capture_default_str();
  cmd->add_option("--seed", options->seed, "seed of the latent draws")
      ->capture_default_str();
  cmd->add_flag("--json", options->json, "print one JSON object");
  cmd->add_option("--threads", options->threads, "CPU threads (0: all)");
  cmd->add_option("--device", options->device, "cpu, cuda or cuda:N")
      ->capture_default_str();
  cmd->callback([options] { run_eval(*options); });
}

}  // namespace gan::cli
