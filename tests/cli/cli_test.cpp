// The gan command as users run it: every subcommand end to end on a tiny
// dataset, and every kind of bad input giving one clear line, exit status
// 1 and nothing half-written.
#include <sys/wait.h>

#include <cstdio>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <stb/stb_image_write.h>

#include "gan/io/npy.h"
#include "gan/io/run_dir.h"
#include "gan/io/safetensors.h"
#include "test_util.h"

namespace gan {
namespace {

using testing::TempDir;
namespace fs = std::filesystem;

struct Result {
  int status = -1;
  std::string out;
  std::string err;
};

// Runs `gan ARGS` through the shell, capturing both streams.
Result gan(const std::string& args, const TempDir& dir) {
  const auto err_file = dir / "stderr.txt";
  const std::string command = std::string(GAN_BINARY) + " " + args + " 2>" +
                              err_file.string();
  Result r;
  FILE* pipe = popen(command.c_str(), "r");
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof(buffer), pipe)) r.out.append(buffer, n);
  const int raw = pclose(pipe);
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  r.err = testing::read_bytes(err_file);
  return r;
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::write_mnist_folder(dir_ / "data", 60, 20);
    // The tiny nets as a config file, as a user would write one.
    testing::write_bytes(
        dir_ / "tiny.toml",
        testing::tiny_config_toml(dir_ / "data", "epochs = 2\nthreads = 1\n",
                                  "every_steps = 5\n"));
  }

  // Expects the failure users should see: status 1, one line on stderr
  // naming `part`, no backtrace.
  void expect_clean_failure(const Result& r, const std::string& part) {
    EXPECT_EQ(r.status, 1) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_EQ(r.err.rfind("gan: error: ", 0), 0u) << r.err;
    EXPECT_NE(r.err.find(part), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("Exception raised from"), std::string::npos);
    EXPECT_EQ(r.err.find("frame #"), std::string::npos);
  }

  std::string train_args(const std::string& out) const {
    return "train --config " + (dir_ / "tiny.toml").string() + " --out " +
           out + " --quiet";
  }

  TempDir dir_;
};

TEST_F(CliTest, EverySubcommandHasHelp) {
  for (const char* cmd : {"", "train", "sample", "eval", "report", "export"}) {
    const auto r = gan(std::string(cmd) + " --help", dir_);
    EXPECT_EQ(r.status, 0) << cmd;
    EXPECT_NE(r.out.find("Usage"), std::string::npos) << cmd;
  }
  const auto keys = gan("train --help-config", dir_);
  EXPECT_EQ(keys.status, 0);
  EXPECT_NE(keys.out.find("optim.lr"), std::string::npos);
}

