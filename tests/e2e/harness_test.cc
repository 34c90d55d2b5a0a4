// Self-test of the end-to-end harness and traffic tools, with no sluice in the path:
// every backend must answer direct traffic from the node under its own name, over
// TCP and UDP, IPv4 and IPv6, and the run must leave nothing behind.
#include <gtest/gtest.h>
#include <unistd.h>

#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "e2e/harness/harness.h"

namespace sluice::e2e {
namespace {

constexpr uint16_t kEchoPort = 8080;
constexpr int kAttemptsPerBackend = 3;

struct Flavor {
  const char* proto;     // "tcp" / "udp"
  const char* udp_mode;  // ignored by the probe for tcp
  bool ipv6;
  std::string Label() const {
    std::string label = std::string(proto) == "tcp" ? "TCP" : "UDP";
    if (label == "UDP") label += std::string("(") + udp_mode + ")";
    return label + (ipv6 ? "/IPv6" : "/IPv4");
  }
};

std::string Endpoint(const std::string& address, uint16_t port) {
  return address.find(':') != std::string::npos ? "[" + address + "]:" + std::to_string(port)
                                                : address + ":" + std::to_string(port);
}

// What `ip netns list` shows of a run, straight from iproute2 rather than the script.
std::vector<std::string> NamespacesOfRun(const std::string& run_id) {
  const CommandResult list = RunCommand({"ip", "netns", "list"}, std::chrono::seconds(10));
  std::vector<std::string> found;
  std::istringstream in(list.out);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("sl-" + run_id + "-")) found.push_back(line.substr(0, line.find(' ')));
  }
  return found;
}

TEST(E2eHarness, EveryBackendAnswersFromTheNodeOverTcpAndUdpOnBothFamilies) {
  SLUICE_E2E_REQUIRE_ROOT();
  std::string run_id, cgroup, run_dir;
  {
    Topology topology;
    run_id = topology.run_id();
    cgroup = topology.cgroup_path();
    run_dir = topology.run_dir();
    ASSERT_EQ(topology.backends().size(), 3u);
    ASSERT_EQ(access(cgroup.c_str(), F_OK), 0) << "run cgroup " << cgroup << " missing";
    std::vector<Process> servers = StartEchoServers(topology, kEchoPort);

    const std::vector<Flavor> flavors = {
        {"tcp", "connected", false}, {"tcp", "connected", true},    {"udp", "connected", false},
        {"udp", "connected", true},  {"udp", "unconnected", false}, {"udp", "unconnected", true}};
    for (const Flavor& flavor : flavors) {
      int backends_ok = 0;
      for (const BackendInfo& backend : topology.backends()) {
        const std::string target = Endpoint(flavor.ipv6 ? backend.ipv6 : backend.ipv4, kEchoPort);
        const std::string node_side = flavor.ipv6 ? backend.gateway_ipv6 : backend.gateway_ipv4;
        const ProbeResult result = RunProbe({.netns = topology.node().netns,
                                             .target = target,
                                             .proto = flavor.proto,
                                             .count = kAttemptsPerBackend,
                                             .udp_mode = flavor.udp_mode,
                                             .cgroup = cgroup});
        SCOPED_TRACE(flavor.Label() + " to " + backend.name + " at " + target + ": " +
                     result.Describe());
        EXPECT_EQ(result.exit_status, 0);
        EXPECT_EQ(result.successes, kAttemptsPerBackend);
        // The backend names itself, the app sees the backend as its peer, and the
        // backend sees the node side of its veth as the client.
        EXPECT_EQ(result.backends,
                  (std::map<std::string, int>{{backend.name, kAttemptsPerBackend}}));
        EXPECT_EQ(result.peers_seen, (std::map<std::string, int>{{target, kAttemptsPerBackend}}));
        EXPECT_EQ(result.backend_saw_client,
                  (std::map<std::string, int>{{node_side, kAttemptsPerBackend}}));
        EXPECT_EQ(result.backend_local_addr,
                  (std::map<std::string, int>{{target, kAttemptsPerBackend}}));
        if (result.successes == kAttemptsPerBackend && result.backends.size() == 1 &&
            result.backends.begin()->first == backend.name &&
            result.peers_seen.begin()->first == target) {
          ++backends_ok;
        }
      }
      std::cout << backends_ok << " of " << topology.backends().size() << " backends answered "
                << kAttemptsPerBackend << " of " << kAttemptsPerBackend << " probes over "
                << flavor.Label() << " with their own name and address\n";
      EXPECT_EQ(backends_ok, static_cast<int>(topology.backends().size())) << flavor.Label();
    }
  }
  EXPECT_EQ(NamespacesOfRun(run_id), std::vector<std::string>{})
      << "namespaces of run " << run_id << " remain";
  EXPECT_NE(access(cgroup.c_str(), F_OK), 0) << "cgroup " << cgroup << " remains";
  EXPECT_NE(access(run_dir.c_str(), F_OK), 0) << "run dir " << run_dir << " remains";
  std::cout << "run " << run_id << " left no namespace, cgroup or run dir behind\n";
}

