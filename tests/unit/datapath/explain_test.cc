// ExplainFlow against the in-memory maps: the answer must be what the BPF programs
// (bpf/lib/nodeport.h lb_ingress/lb_select, bpf/lib/sock.h) would do with the same
// maps, so each test sets the maps up and checks the one step that decides.
#include "datapath/explain.h"

#include <gtest/gtest.h>

#include <set>

#include "sluice/flow_hash.h"
#include "unit/datapath/packet_maps_builder.h"

namespace sluice::datapath {
namespace {

using testing::FlowKey;
using testing::FrontendSpec;
using testing::Ip;
using testing::PacketMaps;

constexpr uint64_t kSec = 1000000000ull;
constexpr uint64_t kNow = 5000 * kSec;

FlowQuery Flow(const char* src, uint16_t sport, const char* dst, uint16_t dport,
               model::Protocol proto = model::Protocol::kTcp,
               model::Scope scope = model::Scope::kExternal) {
  FlowQuery q;
  q.protocol = proto;
  q.src = Ip(src);
  q.src_port = sport;
  q.dst = Ip(dst);
  q.dst_port = dport;
  q.scope = scope;
  return q;
}

// The hash computed here from the tuple, independently of ExplainFlow's own plumbing.
uint32_t HashOf(const char* src, uint16_t sport, const char* dst, uint16_t dport, uint8_t proto) {
  ct_key k = FlowKey(src, sport, dst, dport, proto);
  return sluice_flow_hash(k.saddr.ip6, k.daddr.ip6, k.sport, k.dport, k.proto);
}

class ExplainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    a_ = m_.AddBackend("198.18.1.2", 8080);
    b_ = m_.AddBackend("198.18.2.2", 8080);
    c_ = m_.AddBackend("198.18.3.2", 8080, LB_BE_F_LOCAL);
  }
  lb_service Web(uint16_t flags = 0, uint32_t timeout = 0) {
    FrontendSpec s;
    s.flags = flags;
    s.affinity_timeout = timeout;
    s.backends = {a_, b_, c_};
    s.maglev_size = 31;
    return m_.AddFrontend(s);
  }
  PacketMaps m_;
  uint32_t a_ = 0, b_ = 0, c_ = 0;
};

TEST_F(ExplainTest, NewFlowGetsTheMaglevSlotOfTheFlowHash) {
  lb_service svc = Web();
  const std::vector<uint32_t> table = m_.Table(svc);
  std::set<uint32_t> seen;
  for (uint16_t sport = 40000; sport < 40200; ++sport) {
    Explanation ex = ExplainFlow(m_.maps, Flow("203.0.113.7", sport, "198.19.0.10", 80), kNow);
    const uint32_t hash = HashOf("203.0.113.7", sport, "198.19.0.10", 80, IPPROTO_TCP);
    ASSERT_EQ(ex.verdict, FlowVerdict::kForward);
    EXPECT_EQ(ex.reason, PickReason::kMaglev);
    EXPECT_EQ(ex.flow_hash, hash);
    EXPECT_EQ(ex.slot, hash % 31);
    EXPECT_EQ(ex.table_size, 31u);
    EXPECT_EQ(ex.maglev_offset, svc.maglev_offset);
    EXPECT_EQ(ex.backend.id, table[hash % 31]) << "source port " << sport;
    seen.insert(ex.backend.id);
  }
  EXPECT_EQ(seen, (std::set<uint32_t>{a_, b_, c_})) << "200 flows should reach all 3 backends";
}

TEST_F(ExplainTest, Ipv6FlowsHashTheSixteenByteAddresses) {
  uint32_t v6 = m_.AddBackend("fd00::1:2", 8080);
  uint32_t v6b = m_.AddBackend("fd00::2:2", 8080);
  FrontendSpec s;
  s.vip = "fd00::10";
  s.backends = {v6, v6b};
  s.maglev_size = 13;
  lb_service svc = m_.AddFrontend(s);
  const auto table = m_.Table(svc);
  Explanation ex = ExplainFlow(m_.maps, Flow("fd00:beef::7", 5555, "fd00::10", 80), kNow);
  ASSERT_EQ(ex.verdict, FlowVerdict::kForward);
  EXPECT_EQ(ex.backend.id, table[HashOf("fd00:beef::7", 5555, "fd00::10", 80, IPPROTO_TCP) % 13]);
}

