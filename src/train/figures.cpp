// Progress figures: image grids, toy scatter plots, the paper's Figure 1.
#include "gan/train/figures.h"

#include <cmath>
#include <fstream>

#include <ATen/CPUGeneratorImpl.h>
#include <nlohmann/json.hpp>

#include "gan/io/image.h"
#include "gan/io/metrics_log.h"
#include "gan/io/plot.h"
#include "gan/io/run_dir.h"
#include "gan/models/sampling.h"

namespace gan::train {
namespace fs = std::filesystem;
namespace {

constexpr uint64_t kFigureSeed = 0x66696731;  // "fig1"
constexpr int kPanel = 320;                   // pixels per panel side
constexpr int kCurvePoints = 200;             // x positions in Figure 1
constexpr int kHistogramBins = 50;
constexpr int kMaxFigure1Panels = 4;

// The mixture's density along `xs` (1-D data).
std::vector<double> data_density(const data::ToyMixture& mixture,
                                 const std::vector<double>& xs) {
  std::vector<double> density;
  const auto means = mixture.means.flatten();
  const double s = mixture.std;
  for (double x : xs) {
    double sum = 0;
    for (int64_t k = 0; k < means.size(0); ++k) {
      const double z = (x - means[k].item<double>()) / s;
      sum += std::exp(-0.5 * z * z) / (s * std::sqrt(2 * M_PI));
    }
    density.push_back(sum / means.size(0));
  }
  return density;
}

// A density estimate of `samples` (1-D) at `xs`, from a histogram.
std::vector<double> sample_density(const torch::Tensor& samples, double lo,
                                   double hi, const std::vector<double>& xs) {
  const double width = (hi - lo) / kHistogramBins;
  std::vector<double> bins(kHistogramBins, 0.0);
  const auto flat = samples.flatten().to(torch::kFloat64).contiguous();
  const double* v = flat.data_ptr<double>();
  for (int64_t i = 0; i < flat.numel(); ++i) {
    const auto b = static_cast<int64_t>(std::floor((v[i] - lo) / width));
    if (b >= 0 && b < kHistogramBins) bins[static_cast<size_t>(b)] += 1;
  }
  std::vector<double> density;
  for (double x : xs) {
    const auto b = std::clamp<int64_t>(
        static_cast<int64_t>(std::floor((x - lo) / width)), 0,
        kHistogramBins - 1);
    density.push_back(bins[static_cast<size_t>(b)] /
                      (static_cast<double>(flat.numel()) * width));
  }
  return density;
}

torch::Tensor draw_figure1_panel(const data::ToyMixture& mixture,
                                 const nlohmann::json& record, double lo,
                                 double hi) {
  const auto xs = record["x"].get<std::vector<double>>();
  io::Canvas canvas(kPanel, kPanel, lo, hi, 0.0, 1.05);
  canvas.line(lo, 0.5, hi, 0.5, io::kGrey);  // D = 1/2, the optimum
  canvas.polyline(xs, data_density(mixture, xs), io::kBlack);
  canvas.polyline(xs, record["p_g"].get<std::vector<double>>(), io::kGreen);
  if (record.contains("d")) {
    canvas.polyline(xs, record["d"].get<std::vector<double>>(), io::kBlue);
  }
  canvas.frame(io::kGrey);
  return canvas.pixels();
}

std::vector<fs::path> write_figure1(const io::RunDir& run, int64_t epochs_done,
                                    int64_t step, const data::ToyMixture& mixture,
                                    const FigureContext& context) {
  const double mu = mixture.means.flatten()[0].item<double>();
  const double lo = mu - 8 * mixture.std, hi = mu + 8 * mixture.std;
  std::vector<double> xs;
  for (int i = 0; i < kCurvePoints; ++i) {
    xs.push_back(lo + (hi - lo) * i / (kCurvePoints - 1));
  }

  nlohmann::json record = {{"step", step}, {"epoch", epochs_done}, {"x", xs}};
  const auto samples = fixed_seed_samples(context.generator, context.prior,
                                          kToyFigureSamples, context.device);
  record["p_g"] = sample_density(samples, lo, hi, xs);
  if (context.d_is_probability) {
    torch::NoGradGuard no_grad;
    const bool training = context.discriminator.is_training();
    context.discriminator.eval();
    const auto grid = torch::tensor(xs, torch::kFloat32).view({-1, 1});
    const auto d = torch::sigmoid(context.discriminator.forward(
                                      grid.to(context.device), {}))
                       .cpu()
                       .to(torch::kFloat64);
    context.discriminator.train(training);
    record["d"] = std::vector<double>(d.data_ptr<double>(),
                                      d.data_ptr<double>() + d.numel());
  }

  const auto panel_path = run.grid_file(epochs_done);
  io::write_png(panel_path, draw_figure1_panel(mixture, record, lo, hi));
  io::MetricsLog(run.figure1_log()).append(record.dump());

  // Figure 1 itself: up to four snapshots, first to last, side by side.
  std::vector<nlohmann::json> records;
  std::ifstream in(run.figure1_log());
  for (std::string line; std::getline(in, line);) {
    auto r = nlohmann::json::parse(line, nullptr, false);
    if (r.is_object() && r.value("step", int64_t{-1}) <= step) {
      records.push_back(std::move(r));
    }
  }
  std::vector<torch::Tensor> panels;
  const size_t count = std::min<size_t>(records.size(), kMaxFigure1Panels);
  for (size_t i = 0; i < count; ++i) {
    const size_t at = count == 1 ? 0 : i * (records.size() - 1) / (count - 1);
    panels.push_back(draw_figure1_panel(mixture, records[at], lo, hi));
  }
  const auto figure = run.samples_dir() / "figure1.png";
  io::write_png(figure, io::side_by_side(panels));
  return {panel_path, figure};
}

fs::path write_scatter(const io::RunDir& run, int64_t epochs_done,
                       const data::ToyMixture& mixture,
                       const FigureContext& context) {
  const double reach = mixture.means.abs().max().item<double>() + 1.5;
  io::Canvas canvas(kPanel, kPanel, -reach, reach, -reach, reach);
  const auto samples = fixed_seed_samples(context.generator, context.prior,
                                          kToyFigureSamples, context.device);
  for (int64_t i = 0; i < samples.size(0); ++i) {
    canvas.point(samples[i][0].item<double>(), samples[i][1].item<double>(),
                 io::kBlue, 1);
  }
  for (int64_t k = 0; k < mixture.means.size(0); ++k) {
    canvas.circle(mixture.means[k][0].item<double>(),
                  mixture.means[k][1].item<double>(), 3 * mixture.std,
                  io::kRed);
  }
  canvas.frame(io::kGrey);
  const auto path = run.grid_file(epochs_done);
  io::write_png(path, canvas.pixels());
  return path;
}

}  // namespace

torch::Tensor fixed_seed_samples(models::Generator& generator,
                                 models::PriorKind prior, int64_t n,
                                 c10::Device device) {
  auto stream = at::detail::createCPUGenerator(kFigureSeed);
  const auto z = models::sample_prior(prior, n, generator.latent_dim(),
                                      torch::kCPU, stream);
  // Conditional nets draw every class in turn.
  torch::Tensor labels;
  if (generator.num_classes() > 0) {
    labels = torch::arange(n, torch::kInt64).remainder(generator.num_classes());
  }
  return models::generate_from(generator, z, device, 500, labels);
}

std::vector<fs::path> write_progress_figure(const io::RunDir& run,
                                            int64_t epochs_done, int64_t step,
                                            const data::DataConfig& config,
                                            const data::Dataset& train,
                                            const FigureContext& context) {
  if (!train.is_image()) {
    const auto mixture = data::toy_mixture(config.toy);
    if (mixture.means.size(1) == 1) {
      return write_figure1(run, epochs_done, step, mixture, context);
    }
    return {write_scatter(run, epochs_done, mixture, context)};
  }

  const auto samples = models::generate_from(
      context.generator, context.latents, context.device, 500,
      context.labels);
  int64_t columns = 0;  // square-ish
  if (context.labels.defined()) {
    columns = samples.size(0) / std::max<int64_t>(
                                    context.generator.num_classes(), 1);
  }
  const auto path = run.grid_file(epochs_done);
  io::write_image_grid(path, data::to_unit_range(samples, train.range()),
                       columns);
  return {path};
}

}  // namespace gan::train
