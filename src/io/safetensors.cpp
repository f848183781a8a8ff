// safetensors reading and writing.
#include "gan/io/safetensors.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <set>
#include <tuple>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "gan/core/error.h"
#include "gan/core/file.h"

namespace gan::io {
namespace {

// Tensor data is copied byte for byte: the format is little-endian.
static_assert(std::endian::native == std::endian::little,
              "safetensors I/O assumes a little-endian machine");

constexpr size_t kLengthBytes = 8;
constexpr size_t kHeaderAlignment = 8;
// The reference implementation refuses larger headers too.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;
constexpr const char* kMetadataKey = "__metadata__";

struct Dtype {
  torch::ScalarType type;
  const char* name;
};
constexpr Dtype kDtypes[] = {
    {torch::kFloat32, "F32"},
    {torch::kFloat64, "F64"},
    {torch::kInt64, "I64"},
    {torch::kByte, "U8"},
};
constexpr const char* kDtypeList = "F32, F64, I64 or U8";

const Dtype* find_dtype(torch::ScalarType type) {
  for (const auto& d : kDtypes) {
    if (d.type == type) return &d;
  }
  return nullptr;
}

const Dtype* find_dtype(const std::string& name) {
  for (const auto& d : kDtypes) {
    if (name == d.name) return &d;
  }
  return nullptr;
}

// One tensor's entry in the header, once checked.
struct Entry {
  std::string name;
  const Dtype* dtype;
  std::vector<int64_t> shape;
  uint64_t begin;
  uint64_t end;
};

// Parses the JSON header, refusing repeated top-level names (nlohmann
// would silently keep the last one).
nlohmann::json parse_header(const std::string& text,
                            const std::string& source) {
  std::set<std::string> names;
  std::string repeated;
  const auto note_keys = [&](int depth, nlohmann::json::parse_event_t event,
                             nlohmann::json& parsed) {
    if (event == nlohmann::json::parse_event_t::key && depth == 1 &&
        !names.insert(parsed.get<std::string>()).second) {
      repeated = parsed.get<std::string>();
    }
    return true;
  };
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(text, note_keys);
  } catch (const nlohmann::json::exception& e) {
    throw Error(
        fmt::format("{}: malformed safetensors header ({})", source, e.what()));
  }
  if (!header.is_object()) {
    throw Error(
        fmt::format("{}: safetensors header is not a JSON object but {}",
                    source, header.type_name()));
  }
  if (!repeated.empty()) {
    throw Error(fmt::format("{}: safetensors header names '{}' twice", source,
                            repeated));
  }
  return header;
}

std::map<std::string, std::string> parse_metadata(const nlohmann::json& value,
                                                  const std::string& source) {
  if (!value.is_object()) {
    throw Error(
        fmt::format("{}: '{}' is not a JSON object", source, kMetadataKey));
  }
  std::map<std::string, std::string> metadata;
  for (const auto& [key, text] : value.items()) {
    if (!text.is_string()) {
      throw Error(fmt::format("{}: metadata '{}' is a {}; expected a string",
                              source, key, text.type_name()));
    }
    metadata[key] = text.get<std::string>();
  }
  return metadata;
}

// Checks one tensor's entry against the `data_bytes` after the header.
Entry parse_entry(const std::string& name, const nlohmann::json& value,
                  uint64_t data_bytes, const std::string& source) {
  const std::string what = fmt::format("{}: tensor '{}'", source, name);
  if (!value.is_object()) {
    throw Error(fmt::format("{}: entry is a {}; expected an object", what,
                            value.type_name()));
  }
  for (const char* key : {"dtype", "shape", "data_offsets"}) {
    if (!value.contains(key)) {
      throw Error(fmt::format("{}: entry has no '{}'", what, key));
    }
  }

  Entry entry{name, nullptr, {}, 0, 0};
  const auto& dtype = value["dtype"];
  if (!dtype.is_string()) {
    throw Error(fmt::format("{}: 'dtype' is not a string", what));
  }
  entry.dtype = find_dtype(dtype.get<std::string>());
  if (!entry.dtype) {
    throw Error(fmt::format("{}: dtype '{}' is not supported; expected {}",
                            what, dtype.get<std::string>(), kDtypeList));
  }

  // Elements times element size, checked for overflow on the way.
  const auto& shape = value["shape"];
  if (!shape.is_array()) {
    throw Error(fmt::format("{}: 'shape' is not an array", what));
  }
  uint64_t bytes = c10::elementSize(entry.dtype->type);
  for (const auto& size : shape) {
    if (!size.is_number_unsigned() ||
        size.get<uint64_t>() > uint64_t{INT64_MAX}) {
      throw Error(
          fmt::format("{}: shape {} holds {}; expected non-negative integers",
                      what, shape.dump(), size.dump()));
    }
    entry.shape.push_back(size.get<int64_t>());
    if (__builtin_mul_overflow(bytes, size.get<uint64_t>(), &bytes)) {
      throw Error(fmt::format("{}: shape {} is too large", what, shape.dump()));
    }
  }

  const auto& offsets = value["data_offsets"];
  if (!offsets.is_array() || offsets.size() != 2 ||
      !offsets[0].is_number_unsigned() || !offsets[1].is_number_unsigned()) {
    throw Error(fmt::format(
        "{}: data_offsets {} is not a pair of non-negative integers", what,
        offsets.dump()));
  }
  entry.begin = offsets[0].get<uint64_t>();
  entry.end = offsets[1].get<uint64_t>();
  if (entry.begin > entry.end || entry.end > data_bytes) {
    throw Error(fmt::format(
        "{}: data_offsets [{}, {}] are out of range; the data has {} bytes",
        what, entry.begin, entry.end, data_bytes));
  }
  if (entry.end - entry.begin != bytes) {
    throw Error(fmt::format(
        "{}: shape {} of {} needs {} bytes, data_offsets [{}, {}] hold {}",
        what, shape.dump(), entry.dtype->name, bytes, entry.begin, entry.end,
        entry.end - entry.begin));
  }
  return entry;
}

// The byte ranges must tile the data: no overlap, no gap, nothing after.
void check_coverage(std::vector<Entry>& entries, uint64_t data_bytes,
                    const std::string& source) {
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return std::tie(a.begin, a.end) < std::tie(b.begin, b.end);
  });
  uint64_t covered = 0;
  const Entry* previous = nullptr;
  for (const auto& e : entries) {
    if (e.begin < covered) {
      throw Error(
          fmt::format("{}: tensor '{}' (bytes {} to {}) overlaps tensor '{}'",
                      source, e.name, e.begin, e.end, previous->name));
    }
    if (e.begin > covered) {
      throw Error(
          fmt::format("{}: bytes {} to {} of the data belong to no tensor",
                      source, covered, e.begin));
    }
    covered = e.end;
    previous = &e;
  }
  if (covered != data_bytes) {
    throw Error(fmt::format(
        "{}: the tensors cover {} bytes of data but the file holds {}", source,
        covered, data_bytes));
  }
}

}  // namespace