TEST_F(ExplainTest, ConntrackWinsOverMaglev) {
  lb_service svc = Web();
  const auto table = m_.Table(svc);
  const uint32_t maglev_pick = table[HashOf("203.0.113.7", 40000, "198.19.0.10", 80, IPPROTO_TCP) % 31];
  const uint32_t tracked = maglev_pick == a_ ? b_ : a_;
  ct_entry e{};
  e.created_ns = kNow - 90 * kSec;
  e.last_seen_ns = kNow - 2 * kSec;
  e.backend_id = tracked;
  e.svc_id = svc.id;
  e.flags = CT_F_SNAT;
  e.nat_port = htons(61234);
  ASSERT_EQ(m_.maps.ct().Update(FlowKey("203.0.113.7", 40000, "198.19.0.10", 80), e), 0);

  Explanation ex = ExplainFlow(m_.maps, Flow("203.0.113.7", 40000, "198.19.0.10", 80), kNow);
  ASSERT_EQ(ex.verdict, FlowVerdict::kForward);
  EXPECT_EQ(ex.reason, PickReason::kConntrack);
  EXPECT_EQ(ex.backend.id, tracked);
  ASSERT_TRUE(ex.conntrack);
  EXPECT_EQ(ex.conntrack->created_ns, kNow - 90 * kSec);
  EXPECT_TRUE(ex.snat);
  EXPECT_EQ(ex.snat_port, 61234);
}

TEST_F(ExplainTest, ConntrackToAGoneBackendIsChosenAgainByMaglev) {
  lb_service svc = Web();
  ct_entry e{};
  e.backend_id = 999;  // deleted since
  e.svc_id = svc.id;
  ASSERT_EQ(m_.maps.ct().Update(FlowKey("203.0.113.7", 40000, "198.19.0.10", 80), e), 0);
  Explanation ex = ExplainFlow(m_.maps, Flow("203.0.113.7", 40000, "198.19.0.10", 80), kNow);
  ASSERT_EQ(ex.verdict, FlowVerdict::kForward);
  EXPECT_TRUE(ex.conntrack_backend_gone);
  EXPECT_EQ(ex.reason, PickReason::kMaglev);
  EXPECT_EQ(ex.backend.id,
            m_.Table(svc)[HashOf("203.0.113.7", 40000, "198.19.0.10", 80, IPPROTO_TCP) % 31]);
}

TEST_F(ExplainTest, ConntrackKeepsAFlowWhoseServiceLostAllBackends) {
  FrontendSpec s;
  s.maglev_size = 31;  // no backends: an empty table, count 0
  lb_service svc = m_.AddFrontend(s);
  ct_entry e{};
  e.backend_id = a_;
  e.svc_id = svc.id;
  ASSERT_EQ(m_.maps.ct().Update(FlowKey("203.0.113.7", 40000, "198.19.0.10", 80), e), 0);
  Explanation ex = ExplainFlow(m_.maps, Flow("203.0.113.7", 40000, "198.19.0.10", 80), kNow);
  EXPECT_EQ(ex.verdict, FlowVerdict::kForward);
  EXPECT_EQ(ex.backend.id, a_);
}

class AffinityTest : public ExplainTest {
 protected:
  // An affinity for the client naming the backend Maglev would not pick.
  uint32_t Remember(const lb_service& svc, uint64_t last_used) {
    const uint32_t maglev_pick =
        m_.Table(svc)[HashOf("203.0.113.7", 40000, "198.19.0.10", 80, IPPROTO_TCP) % 31];
    const uint32_t remembered = maglev_pick == b_ ? a_ : b_;
    affinity_key k{};
    k.client = Ip("203.0.113.7").ToDatapath();
    k.svc_id = svc.id;
    k.family = SLUICE_AF_INET;
    EXPECT_EQ(m_.maps.affinity().Update(k, affinity_entry{last_used, remembered, 0}), 0);
    return remembered;
  }
};