TEST_F(CliTest, TrainSampleAndEvalEndToEnd) {
  const auto run = (dir_ / "run").string();
  const auto train = gan(train_args(run), dir_);
  ASSERT_EQ(train.status, 0) << train.err;
  EXPECT_NE(train.out.find("latest checkpoint"), std::string::npos);
  EXPECT_TRUE(fs::exists(dir_ / "run" / "checkpoints" / "latest.ckpt"));
  EXPECT_TRUE(fs::exists(dir_ / "run" / "samples" / "epoch-0002.png"));
  EXPECT_TRUE(fs::exists(dir_ / "run" / "config.toml"));
  EXPECT_TRUE(fs::exists(dir_ / "run" / "metrics.jsonl"));

  const auto npy = (dir_ / "s.npy").string();
  const auto png = (dir_ / "s.png").string();
  const auto sample = gan("sample --checkpoint " + run + " --count 12 --out " +
                              npy + " --out " + png,
                          dir_);
  ASSERT_EQ(sample.status, 0) << sample.err;
  const auto samples = io::read_npy(npy);
  EXPECT_EQ(samples.scalar_type(), torch::kByte);
  EXPECT_EQ(samples.sizes(), (std::vector<int64_t>{12, 28, 28, 1}));
  EXPECT_TRUE(fs::exists(png));

  const auto interp = gan("sample --checkpoint " + run +
                              " --interpolate --rows 2 --steps 5 --out " +
                              (dir_ / "i.npy").string(),
                          dir_);
  ASSERT_EQ(interp.status, 0) << interp.err;
  EXPECT_EQ(io::read_npy(dir_ / "i.npy").size(0), 10);

  const auto eval = gan("eval --checkpoint " + run +
                            " --parzen --samples 200 --validation 10 --json "
                            "--nearest " +
                            (dir_ / "nn.png").string(),
                        dir_);
  ASSERT_EQ(eval.status, 0) << eval.err;
  const auto report = nlohmann::json::parse(eval.out);
  EXPECT_EQ(report["samples"], 200);
  EXPECT_EQ(report["parzen"]["test_images"], 20);
  EXPECT_TRUE(report["parzen"]["log_likelihood"].is_number());
  EXPECT_TRUE(fs::exists(dir_ / "nn.png"));

  // The same samples scored from the .npy file give a finite number too.
  const auto from_npy =
      gan("eval --npy " + npy + " --data " + (dir_ / "data").string() +
              " --train-size 50 --parzen --validation 10 --json",
          dir_);
  ASSERT_EQ(from_npy.status, 0) << from_npy.err;
  EXPECT_TRUE(nlohmann::json::parse(from_npy.out)["parzen"]["log_likelihood"]
                  .is_number());
}

TEST_F(CliTest, ResumeContinuesFromTheLatestCheckpoint) {
  const auto run = (dir_ / "run").string();
  ASSERT_EQ(gan(train_args(run) + " --max-steps 4", dir_).status, 0);
  const auto resumed = gan("train --resume " + run + " --quiet", dir_);
  ASSERT_EQ(resumed.status, 0) << resumed.err;
  io::RunDir dir = io::RunDir::open(run);
  // Two epochs of 5 steps: the run ends at step 10.
  EXPECT_EQ(dir.step_checkpoints().back().filename(), "step-000000010.ckpt");
}

TEST_F(CliTest, MissingDatasetIsOneLine) {
  const auto r = gan(train_args((dir_ / "run").string()) +
                         " --set data.path=/nonexistent/fashion",
                     dir_);
  expect_clean_failure(r, "/nonexistent/fashion");
  EXPECT_FALSE(fs::exists(dir_ / "run"));
}

TEST_F(CliTest, MalformedDatasetIsOneLine) {
  auto bytes = testing::read_bytes(dir_ / "data" / "train-images-idx3-ubyte");
  testing::write_bytes(dir_ / "data" / "train-images-idx3-ubyte",
                       bytes.substr(0, bytes.size() - 10));
  const auto r = gan(train_args((dir_ / "run").string()), dir_);
  expect_clean_failure(r, "train-images-idx3-ubyte");
  EXPECT_NE(r.err.find("truncated"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir_ / "run"));
}

TEST_F(CliTest, UnknownConfigKeyIsOneLine) {
  testing::write_bytes(dir_ / "bad.toml", "[optim]\nlearning_rate = 0.1\n");
  const auto r = gan("train --config " + (dir_ / "bad.toml").string() +
                         " --out " + (dir_ / "run").string(),
                     dir_);
  expect_clean_failure(r, "unknown key 'optim.learning_rate'");
  EXPECT_NE(r.err.find("bad.toml"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir_ / "run"));
}

TEST_F(CliTest, BadValueIsOneLine) {
  const auto r =
      gan(train_args((dir_ / "run").string()) + " --set optim.lr=-1", dir_);
  expect_clean_failure(r, "optim.lr");
  EXPECT_FALSE(fs::exists(dir_ / "run"));
  expect_clean_failure(
      gan(train_args((dir_ / "run").string()) + " --set loss.kind=hinge2",
          dir_),
      "loss.kind");
  expect_clean_failure(gan(train_args((dir_ / "run").string()) +
                               " --set train.device=tpu",
                           dir_),
                       "tpu");
}

