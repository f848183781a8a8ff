// On-disk cache of reference features.
#include "gan/eval/feature_cache.h"

#include <cstdlib>

#include <fmt/format.h>

#include "gan/core/error.h"
#include "gan/core/file.h"
#include "gan/io/npy.h"

namespace gan::eval {
namespace fs = std::filesystem;
namespace {

// FNV-1a, 64 bits: stable across runs and builds, unlike std::hash.
uint64_t fnv1a(const std::string& text) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

}  // namespace

fs::path default_cache_dir() {
  if (const char* dir = std::getenv("GAN_CACHE_DIR"); dir && *dir) return dir;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) {
    return fs::path(xdg) / "gan";
  }
  if (const char* home = std::getenv("HOME"); home && *home) {
    return fs::path(home) / ".cache" / "gan";
  }
  return {};
}

std::string file_fingerprint(const fs::path& path) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  const auto time = fs::last_write_time(path, ec);
  return fmt::format("{}:{}:{}", fs::absolute(path).string(), size,
                     time.time_since_epoch().count());
}

FeatureCache::FeatureCache(fs::path dir) : dir_(std::move(dir)) {}

fs::path FeatureCache::path_for(const std::string& key) const {
  return dir_ / fmt::format("features-{:016x}.npy", fnv1a(key));
}

torch::Tensor FeatureCache::get_or_compute(
    const std::string& key, const std::function<torch::Tensor()>& compute) {
  if (dir_.empty()) return compute();
  const auto path = path_for(key);
  const auto key_path = fs::path(path.string() + ".key");
  std::error_code ec;
  if (fs::exists(path, ec) && fs::exists(key_path, ec)) {
    try {
      const auto stored = read_file(key_path);
      if (std::string(stored.begin(), stored.end()) == key) {
        return io::read_npy(path);
      }
    } catch (const Error&) {
      // A damaged entry is recomputed below.
    }
  }
  auto features = compute();
  try {
    ensure_writable_dir(dir_);
    io::write_npy(path, features.to(torch::kFloat32));
    write_file_atomic(key_path, key);
  } catch (const Error&) {
    // Caching is an optimisation: a read-only cache folder is not fatal.
  }
  return features;
}

}  // namespace gan::eval
