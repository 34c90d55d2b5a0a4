// The kube-proxy baseline works before anything is measured against it: kube-proxy's
// rules (bench/kubeproxy) for 3 dual-stack Services x 3 backends, loaded into the node
// namespace with iptables-legacy, iptables-nft and nftables, must take every Service
// frontend (TCP and UDP, IPv4 and IPv6) to all of its backends, from a Pod and from the
// node itself; removing them must leave the VIPs untranslated.
#include <gtest/gtest.h>

#include <iostream>
#include <string>
#include <vector>

#include "bench/kubeproxy/kube_proxy_rules.h"
#include "bench/kubeproxy/reachability_check.h"
#include "bench/kubeproxy/ruleset_loader.h"
#include "e2e/harness/harness.h"

namespace sluice::e2e {
namespace {

using namespace std::chrono_literals;
using kubeproxy::Backend;

constexpr int kServices = 3;
constexpr int kBackends = 3;  // be1..be3; be4 is the client Pod

void Report(const std::string& test, const std::string& what) {
  std::cout << "REPORT: " << test << ": " << what << std::endl;
}

IpAddress Ip(const std::string& text) {
  std::optional<IpAddress> ip = IpAddress::Parse(text);
  if (!ip) throw std::runtime_error("bad address in test: " + text);
  return *ip;
}

IpPrefix Prefix(const std::string& text) {
  std::optional<IpPrefix> prefix = IpPrefix::Parse(text);
  if (!prefix) throw std::runtime_error("bad prefix in test: " + text);
  return *prefix;
}

class KubeProxyRulesTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    SLUICE_E2E_REQUIRE_ROOT();
    topology_ = std::make_unique<Topology>(TopologyOptions{.backends = kBackends + 1});
    // Service s (1..3) targets port 808s on each backend, so a DNAT to the wrong port or
    // the wrong Service shows.
    for (int b = 1; b <= kBackends; ++b)
      for (int s = 1; s <= kServices; ++s)
        servers_.push_back(StartEchoServer(*topology_, topology_->backends().at(b - 1),
                                           static_cast<uint16_t>(8080 + s)));
    BuildServices();
    node_ns_ = topology_->node(1).netns;
    pod_ns_ = topology_->backends().at(kBackends).netns;
    // A node has a default route; this one routes nothing out, so give its own
    // processes a route for the ClusterIP ranges (kube-proxy DNATs in OUTPUT, after the
    // route lookup). Untranslated, such packets stay on the node.
    for (const auto& [family, range, src] :
         {std::tuple{"-4", "198.19.128.0/17", topology_->node(1).ipv4},
          std::tuple{"-6", "fd00:96::/64", topology_->node(1).ipv6}}) {
      CommandResult route = RunCommand(
          {"ip", family, "route", "add", range, "dev", "lo", "src", src}, 5s, node_ns_);
      ASSERT_EQ(route.exit_status, 0) << route.err;
    }
  }

  void TearDown() override {
    servers_.clear();
    topology_.reset();  // the namespaces go, and every rule in them
  }

  void BuildServices() {
    options_ = kubeproxy::RulesetOptions{
        .node_name = "node1",
        .node_ips = {Ip(topology_->node(1).ipv4), Ip(topology_->node(1).ipv6)},
        .cluster_cidrs = {Prefix("198.18.0.0/16"), Prefix("fd00:18::/32")},
        .service_cidrs = {Prefix("198.19.128.0/17"), Prefix("fd00:96::/64")}};
    for (int s = 1; s <= kServices; ++s) {
      const std::string name = "web" + std::to_string(s);
      const uint16_t target = static_cast<uint16_t>(8080 + s);
      model::Service service;
      service.meta.id = {"bench", name};
      service.cluster_ips = {Ip("198.19.128.1" + std::to_string(s)),
                             Ip("fd00:96::1" + std::to_string(s))};
      service.ports = {
          model::ServicePort{.name = "http", .protocol = model::Protocol::kTcp, .port = 80,
                             .target_port_name = "http"},
          model::ServicePort{.name = "dns", .protocol = model::Protocol::kUdp, .port = 53,
                             .target_port_name = "dns"}};
      services_.push_back(service);
      for (model::AddressType type : {model::AddressType::kIPv4, model::AddressType::kIPv6}) {
        model::EndpointSlice slice;
        slice.meta.id = {"bench", name + (type == model::AddressType::kIPv4 ? "-v4" : "-v6")};
        slice.service_name = name;
        slice.address_type = type;
        slice.ports = {
            model::EndpointPort{.name = "http", .protocol = model::Protocol::kTcp, .port = target},
            model::EndpointPort{.name = "dns", .protocol = model::Protocol::kUdp, .port = target}};
        for (int b = 1; b <= kBackends; ++b) {
          const BackendInfo& backend = topology_->backends().at(b - 1);
          model::Endpoint endpoint;
          endpoint.addresses = {
              Ip(type == model::AddressType::kIPv4 ? backend.ipv4 : backend.ipv6)};
          endpoint.node_name = "node1";
          slice.endpoints.push_back(endpoint);
        }
        slices_.push_back(slice);
      }
    }
  }

