// .npy reading and writing.
#include "gan/io/npy.h"

#include <cstring>
#include <regex>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "gan/core/error.h"
#include "gan/core/file.h"

namespace gan::io {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;
constexpr size_t kAlignment = 64;  // numpy pads headers to this boundary

struct DtypeName {
  torch::ScalarType type;
  const char* descr;
};
constexpr DtypeName kDtypes[] = {
    {torch::kByte, "|u1"},
    {torch::kInt64, "<i8"},
    {torch::kFloat32, "<f4"},
    {torch::kFloat64, "<f8"},
};

std::string shape_text(torch::IntArrayRef sizes) {
  if (sizes.size() == 1) return fmt::format("({},)", sizes[0]);
  return fmt::format("({})", fmt::join(sizes, ", "));
}

}  // namespace

void write_npy(const std::filesystem::path& path, const torch::Tensor& tensor) {
  const DtypeName* dtype = nullptr;
  for (const auto& d : kDtypes) {
    if (d.type == tensor.scalar_type()) dtype = &d;
  }
  if (!dtype) {
    throw Error(fmt::format("{}: cannot write dtype {} as .npy", path.string(),
                            c10::toString(tensor.scalar_type())));
  }
  const auto data = tensor.contiguous().cpu();

  std::string header =
      fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': {}, }}",
                  dtype->descr, shape_text(data.sizes()));
  // Pad with spaces so magic + version + length + header + '\n' is a
  // multiple of 64 bytes.
  const size_t preamble = kMagicSize + 2 + 2;
  const size_t total = preamble + header.size() + 1;
  header.append((kAlignment - total % kAlignment) % kAlignment, ' ');
  header += '\n';

  std::string out(kMagic, kMagicSize);
  out += '\x01';
  out += '\x00';
  const auto length = static_cast<uint16_t>(header.size());
  out += static_cast<char>(length & 0xff);
  out += static_cast<char>(length >> 8);
  out += header;
  out.append(static_cast<const char*>(data.data_ptr()), data.nbytes());
  write_file_atomic(path, out);
}

torch::Tensor read_npy(const std::filesystem::path& path) {
  const auto bytes = read_file(path);
  const std::string source = path.string();
  if (bytes.size() < kMagicSize + 4 ||
      std::memcmp(bytes.data(), kMagic, kMagicSize) != 0) {
    throw Error(fmt::format("{}: not a .npy file (bad magic string)", source));
  }

  // Version 1 has a 2-byte header length, versions 2 and 3 a 4-byte one.
  const uint8_t major = bytes[kMagicSize];
  size_t pos = kMagicSize + 2;
  size_t header_size = 0;
  if (major == 1) {
    header_size = bytes[pos] | (size_t{bytes[pos + 1]} << 8);
    pos += 2;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < pos + 4) {
      throw Error(fmt::format("{}: truncated .npy header", source));
    }
    header_size = bytes[pos] | (size_t{bytes[pos + 1]} << 8) |
                  (size_t{bytes[pos + 2]} << 16) |
                  (size_t{bytes[pos + 3]} << 24);
    pos += 4;
  } else {
    throw Error(
        fmt::format("{}: .npy version {} is not supported", source, major));
  }
  if (header_size > bytes.size() - pos) {
    throw Error(fmt::format("{}: truncated .npy header", source));
  }
  const std::string header(reinterpret_cast<const char*>(&bytes[pos]),
                           header_size);
  pos += header_size;

  // The header is a Python dict literal; numpy writes it in a fixed form.
  std::smatch m;
  static const std::regex descr_re(R"('descr'\s*:\s*'([^']*)')");
  static const std::regex order_re(R"('fortran_order'\s*:\s*(True|False))");
  static const std::regex shape_re(R"('shape'\s*:\s*\(([^)]*)\))");
  if (!std::regex_search(header, m, descr_re)) {
    throw Error(fmt::format("{}: .npy header has no 'descr'", source));
  }
  const std::string descr = m[1];
  if (!std::regex_search(header, m, order_re)) {
    throw Error(fmt::format("{}: .npy header has no 'fortran_order'", source));
  }
  if (m[1] == "True") {
    throw Error(
        fmt::format("{}: Fortran-ordered arrays are not supported; hint: save "
                    "numpy.ascontiguousarray(a)",
                    source));
  }
  if (!std::regex_search(header, m, shape_re)) {
    throw Error(fmt::format("{}: .npy header has no 'shape'", source));
  }

  std::vector<int64_t> shape;
  uint64_t count = 1;
  const std::string dims = m[1];
  static const std::regex int_re(R"(\d+)");
  for (auto it = std::sregex_iterator(dims.begin(), dims.end(), int_re);
       it != std::sregex_iterator(); ++it) {
    // Up to 18 digits fit an int64_t; more is too large for any array.
    if (it->length() > 18) {
      throw Error(fmt::format("{}: .npy shape is too large", source));
    }
    const auto size = std::stoll(it->str());
    shape.push_back(size);
    if (__builtin_mul_overflow(count, static_cast<uint64_t>(size), &count)) {
      throw Error(fmt::format("{}: .npy shape is too large", source));
    }
  }

  const DtypeName* dtype = nullptr;
  for (const auto& d : kDtypes) {
    // '<u1' and '|u1' both mean bytes.
    if (descr == d.descr || (descr == "<u1" && d.type == torch::kByte)) {
      dtype = &d;
    }
  }
  if (!dtype) {
    throw Error(fmt::format(
        "{}: .npy dtype '{}' is not supported; expected |u1, <i8, <f4 or <f8",
        source, descr));
  }

  const uint64_t element = c10::elementSize(dtype->type);
  const uint64_t payload = bytes.size() - pos;
  if (count > payload / element || count * element != payload) {
    throw Error(
        fmt::format("{}: .npy shape {} needs {} bytes of data, the file has {}",
                    source, shape_text(shape), count * element, payload));
  }
  auto tensor = torch::empty(shape, torch::TensorOptions(dtype->type));
  // An empty array has no storage to copy into (a null data pointer).
  if (payload > 0) std::memcpy(tensor.data_ptr(), bytes.data() + pos, payload);
  return tensor;
}

}  // namespace gan::io
