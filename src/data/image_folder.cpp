// Image folders: listing, parallel decoding with stb_image, resizing with
// stb_image_resize.
#include "gan/data/image_folder.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <thread>

#include <fmt/format.h>
#include <stb/stb_image.h>
#include <stb/stb_image_resize.h>

#include "gan/core/error.h"
#include "gan/core/file.h"

namespace gan::data {
namespace fs = std::filesystem;
namespace {

bool hidden(const fs::path& p) {
  return p.filename().string().starts_with(".");
}

// Regular, non-hidden files under `dir`, recursively, sorted.
std::vector<fs::path> files_under(const fs::path& dir) {
  std::vector<fs::path> files;
  for (auto it = fs::recursive_directory_iterator(
           dir, fs::directory_options::skip_permission_denied);
       it != fs::recursive_directory_iterator(); ++it) {
    if (hidden(it->path())) {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file()) files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// The largest image decoded, in pixels: 300 MB as RGB bytes.
constexpr int64_t kMaxPixels = 100'000'000;

// One decoded image, before resizing: height x width x channels bytes.
struct Decoded {
  std::vector<uint8_t> pixels;
  int width = 0, height = 0, channels = 0;
  std::string error;  // why it did not decode; empty on success
};

Decoded decode(const fs::path& file, int want_channels) {
  Decoded out;
  std::vector<uint8_t> bytes;
  try {
    bytes = read_file(file);
  } catch (const Error& e) {
    out.error = e.what();
    return out;
  }
  int w = 0, h = 0, c = 0;
  // A few bytes of header can declare any size; refuse to allocate for an
  // image larger than any photo before decoding it.
  if (stbi_info_from_memory(bytes.data(), static_cast<int>(bytes.size()), &w,
                            &h, &c) &&
      static_cast<int64_t>(w) * h > kMaxPixels) {
    out.error = fmt::format(
        "{}: {} x {} pixels, more than the {} megapixels gan decodes",
        file.string(), w, h, kMaxPixels / 1000000);
    return out;
  }
  uint8_t* data = stbi_load_from_memory(
      bytes.data(), static_cast<int>(bytes.size()), &w, &h, &c, want_channels);
  if (!data) {
    // stb leaves the reason unset on some failures.
    const char* reason = stbi_failure_reason();
    out.error = fmt::format("{}: not a decodable image ({})", file.string(),
                            reason ? reason : "unknown reason");
    return out;
  }
  if (w <= 0 || h <= 0) {
    // stb accepts a PNM header that declares no rows.
    stbi_image_free(data);
    out.error =
        fmt::format("{}: an image of {} x {} pixels", file.string(), w, h);
    return out;
  }
  out.width = w;
  out.height = h;
  out.channels = want_channels ? want_channels : c;
  out.pixels.assign(data, data + static_cast<size_t>(w) * h * out.channels);
  stbi_image_free(data);
  return out;
}

// The centre square of the image, resized to size x size (stb's default
// filter), as channel-first bytes [C, size, size]. Cropping first keeps
// the work proportional to the square, however elongated the image.
torch::Tensor resize_and_crop(const Decoded& image, int64_t size) {
  const int side = std::min(image.width, image.height);
  const int top = (image.height - side) / 2;
  const int left = (image.width - side) / 2;
  const int channels = image.channels;
  const size_t row_bytes = static_cast<size_t>(image.width) * channels;
  const uint8_t* corner = image.pixels.data() +
                          static_cast<size_t>(top) * row_bytes +
                          static_cast<size_t>(left) * channels;
  auto out = torch::empty({size, size, channels}, torch::kByte);
  uint8_t* to = out.data_ptr<uint8_t>();
  if (side == size) {
    const size_t out_row = static_cast<size_t>(size) * channels;
    for (int64_t y = 0; y < size; ++y) {
      std::memcpy(to + y * out_row, corner + y * row_bytes, out_row);
    }
  } else {
    stbir_resize_uint8(corner, side, side, static_cast<int>(row_bytes), to,
                       static_cast<int>(size), static_cast<int>(size), 0,
                       channels);
  }
  return out.permute({2, 0, 1});
}

// Peeks at each file's channel count to choose 1 or 3 when unset.
int64_t detect_channels(const std::vector<fs::path>& files) {
  for (const auto& file : files) {
    int w = 0, h = 0, c = 0;
    if (stbi_info(file.c_str(), &w, &h, &c) && c >= 3) return 3;
  }
  return 1;
}

// The one square size all readable images share; throws naming two files
// that differ. Unreadable files are left to the decoder to report.
int64_t common_square_size(const fs::path& dir,
                           const std::vector<fs::path>& files) {
  const fs::path* first = nullptr;
  int first_w = 0, first_h = 0;
  for (const auto& file : files) {
    int w = 0, h = 0, c = 0;
    if (!stbi_info(file.c_str(), &w, &h, &c)) continue;
    if (!first) {
      first = &file;
      first_w = w;
      first_h = h;
    }
    if (w != first_w || h != first_h || w != h) {
      throw Error(fmt::format(
          "{}: images differ in size or are not square ({} is {}x{}, {} is "
          "{}x{}); hint: set data.image_size to resize them",
          dir.string(), first->string(), first_w, first_h, file.string(), w,
          h));
    }
  }
  if (!first) {
    throw Error(fmt::format("{}: no decodable image found", dir.string()));
  }
  return first_w;
}

}  // namespace

FolderListing list_image_folder(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw Error(fmt::format("{}: image folder not found", dir.string()));
  }
  FolderListing listing;
  std::vector<fs::path> subdirs;
  bool top_level_files = false;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (hidden(entry.path())) continue;
    if (entry.is_directory()) subdirs.push_back(entry.path());
    if (entry.is_regular_file()) top_level_files = true;
  }
  std::sort(subdirs.begin(), subdirs.end());

