// Features of reference sets cached on disk, keyed by the data and the
// extractor, so that repeated evaluations against the same real images (at
// every epoch of a run, or run after run) skip the extractor pass over them.
// A cache entry is a .npy of float32 [N, F] features beside a .key file
// holding the full key; an entry whose key differs is recomputed.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include <torch/types.h>

namespace gan::eval {

// $GAN_CACHE_DIR, else $XDG_CACHE_HOME/gan, else ~/.cache/gan.
std::filesystem::path default_cache_dir();

class FeatureCache {
 public:
  // An empty `dir` turns caching off: every call computes.
  explicit FeatureCache(std::filesystem::path dir);

  // The features stored under `key`, or `compute()`'s result, stored under
  // `key` (a failure to store is not an error: the features are returned).
  torch::Tensor get_or_compute(const std::string& key,
                               const std::function<torch::Tensor()>& compute);

  // Where `key`'s features live.
  std::filesystem::path path_for(const std::string& key) const;

 private:
  std::filesystem::path dir_;
};

// A string that changes when the file at `path` changes (path, size and
// modification time), for cache keys.
std::string file_fingerprint(const std::filesystem::path& path);

}  // namespace gan::eval
