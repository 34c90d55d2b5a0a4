// A small cluster in the in-memory maps, as sluicectl's views see it: one LoadBalancer
// Service with three backends (one local), its ClusterIP, a tracked flow and
// affinities of both paths.
#pragma once

#include <gtest/gtest.h>

#include <sstream>
#include <algorithm>
#include <string>
#include <vector>

#include "cli/packet_snapshot.h"
#include "datapath/snapshot.h"
#include "unit/datapath/packet_maps_builder.h"

namespace sluice::cli {

constexpr uint64_t kSec = 1000000000ull;
constexpr uint64_t kNow = 10000 * kSec;

// Whether some line of a table, split at runs of spaces, starts with these cells.
inline bool HasRow(const std::string& text, const std::vector<std::string>& cells) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::vector<std::string> got;
    for (std::string w; words >> w;) got.push_back(w);
    if (got.size() >= cells.size() && std::equal(cells.begin(), cells.end(), got.begin())) return true;
  }
  return false;
}

class CliFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    using datapath::testing::FrontendSpec;
    a_ = m_.AddBackend("198.18.1.2", 8080);
    b_ = m_.AddBackend("198.18.2.2", 8080);
    c_ = m_.AddBackend("198.18.3.2", 8080, LB_BE_F_LOCAL);
    FrontendSpec lb;
    lb.backends = {a_, b_, c_};
    lb.maglev_size = 31;
    lb.flags = LB_SVC_F_AFFINITY;
    lb.affinity_timeout = 600;
    lb_ = m_.AddFrontend(lb);
    FrontendSpec cluster_ip;
    cluster_ip.vip = "10.96.0.10";
    cluster_ip.scope = LB_SCOPE_INTERNAL;
    cluster_ip.type = LB_FE_CLUSTER_IP;
    cluster_ip.backends = {a_, b_, c_};
    cluster_ip_ = m_.AddFrontend(cluster_ip);
  }

  datapath::Snapshot Snap() { return datapath::ReadSnapshot(m_.maps); }
  PacketSnapshot Packet() { return ReadPacketSnapshot(m_.maps, kNow); }

  void TrackFlow(const char* client, uint16_t port, uint32_t backend, uint16_t snat_port,
                 uint64_t age_s, uint64_t idle_s) {
    ct_entry e{};
    e.created_ns = kNow - age_s * kSec;
    e.last_seen_ns = kNow - idle_s * kSec;
    e.backend_id = backend;
    e.svc_id = lb_.id;
    if (snat_port) {
      e.flags = CT_F_SNAT;
      e.nat_port = htons(snat_port);
    }
    ASSERT_EQ(m_.maps.ct().Update(datapath::testing::FlowKey(client, port, "198.19.0.10", 80), e), 0);
  }

  datapath::testing::PacketMaps m_;
  lb_service lb_{}, cluster_ip_{};
  uint32_t a_ = 0, b_ = 0, c_ = 0;
};

}  // namespace sluice::cli
