// Writes the fuzz targets' seed corpora, one folder per target under the
// folder given, from gan's own writers, so the seeds are valid files that
// exercise each parser's whole path:
//   make_seeds OUT     ->  OUT/idx/, OUT/cifar10/, OUT/image/, OUT/npy/,
//                          OUT/safetensors/, OUT/checkpoint/
// (config seeds are the files of configs/, copied by scripts/fuzz.sh).
#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <stb/stb_image_write.h>
#include <torch/torch.h>

#include "gan/core/error.h"
#include "gan/core/file.h"
#include "gan/io/checkpoint.h"
#include "gan/io/image.h"
#include "gan/io/npy.h"
#include "gan/io/safetensors.h"
#include "gan/train/snapshot.h"

namespace fs = std::filesystem;

namespace {

void write(const fs::path& path, const std::string& bytes) {
  gan::write_file_atomic(path, bytes);
}

std::string read(const fs::path& path) {
  const auto bytes = gan::read_file(path);
  return std::string(bytes.begin(), bytes.end());
}

std::string gzip(const std::string& bytes) {
  z_stream stream{};
  deflateInit2(&stream, Z_BEST_SPEED, Z_DEFLATED, 16 + MAX_WBITS, 8,
               Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&stream, bytes.size()), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  stream.avail_in = static_cast<uInt>(bytes.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

// An IDX file of unsigned bytes with the given dimensions.
std::string idx(const std::vector<uint32_t>& dims) {
  std::string out = {0, 0, 0x08, static_cast<char>(dims.size())};
  size_t count = 1;
  for (uint32_t d : dims) {
    for (int shift = 24; shift >= 0; shift -= 8) out += char(d >> shift);
    count *= d;
  }
  for (size_t i = 0; i < count; ++i) out += static_cast<char>(i * 37);
  return out;
}

void idx_seeds(const fs::path& dir) {
  write(dir / "images.idx", idx({3, 5, 4}));
  write(dir / "labels.idx", idx({7}));
  write(dir / "images.idx.gz", gzip(idx({2, 28, 28})));
}

void cifar10_seeds(const fs::path& dir) {
  std::string records;
  for (int r = 0; r < 2; ++r) {
    records += static_cast<char>(r * 7);
    for (int i = 0; i < 3072; ++i) records += static_cast<char>(i + r);
  }
  write(dir / "batch.bin", records);
}

void append(void* context, void* data, int size) {
  static_cast<std::string*>(context)->append(static_cast<char*>(data), size);
}

void image_seeds(const fs::path& dir) {
  const auto grey = torch::arange(12 * 10, torch::kInt32)
                        .remainder(256)
                        .to(torch::kByte)
                        .reshape({12, 10, 1});
  gan::io::write_png(dir / "grey.png", grey);
  const auto rgb = torch::arange(9 * 9 * 3, torch::kInt32)
                       .remainder(256)
                       .to(torch::kByte)
                       .reshape({9, 9, 3})
                       .contiguous();
  gan::io::write_png(dir / "rgb.png", rgb);
  std::string jpeg, bmp;
  stbi_write_jpg_to_func(append, &jpeg, 9, 9, 3, rgb.data_ptr<uint8_t>(), 90);
  stbi_write_bmp_to_func(append, &bmp, 9, 9, 3, rgb.data_ptr<uint8_t>());
  write(dir / "rgb.jpg", jpeg);
  write(dir / "rgb.bmp", bmp);
}

void npy_seeds(const fs::path& dir) {
  gan::io::write_npy(dir / "images.npy", torch::arange(2 * 4 * 4, torch::kInt32)
                                             .to(torch::kByte)
                                             .reshape({2, 4, 4, 1}));
  gan::io::write_npy(dir / "points.npy", torch::randn({3, 2}));
}

void safetensors_seeds(const fs::path& dir) {
  gan::io::write_safetensors(
      dir / "weights.safetensors",
      {{"layer.weight", torch::randn({3, 2})},
       {"layer.bias", torch::zeros({3}, torch::kFloat64)},
       {"steps", torch::arange(2, torch::kInt64)},
       {"mask", torch::ones({4}, torch::kByte)}},
      {{"format", "pt"}});
}

// The checkpoint target reads its first byte as a mode: 0 leaves the
// checksum as it is, 1 rewrites it.
void checkpoint_seeds(const fs::path& dir) {
  gan::train::CheckpointInfo info;
  info.spec.sample_shape = {1, 28, 28};
  info.step = 12;
  const fs::path file = dir / "valid.ckpt";
  gan::io::write_checkpoint(
      file, gan::train::encode_checkpoint_header(info),
      {{"generator.weight", torch::randn({2, 3})},
       {"generator.bias", torch::zeros({2})},
       {"optimizer_g.steps", torch::arange(2, torch::kInt64)},
       {"rng.cpu", torch::zeros({8}, torch::kByte)}});
  const std::string bytes = read(file);
  fs::remove(file);
  write(dir / "raw.ckpt", std::string(1, '\0') + bytes);
  write(dir / "fixed.ckpt", std::string(1, '\1') + bytes);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_seeds OUT\n");
    return 2;
  }
  const fs::path out = argv[1];
  const std::pair<const char*, void (*)(const fs::path&)> targets[] = {
      {"idx", idx_seeds},
      {"cifar10", cifar10_seeds},
      {"image", image_seeds},
      {"npy", npy_seeds},
      {"safetensors", safetensors_seeds},
      {"checkpoint", checkpoint_seeds}};
  try {
    for (const auto& [name, make] : targets) {
      fs::create_directories(out / name);
      make(out / name);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "make_seeds: %s\n", gan::describe(e).c_str());
    return 1;
  }
  return 0;
}
