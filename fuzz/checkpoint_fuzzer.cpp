// Checkpoints: the container (magic, version, lengths, CRC-32), the JSON
// header that describes the run, the safetensors block of named tensors,
// and loading those into a module. Half of the inputs get a correct
// checksum written over their last four bytes, so that mutations reach
// what lies behind the checksum.
#include <zlib.h>

#include <cstring>
#include <vector>

#include <torch/nn/modules/linear.h>

#include "fuzz_input.h"
#include "gan/io/checkpoint.h"
#include "gan/train/snapshot.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const bool fix_checksum = data[0] & 1;
  std::vector<uint8_t> bytes(data + 1, data + size);
  if (fix_checksum && bytes.size() >= 4) {
    const size_t body = bytes.size() - 4;
    const uint32_t crc = static_cast<uint32_t>(
        crc32(crc32(0L, Z_NULL, 0), bytes.data(), static_cast<uInt>(body)));
    std::memcpy(bytes.data() + body, &crc, 4);
  }
  const auto path =
      gan::fuzz::write_input(bytes.data(), bytes.size(), "input.ckpt");
  gan::fuzz::expect_only_gan_errors([&] {
    const auto contents = gan::io::read_checkpoint(path);
    torch::nn::Linear layer(3, 2);
    gan::io::load_module_tensors(contents.tensors, gan::train::kGeneratorKey,
                                 *layer, path.string());
  });
  gan::fuzz::expect_only_gan_errors([&] {
    gan::train::decode_checkpoint_header(gan::io::read_checkpoint_header(path),
                                         path.string());
  });
  return 0;
}
