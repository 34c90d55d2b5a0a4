// The malformed-packet corpus (malformed_corpus.h) through XDP, tc ingress and tc
// egress, with NodePort services for TCP and UDP in both families that would
// translate (and SNAT) any frame misread as theirs. Every frame must pass untouched,
// be counted under a pass reason, and leave no conntrack, NAT or affinity entry.
#include <gtest/gtest.h>
#include <netinet/in.h>

#include <iostream>

#include "bpf/datapath_fixture.h"
#include "bpf/malformed_corpus.h"

namespace sluice::bpftest {
namespace {

// BPF_PROG_TEST_RUN itself refuses (EINVAL) frames shorter than an Ethernet header
// and, for skb programs, frames shorter than the IP header their ethertype announces
// (it pulls it before the program runs). Those frames cannot be tested at that hook;
// nothing else may be refused.
bool TestRunMayRefuse(Hook hook, const Frame& f) {
  if (f.size() < 14) return true;
  if (hook == Hook::kXdp) return false;
  const uint16_t type = static_cast<uint16_t>(f[12] << 8 | f[13]);
  return (type == 0x0800 && f.size() < 14 + 20) || (type == 0x86dd && f.size() < 14 + 40);
}

constexpr const char* kPassReasons[] = {"pass_not_ip", "pass_fragment", "pass_malformed",
                                        "pass_not_service", "pass_other_l4"};

class MalformedTest : public DatapathTest, public ::testing::WithParamInterface<Hook> {
 protected:
  void SetUp() override {
    DatapathTest::SetUp();
    if (IsSkipped() || HasFailure()) return;
    SetUpServices();
  }

  void SetUpServices() {
    state().PutConfig(Topology(false).node, Topology(true).node, 61000, 61099);
    uint32_t id = 1;
    for (bool v6 : {false, true}) {
      const Topology t(v6);
      for (uint8_t proto : {IPPROTO_TCP, IPPROTO_UDP}) {
        state().PutBackend(BackendSpec{id, t.remote_backend, Topology::kBackendPort, proto, 0});
        ServiceSpec svc;
        svc.id = id;
        svc.addr = t.node;
        svc.port = Topology::kNodePort;
        svc.proto = proto;
        svc.flags = LB_SVC_F_AFFINITY;  // so that a misread would touch that map too
        svc.affinity_timeout = 60;
        svc.backends = {id};
        svc.maglev_offset = 16 * id;
        state().PutService(svc);
        ++id;
      }
    }
  }

  size_t StateEntries() {
    return state().Entries(SLUICE_MAP_CT) + state().Entries(SLUICE_MAP_NAT) +
           state().Entries(SLUICE_MAP_AFFINITY);
  }

  uint64_t PassCount() {
    uint64_t n = 0;
    for (const char* c : kPassReasons) n += state().Counter(c);
    return n;
  }
};

TEST_P(MalformedTest, EveryFramePassesUntouchedAndLeavesNoState) {
  const auto corpus = MalformedCorpus();
  size_t clean = 0, refused = 0;
  std::vector<std::string> failures;
  for (const CorpusFrame& c : corpus) {
    const auto r = TryRun(GetParam(), c.frame);
    std::string problem;
    if (!r) {
      if (TestRunMayRefuse(GetParam(), c.frame)) {
        ++refused;
        continue;
      }
      problem = "refused by BPF_PROG_TEST_RUN";
    } else if (r->verdict != Verdict::kPass) {
      problem = "verdict " + ToString(r->verdict);
    } else if (auto same = SameFrame(r->out, c.frame); !same) {
      problem = std::string("modified: ") + same.message();
    }
    if (StateEntries() > 0) {
      problem += (problem.empty() ? "" : "; ") + TablesSeen();
      state().Reset();  // the next frame starts clean again
      SetUpServices();
    }
    if (problem.empty())
      ++clean;
    else
      failures.push_back(c.name + ": " + problem);
  }
  std::string first;
  for (size_t i = 0; i < failures.size() && i < 15; ++i) first += "\n  " + failures[i];
  EXPECT_EQ(clean + refused, corpus.size())
      << failures.size() << " of " << corpus.size() << " frames were translated, dropped or "
      << "left state; the first ones:" << first;
  std::cout << "[   SEEN   ] " << ToString(GetParam()) << ": " << clean << " of " << corpus.size()
            << " malformed frames passed untouched leaving no state, " << refused
            << " too short for BPF_PROG_TEST_RUN at this hook; " << state().NonZeroCounters() << "\n";
}

class MalformedCountTest : public MalformedTest {};

// The ingress hooks count every frame they pass under the reason why (egress passes
// what is not a reply silently).
TEST_P(MalformedCountTest, EveryPassedFrameIsCountedUnderAReason) {
  size_t ran = 0;
  for (const CorpusFrame& c : MalformedCorpus()) ran += TryRun(GetParam(), c.frame).has_value();
  EXPECT_EQ(PassCount(), ran) << state().NonZeroCounters();
}

// What the corpus cannot reach: no program runs for these (see TestRunMayRefuse).
TEST_P(MalformedTest, TestRunRefusesFramesShorterThanEthernet) {
  const Frame whole = PacketBuilder().Ipv4(Topology(false).client, Topology(false).node).Udp(1, 2).Build();
  for (size_t len = 1; len < 14; ++len) {
    const Frame cut(whole.begin(), whole.begin() + static_cast<long>(len));
    EXPECT_FALSE(TryRun(GetParam(), cut)) << "a " << len << "-byte frame was run";
  }
}

INSTANTIATE_TEST_SUITE_P(Hooks, MalformedTest,
                         ::testing::Values(Hook::kXdp, Hook::kTcIngress, Hook::kTcEgress),
                         [](const auto& info) { return ToString(info.param); });
INSTANTIATE_TEST_SUITE_P(Hooks, MalformedCountTest, ::testing::Values(Hook::kXdp, Hook::kTcIngress),
                         [](const auto& info) { return ToString(info.param); });

}  // namespace
}  // namespace sluice::bpftest
