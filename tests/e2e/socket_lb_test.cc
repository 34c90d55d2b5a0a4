// ClusterIP through the socket hooks, end to end: the agent programs the maps from a
// manifests directory, real TCP/UDP clients in the run's cgroup connect to VIPs, real
// servers in backend namespaces answer with their names.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <iostream>
#include <set>
#include <thread>

#include "e2e/harness/agent.h"
#include "e2e/harness/harness.h"
#include "e2e/harness/manifests.h"

namespace sluice::e2e {
namespace {

using namespace std::chrono_literals;

constexpr uint16_t kEchoPort = 8080;
const char* kWebV4 = "198.19.128.10";
const char* kWebV6 = "fd00:96::10";

std::string HostPort(const std::string& ip, int port) {
  return ip.find(':') != std::string::npos ? "[" + ip + "]:" + std::to_string(port)
                                            : ip + ":" + std::to_string(port);
}

// A line for the issue note: what was tried and what happened.
void Report(const std::string& test, const std::string& what) {
  std::cout << "REPORT: " << test << ": " << what << std::endl;
}

class SocketLbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SLUICE_E2E_REQUIRE_ROOT();
    topology_ = std::make_unique<Topology>();
    servers_ = StartEchoServers(*topology_, kEchoPort);
    manifests_ = topology_->work_dir() + "/manifests";
    mkdir(manifests_.c_str(), 0755);
  }

  void TearDown() override {
    agent_.reset();
    servers_.clear();
    topology_.reset();
  }

  const Topology& topo() const { return *topology_; }
  std::string Path(const std::string& file) const { return manifests_ + "/" + file; }

  // Service "web": dual stack, http (TCP 80 -> named port "http") and dns (UDP 53 ->
  // named port "dns"), backed by the given backends (1-based) on both families.
  void WriteWeb(const std::vector<int>& backends, const std::string& file = "web.yaml") {
    ServiceSpec svc{.name = "web",
                    .cluster_ips = {kWebV4, kWebV6},
                    .ports = {{.name = "http", .protocol = "TCP", .port = 80, .target_port = "http"},
                              {.name = "dns", .protocol = "UDP", .port = 53, .target_port = "dns"}}};
    std::vector<std::string> docs = {ServiceYaml(svc)};
    for (const char* family : {"IPv4", "IPv6"}) {
      SliceSpec slice{.name = std::string("web-") + (family[3] == '4' ? "v4" : "v6"),
                      .service = "web",
                      .address_type = family,
                      .ports = {{"http", kEchoPort}, {"dns", kEchoPort}},
                      .udp_port_names = {"dns"}};
      for (int b : backends) {
        const BackendInfo& be = topo().backends().at(static_cast<size_t>(b - 1));
        slice.endpoints.push_back({.address = family[3] == '4' ? be.ipv4 : be.ipv6});
      }
      docs.push_back(SliceYaml(slice));
    }
    WriteFileAtomically(Path(file), Documents(docs));
  }

  // A single-port IPv4 Service with all backends.
  void WriteSimple(const std::string& name, const std::string& vip, const std::string& file) {
    ServiceSpec svc{.name = name, .cluster_ips = {vip}, .ports = {{.name = "http", .port = 80, .target_port = "8080"}}};
    SliceSpec slice{.name = name + "-1", .service = name, .ports = {{"http", kEchoPort}}};
    for (const auto& be : topo().backends()) slice.endpoints.push_back({.address = be.ipv4});
    WriteFileAtomically(Path(file), Documents({ServiceYaml(svc), SliceYaml(slice)}));
  }

  void StartAgent(std::vector<std::string> extra = {}, const std::string& log = "agent") {
    agent_ = std::make_unique<Agent>(topo(), AgentOptions{.manifests_dir = manifests_, .extra_flags = extra}, log);
  }

  ProbeResult Probe(const std::string& target, const char* proto, int count,
                    const char* udp_mode = "connected") {
    return RunProbe({.netns = topo().node().netns,
                     .target = target,
                     .proto = proto,
                     .count = count,
                     .timeout_ms = 1000,
                     .udp_mode = udp_mode,
                     .cgroup = topo().cgroup_path()});
  }

