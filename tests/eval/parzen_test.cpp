#include "gan/eval/parzen.h"

#include <cmath>

#include <gtest/gtest.h>

#include "gan/core/error.h"

namespace gan::eval {
namespace {

TEST(ParzenTest, DefaultWidthsAreTheNumpyLogspace) {
  const auto s = default_parzen_sigmas();
  ASSERT_EQ(s.size(), 10u);
  EXPECT_DOUBLE_EQ(s.front(), 0.1);
  EXPECT_NEAR(s[1], 0.12915496650148839, 1e-15);
  EXPECT_DOUBLE_EQ(s.back(), 1.0);
}

TEST(ParzenTest, OneCentreGivesTheGaussianDensity) {
  // log N(x; mu, sigma^2 I) = -|x - mu|^2 / (2 sigma^2) - D log(sigma sqrt(2 pi)).
  torch::manual_seed(0);
  const int64_t dims = 784;
  const auto mu = torch::rand({1, dims});
  const auto x = torch::rand({5, dims});
  const std::vector<double> sigmas = {0.2, 0.5, 1.0};
  const auto ll = parzen_log_likelihood(mu, x, sigmas);
  for (size_t i = 0; i < sigmas.size(); ++i) {
    const double s = sigmas[i];
    const auto sq = (x.to(torch::kFloat64) - mu.to(torch::kFloat64))
                        .square()
                        .sum(1);
    const auto expected =
        -sq / (2 * s * s) - dims * std::log(s * std::sqrt(2 * M_PI));
    EXPECT_TRUE(torch::allclose(ll[static_cast<int64_t>(i)], expected, 1e-9,
                                1e-6));
  }
}

TEST(ParzenTest, MixtureMatchesTheDirectSumInAnyBlockSize) {
  torch::manual_seed(1);
  const auto mu = torch::randn({37, 3}, torch::kFloat64);
  const auto x = torch::randn({11, 3}, torch::kFloat64);
  const double s = 0.7;
  // Direct: log( (1/S) sum_j N(x; mu_j, s^2 I) ).
  std::vector<double> expected;
  for (int64_t t = 0; t < x.size(0); ++t) {
    double sum = 0;
    for (int64_t j = 0; j < mu.size(0); ++j) {
      const double d2 = (x[t] - mu[j]).square().sum().item<double>();
      sum += std::exp(-d2 / (2 * s * s)) /
             std::pow(s * std::sqrt(2 * M_PI), 3);
    }
    expected.push_back(std::log(sum / mu.size(0)));
  }
  for (int64_t block : {1, 4, 1000}) {
    const auto ll = parzen_log_likelihood(mu, x, {s}, block)[0];
    for (int64_t t = 0; t < x.size(0); ++t) {
      EXPECT_NEAR(ll[t].item<double>(), expected[static_cast<size_t>(t)],
                  1e-10)
          << "block " << block;
    }
  }
}

TEST(ParzenTest, ManyCentresApproachTheSmoothedDensity) {
  // Centres from N(0, a^2 I) make the window N(0, (a^2 + s^2) I) as their
  // number grows; points from N(0, a^2 I) then score, on average,
  // -D/2 log(2 pi (a^2 + s^2)) - D a^2 / (2 (a^2 + s^2)).
  torch::manual_seed(2);
  const int64_t dims = 2;
  const double a = 1.0, s = 0.5;
  const auto mu = torch::randn({40000, dims}, torch::kFloat64) * a;
  const auto x = torch::randn({4000, dims}, torch::kFloat64) * a;
  const double v = a * a + s * s;
  const double expected =
      -dims / 2.0 * std::log(2 * M_PI * v) - dims * a * a / (2 * v);
  const double mean = parzen_log_likelihood(mu, x, {s})[0].mean().item<double>();
  EXPECT_NEAR(mean, expected, 0.05);
}

TEST(ParzenTest, EvaluationPicksTheBestValidationWidth) {
  torch::manual_seed(3);
  const auto mu = torch::randn({2000, 2}, torch::kFloat64);
  const auto valid = torch::randn({500, 2}, torch::kFloat64);
  const auto test = torch::randn({300, 2}, torch::kFloat64);
  const std::vector<double> sigmas = {0.01, 0.3, 10.0};
  const auto r = parzen_evaluate(mu, valid, test, sigmas);
  EXPECT_DOUBLE_EQ(r.sigma, 0.3);
  ASSERT_EQ(r.validation_scores.size(), 3u);
  EXPECT_GT(r.validation_scores[1], r.validation_scores[0]);
  EXPECT_GT(r.validation_scores[1], r.validation_scores[2]);

  // The reported mean and standard error are those of the per-point values.
  const auto ll = parzen_log_likelihood(mu, test, {0.3})[0];
  EXPECT_NEAR(r.log_likelihood, ll.mean().item<double>(), 1e-12);
  EXPECT_NEAR(r.std_error,
              ll.std(/*unbiased=*/false).item<double>() / std::sqrt(300.0),
              1e-12);
  EXPECT_EQ(r.num_test, 300);
  EXPECT_EQ(r.num_centres, 2000);
}

TEST(ParzenTest, MismatchedDimensionsAreRejected) {
  EXPECT_THROW(parzen_log_likelihood(torch::zeros({3, 4}), torch::zeros({2, 5}),
                                     {1.0}),
               Error);
  EXPECT_THROW(parzen_log_likelihood(torch::zeros({0, 4}), torch::zeros({2, 4}),
                                     {1.0}),
               Error);
}

}  // namespace
}  // namespace gan::eval