TEST_F(AffinityTest, ValidAffinityWinsOverMaglev) {
  lb_service svc = Web(LB_SVC_F_AFFINITY, 600);
  uint32_t remembered = Remember(svc, kNow - 599 * kSec);
  Explanation ex = ExplainFlow(m_.maps, Flow("203.0.113.7", 40000, "198.19.0.10", 80), kNow);
  ASSERT_EQ(ex.verdict, FlowVerdict::kForward);
  EXPECT_EQ(ex.reason, PickReason::kAffinity);
  EXPECT_TRUE(ex.affinity_valid);
  EXPECT_EQ(ex.backend.id, remembered);
}

TEST_F(AffinityTest, ExpiredAffinityFallsBackToMaglev) {
  lb_service svc = Web(LB_SVC_F_AFFINITY, 600);
  uint32_t remembered = Remember(svc, kNow - 601 * kSec);
  Explanation ex = ExplainFlow(m_.maps, Flow("203.0.113.7", 40000, "198.19.0.10", 80), kNow);
  EXPECT_EQ(ex.reason, PickReason::kMaglev);
  EXPECT_FALSE(ex.affinity_valid);
  EXPECT_EQ(ex.affinity_invalid_reason, "expired");
  EXPECT_NE(ex.backend.id, remembered);
}

TEST_F(AffinityTest, AffinityToATerminatingBackendDoesNotHold) {
  lb_service svc = Web(LB_SVC_F_AFFINITY, 600);
  uint32_t remembered = Remember(svc, kNow);
  lb_backend be = *m_.maps.backends().Lookup(remembered);
  be.flags |= LB_BE_F_TERMINATING;
  ASSERT_EQ(m_.maps.backends().Update(remembered, be), 0);
  Explanation ex = ExplainFlow(m_.maps, Flow("203.0.113.7", 40000, "198.19.0.10", 80), kNow);
  EXPECT_EQ(ex.reason, PickReason::kMaglev);
  EXPECT_EQ(ex.affinity_invalid_reason, "backend terminating");
}

TEST_F(AffinityTest, AffinityIsIgnoredWithoutTheServiceFlag) {
  lb_service svc = Web();
  Remember(svc, kNow);
  Explanation ex = ExplainFlow(m_.maps, Flow("203.0.113.7", 40000, "198.19.0.10", 80), kNow);
  EXPECT_EQ(ex.reason, PickReason::kMaglev);
  EXPECT_FALSE(ex.affinity);
}

TEST_F(ExplainTest, SourceRangesDenyOtherSources) {
  lb_service svc = Web(LB_SVC_F_SOURCE_RANGES);
  m_.AddSourceRange(svc.id, "203.0.113.0/24");
  m_.AddSourceRange(svc.id, "203.0.113.0/28");

  Explanation in = ExplainFlow(m_.maps, Flow("203.0.113.7", 40000, "198.19.0.10", 80), kNow);
  EXPECT_EQ(in.verdict, FlowVerdict::kForward);
  EXPECT_TRUE(in.source_allowed);
  ASSERT_TRUE(in.source_range);
  EXPECT_EQ(in.source_range->ToString(), "203.0.113.0/28");  // the longest match

  Explanation out = ExplainFlow(m_.maps, Flow("192.0.2.1", 40000, "198.19.0.10", 80), kNow);
  EXPECT_EQ(out.verdict, FlowVerdict::kDropSourceRange);
  EXPECT_FALSE(out.source_allowed);
  EXPECT_FALSE(out.source_range);
}

TEST_F(ExplainTest, SourceRangesOfAnotherFrontendDoNotApply) {
  lb_service svc = Web(LB_SVC_F_SOURCE_RANGES);
  m_.AddSourceRange(svc.id + 1, "0.0.0.0/0");
  Explanation ex = ExplainFlow(m_.maps, Flow("203.0.113.7", 40000, "198.19.0.10", 80), kNow);
  EXPECT_EQ(ex.verdict, FlowVerdict::kDropSourceRange);
}

