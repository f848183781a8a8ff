// Config keys in one table: each key's name, documentation and accessor.
// Reading TOML, applying overrides, writing TOML and listing keys all walk
// that table, so a new field is added in exactly one place.
#include "gan/train/config.h"

#include <algorithm>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <variant>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <toml++/toml.h>

#include "gan/core/error.h"

namespace gan::train {
namespace {

using IntList = std::vector<int64_t>;
using Value = std::variant<int64_t, double, bool, std::string, IntList>;

struct Field {
  std::string key;
  std::string doc;
  // The alternative of Value this key holds.
  size_t type = 0;
  // For enumerations: the accepted names.
  std::vector<std::string> choices;
  std::function<Value(const Config&)> get;
  std::function<void(Config&, const Value&)> set;
};

template <class T>
constexpr size_t type_index() {
  if constexpr (std::is_same_v<T, int64_t>) return 0;
  if constexpr (std::is_same_v<T, double>) return 1;
  if constexpr (std::is_same_v<T, bool>) return 2;
  if constexpr (std::is_same_v<T, std::string>) return 3;
  if constexpr (std::is_same_v<T, IntList>) return 4;
}

constexpr const char* kTypeNames[] = {"an integer", "a number", "a boolean",
                                      "a string", "a list of integers"};

// A plain field; `access` maps a Config to a reference to the field.
template <class Access>
Field field(std::string key, std::string doc, Access access) {
  using T = std::remove_cvref_t<decltype(access(std::declval<Config&>()))>;
  Field f{std::move(key), std::move(doc), type_index<T>(), {}, {}, {}};
  f.get = [access](const Config& c) {
    return Value(access(const_cast<Config&>(c)));
  };
  f.set = [access](Config& c, const Value& v) { access(c) = std::get<T>(v); };
  return f;
}

// An enumeration stored as its name in TOML.
template <class E, class Access>
Field choice(std::string key, std::string doc, Access access,
             std::vector<std::pair<std::string, E>> names) {
  Field f{
      std::move(key), std::move(doc), type_index<std::string>(), {}, {}, {}};
  for (const auto& [name, value] : names) f.choices.push_back(name);
  f.get = [access, names](const Config& c) {
    const E value = access(const_cast<Config&>(c));
    for (const auto& [name, e] : names) {
      if (e == value) return Value(name);
    }
    return Value(std::string("?"));
  };
  f.set = [access, names, key = f.key](Config& c, const Value& v) {
    const auto& text = std::get<std::string>(v);
    for (const auto& [name, e] : names) {
      if (name == text) {
        access(c) = e;
        return;
      }
    }
    std::vector<std::string> known;
    for (const auto& [name, e] : names) known.push_back(name);
    throw Error(fmt::format("key '{}': '{}' is not one of: {}", key, text,
                            fmt::join(known, ", ")));
  };
  return f;
}

std::vector<std::pair<std::string, models::NormKind>> norm_names() {
  return {{"batch", models::NormKind::kBatch},
          {"layer", models::NormKind::kLayer},
          {"none", models::NormKind::kNone}};
}

const std::vector<Field>& fields() {
  using data::DataFormat;
  using data::PixelRange;
  using losses::LossKind;
  using models::ModelFamily;
  using models::PriorKind;
  static const std::vector<Field> table = {
      // [data]
      choice(
          "data.format", "format of the files under data.path",
          [](Config & c) -> auto& { return c.data.format; },
          std::vector<std::pair<std::string, DataFormat>>{
              {"mnist", DataFormat::kMnist},
              {"cifar10", DataFormat::kCifar10},
              {"folder", DataFormat::kFolder},
              {"toy", DataFormat::kToy}}),
      field(
          "data.path", "folder that holds the dataset",
          [](Config & c) -> auto& { return c.data.path; }),
      field(
          "data.train_size",
          "leading training examples used to train; the rest validate",
          [](Config & c) -> auto& { return c.data.train_size; }),
      choice(
          "data.range", "float range of pixels: [0, 1] or [-1, 1]",
          [](Config & c) -> auto& { return c.data.range; },
          std::vector<std::pair<std::string, PixelRange>>{
              {"zero_one", PixelRange::kZeroOne},
              {"minus_one_one", PixelRange::kMinusOneOne}}),
      field(
          "data.image_size",
          "resize and centre-crop images to this side; 0: as stored",
          [](Config & c) -> auto& { return c.data.image_size; }),
      field(
          "data.channels", "1 (grey) or 3 (RGB); 0: as stored",
          [](Config & c) -> auto& { return c.data.channels; }),
      choice(
          "data.on_bad_file",
          "image folders: skip undecodable files (warning) or stop",
          [](Config & c) -> auto& { return c.data.on_bad_file; },
          std::vector<std::pair<std::string, data::BadFilePolicy>>{
              {"skip", data::BadFilePolicy::kSkip},
              {"stop", data::BadFilePolicy::kStop}}),
      choice(
          "data.toy", "toy distribution (data.format = \"toy\")",
          [](Config & c) -> auto& { return c.data.toy; },
          std::vector<std::pair<std::string, data::ToyKind>>{
              {"ring", data::ToyKind::kRing},
              {"grid", data::ToyKind::kGrid},
              {"gaussian_1d", data::ToyKind::kGaussian1d}}),
      field(
          "data.toy_size", "toy training points drawn",
          [](Config & c) -> auto& { return c.data.toy_size; }),
      // [model]
      choice(
          "model.family", "which nets to build",
          [](Config & c) -> auto& { return c.model.family; },
          std::vector<std::pair<std::string, ModelFamily>>{
              {"mlp", ModelFamily::kMlp}, {"dcgan", ModelFamily::kDcgan}}),
      field(
          "model.latent_dim", "Z, the size of G's latent vector",
          [](Config & c) -> auto& { return c.model.latent_dim; }),
      choice(
          "model.prior",
          "p_z: uniform U(-sqrt 3, sqrt 3) per dimension, or normal",
          [](Config & c) -> auto& { return c.model.prior; },
          std::vector<std::pair<std::string, PriorKind>>{
              {"uniform", PriorKind::kUniform},
              {"normal", PriorKind::kNormal}}),
      field(
          "model.conditional", "condition G and D on the class label",
          [](Config & c) -> auto& { return c.model.conditional; }),
      field(
          "model.spectral_norm", "spectrally normalise D's layers",
          [](Config & c) -> auto& { return c.model.spectral_norm; }),
      // [model.mlp]
      field(
          "model.mlp.g_hidden", "G's hidden ReLU layer widths",
          [](Config & c) -> auto& { return c.model.mlp.g_hidden; }),
      field(
          "model.mlp.g_init_range", "G's weights start in U(-r, r)",
          [](Config & c) -> auto& { return c.model.mlp.g_init_range; }),
      field(
          "model.mlp.g_output_bias_from_data",
          "start G's output bias at the data's mean example",
          [](Config & c) -> auto& {
            return c.model.mlp.g_output_bias_from_data;
          }),
      field(
          "model.mlp.d_hidden", "D's maxout layer widths (units)",
          [](Config & c) -> auto& { return c.model.mlp.d_hidden; }),
      choice(
          "model.mlp.d_activation", "D's hidden units",
          [](Config & c) -> auto& { return c.model.mlp.d_activation; },
          std::vector<std::pair<std::string, models::MlpActivation>>{
              {"maxout", models::MlpActivation::kMaxout},
              {"leaky_relu", models::MlpActivation::kLeakyRelu}}),
      field(
          "model.mlp.d_pieces", "affine pieces per maxout unit",
          [](Config & c) -> auto& { return c.model.mlp.d_pieces; }),
      field(
          "model.mlp.d_init_range", "D's weights start in U(-r, r)",
          [](Config & c) -> auto& { return c.model.mlp.d_init_range; }),
      field(
          "model.mlp.d_input_keep", "keep probability of D's inputs",
          [](Config & c) -> auto& { return c.model.mlp.d_input_keep; }),
      field(
          "model.mlp.d_hidden_keep", "keep probability of D's hidden units",
          [](Config & c) -> auto& { return c.model.mlp.d_hidden_keep; }),
      // [model.dcgan]
      field(
          "model.dcgan.g_width", "channels of G's last hidden layer",
          [](Config & c) -> auto& { return c.model.dcgan.g_width; }),
      field(
          "model.dcgan.d_width", "channels of D's first layer",
          [](Config & c) -> auto& { return c.model.dcgan.d_width; }),
      choice(
          "model.dcgan.g_norm", "G's normalisation",
          [](Config & c) -> auto& { return c.model.dcgan.g_norm; },
          norm_names()),
      choice(
          "model.dcgan.d_norm", "D's normalisation (none or layer for WGAN-GP)",
          [](Config & c) -> auto& { return c.model.dcgan.d_norm; },
          norm_names()),
      field(
          "model.dcgan.init_std", "std of the initial weights",
          [](Config & c) -> auto& { return c.model.dcgan.init_std; }),
      // [loss]
      choice(
          "loss.kind",
          "the adversarial loss (non_saturating: G maximises log D(G(z)))",
          [](Config & c) -> auto& { return c.loss.kind; },
          std::vector<std::pair<std::string, LossKind>>{
              {"non_saturating", LossKind::kNonSaturating},
              {"minimax", LossKind::kMinimax},
              {"least_squares", LossKind::kLeastSquares},
              {"wasserstein", LossKind::kWasserstein},
              {"hinge", LossKind::kHinge}}),
      field(
          "loss.gradient_penalty",
          "lambda of the WGAN-GP gradient penalty; 0: off",
          [](Config & c) -> auto& { return c.loss.gradient_penalty; }),
      field(
          "loss.r1_penalty", "gamma of the R1 penalty; 0: off",
          [](Config & c) -> auto& { return c.loss.r1_penalty; }),
      // [optim]
      choice(
          "optim.kind", "optimiser of both nets",
          [](Config & c) -> auto& { return c.optim.kind; },
          std::vector<std::pair<std::string, OptimizerKind>>{
              {"sgd", OptimizerKind::kSgd}, {"adam", OptimizerKind::kAdam}}),
      field(
          "optim.lr", "learning rate at step 0",
          [](Config & c) -> auto& { return c.optim.lr; }),
      field(
          "optim.d_lr", "D's learning rate at step 0; 0: optim.lr",
          [](Config & c) -> auto& { return c.optim.d_lr; }),
      field(
          "optim.lr_decay", "learning rate divided by this every step",
          [](Config & c) -> auto& { return c.optim.lr_decay; }),
      field(
          "optim.lr_min", "floor of the decayed learning rate",
          [](Config & c) -> auto& { return c.optim.lr_min; }),
      field(
          "optim.momentum", "SGD momentum at the start",
          [](Config & c) -> auto& { return c.optim.momentum; }),
      field(
          "optim.momentum_final", "SGD momentum after the ramp",
          [](Config & c) -> auto& { return c.optim.momentum_final; }),
      field(
          "optim.momentum_start_epoch", "epoch the momentum ramp starts",
          [](Config & c) -> auto& { return c.optim.momentum_start_epoch; }),
      field(
          "optim.momentum_saturate_epoch", "epoch the momentum ramp ends",
          [](Config & c) -> auto& { return c.optim.momentum_saturate_epoch; }),
      field(
          "optim.beta1", "Adam's first-moment decay",
          [](Config & c) -> auto& { return c.optim.beta1; }),
      field(
          "optim.beta2", "Adam's second-moment decay",
          [](Config & c) -> auto& { return c.optim.beta2; }),
      field(
          "optim.eps", "Adam's denominator guard",
          [](Config & c) -> auto& { return c.optim.eps; }),
      // [train]
      field(
          "train.epochs", "passes over the training split",
          [](Config & c) -> auto& { return c.train.epochs; }),
      field(
          "train.batch_size", "examples per minibatch",
          [](Config & c) -> auto& { return c.train.batch_size; }),
      field(
          "train.d_steps", "k: discriminator steps per generator step",
          [](Config & c) -> auto& { return c.train.d_steps; }),
      field(
          "train.seed", "seed of weights, noise, dropout and data order",
          [](Config & c) -> auto& { return c.train.seed; }),
      field(
          "train.max_steps", "stop after this many steps; 0: no limit",
          [](Config & c) -> auto& { return c.train.max_steps; }),
      field(
          "train.ema_decay",
          "sample from a moving average of G's weights; 0: off",
          [](Config & c) -> auto& { return c.train.ema_decay; }),
      field(
          "train.fast_path",
          "hand-written training passes for maxout MLPs on the CPU",
          [](Config & c) -> auto& { return c.train.fast_path; }),
      field(
          "train.precision",
          "matrix products: float32, or bf16 (MLP fast path only)",
          [](Config & c) -> auto& { return c.train.precision; }),
      field(
          "train.threads", "CPU threads; 0: every core",
          [](Config & c) -> auto& { return c.train.threads; }),
      field(
          "train.device", "cpu, cuda or cuda:N",
          [](Config & c) -> auto& { return c.train.device; }),
      // [log]
      field(
          "log.every_steps", "a progress line every this many steps",
          [](Config & c) -> auto& { return c.log.every_steps; }),
      field(
          "log.grid_every_epochs", "a sample grid every N epochs; 0: none",
          [](Config & c) -> auto& { return c.log.grid_every_epochs; }),
      field(
          "log.grid_count", "samples per grid",
          [](Config & c) -> auto& { return c.log.grid_count; }),
      field(
          "log.checkpoint_every_epochs",
          "a checkpoint every N epochs; 0: only at the end",
          [](Config & c) -> auto& { return c.log.checkpoint_every_epochs; }),
      field(
          "log.keep_checkpoints", "step checkpoints kept in the run folder",
          [](Config & c) -> auto& { return c.log.keep_checkpoints; }),
      // [eval]
      field(
          "eval.every_epochs", "evaluate every N epochs; 0: never",
          [](Config & c) -> auto& { return c.eval.every_epochs; }),
      field(
          "eval.fid", "FID in the extractor's feature space",
          [](Config & c) -> auto& { return c.eval.fid; }),
      field(
          "eval.kid", "KID (mean over subsets)",
          [](Config & c) -> auto& { return c.eval.kid; }),
      field(
          "eval.precision_recall", "precision and recall (k = 3)",
          [](Config & c) -> auto& { return c.eval.precision_recall; }),
      field(
          "eval.inception_score", "Inception Score",
          [](Config & c) -> auto& { return c.eval.inception_score; }),
      field(
          "eval.parzen", "the paper's Parzen log-likelihood of the test set",
          [](Config & c) -> auto& { return c.eval.parzen; }),
      field(
          "eval.coverage", "toy mixtures: modes captured, quality, KL",
          [](Config & c) -> auto& { return c.eval.coverage; }),
      field(
          "eval.extractor", "feature extractor file for FID and friends",
          [](Config & c) -> auto& { return c.eval.extractor; }),
      field(
          "eval.extractor_preset", "\"inception\" for StyleGAN2's file",
          [](Config & c) -> auto& { return c.eval.extractor_preset; }),
      field(
          "eval.samples", "generated samples per evaluation",
          [](Config & c) -> auto& { return c.eval.samples; }),
      field(
          "eval.reference", "split the feature metrics compare against",
          [](Config & c) -> auto& { return c.eval.reference; }),
  };
  return table;
}

const Field* find_field(std::string_view key) {
  for (const auto& f : fields()) {
    if (f.key == key) return &f;
  }
  return nullptr;
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1,
                         diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

std::string unknown_key_message(std::string_view key) {
  const Field* best = nullptr;
  size_t best_distance = 4;  // suggest only near misses
  for (const auto& f : fields()) {
    const size_t d = edit_distance(key, f.key);
    if (d < best_distance) {
      best = &f;
      best_distance = d;
    }
  }
  std::string message = fmt::format("unknown key '{}'", key);
  if (best) message += fmt::format(" (did you mean '{}'?)", best->key);
  return message + "; `gan train --help-config` lists every key";
}

const char* toml_type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::array:
      return "a list";
    case toml::node_type::table:
      return "a table";
    default:
      return "a date or time";
  }
}

// Converts a TOML value to the alternative `f` holds, or throws.
Value convert(const Field& f, const toml::node& node) {
  auto mismatch = [&]() {
    return Error(fmt::format("key '{}': expected {}, found {}", f.key,
                             kTypeNames[f.type], toml_type_name(node)));
  };
  switch (f.type) {
    case 0:
      if (auto v = node.value_exact<int64_t>()) return *v;
      throw mismatch();
    case 1:
      if (node.is_integer()) return static_cast<double>(*node.value<int64_t>());
      if (auto v = node.value_exact<double>()) return *v;
      throw mismatch();
    case 2:
      if (auto v = node.value_exact<bool>()) return *v;
      throw mismatch();
    case 3:
      if (auto v = node.value_exact<std::string>()) return *v;
      throw mismatch();
    case 4: {
      const auto* array = node.as_array();
      if (!array) throw mismatch();
      IntList list;
      for (const auto& item : *array) {
        auto v = item.value_exact<int64_t>();
        if (!v) throw mismatch();
        list.push_back(*v);
      }
      return list;
    }
  }
  throw mismatch();
}

// Walks a TOML table, setting each leaf on `config` by its dotted path.
void apply_table(Config& config, const toml::table& table,
                 const std::string& prefix) {
  for (const auto& [name, node] : table) {
    const std::string key = prefix + std::string(name.str());
    const Field* f = find_field(key);
    if (node.is_table() && !f) {
      apply_table(config, *node.as_table(), key + ".");
      continue;
    }
    if (!f) throw Error(unknown_key_message(key));
    f->set(config, convert(*f, node));
  }
}

std::string quote(const std::string& text) {
  std::string out = "\"";
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20 || c == 0x7f) {
      out += fmt::format("\\u{:04x}", c);
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

std::string format_value(const Value& value) {
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, bool>) {
          return v ? "true" : "false";
        } else if constexpr (std::is_same_v<T, double>) {
          // Shortest text that reads back to the same double, always with
          // a decimal point or exponent so that TOML sees a float.
          std::string text = fmt::format("{}", v);
          if (text.find_first_of(".eEn") == std::string::npos) text += ".0";
          return text;
        } else if constexpr (std::is_same_v<T, std::string>) {
          return quote(v);
        } else if constexpr (std::is_same_v<T, IntList>) {
          return fmt::format("[{}]", fmt::join(v, ", "));
        } else {
          return fmt::format("{}", v);
        }
      },
      value);
}

