#include "gan/eval/fid.h"

#include <cmath>

#include <gtest/gtest.h>
#include <torch/linalg.h>

#include "gan/core/error.h"

namespace gan::eval {
namespace {

TEST(FidTest, DiagonalGaussiansHaveTheClosedForm) {
  // For diagonal covariances tr((S1 S2)^(1/2)) = sum sqrt(a_i b_i), so
  // d = |m1 - m2|^2 + sum (sqrt(a_i) - sqrt(b_i))^2.
  const auto m1 = torch::tensor({0.0, 1.0, 2.0}, torch::kFloat64);
  const auto m2 = torch::tensor({1.0, 1.0, 0.0}, torch::kFloat64);
  const auto a = torch::tensor({1.0, 4.0, 9.0}, torch::kFloat64);
  const auto b = torch::tensor({4.0, 4.0, 1.0}, torch::kFloat64);
  const double expected = (1 + 0 + 4) + (1 + 0 + 4);
  EXPECT_NEAR(frechet_distance(m1, torch::diag(a), m2, torch::diag(b)),
              expected, 1e-9);
}

TEST(FidTest, RotatedCovariancesMatchTheFormulaForCommutingMatrices) {
  // S1 = Q diag(a) Q^T and S2 = Q diag(b) Q^T commute: the distance is the
  // diagonal one whatever the rotation Q.
  torch::manual_seed(0);
  const auto q =
      std::get<0>(torch::linalg::qr(torch::randn({5, 5}, torch::kFloat64)));
  const auto a = torch::tensor({0.5, 1.0, 2.0, 3.0, 0.1}, torch::kFloat64);
  const auto b = torch::tensor({1.5, 1.0, 0.2, 3.0, 0.4}, torch::kFloat64);
  const auto s1 = q.matmul(torch::diag(a)).matmul(q.t());
  const auto s2 = q.matmul(torch::diag(b)).matmul(q.t());
  const auto m = torch::zeros({5}, torch::kFloat64);
  const double expected = (a.sqrt() - b.sqrt()).square().sum().item<double>();
  EXPECT_NEAR(frechet_distance(m, s1, m, s2), expected, 1e-9);
}

TEST(FidTest, GeneralCovariancesMatchAnEigenvalueComputation) {
  // tr((S1 S2)^(1/2)) is the sum of the square roots of the eigenvalues of
  // S1 S2, computed here independently with a general eigensolver.
  torch::manual_seed(1);
  const auto x = torch::randn({6, 6}, torch::kFloat64);
  const auto y = torch::randn({6, 6}, torch::kFloat64);
  const auto s1 = x.matmul(x.t()) + 0.1 * torch::eye(6, torch::kFloat64);
  const auto s2 = y.matmul(y.t()) + 0.1 * torch::eye(6, torch::kFloat64);
  const auto m1 = torch::randn({6}, torch::kFloat64);
  const auto m2 = torch::randn({6}, torch::kFloat64);
  const auto eigen = torch::linalg::eigvals(s1.matmul(s2));
  const double trace_sqrt =
      torch::real(torch::sqrt(eigen)).sum().item<double>();
  const double expected = (m1 - m2).square().sum().item<double>() +
                          s1.trace().item<double>() +
                          s2.trace().item<double>() - 2 * trace_sqrt;
  EXPECT_NEAR(frechet_distance(m1, s1, m2, s2), expected, 1e-8);
}

TEST(FidTest, IdenticalStatisticsAreAtDistanceZero) {
  torch::manual_seed(2);
  const auto f = torch::randn({500, 8});
  GaussianStats a, b;
  a.add(f);
  b.add(f.slice(0, 0, 250));
  b.add(f.slice(0, 250, 500));  // batch by batch, same result
  EXPECT_NEAR(frechet_distance(a, b), 0.0, 1e-9);
}

TEST(FidTest, StatisticsMatchTheDirectMeanAndCovariance) {
  torch::manual_seed(3);
  const auto f = torch::randn({300, 4}, torch::kFloat64) * 3 + 1;
  GaussianStats stats;
  for (int64_t b = 0; b < 300; b += 70) stats.add(f.slice(0, b, b + 70));
  EXPECT_EQ(stats.count(), 300);
  EXPECT_TRUE(torch::allclose(stats.mean(), f.mean(0)));
  const auto centred = f - f.mean(0);
  EXPECT_TRUE(torch::allclose(stats.covariance(),
                              centred.t().matmul(centred) / 299, 1e-9, 1e-9));
  stats.reset();
  EXPECT_EQ(stats.count(), 0);
  EXPECT_THROW(stats.mean(), Error);
}

TEST(FidTest, SampleEstimatesConvergeToTheGaussianDistance) {
  // Samples of N(0, I) and N(mu, 4 I) in 3-D: d = |mu|^2 + 3 (1 - 2)^2.
  torch::manual_seed(4);
  GaussianStats a, b;
  a.add(torch::randn({200000, 3}, torch::kFloat64));
  b.add(torch::randn({200000, 3}, torch::kFloat64) * 2 +
        torch::tensor({1.0, 0.0, -1.0}, torch::kFloat64));
  EXPECT_NEAR(frechet_distance(a, b), 2.0 + 3.0, 0.05);
}

}  // namespace
}  // namespace gan::eval