TEST(E2eHarness, HeldFlowsKeepTheirBackendForTheirWholeLife) {
  SLUICE_E2E_REQUIRE_ROOT();
  Topology topology({.backends = 1});
  const BackendInfo& backend = topology.backends().at(0);
  Process server = StartEchoServer(topology, backend, kEchoPort);
  for (const char* proto : {"tcp", "udp"}) {
    const ProbeResult result = RunProbe({.netns = topology.node().netns,
                                         .target = Endpoint(backend.ipv4, kEchoPort),
                                         .proto = proto,
                                         .hold_seconds = 1});
    SCOPED_TRACE(std::string(proto) + " hold: " + result.Describe());
    // TCP: the "hold" handshake plus one request per 100 ms; UDP: one datagram per 100 ms.
    const int expected = std::string(proto) == "tcp" ? 11 : 10;
    EXPECT_EQ(result.attempts, expected);
    EXPECT_EQ(result.successes, expected);
    EXPECT_EQ(result.backends, (std::map<std::string, int>{{backend.name, expected}}));
    EXPECT_EQ(result.json["hold"]["broken"], false);
    std::cout << proto << " flow held for 1 s: " << result.successes << " of " << result.attempts
              << " requests answered, all by " << backend.name << "\n";
  }
}

TEST(E2eHarness, TwoNodesAndAnExternalClientFollowTheAddressPlan) {
  SLUICE_E2E_REQUIRE_ROOT();
  Topology topology({.nodes = 2, .backends_per_node = 1, .external = true});
  ASSERT_EQ(topology.backends().size(), 2u);
  ASSERT_TRUE(topology.external().has_value());
  const BackendInfo& remote = topology.backends().at(1);
  ASSERT_EQ(remote.node, 2);
  Process server = StartEchoServer(topology, remote, kEchoPort);

  // node1 reaches a backend of node2 across the fabric, from its node IP.
  for (bool ipv6 : {false, true}) {
    const std::string target = Endpoint(ipv6 ? remote.ipv6 : remote.ipv4, kEchoPort);
    const ProbeResult result = RunProbe({.netns = topology.node(1).netns, .target = target});
    const std::string node1_ip = ipv6 ? topology.node(1).ipv6 : topology.node(1).ipv4;
    EXPECT_EQ(result.backends, (std::map<std::string, int>{{remote.name, 1}})) << result.Describe();
    EXPECT_EQ(result.backend_saw_client, (std::map<std::string, int>{{node1_ip, 1}}))
        << result.Describe();
    std::cout << "node1 reached " << remote.name << " on node2 at " << target << " from "
              << node1_ip << "\n";
  }

  // The external client reaches node2's IP through node1, but has no route to backends.
  Process node2_server(
      topology.node(2).netns,
      {EchoServerPath(), "--name", "node2", "--listen", Endpoint(topology.node(2).ipv4, kEchoPort),
       "--ready-file", topology.LogPath("node2.ready")},
      topology.LogPath("echo-node2"));
  ASSERT_TRUE(WaitForFile(topology.LogPath("node2.ready"), std::chrono::seconds(5)))
      << node2_server.Stderr();
  const ProbeResult via_node1 = RunProbe(
      {.netns = topology.external()->netns, .target = Endpoint(topology.node(2).ipv4, kEchoPort)});
  EXPECT_EQ(via_node1.backends, (std::map<std::string, int>{{"node2", 1}})) << via_node1.Describe();
  EXPECT_EQ(via_node1.backend_saw_client,
            (std::map<std::string, int>{{topology.external()->ipv4, 1}}))
      << via_node1.Describe();

  const ProbeResult to_backend =
      RunProbe({.netns = topology.external()->netns, .target = Endpoint(remote.ipv4, kEchoPort)});
  EXPECT_EQ(to_backend.failures, (std::map<std::string, int>{{"ENETUNREACH", 1}}))
      << to_backend.Describe();

  // An untranslated ClusterIP fails at once on a node: nothing routes the VIP range.
  const ProbeResult to_vip =
      RunProbe({.netns = topology.node(1).netns, .target = "198.19.128.10:80"});
  EXPECT_EQ(to_vip.failures, (std::map<std::string, int>{{"ENETUNREACH", 1}})) << to_vip.Describe();
  std::cout
      << "external client reached node2 via node1; backend and ClusterIP unreachable as planned ("
      << FormatCounts(to_backend.failures) << ", " << FormatCounts(to_vip.failures) << ")\n";
}

}  // namespace
}  // namespace sluice::e2e
