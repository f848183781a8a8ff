// NumPy's .npy format (version 1.0), so samples move to and from numpy:
// a magic string, a Python-dict header giving dtype, order and shape, then
// the raw little-endian elements in C order.
#pragma once

#include <filesystem>

#include <torch/types.h>

namespace gan::io {

// Writes `tensor` (uint8, int64, float32 or float64, any shape, any device)
// as .npy: numpy.load gives an array of the same dtype and shape. Written
// atomically; throws gan::Error naming the path on failure or for another
// dtype.
void write_npy(const std::filesystem::path& path, const torch::Tensor& tensor);

// Reads a .npy file of dtype uint8, int64, float32 or float64 in C order
// into a CPU tensor of that dtype and shape. Throws gan::Error naming the
// file for a bad magic string, an unreadable header, another dtype,
// Fortran order, or a length that does not match the shape.
torch::Tensor read_npy(const std::filesystem::path& path);

}  // namespace gan::io
