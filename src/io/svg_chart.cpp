// SVG line charts: round axis bounds and ticks, then the frame, the series
// and the legend as text, in a fixed 560 x 280 coordinate system.
#include "gan/io/svg_chart.h"

#include <algorithm>
#include <cmath>
#include <iterator>

#include <fmt/format.h>

namespace gan::io {
namespace {

constexpr size_t kMaxPolylinePoints = 1000;  // longer series are strided
constexpr size_t kMarkerPoints = 30;         // series this short get dots
constexpr int kTargetTicks = 5;              // per axis, roughly
// Values beyond this are not drawn, so that the axes' spans stay finite.
constexpr double kMaxDrawable = 1e300;

// Geometry in SVG units; the page scales the chart to its width.
constexpr double kWidth = 560;
constexpr double kHeight = 280;
constexpr double kPlotLeft = 56;
constexpr double kPlotRight = kWidth - 16;
constexpr double kPlotTop = 30;
constexpr double kPlotBottom = kHeight - 36;
constexpr double kLegendCharWidth = 6.2;  // of an 11px sans-serif font

constexpr const char* kColors[] = {"#1f77b4", "#ff7f0e", "#2ca02c",
                                   "#d62728", "#9467bd", "#8c564b"};

bool drawable(const ChartPoint& p) {
  return std::abs(p.x) <= kMaxDrawable && std::abs(p.y) <= kMaxDrawable;
}

// The round number (1, 2 or 5 times a power of ten) nearest to `raw` > 0.
double round_step(double raw) {
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  const double ratio = raw / magnitude;
  if (ratio < 1.5) return magnitude;
  if (ratio < 3.5) return 2 * magnitude;
  if (ratio < 7.5) return 5 * magnitude;
  return 10 * magnitude;
}

// An axis from `lo` to `hi` (lo < hi) with ticks every `step`.
struct Axis {
  double lo;
  double hi;
  double step;

