#include "gan/io/run_dir.h"

#include <gtest/gtest.h>

#include "gan/core/error.h"
#include "test_util.h"

namespace gan::io {
namespace {

using testing::TempDir;
namespace fs = std::filesystem;

TEST(RunDirTest, CreateLaysOutTheFolderAndRefusesToOverwriteARun) {
  TempDir dir;
  auto run = RunDir::create(dir / "run");
  EXPECT_TRUE(fs::is_directory(run.samples_dir()));
  EXPECT_TRUE(fs::is_directory(run.checkpoints_dir()));
  EXPECT_EQ(run.grid_file(3).filename(), "epoch-0003.png");
  testing::write_bytes(run.config_file(), "x");
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
  auto run = RunDir::create(dir / "run");
  EXPECT_THROW(RunDir::open(dir / "run"), Error);
  EXPECT_THROW(RunDir::open(dir / "absent"), Error);
  testing::write_bytes(run.latest_checkpoint(), "x");
  EXPECT_NO_THROW(RunDir::open(dir / "run"));
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
