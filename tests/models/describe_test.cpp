#include "gan/models/describe.h"

#include <cmath>
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "gan/core/error.h"

namespace gan::models {
namespace {

using nlohmann::json;

std::vector<std::string> types(const json& description) {
  std::vector<std::string> out;
  for (const auto& layer : description["layers"]) {
    out.push_back(layer["type"].get<std::string>());
  }
  return out;
}

// Every tensor of `generator` is named by exactly one layer.
void expect_tensors_covered(const json& description,
                            const Generator& generator) {
  std::multiset<std::string> named;
  for (const auto& layer : description["layers"]) {
    if (!layer.contains("tensors")) continue;
    for (const auto& [key, name] : layer["tensors"].items()) {
      named.insert(name.get<std::string>());
    }
  }
  std::multiset<std::string> expected;
  for (const auto& p : generator.named_parameters()) expected.insert(p.key());
  for (const auto& b : generator.named_buffers()) expected.insert(b.key());
  EXPECT_EQ(named, expected);
}

TEST(DescribeTest, MlpIsItsLinearLayersInOrder) {
  ModelConfig config;
  config.latent_dim = 5;
  config.mlp.g_hidden = {7, 9};
  const DataSpec spec{{1, 4, 4}, OutputActivation::kSigmoid, 0};
  const auto generator = make_generator(config, spec);
  const auto d = json::parse(describe_generator(*generator, config, spec));

  EXPECT_EQ(d["format"], kDescriptionFormat);
  EXPECT_EQ(d["version"], kDescriptionVersion);
  EXPECT_EQ(d["family"], "mlp");
  EXPECT_EQ(d["latent_dim"], 5);
  EXPECT_EQ(d["input_dim"], 5);
  EXPECT_EQ(d["num_classes"], 0);
  EXPECT_TRUE(d["conditioning"].is_null());
  EXPECT_EQ(d["prior"]["kind"], "uniform");
  EXPECT_DOUBLE_EQ(d["prior"]["high"].get<double>(), std::sqrt(3.0));
  EXPECT_EQ(d["output"]["activation"], "sigmoid");
  EXPECT_EQ(d["output"]["range"], json({0.0, 1.0}));
  EXPECT_EQ(d["output"]["sample_shape"], json({1, 4, 4}));
  EXPECT_EQ(types(d),
            (std::vector<std::string>{"linear", "relu", "linear", "relu",
                                      "linear", "sigmoid", "reshape"}));
  const auto& first = d["layers"][0];
  EXPECT_EQ(first["in_features"], 5);
  EXPECT_EQ(first["out_features"], 7);
  EXPECT_EQ(first["tensors"]["weight"], "hidden.0.weight");
  EXPECT_EQ(d["layers"][4]["tensors"]["bias"], "out.bias");
  EXPECT_EQ(d["layers"][4]["out_features"], 16);
  EXPECT_EQ(d["layers"][6]["shape"], json({-1, 1, 4, 4}));
  expect_tensors_covered(d, *generator);
}

TEST(DescribeTest, ConditionalInputIsZThenTheOneHotClass) {
  ModelConfig config;
  config.latent_dim = 5;
  config.conditional = true;
  config.prior = PriorKind::kNormal;
  config.mlp.g_hidden = {7};
  const DataSpec spec{{2}, OutputActivation::kIdentity, 3};
  const auto generator = make_generator(config, spec);
  const auto d = json::parse(describe_generator(*generator, config, spec));

  EXPECT_EQ(d["num_classes"], 3);
  EXPECT_EQ(d["input_dim"], 8);
  EXPECT_EQ(d["conditioning"]["kind"], "one_hot_appended_to_z");
  EXPECT_EQ(d["layers"][0]["in_features"], 8);
  EXPECT_EQ(d["prior"]["kind"], "normal");
  EXPECT_EQ(d["output"]["activation"], "identity");
  EXPECT_TRUE(d["output"]["range"].is_null());
  EXPECT_EQ(types(d),
            (std::vector<std::string>{"linear", "relu", "linear", "reshape"}));
}

TEST(DescribeTest, DcganListsConvolutionsNormsAndActivations) {
  ModelConfig config;
  config.family = ModelFamily::kDcgan;
  config.latent_dim = 6;
  config.dcgan.g_width = 4;
  const DataSpec spec{{3, 16, 16}, OutputActivation::kTanh, 0};
  const auto generator = make_generator(config, spec);
  const auto d = json::parse(describe_generator(*generator, config, spec));

  EXPECT_EQ(d["family"], "dcgan");
  // 16 = 4 * 2^2: a 4 x 4 projection, then two doublings.
  EXPECT_EQ(types(d), (std::vector<std::string>{
                          "reshape", "conv_transpose2d", "batch_norm2d", "relu",
                          "conv_transpose2d", "batch_norm2d", "relu",
                          "conv_transpose2d", "tanh"}));
  EXPECT_EQ(d["layers"][0]["shape"], json({-1, 6, 1, 1}));
  const auto& project = d["layers"][1];
  EXPECT_EQ(project["kernel_size"], json({4, 4}));
  EXPECT_EQ(project["stride"], json({1, 1}));
  EXPECT_EQ(project["bias"], false);
  EXPECT_FALSE(project["tensors"].contains("bias"));
  const auto& up = d["layers"][4];
  EXPECT_EQ(up["stride"], json({2, 2}));
  EXPECT_EQ(up["padding"], json({1, 1}));
  EXPECT_EQ(up["in_channels"], 8);
  const auto& norm = d["layers"][2];
  EXPECT_DOUBLE_EQ(norm["eps"].get<double>(), 1e-5);
  EXPECT_DOUBLE_EQ(norm["momentum"].get<double>(), 0.1);
  EXPECT_EQ(norm["tensors"]["running_var"], "norms.0.running_var");
  EXPECT_EQ(norm["tensors"]["num_batches_tracked"],
            "norms.0.num_batches_tracked");
  EXPECT_EQ(d["layers"][7]["bias"], true);
  expect_tensors_covered(d, *generator);
}

TEST(DescribeTest, DcganLayerNormIsOneGroupNorm) {
  ModelConfig config;
  config.family = ModelFamily::kDcgan;
  config.latent_dim = 6;
  config.dcgan.g_width = 4;
  config.dcgan.g_norm = NormKind::kLayer;
  const DataSpec spec{{1, 8, 8}, OutputActivation::kSigmoid, 0};
  const auto generator = make_generator(config, spec);
  const auto d = json::parse(describe_generator(*generator, config, spec));

  const auto& norm = d["layers"][2];
  EXPECT_EQ(norm["type"], "group_norm");
  EXPECT_EQ(norm["num_groups"], 1);
  EXPECT_EQ(norm["num_channels"], 4);
  EXPECT_EQ(d["layers"].back()["type"], "sigmoid");
  expect_tensors_covered(d, *generator);
}

TEST(DescribeTest, RefusesAGeneratorOfAnotherFamily) {
  ModelConfig config;
  config.mlp.g_hidden = {4};
  const DataSpec spec{{1, 8, 8}, OutputActivation::kSigmoid, 0};
  const auto generator = make_generator(config, spec);
  config.family = ModelFamily::kDcgan;
  EXPECT_THROW(describe_generator(*generator, config, spec), Error);
}

}  // namespace
}  // namespace gan::models
