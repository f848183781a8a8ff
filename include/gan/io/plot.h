// Minimal raster plotting for the toy experiments' figures: points, lines
// and frames drawn into an RGB picture, in data coordinates. No fonts: the
// figures' captions live in the docs and file names.
#pragma once

#include <cstdint>
#include <vector>

#include <torch/types.h>

namespace gan::io {

struct Color {
  uint8_t r = 0, g = 0, b = 0;
};

inline constexpr Color kWhite{255, 255, 255};
inline constexpr Color kBlack{0, 0, 0};
inline constexpr Color kGrey{170, 170, 170};
inline constexpr Color kBlue{31, 119, 180};
inline constexpr Color kGreen{44, 160, 44};
inline constexpr Color kRed{214, 39, 40};

class Canvas {
 public:
  // A width x height picture filled with `background`, showing the data
  // window [x0, x1] x [y0, y1] (y grows upwards).
  Canvas(int width, int height, double x0, double x1, double y0, double y1,
         Color background = kWhite);

  // A filled disc of `radius` pixels at data point (x, y); clipped.
  void point(double x, double y, Color color, int radius = 1);
  // A one-pixel line between two data points; clipped.
  void line(double x0, double y0, double x1, double y1, Color color);
  // Consecutive points joined by lines.
  void polyline(const std::vector<double>& xs, const std::vector<double>& ys,
                Color color);
  // A circle of data radius `r` around (x, y), one pixel wide.
  void circle(double x, double y, double r, Color color);
  // A one-pixel border around the picture.
  void frame(Color color);

  // The picture, uint8 [H, W, 3].
  const torch::Tensor& pixels() const { return pixels_; }

 private:
  void set(int px, int py, Color color);
  double to_px(double x) const;
  double to_py(double y) const;

  int width_, height_;
  double x0_, x1_, y0_, y1_;
  torch::Tensor pixels_;
};

// Pictures [H, W, 3] of equal height side by side, `gap` white pixels apart.
torch::Tensor side_by_side(const std::vector<torch::Tensor>& pictures,
                           int gap = 8);

}  // namespace gan::io
