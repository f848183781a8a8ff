// Line charts as SVG text, for HTML pages such as the run report: axes
// with round tick labels, one polyline per series, a legend. No fonts or
// scripts: the page's CSS may style `svg.chart text`.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace gan::io {

struct ChartPoint {
  double x;
  double y;  // may be NaN or infinite: such points are not drawn
};

struct ChartSeries {
  std::string label;
  std::vector<ChartPoint> points;  // in drawing order
};

// Returns an `<svg class="chart" viewBox=...>` element: a frame with grid
// lines and tick labels at round values, `x_label` under the x axis, one
// `<polyline class="series">` per series (coloured in turn from a fixed
// palette; every k-th point of a long series, the last always), a dot per
// point for short series (so that one point shows), and a legend naming
// each series and how many of its points were not drawn. The axes cover
// the drawable points of all series: finite, at most 1e300 in size; a
// chart with none says so. No coordinate in the output is NaN or infinite.
// `title` is the chart's accessible name.
std::string svg_line_chart(const std::vector<ChartSeries>& series,
                           std::string_view x_label, std::string_view title);

// Returns `text` with &, <, >, " and ' as character references: safe as
// HTML or SVG text and as a quoted attribute value.
std::string escape_html(std::string_view text);

}  // namespace gan::io
