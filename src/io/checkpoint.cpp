// Checkpoint container: framing, checksum, atomic write.
#include "gan/io/checkpoint.h"

#include <cstring>
#include <span>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <zlib.h>

#include "gan/core/error.h"
#include "gan/core/file.h"

namespace gan::io {
namespace {

constexpr char kMagic[8] = {'G', 'A', 'N', 'C', 'K', 'P', 'T', '\n'};
constexpr size_t kTrailer = 4;  // CRC-32

template <class T>
void put(std::string& out, T value) {
  // The project targets little-endian machines (x86-64, arm64); the
  // format is little-endian by definition.
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  out.append(bytes, sizeof(T));
}

uint32_t crc32_of(const char* data, size_t size) {
  uLong crc = crc32(0L, Z_NULL, 0);
  // zlib takes uInt lengths; feed large buffers in pieces.
  constexpr size_t kPiece = 1u << 30;
  for (size_t done = 0; done < size; done += kPiece) {
    const size_t n = std::min(kPiece, size - done);
    crc = crc32(crc, reinterpret_cast<const Bytef*>(data + done),
                static_cast<uInt>(n));
  }
  return static_cast<uint32_t>(crc);
}

// A bounds-checked reader over the file's bytes.
class Reader {
 public:
  Reader(const std::vector<uint8_t>& bytes, std::string source)
      : bytes_(bytes), source_(std::move(source)) {}

