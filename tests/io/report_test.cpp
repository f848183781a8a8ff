#include "gan/io/report.h"

#include <regex>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <stb/stb_image_write.h>

#include "gan/core/error.h"
#include "test_util.h"

namespace gan::io {
namespace {

using testing::TempDir;
namespace fs = std::filesystem;

constexpr const char* kConfig =
    "# a hand-made run\n[data]\nname = \"a < b & \\\"c\\\"\"\n";
constexpr const char* kDataUri = "src=\"data:image/png;base64,";

std::string training_line(int64_t step, double loss_d) {
  return fmt::format(
      R"({{"step": {}, "epoch": {}, "loss_d": {}, "loss_g": 0.7, )"
      R"("d_real": 0.6, "d_fake": 0.4, "lr": 0.1, "momentum": 0.5, )"
      R"("images_per_second": 23456.7, "time": 1700000000, "extra": [1]}})"
      "\n",
      step, step / 100, loss_d);
}

// A solid w x h grey PNG; returns its bytes.
std::string write_png(const fs::path& path, int w, int h, uint8_t value) {
  fs::create_directories(path.parent_path());
  const std::vector<uint8_t> pixels(static_cast<size_t>(w * h), value);
  EXPECT_TRUE(stbi_write_png(path.c_str(), w, h, 1, pixels.data(), w));
  return testing::read_bytes(path);
}

size_t count(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos;
       at = text.find(part, at + part.size())) {
    ++n;
  }
  return n;
}

std::string base64_decode(const std::string& text) {
  const std::string digits =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  uint32_t bits = 0;
  int held = 0;
  for (const char c : text) {
    if (c == '=') break;
    bits = (bits << 6) | static_cast<uint32_t>(digits.find(c));
    held += 6;
    if (held >= 8) {
      held -= 8;
      out += static_cast<char>((bits >> held) & 0xff);
    }
  }
  return out;
}

// A run folder made by hand: config.toml and three training lines.
class ReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(root());
    testing::write_bytes(root() / "config.toml", kConfig);
    testing::write_bytes(root() / "metrics.jsonl", training_line(100, 1.3) +
                                                       training_line(200, 1.2) +
                                                       training_line(300, 1.1));
  }

  fs::path root() const { return dir_ / "run"; }

  void append_metrics(const std::string& lines) {
    testing::write_bytes(root() / "metrics.jsonl",
                         testing::read_bytes(root() / "metrics.jsonl") + lines);
  }

  std::string report() {
    write_report(RunDir::at(root()), dir_ / "report.html");
    return testing::read_bytes(dir_ / "report.html");
  }

  TempDir dir_;
};

TEST_F(ReportTest, TrainingLogGivesTwoChartsOfTwoSeries) {
  const auto html = report();
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_EQ(count(html, "<svg class=\"chart\""), 2u);
  EXPECT_EQ(count(html, "<polyline class=\"series\""), 4u);
  EXPECT_NE(html.find("loss_D"), std::string::npos);
  EXPECT_NE(html.find("D(G(z))"), std::string::npos);
  EXPECT_EQ(html.find("Evaluation"), std::string::npos);

  // The summary holds the last line's values.
  EXPECT_NE(html.find("<h1>Run run</h1>"), std::string::npos);
  EXPECT_NE(html.find("<th>last step</th><td>300</td>"), std::string::npos);
  EXPECT_NE(html.find("<th>loss_D</th><td>1.1</td>"), std::string::npos);
  EXPECT_NE(html.find("<th>images/s</th><td>23457</td>"), std::string::npos);
  EXPECT_NE(html.find("No sample grids yet"), std::string::npos);
}