std::string encode_safetensors(
    const NamedTensors& tensors,
    const std::map<std::string, std::string>& metadata,
    const std::string& source) {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header[kMetadataKey] = metadata;

  // Wider elements first (then in the given order), so that every
  // tensor's data starts at a multiple of its element size, as
  // memory-mapping readers prefer.
  NamedTensors ordered = tensors;
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const auto& a, const auto& b) {
                     return a.second.element_size() > b.second.element_size();
                   });

  // The entries, in that order, with their bytes laid end to end.
  std::vector<torch::Tensor> data;
  uint64_t offset = 0;
  for (const auto& [name, tensor] : ordered) {
    if (name.empty() || name == kMetadataKey || header.contains(name)) {
      throw Error(fmt::format(
          "{}: tensor name '{}' is empty, reserved or repeated", source, name));
    }
    const Dtype* dtype = find_dtype(tensor.scalar_type());
    if (!dtype) {
      throw Error(fmt::format(
          "{}: tensor '{}': cannot write dtype {}; "
          "expected {}",
          source, name, c10::toString(tensor.scalar_type()), kDtypeList));
    }
    data.push_back(tensor.detach().cpu().contiguous());
    const uint64_t bytes = data.back().nbytes();
    header[name] = {{"dtype", dtype->name},
                    {"shape", data.back().sizes().vec()},
                    {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }

  // Spaces after the JSON keep it valid and align the data.
  std::string text = header.dump();
  text.append(
      (kHeaderAlignment - text.size() % kHeaderAlignment) % kHeaderAlignment,
      ' ');
  std::string out(kLengthBytes, '\0');
  const uint64_t length = text.size();
  std::memcpy(out.data(), &length, kLengthBytes);
  out += text;
  out.reserve(out.size() + offset);
  for (const auto& t : data) {
    out.append(static_cast<const char*>(t.data_ptr()), t.nbytes());
  }
  return out;
}

void write_safetensors(const std::filesystem::path& path,
                       const NamedTensors& tensors,
                       const std::map<std::string, std::string>& metadata) {
  write_file_atomic(path, encode_safetensors(tensors, metadata, path.string()));
}

Safetensors decode_safetensors(std::span<const uint8_t> bytes,
                               const std::string& source) {
  // The header length, then the header, within the bytes.
  if (bytes.size() < kLengthBytes) {
    throw Error(fmt::format(
        "{}: truncated: {} bytes, fewer than the 8-byte header length of a "
        "safetensors file",
        source, bytes.size()));
  }
  uint64_t length = 0;
  std::memcpy(&length, bytes.data(), kLengthBytes);
  const uint64_t rest = bytes.size() - kLengthBytes;
  if (length > rest || length > kMaxHeaderBytes) {
    throw Error(fmt::format(
        "{}: header length {} runs past the end of the file ({} bytes after "
        "the length; at most {})",
        source, length, rest, kMaxHeaderBytes));
  }
  const auto header = parse_header(
      std::string(reinterpret_cast<const char*>(bytes.data()) + kLengthBytes,
                  length),
      source);
  const uint8_t* data = bytes.data() + kLengthBytes + length;
  const uint64_t data_bytes = rest - length;

  // Every entry checked on its own, then the ranges together.
  Safetensors file;
  std::vector<Entry> entries;
  for (const auto& [name, value] : header.items()) {
    if (name == kMetadataKey) {
      file.metadata = parse_metadata(value, source);
    } else {
      entries.push_back(parse_entry(name, value, data_bytes, source));
    }
  }
  check_coverage(entries, data_bytes, source);

  for (const auto& e : entries) {
    auto tensor = torch::empty(e.shape, torch::TensorOptions(e.dtype->type));
    if (e.end > e.begin) {
      std::memcpy(tensor.data_ptr(), data + e.begin, e.end - e.begin);
    }
    file.tensors.emplace(e.name, std::move(tensor));
  }
  return file;
}

Safetensors read_safetensors(const std::filesystem::path& path) {
  const auto bytes = read_file(path);
  return decode_safetensors(bytes, path.string());
}

}  // namespace gan::io
