// pylearn2-style momentum SGD, and Adam through libtorch.
#include "gan/train/optimizer.h"

#include <fmt/format.h>
#include <torch/optim/adam.h>

#include "gan/core/error.h"

namespace gan::train {
namespace {

class PaperSgd : public Optimizer {
 public:
  PaperSgd(std::vector<torch::Tensor> parameters, double lr, double momentum)
      : params_(std::move(parameters)), lr_(lr), momentum_(momentum) {
    for (const auto& p : params_) velocity_.push_back(torch::zeros_like(p));
  }

  void zero_grad() override {
    for (auto& p : params_) p.mutable_grad().reset();
  }

  void step() override {
    torch::NoGradGuard no_grad;
    for (size_t i = 0; i < params_.size(); ++i) {
      const auto& grad = params_[i].grad();
      if (!grad.defined()) continue;
      velocity_[i].mul_(momentum_).add_(grad, -lr_);
      params_[i].add_(velocity_[i]);
    }
  }

  void set_lr(double lr) override { lr_ = lr; }
  void set_momentum(double momentum) override { momentum_ = momentum; }

  void save(torch::serialize::OutputArchive& archive) const override {
    for (size_t i = 0; i < velocity_.size(); ++i) {
      archive.write(fmt::format("velocity.{}", i), velocity_[i],
                    /*is_buffer=*/true);
    }
  }

  void load(torch::serialize::InputArchive& archive) override {
    torch::NoGradGuard no_grad;
    for (size_t i = 0; i < velocity_.size(); ++i) {
      torch::Tensor saved;
      const auto key = fmt::format("velocity.{}", i);
      if (!archive.try_read(key, saved, /*is_buffer=*/true) ||
          !saved.sizes().equals(velocity_[i].sizes())) {
        throw Error(fmt::format(
            "optimizer state: '{}' is missing or has the wrong shape; the "
            "checkpoint does not match this model",
            key));
      }
      velocity_[i].copy_(saved);
    }
  }

 private:
  std::vector<torch::Tensor> params_;
  std::vector<torch::Tensor> velocity_;
  double lr_;
  double momentum_;
};

class Adam : public Optimizer {
 public:
  Adam(std::vector<torch::Tensor> parameters, const OptimConfig& config)
      : adam_(std::move(parameters),
              torch::optim::AdamOptions(config.lr)
                  .betas({config.beta1, config.beta2})
                  .eps(config.eps)) {}

  void zero_grad() override {
    for (auto& group : adam_.param_groups()) {
      for (auto& p : group.params()) p.mutable_grad().reset();
    }
  }
  void step() override { adam_.step(); }

  void set_lr(double lr) override {
    for (auto& group : adam_.param_groups()) {
      static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
    }
  }
  void set_momentum(double /*momentum*/) override {}

  void save(torch::serialize::OutputArchive& archive) const override {
    adam_.save(archive);
  }
  void load(torch::serialize::InputArchive& archive) override {
    try {
      adam_.load(archive);
    } catch (const std::exception& e) {
      throw Error(fmt::format(
          "optimizer state: cannot load Adam state ({}); the checkpoint "
          "does not match this model",
          describe(e)));
    }
  }

 private:
  // save() is const in our interface but not in libtorch's.
  mutable torch::optim::Adam adam_;
};

}  // namespace

std::unique_ptr<Optimizer> make_optimizer(
    const OptimConfig& config, std::vector<torch::Tensor> parameters) {
  if (config.kind == OptimizerKind::kAdam) {
    return std::make_unique<Adam>(std::move(parameters), config);
  }
  return std::make_unique<PaperSgd>(std::move(parameters), config.lr,
                                    config.momentum);
}

}  // namespace gan::train
