#include "gan/io/run_dir.h"

#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "gan/core/error.h"
#include "gan/io/checkpoint.h"
#include "test_util.h"

namespace gan::io {
namespace {

using testing::TempDir;
namespace fs = std::filesystem;

std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

using testing::contains;

// A valid checkpoint file whose header records `step`.
void write_valid(const fs::path& path, int64_t step) {
  write_checkpoint(path, "{\"step\": " + std::to_string(step) + "}",
                   {{"weights", torch::full({4}, static_cast<double>(step))}});
}

TEST(RunDirTest, CreateLaysOutTheFolderAndRefusesToOverwriteARun) {
  TempDir dir;
  {
    auto run = RunDir::create(dir / "run");
    EXPECT_TRUE(fs::is_directory(run.samples_dir()));
    EXPECT_TRUE(fs::is_directory(run.checkpoints_dir()));
    EXPECT_EQ(run.grid_file(3).filename(), "epoch-0003.png");
    testing::write_bytes(run.config_file(), "x");
  }
  try {
    RunDir::create(dir / "run");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("--resume"), std::string::npos);
  }
}

TEST(RunDirTest, CreateFailsWhereAFolderCannotBe) {
  TempDir dir;
  testing::write_bytes(dir / "file", "x");
  EXPECT_THROW(RunDir::create(dir / "file" / "run"), Error);
}

TEST(RunDirTest, PublishLinksLatestAndKeepsTheNewest) {
  TempDir dir;
  auto run = RunDir::create(dir / "run");
  for (int64_t step : {100, 200, 300, 400}) {
    testing::write_bytes(run.step_checkpoint(step), std::to_string(step));
    run.publish_checkpoint(run.step_checkpoint(step), /*keep=*/2);
    EXPECT_EQ(testing::read_bytes(run.latest_checkpoint()),
              std::to_string(step));
  }
  const auto kept = run.step_checkpoints();
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_EQ(kept[0], run.step_checkpoint(300));
  EXPECT_EQ(kept[1], run.step_checkpoint(400));
}

TEST(RunDirTest, OpenNeedsACheckpoint) {
  TempDir dir;
  const auto latest = RunDir::create(dir / "run").latest_checkpoint();
  EXPECT_THROW(RunDir::open(dir / "run"), Error);
  EXPECT_THROW(RunDir::open(dir / "absent"), Error);
  testing::write_bytes(latest, "x");
  EXPECT_NO_THROW(RunDir::open(dir / "run"));
  // Step checkpoints alone are enough: latest.ckpt is rebuilt from them.
  fs::remove(latest);
  testing::write_bytes(dir / "run" / "checkpoints" / "step-000000005.ckpt",
                       "x");
  EXPECT_NO_THROW(RunDir::open(dir / "run"));
}

TEST(RunDirTest, ALockedFolderIsRefusedUntilItsHolderGoes) {
  TempDir dir;
  {
    auto run = RunDir::create(dir / "run");
    testing::write_bytes(run.latest_checkpoint(), "x");
    const auto message = error_of([&] { RunDir::open(dir / "run"); });
    EXPECT_TRUE(contains(message, "another gan process")) << message;
    EXPECT_TRUE(contains(message, std::to_string(::getpid()))) << message;
    // Moving the RunDir moves the lock with it.
    RunDir moved = std::move(run);
    EXPECT_FALSE(error_of([&] { RunDir::open(dir / "run"); }).empty());
  }
  EXPECT_NO_THROW(RunDir::open(dir / "run"));
}

TEST(RunDirTest, TheLockDiesWithItsProcess) {
  TempDir dir;
  testing::write_bytes(RunDir::create(dir / "run").latest_checkpoint(), "x");
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // Holds the lock until killed.
    auto held = RunDir::open(dir / "run");
    (void)!::write(ready[1], "k", 1);
    ::pause();
    ::_exit(0);
  }
  char byte = 0;
  ASSERT_EQ(::read(ready[0], &byte, 1), 1);
  EXPECT_TRUE(contains(error_of([&] { RunDir::open(dir / "run"); }),
                       std::to_string(child)));
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  ::close(ready[0]);
  ::close(ready[1]);
  EXPECT_NO_THROW(RunDir::open(dir / "run"));
}

