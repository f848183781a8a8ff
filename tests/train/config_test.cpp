#include "gan/train/config.h"

#include <filesystem>
#include <functional>

#include <gtest/gtest.h>

#include "gan/core/error.h"
#include "test_util.h"

namespace gan::train {
namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

using testing::contains;

TEST(ConfigTest, DefaultsAreThePapersFashionMnistRun) {
  const Config c;
  EXPECT_EQ(c.data.path, "/usr/share/datasets/fashion-mnist");
  EXPECT_EQ(c.data.train_size, 50000);
  EXPECT_EQ(c.model.latent_dim, 100);
  EXPECT_EQ(c.model.prior, models::PriorKind::kUniform);
  EXPECT_EQ(c.model.mlp.g_hidden, (std::vector<int64_t>{1200, 1200}));
  EXPECT_EQ(c.model.mlp.d_hidden, (std::vector<int64_t>{240, 240}));
  EXPECT_EQ(c.model.mlp.d_pieces, 5);
  EXPECT_EQ(c.loss.kind, losses::LossKind::kNonSaturating);
  EXPECT_EQ(c.optim.kind, OptimizerKind::kSgd);
  EXPECT_DOUBLE_EQ(c.optim.lr, 0.1);
  EXPECT_EQ(c.train.batch_size, 100);
  EXPECT_EQ(c.train.d_steps, 1);
}

TEST(ConfigTest, ShippedDefaultConfigIsTheBuiltInDefaultsWithParzen) {
  auto file = load_config(GAN_SOURCE_DIR "/configs/paper-fashion-mnist.toml");
  EXPECT_TRUE(file.eval.parzen);
  EXPECT_EQ(file.eval.every_epochs, 5);
  file.eval = EvalConfig();
  EXPECT_EQ(to_toml(file), to_toml(Config()));
}

TEST(ConfigTest, ShippedMnistConfigDiffersOnlyInThePath) {
  auto mnist = load_config(GAN_SOURCE_DIR "/configs/paper-mnist.toml");
  auto fashion =
      load_config(GAN_SOURCE_DIR "/configs/paper-fashion-mnist.toml");
  EXPECT_NE(mnist.data.path, fashion.data.path);
  mnist.data.path = fashion.data.path;
  EXPECT_EQ(to_toml(mnist), to_toml(fashion));
}

TEST(ConfigTest, EveryShippedConfigIsValid) {
  int count = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(GAN_SOURCE_DIR "/configs")) {
    if (entry.path().extension() != ".toml") continue;
    EXPECT_NO_THROW(load_config(entry.path())) << entry.path();
    ++count;
  }
  EXPECT_GE(count, 10);
}

TEST(ConfigTest, GradientPenaltyRefusesABatchNormCritic) {
  const auto message = error_of([] {
    parse_config("[model]\nfamily = \"dcgan\"\n[loss]\ngradient_penalty = 10\n",
                 "t.toml");
  });
  EXPECT_TRUE(contains(message, "model.dcgan.d_norm")) << message;
}

TEST(ConfigTest, FileValuesOverrideDefaults) {
  const auto c = parse_config(
      "[optim]\nlr = 0.05\nkind = \"adam\"\n[model.mlp]\ng_hidden = [10, 20]\n"
      "[train]\nepochs = 3\n",
      "test.toml");
  EXPECT_DOUBLE_EQ(c.optim.lr, 0.05);
  EXPECT_EQ(c.optim.kind, OptimizerKind::kAdam);
  EXPECT_EQ(c.model.mlp.g_hidden, (std::vector<int64_t>{10, 20}));
  EXPECT_EQ(c.train.epochs, 3);
  EXPECT_EQ(c.train.batch_size, 100);
}

TEST(ConfigTest, IntegersAreAcceptedForNumbers) {
  EXPECT_DOUBLE_EQ(parse_config("[optim]\nlr = 1\n", "t").optim.lr, 1.0);
}