  std::vector<double> ticks() const {
    std::vector<double> values;
    const int count = static_cast<int>(std::lround((hi - lo) / step));
    for (int i = 0; i <= std::min(count, 4 * kTargetTicks); ++i) {
      const double v = lo + i * step;
      values.push_back(std::abs(v) < step * 1e-9 ? 0.0 : v);
    }
    return values;
  }
};

// The axis covering [lo, hi] (drawable, lo <= hi) between round bounds,
// with about kTargetTicks ticks; a single value gets room on each side.
Axis nice_axis(double lo, double hi) {
  if (!(hi > lo)) {
    const double pad = lo == 0 ? 1.0 : std::abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const double step = round_step((hi - lo) / kTargetTicks);
  const Axis axis{std::floor(lo / step) * step, std::ceil(hi / step) * step,
                  step};
  if (std::isnormal(step) && axis.hi > axis.lo) return axis;

  // Spans too narrow for their values' magnitude, or denormal: plain
  // bounds, so that points never land at infinity.
  const double pad = std::max(std::abs(lo), std::abs(hi)) * 0.1 + 1;
  return {lo - pad, hi + pad, pad};
}

double to_px(const Axis& axis, double x) {
  return kPlotLeft +
         (x - axis.lo) / (axis.hi - axis.lo) * (kPlotRight - kPlotLeft);
}

double to_py(const Axis& axis, double y) {
  return kPlotBottom -
         (y - axis.lo) / (axis.hi - axis.lo) * (kPlotBottom - kPlotTop);
}

// A tick label: short, with k and M for large round numbers such as steps.
std::string tick_label(double value) {
  const double size = std::abs(value);
  if (size >= 1e6 && size < 1e15) return fmt::format("{:g}M", value / 1e6);
  if (size >= 1e3 && size < 1e6) return fmt::format("{:g}k", value / 1e3);
  return fmt::format("{:.4g}", value);
}

// SVG elements, one per line.
std::string svg_line(double x1, double y1, double x2, double y2,
                     std::string_view stroke, double width = 1) {
  return fmt::format(
      "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" "
      "stroke=\"{}\" stroke-width=\"{}\"/>\n",
      x1, y1, x2, y2, stroke, width);
}

std::string svg_text(double x, double y, std::string_view anchor,
                     std::string_view text, std::string_view css_class = "") {
  return fmt::format(
      "<text{} x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"{}\">{}</text>\n",
      css_class.empty() ? "" : fmt::format(" class=\"{}\"", css_class), x, y,
      anchor, escape_html(text));
}

// The frame, grid lines and tick labels, and the x axis' name.
std::string axes(const Axis& x, const Axis& y, std::string_view x_label) {
  std::string svg = fmt::format(
      "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" "
      "fill=\"#fff\" stroke=\"#bbb\"/>\n",
      kPlotLeft, kPlotTop, kPlotRight - kPlotLeft, kPlotBottom - kPlotTop);
  for (const double tick : y.ticks()) {
    const double py = to_py(y, tick);
    svg += svg_line(kPlotLeft, py, kPlotRight, py, "#eee");
    svg += svg_text(kPlotLeft - 6, py + 4, "end", tick_label(tick));
  }
  for (const double tick : x.ticks()) {
    const double px = to_px(x, tick);
    svg += svg_line(px, kPlotTop, px, kPlotBottom, "#eee");
    svg += svg_text(px, kPlotBottom + 15, "middle", tick_label(tick));
  }
  svg += svg_text((kPlotLeft + kPlotRight) / 2, kHeight - 4, "middle", x_label);
  return svg;
}

// One series' drawable points as a polyline, with a dot per point when
// there are few.
std::string polyline(const ChartSeries& series, const Axis& x, const Axis& y,
                     std::string_view color) {
  std::vector<ChartPoint> points;
  std::copy_if(series.points.begin(), series.points.end(),
               std::back_inserter(points), drawable);
  const size_t stride = std::max<size_t>(
      1, (points.size() + kMaxPolylinePoints - 1) / kMaxPolylinePoints);

  std::string coordinates;
  for (size_t i = 0; i < points.size(); ++i) {
    if (i % stride != 0 && i + 1 != points.size()) continue;
    if (!coordinates.empty()) coordinates += ' ';
    coordinates += fmt::format("{:.1f},{:.1f}", to_px(x, points[i].x),
                               to_py(y, points[i].y));
  }
  std::string svg = fmt::format(
      "<polyline class=\"series\" fill=\"none\" stroke=\"{}\" "
      "stroke-width=\"1.5\" stroke-linejoin=\"round\" points=\"{}\"/>\n",
      color, coordinates);

  // One point draws no line: the dots make it visible.
  if (points.size() <= kMarkerPoints) {
    for (const auto& p : points) {
      svg += fmt::format(
          "<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"2.5\" "
          "fill=\"{}\"/>",
          to_px(x, p.x), to_py(y, p.y), color);
    }
    if (!points.empty()) svg += '\n';
  }
  return svg;
}

// The legend, left to right above the plot.
std::string legend(const std::vector<ChartSeries>& series) {
  std::string svg;
  double left = kPlotLeft;
  for (size_t i = 0; i < series.size(); ++i) {
    const auto& points = series[i].points;
    const auto hidden =
        std::count_if(points.begin(), points.end(),
                      [](const ChartPoint& p) { return !drawable(p); });
    std::string label = series[i].label;
    if (hidden > 0) label += fmt::format(" ({} not finite, not drawn)", hidden);
    svg += svg_line(left, 14, left + 18, 14, kColors[i % std::size(kColors)],
                    /*width=*/2.5);
    svg += svg_text(left + 23, 18, "start", label, "legend");
    left += 23 + kLegendCharWidth * static_cast<double>(label.size()) + 18;
  }
  return svg;
}

}  // namespace

std::string svg_line_chart(const std::vector<ChartSeries>& series,
                           std::string_view x_label, std::string_view title) {
  // The axes fit the drawable points of all series.
  double x_lo = kMaxDrawable, x_hi = -kMaxDrawable;
  double y_lo = kMaxDrawable, y_hi = -kMaxDrawable;
  bool any = false;
  for (const auto& s : series) {
    for (const auto& p : s.points) {
      if (!drawable(p)) continue;
      any = true;
      x_lo = std::min(x_lo, p.x);
      x_hi = std::max(x_hi, p.x);
      y_lo = std::min(y_lo, p.y);
      y_hi = std::max(y_hi, p.y);
    }
  }
  if (!any) x_lo = x_hi = y_lo = y_hi = 0;
  const Axis x = nice_axis(x_lo, x_hi);
  const Axis y = nice_axis(y_lo, y_hi);

  std::string svg = fmt::format(
      "<svg class=\"chart\" viewBox=\"0 0 {} {}\" role=\"img\" "
      "aria-label=\"{}\">\n",
      kWidth, kHeight, escape_html(title));
  svg += axes(x, y, x_label);
  for (size_t i = 0; i < series.size(); ++i) {
    svg += polyline(series[i], x, y, kColors[i % std::size(kColors)]);
  }
  svg += legend(series);
  if (!any) {
    svg += svg_text((kPlotLeft + kPlotRight) / 2, (kPlotTop + kPlotBottom) / 2,
                    "middle", "no finite values");
  }
  return svg + "</svg>\n";
}

std::string escape_html(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace gan::io