  // Backends of the frontend with this address/port/protocol, as the maps hold them.
  std::set<std::string> MapBackends(const std::string& ip, int port, model::Protocol proto) {
    std::set<std::string> out;
    for (const auto& fe : ReadMaps(topo()).frontends)
      if (fe.key.address.ToString() == ip && fe.key.port == port && fe.key.protocol == proto)
        for (const auto& b : fe.backends) out.insert(b.backend.address.ToString());
    return out;
  }

  std::unique_ptr<Topology> topology_;
  std::vector<Process> servers_;
  std::string manifests_;
  std::unique_ptr<Agent> agent_;
};

std::map<std::string, int> AllFrom(const std::string& peer, int n) { return {{peer, n}}; }

TEST_F(SocketLbTest, TcpAndUdpOverBothFamiliesReachAllThreeBackendsAndSeeTheVip) {
  WriteWeb({1, 2, 3});
  StartAgent();
  struct Case {
    const char* label;
    std::string target;
    const char* proto;
    const char* udp_mode;
  };
  const std::vector<Case> cases = {
      {"TCP/IPv4", HostPort(kWebV4, 80), "tcp", "connected"},
      {"TCP/IPv6", HostPort(kWebV6, 80), "tcp", "connected"},
      {"UDP connected/IPv4", HostPort(kWebV4, 53), "udp", "connected"},
      {"UDP unconnected/IPv4", HostPort(kWebV4, 53), "udp", "unconnected"},
      {"UDP connected/IPv6", HostPort(kWebV6, 53), "udp", "connected"},
      {"UDP unconnected/IPv6", HostPort(kWebV6, 53), "udp", "unconnected"},
  };
  constexpr int kCount = 60;
  for (const Case& c : cases) {
    ProbeResult r = Probe(c.target, c.proto, kCount, c.udp_mode);
    SCOPED_TRACE(std::string(c.label) + ": " + r.Describe());
    EXPECT_EQ(r.successes, kCount);
    EXPECT_EQ(r.backends.size(), 3u) << "every backend should get traffic";
    // getpeername() (TCP) and the reply source (UDP) show the VIP, not the backend.
    EXPECT_EQ(r.peers_seen, AllFrom(c.target, kCount));
    Report("socket_lb", std::string(c.label) + " to " + c.target + ": " + std::to_string(r.successes) +
                            " of " + std::to_string(r.attempts) + " answered by " +
                            std::to_string(r.backends.size()) + " backends " + FormatCounts(r.backends) +
                            ", peer seen " + FormatCounts(r.peers_seen));
  }
}

TEST_F(SocketLbTest, AV4MappedDestinationOnADualStackSocketIsTranslated) {
  WriteWeb({1, 2, 3});
  StartAgent();
  const std::string mapped = HostPort(std::string("::ffff:") + kWebV4, 80);
  ProbeResult r = Probe(mapped, "tcp", 30);
  SCOPED_TRACE(r.Describe());
  EXPECT_EQ(r.successes, 30);
  EXPECT_EQ(r.backends.size(), 3u);
  EXPECT_EQ(r.peers_seen, AllFrom(mapped, 30));
}

TEST_F(SocketLbTest, NamedAndNumericTargetPortsOfAMultiPortService) {
  std::vector<Process> alt;
  for (const auto& be : topo().backends()) alt.push_back(StartEchoServer(topo(), be, 9090));
  ServiceSpec svc{.name = "multi",
                  .cluster_ips = {"198.19.128.20"},
                  .ports = {{.name = "web", .port = 80, .target_port = "web"},
                            {.name = "admin", .port = 81, .target_port = "9090"}}};
  SliceSpec slice{.name = "multi-1", .service = "multi", .ports = {{"web", 8080}, {"admin", 9090}}};
  for (const auto& be : topo().backends()) slice.endpoints.push_back({.address = be.ipv4});
  WriteFileAtomically(Path("multi.yaml"), Documents({ServiceYaml(svc), SliceYaml(slice)}));
  StartAgent();
  for (int port : {80, 81}) {
    ProbeResult r = Probe(HostPort("198.19.128.20", port), "tcp", 30);
    SCOPED_TRACE(r.Describe());
    EXPECT_EQ(r.successes, 30);
    EXPECT_EQ(r.backends.size(), 3u);
    // The backend saw the request on the port the EndpointSlice names.
    for (const auto& [local, n] : r.backend_local_addr)
      EXPECT_TRUE(local.ends_with(port == 80 ? ":8080" : ":9090")) << local;
  }
}

