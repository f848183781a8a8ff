// pylearn2-style momentum SGD and Adam, with their state as named tensors.
#include "gan/train/optimizer.h"

#include <cmath>

#include <fmt/format.h>

#include "gan/core/error.h"

namespace gan::train {
namespace {

// State tensors "PREFIX.KIND.I", one per parameter I.
void save_per_parameter(const std::string& prefix, const char* kind,
                        const std::vector<torch::Tensor>& state,
                        io::NamedTensors& out) {
  for (size_t i = 0; i < state.size(); ++i) {
    out.emplace_back(fmt::format("{}.{}.{}", prefix, kind, i), state[i]);
  }
}

// The saved tensor `name`, checked against `like`'s shape and dtype.
const torch::Tensor& find_state(
    const std::map<std::string, torch::Tensor>& tensors,
    const std::string& name, const torch::Tensor& like) {
  const auto it = tensors.find(name);
  if (it == tensors.end() || !it->second.sizes().equals(like.sizes()) ||
      it->second.scalar_type() != like.scalar_type()) {
    throw Error(fmt::format(
        "optimizer state: '{}' is missing or has the wrong shape; the "
        "checkpoint does not match this model",
        name));
  }
  return it->second;
}

// Checks every "PREFIX.KIND.I" against `state` before copying any.
void load_per_parameter(const std::string& prefix, const char* kind,
                        const std::map<std::string, torch::Tensor>& tensors,
                        std::vector<torch::Tensor>& state) {
  std::vector<const torch::Tensor*> saved;
  for (size_t i = 0; i < state.size(); ++i) {
    saved.push_back(&find_state(
        tensors, fmt::format("{}.{}.{}", prefix, kind, i), state[i]));
  }
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < state.size(); ++i) state[i].copy_(*saved[i]);
}

std::vector<torch::Tensor> zeros_like_each(
    const std::vector<torch::Tensor>& params) {
  std::vector<torch::Tensor> out;
  for (const auto& p : params) out.push_back(torch::zeros_like(p));
  return out;
}

class PaperSgd : public Optimizer {
 public:
  PaperSgd(std::vector<torch::Tensor> parameters, double lr, double momentum)
      : params_(std::move(parameters)),
        velocity_(zeros_like_each(params_)),
        lr_(lr),
        momentum_(momentum) {}

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

  void save(const std::string& prefix, io::NamedTensors& out) const override {
    save_per_parameter(prefix, "velocity", velocity_, out);
  }

  void load(const std::string& prefix,
            const std::map<std::string, torch::Tensor>& tensors) override {
    load_per_parameter(prefix, "velocity", tensors, velocity_);
  }

 private:
  std::vector<torch::Tensor> params_;
  std::vector<torch::Tensor> velocity_;
  double lr_;
  double momentum_;
};

// Adam with a step count per parameter, so that a parameter that missed
// updates (no gradient) gets its own bias correction, as in torch.optim.
class Adam : public Optimizer {
 public:
  Adam(std::vector<torch::Tensor> parameters, const OptimConfig& config)
      : params_(std::move(parameters)),
        exp_avg_(zeros_like_each(params_)),
        exp_avg_sq_(zeros_like_each(params_)),
        steps_(torch::zeros({static_cast<int64_t>(params_.size())},
                            torch::kInt64)),
        lr_(config.lr),
        beta1_(config.beta1),
        beta2_(config.beta2),
        eps_(config.eps) {}

  void zero_grad() override {
    for (auto& p : params_) p.mutable_grad().reset();
  }

  void step() override {
    torch::NoGradGuard no_grad;
    auto steps = steps_.accessor<int64_t, 1>();
    for (size_t i = 0; i < params_.size(); ++i) {
      const auto& grad = params_[i].grad();
      if (!grad.defined()) continue;
      const auto t = static_cast<double>(++steps[i]);
      const double correction1 = 1 - std::pow(beta1_, t);
      const double correction2 = 1 - std::pow(beta2_, t);
      exp_avg_[i].mul_(beta1_).add_(grad, 1 - beta1_);
      exp_avg_sq_[i].mul_(beta2_).addcmul_(grad, grad, 1 - beta2_);
      const auto denom =
          (exp_avg_sq_[i].sqrt() / std::sqrt(correction2)).add_(eps_);
      params_[i].addcdiv_(exp_avg_[i], denom, -lr_ / correction1);
    }
  }

  void set_lr(double lr) override { lr_ = lr; }
  void set_momentum(double /*momentum*/) override {}

  void save(const std::string& prefix, io::NamedTensors& out) const override {
    save_per_parameter(prefix, "exp_avg", exp_avg_, out);
    save_per_parameter(prefix, "exp_avg_sq", exp_avg_sq_, out);
    out.emplace_back(prefix + ".steps", steps_);
  }

  void load(const std::string& prefix,
            const std::map<std::string, torch::Tensor>& tensors) override {
    const auto& steps = find_state(tensors, prefix + ".steps", steps_);
    if ((steps < 0).any().item<bool>()) {
      throw Error(fmt::format(
          "optimizer state: '{}.steps' holds a negative step count", prefix));
    }
    // Both moment lists are checked before either is changed.
    std::vector<torch::Tensor> avg = zeros_like_each(params_);
    std::vector<torch::Tensor> avg_sq = zeros_like_each(params_);
    load_per_parameter(prefix, "exp_avg", tensors, avg);
    load_per_parameter(prefix, "exp_avg_sq", tensors, avg_sq);
    torch::NoGradGuard no_grad;
    for (size_t i = 0; i < params_.size(); ++i) {
      exp_avg_[i].copy_(avg[i]);
      exp_avg_sq_[i].copy_(avg_sq[i]);
    }
    steps_.copy_(steps);
  }

 private:
  std::vector<torch::Tensor> params_;
  std::vector<torch::Tensor> exp_avg_;
  std::vector<torch::Tensor> exp_avg_sq_;
  torch::Tensor steps_;  // int64, on the CPU: updates made per parameter
  double lr_;
  double beta1_;
  double beta2_;
  double eps_;
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
