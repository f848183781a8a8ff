// `gan sample`: samples from a checkpoint's generator as a PNG grid and/or a
// .npy array, or the paper's latent interpolations (Figure 3).
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "commands.h"
#include "common.h"
#include "gan/core/error.h"
#include "gan/data/dataset.h"
#include "gan/io/image.h"
#include "gan/io/npy.h"
#include "gan/models/sampling.h"
#include "gan/train/snapshot.h"

namespace gan::cli {
namespace {

struct SampleOptions {
  std::string checkpoint;
  std::vector<std::string> outs;
  int64_t count = 100;
  int64_t seed = 0;
  int64_t columns = 0;
  bool interpolate = false;
  int64_t rows = 10;
  int64_t steps = 10;
  std::optional<int64_t> label;
  bool raw = false;
  int threads = 0;
  std::string device = "cpu";
};

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Writes `samples` (float [N, ...S] in the data's range) to every output.
void write_outputs(const SampleOptions& o, const torch::Tensor& samples,
                   const models::DataSpec& spec, data::PixelRange range,
                   int64_t columns) {
  const bool image = spec.output != models::OutputActivation::kIdentity;
  for (const auto& out : o.outs) {
    if (ends_with(out, ".npy")) {
      // Images as uint8 [N, H, W, C], the layout numpy and PIL expect;
      // points as float32 [N, D].
      io::write_npy(out, image ? data::float_to_pixels(samples, range)
                                     .permute({0, 2, 3, 1})
                                     .contiguous()
                               : samples.to(torch::kFloat32));
    } else if (image) {
      io::write_image_grid(out, data::to_unit_range(samples, range), columns);
    } else {
      throw Error(fmt::format(
          "{}: this checkpoint makes points, not images; write .npy", out));
    }
    fmt::print("wrote {}\n", out);
  }
}

// Classes for `n` samples of a conditional generator: all `label` when
// given, else every class in turn, sorted so that a grid shows one class
// per row. Undefined for unconditional generators.
torch::Tensor sample_labels(const models::Generator& generator, int64_t n,
                            const std::optional<int64_t>& label) {
  const int64_t classes = generator.num_classes();
  if (classes == 0) {
    if (label) throw Error("--class: this generator is not class-conditional");
    return {};
  }
  if (label) {
    if (*label < 0 || *label >= classes) {
      throw Error(fmt::format("--class {}: expected 0 to {}", *label,
                              classes - 1));
    }
    return torch::full({n}, *label, torch::kInt64);
  }
  return std::get<0>(
      torch::sort(torch::arange(n, torch::kInt64).remainder(classes)));
}

void run_sample(const SampleOptions& o) {
  for (const auto& out : o.outs) {
    if (!ends_with(out, ".png") && !ends_with(out, ".npy")) {
      throw Error(fmt::format("--out {}: expected a .png or .npy file", out));
    }
  }
  if (o.count < 1) throw Error(fmt::format("--count {}: expected >= 1", o.count));
  const auto device = set_up_process(o.threads, o.device);
  auto loaded = train::load_generator(o.checkpoint, device, o.raw);
  auto& generator = *loaded.generator;
  const auto& config = loaded.info.config;
  torch::manual_seed(static_cast<uint64_t>(o.seed));

  if (o.interpolate) {
    // Rows of images along straight lines between pairs of latents; a
    // conditional generator keeps one class along each row.
    const auto dim = generator.latent_dim();
    const auto z0 =
        models::sample_prior(config.model.prior, o.rows, dim, torch::kCPU);
    const auto z1 =
        models::sample_prior(config.model.prior, o.rows, dim, torch::kCPU);
    const auto z = models::interpolate_latents(z0, z1, o.steps);
    auto labels = sample_labels(generator, o.rows, o.label);
    if (labels.defined()) labels = labels.repeat_interleave(o.steps);
    const auto samples = models::generate_from(generator, z, device, 500,
                                               labels);
    write_outputs(o, samples, loaded.info.spec, config.data.range, o.steps);
    return;
  }

  const auto labels = sample_labels(generator, o.count, o.label);
  int64_t columns = o.columns;
  if (columns <= 0 && labels.defined() && !o.label) {
    columns = (o.count + generator.num_classes() - 1) /
              generator.num_classes();
  }
  const auto samples = models::generate(generator, config.model.prior,
                                        o.count, device, 500, labels);
  write_outputs(o, samples, loaded.info.spec, config.data.range, columns);
}

}  // namespace

void add_sample_command(CLI::App& app) {
  auto options = std::make_shared<SampleOptions>();
  auto* cmd = app.add_subcommand(
      "sample", "Draw samples from a trained generator");
  cmd->add_option("--checkpoint", options->checkpoint,
                  "checkpoint file, or a run folder (its latest checkpoint)")
      ->required();
  cmd->add_option("--out", options->outs,
                  "FILE.png (a grid) and/or FILE.npy (uint8 N x H x W x C "
                  "for images, float32 N x D for points); repeatable")
      ->required();
  cmd->add_option("--count", options->count, "samples to draw")
      ->capture_default_str();
  cmd->add_option("--seed", options->seed, "seed of the latent draws")
      ->capture_default_str();
  cmd->add_option("--columns", options->columns,
                  "images per grid row (default: a square grid)");
  cmd->add_flag("--interpolate", options->interpolate,
                "the paper's Figure 3: rows of images along straight lines "
                "between pairs of latent vectors");
  cmd->add_option("--rows", options->rows, "interpolation rows")
      ->capture_default_str();
  cmd->add_option("--steps", options->steps,
                  "images per interpolation row, ends included")
      ->capture_default_str();
  cmd->add_option("--class", options->label,
                  "draw only this class (class-conditional generators; "
                  "without it a grid shows one class per row)");
  cmd->add_flag("--raw", options->raw,
                "use G's trained weights even when the run kept a moving "
                "average of them");
  cmd->add_option("--threads", options->threads, "CPU threads (0: all)");
  cmd->add_option("--device", options->device, "cpu, cuda or cuda:N")
      ->capture_default_str();
  cmd->callback([options] { run_sample(*options); });
}

}  // namespace gan::cli
