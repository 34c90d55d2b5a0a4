// kube-proxy's names, checked two ways: against values computed here independently
// (the openssl and base32 command-line tools, not our code), and against the chain names
// kube-proxy's own tests expect for the same inputs (pkg/proxy/iptables/proxier_test.go,
// pkg/proxy/nftables/proxier_test.go).
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <memory>
#include <string>

#include "bench/kubeproxy/kube_proxy_rules.h"

namespace sluice::kubeproxy {
namespace {

// base32(sha256(text)) cut to `chars`, by `openssl dgst -sha256 -binary | base32`; "" when
// the tools are not installed.
std::string ToolHash(const std::string& text, size_t chars) {
  std::string command = "printf '%s' '" + text +
                        "' | openssl dgst -sha256 -binary 2>/dev/null | base32 -w0 2>/dev/null";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) return {};
  std::array<char, 256> buffer{};
  std::string out;
  while (fgets(buffer.data(), buffer.size(), pipe.get()) != nullptr) out += buffer.data();
  if (out.size() < chars) return {};
  return out.substr(0, chars);
}

TEST(ChainNamesTest, ServicePortNameIsNamespaceNameAndPortName) {
  EXPECT_EQ(ServicePortName({"ns1", "svc1"}, "p80"), "ns1/svc1:p80");
  EXPECT_EQ(ServicePortName({"ns1", "svc1"}, ""), "ns1/svc1");
  EXPECT_EQ(LowerProtocol(model::Protocol::kTcp), "tcp");
  EXPECT_EQ(LowerProtocol(model::Protocol::kUdp), "udp");
  EXPECT_EQ(EndpointString(*IpAddress::Parse("10.180.0.1"), 80), "10.180.0.1:80");
  EXPECT_EQ(EndpointString(*IpAddress::Parse("fd00::1"), 80), "[fd00::1]:80");
}

TEST(ChainNamesTest, IptablesHashesMatchAnIndependentComputation) {
  std::string expected = ToolHash("ns1/svc1:p80tcp", 16);
  if (expected.empty()) GTEST_SKIP() << "openssl/base32 tools not available";
  EXPECT_EQ(PortProtoHash("ns1/svc1:p80", "tcp"), expected);
  EXPECT_EQ(IptablesServiceChain("ns1/svc1:p80", "tcp"), "KUBE-SVC-" + expected);
  EXPECT_EQ(IptablesLocalChain("ns1/svc1:p80", "tcp"), "KUBE-SVL-" + expected);
  EXPECT_EQ(IptablesExternalChain("ns1/svc1:p80", "tcp"), "KUBE-EXT-" + expected);
  EXPECT_EQ(IptablesFirewallChain("ns1/svc1:p80", "tcp"), "KUBE-FW-" + expected);
  EXPECT_EQ(IptablesEndpointChain("ns1/svc1:p80", "tcp", "10.180.0.1:80"),
            "KUBE-SEP-" + ToolHash("ns1/svc1:p80tcp10.180.0.1:80", 16));
  EXPECT_EQ(IptablesServiceChain("default/kubernetes:https", "udp"),
            "KUBE-SVC-" + ToolHash("default/kubernetes:httpsudp", 16));
  EXPECT_EQ(IptablesServiceChain("a/b", "tcp"), "KUBE-SVC-" + ToolHash("a/btcp", 16));
}

TEST(ChainNamesTest, IptablesNamesAreTheOnesKubeProxysTestsExpect) {
  EXPECT_EQ(IptablesServiceChain("ns1/svc1:p80", "tcp"), "KUBE-SVC-XPGD46QRK7WJZT7O");
  EXPECT_EQ(IptablesEndpointChain("ns1/svc1:p80", "tcp", "10.180.0.1:80"),
            "KUBE-SEP-SXIVWICOYRO3J4NJ");
  EXPECT_EQ(IptablesExternalChain("ns2/svc2:p80", "tcp"), "KUBE-EXT-GNZBNJ2PO5MGZ6GT");
  EXPECT_EQ(IptablesServiceChain("ns3/svc3:p80", "tcp"), "KUBE-SVC-X27LE4BHSL4DOUIK");
  EXPECT_EQ(IptablesServiceChain("ns4/svc4:p80", "tcp"), "KUBE-SVC-4SW47YFZTEDKD3PK");
  EXPECT_EQ(IptablesFirewallChain("ns5/svc5:p80", "tcp"), "KUBE-FW-NUKIZ6OKUXPJNT4C");
  EXPECT_EQ(IptablesEndpointChain("ns2/svc2:p80", "tcp", "10.180.0.2:80"),
            "KUBE-SEP-RS4RBKLTHTF2IUXJ");
}

TEST(ChainNamesTest, NftablesNamesMatchAnIndependentComputationAndKubeProxysTests) {
  std::string service = NftServiceChainBase({"ns1", "svc1"}, "p80", "tcp");
  std::string endpoint = NftEndpointChainBase({"ns1", "svc1"}, "p80", "tcp", "10.180.0.1:80");
  EXPECT_EQ(service, "ULMVA6XW-ns1/svc1/tcp/p80");
  EXPECT_EQ(endpoint, "5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80");
  EXPECT_EQ(NftServiceChainBase({"ns5", "svc5"}, "p80", "tcp"), "HVFWP5L3-ns5/svc5/tcp/p80");
  EXPECT_EQ(NftEndpointChainBase({"ns4", "svc4"}, "p80", "tcp", "10.180.0.5:80"),
            "5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80");

  std::string v6 = NftEndpointChainBase({"ns1", "svc1"}, "p80", "tcp", "[fd00:10:180::1]:80");
  EXPECT_EQ(v6.substr(9), "ns1/svc1/tcp/p80__fd00.10.180..1/80");
  std::string tool = ToolHash("ns1/svc1/tcp/p80__fd00.10.180..1/80", 8);
  if (tool.empty()) GTEST_SKIP() << "openssl/base32 tools not available";
  EXPECT_EQ(v6.substr(0, 8), tool);
  EXPECT_EQ(service.substr(0, 8), ToolHash("ns1/svc1/tcp/p80", 8));
}

TEST(ChainNamesTest, LongNftablesNamesAreTruncatedTo240) {
  std::string long_name(63, 'n');
  std::string base = NftEndpointChainBase({long_name, long_name}, long_name, "sctp",
                                          "[fd00:1111:2222:3333:4444:5555:6666:7777]:65535");
  EXPECT_EQ(base.size(), 240u);
  EXPECT_EQ(base.substr(base.size() - 3), "...");
}

TEST(ChainNamesTest, ProbabilitiesAreFormattedAsKubeProxyDoes) {
  EXPECT_EQ(StatisticProbability(1), "1.0000000000");
  EXPECT_EQ(StatisticProbability(2), "0.5000000000");
  EXPECT_EQ(StatisticProbability(3), "0.3333333333");
  EXPECT_EQ(StatisticProbability(6), "0.1666666667");
  EXPECT_EQ(StatisticProbability(7), "0.1428571429");
  EXPECT_EQ(StatisticProbability(10), "0.1000000000");
}

TEST(ChainNamesTest, MasqueradeMarkIsGoHashZeroEightX) {
  EXPECT_EQ(MasqueradeMark(14), "0x00004000");
  EXPECT_EQ(MasqueradeMark(0), "0x00000001");
}

}  // namespace
}  // namespace sluice::kubeproxy
