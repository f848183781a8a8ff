// Checkpoint headers and generator loading.
#include "gan/train/snapshot.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "gan/core/error.h"
#include "gan/io/checkpoint.h"
#include "gan/io/run_dir.h"

namespace gan::train {
namespace {

using models::OutputActivation;

const std::pair<const char*, OutputActivation> kOutputs[] = {
    {"sigmoid", OutputActivation::kSigmoid},
    {"tanh", OutputActivation::kTanh},
    {"identity", OutputActivation::kIdentity},
};

constexpr const char* kFormatName = "gan training checkpoint";

}  // namespace

std::string encode_checkpoint_header(const CheckpointInfo& info) {
  nlohmann::json header;
  header["format"] = kFormatName;
  header["step"] = info.step;
  header["epochs_done"] = info.epochs_done;
  header["config"] = to_toml(info.config);
  header["sample_shape"] = info.spec.sample_shape;
  header["num_classes"] = info.spec.num_classes;
  for (const auto& [name, value] : kOutputs) {
    if (value == info.spec.output) header["output"] = name;
  }
  return header.dump(2);
}

CheckpointInfo decode_checkpoint_header(const std::string& json,
                                        const std::string& source) {
  CheckpointInfo info;
  try {
    const auto header = nlohmann::json::parse(json);
    if (header.at("format") != kFormatName) {
      throw Error(fmt::format("{}: not a training checkpoint", source));
    }
    info.step = header.at("step").get<int64_t>();
    info.epochs_done = header.at("epochs_done").get<int64_t>();
    info.config = parse_config(header.at("config").get<std::string>(),
                               source + " (config)");
    info.spec.sample_shape =
        header.at("sample_shape").get<std::vector<int64_t>>();
    info.spec.num_classes = header.at("num_classes").get<int64_t>();
    const auto output = header.at("output").get<std::string>();
    bool known = false;
    for (const auto& [name, value] : kOutputs) {
      if (output == name) {
        info.spec.output = value;
        known = true;
      }
    }
    if (!known) {
      throw Error(fmt::format("{}: unknown output '{}'", source, output));
    }
  } catch (const nlohmann::json::exception& e) {
    throw Error(
        fmt::format("{}: malformed checkpoint header ({})", source, e.what()));
  }
  return info;
}

CheckpointInfo read_checkpoint_info(const std::filesystem::path& path) {
  const auto file = io::resolve_checkpoint(path);
  return decode_checkpoint_header(io::read_checkpoint_header(file),
                                  file.string());
}

LoadedGenerator load_generator(const std::filesystem::path& path,
                               c10::Device device, bool raw) {
  const auto file = io::resolve_checkpoint(path);
  auto contents = io::read_checkpoint(file);
  LoadedGenerator loaded;
  loaded.info = decode_checkpoint_header(contents.header_json, file.string());
  loaded.generator =
      models::make_generator(loaded.info.config.model, loaded.info.spec);
  loaded.averaged = !raw && io::has_tensors(contents.tensors, kGeneratorEmaKey);
  io::load_module_tensors(contents.tensors,
                          loaded.averaged ? kGeneratorEmaKey : kGeneratorKey,
                          *loaded.generator, file.string());
  loaded.generator->to(device);
  loaded.generator->eval();
  return loaded;
}

}  // namespace gan::train
