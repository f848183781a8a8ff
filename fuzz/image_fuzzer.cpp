// One file in an image folder (PNG, JPEG and stb's other formats): decoded,
// resized and centre-cropped as training loads it.
#include "fuzz_input.h"
#include "gan/data/image_folder.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto path = gan::fuzz::write_input(data, size, "input.png", "images");
  gan::data::ImageFolderOptions options;
  options.image_size = 8;
  options.on_bad_file = gan::data::BadFilePolicy::kStop;
  options.threads = 1;
  gan::fuzz::expect_only_gan_errors(
      [&] { gan::data::load_image_folder(path.parent_path(), options); });
  return 0;
}