  if (!top_level_files && !subdirs.empty()) {
    // One class per subfolder.
    for (const auto& sub : subdirs) {
      const auto id = static_cast<int64_t>(listing.class_names.size());
      listing.class_names.push_back(sub.filename().string());
      for (auto& file : files_under(sub)) {
        listing.files.push_back(std::move(file));
        listing.classes.push_back(id);
      }
    }
  } else {
    listing.files = files_under(dir);
    listing.classes.assign(listing.files.size(), -1);
  }
  return listing;
}

Dataset load_image_folder(const fs::path& dir,
                          const ImageFolderOptions& options,
                          const WarningSink& warn) {
  auto listing = list_image_folder(dir);
  if (listing.files.empty()) {
    throw Error(fmt::format("{}: no image files found", dir.string()));
  }
  const int64_t channels =
      options.channels > 0 ? options.channels : detect_channels(listing.files);
  if (channels != 1 && channels != 3) {
    throw Error(fmt::format("data.channels = {}: expected 1 or 3", channels));
  }
  const int64_t size = options.image_size > 0
                           ? options.image_size
                           : common_square_size(dir, listing.files);

  // Decode and resize in parallel, each worker taking the next file, so
  // only one full-size image per worker is in memory at a time.
  const auto n = static_cast<int64_t>(listing.files.size());
  auto images = torch::empty({n, channels, size, size}, torch::kByte);
  std::vector<std::string> errors(static_cast<size_t>(n));
  std::atomic<int64_t> next{0};
  const int threads = std::max(
      1, options.threads > 0 ? options.threads : torch::get_num_threads());
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      for (int64_t i = next++; i < n; i = next++) {
        auto& error = errors[static_cast<size_t>(i)];
        // An exception must not leave a worker thread: it would end the
        // process. Whatever fails is this file's error.
        try {
          const auto image = decode(listing.files[static_cast<size_t>(i)],
                                    static_cast<int>(channels));
          if (!image.error.empty()) {
            error = image.error;
            continue;
          }
          const auto square = resize_and_crop(image, size).contiguous();
          std::memcpy(images[i].data_ptr<uint8_t>(), square.data_ptr<uint8_t>(),
                      static_cast<size_t>(square.numel()));
        } catch (const std::exception& e) {
          error = fmt::format("{}: {}",
                              listing.files[static_cast<size_t>(i)].string(),
                              describe(e));
        }
      }
    });
  }
  for (auto& worker : workers) worker.join();

  // Bad files: stop, or skip with a warning each.
  std::vector<int64_t> good;
  for (int64_t i = 0; i < n; ++i) {
    const auto& error = errors[static_cast<size_t>(i)];
    if (error.empty()) {
      good.push_back(i);
    } else if (options.on_bad_file == BadFilePolicy::kStop) {
      throw Error(fmt::format(
          "{}; hint: remove it, or set data.on_bad_file = \"skip\"", error));
    } else if (warn) {
      warn(fmt::format("skipping {}", error));
    }
  }
  if (good.empty()) {
    throw Error(fmt::format("{}: none of its {} files is a decodable image",
                            dir.string(), n));
  }

  const auto keep = torch::tensor(good, torch::kInt64);
  const bool labelled = !listing.class_names.empty();
  auto labels = torch::tensor(listing.classes, torch::kInt64);
  return Dataset(images.index_select(0, keep),
                 labelled ? labels.index_select(0, keep) : torch::Tensor(),
                 static_cast<int64_t>(listing.class_names.size()),
                 options.range);
}

}  // namespace gan::data
