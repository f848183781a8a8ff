// Generator export: safetensors weights plus a JSON description.
#include "gan/train/export.h"

#include <nlohmann/json.hpp>

#include "gan/core/file.h"
#include "gan/io/safetensors.h"
#include "gan/models/describe.h"

namespace gan::train {

ExportedFiles export_generator(const LoadedGenerator& loaded,
                               const std::filesystem::path& dir) {
  const auto& generator = *loaded.generator;
  const auto& info = loaded.info;

  // Describe first: a generator the schema cannot express writes nothing.
  auto description = nlohmann::ordered_json::parse(
      models::describe_generator(generator, info.config.model, info.spec));
  description["weights"] = kExportWeightsFile;
  description["checkpoint"] = {
      {"step", info.step},
      {"epochs_done", info.epochs_done},
      {"weights", loaded.averaged ? "moving_average" : "trained"}};

  // Parameters, then buffers (batch-norm statistics), by their names.
  io::NamedTensors tensors;
  for (const auto& p : generator.named_parameters()) {
    tensors.emplace_back(p.key(), p.value());
  }
  for (const auto& b : generator.named_buffers()) {
    tensors.emplace_back(b.key(), b.value());
  }

  ensure_writable_dir(dir);
  const ExportedFiles files{dir / kExportWeightsFile,
                            dir / kExportDescriptionFile};
  io::write_safetensors(
      files.weights, tensors,
      {{"format", models::kDescriptionFormat},
       {"version", std::to_string(models::kDescriptionVersion)},
       {"description", kExportDescriptionFile}});
  write_file_atomic(files.description, description.dump(2) + "\n");
  return files;
}

}  // namespace gan::train