TEST_F(ExplainTest, LocalPolicyWithoutALocalEndpointDrops) {
  FrontendSpec s;
  s.flags = LB_SVC_F_LOCAL_ONLY;
  s.maglev_size = 31;
  m_.AddFrontend(s);
  Explanation ex = ExplainFlow(m_.maps, Flow("203.0.113.7", 40000, "198.19.0.10", 80), kNow);
  EXPECT_EQ(ex.verdict, FlowVerdict::kDropNoLocalBackend);
}

TEST_F(ExplainTest, ClusterPolicyWithoutBackendsRejects) {
  FrontendSpec s;
  s.maglev_size = 31;
  s.proto = IPPROTO_UDP;
  m_.AddFrontend(s);
  Explanation ex = ExplainFlow(
      m_.maps, Flow("203.0.113.7", 40000, "198.19.0.10", 80, model::Protocol::kUdp), kNow);
  EXPECT_EQ(ex.verdict, FlowVerdict::kReject);
}

TEST_F(ExplainTest, NotAFrontendPassesUntouched) {
  Web();
  EXPECT_EQ(ExplainFlow(m_.maps, Flow("203.0.113.7", 1, "198.19.0.9", 80), kNow).verdict,
            FlowVerdict::kNotFrontend);
  // The same address on another port, or the other protocol, is not the frontend either.
  EXPECT_EQ(ExplainFlow(m_.maps, Flow("203.0.113.7", 1, "198.19.0.10", 81), kNow).verdict,
            FlowVerdict::kNotFrontend);
  EXPECT_EQ(ExplainFlow(m_.maps, Flow("203.0.113.7", 1, "198.19.0.10", 80, model::Protocol::kUdp),
                        kNow)
                .verdict,
            FlowVerdict::kNotFrontend);
}

TEST_F(ExplainTest, RemoteBackendUnderClusterPolicyIsSnatedLocalOneIsNot) {
  lb_service svc = Web();
  m_.SetSnat("198.18.0.1");
  const auto table = m_.Table(svc);
  bool saw_remote = false, saw_local = false;
  for (uint16_t sport = 40000; sport < 40100; ++sport) {
    Explanation ex = ExplainFlow(m_.maps, Flow("203.0.113.7", sport, "198.19.0.10", 80), kNow);
    ASSERT_EQ(ex.verdict, FlowVerdict::kForward);
    if (ex.backend.id == c_) {
      saw_local = true;
      EXPECT_FALSE(ex.snat);
    } else {
      saw_remote = true;
      EXPECT_TRUE(ex.snat);
      EXPECT_EQ(ex.snat_address.ToString(), "198.18.0.1");
      EXPECT_EQ(ex.snat_port, 0) << "a new flow's port is chosen when it is tracked";
    }
  }
  EXPECT_TRUE(saw_remote && saw_local);
}

TEST_F(ExplainTest, NoSnatAddressMeansDnatOnly) {
  Web();
  for (uint16_t sport = 40000; sport < 40020; ++sport) {
    Explanation ex = ExplainFlow(m_.maps, Flow("203.0.113.7", sport, "198.19.0.10", 80), kNow);
    EXPECT_FALSE(ex.snat);
    EXPECT_EQ(ex.snat_wanted_but_no_address, ex.backend.id != c_);
  }
}

TEST_F(ExplainTest, LocalPolicyKeepsTheClientAddress) {
  m_.SetSnat("198.18.0.1");
  FrontendSpec s;
  s.flags = LB_SVC_F_LOCAL_ONLY;
  s.backends = {a_};  // (a remote backend here only to show the flag decides)
  s.maglev_size = 13;
  m_.AddFrontend(s);
  Explanation ex = ExplainFlow(m_.maps, Flow("203.0.113.7", 40000, "198.19.0.10", 80), kNow);
  ASSERT_EQ(ex.verdict, FlowVerdict::kForward);
  EXPECT_FALSE(ex.snat);
  EXPECT_FALSE(ex.snat_wanted_but_no_address);
}

