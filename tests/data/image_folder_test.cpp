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
  EXPECT_NEAR(data.examples()[1].to(torch::kFloat32).mean().item<float>(), 200,
              2);
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
  const auto data =
      load_image_folder(dir.path(), ImageFolderOptions(),
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
    EXPECT_NE(std::string(e.what()).find("data.image_size"), std::string::npos);
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

// Found by fuzz/image_fuzzer: a PNG whose compressed data stb rejects
// without giving a reason once crashed the loader's worker thread.
TEST(ImageFolderTest, AFailureWithoutAReasonIsStillNamed) {
  const unsigned char png[] = {
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00,
      0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00,
      0x00, 0x0c, 0x08, 0x00, 0x00, 0x00, 0x00, 0x79, 0xff, 0x8c, 0x83,
      0xff, 0xff, 0xff, 0xed, 0x49, 0x44, 0x41, 0x54, 0x78, 0x5e, 0x63,
      0x64, 0x60, 0x84, 0x03, 0x2e, 0x37, 0x8b, 0x85, 0xae, 0x4c, 0x00,
      0x42, 0x85, 0x01, 0x05, 0xdb, 0x71, 0x70, 0xcd, 0x00, 0x00, 0x00,
      0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};
  TempDir dir;
  testing::write_bytes(
      dir / "odd.png",
      std::string(reinterpret_cast<const char*>(png), sizeof(png)));
  write_image(dir / "good.png", 8, 8, 1, 7);
  ImageFolderOptions options;
  options.image_size = 8;
  std::vector<std::string> warnings;
  const auto data =
      load_image_folder(dir.path(), options,
                        [&](const std::string& w) { warnings.push_back(w); });
  EXPECT_EQ(data.size(), 1);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("odd.png: not a decodable image"),
            std::string::npos)
      << warnings[0];
}

// A PNG header alone can declare any size; the loader refuses past 100
// megapixels before decoding. An elongated strip is cut to its centre
// square before it is resized (fuzz/image_fuzzer found a 9 x 589,824
// bitmap whose whole-strip resize took minutes).
TEST(ImageFolderTest, HugeImagesAreRefusedAndStripsCroppedFirst) {
  auto png_header = [](uint32_t w, uint32_t h) {
    std::string bytes = "\x89PNG\r\n\x1a\n";
    bytes += std::string("\0\0\0\x0dIHDR", 8);
    for (uint32_t v : {w, h}) {
      for (int shift = 24; shift >= 0; shift -= 8) bytes += char(v >> shift);
    }
    bytes += std::string("\x08\0\0\0\0", 5);  // 8-bit grey
    bytes += std::string(4, '\0');            // CRC, unchecked
    return bytes;
  };
  TempDir dir;
  testing::write_bytes(dir / "huge.png", png_header(20000, 20000));
  write_image(dir / "strip.png", 30000, 1, 1, 9);
  write_image(dir / "good.png", 8, 8, 1, 7);
  ImageFolderOptions options;
  options.image_size = 64;
  std::vector<std::string> warnings;
  const auto data =
      load_image_folder(dir.path(), options,
                        [&](const std::string& w) { warnings.push_back(w); });
  EXPECT_EQ(data.size(), 2);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("huge.png: 20000 x 20000 pixels, more than the "
                             "100 megapixels"),
            std::string::npos)
      << warnings[0];
}

// The centre square, resized: a 12 x 4 image whose centre 4 x 4 is one
// grey level and whose sides are another becomes that level only.
TEST(ImageFolderTest, ElongatedImagesKeepTheirCentreSquare) {
  TempDir dir;
  std::vector<uint8_t> pixels(12 * 4, 10);
  for (int y = 0; y < 4; ++y) {
    for (int x = 4; x < 8; ++x) pixels[y * 12 + x] = 200;
  }
  ASSERT_TRUE(
      stbi_write_png((dir / "wide.png").c_str(), 12, 4, 1, pixels.data(), 12));
  for (int64_t size : {4, 2}) {
    ImageFolderOptions options;
    options.image_size = size;
    options.channels = 1;
    const auto data = load_image_folder(dir.path(), options);
    ASSERT_EQ(data.size(), 1);
    // Scaled to [-1, 1]: 200 is 200 / 127.5 - 1.
    const auto image = data.batch(torch::tensor({0}), torch::kCPU);
    EXPECT_TRUE(torch::allclose(image, torch::full_like(image, 200 / 127.5 - 1),
                                0, 1e-5))
        << image;
  }
}

// Found by fuzz/image_fuzzer: a PGM header declaring 5 x 0 pixels decoded
// "successfully", and resizing it tripped an assertion inside stb.
TEST(ImageFolderTest, AnImageWithoutRowsIsSkippedByName) {
  const std::string pgm =
      "P55\xcb\xca\xca\xc2"
      "55555555555555555555555555555555555555555555555";
  TempDir dir;
  testing::write_bytes(dir / "empty.pgm", pgm);
  write_image(dir / "good.png", 8, 8, 1, 7);
  ImageFolderOptions options;
  options.image_size = 8;
  std::vector<std::string> warnings;
  const auto data =
      load_image_folder(dir.path(), options,
                        [&](const std::string& w) { warnings.push_back(w); });
  EXPECT_EQ(data.size(), 1);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("empty.pgm"), std::string::npos) << warnings[0];
}

}  // namespace
}  // namespace gan::data