std::string section_of(const std::string& key) {
  return key.substr(0, key.rfind('.'));
}

void check(bool ok, const Config& config, const char* key,
           const char* expected) {
  if (ok) return;
  const Field* f = find_field(key);
  throw Error(fmt::format("{} = {}: expected {}", key,
                          format_value(f->get(config)), expected));
}

// Where the first non-ASCII byte of `text` stands outside a string and a
// comment, or npos. TOML allows such bytes only inside those, and toml++
// 3.3 (Debian's) reaches __builtin_unreachable() on some non-ASCII code
// points elsewhere (its is_non_ascii_horizontal_whitespace misses two
// cases), which is undefined behaviour; so they are refused before it sees
// them.
size_t stray_non_ascii(std::string_view text) {
  enum class In { kCode, kComment, kBasic, kLiteral, kBasics, kLiterals };
  In in = In::kCode;
  auto at = [&](size_t i, std::string_view token) {
    return text.substr(i, token.size()) == token;
  };
  // A quote opens a string only where TOML lets a string or a quoted key
  // begin; elsewhere (e.g. "12'") it is part of a bad token, and what
  // follows is code to toml++ too.
  char before = '\n';  // the last character of code, spaces and tabs aside
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in == In::kCode) {
      if (static_cast<unsigned char>(c) >= 0x80) return i;
      const bool opens =
          std::string_view("\n=[{,.").find(before) != std::string_view::npos;
      if (c != ' ' && c != '\t') before = c;
      if (c == '#') {
        in = In::kComment;
      } else if (!opens) {
        continue;
      } else if (at(i, "\"\"\"")) {
        in = In::kBasics;  // multi-line
        i += 2;
      } else if (at(i, "'''")) {
        in = In::kLiterals;
        i += 2;
      } else if (c == '"') {
        in = In::kBasic;
      } else if (c == '\'') {
        in = In::kLiteral;
      }
    } else if (in == In::kComment) {
      if (c == '\n') {
        in = In::kCode;
        before = '\n';
      }
    } else if (in == In::kBasic || in == In::kBasics) {
      const bool multi = in == In::kBasics;
      if (c == '\\') {
        // An escaped character, maybe a quote. toml++ asks whether it is
        // whitespace (a line-ending backslash), and in a multi-line string
        // also of the first character after the whitespace it skips.
        const size_t j =
            multi ? std::min(text.find_first_not_of(" \t\r\n", i + 1),
                             text.size())
                  : i + 1;
        if (j < text.size() && static_cast<unsigned char>(text[j]) >= 0x80) {
          return j;
        }
        // Past the escaped character, or onto what follows the whitespace.
        i = j > i + 1 ? j - 1 : j;
      } else if (multi ? at(i, "\"\"\"") : c == '"' || c == '\n') {
        in = In::kCode;
        before = c;
        if (multi) i += 2;
      }
    } else {
      const bool multi = in == In::kLiterals;
      if (multi ? at(i, "'''") : c == '\'' || c == '\n') {
        in = In::kCode;
        before = c;
        if (multi) i += 2;
      }
    }
  }
  return std::string_view::npos;
}