TEST_F(ExplainTest, ReplyToTheSnatAddressIsReverseNated) {
  lb_service svc = Web();
  m_.SetSnat("198.18.0.1");
  nat_key k{};
  k.saddr = Ip("198.18.1.2").ToDatapath();
  k.daddr = Ip("198.18.0.1").ToDatapath();
  k.sport = htons(8080);
  k.dport = htons(61000);
  k.proto = IPPROTO_TCP;
  k.family = SLUICE_AF_INET;
  nat_entry e{};
  e.frontend = Ip("198.19.0.10").ToDatapath();
  e.client = Ip("203.0.113.7").ToDatapath();
  e.frontend_port = htons(80);
  e.client_port = htons(40000);
  e.svc_id = svc.id;
  e.flags = CT_F_SNAT;
  ASSERT_EQ(m_.maps.nat().Update(k, e), 0);
  Explanation ex = ExplainFlow(m_.maps, Flow("198.18.1.2", 8080, "198.18.0.1", 61000), kNow);
  EXPECT_EQ(ex.verdict, FlowVerdict::kReplyReverseNat);
  ASSERT_TRUE(ex.reverse_nat);
  EXPECT_EQ(ntohs(ex.reverse_nat->client_port), 40000);
}

TEST_F(ExplainTest, FrontendWithoutTableHashesOverLiveSlots) {
  FrontendSpec s;
  s.backends = {a_, b_, c_};
  m_.AddFrontend(s);  // maglev_size 0
  const uint32_t hash = HashOf("203.0.113.7", 40000, "198.19.0.10", 80, IPPROTO_TCP);
  Explanation ex = ExplainFlow(m_.maps, Flow("203.0.113.7", 40000, "198.19.0.10", 80), kNow);
  ASSERT_EQ(ex.verdict, FlowVerdict::kForward);
  EXPECT_EQ(ex.reason, PickReason::kSlotHash);
  EXPECT_EQ(ex.backend.id, (std::vector<uint32_t>{a_, b_, c_})[hash % 3]);
}

TEST_F(ExplainTest, EmptyMaglevSlotRejects) {
  lb_service svc = Web();
  const uint32_t hash = HashOf("203.0.113.7", 40000, "198.19.0.10", 80, IPPROTO_TCP);
  const uint32_t zero = 0;
  ASSERT_EQ(m_.maps.SetMaglev(svc.maglev_offset + hash % 31, std::span<const uint32_t>(&zero, 1)), 0);
  Explanation ex = ExplainFlow(m_.maps, Flow("203.0.113.7", 40000, "198.19.0.10", 80), kNow);
  EXPECT_EQ(ex.verdict, FlowVerdict::kReject);
  EXPECT_EQ(ex.slot, hash % 31);
}

TEST_F(ExplainTest, InternalScopeListsTheBackendSetAndNamespaceAffinities) {
  FrontendSpec s;
  s.scope = LB_SCOPE_INTERNAL;
  s.type = LB_FE_CLUSTER_IP;
  s.flags = LB_SVC_F_AFFINITY;
  s.affinity_timeout = 60;
  s.backends = {a_, b_};
  lb_service svc = m_.AddFrontend(s);
  affinity_key k{};
  const uint64_t cookie = 4026531993ull;
  std::memcpy(k.client.bytes, &cookie, sizeof(cookie));
  k.svc_id = svc.id;
  ASSERT_EQ(m_.maps.affinity().Update(k, affinity_entry{kNow - 10 * kSec, a_, 0}), 0);

  Explanation ex = ExplainFlow(m_.maps,
                               Flow("10.0.0.5", 33333, "198.19.0.10", 80, model::Protocol::kTcp,
                                    model::Scope::kInternal),
                               kNow);
  EXPECT_EQ(ex.verdict, FlowVerdict::kSocketRandom);
  ASSERT_EQ(ex.candidates.size(), 2u);
  EXPECT_EQ(ex.candidates[0].id, a_);
  EXPECT_EQ(ex.candidates[1].id, b_);
  ASSERT_EQ(ex.socket_affinities.size(), 1u);
  EXPECT_EQ(ex.socket_affinities[0].netns_cookie, cookie);
  EXPECT_TRUE(ex.socket_affinities[0].valid);

  // The internal entry is not an external frontend, and vice versa.
  EXPECT_EQ(ExplainFlow(m_.maps, Flow("10.0.0.5", 33333, "198.19.0.10", 80), kNow).verdict,
            FlowVerdict::kNotFrontend);
}

