#include "gan/io/metrics_log.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace gan::io {
namespace {

TEST(MetricsLogTest, AppendsOneLinePerRecord) {
  testing::TempDir dir;
  {
    MetricsLog log(dir / "m.jsonl");
    log.append(R"({"step":1})");
    log.append(R"({"step":2})");
  }
  MetricsLog again(dir / "m.jsonl");
  again.append(R"({"step":3})");
  EXPECT_EQ(testing::read_bytes(dir / "m.jsonl"),
            "{\"step\":1}\n{\"step\":2}\n{\"step\":3}\n");
}

TEST(MetricsLogTest, TruncationDropsLaterStepsAndBrokenLines) {
  testing::TempDir dir;
  testing::write_bytes(dir / "m.jsonl",
                       "{\"step\":100,\"loss\":1}\n"
                       "{\"event\":\"note\"}\n"
                       "{\"step\":200}\n"
                       "{\"step\":300}\n"
                       "{\"step\":40");  // cut short by a crash
  MetricsLog::truncate_after_step(dir / "m.jsonl", 200);
  EXPECT_EQ(testing::read_bytes(dir / "m.jsonl"),
            "{\"step\":100,\"loss\":1}\n{\"event\":\"note\"}\n{\"step\":200}\n");
  EXPECT_NO_THROW(MetricsLog::truncate_after_step(dir / "none.jsonl", 5));
}

}  // namespace
}  // namespace gan::io
