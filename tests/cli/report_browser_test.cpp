// The report as people see it: `gan report` on a real (toy) run folder,
// the page rendered by headless Chromium, and both the DOM the browser
// built and a screenshot of it checked. Debian's chromium is required:
// scripts/install-deps.sh --test installs it.
#include <sys/wait.h>

#include <cstdio>
#include <fstream>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <stb/stb_image.h>

#include "test_util.h"

namespace gan {
namespace {

using testing::TempDir;
namespace fs = std::filesystem;

constexpr const char* kChromium = "/usr/bin/chromium";
constexpr int kWidth = 1200;
constexpr int kHeight = 2000;

struct Output {
  int status = -1;
  std::string out;
};

// Runs `command` through the shell; standard error goes to `err_file`.
Output run(const std::string& command, const fs::path& err_file) {
  Output r;
  FILE* pipe = popen((command + " 2>" + err_file.string()).c_str(), "r");
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof(buffer), pipe)) {
    r.out.append(buffer, n);
  }
  const int raw = pclose(pipe);
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return r;
}

size_t count(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos;
       at = text.find(part, at + part.size())) {
    ++n;
  }
  return n;
}

// A toy run trained for two epochs, one evaluation line added by hand, a
// figure, and its report written by `gan report`.
class ReportBrowserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists(kChromium))
        << kChromium
        << " is missing: this test renders the report in Debian's chromium "
           "(apt-get install chromium, or scripts/install-deps.sh --test)";

    const auto train =
        run(fmt::format("{} train --config {}/configs/toy-ring.toml --epochs 2 "
                        "--set data.toy_size=2000 --set log.every_steps=2 "
                        "--threads 1 --quiet --out {}",
                        GAN_BINARY, GAN_SOURCE_DIR, run_dir().string()),
            dir_ / "train.err");
    ASSERT_EQ(train.status, 0) << testing::read_bytes(dir_ / "train.err");
    std::ofstream(run_dir() / "metrics.jsonl", std::ios::app)
        << R"({"step": 16, "epoch": 2, "time": 0, )"
           R"("eval": {"modes_captured": 5, "high_quality": 0.5}})"
        << '\n';
    fs::create_directories(run_dir() / "figures");
    fs::copy_file(run_dir() / "samples" / "epoch-0002.png",
                  run_dir() / "figures" / "figure2.png");

    const auto report =
        run(fmt::format("{} report {}", GAN_BINARY, run_dir().string()),
            dir_ / "report.err");
    ASSERT_EQ(report.status, 0) << testing::read_bytes(dir_ / "report.err");
    EXPECT_EQ(report.out, "wrote " + report_file().string() + "\n");
    ASSERT_TRUE(fs::exists(report_file()));
  }

  fs::path run_dir() const { return dir_ / "run"; }
  fs::path report_file() const { return run_dir() / "report.html"; }

  // Chromium, headless and offline, with a fresh profile, on the report;
  // `action` is --dump-dom or --screenshot=PATH.
  Output chromium(const std::string& action) {
    const auto profile = dir_ / fmt::format("profile-{}", ++profiles_);
    fs::create_directories(profile);
    const auto command = fmt::format(
        "timeout 120 {} --headless --no-sandbox --disable-gpu --disable-quic "
        "--no-first-run --disable-background-networking "
        "--disable-component-update --disable-sync --hide-scrollbars "
        "--user-data-dir={} --window-size={},{} {} file://{}",
        kChromium, profile.string(), kWidth, kHeight, action,
        report_file().string());
    return run(command, dir_ / "chromium.err");
  }

  TempDir dir_;
  int profiles_ = 0;
};

TEST_F(ReportBrowserTest, DomHoldsTheChartsAndImages) {
  const auto dom = chromium("--dump-dom");
  ASSERT_EQ(dom.status, 0) << testing::read_bytes(dir_ / "chromium.err");

  // Losses, D's outputs, and the two evaluation metrics.
  EXPECT_EQ(count(dom.out, "<svg class=\"chart\""), 4u) << dom.out;
  EXPECT_EQ(count(dom.out, "<polyline class=\"series\""), 6u);
  EXPECT_NE(dom.out.find("Modes captured"), std::string::npos);
  // Epochs 0 to 2, then figure2.png.
  EXPECT_EQ(count(dom.out, "<img src=\"data:image/png;base64,"), 4u);
  EXPECT_NE(dom.out.find("<figcaption>epoch 2</figcaption>"),
            std::string::npos);
  EXPECT_NE(dom.out.find("<figcaption>figure2.png</figcaption>"),
            std::string::npos);
  EXPECT_NE(dom.out.find("toy_size = 2000"), std::string::npos);
}

TEST_F(ReportBrowserTest, ScreenshotShowsChartsAndSamples) {
  const auto png = dir_ / "screenshot.png";
  const auto shot = chromium("--screenshot=" + png.string());
  ASSERT_EQ(shot.status, 0) << testing::read_bytes(dir_ / "chromium.err");
  ASSERT_TRUE(fs::exists(png)) << testing::read_bytes(dir_ / "chromium.err");

  int w = 0, h = 0, channels = 0;
  uint8_t* pixels = stbi_load(png.c_str(), &w, &h, &channels, 3);
  ASSERT_NE(pixels, nullptr) << stbi_failure_reason();
  EXPECT_EQ(w, kWidth);
  EXPECT_EQ(h, kHeight);

  // Count non-white pixels, and those of the colours only the page's parts
  // use: orange for loss_G's line, red for the modes drawn in the toy
  // run's sample plots (so the embedded PNGs were decoded).
  auto near = [](const uint8_t* p, int r, int g, int b) {
    return std::abs(p[0] - r) <= 8 && std::abs(p[1] - g) <= 8 &&
           std::abs(p[2] - b) <= 8;
  };
  int64_t not_white = 0, orange = 0, red = 0;
  for (int64_t i = 0; i < int64_t{w} * h; ++i) {
    const uint8_t* p = pixels + 3 * i;
    if (p[0] < 245 || p[1] < 245 || p[2] < 245) ++not_white;
    if (near(p, 0xff, 0x7f, 0x0e)) ++orange;
    if (near(p, 214, 39, 40)) ++red;
  }
  stbi_image_free(pixels);
  const int64_t total = int64_t{w} * h;
  EXPECT_GT(not_white, total / 100) << "the page looks blank";
  EXPECT_LT(not_white, total * 9 / 10) << "the page looks filled";
  EXPECT_GT(orange, 100) << "no loss_G line visible";
  EXPECT_GT(red, 100) << "no sample plot visible";
}

}  // namespace
}  // namespace gan
