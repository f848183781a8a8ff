// The Fréchet distance between two Gaussians fitted to feature sets
// (Heusel et al., 2017): FID when the features are Inception's,
// "domain FID" with gan's built-in classifier. Shapes: N examples, F
// features.
#pragma once

#include <cstdint>

#include <torch/types.h>

namespace gan::eval {

// Mean and covariance of features added batch by batch, in float64, without
// keeping the features.
class GaussianStats {
 public:
  // features: float [N, F]. The first call fixes F.
  void add(const torch::Tensor& features);
  void reset();

  int64_t count() const { return count_; }
  // float64 [F]; [F, F] with the unbiased (N - 1) normaliser, as numpy's
  // np.cov and torch-fidelity use. Throws gan::Error with fewer than two
  // examples.
  torch::Tensor mean() const;
  torch::Tensor covariance() const;

 private:
  int64_t count_ = 0;
  torch::Tensor sum_;        // [F]
  torch::Tensor outer_sum_;  // [F, F]
};

// |mu1 - mu2|^2 + tr(S1) + tr(S2) - 2 tr((S1 S2)^(1/2)).
// The trace of the matrix square root is computed from the symmetric form
// S1^(1/2) S2 S1^(1/2), whose eigenvalues are those of S1 S2 and real, so
// no complex parts or eps retries are needed (torch-fidelity and clean-fid
// call scipy's sqrtm on S1 S2 and drop a small imaginary part; the two
// agree to rounding). Eigenvalues below zero from rounding are clamped.
double frechet_distance(const torch::Tensor& mean1, const torch::Tensor& cov1,
                        const torch::Tensor& mean2, const torch::Tensor& cov2);

// frechet_distance of two accumulators.
double frechet_distance(const GaussianStats& a, const GaussianStats& b);

}  // namespace gan::eval
