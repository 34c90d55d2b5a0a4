// The structure of the generated rulesets: what kube-proxy's proxiers write for the same
// Services, line by line where order matters (probabilities, the KUBE-NODEPORTS jump
// last, Services in input order, endpoints sorted as kube-proxy sorts them).
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "bench/kubeproxy/kube_proxy_rules.h"
#include "bench/kubeproxy/reachability_check.h"
#include "bench/kubeproxy/synthetic_set.h"
#include "unit/model/model_builders.h"

namespace sluice::kubeproxy {
namespace {

using model::AddressType;
using model::Protocol;
using namespace model::testing;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The lines of one table of iptables-restore input ("*nat" ... "COMMIT").
std::vector<std::string> Table(const std::string& text, const std::string& table) {
  std::vector<std::string> out;
  bool inside = false;
  for (const std::string& line : Lines(text)) {
    if (line == "*" + table) {
      inside = true;
    } else if (inside && line == "COMMIT") {
      break;
    } else if (inside) {
      out.push_back(line);
    }
  }
  return out;
}

std::vector<std::string> Starting(const std::vector<std::string>& lines,
                                  const std::string& prefix) {
  std::vector<std::string> out;
  for (const std::string& line : lines)
    if (line.rfind(prefix, 0) == 0) out.push_back(line);
  return out;
}

bool Contains(const std::vector<std::string>& lines, const std::string& line) {
  return std::find(lines.begin(), lines.end(), line) != lines.end();
}

std::vector<model::EndpointSlice> SliceOf(const std::string& service,
                                          std::vector<std::string_view> ips, uint16_t port,
                                          const std::string& node = "node1") {
  std::vector<model::Endpoint> endpoints;
  for (std::string_view ip : ips) endpoints.push_back(MakeEndpoint(ip, node, kReady));
  return {MakeSlice(service + "-1", service, AddressType::kIPv4,
                    {SlicePort("http", Protocol::kTcp, port)}, std::move(endpoints))};
}

RulesetOptions Options() {
  return RulesetOptions{.node_name = "node1",
                        .node_ips = Ips({"198.19.0.1"}),
                        .cluster_cidrs = {*IpPrefix::Parse("198.18.0.0/16")}};
}

TEST(IptablesRulesetTest, ClusterIpServiceChainsAndProbabilities) {
  std::vector<model::Service> services = {
      MakeService("web", {"198.19.128.10"}, {Port("http", Protocol::kTcp, 80)})};
  // Deliberately unsorted; kube-proxy orders by "ip:port" text: .10 before .2.
  auto slices = SliceOf("web", {"198.18.3.2", "198.18.10.2", "198.18.2.2", "198.18.1.2"}, 8080);
  Ruleset ruleset = BuildIptablesRuleset(services, slices, Options());
  std::vector<std::string> nat = Table(ruleset.text, "nat");

  const std::string svc = IptablesServiceChain("shop/web:http", "tcp");
  auto sep = [](const char* endpoint) {
    return IptablesEndpointChain("shop/web:http", "tcp", endpoint);
  };
  EXPECT_TRUE(Contains(nat, ":" + svc + " - [0:0]"));
  EXPECT_TRUE(Contains(nat, "-A KUBE-SERVICES -m comment --comment \"shop/web:http cluster IP\" "
                            "-m tcp -p tcp -d 198.19.128.10 --dport 80 -j " + svc));
  std::vector<std::string> svc_rules = Starting(nat, "-A " + svc + " ");
  ASSERT_EQ(svc_rules.size(), 5u);
  EXPECT_EQ(svc_rules[0], "-A " + svc + " -m comment --comment \"shop/web:http cluster IP\" "
                          "-m tcp -p tcp -d 198.19.128.10 --dport 80 ! -s 198.18.0.0/16 -j "
                          "KUBE-MARK-MASQ");
  EXPECT_EQ(svc_rules[1], "-A " + svc + " -m comment --comment \"shop/web:http -> "
                          "198.18.1.2:8080\" -m statistic --mode random --probability "
                          "0.2500000000 -j " + sep("198.18.1.2:8080"));
  EXPECT_EQ(svc_rules[2], "-A " + svc + " -m comment --comment \"shop/web:http -> "
                          "198.18.10.2:8080\" -m statistic --mode random --probability "
                          "0.3333333333 -j " + sep("198.18.10.2:8080"));
  EXPECT_EQ(svc_rules[3], "-A " + svc + " -m comment --comment \"shop/web:http -> "
                          "198.18.2.2:8080\" -m statistic --mode random --probability "
                          "0.5000000000 -j " + sep("198.18.2.2:8080"));
  EXPECT_EQ(svc_rules[4], "-A " + svc + " -m comment --comment \"shop/web:http -> "
                          "198.18.3.2:8080\" -j " + sep("198.18.3.2:8080"));

  const std::string one = sep("198.18.1.2:8080");
  EXPECT_EQ(Starting(nat, "-A " + one + " "),
            (std::vector<std::string>{
                "-A " + one + " -m comment --comment shop/web:http -s 198.18.1.2 -j KUBE-MARK-MASQ",
                "-A " + one + " -m comment --comment shop/web:http -m tcp -p tcp -j DNAT "
                              "--to-destination 198.18.1.2:8080"}));
  EXPECT_EQ(ruleset.stats.endpoints, 4u);
}

TEST(IptablesRulesetTest, MasqueradeChainsAndBuiltinJumps) {
  Ruleset ruleset = BuildIptablesRuleset({}, {}, Options());
  std::vector<std::string> nat = Table(ruleset.text, "nat");
  EXPECT_TRUE(Contains(nat, "-A KUBE-MARK-MASQ -j MARK --or-mark 0x00004000"));
  EXPECT_EQ(Starting(nat, "-A KUBE-POSTROUTING"),
            (std::vector<std::string>{
                "-A KUBE-POSTROUTING -m mark ! --mark 0x00004000/0x00004000 -j RETURN",
                "-A KUBE-POSTROUTING -j MARK --xor-mark 0x00004000",
                "-A KUBE-POSTROUTING -m comment --comment \"kubernetes service traffic requiring "
                "SNAT\" -j MASQUERADE --random-fully"}));
  // kube-proxy `iptables -I`s these in this order; PREROUTING and OUTPUT jump to
  // KUBE-SERVICES, POSTROUTING to KUBE-POSTROUTING.
  EXPECT_EQ(Starting(nat, "-I "),
            (std::vector<std::string>{
                "-I OUTPUT -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES",
                "-I PREROUTING -m comment --comment \"kubernetes service portals\" -j "
                "KUBE-SERVICES",
                "-I POSTROUTING -m comment --comment \"kubernetes postrouting rules\" -j "
                "KUBE-POSTROUTING"}));
  std::vector<std::string> filter = Table(ruleset.text, "filter");
  EXPECT_TRUE(Contains(filter, "-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP"));
  EXPECT_EQ(Starting(filter, "-I INPUT").front(), "-I INPUT -j KUBE-FIREWALL");

  RulesetOptions no_jumps = Options();
  no_jumps.include_builtin_jumps = false;
  EXPECT_TRUE(Starting(Lines(BuildIptablesRuleset({}, {}, no_jumps).text), "-I ").empty());
}

TEST(IptablesRulesetTest, NodePortJumpIsTheLastRuleOfKubeServices) {
  std::vector<model::Service> services;
  std::vector<model::EndpointSlice> slices;
  for (int i = 0; i < 3; ++i) {
    std::string name = "svc" + std::to_string(i);
    model::Service service = MakeService(name, {"198.19.128." + std::to_string(10 + i)},
                                         {Port("http", Protocol::kTcp, 80, 30080 + i)});
    service.type = model::ServiceType::kNodePort;
    services.push_back(service);
    auto slice = SliceOf(name, {"198.18.1.2"}, 8080);
    slices.insert(slices.end(), slice.begin(), slice.end());
  }
  std::vector<std::string> nat = Table(BuildIptablesRuleset(services, slices, Options()).text, "nat");
  std::vector<std::string> jumps = Starting(nat, "-A KUBE-SERVICES ");
  ASSERT_EQ(jumps.size(), 4u);
  // Services in input order, so a benchmark can put its target last.
  EXPECT_NE(jumps[0].find("198.19.128.10"), std::string::npos);
  EXPECT_NE(jumps[2].find("198.19.128.12"), std::string::npos);
  EXPECT_EQ(jumps[3], "-A KUBE-SERVICES -m comment --comment \"kubernetes service nodeports; "
                      "NOTE: this must be the last rule in this chain\" -m addrtype --dst-type "
                      "LOCAL -j KUBE-NODEPORTS");
  // ... and it is the last KUBE-SERVICES line of the whole table.
  auto last = std::find_if(nat.rbegin(), nat.rend(), [](const std::string& line) {
    return line.rfind("-A KUBE-SERVICES ", 0) == 0;
  });
  EXPECT_EQ(*last, jumps[3]);

  const std::string ext = IptablesExternalChain("shop/svc1:http", "tcp");
  EXPECT_TRUE(Contains(nat, "-A KUBE-NODEPORTS -m comment --comment shop/svc1:http -m tcp -p "
                            "tcp --dport 30081 -j " + ext));
  EXPECT_EQ(Starting(nat, "-A " + ext + " "),
            (std::vector<std::string>{
                "-A " + ext + " -m comment --comment \"masquerade traffic for shop/svc1:http "
                              "external destinations\" -j KUBE-MARK-MASQ",
                "-A " + ext + " -j " + IptablesServiceChain("shop/svc1:http", "tcp")}));

  RulesetOptions no_localhost = Options();
  no_localhost.localhost_nodeports = false;
  std::vector<std::string> strict =
      Starting(Table(BuildIptablesRuleset(services, slices, no_localhost).text, "nat"),
               "-A KUBE-SERVICES ");
  EXPECT_NE(strict.back().find("--dst-type LOCAL ! -d 127.0.0.0/8 -j KUBE-NODEPORTS"),
            std::string::npos);
}

TEST(IptablesRulesetTest, LocalPolicyGetsSvlAndExtShortCircuits) {
  model::Service service = MakeService("lb", {"198.19.128.20"}, {Port("http", Protocol::kTcp, 80, 30100)});
  service.type = model::ServiceType::kLoadBalancer;
  service.external_traffic_policy = model::TrafficPolicy::kLocal;
  service.load_balancer_ips = Ips({"198.19.64.5"});
  std::vector<model::Endpoint> endpoints = {MakeEndpoint("198.18.1.2", "node1", kReady),
                                            MakeEndpoint("198.18.9.2", "node2", kReady)};
  std::vector<model::EndpointSlice> slices = {
      MakeSlice("lb-1", "lb", AddressType::kIPv4, {SlicePort("http", Protocol::kTcp, 8080)},
                endpoints)};
  std::vector<model::Service> services = {service};
  std::vector<std::string> nat = Table(BuildIptablesRuleset(services, slices, Options()).text, "nat");

  const std::string svc = IptablesServiceChain("shop/lb:http", "tcp");
  const std::string svl = IptablesLocalChain("shop/lb:http", "tcp");
  const std::string ext = IptablesExternalChain("shop/lb:http", "tcp");
  // The cluster chain balances over both endpoints, the local one over node1's only.
  EXPECT_EQ(Starting(nat, "-A " + svc + " -m comment --comment \"shop/lb:http ->").size(), 2u);
  std::vector<std::string> local = Starting(nat, "-A " + svl + " ");
  ASSERT_EQ(local.size(), 1u);
  EXPECT_EQ(local[0], "-A " + svl + " -m comment --comment \"shop/lb:http -> 198.18.1.2:8080\" -j " +
                          IptablesEndpointChain("shop/lb:http", "tcp", "198.18.1.2:8080"));
  EXPECT_EQ(Starting(nat, "-A " + ext + " "),
            (std::vector<std::string>{
                "-A " + ext + " -m comment --comment \"pod traffic for shop/lb:http external "
                              "destinations\" -s 198.18.0.0/16 -j " + svc,
                "-A " + ext + " -m comment --comment \"masquerade LOCAL traffic for shop/lb:http "
                              "external destinations\" -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ",
                "-A " + ext + " -m comment --comment \"route LOCAL traffic for shop/lb:http "
                              "external destinations\" -m addrtype --src-type LOCAL -j " + svc,
                "-A " + ext + " -j " + svl}));
  EXPECT_TRUE(Contains(nat, "-A KUBE-SERVICES -m comment --comment \"shop/lb:http loadbalancer "
                            "IP\" -m tcp -p tcp -d 198.19.64.5 --dport 80 -j " + ext));
}

TEST(IptablesRulesetTest, ServiceWithoutEndpointsIsRejectedInFilter) {
  std::vector<model::Service> services = {
      MakeService("empty", {"198.19.128.30"}, {Port("", Protocol::kUdp, 53)})};
  Ruleset ruleset = BuildIptablesRuleset(services, {}, Options());
  EXPECT_TRUE(Contains(Table(ruleset.text, "filter"),
                       "-A KUBE-SERVICES -m comment --comment \"shop/empty has no endpoints\" -m "
                       "udp -p udp -d 198.19.128.30 --dport 53 -j REJECT"));
  EXPECT_TRUE(Starting(Table(ruleset.text, "nat"), "-A KUBE-SERVICES -m comment --comment "
                                                   "\"shop/empty")
                  .empty());
}

TEST(IptablesRulesetTest, LargeClusterModeDropsPerEndpointComments) {
  SyntheticSet set = MakeSyntheticSet({.services = 101, .endpoints_per_service = 10});
  Ruleset ruleset = BuildIptablesRuleset(set.services, set.slices, Options());  // 1010 > 1000
  std::vector<std::string> nat = Table(ruleset.text, "nat");
  const std::string svc = IptablesServiceChain("bench/svc-0:http", "tcp");
  std::vector<std::string> rules = Starting(nat, "-A " + svc + " ");
  ASSERT_EQ(rules.size(), 11u);
  EXPECT_EQ(rules[1].find("--comment"), std::string::npos);
  EXPECT_NE(rules[1].find("--probability 0.1000000000"), std::string::npos);
  EXPECT_TRUE(Contains(nat, "-A KUBE-SERVICES -m comment --comment \"bench/svc-0:http cluster "
                            "IP\" -m tcp -p tcp -d 10.96.0.1 --dport 80 -j " + svc));
  EXPECT_EQ(ruleset.stats.endpoints, 1010u);

  RulesetOptions small = Options();
  small.large_cluster_mode = false;
  std::vector<std::string> commented = Starting(
      Table(BuildIptablesRuleset(set.services, set.slices, small).text, "nat"), "-A " + svc + " ");
  EXPECT_NE(commented[1].find("--comment \"bench/svc-0:http -> "), std::string::npos);
}

TEST(IptablesRulesetTest, Ipv6UsesTheIpv6AddressesOnly) {
  std::vector<model::Service> services = {
      MakeService("web", {"198.19.128.10", "fd00:96::10"}, {Port("http", Protocol::kTcp, 80)})};
  std::vector<model::EndpointSlice> slices = {
      MakeSlice("web-4", "web", AddressType::kIPv4, {SlicePort("http", Protocol::kTcp, 8080)},
                {MakeEndpoint("198.18.1.2", "node1", kReady)}),
      MakeSlice("web-6", "web", AddressType::kIPv6, {SlicePort("http", Protocol::kTcp, 8080)},
                {MakeEndpoint("fd00:18:1::2", "node1", kReady)})};
  std::string v6 = BuildIptablesRuleset(services, slices, Options(), IpFamily::kV6).text;
  EXPECT_EQ(v6.find("198.1"), std::string::npos);
  std::vector<std::string> nat = Table(v6, "nat");
  EXPECT_TRUE(Contains(nat, "-A " + IptablesEndpointChain("shop/web:http", "tcp",
                                                          "[fd00:18:1::2]:8080") +
                                " -m comment --comment shop/web:http -m tcp -p tcp -j DNAT "
                                "--to-destination [fd00:18:1::2]:8080"));
  EXPECT_NE(nat.back().find("! -d ::1/128 -j KUBE-NODEPORTS"), std::string::npos);
  // No kubelet localhost guard for IPv6.
  EXPECT_EQ(v6.find("block incoming localnet"), std::string::npos);
}

TEST(NftablesRulesetTest, ServiceChainsMapsAndNumgen) {
  std::vector<model::Service> services = {
      MakeService("web", {"198.19.128.10"}, {Port("http", Protocol::kTcp, 80)})};
  auto slices = SliceOf("web", {"198.18.2.2", "198.18.1.2", "198.18.3.2"}, 8080);
  RulesetOptions options = Options();
  options.service_cidrs = {*IpPrefix::Parse("198.19.128.0/17")};
  Ruleset ruleset = BuildNftablesRuleset(services, slices, options);
  std::vector<std::string> lines = Lines(ruleset.text);

  EXPECT_EQ(lines[0], "add table ip kube-proxy");
  EXPECT_EQ(lines[1], "delete table ip kube-proxy");
  const std::string service = "service-" + NftServiceChainBase({"shop", "web"}, "http", "tcp");
  auto endpoint = [](const char* ep) {
    return "endpoint-" + NftEndpointChainBase({"shop", "web"}, "http", "tcp", ep);
  };
  EXPECT_TRUE(Contains(lines, "add chain ip kube-proxy " + service));
  EXPECT_TRUE(Contains(lines, "add element ip kube-proxy service-ips { 198.19.128.10 . tcp . 80 "
                              ": goto " + service + " }"));
  EXPECT_TRUE(Contains(lines, "add element ip kube-proxy cluster-ips { 198.19.128.10 }"));
  EXPECT_TRUE(Contains(lines, "add rule ip kube-proxy " + service + " ip daddr 198.19.128.10 ip "
                              "saddr != 198.18.0.0/16 jump mark-for-masquerade"));
  EXPECT_TRUE(Contains(lines, "add rule ip kube-proxy " + service + " numgen random mod 3 vmap { "
                              "0 : goto " + endpoint("198.18.1.2:8080") + " , 1 : goto " +
                              endpoint("198.18.2.2:8080") + " , 2 : goto " +
                              endpoint("198.18.3.2:8080") + " }"));
  EXPECT_TRUE(Contains(lines, "add rule ip kube-proxy " + endpoint("198.18.2.2:8080") +
                              " meta l4proto tcp dnat to 198.18.2.2:8080"));
  EXPECT_TRUE(Contains(lines, "add rule ip kube-proxy nat-prerouting jump services"));
  EXPECT_TRUE(Contains(lines, "add rule ip kube-proxy nat-output jump services"));
  EXPECT_TRUE(Contains(lines, "add rule ip kube-proxy nat-postrouting jump masquerading"));
  EXPECT_TRUE(Contains(lines, "add rule ip kube-proxy masquerading masquerade fully-random"));
  EXPECT_TRUE(Contains(lines, "add rule ip kube-proxy services ip daddr @nodeport-ips meta "
                              "l4proto . th dport vmap @service-nodeports"));
  EXPECT_TRUE(Contains(lines, "add element ip kube-proxy nodeport-ips { 198.19.0.1 }"));
  EXPECT_TRUE(Contains(lines, "add rule ip kube-proxy cluster-ips-check ip daddr { "
                              "198.19.128.0/17 } drop comment \"Drop traffic to unallocated "
                              "ClusterIPs\""));
  // Every chain is created before a rule or map element names it.
  auto first = [&](const std::string& needle) {
    for (size_t i = 0; i < lines.size(); ++i)
      if (lines[i].find(needle) != std::string::npos) return i;
    return lines.size();
  };
  EXPECT_LT(first("add chain ip kube-proxy " + endpoint("198.18.3.2:8080")), first("numgen"));
  EXPECT_EQ(ruleset.stats.endpoints, 3u);
}

TEST(NftablesRulesetTest, NoEndpointsGoToTheRejectChain) {
  std::vector<model::Service> services = {
      MakeService("empty", {"198.19.128.30"}, {Port("http", Protocol::kTcp, 80)})};
  std::vector<std::string> lines = Lines(BuildNftablesRuleset(services, {}, Options()).text);
  EXPECT_TRUE(Contains(lines, "add element ip kube-proxy no-endpoint-services { 198.19.128.30 . "
                              "tcp . 80 comment \"shop/empty:http\" : goto reject-chain }"));
}

TEST(NftablesRulesetTest, Ipv6TableAndCleanup) {
  std::vector<model::Service> services = {
      MakeService("web", {"fd00:96::10"}, {Port("http", Protocol::kTcp, 80)})};
  std::vector<model::EndpointSlice> slices = {
      MakeSlice("web-6", "web", AddressType::kIPv6, {SlicePort("http", Protocol::kTcp, 8080)},
                {MakeEndpoint("fd00:18:1::2", "node1", kReady)})};
  std::string text = BuildNftablesRuleset(services, slices, Options(), IpFamily::kV6).text;
  EXPECT_NE(text.find("add element ip6 kube-proxy service-ips { fd00:96::10 . tcp . 80 : goto"),
            std::string::npos);
  EXPECT_NE(text.find("dnat to [fd00:18:1::2]:8080"), std::string::npos);
  EXPECT_NE(text.find("__fd00.18.1..2/8080"), std::string::npos);
  EXPECT_EQ(NftablesCleanupInput(IpFamily::kV6),
            "add table ip6 kube-proxy\ndelete table ip6 kube-proxy\n");
}

TEST(CleanupTest, RemovesKubeChainsAndTheirJumpsOnly) {
  const std::string save = R"(# Generated by iptables-save v1.8.9
*filter
:INPUT ACCEPT [0:0]
:KUBE-FORWARD - [0:0]
-A INPUT -s 10.9.9.9/32 -j DROP
-A INPUT -m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS
-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:KUBE-SERVICES - [0:0]
:KUBE-SVC-XPGD46QRK7WJZT7O - [0:0]
-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A KUBE-SERVICES -d 10.0.0.1/32 -j KUBE-SVC-XPGD46QRK7WJZT7O
COMMIT
*mangle
:PREROUTING ACCEPT [0:0]
COMMIT
)";
  EXPECT_EQ(IptablesCleanupInput(save),
            "*filter\n"
            ":KUBE-FORWARD - [0:0]\n"
            "-D INPUT -m comment --comment \"kubernetes health check service ports\" -j "
            "KUBE-NODEPORTS\n"
            "-X KUBE-FORWARD\n"
            "COMMIT\n"
            "*nat\n"
            ":KUBE-SERVICES - [0:0]\n"
            ":KUBE-SVC-XPGD46QRK7WJZT7O - [0:0]\n"
            "-D PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES\n"
            "-X KUBE-SERVICES\n"
            "-X KUBE-SVC-XPGD46QRK7WJZT7O\n"
            "COMMIT\n");
  EXPECT_EQ(IptablesCleanupInput("*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n"), "");
}

TEST(ReachabilityExpectationTest, ClusterIpFrontendsWithTheirEndpoints) {
  std::vector<model::Service> services = {
      MakeService("web", {"198.19.128.10"}, {Port("http", Protocol::kTcp, 80)}),
      MakeService("empty", {"198.19.128.11"}, {Port("http", Protocol::kTcp, 80)})};
  auto slices = SliceOf("web", {"198.18.1.2", "198.18.2.2"}, 8080);
  std::vector<FrontendExpectation> want = ExpectedClusterIpReachability(services, slices, Options());
  ASSERT_EQ(want.size(), 1u);
  EXPECT_EQ(want[0].service, "shop/web:http");
  EXPECT_EQ(want[0].frontend, "198.19.128.10:80");
  EXPECT_EQ(want[0].backends, (std::set<std::string>{"198.18.1.2:8080", "198.18.2.2:8080"}));
}

TEST(SyntheticSetTest, ScaleRulesetCounts) {
  SyntheticSet set = MakeSyntheticSet({.services = 1000, .endpoints_per_service = 10});
  Ruleset ipt = BuildIptablesRuleset(set.services, set.slices, Options());
  EXPECT_EQ(ipt.stats.service_ports, 1000u);
  EXPECT_EQ(ipt.stats.endpoints, 10000u);
  // Per Service: KUBE-SVC + 10 KUBE-SEP chains; per endpoint 2 SEP rules + 1 SVC rule,
  // + the KUBE-SERVICES jump and the masquerade rule per Service.
  EXPECT_EQ(Starting(Table(ipt.text, "nat"), ":KUBE-SEP-").size(), 10000u);
  EXPECT_EQ(Starting(Table(ipt.text, "nat"), "-A KUBE-SERVICES ").size(), 1001u);
  Ruleset nft = BuildNftablesRuleset(set.services, set.slices, Options());
  EXPECT_EQ(nft.stats.endpoints, 10000u);
  // Two rules per service chain, plus the one of the service-endpoints-check chain.
  EXPECT_EQ(Starting(Lines(nft.text), "add rule ip kube-proxy service-").size(), 2001u);
}

}  // namespace
}  // namespace sluice::kubeproxy