TEST_F(ExplainTest, InternalScopeWithoutBackendsRefuses) {
  FrontendSpec s;
  s.scope = LB_SCOPE_INTERNAL;
  m_.AddFrontend(s);
  Explanation ex = ExplainFlow(m_.maps,
                               Flow("10.0.0.5", 33333, "198.19.0.10", 80, model::Protocol::kTcp,
                                    model::Scope::kInternal),
                               kNow);
  EXPECT_EQ(ex.verdict, FlowVerdict::kSocketRefuse);
}

TEST_F(ExplainTest, PodPacketUsesTheInternalEntryHashedAndNeverSnated) {
  m_.SetSnat("198.18.0.1");
  FrontendSpec s;
  s.vip = "10.96.0.10";
  s.scope = LB_SCOPE_INTERNAL;
  s.type = LB_FE_CLUSTER_IP;
  s.backends = {a_, b_};  // both remote: SNAT would apply on the external path
  m_.AddFrontend(s);
  FlowQuery q = Flow("10.0.0.5", 33333, "10.96.0.10", 80, model::Protocol::kTcp, model::Scope::kInternal);
  q.pod_packet = true;
  const uint32_t hash = HashOf("10.0.0.5", 33333, "10.96.0.10", 80, IPPROTO_TCP);
  Explanation ex = ExplainFlow(m_.maps, q, kNow);
  ASSERT_EQ(ex.verdict, FlowVerdict::kForward);
  EXPECT_EQ(ex.reason, PickReason::kSlotHash);
  EXPECT_EQ(ex.backend.id, (std::vector<uint32_t>{a_, b_})[hash % 2]);
  EXPECT_FALSE(ex.snat);
  EXPECT_FALSE(ex.snat_wanted_but_no_address);

  // Conntrack holds there too.
  ct_entry e{};
  e.backend_id = ex.backend.id == a_ ? b_ : a_;
  ASSERT_EQ(m_.maps.ct().Update(FlowKey("10.0.0.5", 33333, "10.96.0.10", 80), e), 0);
  Explanation tracked = ExplainFlow(m_.maps, q, kNow);
  EXPECT_EQ(tracked.reason, PickReason::kConntrack);
  EXPECT_EQ(tracked.backend.id, e.backend_id);
}

TEST(ExplainArgsTest, MixedFamiliesAreRefused) {
  MemoryMapSet maps;
  FlowQuery q = Flow("203.0.113.7", 1, "fd00::10", 80);
  EXPECT_THROW(ExplainFlow(maps, q, kNow), std::invalid_argument);
}

TEST(MemoryLpmTableTest, LookupAnswersTheLongestMatchingPrefix) {
  MemoryMapSet maps;
  auto key = [](uint32_t len, const char* ip) {
    src_range_key k{};
    k.prefixlen = 64 + len;
    k.svc_id = 7;
    k.family = SLUICE_AF_INET;
    std::memcpy(k.addr, Ip(ip).bytes().data(), 16);
    return k;
  };
  ASSERT_EQ(maps.src_ranges().Update(key(8, "10.0.0.0"), 1), 0);
  ASSERT_EQ(maps.src_ranges().Update(key(24, "10.1.2.0"), 2), 0);
  EXPECT_EQ(maps.src_ranges().Lookup(key(32, "10.1.2.3")), 2);
  EXPECT_EQ(maps.src_ranges().Lookup(key(32, "10.9.9.9")), 1);
  EXPECT_FALSE(maps.src_ranges().Lookup(key(32, "11.0.0.1")));
  src_range_key other = key(32, "10.1.2.3");
  other.svc_id = 8;  // the frontend id is part of every prefix
  EXPECT_FALSE(maps.src_ranges().Lookup(other));
}

}  // namespace
}  // namespace sluice::datapath