TEST(ConfigTest, UnknownKeySuggestsTheNearestKnownOne) {
  const auto message =
      error_of([] { parse_config("[optim]\nlrr = 0.1\n", "my.toml"); });
  EXPECT_TRUE(contains(message, "my.toml")) << message;
  EXPECT_TRUE(contains(message, "unknown key 'optim.lrr'")) << message;
  EXPECT_TRUE(contains(message, "did you mean 'optim.lr'")) << message;
}

TEST(ConfigTest, WrongTypeNamesKeyAndBothTypes) {
  const auto message =
      error_of([] { parse_config("[train]\nepochs = \"ten\"\n", "t.toml"); });
  EXPECT_TRUE(contains(message, "train.epochs")) << message;
  EXPECT_TRUE(contains(message, "expected an integer, found a string"))
      << message;
}

TEST(ConfigTest, BadChoiceListsTheAcceptedNames) {
  const auto message =
      error_of([] { parse_config("[loss]\nkind = \"wasser\"\n", "t.toml"); });
  EXPECT_TRUE(contains(message, "non_saturating, minimax")) << message;
}

TEST(ConfigTest, SyntaxErrorGivesTheLine) {
  const auto message =
      error_of([] { parse_config("[train]\nepochs = = 3\n", "t.toml"); });
  EXPECT_TRUE(contains(message, "t.toml:2:")) << message;
}

TEST(ConfigTest, InvalidValueNamesKeyValueAndRange) {
  const auto message =
      error_of([] { parse_config("[optim]\nlr = -1\n", "t.toml"); });
  EXPECT_TRUE(contains(message, "optim.lr = -1.0: expected > 0")) << message;
  EXPECT_FALSE(error_of([] {
                 parse_config("[model.mlp]\nd_input_keep = 0\n", "t");
               }).empty());
  EXPECT_FALSE(
      error_of([] { parse_config("[train]\nbatch_size = 0\n", "t"); }).empty());
}

TEST(ConfigTest, OverridesSetOneKeyEach) {
  Config c;
  apply_override(c, "optim.lr=0.05");
  apply_override(c, "train.device = cuda:1");
  apply_override(c, "model.mlp.g_hidden=[10, 20]");
  apply_override(c, "loss.kind=minimax");
  apply_override(c, "model.mlp.g_output_bias_from_data=false");
  EXPECT_DOUBLE_EQ(c.optim.lr, 0.05);
  EXPECT_EQ(c.train.device, "cuda:1");
  EXPECT_EQ(c.model.mlp.g_hidden, (std::vector<int64_t>{10, 20}));
  EXPECT_EQ(c.loss.kind, losses::LossKind::kMinimax);
  EXPECT_FALSE(c.model.mlp.g_output_bias_from_data);
}

TEST(ConfigTest, BadOverridesAreRejected) {
  Config c;
  EXPECT_TRUE(
      contains(error_of([&] { apply_override(c, "optim.lr"); }), "key=value"));
  EXPECT_TRUE(contains(error_of([&] { apply_override(c, "nokey=1"); }),
                       "unknown key 'nokey'"));
  EXPECT_TRUE(contains(error_of([&] { apply_override(c, "optim.lr=abc"); }),
                       "optim.lr"));
  EXPECT_TRUE(contains(error_of([&] { apply_override(c, "train.epochs=1.5"); }),
                       "expected an integer"));
}

TEST(ConfigTest, TomlOutputReadsBackToTheSameConfig) {
  Config c;
  c.data.path = "/some \"quoted\" path";
  c.optim.lr = 0.012345678901234;
  c.optim.kind = OptimizerKind::kAdam;
  c.model.mlp.d_hidden = {};
  c.train.seed = 99;
  c.model.prior = models::PriorKind::kNormal;
  const auto text = to_toml(c);
  const auto back = parse_config(text, "round trip");
  EXPECT_EQ(to_toml(back), text);
  EXPECT_EQ(back.data.path, c.data.path);
  EXPECT_DOUBLE_EQ(back.optim.lr, c.optim.lr);
  EXPECT_TRUE(back.model.mlp.d_hidden.empty());
}

