// Raster drawing: Bresenham lines, discs, circles.
#include "gan/io/plot.h"

#include <cmath>

#include "gan/core/error.h"

namespace gan::io {

Canvas::Canvas(int width, int height, double x0, double x1, double y0,
               double y1, Color background)
    : width_(width), height_(height), x0_(x0), x1_(x1), y0_(y0), y1_(y1) {
  pixels_ = torch::empty({height, width, 3}, torch::kByte);
  pixels_.select(2, 0).fill_(background.r);
  pixels_.select(2, 1).fill_(background.g);
  pixels_.select(2, 2).fill_(background.b);
}

double Canvas::to_px(double x) const {
  return (x - x0_) / (x1_ - x0_) * (width_ - 1);
}

double Canvas::to_py(double y) const {
  return (y1_ - y) / (y1_ - y0_) * (height_ - 1);
}

void Canvas::set(int px, int py, Color color) {
  if (px < 0 || py < 0 || px >= width_ || py >= height_) return;
  auto* p = pixels_.data_ptr<uint8_t>() + (py * width_ + px) * 3;
  p[0] = color.r;
  p[1] = color.g;
  p[2] = color.b;
}

void Canvas::point(double x, double y, Color color, int radius) {
  const int cx = static_cast<int>(std::lround(to_px(x)));
  const int cy = static_cast<int>(std::lround(to_py(y)));
  for (int dy = -radius; dy <= radius; ++dy) {
    for (int dx = -radius; dx <= radius; ++dx) {
      if (dx * dx + dy * dy <= radius * radius) set(cx + dx, cy + dy, color);
    }
  }
}

void Canvas::line(double x0, double y0, double x1, double y1, Color color) {
  double ax = to_px(x0), ay = to_py(y0), bx = to_px(x1), by = to_py(y1);
  if (!std::isfinite(ax) || !std::isfinite(ay) || !std::isfinite(bx) ||
      !std::isfinite(by)) {
    return;
  }
  // Clip to the picture (Liang-Barsky), so far-away ends cost nothing.
  double t0 = 0.0, t1 = 1.0;
  const double dx = bx - ax, dy = by - ay;
  const double p[4] = {-dx, dx, -dy, dy};
  const double q[4] = {ax + 1, width_ - ax, ay + 1, height_ - ay};
  for (int i = 0; i < 4; ++i) {
    if (p[i] == 0) {
      if (q[i] < 0) return;
      continue;
    }
    const double t = q[i] / p[i];
    if (p[i] < 0) t0 = std::max(t0, t);
    if (p[i] > 0) t1 = std::min(t1, t);
  }
  if (t0 > t1) return;

  // Bresenham between the clipped ends.
  int cx = static_cast<int>(std::lround(ax + t0 * dx));
  int cy = static_cast<int>(std::lround(ay + t0 * dy));
  const int ex = static_cast<int>(std::lround(ax + t1 * dx));
  const int ey = static_cast<int>(std::lround(ay + t1 * dy));
  const int adx = std::abs(ex - cx), sx = cx < ex ? 1 : -1;
  const int ady = -std::abs(ey - cy), sy = cy < ey ? 1 : -1;
  int err = adx + ady;
  while (true) {
    set(cx, cy, color);
    if (cx == ex && cy == ey) break;
    const int e2 = 2 * err;
    if (e2 >= ady) {
      err += ady;
      cx += sx;
    }
    if (e2 <= adx) {
      err += adx;
      cy += sy;
    }
  }
}

void Canvas::polyline(const std::vector<double>& xs,
                      const std::vector<double>& ys, Color color) {
  for (size_t i = 1; i < std::min(xs.size(), ys.size()); ++i) {
    line(xs[i - 1], ys[i - 1], xs[i], ys[i], color);
  }
}

void Canvas::circle(double x, double y, double r, Color color) {
  constexpr int kSegments = 48;
  for (int i = 0; i < kSegments; ++i) {
    const double a0 = 2 * M_PI * i / kSegments;
    const double a1 = 2 * M_PI * (i + 1) / kSegments;
    line(x + r * std::cos(a0), y + r * std::sin(a0), x + r * std::cos(a1),
         y + r * std::sin(a1), color);
  }
}

void Canvas::frame(Color color) {
  for (int x = 0; x < width_; ++x) {
    set(x, 0, color);
    set(x, height_ - 1, color);
  }
  for (int y = 0; y < height_; ++y) {
    set(0, y, color);
    set(width_ - 1, y, color);
  }
}

torch::Tensor side_by_side(const std::vector<torch::Tensor>& pictures,
                           int gap) {
  if (pictures.empty()) throw Error("side_by_side: no pictures");
  std::vector<torch::Tensor> parts;
  const auto height = pictures.front().size(0);
  for (size_t i = 0; i < pictures.size(); ++i) {
    if (i > 0) parts.push_back(torch::full({height, gap, 3}, 255, torch::kByte));
    parts.push_back(pictures[i]);
  }
  return torch::cat(parts, 1);
}

}  // namespace gan::io
