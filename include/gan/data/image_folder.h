// A user's folder of images (PNG, JPEG, and the other formats stb_image
// decodes: BMP, GIF, TGA, PSD, HDR, PNM). Two layouts:
//   photos/a.png, photos/trip/b.jpg, ...     unlabelled (found recursively)
//   animals/cat/1.png, animals/dog/7.jpg     one class per subfolder
// A folder whose top level holds only subfolders is read as classes, in
// sorted order; otherwise every image under it is one unlabelled set.
// Images of any size are cut to their centre square and resized to one
// size; all are decoded once, in parallel, and kept in memory.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "gan/data/dataset.h"
#include "gan/data/load.h"

namespace gan::data {

struct ImageFolderOptions {
  // Square side of the images; 0: the images' own size (then they must all
  // have the same one).
  int64_t image_size = 0;
  // 1 or 3; 0: 3 if any image has colour, else 1.
  int64_t channels = 0;
  PixelRange range = PixelRange::kMinusOneOne;
  BadFilePolicy on_bad_file = BadFilePolicy::kSkip;
  // Decoding threads; 0: libtorch's thread count.
  int threads = 0;
};

// The image files of `dir` in load order, with their class (-1 when the
// folder is unlabelled) and the class names. Hidden files are ignored.
struct FolderListing {
  std::vector<std::filesystem::path> files;
  std::vector<int64_t> classes;
  std::vector<std::string> class_names;
};
FolderListing list_image_folder(const std::filesystem::path& dir);

// Decodes every image of `dir`. Files that do not decode are skipped with a
// warning naming them (or, with BadFilePolicy::kStop, fail with an error
// naming them). Returns uint8 [N, C, S, S] images, with labels when the
// folder has class subfolders. Throws gan::Error when the folder is
// missing or holds no usable image.
Dataset load_image_folder(const std::filesystem::path& dir,
                          const ImageFolderOptions& options,
                          const WarningSink& warn = {});

}  // namespace gan::data