TEST_F(SocketLbTest, ARemovedEndpointGetsNoNewConnectionsWithinASecond) {
  WriteWeb({1, 2, 3});
  StartAgent();
  const auto& be3 = topo().backends().at(2);
  ASSERT_EQ(MapBackends(kWebV4, 80, model::Protocol::kTcp).size(), 3u);

  const auto written = std::chrono::steady_clock::now();
  WriteWeb({1, 2});
  auto took = WaitUntil([&] { return MapBackends(kWebV4, 80, model::Protocol::kTcp).size() == 2; }, 1000ms);
  ASSERT_TRUE(took) << "the maps still list be3 a second after the manifest changed\n" << agent_->Log();
  ProbeResult r = Probe(HostPort(kWebV4, 80), "tcp", 100);
  const auto probed = std::chrono::steady_clock::now();
  SCOPED_TRACE(r.Describe());
  EXPECT_EQ(r.successes, 100);
  EXPECT_EQ(r.backends.count(be3.name), 0u) << "the removed endpoint still got connections";
  EXPECT_EQ(r.backends.size(), 2u);
  Report("endpoint_removal",
         "manifest written -> maps without be3 in " + std::to_string(took->count()) + " us; then " +
             std::to_string(r.successes) + "/" + std::to_string(r.attempts) + " connections, " +
             FormatCounts(r.backends) + " (none to be3), finished " +
             std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(probed - written).count()) +
             " ms after the change");
}

TEST_F(SocketLbTest, AServiceWithNoEndpointsRefusesWithEconnrefused) {
  WriteWeb({});
  StartAgent();
  for (const char* proto : {"tcp", "udp"}) {
    ProbeResult r = Probe(HostPort(kWebV4, proto[0] == 't' ? 80 : 53), proto, 10);
    SCOPED_TRACE(r.Describe());
    EXPECT_EQ(r.successes, 0);
    EXPECT_EQ(r.failures, (std::map<std::string, int>{{"ECONNREFUSED", 10}}));
    Report("no_endpoints", std::string(proto) + ": 10 attempts, failures " + FormatCounts(r.failures));
  }
  ProbeResult v6 = Probe(HostPort(kWebV6, 80), "tcp", 5);
  EXPECT_EQ(v6.failures, (std::map<std::string, int>{{"ECONNREFUSED", 5}})) << v6.Describe();
}

TEST_F(SocketLbTest, ServicesKeepWorkingWhileTheAgentIsDown) {
  WriteWeb({1, 2, 3});
  StartAgent();
  agent_->Kill();
  ProbeResult tcp = Probe(HostPort(kWebV4, 80), "tcp", 60);
  ProbeResult udp = Probe(HostPort(kWebV6, 53), "udp", 60);
  EXPECT_EQ(tcp.successes, 60) << tcp.Describe();
  EXPECT_EQ(tcp.backends.size(), 3u);
  EXPECT_EQ(udp.successes, 60) << udp.Describe();
  EXPECT_EQ(udp.peers_seen, AllFrom(HostPort(kWebV6, 53), 60));
  Report("agent_killed", "TCP " + std::to_string(tcp.successes) + "/60 and UDP/IPv6 " +
                             std::to_string(udp.successes) + "/60 answered with the agent killed (SIGKILL)");
}

