// The GAN paper's likelihood estimate: fit a Gaussian Parzen window (a
// mixture of isotropic Gaussians of width sigma, one on each generated
// sample) and score held-out data under it. sigma is chosen by the mean
// log-likelihood of a validation set. Known to be a poor estimator in high
// dimensions (Theis et al., 2016), kept because the paper reports it.
// Shapes: S samples, T scored points, D dimensions (images flattened).
#pragma once

#include <cstdint>
#include <vector>

#include <torch/types.h>

namespace gan::eval {

// log p(x_t) = logmeanexp_s(-|x_t - mu_s|^2 / (2 sigma^2))
//              - D log(sigma sqrt(2 pi))
// for each sigma: returns float64 [len(sigmas), T] on the CPU.
// `centres` [S, ...], `points` [T, ...] (flattened to D). Computed in
// blocks of `block` points from squared distances via one matrix product
// per block in float64 with log-sum-exp, so no [T, S, D] tensor is formed.
torch::Tensor parzen_log_likelihood(const torch::Tensor& centres,
                                    const torch::Tensor& points,
                                    const std::vector<double>& sigmas,
                                    int64_t block = 1000);

// numpy.logspace(-1, 0, 10): the paper's candidate widths.
std::vector<double> default_parzen_sigmas();

struct ParzenResult {
  double log_likelihood = 0;  // mean over the test points
  double std_error = 0;       // std of per-point values / sqrt(T)
  double sigma = 0;           // width chosen on the validation points
  std::vector<double> sigmas;             // candidates tried
  std::vector<double> validation_scores;  // their mean validation LL
  int64_t num_centres = 0;
  int64_t num_test = 0;
};

// Picks sigma from `sigmas` by mean log-likelihood of `validation`, then
// scores `test` with it. Throws gan::Error when the sets disagree in D or
// are empty.
ParzenResult parzen_evaluate(const torch::Tensor& centres,
                             const torch::Tensor& validation,
                             const torch::Tensor& test,
                             const std::vector<double>& sigmas =
                                 default_parzen_sigmas());

}  // namespace gan::eval