// toml::parse with gan's errors: "SOURCE:LINE:COL: ...".
toml::table parse_toml(std::string_view text, const std::string& source) {
  if (const size_t bad = stray_non_ascii(text); bad != std::string_view::npos) {
    const auto before = text.substr(0, bad);
    const auto line = std::count(before.begin(), before.end(), '\n') + 1;
    const auto column = bad - (before.rfind('\n') + 1) + 1;
    throw Error(fmt::format(
        "{}:{}:{}: TOML syntax error: a non-ASCII character outside a string "
        "or a comment",
        source, line, column));
  }
  try {
    return toml::parse(text, std::string_view(source));
  } catch (const toml::parse_error& e) {
    throw Error(fmt::format("{}:{}:{}: TOML syntax error: {}", source,
                            e.source().begin.line, e.source().begin.column,
                            e.description()));
  }
}

}  // namespace

Config parse_config(std::string_view toml_text, const std::string& source,
                    const Config& base) {
  const toml::table table = parse_toml(toml_text, source);
  Config config = base;
  try {
    apply_table(config, table, "");
    validate(config);
  } catch (const Error& e) {
    throw Error(fmt::format("{}: {}", source, e.what()));
  }
  return config;
}

Config load_config(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw Error(fmt::format("{}: config file not found", path.string()));
  }
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) throw Error(fmt::format("{}: cannot read", path.string()));
  return parse_config(text.str(), path.string());
}