  std::string Rules(IpFamily family) const {
    return GetParam() == Backend::kNftables
               ? kubeproxy::NftablesInput(services_, slices_, options_, family)
               : kubeproxy::IptablesRestoreInput(services_, slices_, options_, family);
  }

  std::vector<kubeproxy::FrontendExpectation> Expectations() const {
    std::vector<kubeproxy::FrontendExpectation> all;
    for (IpFamily family : {IpFamily::kV4, IpFamily::kV6}) {
      auto some = kubeproxy::ExpectedClusterIpReachability(services_, slices_, options_, family);
      all.insert(all.end(), some.begin(), some.end());
    }
    return all;
  }

  std::unique_ptr<Topology> topology_;
  std::vector<Process> servers_;
  std::vector<model::Service> services_;
  std::vector<model::EndpointSlice> slices_;
  kubeproxy::RulesetOptions options_;
  std::string node_ns_;
  std::string pod_ns_;
};

TEST_P(KubeProxyRulesTest, EveryServiceReachesAllItsBackendsThenFlushRemovesTheRules) {
  const std::string mode = kubeproxy::BackendName(GetParam());
  for (IpFamily family : {IpFamily::kV4, IpFamily::kV6}) {
    kubeproxy::LoadResult load = kubeproxy::LoadRuleset(node_ns_, GetParam(), family, Rules(family), 60s);
    ASSERT_TRUE(load.ok) << load.error;
    Report(mode, std::string("loaded ") + std::string(FamilyName(family)) + " rules in " +
                     std::to_string(std::chrono::duration<double>(load.elapsed).count()) + " s");
  }

  const std::vector<kubeproxy::FrontendExpectation> want = Expectations();
  ASSERT_EQ(want.size(), static_cast<size_t>(kServices * 2 * 2));  // x ports x families
  for (const auto& [client, netns] : {std::pair{"pod be4", pod_ns_}, std::pair{"node", node_ns_}}) {
    kubeproxy::ReachabilityReport report = kubeproxy::CheckReachability(netns, want);
    Report(mode, std::string("from ") + client + ": " + report.Summary());
    EXPECT_TRUE(report.ok) << client << ": " << report.Summary();
  }

  for (IpFamily family : {IpFamily::kV4, IpFamily::kV6}) {
    kubeproxy::LoadResult flush = kubeproxy::FlushRuleset(node_ns_, GetParam(), family, 60s);
    ASSERT_TRUE(flush.ok) << flush.error;
    std::string left = kubeproxy::DumpRuleset(node_ns_, GetParam(), family);
    EXPECT_EQ(left.find("KUBE-"), std::string::npos) << left;
    if (GetParam() == Backend::kNftables) {
      EXPECT_EQ(left, "");
    }
  }
  // Untranslated now: nothing answers on a VIP.
  kubeproxy::ReachabilityOptions once{.max_attempts_per_backend = 1,
                                      .attempt_timeout = 300ms,
                                      .total_timeout = 30s,
                                      .backend_names = {}};
  kubeproxy::ReachabilityReport after =
      kubeproxy::CheckReachability(pod_ns_, std::span(want).first(1), once);
  EXPECT_FALSE(after.ok) << after.Summary();
  ASSERT_EQ(after.frontends.size(), 1u);
  EXPECT_EQ(after.frontends[0].answered, 0) << after.frontends[0].Describe();
  Report(mode, "after flush: " + after.frontends[0].Describe());
}

INSTANTIATE_TEST_SUITE_P(Modes, KubeProxyRulesTest,
                         ::testing::Values(Backend::kIptablesLegacy, Backend::kIptablesNft,
                                           Backend::kNftables),
                         [](const ::testing::TestParamInfo<Backend>& info) {
                           switch (info.param) {
                             case Backend::kIptablesLegacy:
                               return std::string("IptablesLegacy");
                             case Backend::kIptablesNft:
                               return std::string("IptablesNft");
                             case Backend::kNftables:
                               return std::string("Nftables");
                           }
                           return std::string("Unknown");
                         });

}  // namespace
}  // namespace sluice::e2e