TEST_F(SocketLbTest, ARestartPurgesOnlyTheServiceDeletedMeanwhile) {
  WriteWeb({1, 2, 3});
  WriteSimple("api", "198.19.128.30", "api.yaml");
  StartAgent();
  ASSERT_EQ(Probe(HostPort("198.19.128.30", 80), "tcp", 5).successes, 5);
  std::map<std::string, uint32_t> ids_before;
  for (const auto& fe : ReadMaps(topo()).frontends)
    if (fe.service == "default/web") ids_before[fe.key.ToString()] = fe.id;
  ASSERT_EQ(ids_before.size(), 4u);  // http and dns, IPv4 and IPv6

  agent_->Stop();
  std::remove(Path("api.yaml").c_str());
  // Still served from the pinned maps while the agent is down.
  EXPECT_EQ(Probe(HostPort("198.19.128.30", 80), "tcp", 5).successes, 5);
  StartAgent({}, "agent2");

  ProbeResult api = Probe(HostPort("198.19.128.30", 80), "tcp", 5);
  EXPECT_EQ(api.successes, 0) << api.Describe();
  EXPECT_EQ(api.failures.count("ENETUNREACH"), 1u) << "a deleted VIP is not translated any more";
  ProbeResult web = Probe(HostPort(kWebV4, 80), "tcp", 60);
  EXPECT_EQ(web.successes, 60) << web.Describe();
  std::map<std::string, uint32_t> ids_after;
  for (const auto& fe : ReadMaps(topo()).frontends) ids_after[fe.key.ToString()] = fe.id;
  EXPECT_EQ(ids_after, ids_before) << "web's frontends were rewritten, or api's were kept";
  EXPECT_NE(agent_->Log().find("frontends_written=0"), std::string::npos) << agent_->Log();
  Report("restart", "api gone after restart (" + FormatCounts(api.failures) + "), web untouched (same " +
                        std::to_string(ids_after.size()) + " frontend ids, 0 frontends rewritten), " +
                        std::to_string(web.successes) + "/60 answered");
}

TEST_F(SocketLbTest, AnInvalidObjectIsSkippedWithOneLogLineAndTheOthersWork) {
  WriteWeb({1, 2, 3});
  const std::string bad =
      "apiVersion: v1\nkind: Service\nmetadata: {name: broken, namespace: default}\n"
      "spec:\n  clusterIP: 198.19.128.40\n  ports:\n  - {name: a, protocol: TCP, port: 80}\n"
      "  - {name: b, protocol: TCP, port: 80}\n---\n"
      "apiVersion: v1\nkind: Service\nmetadata: {name: badip, namespace: default}\n"
      "spec:\n  clusterIP: 198.19.300.1\n  ports:\n  - {port: 80}\n";
  WriteFileAtomically(Path("bad.yaml"), bad);
  StartAgent();
  const std::string log = agent_->Log();
  EXPECT_NE(log.find("default/broken"), std::string::npos) << log;
  EXPECT_NE(log.find("duplicate port 80/TCP"), std::string::npos) << log;
  EXPECT_NE(log.find("default/badip"), std::string::npos) << log;
  ProbeResult r = Probe(HostPort(kWebV4, 80), "tcp", 30);
  EXPECT_EQ(r.successes, 30) << r.Describe();
  for (const auto& fe : ReadMaps(topo()).frontends) EXPECT_EQ(fe.service, "default/web");

  // web itself turns invalid (an unknown protocol): its last good version keeps serving.
  std::string web = ReadFile(Path("web.yaml"));
  web.replace(web.find("protocol: UDP"), 13, "protocol: XTCP");
  WriteFileAtomically(Path("web.yaml"), web);
  ASSERT_TRUE(WaitUntil([&] { return agent_->Log().find("unknown protocol") != std::string::npos; }, 2000ms))
      << agent_->Log();
  ProbeResult after = Probe(HostPort(kWebV4, 80), "tcp", 30);
  EXPECT_EQ(after.successes, 30) << after.Describe();
  EXPECT_EQ(after.backends.size(), 3u);
  Report("bad_input", "2 invalid Services skipped with a log line each; web turned invalid and kept serving: " +
                          std::to_string(after.successes) + "/30 to " + std::to_string(after.backends.size()) +
                          " backends");
}