  template <class T>
  T get(const char* what) {
    need(sizeof(T), what);
    T value;
    std::memcpy(&value, bytes_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return value;
  }

  std::string take(uint64_t n, const char* what) {
    need(n, what);
    std::string out(reinterpret_cast<const char*>(bytes_.data() + pos_), n);
    pos_ += n;
    return out;
  }

 private:
  void need(uint64_t n, const char* what) {
    if (n > bytes_.size() - pos_) {
      throw Error(
          fmt::format("{}: truncated checkpoint: {} needs {} bytes, {} left",
                      source_, what, n, bytes_.size() - pos_));
    }
  }

  const std::vector<uint8_t>& bytes_;
  std::string source_;
  size_t pos_ = 0;
};

// Checks framing and checksum; returns (header, tensor block bytes).
std::pair<std::string, std::string> unpack(const std::filesystem::path& path) {
  const auto bytes = read_file(path);
  const std::string source = path.string();
  if (bytes.size() < sizeof(kMagic) ||
      std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0) {
    throw Error(fmt::format(
        "{}: not a gan checkpoint (the file does not start with 'GANCKPT')",
        source));
  }
  Reader reader(bytes, source);
  reader.take(sizeof(kMagic), "magic");
  const auto version = reader.get<uint32_t>("format version");
  if (version == 1) {
    throw Error(fmt::format(
        "{}: checkpoint format version 1 (a libtorch archive), this build "
        "reads version {}; hint: use the gan release that wrote it, or "
        "retrain",
        source, kCheckpointVersion));
  }
  if (version != kCheckpointVersion) {
    throw Error(fmt::format(
        "{}: checkpoint format version {}, this build reads version {}; "
        "hint: use the gan release that wrote it",
        source, version, kCheckpointVersion));
  }
  if (bytes.size() < sizeof(kMagic) + 4 + kTrailer) {
    throw Error(fmt::format("{}: truncated checkpoint", source));
  }
  const size_t body = bytes.size() - kTrailer;
  uint32_t stored = 0;
  std::memcpy(&stored, bytes.data() + body, kTrailer);
  const uint32_t actual =
      crc32_of(reinterpret_cast<const char*>(bytes.data()), body);
  // Length fields are checked before the checksum so that a truncated file
  // is reported as truncated rather than as corrupt.
  auto header_size = reader.get<uint64_t>("header length");
  auto header = reader.take(header_size, "header");
  auto block_size = reader.get<uint64_t>("tensor block length");
  auto block = reader.take(block_size, "tensor block");
  reader.take(kTrailer, "checksum");
  if (stored != actual) {
    throw Error(fmt::format(
        "{}: checkpoint is corrupt (checksum {:08x}, expected {:08x})", source,
        actual, stored));
  }
  return {std::move(header), std::move(block)};
}

// The module's parameters and buffers by their dotted names.
std::vector<std::pair<std::string, torch::Tensor>> module_state(
    const torch::nn::Module& module) {
  std::vector<std::pair<std::string, torch::Tensor>> state;
  for (const auto& item : module.named_parameters(/*recurse=*/true)) {
    state.emplace_back(item.key(), item.value());
  }
  for (const auto& item : module.named_buffers(/*recurse=*/true)) {
    state.emplace_back(item.key(), item.value());
  }
  return state;
}

}  // namespace

void write_checkpoint(const std::filesystem::path& path,
                      const std::string& header_json,
                      const NamedTensors& tensors) {
  const std::string block = encode_safetensors(tensors, {}, path.string());
  std::string out(kMagic, sizeof(kMagic));
  put<uint32_t>(out, kCheckpointVersion);
  put<uint64_t>(out, header_json.size());
  out += header_json;
  put<uint64_t>(out, block.size());
  out += block;
  put<uint32_t>(out, crc32_of(out.data(), out.size()));
  write_file_atomic(path, out);
}

CheckpointContents read_checkpoint(const std::filesystem::path& path) {
  auto [header, block] = unpack(path);
  CheckpointContents contents;
  contents.header_json = std::move(header);
  contents.tensors =
      decode_safetensors(
          std::span(reinterpret_cast<const uint8_t*>(block.data()),
                    block.size()),
          path.string() + " (tensors)")
          .tensors;
  return contents;
}

std::string read_checkpoint_header(const std::filesystem::path& path) {
  return unpack(path).first;
}

void add_module_tensors(NamedTensors& out, const std::string& prefix,
                        const torch::nn::Module& module) {
  for (auto& [name, tensor] : module_state(module)) {
    out.emplace_back(prefix + "." + name, tensor);
  }
}

bool has_tensors(const std::map<std::string, torch::Tensor>& tensors,
                 const std::string& prefix) {
  const auto it = tensors.lower_bound(prefix + ".");
  return it != tensors.end() && it->first.starts_with(prefix + ".");
}

void load_module_tensors(const std::map<std::string, torch::Tensor>& tensors,
                         const std::string& prefix, torch::nn::Module& module,
                         const std::string& source) {
  const std::string what = fmt::format("{}: '{}'", source, prefix);
  if (!has_tensors(tensors, prefix)) {
    throw Error(fmt::format("{}: checkpoint has no '{}'", source, prefix));
  }
  const auto state = module_state(module);
  // Everything is checked before anything is copied, so a file that does
  // not fit leaves the module as it was.
  std::vector<std::pair<torch::Tensor, const torch::Tensor*>> copies;
  for (const auto& [name, target] : state) {
    const auto it = tensors.find(prefix + "." + name);
    if (it == tensors.end()) {
      throw Error(fmt::format(
          "{} does not fit the model its config describes: no tensor '{}'",
          what, name));
    }
    const auto& saved = it->second;
    if (!saved.sizes().equals(target.sizes()) ||
        saved.scalar_type() != target.scalar_type()) {
      throw Error(fmt::format(
          "{} does not fit the model its config describes: '{}' is {} [{}], "
          "the model's is {} [{}]",
          what, name, c10::toString(saved.scalar_type()),
          fmt::join(saved.sizes(), ", "), c10::toString(target.scalar_type()),
          fmt::join(target.sizes(), ", ")));
    }
    copies.emplace_back(target, &saved);
  }
  size_t stored = 0;
  for (auto it = tensors.lower_bound(prefix + ".");
       it != tensors.end() && it->first.starts_with(prefix + "."); ++it) {
    ++stored;
  }
  if (stored != state.size()) {
    throw Error(fmt::format(
        "{} does not fit the model its config describes: the file holds {} "
        "tensors for it, the model has {}",
        what, stored, state.size()));
  }
  torch::NoGradGuard no_grad;
  for (auto& [target, saved] : copies) target.copy_(*saved);
}

}  // namespace gan::io