void apply_override(Config& config, std::string_view assignment) {
  const auto eq = assignment.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    throw Error(fmt::format("override '{}': expected key=value", assignment));
  }
  auto trim = [](std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
      s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
      s.remove_suffix(1);
    return s;
  };
  const std::string key(trim(assignment.substr(0, eq)));
  std::string text(trim(assignment.substr(eq + 1)));
  const Field* f = find_field(key);
  if (!f) throw Error(unknown_key_message(key));

  // Strings may be given bare on a command line: quote them for TOML.
  if (f->type == type_index<std::string>() && !text.starts_with('"')) {
    text = quote(text);
  }
  toml::table table;
  try {
    table = parse_toml("value = " + text, "override");
  } catch (const Error&) {
    throw Error(fmt::format("key '{}': cannot read '{}' as {}", key,
                            assignment.substr(eq + 1), kTypeNames[f->type]));
  }
  f->set(config, convert(*f, *table.get("value")));
}

void validate(const Config& c) {
  auto positive_list = [](const IntList& list) {
    return std::all_of(list.begin(), list.end(),
                       [](int64_t v) { return v >= 1; });
  };
  auto probability = [](double p) { return p > 0.0 && p <= 1.0; };

  check(c.data.train_size >= 1, c, "data.train_size", "an integer >= 1");
  check(!c.data.path.empty(), c, "data.path", "a folder");
  check(c.data.image_size >= 0, c, "data.image_size", "an integer >= 0");
  check(c.data.channels == 0 || c.data.channels == 1 || c.data.channels == 3, c,
        "data.channels", "0, 1 or 3");
  check(c.data.toy_size >= 1, c, "data.toy_size", "an integer >= 1");
  check(c.train.precision == "float32" || c.train.precision == "bf16", c,
        "train.precision", "\"float32\" or \"bf16\"");
  check(c.model.latent_dim >= 1, c, "model.latent_dim", "an integer >= 1");
  check(c.model.dcgan.g_width >= 1, c, "model.dcgan.g_width",
        "an integer >= 1");
  check(c.model.dcgan.d_width >= 1, c, "model.dcgan.d_width",
        "an integer >= 1");
  check(c.model.dcgan.init_std > 0, c, "model.dcgan.init_std", "> 0");
  check(c.loss.gradient_penalty >= 0, c, "loss.gradient_penalty", ">= 0");
  check(c.loss.r1_penalty >= 0, c, "loss.r1_penalty", ">= 0");
  // A gradient penalty is per example; batch norm mixes the examples of a
  // batch, so a critic with it does not have the gradient being penalised.
  check(c.loss.gradient_penalty == 0 ||
            c.model.family != models::ModelFamily::kDcgan ||
            c.model.dcgan.d_norm != models::NormKind::kBatch,
        c, "model.dcgan.d_norm",
        "\"none\" or \"layer\" with a gradient penalty (no batch norm in "
        "the critic)");
  check(positive_list(c.model.mlp.g_hidden), c, "model.mlp.g_hidden",
        "widths >= 1");
  check(c.model.mlp.g_init_range > 0, c, "model.mlp.g_init_range", "> 0");
  check(positive_list(c.model.mlp.d_hidden), c, "model.mlp.d_hidden",
        "widths >= 1");
  check(c.model.mlp.d_pieces >= 1, c, "model.mlp.d_pieces", "an integer >= 1");
  check(c.model.mlp.d_init_range > 0, c, "model.mlp.d_init_range", "> 0");
  check(probability(c.model.mlp.d_input_keep), c, "model.mlp.d_input_keep",
        "a probability in (0, 1]");
  check(probability(c.model.mlp.d_hidden_keep), c, "model.mlp.d_hidden_keep",
        "a probability in (0, 1]");
  check(c.optim.lr > 0, c, "optim.lr", "> 0");
  check(c.optim.lr_decay >= 1, c, "optim.lr_decay", ">= 1 (1: no decay)");
  check(c.optim.lr_min >= 0, c, "optim.lr_min", ">= 0");
  check(c.optim.d_lr >= 0, c, "optim.d_lr", ">= 0 (0: optim.lr)");
  check(c.optim.momentum >= 0 && c.optim.momentum < 1, c, "optim.momentum",
        "a value in [0, 1)");
  check(c.optim.momentum_final >= 0 && c.optim.momentum_final < 1, c,
        "optim.momentum_final", "a value in [0, 1)");
  check(c.optim.momentum_start_epoch >= 0, c, "optim.momentum_start_epoch",
        "an integer >= 0");
  check(c.optim.momentum_saturate_epoch >= c.optim.momentum_start_epoch, c,
        "optim.momentum_saturate_epoch", ">= optim.momentum_start_epoch");
  check(c.optim.beta1 >= 0 && c.optim.beta1 < 1, c, "optim.beta1",
        "a value in [0, 1)");
  check(c.optim.beta2 >= 0 && c.optim.beta2 < 1, c, "optim.beta2",
        "a value in [0, 1)");
  check(c.optim.eps > 0, c, "optim.eps", "> 0");
  check(c.train.epochs >= 1, c, "train.epochs", "an integer >= 1");
  check(c.train.batch_size >= 1, c, "train.batch_size", "an integer >= 1");
  check(c.train.d_steps >= 1, c, "train.d_steps", "an integer >= 1");
  check(c.train.seed >= 0, c, "train.seed", "an integer >= 0");
  check(c.train.max_steps >= 0, c, "train.max_steps", "an integer >= 0");
  check(c.train.threads >= 0, c, "train.threads", "an integer >= 0");
  check(c.train.ema_decay >= 0 && c.train.ema_decay < 1, c, "train.ema_decay",
        "a value in [0, 1)");
  check(c.log.every_steps >= 1, c, "log.every_steps", "an integer >= 1");
  check(c.log.grid_every_epochs >= 0, c, "log.grid_every_epochs",
        "an integer >= 0");
  check(c.log.grid_count >= 1 && c.log.grid_count <= 10000, c, "log.grid_count",
        "1 to 10000");
  check(c.log.checkpoint_every_epochs >= 0, c, "log.checkpoint_every_epochs",
        "an integer >= 0");
  check(c.log.keep_checkpoints >= 1, c, "log.keep_checkpoints",
        "an integer >= 1");
  check(c.eval.every_epochs >= 0, c, "eval.every_epochs", "an integer >= 0");
  check(c.eval.samples >= 10, c, "eval.samples", "an integer >= 10");
  check(c.eval.reference == "train" || c.eval.reference == "validation" ||
            c.eval.reference == "test",
        c, "eval.reference", "train, validation or test");
}

std::string to_toml(const Config& config) {
  std::string out =
      "# gan configuration: every key with its value; see `gan train "
      "--help-config`.\n";
  std::string section;
  for (const auto& f : fields()) {
    const auto s = section_of(f.key);
    if (s != section) {
      out += fmt::format("\n[{}]\n", s);
      section = s;
    }
    out += fmt::format("{} = {}  # {}\n", f.key.substr(s.size() + 1),
                       format_value(f.get(config)), f.doc);
  }
  return out;
}

std::vector<KeyInfo> describe_keys(const Config& config) {
  std::vector<KeyInfo> keys;
  for (const auto& f : fields()) {
    std::string doc = f.doc;
    if (!f.choices.empty()) {
      doc += fmt::format(" ({})", fmt::join(f.choices, " | "));
    }
    keys.push_back({f.key, format_value(f.get(config)), doc});
  }
  return keys;
}

}  // namespace gan::train