TEST_F(SocketLbTest, AFullServicesMapRefusesNewFrontendsAndKeepsTheOthers) {
  WriteSimple("a", "198.19.128.51", "a.yaml");
  WriteSimple("b", "198.19.128.52", "b.yaml");
  StartAgent({"--lb-map-max", "2"});
  WriteSimple("c", "198.19.128.53", "c.yaml");
  auto logged = WaitUntil([&] { return agent_->Log().find("services map is full") != std::string::npos; }, 2000ms);
  ASSERT_TRUE(logged) << agent_->Log();
  EXPECT_NE(agent_->Log().find("default/c"), std::string::npos);
  EXPECT_EQ(ReadMaps(topo()).frontends.size(), 2u);
  EXPECT_EQ(Probe("198.19.128.51:80", "tcp", 10).successes, 10);
  EXPECT_EQ(Probe("198.19.128.52:80", "tcp", 10).successes, 10);
  ProbeResult c = Probe("198.19.128.53:80", "tcp", 3);
  EXPECT_EQ(c.successes, 0) << c.Describe();
}

TEST_F(SocketLbTest, HeadlessExternalNameAndOtherProxiesServicesAreIgnored) {
  const std::string docs =
      "apiVersion: v1\nkind: Service\nmetadata: {name: db, namespace: default}\n"
      "spec: {clusterIP: None, ports: [{port: 5432}]}\n---\n"
      "apiVersion: v1\nkind: Service\nmetadata: {name: legacy, namespace: default}\n"
      "spec: {type: ExternalName, externalName: legacy.example.test}\n---\n"
      "apiVersion: v1\nkind: Service\nmetadata:\n  name: other\n  namespace: default\n"
      "  labels: {service.kubernetes.io/service-proxy-name: someone-else}\n"
      "spec: {clusterIP: 198.19.128.60, ports: [{port: 80}]}\n";
  WriteFileAtomically(Path("ignored.yaml"), docs);
  WriteWeb({1});
  StartAgent();
  std::set<std::string> services;
  for (const auto& fe : ReadMaps(topo()).frontends) services.insert(fe.service);
  EXPECT_EQ(services, std::set<std::string>{"default/web"});
}

TEST_F(SocketLbTest, SessionAffinityKeepsAClientOnOneBackend) {
  ServiceSpec svc{.name = "sticky",
                  .cluster_ips = {"198.19.128.70"},
                  .ports = {{.name = "http", .port = 80, .target_port = "8080"}},
                  .client_ip_affinity_seconds = 600};
  SliceSpec slice{.name = "sticky-1", .service = "sticky", .ports = {{"http", kEchoPort}}};
  for (const auto& be : topo().backends()) slice.endpoints.push_back({.address = be.ipv4});
  WriteFileAtomically(Path("sticky.yaml"), Documents({ServiceYaml(svc), SliceYaml(slice)}));
  StartAgent();
  ProbeResult r = Probe("198.19.128.70:80", "tcp", 40);
  EXPECT_EQ(r.successes, 40) << r.Describe();
  EXPECT_EQ(r.backends.size(), 1u) << "sessionAffinity ClientIP: one client, one backend " << r.Describe();
  // The same client on a Service without affinity spreads (checked elsewhere); this
  // one keeps its backend across a second run of connections too.
  ProbeResult again = Probe("198.19.128.70:80", "tcp", 20);
  EXPECT_EQ(again.backends, (std::map<std::string, int>{{r.backends.begin()->first, 20}})) << again.Describe();
  Report("session_affinity", "60 connections of one client to a ClientIP-affinity Service: all to " +
                                 r.backends.begin()->first);
}

TEST_F(SocketLbTest, SluicectlPrintsTheFrontendsWithTheirBackends) {
  WriteWeb({1, 2, 3});
  StartAgent();
  CommandResult table = RunCommand({SluicectlPath(), "--bpffs", SluiceBpffs(topo()), "service", "list"}, 10s);
  EXPECT_EQ(table.exit_status, 0) << table.err;
  EXPECT_NE(table.out.find("198.19.128.10:80"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("default/web:http"), std::string::npos) << table.out;
  for (const auto& be : topo().backends())
    EXPECT_NE(table.out.find(be.ipv4 + ":8080"), std::string::npos) << table.out;
  CommandResult json = RunCommand({SluicectlPath(), "--bpffs", SluiceBpffs(topo()), "-o", "json", "service", "list"}, 10s);
  auto parsed = nlohmann::json::parse(json.out);
  ASSERT_EQ(parsed.size(), 4u);
  for (const auto& fe : parsed) EXPECT_EQ(fe["backends"].size(), 3u) << fe.dump();
}

}  // namespace
}  // namespace sluice::e2e
