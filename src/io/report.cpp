// The run report: metrics.jsonl read line by line into series, charts drawn
// as SVG text, pictures embedded as base64, one HTML page written at once.
#include "gan/io/report.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "gan/core/error.h"
#include "gan/core/file.h"
#include "gan/io/svg_chart.h"

namespace gan::io {
namespace fs = std::filesystem;
using nlohmann::json;
namespace {

constexpr size_t kMaxGrids = 12;  // sample grids shown, evenly chosen

// Known evaluation metrics, in the order their charts appear; any other
// numeric member of "eval" follows, by key.
struct EvalMetric {
  const char* key;
  const char* name;
  bool lower_is_better;
};
constexpr EvalMetric kEvalMetrics[] = {
    {"fid", "FID", true},
    {"kid", "KID", true},
    {"precision", "Precision", false},
    {"recall", "Recall", false},
    {"inception_score", "Inception Score", false},
    {"parzen", "Parzen log-likelihood", false},
    {"modes_captured", "Modes captured", false},
    {"high_quality", "High-quality samples", false},
    {"reverse_kl", "Reverse KL", true},
};

const EvalMetric* find_metric(const std::string& key) {
  for (const auto& metric : kEvalMetrics) {
    if (key == metric.key) return &metric;
  }
  return nullptr;
}

// The name people know a metric by ("FID" for "fid").
std::string metric_name(const std::string& key) {
  const auto* metric = find_metric(key);
  return metric ? metric->name : key;
}

std::string metric_title(const std::string& key) {
  const auto* metric = find_metric(key);
  if (!metric) return key;
  return fmt::format("{} ({} is better)", metric->name,
                     metric->lower_is_better ? "lower" : "higher");
}

// `keys` with the known metrics first, in kEvalMetrics' order, then the
// others by name.
std::vector<std::string> display_order(std::vector<std::string> keys) {
  const auto rank = [](const std::string& key) {
    const auto* metric = find_metric(key);
    return metric ? metric - kEvalMetrics : std::ssize(kEvalMetrics);
  };
  std::sort(keys.begin(), keys.end(),
            [&](const std::string& a, const std::string& b) {
              return std::pair(rank(a), a) < std::pair(rank(b), b);
            });
  return keys;
}

constexpr std::string_view kStyle = R"(<style>
body{font:14px/1.45 sans-serif;color:#222;max-width:1160px;margin:24px auto;
padding:0 16px}
h1{font-size:22px;margin-bottom:8px}
h2{font-size:18px;border-bottom:1px solid #ddd;padding-bottom:4px;
margin-top:32px}
h3{font-size:14px;margin:0 0 4px}
table.facts{border-collapse:collapse}
table.facts th{text-align:left;font-weight:normal;color:#666;
padding:2px 16px 2px 0}
.note{color:#666}
pre{background:#f6f8fa;border:1px solid #e4e4e4;padding:12px;
overflow:auto;font-size:12px}
.charts{display:grid;gap:20px;
grid-template-columns:repeat(auto-fill,minmax(460px,1fr))}
svg.chart{width:100%;height:auto;display:block}
svg.chart text{font:11px sans-serif;fill:#444}
svg.chart text.legend{fill:#222}
.pictures{display:grid;gap:16px;
grid-template-columns:repeat(auto-fill,minmax(240px,1fr))}
.pictures.wide{grid-template-columns:1fr}
figure{margin:0}
figure img{width:100%;image-rendering:pixelated;border:1px solid #ddd}
.wide figure{justify-self:start}
.wide figure img{width:auto;max-width:100%}
figcaption{font-size:12px;color:#555;text-align:center}
</style>
)";

// What metrics.jsonl holds: its objects with a numeric "step", in order.
struct Metrics {
  bool found = false;
  std::vector<json> records;
  int64_t skipped = 0;  // non-blank lines that are not such an object
};

Metrics read_metrics(const fs::path& path) {
  Metrics metrics;
  std::error_code ec;
  if (!fs::exists(path, ec)) return metrics;
  metrics.found = true;

  const auto bytes = read_file(path);
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()),
                              bytes.size());
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const auto line = text.substr(start, end - start);
    start = end + 1;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;

    // A crash can cut the last line short; such lines are skipped.
    auto record = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (record.is_object() && record.contains("step") &&
        record.at("step").is_number()) {
      metrics.records.push_back(std::move(record));
    } else {
      ++metrics.skipped;
    }
  }
  return metrics;
}

// `value` as a number: NaN for null (how nlohmann-json writes NaN and
// infinities), nothing when it is not a number.
std::optional<double> as_number(const json& value) {
  if (value.is_null()) return std::numeric_limits<double>::quiet_NaN();
  if (value.is_number()) return value.get<double>();
  return std::nullopt;
}

// `object[key]` as a number; nothing when absent.
std::optional<double> number_at(const json& object, const std::string& key) {
  const auto it = object.find(key);
  return it == object.end() ? std::nullopt : as_number(*it);
}

ChartSeries training_series(const Metrics& metrics, const std::string& key,
                            std::string label) {
  ChartSeries series{std::move(label), {}};
  for (const auto& record : metrics.records) {
    if (const auto value = number_at(record, key)) {
      series.points.push_back({record.at("step").get<double>(), *value});
    }
  }
  return series;
}

// Every numeric member of the records' "eval" objects, by metric name.
std::map<std::string, ChartSeries> eval_series(const Metrics& metrics) {
  std::map<std::string, ChartSeries> by_name;
  for (const auto& record : metrics.records) {
    const auto eval = record.find("eval");
    if (eval == record.end() || !eval->is_object()) continue;
    for (const auto& [name, value] : eval->items()) {
      if (const auto number = as_number(value)) {
        auto& series = by_name[name];
        series.label = name;
        series.points.push_back({record.at("step").get<double>(), *number});
      }
    }
  }
  return by_name;
}

std::string base64(const std::vector<uint8_t>& bytes) {
  static constexpr char kDigits[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (size_t i = 0; i < bytes.size(); i += 3) {
    const size_t n = std::min<size_t>(3, bytes.size() - i);
    uint32_t group = uint32_t{bytes[i]} << 16;
    if (n > 1) group |= uint32_t{bytes[i + 1]} << 8;
    if (n > 2) group |= bytes[i + 2];
    out += kDigits[(group >> 18) & 63];
    out += kDigits[(group >> 12) & 63];
    out += n > 1 ? kDigits[(group >> 6) & 63] : '=';
    out += n > 2 ? kDigits[group & 63] : '=';
  }
  return out;
}

// A number for people: 4 significant digits, large ones (images/s) whole,
// NaN and infinities in words.
std::string format_value(double value) {
  if (std::isnan(value)) return "not a number";
  if (std::isinf(value)) return value > 0 ? "infinite" : "-infinite";
  if (std::abs(value) >= 1e4 && std::abs(value) < 1e15) {
    return fmt::format("{:.0f}", value);
  }
  return fmt::format("{:.4g}", value);
}

// A chart of `series` against step under the heading `title`.
std::string chart(const std::string& title,
                  const std::vector<ChartSeries>& series) {
  return fmt::format("<div class=\"panel\"><h3>{}</h3>\n{}</div>\n",
                     escape_html(title), svg_line_chart(series, "step", title));
}

bool is_png(const std::vector<uint8_t>& bytes) {
  static constexpr uint8_t kSignature[] = {0x89, 'P',  'N',  'G',
                                           '\r', '\n', 0x1a, '\n'};
  return bytes.size() >= sizeof(kSignature) &&
         std::equal(std::begin(kSignature), std::end(kSignature),
                    bytes.begin());
}

// `path` as an <img> with a data URI, captioned; a file that is not a PNG
// is named instead.
std::string picture(const fs::path& path, const std::string& caption) {
  const auto bytes = read_file(path);
  if (!is_png(bytes)) {
    return fmt::format(
        "<figure><figcaption>{}: not a PNG file, left out</figcaption>"
        "</figure>\n",
        escape_html(caption));
  }
  return fmt::format(
      "<figure><img src=\"data:image/png;base64,{}\" alt=\"{}\">"
      "<figcaption>{}</figcaption></figure>\n",
      base64(bytes), escape_html(caption), escape_html(caption));
}

// samples/epoch-NNNN.png, by epoch.
std::vector<std::pair<int64_t, fs::path>> sample_grids(const RunDir& run) {
  std::vector<std::pair<int64_t, fs::path>> grids;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(run.samples_dir(), ec)) {
    const auto name = entry.path().filename().string();
    if (!entry.is_regular_file(ec) || !name.starts_with("epoch-") ||
        !name.ends_with(".png")) {
      continue;
    }
    const std::string_view digits(name.data() + 6, name.size() - 10);
    int64_t epoch = 0;
    const auto [end, error] =
        std::from_chars(digits.data(), digits.data() + digits.size(), epoch);
    if (error == std::errc() && end == digits.data() + digits.size()) {
      grids.emplace_back(epoch, entry.path());
    }
  }
  std::sort(grids.begin(), grids.end());
  return grids;
}

// `count` of the indices 0..n-1, evenly spread, first and last included
// (all of them when n <= count).
std::vector<size_t> evenly_chosen(size_t n, size_t count) {
  std::vector<size_t> chosen;
  if (n <= count) {
    for (size_t i = 0; i < n; ++i) chosen.push_back(i);
    return chosen;
  }
  // n - 1 >= count, so rounded positions never repeat.
  for (size_t i = 0; i < count; ++i) {
    chosen.push_back((i * (n - 1) + (count - 1) / 2) / (count - 1));
  }
  return chosen;
}

// samples/figure1.png, then figures/*.png by name.
std::vector<fs::path> figure_files(const RunDir& run) {
  std::vector<fs::path> files;
  std::error_code ec;
  const auto figure1 = run.samples_dir() / "figure1.png";
  if (fs::is_regular_file(figure1, ec)) files.push_back(figure1);
  std::vector<fs::path> others;
  for (const auto& entry : fs::directory_iterator(run.figures_dir(), ec)) {
    if (entry.is_regular_file(ec) && entry.path().extension() == ".png") {
      others.push_back(entry.path());
    }
  }
  std::sort(others.begin(), others.end());
  files.insert(files.end(), others.begin(), others.end());
  return files;
}

std::string run_name(const fs::path& root) {
  std::error_code ec;
  auto path = fs::absolute(root, ec).lexically_normal();
  if (!path.has_filename()) path = path.parent_path();
  return path.filename().string();
}

const json* last_with(const Metrics& metrics, const char* key) {
  for (auto it = metrics.records.rbegin(); it != metrics.records.rend(); ++it) {
    if (it->contains(key)) return &*it;
  }
  return nullptr;
}

void add_fact(std::string& rows, const std::string& name,
              const std::string& value) {
  rows += fmt::format("<tr><th>{}</th><td>{}</td></tr>\n", escape_html(name),
                      escape_html(value));
}

// The heading and a table of the latest values: step, epoch, losses, D's
// outputs, speed, the latest evaluation.
std::string summary_section(const RunDir& run, const Metrics& metrics) {
  std::string html =
      fmt::format("<h1>Run {}</h1>\n", escape_html(run_name(run.root())));
  if (!metrics.found || metrics.records.empty()) {
    html += fmt::format(
        "<p class=\"note\">No metrics logged: metrics.jsonl {}.</p>\n",
        metrics.found ? "holds no readable lines" : "is missing");
    return html;
  }

  std::string rows;
  const auto& last = metrics.records.back();
  add_fact(rows, "last step", last.at("step").dump());
  if (last.contains("epoch")) {
    add_fact(rows, "epoch (from 0)", last.at("epoch").dump());
  }
  if (const auto* train = last_with(metrics, "loss_d")) {
    const std::pair<const char*, const char*> facts[] = {
        {"loss_d", "loss_D"},
        {"loss_g", "loss_G"},
        {"d_real", "D(x)"},
        {"d_fake", "D(G(z))"},
        {"images_per_second", "images/s"}};
    for (const auto& [key, name] : facts) {
      if (const auto value = number_at(*train, key)) {
        add_fact(rows, name, format_value(*value));
      }
    }
  }
  if (const auto* record = last_with(metrics, "eval");
      record && record->at("eval").is_object()) {
    const auto& eval = record->at("eval");
    std::vector<std::string> keys;
    for (const auto& [key, value] : eval.items()) keys.push_back(key);
    for (const auto& key : display_order(keys)) {
      if (const auto number = as_number(eval.at(key))) {
        add_fact(rows,
                 fmt::format("{} at step {}", metric_name(key),
                             record->at("step").dump()),
                 format_value(*number));
      }
    }
  }
  add_fact(rows, "logged lines", std::to_string(metrics.records.size()));
  html += "<table class=\"facts\">\n" + rows + "</table>\n";
  if (metrics.skipped > 0) {
    html += fmt::format(
        "<p class=\"note\">{} unreadable line(s) of metrics.jsonl "
        "skipped.</p>\n",
        metrics.skipped);
  }
  return html;
}

std::string training_section(const Metrics& metrics) {
  std::string html = "<h2>Training</h2>\n";
  if (last_with(metrics, "loss_d") == nullptr) {
    return html + "<p class=\"note\">No training lines logged yet.</p>\n";
  }
  html += "<div class=\"charts\">\n";
  html += chart("Losses", {training_series(metrics, "loss_d", "loss_D"),
                           training_series(metrics, "loss_g", "loss_G")});
  html += chart("Discriminator outputs",
                {training_series(metrics, "d_real", "D(x)"),
                 training_series(metrics, "d_fake", "D(G(z))")});
  return html + "</div>\n";
}

// One chart per evaluation metric; nothing when no line holds "eval".
std::string eval_section(const Metrics& metrics) {
  const auto by_name = eval_series(metrics);
  if (by_name.empty()) return "";
  std::string html = "<h2>Evaluation</h2>\n<div class=\"charts\">\n";
  std::vector<std::string> keys;
  for (const auto& [key, series] : by_name) keys.push_back(key);
  for (const auto& key : display_order(keys)) {
    auto series = by_name.at(key);
    series.label = metric_name(key);
    html += chart(metric_title(key), {series});
  }
  return html + "</div>\n";
}

std::string samples_section(const RunDir& run) {
  std::string html = "<h2>Samples</h2>\n";
  const auto grids = sample_grids(run);
  if (grids.empty()) {
    return html + "<p class=\"note\">No sample grids yet.</p>\n";
  }
  const auto chosen = evenly_chosen(grids.size(), kMaxGrids);
  html += fmt::format(
      "<p class=\"note\">From one fixed noise batch after each epoch (epoch "
      "0: before training); {} of {} shown.</p>\n<div class=\"pictures\">\n",
      chosen.size(), grids.size());
  for (const size_t i : chosen) {
    html += picture(grids[i].second, fmt::format("epoch {}", grids[i].first));
  }
  return html + "</div>\n";
}

std::string figures_section(const RunDir& run) {
  const auto files = figure_files(run);
  if (files.empty()) return "";
  std::string html = "<h2>Figures</h2>\n<div class=\"pictures wide\">\n";
  for (const auto& file : files) {
    html += picture(file, file.filename().string());
  }
  return html + "</div>\n";
}

std::string config_section(const RunDir& run) {
  std::string html = "<h2>Config</h2>\n";
  std::error_code ec;
  if (!fs::exists(run.config_file(), ec)) {
    return html + "<p class=\"note\">config.toml is missing.</p>\n";
  }
  const auto bytes = read_file(run.config_file());
  return html + "<pre>" +
         escape_html(std::string_view(
             reinterpret_cast<const char*>(bytes.data()), bytes.size())) +
         "</pre>\n";
}

}  // namespace

void write_report(const RunDir& run, const fs::path& out) {
  std::error_code ec;
  if (!fs::is_directory(run.root(), ec)) {
    throw Error(fmt::format("{}: run folder not found", run.root().string()));
  }
  if (!fs::exists(run.config_file(), ec) &&
      !fs::exists(run.metrics_file(), ec)) {
    throw Error(fmt::format(
        "{}: not a run folder (expected config.toml or metrics.jsonl in it)",
        run.root().string()));
  }

  const auto metrics = read_metrics(run.metrics_file());
  std::string html = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<title>gan report: {}</title>\n{}</head>\n<body>\n",
      escape_html(run_name(run.root())), kStyle);
  html += summary_section(run, metrics);
  if (!metrics.records.empty()) {
    html += training_section(metrics);
    html += eval_section(metrics);
  }
  html += samples_section(run);
  html += figures_section(run);
  html += config_section(run);
  html += "</body>\n</html>\n";
  write_file_atomic(out, html);
}

}  // namespace gan::io
