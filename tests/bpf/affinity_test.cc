// sessionAffinity: ClientIP. A new flow from a client that had a backend within the
// timeout goes back to it, whatever the Maglev table now says; after the timeout, or
// from another client, the table decides.
#include <gtest/gtest.h>

#include <ctime>

#include "bpf/service_fixture.h"

namespace sluice::bpftest {
namespace {

constexpr uint32_t kTimeoutSeconds = 10;

// bpf_ktime_get_ns() is CLOCK_MONOTONIC.
uint64_t MonotonicNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1'000'000'000 + uint64_t(ts.tv_nsec);
}

class AffinityTest : public ServiceTest {
 protected:
  // Backends 1 and 2 exist; the first flow lands on 1, then the table names only 2.
  void FirstFlowOnBackend1ThenTableMovesTo2() {
    state().PutBackend(Backend(1, t.remote_backend));
    state().PutBackend(Backend(2, t.remote_backend2));
    ServiceSpec svc = NodePort({1}, LB_SVC_F_AFFINITY);
    svc.affinity_timeout = kTimeoutSeconds;
    state().PutService(svc);
    ASSERT_EQ(Decode(RunHook(Request().Build()).out).dst, t.remote_backend) << TablesSeen();
    ASSERT_TRUE(state().Affinity(kSvcId, t.client)) << "no affinity recorded; " << TablesSeen();
    svc.backends = {2};
    state().PutService(svc);
  }
  static constexpr uint16_t kSecondFlowPort = Topology::kClientPort + 100;
};

TEST_P(AffinityTest, NewFlowWithinTheTimeoutReturnsToTheClientsBackend) {
  FirstFlowOnBackend1ThenTableMovesTo2();

  const RunResult r = RunHook(Request(kSecondFlowPort).Build());

  EXPECT_EQ(Decode(r.out).dst, t.remote_backend) << Decode(r.out).Describe();
  EXPECT_EQ(state().Counter("fwd_affinity"), 1u) << state().NonZeroCounters();
}

TEST_P(AffinityTest, NewFlowAfterTheTimeoutFollowsTheTable) {
  FirstFlowOnBackend1ThenTableMovesTo2();
  // The client's last new flow was a moment longer ago than the timeout.
  affinity_entry aged = *state().Affinity(kSvcId, t.client);
  aged.last_used_ns = MonotonicNs() - (kTimeoutSeconds + 1) * 1'000'000'000ull;
  state().PutAffinity(kSvcId, t.client, aged);

  const RunResult r = RunHook(Request(kSecondFlowPort).Build());

  EXPECT_EQ(Decode(r.out).dst, t.remote_backend2) << Decode(r.out).Describe();
  EXPECT_EQ(state().Counter("fwd_affinity"), 0u) << state().NonZeroCounters();
  EXPECT_EQ(state().Affinity(kSvcId, t.client)->backend_id, 2u) << "affinity not renewed";
}

TEST_P(AffinityTest, AnotherClientFollowsTheTable) {
  FirstFlowOnBackend1ThenTableMovesTo2();

  PacketBuilder other = Request(kSecondFlowPort);
  other.Ip(t.other_client, t.node);
  const RunResult r = RunHook(other.Build());

  EXPECT_EQ(Decode(r.out).dst, t.remote_backend2) << Decode(r.out).Describe();
}

// Affinity names a backend, not a promise: once it is deleted the table decides.
TEST_P(AffinityTest, DeletedBackendIsNotReturnedTo) {
  FirstFlowOnBackend1ThenTableMovesTo2();
  state().DeleteBackend(1);

  const RunResult r = RunHook(Request(kSecondFlowPort).Build());

  EXPECT_EQ(Decode(r.out).dst, t.remote_backend2) << Decode(r.out).Describe();
}

INSTANTIATE_TEST_SUITE_P(Paths, AffinityTest, ::testing::ValuesIn(Paths()), PathName);

}  // namespace
}  // namespace sluice::bpftest
