// The runner's timing with a fake clock: a change after a quiet period runs at once,
// bursts are spaced by min_interval, a full resync comes every max_interval, a failed
// sync is retried.
#include "proxy/sync_runner.h"

#include <gtest/gtest.h>

#include <vector>

namespace sluice::proxy {
namespace {

using namespace std::chrono_literals;

struct Harness {
  FakeClock clock;
  std::vector<SyncReason> runs;
  bool succeed = true;
  SyncRunner runner{[this](SyncReason r) {
                      runs.push_back(r);
                      return succeed;
                    },
                    {1s, 30s, 5s},
                    clock};
};

TEST(SyncRunnerTest, NothingRunsBeforeTheFirstRequest) {
  Harness h;
  h.clock.Advance(1h);
  EXPECT_FALSE(h.runner.RunIfDue());
}

TEST(SyncRunnerTest, AChangeAfterAQuietPeriodRunsAtOnce) {
  Harness h;
  h.runner.Request();
  EXPECT_TRUE(h.runner.RunIfDue());
  h.clock.Advance(2s);
  h.runner.Request();
  EXPECT_EQ(h.runner.TimeToNext(), 0s);
  EXPECT_TRUE(h.runner.RunIfDue());
  EXPECT_EQ(h.runs, (std::vector<SyncReason>{SyncReason::kChanges, SyncReason::kChanges}));
}

TEST(SyncRunnerTest, BurstsAreSpacedByTheMinimumInterval) {
  Harness h;
  h.runner.Request();
  ASSERT_TRUE(h.runner.RunIfDue());
  h.clock.Advance(100ms);
  h.runner.Request();
  EXPECT_FALSE(h.runner.RunIfDue());
  EXPECT_EQ(h.runner.TimeToNext(), 900ms);
  h.clock.Advance(900ms);
  EXPECT_TRUE(h.runner.RunIfDue());
}

TEST(SyncRunnerTest, AFullResyncComesEveryMaxInterval) {
  Harness h;
  h.runner.Request();
  ASSERT_TRUE(h.runner.RunIfDue());
  h.clock.Advance(29s);
  EXPECT_FALSE(h.runner.RunIfDue());
  h.clock.Advance(1s);
  EXPECT_TRUE(h.runner.RunIfDue());
  EXPECT_EQ(h.runs.back(), SyncReason::kPeriodic);
}

TEST(SyncRunnerTest, AFailedSyncIsRetried) {
  Harness h;
  h.succeed = false;
  h.runner.Request();
  ASSERT_TRUE(h.runner.RunIfDue());
  h.succeed = true;
  h.clock.Advance(4s);
  EXPECT_FALSE(h.runner.RunIfDue());
  h.clock.Advance(1s);
  EXPECT_TRUE(h.runner.RunIfDue());
  EXPECT_EQ(h.runs.back(), SyncReason::kRetry);
}

}  // namespace
}  // namespace sluice::proxy
