// `gan eval`: score generated (or any) images the ways the field does.
//   sources:    --checkpoint (samples of its G), --npy, --folder, --split
//               (the real images of a split of the dataset)
//   reference:  a split of the dataset (--reference-split), --reference-npy
//               or --reference-folder
//   metrics:    --fid --kid --pr --is in an extractor's feature space
//               (--extractor: a TorchScript file or gan's classifier),
//               --parzen (the GAN paper's), --coverage (toy mixtures),
//               --nearest FILE.png (the paper's Figure 2)
// Prints a table, or one JSON object with --json.
#include <cmath>
#include <memory>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "common.h"
#include "gan/core/error.h"
#include "gan/data/image_folder.h"
#include "gan/data/load.h"
#include "gan/eval/evaluator.h"
#include "gan/eval/feature_cache.h"
#include "gan/eval/features.h"
#include "gan/eval/mode_coverage.h"
#include "gan/eval/nearest.h"
#include "gan/eval/parzen.h"
#include "gan/io/image.h"
#include "gan/io/npy.h"
#include "gan/models/sampling.h"
#include "gan/train/config.h"
#include "gan/train/figures.h"
#include "gan/train/snapshot.h"

namespace gan::cli {
namespace {

struct EvalOptions {
  // Sources (exactly one).
  std::string checkpoint, npy, folder, split;
  // Reference and data settings.
  std::string config_file;
  std::vector<std::string> overrides;
  std::string data_path;
  std::optional<int64_t> train_size;
  std::string reference_split = "train";
  std::string reference_npy, reference_folder;
  int64_t reference_count = 0;
  // Metrics.
  eval::MetricSet metrics;
  bool parzen = false;
  bool coverage = false;
  std::string toy;
  std::string nearest;
  std::string extractor;
  std::string preset;
  // Settings.
  int64_t samples = 10000;
  int64_t validation = 1000;
  int64_t nearest_count = 32;
  eval::EvalSettings settings;
  bool no_cache = false;
  bool raw = false;
  bool json = false;
  int threads = 0;
  std::string device = "cpu";
};

data::Split parse_split(const std::string& name, const char* option) {
  for (auto s : {data::Split::kTrain, data::Split::kValidation,
                 data::Split::kTest}) {
    if (name == data::split_name(s)) return s;
  }
  throw Error(fmt::format("{} {}: expected train, validation or test",
                          option, name));
}

// uint8 [N, H, W, C] or [N, H, W] images, or float points, from .npy, as
// float [N, C, H, W] in [0, 1] (points as they are).
torch::Tensor npy_samples(const std::string& path) {
  auto array = io::read_npy(path);
  if (array.scalar_type() == torch::kByte && array.dim() == 4) {
    return array.permute({0, 3, 1, 2}).to(torch::kFloat32).div(255.0);
  }
  if (array.scalar_type() == torch::kByte && array.dim() == 3) {
    return array.unsqueeze(1).to(torch::kFloat32).div(255.0);
  }
  return array.to(torch::kFloat32);
}

// Everything the sources and references need to know about the data.
struct Context {
  train::Config config;  // data settings (and the model, for a checkpoint)
  std::optional<train::LoadedGenerator> loaded;
  c10::Device device = torch::kCPU;
};

Context make_context(const EvalOptions& o) {
  const int given = !o.checkpoint.empty() + !o.npy.empty() +
                    !o.folder.empty() + !o.split.empty();
  if (given != 1) {
    throw Error(
        "give exactly one source: --checkpoint, --npy, --folder or --split");
  }
  Context c;
  c.device = set_up_process(o.threads, o.device);
  if (!o.checkpoint.empty()) {
    c.loaded = train::load_generator(o.checkpoint, c.device, o.raw);
    c.config = c.loaded->info.config;
  } else if (!o.config_file.empty()) {
    c.config = train::load_config(o.config_file);
  }
  for (const auto& assignment : o.overrides) {
    train::apply_override(c.config, assignment);
  }
  if (!o.data_path.empty()) c.config.data.path = o.data_path;
  if (o.train_size) c.config.data.train_size = *o.train_size;
  if (!o.toy.empty()) {
    train::apply_override(c.config, "data.format=toy");
    train::apply_override(c.config, "data.toy=" + o.toy);
  }
  return c;
}

// The images (or points) being scored, in [0, 1], as a source for the
// extractor, and their count.
struct Source {
  eval::ImageSource images;
  int64_t count = 0;
  torch::Tensor held;  // keeps in-memory samples alive
  std::shared_ptr<data::Dataset> dataset;
};

Source make_source(const EvalOptions& o, Context& c) {
  Source s;
  if (c.loaded) {
    const auto& info = c.loaded->info;
    s.count = o.samples;
    torch::Tensor labels;
    if (c.loaded->generator->num_classes() > 0) {
      labels = torch::arange(o.samples, torch::kInt64)
                   .remainder(c.loaded->generator->num_classes());
    }
    s.images = eval::generator_images(*c.loaded->generator,
                                      info.config.model.prior,
                                      info.config.data.range, c.device,
                                      o.settings.seed, o.samples, labels);
    return s;
  }
  if (!o.split.empty()) {
    s.dataset = std::make_shared<data::Dataset>(data::load_dataset(
        c.config.data, parse_split(o.split, "--split"),
        [](const std::string& w) { warn(w); }));
    s.count = s.dataset->size();
    s.images = eval::dataset_images(*s.dataset);
    return s;
  }
  if (!o.folder.empty()) {
    data::ImageFolderOptions options;
    options.image_size = c.config.data.image_size;
    options.channels = c.config.data.channels;
    options.range = data::PixelRange::kZeroOne;
    s.dataset = std::make_shared<data::Dataset>(data::load_image_folder(
        o.folder, options, [](const std::string& w) { warn(w); }));
    s.count = s.dataset->size();
    s.images = eval::dataset_images(*s.dataset);
    return s;
  }
  s.held = npy_samples(o.npy);
  s.count = s.held.size(0);
  s.images = [held = s.held](int64_t begin, int64_t end) {
    return held.slice(0, begin, end);
  };
  return s;
}

// All of a source's images in [0, 1] (for the pixel-space metrics).
torch::Tensor materialise(const Source& s, int64_t limit) {
  const int64_t n = std::min(s.count, limit);
  std::vector<torch::Tensor> parts;
  for (int64_t begin = 0; begin < n; begin += 1000) {
    parts.push_back(s.images(begin, std::min(begin + 1000, n)));
  }
  return torch::cat(parts);
}

// Reference features, from the cache when this data and extractor were
// seen before.
torch::Tensor reference_features(const EvalOptions& o, const Context& c,
                                 eval::FeatureExtractor& extractor,
                                 nlohmann::json& report) {
  const auto batch = o.settings.batch;
  eval::FeatureCache cache(o.no_cache ? std::filesystem::path()
                                      : eval::default_cache_dir());
  if (!o.reference_npy.empty()) {
    report["reference"] = {{"npy", o.reference_npy}};
    const auto images = npy_samples(o.reference_npy);
    return eval::extract(extractor,
                         [&](int64_t b, int64_t e) { return images.slice(0, b, e); },
                         images.size(0), false, batch)
        .features;
  }
  std::shared_ptr<data::Dataset> data;
  std::string key;
  if (!o.reference_folder.empty()) {
    data::ImageFolderOptions options;
    options.image_size = c.config.data.image_size;
    options.channels = c.config.data.channels;
    data = std::make_shared<data::Dataset>(data::load_image_folder(
        o.reference_folder, options, [](const std::string& w) { warn(w); }));
    report["reference"] = {{"folder", o.reference_folder}};
    key = "folder:" + o.reference_folder;
  } else {
    const auto split = parse_split(o.reference_split, "--reference-split");
    data = std::make_shared<data::Dataset>(
        data::load_dataset(c.config.data, split));
    report["reference"] = {{"path", c.config.data.path},
                           {"split", o.reference_split}};
    key = fmt::format("{}:{}:{}:{}:{}", c.config.data.path, o.reference_split,
                      c.config.data.train_size, c.config.data.image_size,
                      c.config.data.channels);
  }
  const int64_t n = o.reference_count > 0
                        ? std::min(o.reference_count, data->size())
                        : data->size();
  report["reference"]["count"] = n;
  key += fmt::format("|{}|{}", n, extractor.identity());
  return cache.get_or_compute(key, [&] {
    return eval::extract(extractor, eval::dataset_images(*data), n, false,
                         batch)
        .features;
  });
}

void feature_metrics(const EvalOptions& o, Context& c, const Source& source,
                     nlohmann::json& report) {
  if (o.extractor.empty()) {
    throw Error(
        "--fid, --kid, --pr and --is need --extractor FILE: a TorchScript "
        "network (e.g. the Inception file of StyleGAN2-ADA, with "
        "--extractor-preset inception) or a classifier from gan classifier "
        "train");
  }
  auto extractor = eval::load_extractor(o.extractor, o.preset, c.device);
  report["extractor"] = extractor->identity();
  const auto samples =
      eval::extract(*extractor, source.images, source.count,
                    o.metrics.inception_score, o.settings.batch);
  torch::Tensor reference;
  if (o.metrics.needs_reference()) {
    reference = reference_features(o, c, *extractor, report);
  }
  const auto s = eval::score(reference, samples, o.metrics, o.settings);
  if (s.fid) report["fid"] = *s.fid;
  if (s.kid) {
    report["kid"] = {{"mean", s.kid->mean},
                     {"std", s.kid->std},
                     {"subsets", s.kid->subsets},
                     {"subset_size", s.kid->subset_size}};
  }
  if (s.precision_recall) {
    report["precision"] = s.precision_recall->precision;
    report["recall"] = s.precision_recall->recall;
  }
  if (s.inception_score) {
    report["inception_score"] = {{"mean", s.inception_score->mean},
                                 {"std", s.inception_score->std}};
  }
}

void parzen(const EvalOptions& o, const Context& c, const Source& source,
            nlohmann::json& report) {
  auto data = c.config.data;
  data.range = data::PixelRange::kZeroOne;  // scored on pixels in [0, 1]
  const auto valid = data::load_dataset(data, data::Split::kValidation);
  const auto test = data::load_dataset(data, data::Split::kTest);
  const int64_t n_valid = std::min(o.validation, valid.size());
  const auto r = eval::parzen_evaluate(
      materialise(source, o.samples),
      data::pixels_to_float(valid.examples().slice(0, 0, n_valid),
                            data::PixelRange::kZeroOne),
      data::pixels_to_float(test.examples(), data::PixelRange::kZeroOne));
  report["parzen"] = {{"log_likelihood", r.log_likelihood},
                      {"std_error", r.std_error},
                      {"sigma", r.sigma},
                      {"sigmas", r.sigmas},
                      {"validation_scores", r.validation_scores},
                      {"samples", r.num_centres},
                      {"validation_images", n_valid},
                      {"test_images", r.num_test}};
}

void coverage(const Context& c, const Source& source,
              nlohmann::json& report) {
  if (c.config.data.format != data::DataFormat::kToy) {
    throw Error(
        "--coverage scores toy mixtures; this data is not one (hint: --toy "
        "ring|grid|gaussian_1d for a .npy of points)");
  }
  // A checkpoint is scored on the samples of its run's figures.
  const auto points =
      c.loaded ? train::fixed_seed_samples(*c.loaded->generator,
                                           c.config.model.prior,
                                           train::kToyFigureSamples, c.device)
               : materialise(source, source.count);
  const auto mixture = data::toy_mixture(c.config.data.toy);
  const auto r = eval::mode_coverage(points.flatten(1), mixture.means,
                                     mixture.std);
  report["coverage"] = {{"modes", r.modes},
                        {"modes_captured", r.modes_captured},
                        {"high_quality", r.high_quality},
                        {"samples", points.size(0)},
                        {"counts", r.counts}};
  report["coverage"]["reverse_kl"] =
      std::isfinite(r.reverse_kl) ? nlohmann::json(r.reverse_kl) : nullptr;
}

void nearest(const EvalOptions& o, const Context& c, const Source& source,
             nlohmann::json& report) {
  auto data = c.config.data;
  data.range = data::PixelRange::kZeroOne;
  const auto train = data::load_dataset(data, data::Split::kTrain);
  const auto shown = materialise(source, o.nearest_count);
  const auto train_x = data::pixels_to_float(train.examples(),
                                             data::PixelRange::kZeroOne);
  const auto index = eval::nearest_neighbours(shown, train_x);
  // Four pairs per row: sample, nearest training image, sample, ...
  io::write_image_grid(o.nearest,
                       eval::pair_with_neighbours(
                           shown, train_x.index_select(0, index)),
                       /*columns=*/8);
  report["nearest"] = o.nearest;
}

void print_table(const nlohmann::json& r) {
  auto row = [](const std::string& name, const std::string& value) {
    fmt::print("{:<18} {}\n", name, value);
  };
  if (r.contains("fid")) row("FID", fmt::format("{:.4f}", r["fid"].get<double>()));
  if (r.contains("kid")) {
    row("KID", fmt::format("{:.6f} +- {:.6f} ({} subsets of {})",
                           r["kid"]["mean"].get<double>(),
                           r["kid"]["std"].get<double>(),
                           r["kid"]["subsets"].get<int64_t>(),
                           r["kid"]["subset_size"].get<int64_t>()));
  }
  if (r.contains("precision")) {
    row("precision", fmt::format("{:.4f}", r["precision"].get<double>()));
    row("recall", fmt::format("{:.4f}", r["recall"].get<double>()));
  }
  if (r.contains("inception_score")) {
    row("Inception Score",
        fmt::format("{:.4f} +- {:.4f}",
                    r["inception_score"]["mean"].get<double>(),
                    r["inception_score"]["std"].get<double>()));
  }
  if (r.contains("parzen")) {
    const auto& p = r["parzen"];
    row("Parzen LL",
        fmt::format("{:.2f} +- {:.2f} (sigma {:.4f} chosen on {} validation "
                    "images, {} samples, {} test images)",
                    p["log_likelihood"].get<double>(),
                    p["std_error"].get<double>(), p["sigma"].get<double>(),
                    p["validation_images"].get<int64_t>(),
                    p["samples"].get<int64_t>(),
                    p["test_images"].get<int64_t>()));
  }
  if (r.contains("coverage")) {
    const auto& v = r["coverage"];
    row("modes captured", fmt::format("{} of {}",
                                      v["modes_captured"].get<int64_t>(),
                                      v["modes"].get<int64_t>()));
    row("high quality", fmt::format("{:.1f}% of {} samples (within 3 std)",
                                    100 * v["high_quality"].get<double>(),
                                    v["samples"].get<int64_t>()));
    row("reverse KL", v["reverse_kl"].is_null()
                          ? std::string("inf")
                          : fmt::format("{:.4f}",
                                        v["reverse_kl"].get<double>()));
  }
  if (r.contains("nearest")) row("nearest figure", r["nearest"].get<std::string>());
}

void run_eval(const EvalOptions& o) {
  if (!o.metrics.any() && !o.parzen && !o.coverage && o.nearest.empty()) {
    throw Error(
        "nothing to evaluate; give any of --fid, --kid, --pr, --is, "
        "--parzen, --coverage, --nearest FILE.png");
  }
  auto context = make_context(o);
  const auto source = make_source(o, context);

  nlohmann::json report;
  report["source"] = !o.checkpoint.empty() ? o.checkpoint
                     : !o.npy.empty()      ? o.npy
                     : !o.folder.empty()   ? o.folder
                                           : "split:" + o.split;
  if (context.loaded) report["step"] = context.loaded->info.step;
  report["samples"] = source.count;

  if (o.metrics.any()) feature_metrics(o, context, source, report);
  if (o.parzen) parzen(o, context, source, report);
  if (o.coverage) coverage(context, source, report);
  if (!o.nearest.empty()) nearest(o, context, source, report);

  if (o.json) {
    fmt::print("{}\n", report.dump());
  } else {
    print_table(report);
  }
}

}  // namespace

void add_eval_command(CLI::App& app) {
  auto o = std::make_shared<EvalOptions>();
  auto* cmd = app.add_subcommand(
      "eval",
      "Score a generator or a set of images: FID, KID, precision/recall, "
      "Inception Score, Parzen log-likelihood, mode coverage");

  // Sources.
  cmd->add_option("--checkpoint", o->checkpoint,
                  "score samples of this checkpoint's generator (a file or a "
                  "run folder)");
  cmd->add_option("--npy", o->npy,
                  "score images from a .npy file (uint8 N x H x W x C, as "
                  "gan sample writes) or float points");
  cmd->add_option("--folder", o->folder, "score the images of a folder");
  cmd->add_option("--split", o->split,
                  "score the real images of a split of the dataset (train, "
                  "validation, test)");

  // Data and reference.
  cmd->add_option("--config", o->config_file,
                  "take the data settings from this training config");
  cmd->add_option("--set", o->overrides, "override a config key (data.*)");
  cmd->add_option("--data", o->data_path, "= --set data.path=PATH");
  cmd->add_option("--train-size", o->train_size,
                  "= --set data.train_size=N");
  cmd->add_option("--reference-split", o->reference_split,
                  "split of the dataset the feature metrics compare against")
      ->capture_default_str();
  cmd->add_option("--reference-npy", o->reference_npy,
                  "compare against the images of this .npy instead");
  cmd->add_option("--reference-folder", o->reference_folder,
                  "compare against the images of this folder instead");
  cmd->add_option("--reference-count", o->reference_count,
                  "use only the first N reference images (0: all)");

  // Metrics.
  cmd->add_flag("--fid", o->metrics.fid, "Fréchet distance of the features");
  cmd->add_flag("--kid", o->metrics.kid,
                "Kernel Inception Distance (unbiased MMD^2, cubic kernel)");
  cmd->add_flag("--pr", o->metrics.precision_recall,
                "precision and recall (k-NN manifolds, k = 3)");
  cmd->add_flag("--is", o->metrics.inception_score,
                "Inception Score (the extractor's class probabilities)");
  cmd->add_option("--extractor", o->extractor,
                  "feature extractor: a TorchScript file, or a classifier "
                  "from gan classifier train");
  cmd->add_option("--extractor-preset", o->preset,
                  "'inception' for StyleGAN2-ADA's inception-2015-12-05.pt "
                  "(299 x 299 bicubic, values 0-255)");
  cmd->add_flag("--parzen", o->parzen,
                "Parzen-window log-likelihood of the test set (the GAN "
                "paper's Table 1)");
  cmd->add_flag("--coverage", o->coverage,
                "mode coverage of a toy mixture (2,500 samples)");
  cmd->add_option("--toy", o->toy,
                  "the mixture --npy points are scored against (ring, grid, "
                  "gaussian_1d)");
  cmd->add_option("--nearest", o->nearest,
                  "write the paper's Figure 2 to this PNG: samples beside "
                  "their nearest training images");

  // Settings.
  cmd->add_option("--samples", o->samples,
                  "samples drawn from a checkpoint")
      ->capture_default_str();
  cmd->add_option("--validation", o->validation,
                  "validation images that choose the Parzen window width")
      ->capture_default_str();
  cmd->add_option("--nearest-count", o->nearest_count,
                  "samples shown in the nearest-neighbour figure")
      ->capture_default_str();
  cmd->add_option("--kid-subsets", o->settings.kid_subsets,
                  "KID subsets")->capture_default_str();
  cmd->add_option("--kid-subset-size", o->settings.kid_subset_size,
                  "KID subset size")->capture_default_str();
  cmd->add_option("--seed", o->settings.seed,
                  "seed of the latents and the KID subsets")
      ->capture_default_str();
  cmd->add_flag("--no-cache", o->no_cache,
                "do not read or write cached reference features");
  cmd->add_flag("--raw", o->raw,
                "use G's trained weights even when the run kept a moving "
                "average of them");
  cmd->add_flag("--json", o->json, "print one JSON object");
  cmd->add_option("--threads", o->threads, "CPU threads (0: all)");
  cmd->add_option("--device", o->device, "cpu, cuda or cuda:N")
      ->capture_default_str();
  cmd->callback([o] { run_eval(*o); });
}

}  // namespace gan::cli