TEST_F(CliTest, UnwritableOutputFolderIsOneLine) {
  testing::write_bytes(dir_ / "blocker", "a file, not a folder");
  const auto r = gan(train_args((dir_ / "blocker" / "run").string()), dir_);
  expect_clean_failure(r, "blocker");
}

TEST_F(CliTest, ExistingRunIsNotOverwritten) {
  const auto run = (dir_ / "run").string();
  ASSERT_EQ(gan(train_args(run) + " --max-steps 2", dir_).status, 0);
  const auto before = testing::read_bytes(dir_ / "run" / "config.toml");
  expect_clean_failure(gan(train_args(run), dir_), "already holds a run");
  EXPECT_EQ(testing::read_bytes(dir_ / "run" / "config.toml"), before);
}

TEST_F(CliTest, CheckpointOfAnotherFormatVersionIsOneLine) {
  const auto run = (dir_ / "run").string();
  ASSERT_EQ(gan(train_args(run) + " --max-steps 2", dir_).status, 0);
  const auto ckpt = dir_ / "run" / "checkpoints" / "latest.ckpt";
  auto bytes = testing::read_bytes(ckpt);
  bytes[8] = 3;  // format version after the 8-byte magic
  testing::write_bytes(dir_ / "old.ckpt", bytes);
  const auto r = gan("sample --checkpoint " + (dir_ / "old.ckpt").string() +
                         " --out " + (dir_ / "x.png").string(),
                     dir_);
  expect_clean_failure(r, "format version 3");
  EXPECT_FALSE(fs::exists(dir_ / "x.png"));
}

TEST_F(CliTest, ReportOfAFolderThatIsNotARunIsOneLine) {
  fs::create_directories(dir_ / "empty");
  expect_clean_failure(gan("report " + (dir_ / "empty").string(), dir_),
                       "not a run folder");
  EXPECT_FALSE(fs::exists(dir_ / "empty" / "report.html"));
  expect_clean_failure(gan("report " + (dir_ / "absent").string(), dir_),
                       "absent");
}

TEST_F(CliTest, ExportWritesWeightsAndDescription) {
  const auto run = (dir_ / "run").string();
  ASSERT_EQ(
      gan(train_args(run) + " --max-steps 2 --set train.ema_decay=0.5", dir_)
          .status,
      0);
  const auto out = dir_ / "exported";
  const auto r =
      gan("export --checkpoint " + run + " --out " + out.string(), dir_);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("generator.safetensors (moving-average weights)"),
            std::string::npos)
      << r.out;
  const auto weights = io::read_safetensors(out / "generator.safetensors");
  EXPECT_TRUE(weights.tensors.count("out.weight"));
  const auto description =
      nlohmann::json::parse(testing::read_bytes(out / "generator.json"));
  EXPECT_EQ(description["family"], "mlp");
  EXPECT_EQ(description["checkpoint"]["weights"], "moving_average");

  // --raw: the trained weights instead of their moving average.
  const auto raw = gan(
      "export --raw --checkpoint " + run + " --out " + (dir_ / "raw").string(),
      dir_);
  ASSERT_EQ(raw.status, 0) << raw.err;
  EXPECT_EQ(nlohmann::json::parse(testing::read_bytes(
                dir_ / "raw" / "generator.json"))["checkpoint"]["weights"],
            "trained");
  EXPECT_FALSE(
      torch::equal(io::read_safetensors(dir_ / "raw" / "generator.safetensors")
                       .tensors.at("out.weight"),
                   weights.tensors.at("out.weight")));
}

