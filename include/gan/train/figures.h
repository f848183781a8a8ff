// Pictures of a run's progress, drawn at the end of epochs into the run
// folder's samples/: a grid of samples from one fixed latent batch for
// images (one row per class for conditional nets), a scatter of samples
// (blue) over the mixture's modes (red circles of 3 std) for 2-D toy data,
// and the paper's Figure 1 for 1-D toy data: p_data (black), p_g (green)
// and D(x) (blue) along x, one panel per epoch, with the run's snapshots
// side by side in samples/figure1.png.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

#include <c10/core/Device.h>
#include <torch/types.h>

#include "gan/data/load.h"
#include "gan/models/networks.h"
#include "gan/models/prior.h"

namespace gan::io {
class RunDir;
}

namespace gan::train {

struct FigureContext {
  models::Generator& generator;      // used in eval mode, then restored
  models::Discriminator& discriminator;
  models::PriorKind prior;
  const torch::Tensor& latents;      // the fixed grid batch [G, Z]
  const torch::Tensor& labels;       // its classes [G], or undefined
  c10::Device device;
  bool d_is_probability;             // D's sigmoid is a probability
};

// Samples drawn for toy figures and coverage: from a fixed seed, so that
// figures of one run are comparable over time.
inline constexpr int64_t kToyFigureSamples = 2500;

// Writes the figure after `epochs_done` epochs (step `step`) and returns
// the files written. Throws gan::Error when a file cannot be written.
std::vector<std::filesystem::path> write_progress_figure(
    const io::RunDir& run, int64_t epochs_done, int64_t step,
    const data::DataConfig& data, const data::Dataset& train,
    const FigureContext& context);

// Draws `n` samples from the generator with latents from a fixed seed (and,
// for conditional nets, every class in turn).
torch::Tensor fixed_seed_samples(models::Generator& generator,
                                 models::PriorKind prior, int64_t n,
                                 c10::Device device);

}  // namespace gan::train
