#include "gan/io/svg_chart.h"

#include <cmath>
#include <limits>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>

namespace gan::io {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

size_t count(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos;
       at = text.find(part, at + part.size())) {
    ++n;
  }
  return n;
}

// Every coordinate attribute holds plain numbers only; returns how many
// there are.
size_t expect_plain_coordinates(const std::string& svg) {
  const std::regex attribute(
      R"re(\s(points|cx|cy|x1|x2|y1|y2|x|y|width|height)="([^"]*)")re");
  const std::regex numbers(R"(^[-0-9., ]*$)");
  size_t n = 0;
  for (std::sregex_iterator it(svg.begin(), svg.end(), attribute), end;
       it != end; ++it, ++n) {
    EXPECT_TRUE(std::regex_match((*it)[2].str(), numbers)) << it->str();
  }
  EXPECT_EQ(svg.find("nan"), std::string::npos) << svg;
  EXPECT_EQ(svg.find("inf"), std::string::npos) << svg;
  return n;
}

// The values of a polyline's points attribute, as (x, y) pairs.
std::vector<std::pair<double, double>> polyline_points(const std::string& svg,
                                                       size_t which = 0) {
  size_t at = 0;
  for (size_t i = 0; i <= which; ++i) {
    at = svg.find("points=\"", at) + 8;
  }
  const auto text = svg.substr(at, svg.find('"', at) - at);
  std::vector<std::pair<double, double>> points;
  std::istringstream in(text);
  double x, y;
  char comma;
  while (in >> x >> comma >> y) points.emplace_back(x, y);
  return points;
}

TEST(SvgChartTest, OnePolylinePerSeriesAndALegend) {
  const auto svg =
      svg_line_chart({{"loss_D", {{0, 1.4}, {100, 1.2}, {200, 1.3}}},
                      {"loss_G", {{0, 0.7}, {100, 0.9}, {200, 1.0}}}},
                     "step", "Losses");
  EXPECT_EQ(svg.rfind("<svg class=\"chart\" viewBox=\"0 0 560 280\"", 0), 0u);
  EXPECT_NE(svg.find("aria-label=\"Losses\""), std::string::npos);
  EXPECT_EQ(count(svg, "<polyline class=\"series\""), 2u);
  EXPECT_NE(svg.find(">loss_D</text>"), std::string::npos);
  EXPECT_NE(svg.find(">loss_G</text>"), std::string::npos);
  EXPECT_NE(svg.find(">step</text>"), std::string::npos);
  EXPECT_EQ(svg.substr(svg.size() - 7), "</svg>\n");
  EXPECT_EQ(polyline_points(svg, 0).size(), 3u);
  EXPECT_GT(expect_plain_coordinates(svg), 20u);
}

TEST(SvgChartTest, PointsFitInsideTheFrameWithRoundTicks) {
  const auto svg =
      svg_line_chart({{"a", {{0, 0.21}, {3000, 0.79}}}}, "step", "A");
  for (const auto& [x, y] : polyline_points(svg)) {
    EXPECT_GE(x, 56);
    EXPECT_LE(x, 544);
    EXPECT_GE(y, 30);
    EXPECT_LE(y, 244);
  }
  // Steps in thousands, values at round tenths.
  EXPECT_NE(svg.find(">1k</text>"), std::string::npos) << svg;
  EXPECT_NE(svg.find(">3k</text>"), std::string::npos) << svg;
  EXPECT_NE(svg.find(">0.4</text>"), std::string::npos) << svg;
  EXPECT_EQ(svg.find(">0.30000"), std::string::npos) << svg;
}

TEST(SvgChartTest, NonFinitePointsAreLeftOutAndCounted) {
  const auto svg = svg_line_chart(
      {{"d", {{1, 1.0}, {2, kNaN}, {3, kInf}, {4, -1e308}, {5, 2.0}}}}, "step",
      "D");
  EXPECT_EQ(polyline_points(svg).size(), 2u);
  EXPECT_NE(svg.find("d (3 not finite, not drawn)"), std::string::npos);
  expect_plain_coordinates(svg);
}

TEST(SvgChartTest, SinglePointsAndEmptySeriesStayValid) {
  const auto one = svg_line_chart({{"fid", {{5000, 12.3}}}}, "step", "FID");
  EXPECT_EQ(polyline_points(one).size(), 1u);
  EXPECT_EQ(count(one, "<circle"), 1u);  // a lone point shows as a dot
  expect_plain_coordinates(one);

  const auto none =
      svg_line_chart({{"kid", {{1, kNaN}}}, {"x", {}}}, "step", "KID");
  EXPECT_EQ(count(none, "<polyline class=\"series\""), 2u);
  EXPECT_NE(none.find("no finite values"), std::string::npos);
  expect_plain_coordinates(none);

  // Equal values, zero, huge and tiny spans.
  for (const auto& points :
       std::vector<std::vector<ChartPoint>>{{{1, 0}, {2, 0}},
                                            {{1, 5}, {1, 5}},
                                            {{0, 1e300}, {1, -1e300}},
                                            {{0, 1e15}, {1, 1e15 + 0.5}},
                                            {{0, 1e-320}, {1, 2e-320}}}) {
    expect_plain_coordinates(svg_line_chart({{"v", points}}, "step", "V"));
  }
}

TEST(SvgChartTest, LongSeriesAreThinnedKeepingTheLastPoint) {
  std::vector<ChartPoint> points;
  for (int i = 0; i <= 5000; ++i) points.push_back({double(i), std::sin(i)});
  const auto svg = svg_line_chart({{"s", points}}, "step", "S");
  const auto drawn = polyline_points(svg);
  EXPECT_LE(drawn.size(), 1001u);
  EXPECT_GE(drawn.size(), 500u);
  EXPECT_DOUBLE_EQ(drawn.back().first, 544.0);  // step 5000, the right edge
  EXPECT_EQ(count(svg, "<circle"), 0u);
}

TEST(SvgChartTest, TextIsEscaped) {
  EXPECT_EQ(escape_html("a<b & \"c\" 'd'>"),
            "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;");
  const auto svg = svg_line_chart({{"<g>", {{0, 1}}}}, "x & y", "\"t\"");
  EXPECT_NE(svg.find(">&lt;g&gt;</text>"), std::string::npos);
  EXPECT_NE(svg.find(">x &amp; y</text>"), std::string::npos);
  EXPECT_NE(svg.find("aria-label=\"&quot;t&quot;\""), std::string::npos);
}

}  // namespace
}  // namespace gan::io
