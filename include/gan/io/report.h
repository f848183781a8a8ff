// A run's report for people: one self-contained HTML page (no network, no
// scripts) with the run's summary, its config, charts of the losses, of
// D's outputs and of any periodic evaluation, drawn as inline SVG, and the
// sample grids and figures embedded as PNG data URIs.
#pragma once

#include <filesystem>

#include "gan/io/run_dir.h"

namespace gan::io {

// Writes the report of `run` to `out`, atomically. Reads config.toml,
// metrics.jsonl (unreadable lines, such as one cut short by a crash, are
// skipped and counted), samples/epoch-*.png (at most 12, evenly chosen,
// first and last included), samples/figure1.png and figures/*.png; a
// missing or empty metrics file gives a report that says so. Throws
// gan::Error naming the folder when it does not exist or holds neither
// config.toml nor metrics.jsonl (it is not a run), naming a file that
// cannot be read, or naming `out` when it cannot be written.
void write_report(const RunDir& run, const std::filesystem::path& out);

}  // namespace gan::io