TEST_F(CliTest, ExportOfABadCheckpointIsOneLine) {
  testing::write_bytes(dir_ / "junk.ckpt", "not a checkpoint");
  const auto out = (dir_ / "exported").string();
  expect_clean_failure(gan("export --checkpoint " +
                               (dir_ / "junk.ckpt").string() + " --out " + out,
                           dir_),
                       "junk.ckpt");
  EXPECT_FALSE(fs::exists(out));
  expect_clean_failure(gan("export --checkpoint " + out, dir_), "--out");
}

TEST_F(CliTest, BadCommandLineIsOneLine) {
  expect_clean_failure(gan("train --epochs many", dir_), "--epochs");
  expect_clean_failure(gan("sample --out x.png", dir_), "--checkpoint");
  expect_clean_failure(gan("sample --checkpoint a --out x.jpg", dir_),
                       "x.jpg");
  expect_clean_failure(gan("report", dir_), "dir");
}

}  // namespace
}  // namespace gan

namespace gan {
namespace {

void write_png(const fs::path& path, int w, int h, int channels,
               uint8_t value) {
  fs::create_directories(path.parent_path());
  std::vector<uint8_t> pixels(static_cast<size_t>(w * h * channels), value);
  stbi_write_png(path.c_str(), w, h, channels, pixels.data(), w * channels);
}

class CliFolderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Mixed sizes and channel counts, a nested file, a broken image and a
    // file that is no image at all.
    write_png(dir_ / "photos" / "a.png", 40, 30, 3, 30);
    write_png(dir_ / "photos" / "b.png", 17, 23, 1, 200);
    write_png(dir_ / "photos" / "more" / "c.png", 64, 64, 4, 120);
    for (int i = 0; i < 12; ++i) {
      write_png(dir_ / "photos" / ("d" + std::to_string(i) + ".png"), 20, 20,
                3, static_cast<uint8_t>(10 * i));
    }
    testing::write_bytes(dir_ / "photos" / "broken.png", "\x89PNG truncated");
    testing::write_bytes(dir_ / "photos" / "readme.txt", "not an image");
  }

  std::string train_args(const std::string& out) const {
    return "train --set data.format=folder --set data.path=" +
           (dir_ / "photos").string() +
           " --set data.image_size=16 --set data.range=minus_one_one"
           " --set model.family=dcgan --set model.dcgan.g_width=4"
           " --set model.dcgan.d_width=4 --batch-size 5 --max-steps 3"
           " --threads 1 --quiet --out " + out;
  }

  TempDir dir_;
};

TEST_F(CliFolderTest, AFolderOfMixedImagesTrainsWithOneCommand) {
  const auto r = gan(train_args((dir_ / "run").string()), dir_);
  ASSERT_EQ(r.status, 0) << r.err;
  // Each skipped file is named in a warning; training goes on.
  EXPECT_NE(r.err.find("warning: skipping"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("broken.png"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("readme.txt"), std::string::npos) << r.err;
  const auto sample = gan("sample --checkpoint " + (dir_ / "run").string() +
                              " --count 3 --out " + (dir_ / "s.npy").string(),
                          dir_);
  ASSERT_EQ(sample.status, 0) << sample.err;
  EXPECT_EQ(io::read_npy(dir_ / "s.npy").sizes(),
            (std::vector<int64_t>{3, 16, 16, 3}));
}

TEST_F(CliFolderTest, StopPolicyNamesTheBrokenFile) {
  const auto r = gan(train_args((dir_ / "run").string()) +
                         " --set data.on_bad_file=stop",
                     dir_);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("broken.png"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "run"));
}

TEST(CliToyTest, ToyCheckpointsSampleFloatPointsAndScoreCoverage) {
  TempDir dir;
  const auto run = (dir / "run").string();
  const auto train =
      gan("train --config " GAN_SOURCE_DIR "/configs/toy-ring.toml"
          " --set data.toy_size=500 --set model.conditional=true"
          " --epochs 2 --threads 1 --quiet --out " + run,
          dir);
  ASSERT_EQ(train.status, 0) << train.err;
  EXPECT_TRUE(fs::exists(dir / "run" / "samples" / "epoch-0002.png"));

  const auto npy = (dir / "points.npy").string();
  const auto sample =
      gan("sample --checkpoint " + run + " --count 40 --class 3 --out " + npy,
          dir);
  ASSERT_EQ(sample.status, 0) << sample.err;
  const auto points = io::read_npy(npy);
  EXPECT_EQ(points.scalar_type(), torch::kFloat32);
  EXPECT_EQ(points.sizes(), (std::vector<int64_t>{40, 2}));
  EXPECT_EQ(gan("sample --checkpoint " + run + " --class 8 --out " + npy, dir)
                .status,
            1);

  const auto eval = gan("eval --checkpoint " + run + " --coverage --json", dir);
  ASSERT_EQ(eval.status, 0) << eval.err;
  const auto report = nlohmann::json::parse(eval.out);
  EXPECT_EQ(report["coverage"]["modes"], 8);
  EXPECT_EQ(report["coverage"]["samples"], 2500);
}

}  // namespace
}  // namespace gan

