// loadBalancerSourceRanges (LB_SVC_F_SOURCE_RANGES with prefixes in sluice_srcrange):
// clients inside a range are served, others dropped before anything is recorded.
#include <gtest/gtest.h>

#include "bpf/service_fixture.h"

namespace sluice::bpftest {
namespace {

class SourceRangeTest : public ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    if (IsSkipped() || HasFailure()) return;
    state().PutBackend(Backend(1, t.local_backend, LB_BE_F_LOCAL));
    state().PutService(NodePort({1}, LB_SVC_F_SOURCE_RANGES));
  }
  // The client's prefix: 198.18.0.0/28 or fd00:18::10/124 holds client, not other_client.
  uint32_t ClientPrefixLen() const { return t.v6 ? 124 : 28; }
};

TEST_P(SourceRangeTest, ClientInsideARangeIsServed) {
  state().AddSourceRange(kSvcId, t.client, ClientPrefixLen());

  const RunResult r = RunHook(Request().Build());

  EXPECT_EQ(r.verdict, Verdict::kPass) << TablesSeen();
  EXPECT_EQ(Decode(r.out).dst, t.local_backend) << Decode(r.out).Describe();
  EXPECT_EQ(state().Counter("drop_source_range"), 0u) << state().NonZeroCounters();
}

TEST_P(SourceRangeTest, ClientOutsideEveryRangeIsDropped) {
  state().AddSourceRange(kSvcId, t.client, ClientPrefixLen());

  PacketBuilder outsider = Request();
  outsider.Ip(t.other_client, t.node);
  const RunResult r = RunHook(outsider.Build());

  EXPECT_EQ(r.verdict, Verdict::kDrop) << Decode(r.out).Describe();
  EXPECT_EQ(state().Counter("drop_source_range"), 1u) << state().NonZeroCounters();
  EXPECT_EQ(state().Entries(SLUICE_MAP_CT) + state().Entries(SLUICE_MAP_NAT), 0u) << TablesSeen();
}

// Ranges belong to a service: another service's range lets nobody in here.
TEST_P(SourceRangeTest, AnotherServicesRangeDoesNotApply) {
  state().AddSourceRange(kSvcId + 1, t.client, ClientPrefixLen());

  const RunResult r = RunHook(Request().Build());

  EXPECT_EQ(r.verdict, Verdict::kDrop) << Decode(r.out).Describe();
  EXPECT_EQ(state().Counter("drop_source_range"), 1u) << state().NonZeroCounters();
}

INSTANTIATE_TEST_SUITE_P(Paths, SourceRangeTest, ::testing::ValuesIn(Paths()), PathName);

}  // namespace
}  // namespace sluice::bpftest
