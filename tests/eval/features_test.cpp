// TorchScript extractors, checked against a small network saved by
// Debian's PyTorch, and loading by file type.
#include "gan/eval/features.h"

#include <cstdlib>

#include <gtest/gtest.h>

#include "gan/core/error.h"
#include "gan/io/npy.h"
#include "test_util.h"

namespace gan::eval {
namespace {

bool python_torch_available() {
  return std::system("/usr/bin/python3 -c 'import torch' 2>/dev/null") == 0;
}

// A TorchScript module whose forward returns (features, logits):
// features = mean over pixels per channel times 2 (after resize to 8x8),
// logits = features @ [[1, -1]] per channel sum.
void write_module(const std::filesystem::path& path) {
  const std::string script =
      "import torch\n"
      "class M(torch.nn.Module):\n"
      "    def forward(self, x):\n"
      "        f = x.mean(dim=(2, 3)) * 2\n"
      "        s = f.sum(dim=1, keepdim=True)\n"
      "        return f, torch.cat([s, -s], dim=1)\n"
      "torch.jit.script(M()).save('" +
      path.string() + "')\n";
  testing::write_bytes(path.string() + ".py", script);
  ASSERT_EQ(std::system(("/usr/bin/python3 " + path.string() + ".py").c_str()),
            0);
}

TEST(FeaturesTest, TorchScriptFeaturesAndProbabilities) {
  if (!python_torch_available()) GTEST_SKIP() << "python3-torch missing";
  testing::TempDir dir;
  write_module(dir / "m.pt");
  TorchScriptOptions options;
  options.channels = 3;
  options.value_range = "0_255";
  auto extractor =
      load_torchscript_extractor(dir / "m.pt", options, torch::kCPU);
  const auto images = torch::full({4, 1, 5, 5}, 0.5);
  const auto f = extractor->features(images);
  // Grey repeated to 3 channels, scaled to 0-255, mean 127.5, times 2.
  EXPECT_TRUE(torch::allclose(f, torch::full({4, 3}, 255.0f)));
  const auto p = extractor->probabilities(images);
  EXPECT_TRUE(torch::allclose(p.sum(1), torch::ones({4})));
  EXPECT_GT(p[0][0].item<float>(), 0.99f);
  EXPECT_NE(extractor->identity().find("m.pt"), std::string::npos);
  // extract_features chunks without changing results.
  EXPECT_TRUE(torch::allclose(extract_features(*extractor, images, 3), f));
}

TEST(FeaturesTest, ResizingHappensBeforeTheNetwork) {
  if (!python_torch_available()) GTEST_SKIP() << "python3-torch missing";
  testing::TempDir dir;
  write_module(dir / "m.pt");
  TorchScriptOptions options;
  options.input_size = 16;
  options.filter = "bicubic";
  auto extractor =
      load_torchscript_extractor(dir / "m.pt", options, torch::kCPU);
  // A flat image stays flat through any resize.
  const auto f = extractor->features(torch::full({2, 1, 7, 7}, 0.25));
  EXPECT_TRUE(torch::allclose(f, torch::full({2, 1}, 0.5f), 1e-5, 1e-5));
}

TEST(FeaturesTest, NonTorchScriptFilesAreRefusedByName) {
  testing::TempDir dir;
  testing::write_bytes(dir / "x.pt", "not a zip archive");
  try {
    load_extractor(dir / "x.pt", "", torch::kCPU);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("x.pt"), std::string::npos);
  }
  EXPECT_THROW(load_extractor(dir / "missing.pt", "", torch::kCPU), Error);
  EXPECT_THROW(load_extractor(dir / "x.pt", "vgg", torch::kCPU), Error);
}

TEST(FeaturesTest, InceptionPresetMatchesStyleGanConventions) {
  const auto o = inception_options();
  EXPECT_EQ(o.input_size, 299);
  EXPECT_EQ(o.value_range, "0_255");
  EXPECT_EQ(o.channels, 3);
  EXPECT_TRUE(o.features_kwarg);
}

}  // namespace
}  // namespace gan::eval
