#include "gan/data/image_folder.h"

#include <gtest/gtest.h>
#include <stb/stb_image_write.h>

#include "gan/core/error.h"
#include "test_util.h"

namespace gan::data {
namespace {

using testing::TempDir;
namespace fs = std::filesystem;

// Writes a w x h image of `channels` channels filled with `value` as PNG
// (or JPEG when the name says so).
void write_image(const fs::path& path, int w, int h, int channels,
                 uint8_t value) {
  fs::create_directories(path.parent_path());
  std::vector<uint8_t> pixels(static_cast<size_t>(w * h * channels), value);
  if (path.extension() == ".jpg") {
    stbi_write_jpg(path.c_str(), w, h, channels, pixels.data(), 95);
  } else {
    stbi_write_png(path.c_str(), w, h, channels, pixels.data(), w * channels);
  }
}

TEST(ImageFolderTest, MixedSizesAreResizedAndCropped) {
  TempDir dir;
  write_image(dir / "a.png", 40, 20, 3, 10);
  write_image(dir / "b.jpg", 16, 16, 3, 200);
  write_image(dir / "sub" / "c.png", 9, 30, 1, 255);
  ImageFolderOptions options;
  options.image_size = 8;
  options.range = PixelRange::kZeroOne;
  const auto data = load_image_folder(dir.path(), options);
  EXPECT_EQ(data.size(), 3);
  EXPECT_FALSE(data.has_labels());
  // Colour in any image makes the set RGB.
  EXPECT_EQ(data.example_shape(), (std::vector<int64_t>{3, 8, 8}));
  // Files load in sorted path order; a flat image stays flat.
  EXPECT_EQ(data.examples()[0].min().item<uint8_t>(), 10);
  EXPECT_EQ(data.examples()[0].max().item<uint8_t>(), 10);
  EXPECT_NEAR(data.examples()[1].to(torch::kFloat32).mean().item<float>(),
              200, 2);
}

TEST(ImageFolderTest, SubfoldersAreClasses) {
  TempDir dir;
  write_image(dir / "cat" / "1.png", 4, 4, 1, 0);
  write_image(dir / "cat" / "2.png", 4, 4, 1, 0);
  write_image(dir / "dog" / "deep" / "3.png", 4, 4, 1, 0);
  const auto listing = list_image_folder(dir.path());
  EXPECT_EQ(listing.class_names, (std::vector<std::string>{"cat", "dog"}));
  const auto data = load_image_folder(dir.path(), ImageFolderOptions());
  EXPECT_EQ(data.num_classes(), 2);
  EXPECT_TRUE(torch::equal(data.labels(), torch::tensor({0, 0, 1})));
  EXPECT_EQ(data.example_shape(), (std::vector<int64_t>{1, 4, 4}));
}

TEST(ImageFolderTest, BrokenFilesAreSkippedWithAWarningNamingThem) {
  TempDir dir;
  write_image(dir / "good.png", 4, 4, 1, 7);
  testing::write_bytes(dir / "broken.png", "\x89PNG not really");
  testing::write_bytes(dir / "notes.txt", "hello");
  testing::write_bytes(dir / ".hidden", "ignored silently");
  std::vector<std::string> warnings;
  const auto data = load_image_folder(
      dir.path(), ImageFolderOptions(),
      [&](const std::string& w) { warnings.push_back(w); });
  EXPECT_EQ(data.size(), 1);
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_NE(warnings[0].find("broken.png"), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[1].find("notes.txt"), std::string::npos) << warnings[1];
}

TEST(ImageFolderTest, StopPolicyFailsOnTheFirstBrokenFile) {
  TempDir dir;
  write_image(dir / "good.png", 4, 4, 1, 7);
  testing::write_bytes(dir / "broken.jpg", "not a jpeg");
  ImageFolderOptions options;
  options.on_bad_file = BadFilePolicy::kStop;
  try {
    load_image_folder(dir.path(), options);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("broken.jpg"), std::string::npos);
  }
}

TEST(ImageFolderTest, UnequalSizesNeedAnImageSize) {
  TempDir dir;
  write_image(dir / "a.png", 4, 4, 1, 0);
  write_image(dir / "b.png", 6, 6, 1, 0);
  try {
    load_image_folder(dir.path(), ImageFolderOptions());
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("data.image_size"),
              std::string::npos);
  }
}

TEST(ImageFolderTest, EmptyOrMissingFoldersAreErrors) {
  TempDir dir;
  EXPECT_THROW(load_image_folder(dir.path(), ImageFolderOptions()), Error);
  EXPECT_THROW(load_image_folder(dir / "absent", ImageFolderOptions()), Error);
  testing::write_bytes(dir / "x.png", "junk");
  EXPECT_THROW(load_image_folder(dir.path(), ImageFolderOptions()), Error);
}

TEST(ImageFolderTest, ChannelsCanBeForced) {
  TempDir dir;
  write_image(dir / "a.png", 4, 4, 3, 90);
  ImageFolderOptions options;
  options.channels = 1;
  EXPECT_EQ(load_image_folder(dir.path(), options).example_shape()[0], 1);
}

}  // namespace
}  // namespace gan::data