namespace gan {
namespace {

class CliMetricsTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    // A larger tiny set: 200 training images (150 train, 50 validation).
    testing::write_mnist_folder(dir_ / "data", 200, 60);
    const auto classifier = gan("classifier train --data " +
                                    (dir_ / "data").string() +
                                    " --set data.train_size=150 --epochs 4"
                                    " --batch-size 25 --threads 1 --out " +
                                    (dir_ / "c.ckpt").string(),
                                dir_);
    ASSERT_EQ(classifier.status, 0) << classifier.err;
    ASSERT_NE(classifier.out.find("test accuracy"), std::string::npos);
  }

  nlohmann::json eval(const std::string& source) {
    const auto r = gan("eval " + source + " --data " +
                           (dir_ / "data").string() +
                           " --train-size 150 --fid --kid --pr --is"
                           " --kid-subsets 10 --samples 60 --json --no-cache"
                           " --threads 1 --extractor " +
                           (dir_ / "c.ckpt").string(),
                       dir_);
    EXPECT_EQ(r.status, 0) << r.err;
    return nlohmann::json::parse(r.out);
  }
};

TEST_F(CliMetricsTest, RealImagesScoreCloserThanAnUntrainedGenerator) {
  const auto run = (dir_ / "run").string();
  ASSERT_EQ(gan(train_args(run) + " --max-steps 2 --set data.train_size=150",
                dir_)
                .status,
            0);
  const auto real = eval("--split test");
  const auto generated = eval("--checkpoint " + run);
  EXPECT_LT(real["fid"].get<double>(), generated["fid"].get<double>());
  EXPECT_LT(real["kid"]["mean"].get<double>(),
            generated["kid"]["mean"].get<double>());
  EXPECT_GT(real["recall"].get<double>(), generated["recall"].get<double>());
  EXPECT_EQ(real["reference"]["split"], "train");
  EXPECT_EQ(real["reference"]["count"], 150);

  // The same checkpoint scored twice gives the same numbers.
  const auto again = eval("--checkpoint " + run);
  EXPECT_EQ(again["fid"], generated["fid"]);
  EXPECT_EQ(again["kid"], generated["kid"]);
  EXPECT_EQ(again["inception_score"], generated["inception_score"]);
}

TEST_F(CliMetricsTest, FeatureMetricsWithoutAnExtractorAreOneLine) {
  expect_clean_failure(gan("eval --split test --data " +
                               (dir_ / "data").string() + " --fid",
                           dir_),
                       "--extractor");
  expect_clean_failure(gan("eval --data " + (dir_ / "data").string() +
                               " --fid --extractor " +
                               (dir_ / "c.ckpt").string(),
                           dir_),
                       "exactly one source");
}

}  // namespace
}  // namespace gan