TEST(ConfigTest, EveryKeyIsDocumented) {
  const auto keys = describe_keys();
  EXPECT_GT(keys.size(), 30u);
  for (const auto& key : keys) {
    EXPECT_FALSE(key.doc.empty()) << key.key;
    Config c;
    // Every documented key accepts its own default as an override.
    EXPECT_NO_THROW(apply_override(c, key.key + "=" + key.value)) << key.key;
  }
}

TEST(ConfigTest, MissingFileIsNamed) {
  const auto message = error_of([] { load_config("/nonexistent/x.toml"); });
  EXPECT_TRUE(contains(message, "/nonexistent/x.toml")) << message;
}

// Found by fuzz/config_fuzzer: toml++ 3.3 reaches undefined behaviour on
// some non-ASCII characters outside strings and comments, where TOML allows
// none; gan refuses them first, by position.
TEST(ConfigTest, NonAsciiOutsideStringsAndCommentsIsASyntaxError) {
  try {
    parse_config("[train]\nepochs = 3 \xc2\xa1\n", "x.toml");
    FAIL() << "accepted a stray non-ASCII character";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("x.toml:2:12: TOML syntax error: a "
                                         "non-ASCII character"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(parse_config("[train]\n\xc3\xa9 = 3\n", "x.toml"), Error);
  // A quote inside a token opens no string (found by the fuzzer too).
  EXPECT_THROW(
      parse_config("[model.mlp]\ng_hidden = [12'\xc2\xa1]\n", "x.toml"), Error);
  EXPECT_THROW(parse_config("[data]\npath = \"a\"\"\xc2\xa1\"\n", "x.toml"),
               Error);
  // After a backslash, toml++ tests the next character, and in a
  // multi-line string the first one after a line-ending backslash, for
  // whitespace (found by the fuzzer: a backslash before U+030E).
  EXPECT_THROW(parse_config("[data]\npath = \"\"\"#\\\xcc\x8e"
                            "56\n\"\"\"\n",
                            "x.toml"),
               Error);
  EXPECT_THROW(
      parse_config("[data]\npath = \"\"\"a\\  \n  \xc3\xa9\"\"\"\n", "x.toml"),
      Error);
  EXPECT_THROW(parse_config("[data]\npath = \"a\\\xc3\xa9\"\n", "x.toml"),
               Error);
  // A line-ending backslash before ASCII is fine.
  EXPECT_EQ(
      parse_config("[data]\npath = \"\"\"a\\\n  b\xc3\xa9\"\"\"\n", "x.toml")
          .data.path,
      "ab\xc3\xa9");
  Config config;
  EXPECT_THROW(apply_override(config, "train.epochs=3\xc2\xa1"), Error);

  // Inside comments and every kind of string they are fine.
  auto path_of = [](const std::string& text) {
    return parse_config(text, "x.toml").data.path;
  };
  EXPECT_EQ(path_of("# donn\xc3\xa9"
                    "es \"\n[data]\n"
                    "path = \"a\xc3\xa9 \\\" \xc2\xa1\" # \xc2\xa1\n"),
            "a\xc3\xa9 \" \xc2\xa1");
  EXPECT_EQ(path_of("[data]\npath = \'\xc3\xa9\'\n"), "\xc3\xa9");
  EXPECT_EQ(parse_config("[model.mlp]\ng_hidden = [ 3, 4 ] # \xc3\xa9\n"
                         "[\"data\"]\n\"path\" = \"\xc3\xa9\"\n",
                         "x.toml")
                .data.path,
            "\xc3\xa9");
  EXPECT_EQ(path_of("[data]\npath = \"\"\"\n\xc3\xa9\"\"\"\n"), "\xc3\xa9");
  EXPECT_EQ(path_of("[data]\npath = \'\'\'\xc3\xa9\'\'\'\n"), "\xc3\xa9");
}

}  // namespace
}  // namespace gan::train
