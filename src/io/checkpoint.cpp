// Checkpoint container: framing, checksum, atomic write.
#include "gan/io/checkpoint.h"

#include <cstring>
#include <sstream>

#include <fmt/format.h>
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

// Checks framing and checksum; returns (header, archive bytes).
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
  auto archive_size = reader.get<uint64_t>("archive length");
  auto archive = reader.take(archive_size, "archive");
  reader.take(kTrailer, "checksum");
  if (stored != actual) {
    throw Error(fmt::format(
        "{}: checkpoint is corrupt (checksum {:08x}, expected {:08x})", source,
        actual, stored));
  }
  return {std::move(header), std::move(archive)};
}

}  // namespace

void write_checkpoint(const std::filesystem::path& path,
                      const std::string& header_json,
                      torch::serialize::OutputArchive& archive) {
  std::ostringstream archive_bytes;
  archive.save_to(archive_bytes);
  const std::string tensors = archive_bytes.str();

  std::string out(kMagic, sizeof(kMagic));
  put<uint32_t>(out, kCheckpointVersion);
  put<uint64_t>(out, header_json.size());
  out += header_json;
  put<uint64_t>(out, tensors.size());
  out += tensors;
  put<uint32_t>(out, crc32_of(out.data(), out.size()));
  write_file_atomic(path, out);
}

CheckpointContents read_checkpoint(const std::filesystem::path& path) {
  auto [header, tensors] = unpack(path);
  CheckpointContents contents;
  contents.header_json = std::move(header);
  contents.archive = std::make_unique<torch::serialize::InputArchive>();
  // TODO(checkpoint): the archive is parsed by libtorch's TorchScript
  // importer, which crashes (SIGSEGV in ScriptTypeParser::parseClassConstant)
  // on some crafted archives; the CRC above stops every accidental
  // corruption, not a file made to pass it. Storing the tensors in gan's
  // own format (as io/safetensors does) would keep outside bytes away from
  // that parser.
  try {
    contents.archive->load_from(tensors.data(), tensors.size());
  } catch (const std::exception& e) {
    // libtorch throws c10::Error and, from its TorchScript reader,
    // torch::jit::ErrorReport, which is not one.
    throw Error(fmt::format("{}: cannot read the tensor archive ({})",
                            path.string(), describe(e)));
  }
  return contents;
}

std::string read_checkpoint_header(const std::filesystem::path& path) {
  return unpack(path).first;
}

}  // namespace gan::io