TEST(RunDirTest, OpenRemovesTemporariesThatAKilledWriterLeft) {
  TempDir dir;
  const auto run_root = dir / "run";
  testing::write_bytes(RunDir::create(run_root).latest_checkpoint(), "x");
  const fs::path stale[] = {
      run_root / "metrics.jsonl.tmp0badf00d",
      run_root / "checkpoints" / "latest.ckpt.tmp",
      run_root / "samples" / "epoch-0001.png.tmp12345678"};
  for (const auto& path : stale) testing::write_bytes(path, "partial");
  // Not ours: kept.
  testing::write_bytes(run_root / "notes.tmpl", "mine");
  const auto run = RunDir::open(run_root);
  for (const auto& path : stale) EXPECT_FALSE(fs::exists(path)) << path;
  EXPECT_TRUE(fs::exists(run_root / "notes.tmpl"));
}

TEST(RunDirTest, NewestGoodCheckpointSkipsAndMovesAsideBrokenOnes) {
  TempDir dir;
  auto run = RunDir::create(dir / "run");
  for (int64_t step : {5, 10, 15}) {
    write_valid(run.step_checkpoint(step), step);
    run.publish_checkpoint(run.step_checkpoint(step), /*keep=*/3);
  }
  std::vector<std::string> warnings;
  const auto warn = [&](const std::string& w) { warnings.push_back(w); };
  EXPECT_EQ(run.newest_good_checkpoint(warn), run.latest_checkpoint());
  EXPECT_TRUE(warnings.empty());

  // latest.ckpt and step 15 are one file: one flipped byte breaks both.
  auto bytes = testing::read_bytes(run.latest_checkpoint());
  bytes[bytes.size() / 2] ^= 0x01;
  testing::write_bytes(run.step_checkpoint(15), bytes);
  EXPECT_EQ(run.newest_good_checkpoint(warn), run.step_checkpoint(10));
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_TRUE(contains(warnings[0], "latest.ckpt")) << warnings[0];
  EXPECT_TRUE(contains(warnings[0], "corrupt")) << warnings[0];
  EXPECT_TRUE(fs::exists(run.checkpoints_dir() / "latest.ckpt.corrupt"));
  EXPECT_TRUE(fs::exists(run.step_checkpoint(15).string() + ".corrupt"));
  EXPECT_EQ(run.step_checkpoints().size(), 2u);

  // A truncated one is skipped the same way; with none left it says so.
  for (int64_t step : {5, 10}) {
    testing::write_bytes(run.step_checkpoint(step), "GANCKPT\n");
  }
  const auto message = error_of([&] { run.newest_good_checkpoint(warn); });
  EXPECT_TRUE(contains(message, "no valid checkpoint")) << message;
}

TEST(RunDirTest, AtOnlyNamesTheFolder) {
  TempDir dir;
  const auto run = RunDir::at(dir / "absent");
  EXPECT_FALSE(fs::exists(dir / "absent"));
  EXPECT_EQ(run.config_file(), dir / "absent" / "config.toml");
  EXPECT_EQ(run.figures_dir(), dir / "absent" / "figures");
  EXPECT_EQ(run.report_file(), dir / "absent" / "report.html");
}

TEST(RunDirTest, CheckpointArgumentsResolveFilesAndFolders) {
  TempDir dir;
  auto run = RunDir::create(dir / "run");
  testing::write_bytes(run.latest_checkpoint(), "x");
  EXPECT_EQ(resolve_checkpoint(dir / "run"), run.latest_checkpoint());
  EXPECT_EQ(resolve_checkpoint(run.latest_checkpoint()),
            run.latest_checkpoint());
  EXPECT_THROW(resolve_checkpoint(dir / "missing.ckpt"), Error);
  EXPECT_THROW(resolve_checkpoint(dir.path()), Error);
}

}  // namespace
}  // namespace gan::io