TEST_F(ReportTest, EvalLinesAddOneChartPerMetric) {
  append_metrics(
      R"({"step": 200, "epoch": 2, "time": 1, "eval": {"precision": 0.7, )"
      R"("fid": 12.5, "a_new_score": 3, "note": "not a number"}})"
      "\n"
      R"({"step": 300, "epoch": 3, "time": 2, "eval": {"fid": 10.5, )"
      R"("precision": 0.75}})"
      "\n");
  const auto html = report();
  EXPECT_EQ(count(html, "<svg class=\"chart\""), 5u);
  EXPECT_EQ(count(html, "<polyline class=\"series\""), 7u);

  // Known metrics first, in a fixed order, then others by name.
  const auto fid = html.find("<h3>FID (lower is better)</h3>");
  const auto precision = html.find("<h3>Precision (higher is better)</h3>");
  const auto other = html.find("<h3>a_new_score</h3>");
  ASSERT_NE(fid, std::string::npos);
  ASSERT_NE(precision, std::string::npos);
  ASSERT_NE(other, std::string::npos);
  EXPECT_LT(fid, precision);
  EXPECT_LT(precision, other);
  EXPECT_EQ(html.find("<h3>note"), std::string::npos);
  const auto last_precision =
      html.find("<th>Precision at step 300</th><td>0.75</td>");
  ASSERT_NE(last_precision, std::string::npos);
  EXPECT_LT(html.find("<th>FID at step 300</th><td>10.5</td>"), last_precision);
  // Training facts come from the last training line, not the eval line.
  EXPECT_NE(html.find("<th>loss_D</th><td>1.1</td>"), std::string::npos);
}

TEST_F(ReportTest, GridsAndFiguresAreEmbeddedAsDataUris) {
  const auto first = write_png(root() / "samples" / "epoch-0000.png", 6, 4, 0);
  write_png(root() / "samples" / "epoch-0001.png", 6, 4, 100);
  write_png(root() / "samples" / "epoch-0002.png", 6, 4, 200);
  write_png(root() / "samples" / "figure1.png", 8, 4, 50);
  write_png(root() / "figures" / "figure2.png", 5, 5, 60);
  testing::write_bytes(root() / "figures" / "notes.txt", "not a figure");
  testing::write_bytes(root() / "figures" / "broken.png", "not a PNG");

  const auto html = report();
  EXPECT_EQ(count(html, kDataUri), 5u);
  EXPECT_NE(html.find("<figcaption>epoch 0</figcaption>"), std::string::npos);
  EXPECT_NE(html.find("<figcaption>epoch 2</figcaption>"), std::string::npos);
  EXPECT_NE(html.find("<figcaption>figure1.png</figcaption>"),
            std::string::npos);
  EXPECT_NE(html.find("<figcaption>figure2.png</figcaption>"),
            std::string::npos);
  EXPECT_NE(html.find("broken.png: not a PNG file"), std::string::npos);
  EXPECT_EQ(html.find("notes.txt"), std::string::npos);

  // The first data URI is epoch 0's file, byte for byte.
  const auto start = html.find(kDataUri) + std::string(kDataUri).size();
  const auto end = html.find('"', start);
  EXPECT_EQ(base64_decode(html.substr(start, end - start)), first);
}

TEST_F(ReportTest, AtMostTwelveGridsFirstAndLastIncluded) {
  for (int epoch = 0; epoch < 30; ++epoch) {
    write_png(root() / "samples" / fmt::format("epoch-{:04d}.png", epoch), 2, 2,
              static_cast<uint8_t>(epoch));
  }
  const auto html = report();
  EXPECT_EQ(count(html, kDataUri), 12u);
  EXPECT_NE(html.find("12 of 30 shown"), std::string::npos);
  EXPECT_NE(html.find("<figcaption>epoch 0</figcaption>"), std::string::npos);
  EXPECT_NE(html.find("<figcaption>epoch 29</figcaption>"), std::string::npos);
  EXPECT_LT(html.find("<figcaption>epoch 0</figcaption>"),
            html.find("<figcaption>epoch 29</figcaption>"));
}

TEST_F(ReportTest, ConfigTextIsEscaped) {
  const auto html = report();
  EXPECT_NE(html.find("name = &quot;a &lt; b &amp; \\&quot;c\\&quot;&quot;"),
            std::string::npos);
  EXPECT_EQ(html.find("a < b"), std::string::npos);
  EXPECT_NE(html.find("<pre># a hand-made run"), std::string::npos);
}

TEST_F(ReportTest, MalformedLinesAreSkipped) {
  append_metrics("not json\n[1, 2]\n{\"no_step\": 1}\n\n" +
                 training_line(400, 0.9) +
                 R"({"step": 500, "loss_)");  // cut short by a crash
  const auto html = report();
  EXPECT_EQ(count(html, "<svg class=\"chart\""), 2u);
  EXPECT_NE(html.find("<th>last step</th><td>400</td>"), std::string::npos);
  EXPECT_NE(html.find("4 unreadable line(s)"), std::string::npos);
  // Four points per series, each drawn as a dot.
  EXPECT_EQ(count(html, "<circle"), 4u * 4u);
}

TEST_F(ReportTest, NonFiniteValuesAndSinglePointsGiveValidSvg) {
  // nlohmann-json writes NaN and infinities as null; 1e308 would overflow
  // the axis' span.
  testing::write_bytes(
      root() / "metrics.jsonl",
      training_line(100, 1.0) +
          R"({"step": 200, "loss_d": null, "loss_g": 1e308, "d_real": 0.5})"
          "\n"
          R"({"step": 300, "eval": {"fid": 3.0, "kid": null}})"
          "\n");
  const auto html = report();
  EXPECT_EQ(count(html, "<svg class=\"chart\""), 4u);
  EXPECT_NE(html.find("loss_D (1 not finite, not drawn)"), std::string::npos);
  EXPECT_NE(html.find("no finite values"), std::string::npos);  // kid

  // Every coordinate is a plain number.
  const std::regex attribute(R"re((points|cx|cy|x1|x2|y1|y2|x|y)="([^"]*)")re");
  const std::regex number_list(R"(^[-0-9., ]*$)");
  size_t attributes = 0;
  for (std::sregex_iterator it(html.begin(), html.end(), attribute), end;
       it != end; ++it, ++attributes) {
    EXPECT_TRUE(std::regex_match((*it)[2].str(), number_list)) << it->str();
  }
  EXPECT_GT(attributes, 50u);
  for (const char* bad : {"nan", "inf"}) {
    const auto svg_start = html.find("<svg");
    const auto svg_end = html.rfind("</svg>");
    EXPECT_EQ(html.substr(svg_start, svg_end - svg_start).find(bad),
              std::string::npos)
        << bad;
  }
}

TEST_F(ReportTest, ReportIsSelfContained) {
  write_png(root() / "samples" / "epoch-0000.png", 2, 2, 0);
  const auto html = report();
  for (const char* external : {"http:", "https:", "<script", "<link", "url("}) {
    EXPECT_EQ(html.find(external), std::string::npos) << external;
  }
}

TEST_F(ReportTest, MissingOrEmptyMetricsSaySo) {
  fs::remove(root() / "metrics.jsonl");
  auto html = report();
  EXPECT_EQ(count(html, "<svg"), 0u);
  EXPECT_NE(html.find("metrics.jsonl is missing"), std::string::npos);

  testing::write_bytes(root() / "metrics.jsonl", "");
  html = report();
  EXPECT_EQ(count(html, "<svg"), 0u);
  EXPECT_NE(html.find("metrics.jsonl holds no readable lines"),
            std::string::npos);

  // Metrics without a config are a run too.
  fs::remove(root() / "config.toml");
  html = report();
  EXPECT_NE(html.find("config.toml is missing"), std::string::npos);
}

TEST_F(ReportTest, AFolderThatIsNotARunThrowsNamingIt) {
  fs::create_directories(dir_ / "empty");
  try {
    write_report(RunDir::at(dir_ / "empty"), dir_ / "r.html");
    FAIL() << "expected gan::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find((dir_ / "empty").string()),
              std::string::npos);
    EXPECT_NE(std::string(e.what()).find("not a run folder"),
              std::string::npos);
  }
  EXPECT_THROW(write_report(RunDir::at(dir_ / "absent"), dir_ / "r.html"),
               Error);
  EXPECT_FALSE(fs::exists(dir_ / "r.html"));
}

TEST_F(ReportTest, UnwritableOutputThrowsNamingIt) {
  testing::write_bytes(dir_ / "blocker", "a file, not a folder");
  try {
    write_report(RunDir::at(root()), dir_ / "blocker" / "r.html");
    FAIL() << "expected gan::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("blocker"), std::string::npos);
  }
}

}  // namespace
}  // namespace gan::io
