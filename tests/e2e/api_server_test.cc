// The agent against the fake kube-apiserver, end to end. The fake listens on the node
// IP inside the run's node namespace (HTTPS, a bearer token, the kubeconfig it writes);
// the agent runs there with --kubeconfig and mirrors Services and EndpointSlices into
// the pinned maps; real TCP/UDP clients in the run's cgroup connect to ClusterIPs and
// real servers in backend namespaces answer. Objects change on the fake and faults are
// injected while clients keep connecting; the tests assert on what reached the maps,
// on what the clients saw, and on every request the agent made (the fake's log).
//
// Watches are kept short (--api-min-watch-timeout 2s: every watch lasts 2-4 s) so a
// fault queued for "the next watch" is taken within seconds, and a stall is noticed
// after 2 s (--api-watch-idle-timeout); the fake sends a bookmark every 250 ms, so a
// healthy watch is never idle that long.
#include <gtest/gtest.h>

#include <atomic>
#include <iostream>
#include <mutex>
#include <set>
#include <thread>

#include "e2e/harness/agent.h"
#include "e2e/harness/harness.h"
#include "e2e/harness/manifests.h"
#include "fake_apiserver/fake_apiserver.h"
#include "fake_apiserver/object_files.h"

namespace sluice::e2e {
namespace {

using namespace std::chrono_literals;
namespace fake = sluice::fake_apiserver;
using fake::Fault;
using fake::RequestRecord;
using fake::Resource;
using fake::Verb;
using SystemTime = std::chrono::system_clock::time_point;

constexpr uint16_t kEchoPort = 8080;
const std::string kWebVip = "198.19.128.10";
const std::string kApiVip = "198.19.128.30";
const std::string kNewVip = "198.19.128.40";
// kube-proxy's selector for Services and EndpointSlices.
const std::string kSelector = "!service.kubernetes.io/headless,!service.kubernetes.io/service-proxy-name";
const std::string kProtobuf = "application/vnd.kubernetes.protobuf";
const std::string kJson = "application/json";
constexpr int kMinWatchSeconds = 2;  // --api-min-watch-timeout
constexpr auto kWatchIdle = 2s;      // --api-watch-idle-timeout
constexpr auto kMinBackoff = 800ms;  // client-go's first backoff step, before jitter

// A line for the issue note: what was tried and what happened.
void Report(const std::string& test, const std::string& what) {
  std::cout << "REPORT: " << test << ": " << what << std::endl;
}

long long Ms(std::chrono::nanoseconds d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); }

std::string Short(const std::string& content_type) { return content_type == kJson ? "json" : "protobuf"; }

std::string Describe(const RequestRecord& r) {
  std::string text = r.method + " " + r.path + " ->" + std::to_string(r.status) + " ?";
  for (const auto& [k, v] : r.params) text += k + "=" + v + "&";
  return text + " accept=" + r.accept;
}

uint64_t Rv(const std::string& text) { return text.empty() ? 0 : std::stoull(text); }

// What clients of one Service saw over a stretch of time.
struct ProbeTotals {
  int batches = 0;
  int attempts = 0;
  int successes = 0;
  std::map<std::string, int> failures;
  std::map<std::string, int> backends;
  std::string problems;  // probe runs that did not complete

  int failed() const { return attempts - successes; }
  std::string Describe() const {
    return std::to_string(successes) + "/" + std::to_string(attempts) + " answered, backends " +
           FormatCounts(backends) + ", failures " + FormatCounts(failures);
  }
};

// Connections through a ClusterIP without pause, in batches of sluice-probe runs on a
// thread of its own, until Stop(): what a client sees while the test changes things.
class SteadyProbe {
 public:
  explicit SteadyProbe(ProbeRequest request) : request_(std::move(request)), thread_([this] { Loop(); }) {}
  ~SteadyProbe() { Stop(); }
  SteadyProbe(const SteadyProbe&) = delete;
  SteadyProbe& operator=(const SteadyProbe&) = delete;

  // Finishes the batch in flight and returns the totals.
  ProbeTotals Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    std::lock_guard lock(mu_);
    return totals_;
  }
  ProbeTotals totals() const {
    std::lock_guard lock(mu_);
    return totals_;
  }

 private:
  void Loop() {
    // Bounded: a test never runs this long; Stop() ends it far sooner.
    const auto deadline = std::chrono::steady_clock::now() + 3min;
    while (!stop_ && std::chrono::steady_clock::now() < deadline) {
      ProbeResult r = RunProbe(request_);
      std::lock_guard lock(mu_);
      ++totals_.batches;
      totals_.attempts += r.attempts;
      totals_.successes += r.successes;
      for (const auto& [k, n] : r.failures) totals_.failures[k] += n;
      for (const auto& [k, n] : r.backends) totals_.backends[k] += n;
      if (r.exit_status != 0 || r.attempts != request_.count)
        totals_.problems += r.Describe() + " " + r.stderr_text + "\n";
    }
  }

  ProbeRequest request_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  ProbeTotals totals_;
  std::thread thread_;
};

class ApiServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SLUICE_E2E_REQUIRE_ROOT();
    topology_ = std::make_unique<Topology>();
    servers_ = StartEchoServers(*topology_, kEchoPort);
    const NodeInfo& node = topo().node();
    server_ = std::make_unique<fake::FakeApiServer>(fake::Options{
        .bind_address = node.ipv4,
        .netns_path = "/run/netns/" + node.netns,
        .bearer_token = "sluice-e2e-" + topo().run_id(),
        .bookmark_interval = 250ms});
    kubeconfig_ = topo().work_dir() + "/kubeconfig";
    server_->WriteKubeconfig(kubeconfig_);
    server_->Upsert(nlohmann::json::parse(R"({"apiVersion": "v1", "kind": "Node", "metadata": {"name": ")" +
                                          node.name + R"("}, "status": {"addresses": [{"type": "InternalIP", "address": ")" +
                                          node.ipv4 + R"("}]}})"));
  }

  void TearDown() override {
    agent_.reset();
    server_.reset();
    servers_.clear();
    topology_.reset();
  }

  const Topology& topo() const { return *topology_; }
  fake::FakeApiServer& api() { return *server_; }

  void StartAgent(const std::string& content_type, const std::string& log = "agent", bool wait = true) {
    std::vector<std::string> flags = {"--kube-api-content-type", content_type,
                                      "--api-min-watch-timeout", std::to_string(kMinWatchSeconds) + "s",
                                      "--api-watch-idle-timeout", std::to_string(Ms(kWatchIdle)) + "ms"};
    agent_ = std::make_unique<Agent>(
        topo(), AgentOptions{.extra_flags = flags, .kubeconfig = kubeconfig_, .wait_for_sync = wait}, log);
  }

  // --- objects on the fake ---

  // Creates or replaces every object of these manifests; returns the resourceVersion
  // the last one was stored at.
  uint64_t Put(const std::string& yaml) {
    uint64_t rv = 0;
    for (nlohmann::json& object : fake::ParseObjects(yaml, "api_server_test")) {
      nlohmann::json stored = api().Upsert(std::move(object));
      rv = Rv(stored["metadata"]["resourceVersion"].get<std::string>());
    }
    return rv;
  }

  std::string SliceOf(const std::string& service, const std::vector<int>& backends, bool with_udp) {
    SliceSpec slice{.name = service + "-v4",
                    .service = service,
                    .ports = {{"http", kEchoPort}},
                    .udp_port_names = {}};
    if (with_udp) {
      slice.ports.push_back({"dns", kEchoPort});
      slice.udp_port_names = {"dns"};
    }
    for (int b : backends) slice.endpoints.push_back({.address = topo().backends().at(static_cast<size_t>(b - 1)).ipv4});
    return SliceYaml(slice);
  }

  // "web": TCP 80 -> named port http, UDP 53 -> named port dns.
  std::string WebService() {
    return ServiceYaml({.name = "web",
                        .cluster_ips = {kWebVip},
                        .ports = {{.name = "http", .protocol = "TCP", .port = 80, .target_port = "http"},
                                  {.name = "dns", .protocol = "UDP", .port = 53, .target_port = "dns"}}});
  }
  uint64_t PutWeb(const std::vector<int>& backends) {
    return Put(Documents({WebService(), SliceOf("web", backends, true)}));
  }
  uint64_t PutWebSlice(const std::vector<int>& backends) { return Put(SliceOf("web", backends, true)); }

  // A TCP-only Service with a numeric targetPort.
  std::string SimpleService(const std::string& name, const std::string& vip, int port = 80) {
    return ServiceYaml({.name = name,
                        .cluster_ips = {vip},
                        .ports = {{.name = "http", .port = port, .target_port = std::to_string(kEchoPort)}}});
  }
  uint64_t PutSimple(const std::string& name, const std::string& vip, const std::vector<int>& backends) {
    return Put(Documents({SimpleService(name, vip), SliceOf(name, backends, false)}));
  }
  void DeleteService(const std::string& name) {
    api().Delete(Resource::kEndpointSlices, "default", name + "-v4");
    api().Delete(Resource::kServices, "default", name);
  }

  // --- the maps ---

  // Backend addresses of a frontend, as the maps hold them.
  std::set<std::string> MapBackends(const std::string& ip, int port, model::Protocol proto) {
    std::set<std::string> out;
    for (const auto& fe : ReadMaps(topo()).frontends)
      if (fe.key.address.ToString() == ip && fe.key.port == port && fe.key.protocol == proto)
        for (const auto& b : fe.backends) out.insert(b.backend.address.ToString());
    return out;
  }
  std::set<std::string> MapServices() {
    std::set<std::string> out;
    for (const auto& fe : ReadMaps(topo()).frontends) out.insert(fe.service);
    return out;
  }
  std::set<std::string> Addresses(const std::vector<int>& backends) {
    std::set<std::string> out;
    for (int b : backends) out.insert(topo().backends().at(static_cast<size_t>(b - 1)).ipv4);
    return out;
  }
  // How long until the maps show exactly these backends for web's TCP and UDP
  // frontends; nullopt if they do not within `timeout`.
  std::optional<std::chrono::microseconds> WaitWeb(const std::vector<int>& backends,
                                                    std::chrono::milliseconds timeout) {
    const std::set<std::string> want = Addresses(backends);
    return WaitUntil([&] {
      return MapBackends(kWebVip, 80, model::Protocol::kTcp) == want &&
             MapBackends(kWebVip, 53, model::Protocol::kUdp) == want;
    }, timeout);
  }

  // --- traffic ---

  ProbeRequest ProbeOf(const std::string& target, const std::string& proto, int count, int interval_ms = 0) {
    return {.netns = topo().node().netns,
            .target = target,
            .proto = proto,
            .count = count,
            .interval_ms = interval_ms,
            .timeout_ms = 1000,
            .cgroup = topo().cgroup_path()};
  }
  ProbeResult Probe(const std::string& target, const std::string& proto, int count) {
    return RunProbe(ProbeOf(target, proto, count));
  }
  // Clients of web that keep connecting (TCP to :80, UDP to :53) until stopped.
  std::unique_ptr<SteadyProbe> SteadyTcp() {
    return std::make_unique<SteadyProbe>(ProbeOf(kWebVip + ":80", "tcp", 20, 10));
  }
  std::unique_ptr<SteadyProbe> SteadyUdp() {
    return std::make_unique<SteadyProbe>(ProbeOf(kWebVip + ":53", "udp", 20, 10));
  }

  // --- the agent's requests ---

  std::vector<RequestRecord> Of(Resource resource) {
    std::vector<RequestRecord> out;
    for (RequestRecord& r : api().Requests())
      if (r.resource == resource) out.push_back(std::move(r));
    return out;
  }
  // The index of the first request of `verb` arriving at or after `time`, or -1.
  static int FirstAfter(const std::vector<RequestRecord>& seq, Verb verb, SystemTime time, int from = 0) {
    for (size_t i = static_cast<size_t>(std::max(from, 0)); i < seq.size(); ++i)
      if (seq[i].verb == verb && seq[i].time >= time) return static_cast<int>(i);
    return -1;
  }
  // Polls the request log until `ready` holds for it.
  bool WaitRequests(const std::function<bool()>& ready, std::chrono::milliseconds timeout) {
    return WaitUntil(ready, timeout).has_value();
  }

  // What every request must look like, whatever happened: GET list or watch of
  // services and endpointslices with kube-proxy's label selector, or of this node by
  // field selector; in the chosen wire format; watches with bookmarks, a resume
  // resourceVersion and timeoutSeconds in [min, 2 min); nothing else asked for.
  void ExpectOnlyListAndWatch(const std::string& content_type) {
    EXPECT_TRUE(api().log().Unserved().empty()) << "requests for paths the agent has no business with";
    const std::string node_selector = "metadata.name=" + topo().node().name;
    for (const RequestRecord& r : api().Requests()) {
      SCOPED_TRACE(Describe(r));
      EXPECT_EQ(r.method, "GET");
      ASSERT_TRUE(r.resource.has_value() && r.verb.has_value());
      EXPECT_NE(*r.verb, Verb::kGet) << "the agent gets its node through a list/watch, as client-go's informer";
      EXPECT_TRUE(r.accept.starts_with(content_type));
      if (*r.resource == Resource::kNodes) {
        EXPECT_EQ(r.param("fieldSelector"), node_selector);
        EXPECT_EQ(r.param("labelSelector"), "");
      } else {
        EXPECT_EQ(r.param("labelSelector"), kSelector);
        EXPECT_EQ(r.param("fieldSelector"), "");
      }
      if (*r.verb == Verb::kWatch) {
        EXPECT_EQ(r.param("watch"), "true");
        EXPECT_EQ(r.param("allowWatchBookmarks"), "true");
        EXPECT_GT(Rv(r.param("resourceVersion")), 0u) << "a watch resumes from a resourceVersion";
        const int timeout = std::atoi(r.param("timeoutSeconds").c_str());
        EXPECT_GE(timeout, kMinWatchSeconds);
        EXPECT_LT(timeout, 2 * kMinWatchSeconds);
      } else {
        EXPECT_EQ(r.param("limit"), "500") << "lists are paginated";
        EXPECT_EQ(r.param("continue"), "");
      }
    }
  }

  // Watches of one resource never go back in resourceVersion, and the first watch
  // after an error resumes without a relist.
  void ExpectWatchesResume(Resource resource) {
    uint64_t last = 0;
    for (const RequestRecord& r : Of(resource)) {
      if (r.verb != Verb::kWatch) continue;
      const uint64_t rv = Rv(r.param("resourceVersion"));
      EXPECT_GE(rv, last) << "a watch went back in time: " << Describe(r);
      last = rv;
    }
  }

  // Every list after the first follows a 410: a list answered 410, or a watch that
  // `expired` says got the in-stream 410 (by index in Of(resource)).
  void ExpectRelistsOnlyAfter410(Resource resource, const std::set<int>& expired_watches) {
    const auto seq = Of(resource);
    bool first = true;
    for (size_t i = 0; i < seq.size(); ++i) {
      if (seq[i].verb != Verb::kList) continue;
      if (first) {
        first = false;
        continue;
      }
      ASSERT_GT(i, 0u);
      const RequestRecord& prev = seq[i - 1];
      const bool after_410 = prev.status == 410 || (prev.verb == Verb::kWatch && expired_watches.count(static_cast<int>(i - 1)));
      EXPECT_TRUE(after_410) << fake::ResourceName(resource) << " relisted after " << Describe(prev);
    }
  }

  // After every request answered with an error status, the next request of the same
  // resource came at least `min` later (a Retry-After raises the floor). Returns the
  // shortest such gap (for the report), or nullopt if there was no error.
  std::optional<std::chrono::milliseconds> ExpectBackoffAfterErrors(Resource resource) {
    const auto seq = Of(resource);
    std::optional<std::chrono::milliseconds> shortest;
    for (size_t i = 0; i + 1 < seq.size(); ++i) {
      if (seq[i].status < 400) continue;
      auto gap = std::chrono::duration_cast<std::chrono::milliseconds>(seq[i + 1].time - seq[i].time);
      EXPECT_GE(gap, kMinBackoff) << "no backoff after " << Describe(seq[i]);
      if (!shortest || gap < *shortest) shortest = gap;
    }
    return shortest;
  }

  std::unique_ptr<Topology> topology_;
  std::vector<Process> servers_;
  std::unique_ptr<fake::FakeApiServer> server_;
  std::string kubeconfig_;
  std::unique_ptr<Agent> agent_;
};

class ApiServerFormatTest : public ApiServerTest, public ::testing::WithParamInterface<std::string> {};

INSTANTIATE_TEST_SUITE_P(WireFormats, ApiServerFormatTest, ::testing::Values(kProtobuf, kJson),
                         [](const auto& info) { return Short(info.param); });

// Services and EndpointSlices created, changed and deleted on the API server reach the
// maps, and traffic follows: TCP and UDP through ClusterIPs.
TEST_P(ApiServerFormatTest, ServicesAndEndpointSlicesOnTheServerReachTheMapsAndTrafficFollows) {
  const std::string test = "follow_api/" + Short(GetParam());
  PutWeb({1, 2, 3});
  StartAgent(GetParam());

  for (const char* proto : {"tcp", "udp"}) {
    const std::string target = kWebVip + (proto[0] == 't' ? ":80" : ":53");
    ProbeResult r = Probe(target, proto, 60);
    SCOPED_TRACE(r.Describe());
    EXPECT_EQ(r.successes, 60);
    EXPECT_EQ(r.backends.size(), 3u);
    EXPECT_EQ(r.peers_seen, (std::map<std::string, int>{{target, 60}}));
    Report(test, std::string(proto) + " to " + target + " after the initial list: " + r.Describe());
  }

  // An endpoint goes.
  PutWebSlice({1, 2});
  auto took = WaitWeb({1, 2}, 5000ms);
  ASSERT_TRUE(took) << "be3 still in the maps 5 s after its EndpointSlice changed\n" << agent_->Log();
  ProbeResult without = Probe(kWebVip + ":80", "tcp", 60);
  EXPECT_EQ(without.successes, 60) << without.Describe();
  EXPECT_EQ(without.backends.count("be3"), 0u) << without.Describe();
  Report(test, "EndpointSlice without be3 -> maps in " + std::to_string(took->count()) + " us; then " +
                   without.Describe());

  // A Service appears, with its slice.
  PutSimple("api", kApiVip, {1, 2, 3});
  took = WaitUntil([&] { return MapBackends(kApiVip, 80, model::Protocol::kTcp) == Addresses({1, 2, 3}); }, 5000ms);
  ASSERT_TRUE(took) << agent_->Log();
  ProbeResult api_probe = Probe(kApiVip + ":80", "tcp", 30);
  EXPECT_EQ(api_probe.successes, 30) << api_probe.Describe();
  EXPECT_EQ(api_probe.backends.size(), 3u);
  Report(test, "new Service api -> maps in " + std::to_string(took->count()) + " us; " + api_probe.Describe());

  // The Service changes its port: the old frontend goes, the new one answers.
  Put(SimpleService("api", kApiVip, 81));
  took = WaitUntil([&] {
    return MapBackends(kApiVip, 81, model::Protocol::kTcp).size() == 3 &&
           MapBackends(kApiVip, 80, model::Protocol::kTcp).empty();
  }, 5000ms);
  ASSERT_TRUE(took) << agent_->Log();
  ProbeResult on81 = Probe(kApiVip + ":81", "tcp", 20);
  EXPECT_EQ(on81.successes, 20) << on81.Describe();
  ProbeResult on80 = Probe(kApiVip + ":80", "tcp", 3);
  EXPECT_EQ(on80.successes, 0) << on80.Describe();
  Report(test, "api's port 80 -> 81: maps in " + std::to_string(took->count()) + " us; :81 " + on81.Describe() +
                   "; :80 " + FormatCounts(on80.failures));

  // Its EndpointSlice goes: the Service has no endpoints and refuses.
  api().Delete(Resource::kEndpointSlices, "default", "api-v4");
  took = WaitUntil([&] { return MapBackends(kApiVip, 81, model::Protocol::kTcp).empty() &&
                                MapServices().count("default/api"); }, 5000ms);
  ASSERT_TRUE(took) << agent_->Log();
  ProbeResult refused = Probe(kApiVip + ":81", "tcp", 10);
  EXPECT_EQ(refused.failures, (std::map<std::string, int>{{"ECONNREFUSED", 10}})) << refused.Describe();

  // The Service goes: its VIP is not translated any more.
  api().Delete(Resource::kServices, "default", "api");
  took = WaitUntil([&] { return MapServices() == std::set<std::string>{"default/web"}; }, 5000ms);
  ASSERT_TRUE(took) << agent_->Log();
  ProbeResult gone = Probe(kApiVip + ":81", "tcp", 3);
  EXPECT_EQ(gone.successes, 0);
  EXPECT_EQ(gone.failures.count("ENETUNREACH"), 1u) << gone.Describe();
  Report(test, "api's slice deleted -> " + FormatCounts(refused.failures) + "; api deleted -> maps in " +
                   std::to_string(took->count()) + " us, then " + FormatCounts(gone.failures));

  ExpectOnlyListAndWatch(GetParam());
  for (Resource r : fake::kAllResources) {
    EXPECT_EQ(api().log().lists(r), 1u) << fake::ResourceName(r) << ": no relist without a 410";
    ExpectWatchesResume(r);
  }
  Report(test, "requests: " + std::to_string(api().Requests().size()) + " (services " +
                   std::to_string(api().log().lists(Resource::kServices)) + " list + " +
                   std::to_string(api().log().watches(Resource::kServices)) + " watches, endpointslices " +
                   std::to_string(api().log().lists(Resource::kEndpointSlices)) + " + " +
                   std::to_string(api().log().watches(Resource::kEndpointSlices)) + ", node " +
                   std::to_string(api().log().lists(Resource::kNodes)) + " + " +
                   std::to_string(api().log().watches(Resource::kNodes)) + "), all list/watch with " +
                   "kube-proxy's selectors, Accept " + GetParam());
}

// Nothing is programmed until both lists are complete: with the EndpointSlice list
// held back, the Services list alone writes nothing and the VIP is not translated.
TEST_F(ApiServerTest, NothingIsProgrammedBeforeBothListsComplete) {
  PutWeb({1, 2, 3});
  api().InjectFault(Resource::kEndpointSlices, Verb::kList, Fault::Stall());  // until released
  StartAgent(kProtobuf, "agent", /*wait=*/false);
  ASSERT_TRUE(WaitRequests([&] {
    return api().stalled_requests() == 1 && api().log().watches(Resource::kServices) >= 1;
  }, 10000ms)) << "the Services list did not complete, or the EndpointSlice list did not arrive\n" << agent_->Log();

  // Services listed, EndpointSlices not: for a while, nothing may be written.
  int checks = 0;
  const auto until = std::chrono::steady_clock::now() + 1500ms;
  while (std::chrono::steady_clock::now() < until) {
    ASSERT_TRUE(ReadMaps(topo()).frontends.empty()) << "programmed before the EndpointSlice list completed";
    ++checks;
    std::this_thread::sleep_for(10ms);
  }
  ProbeResult before = Probe(kWebVip + ":80", "tcp", 3);
  EXPECT_EQ(before.successes, 0);
  EXPECT_EQ(before.failures.count("ENETUNREACH"), 1u) << before.Describe();
  EXPECT_EQ(agent_->Log().find("initial sync done"), std::string::npos) << agent_->Log();

  const auto released = std::chrono::steady_clock::now();
  api().ReleaseStalls();
  auto took = WaitWeb({1, 2, 3}, 5000ms);
  ASSERT_TRUE(took) << agent_->Log();
  ProbeResult after = Probe(kWebVip + ":80", "tcp", 30);
  EXPECT_EQ(after.successes, 30) << after.Describe();
  EXPECT_NE(agent_->Log().find("initial sync done"), std::string::npos);
  ExpectOnlyListAndWatch(kProtobuf);
  Report("sync_gate", "EndpointSlice list stalled after the Services list: maps empty in " + std::to_string(checks) +
                          " reads over 1.5 s, VIP untranslated (" + FormatCounts(before.failures) +
                          "); list released -> web programmed in " +
                          std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                             std::chrono::steady_clock::now() - released).count()) +
                          " ms, " + after.Describe());
}

// A restarted agent serves from the pinned maps until both lists are in, then purges
// what the API server no longer has, and changes what changed.
TEST_F(ApiServerTest, ARestartServesThePinnedMapsUntilTheFirstFullSyncThenPurges) {
  PutWeb({1, 2, 3});
  PutSimple("api", kApiVip, {1, 2, 3});
  StartAgent(kJson);
  ASSERT_TRUE(WaitWeb({1, 2, 3}, 2000ms));
  auto tcp = SteadyTcp();
  std::this_thread::sleep_for(300ms);
  agent_->Stop();

  // While it is down: api goes, web loses be3, a new Service appears.
  DeleteService("api");
  PutWebSlice({1, 2});
  PutSimple("new", kNewVip, {2, 3});
  api().log().Clear();
  api().InjectFault(Resource::kEndpointSlices, Verb::kList, Fault::Stall());
  StartAgent(kJson, "agent2", /*wait=*/false);
  ASSERT_TRUE(WaitRequests([&] { return api().stalled_requests() == 1 && api().log().watches(Resource::kServices) >= 1; },
                           10000ms)) << agent_->Log();

  // Until the EndpointSlice list completes, the maps are what the last run left.
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(MapBackends(kApiVip, 80, model::Protocol::kTcp), Addresses({1, 2, 3})) << "purged too early";
  EXPECT_EQ(MapBackends(kWebVip, 80, model::Protocol::kTcp), Addresses({1, 2, 3}));
  EXPECT_TRUE(MapBackends(kNewVip, 80, model::Protocol::kTcp).empty());
  ProbeResult api_meanwhile = Probe(kApiVip + ":80", "tcp", 10);
  EXPECT_EQ(api_meanwhile.successes, 10) << "the pinned maps must keep serving: " << api_meanwhile.Describe();

  api().ReleaseStalls();
  auto took = WaitUntil([&] {
    return MapServices() == std::set<std::string>{"default/new", "default/web"} &&
           MapBackends(kWebVip, 80, model::Protocol::kTcp) == Addresses({1, 2});
  }, 5000ms);
  ASSERT_TRUE(took) << agent_->Log();
  ProbeTotals web = tcp->Stop();
  EXPECT_EQ(web.failed(), 0) << web.Describe() << web.problems;
  EXPECT_TRUE(web.problems.empty()) << web.problems;
  ProbeResult gone = Probe(kApiVip + ":80", "tcp", 3);
  EXPECT_EQ(gone.failures.count("ENETUNREACH"), 1u) << gone.Describe();
  ProbeResult fresh = Probe(kNewVip + ":80", "tcp", 20);
  EXPECT_EQ(fresh.successes, 20) << fresh.Describe();
  EXPECT_NE(agent_->Log().find("services_purged=1"), std::string::npos) << agent_->Log();
  ExpectOnlyListAndWatch(kJson);
  Report("restart", "agent stopped; api deleted, web lost be3, new added; restarted with the EndpointSlice list "
                    "stalled: the pinned maps kept serving (api " + api_meanwhile.Describe() +
                        "); after the list: api purged (" + FormatCounts(gone.failures) + "), new " +
                        fresh.Describe() + "; web clients across stop+restart: " + web.Describe());
}

// Errors the API server answers, while clients keep connecting: an in-stream 410 on
// the watch and a 410 on the list relist; 429 with Retry-After and 500 back off and
// resume the watch without relisting. Changes made meanwhile all arrive.
TEST_P(ApiServerFormatTest, WatchAndListErrorsUnderTrafficLoseNoConnection) {
  const std::string test = "api_errors/" + Short(GetParam());
  PutWeb({1, 2, 3});
  StartAgent(GetParam());
  auto tcp = SteadyTcp();
  auto udp = SteadyUdp();

  const SystemTime injected = std::chrono::system_clock::now();
  // Services: the next watch gets the in-stream 410 (relist), the one after a 429.
  api().InjectFault(Resource::kServices, Verb::kWatch, Fault::WatchExpired());
  api().InjectFault(Resource::kServices, Verb::kWatch, Fault::Status(429, 2));
  // EndpointSlices: a 500 on the watch, then an in-stream 410 whose relist gets a 410.
  api().InjectFault(Resource::kEndpointSlices, Verb::kWatch, Fault::Status(500));
  api().InjectFault(Resource::kEndpointSlices, Verb::kWatch, Fault::WatchExpired());
  api().InjectFault(Resource::kEndpointSlices, Verb::kList, Fault::Status(410));

  // Changes while the faults play out: api appears once Services have relisted,
  // web loses be3 once the EndpointSlice watch has failed with 500.
  ASSERT_TRUE(WaitRequests([&] { return api().log().lists(Resource::kServices) == 2; }, 10000ms)) << agent_->Log();
  PutSimple("api", kApiVip, {1, 2, 3});
  ASSERT_TRUE(WaitRequests([&] {
    for (const auto& r : Of(Resource::kEndpointSlices))
      if (r.status == 500) return true;
    return false;
  }, 10000ms)) << agent_->Log();
  PutWebSlice({1, 2});

  // Everything has played out: Services watched after the 429, EndpointSlices listed
  // a third time and watched again.
  ASSERT_TRUE(WaitRequests([&] {
    auto s = Of(Resource::kServices);
    auto e = Of(Resource::kEndpointSlices);
    bool services_done = false;
    for (size_t i = 0; i + 1 < s.size(); ++i)
      if (s[i].status == 429 && s[i + 1].verb == Verb::kWatch && s[i + 1].status == 200) services_done = true;
    return services_done && api().log().lists(Resource::kEndpointSlices) == 3 && !e.empty() &&
           e.back().verb == Verb::kWatch;
  }, 20000ms)) << agent_->Log();
  auto took = WaitUntil([&] {
    return MapBackends(kApiVip, 80, model::Protocol::kTcp) == Addresses({1, 2, 3}) &&
           MapBackends(kWebVip, 80, model::Protocol::kTcp) == Addresses({1, 2}) &&
           MapBackends(kWebVip, 53, model::Protocol::kUdp) == Addresses({1, 2});
  }, 5000ms);
  ASSERT_TRUE(took) << "a change made during the faults did not arrive\n" << agent_->Log();
  std::this_thread::sleep_for(500ms);  // clients on the final state too
  ProbeTotals t = tcp->Stop();
  ProbeTotals u = udp->Stop();
  EXPECT_EQ(t.failed(), 0) << t.Describe() << t.problems;
  EXPECT_EQ(u.failed(), 0) << u.Describe() << u.problems;
  EXPECT_TRUE(t.problems.empty() && u.problems.empty()) << t.problems << u.problems;
  ProbeResult api_probe = Probe(kApiVip + ":80", "tcp", 20);
  EXPECT_EQ(api_probe.successes, 20) << api_probe.Describe();

  // The requests: relists only after the two 410s, backoff after each error, the
  // 429's Retry-After (2 s) honoured, watches resumed from where they were.
  ExpectOnlyListAndWatch(GetParam());
  const auto services = Of(Resource::kServices);
  const auto slices = Of(Resource::kEndpointSlices);
  const int svc_expired = FirstAfter(services, Verb::kWatch, injected);
  const int svc_429 = FirstAfter(services, Verb::kWatch, injected, svc_expired + 1);
  ASSERT_GE(svc_expired, 0);
  ASSERT_GE(svc_429, 0);
  EXPECT_EQ(services[static_cast<size_t>(svc_expired) + 1].verb, Verb::kList) << "the in-stream 410 relists at once";
  EXPECT_EQ(services.at(static_cast<size_t>(svc_429)).status, 429);
  const auto retry_gap = services.at(static_cast<size_t>(svc_429) + 1).time - services[static_cast<size_t>(svc_429)].time;
  EXPECT_GE(retry_gap, 2s) << "Retry-After: 2 was not honoured";
  EXPECT_EQ(services.at(static_cast<size_t>(svc_429) + 1).param("resourceVersion"),
            services[static_cast<size_t>(svc_429)].param("resourceVersion"))
      << "after a 429 the watch resumes where it was, without a relist";
  const int slice_500 = FirstAfter(slices, Verb::kWatch, injected);
  const int slice_expired = FirstAfter(slices, Verb::kWatch, injected, slice_500 + 1);
  ASSERT_GE(slice_500, 0);
  ASSERT_GE(slice_expired, 0);
  EXPECT_EQ(slices[static_cast<size_t>(slice_500)].status, 500);
  EXPECT_EQ(slices.at(static_cast<size_t>(slice_expired) + 1).verb, Verb::kList);
  EXPECT_EQ(slices.at(static_cast<size_t>(slice_expired) + 1).status, 410);
  ExpectRelistsOnlyAfter410(Resource::kServices, {svc_expired});
  ExpectRelistsOnlyAfter410(Resource::kEndpointSlices, {slice_expired});
  EXPECT_EQ(api().log().lists(Resource::kServices), 2u);
  EXPECT_EQ(api().log().lists(Resource::kEndpointSlices), 3u);
  EXPECT_EQ(api().log().lists(Resource::kNodes), 1u);
  auto svc_gap = ExpectBackoffAfterErrors(Resource::kServices);
  auto slice_gap = ExpectBackoffAfterErrors(Resource::kEndpointSlices);
  for (Resource r : fake::kAllResources) ExpectWatchesResume(r);

  Report(test, "faults: services watch 410 (in-stream) + 429 Retry-After 2; endpointslices watch 500 + 410 "
               "(in-stream) + list 410; clients meanwhile: TCP " + t.Describe() + "; UDP " + u.Describe());
  Report(test, "relists: services " + std::to_string(api().log().lists(Resource::kServices) - 1) +
                   ", endpointslices " + std::to_string(api().log().lists(Resource::kEndpointSlices) - 1) +
                   " (each after a 410); 429 -> next watch after " + std::to_string(Ms(retry_gap)) +
                   " ms from the same resourceVersion; shortest gap after an error: services " +
                   std::to_string(svc_gap ? svc_gap->count() : -1) + " ms, endpointslices " +
                   std::to_string(slice_gap ? slice_gap->count() : -1) + " ms; api and web's change arrived");
}

// Broken streams, while clients keep connecting: a connection reset after one event,
// a watch that ends at once, a watch that stalls. Each backs off and resumes the watch
// from the last resourceVersion; nothing is relisted, nothing is lost.
TEST_P(ApiServerFormatTest, BrokenWatchStreamsUnderTrafficResumeWithoutRelisting) {
  const std::string test = "broken_streams/" + Short(GetParam());
  PutWeb({1, 2, 3});
  StartAgent(GetParam());
  auto tcp = SteadyTcp();
  auto udp = SteadyUdp();

  const SystemTime injected = std::chrono::system_clock::now();
  api().InjectFault(Resource::kServices, Verb::kWatch, Fault::ResetAfter(1));
  api().InjectFault(Resource::kServices, Verb::kWatch, Fault::ShortWatch());
  api().InjectFault(Resource::kEndpointSlices, Verb::kWatch, Fault::Stall(5000ms));

  // The reset: once the faulty watch is open, one event (api appears) goes through it.
  ASSERT_TRUE(WaitRequests([&] { return FirstAfter(Of(Resource::kServices), Verb::kWatch, injected) >= 0; }, 10000ms));
  const SystemTime api_put = std::chrono::system_clock::now();
  const uint64_t api_rv = Put(SimpleService("api", kApiVip));
  Put(SliceOf("api", {1, 2, 3}, false));
  // The stall: once the stalled watch is open, web loses be3; the change waits for the
  // agent to give up on the silent stream.
  ASSERT_TRUE(WaitRequests([&] { return FirstAfter(Of(Resource::kEndpointSlices), Verb::kWatch, injected) >= 0; },
                           10000ms));
  const auto slice_put = std::chrono::steady_clock::now();
  PutWebSlice({1, 2});
  auto stall_took = WaitWeb({1, 2}, 15000ms);
  ASSERT_TRUE(stall_took) << "the change made during the stall did not arrive\n" << agent_->Log();
  auto api_took = WaitUntil([&] { return MapBackends(kApiVip, 80, model::Protocol::kTcp) == Addresses({1, 2, 3}); },
                            10000ms);
  ASSERT_TRUE(api_took) << agent_->Log();
  // The services watch after the short one is up.
  ASSERT_TRUE(WaitRequests([&] {
    auto s = Of(Resource::kServices);
    int reset = FirstAfter(s, Verb::kWatch, injected);
    return reset >= 0 && static_cast<size_t>(reset) + 2 < s.size();
  }, 10000ms)) << agent_->Log();
  std::this_thread::sleep_for(500ms);
  ProbeTotals t = tcp->Stop();
  ProbeTotals u = udp->Stop();
  EXPECT_EQ(t.failed(), 0) << t.Describe() << t.problems;
  EXPECT_EQ(u.failed(), 0) << u.Describe() << u.problems;
  EXPECT_TRUE(t.problems.empty() && u.problems.empty()) << t.problems << u.problems;

  ExpectOnlyListAndWatch(GetParam());
  for (Resource r : fake::kAllResources) {
    EXPECT_EQ(api().log().lists(r), 1u) << fake::ResourceName(r) << ": relisted without a 410";
    ExpectWatchesResume(r);
  }
  const auto services = Of(Resource::kServices);
  const size_t reset = static_cast<size_t>(FirstAfter(services, Verb::kWatch, injected));
  const RequestRecord& after_reset = services.at(reset + 1);
  const RequestRecord& after_short = services.at(reset + 2);
  EXPECT_EQ(Rv(after_reset.param("resourceVersion")), api_rv)
      << "after the reset the watch resumes from the event it got";
  EXPECT_EQ(Rv(after_short.param("resourceVersion")), api_rv);
  const auto reset_gap = after_reset.time - api_put;
  const auto short_gap = after_short.time - after_reset.time;
  EXPECT_GE(reset_gap, kMinBackoff) << "no backoff after the reset";
  EXPECT_GE(short_gap, kMinBackoff) << "no backoff after the empty watch";
  const auto slices = Of(Resource::kEndpointSlices);
  const size_t stalled = static_cast<size_t>(FirstAfter(slices, Verb::kWatch, injected));
  const auto stall_gap = slices.at(stalled + 1).time - slices[stalled].time;
  EXPECT_GE(stall_gap, kWatchIdle + kMinBackoff) << "the stall was given up too early, or without backoff";
  EXPECT_EQ(slices.at(stalled + 1).param("resourceVersion"), slices[stalled].param("resourceVersion"))
      << "the stalled watch delivered nothing, so it resumes where it started";

  Report(test, "faults: services watch reset after 1 event + empty watch; endpointslices watch stalled 5 s "
               "(idle timeout 2 s); clients meanwhile: TCP " + t.Describe() + "; UDP " + u.Describe());
  Report(test, "no relist (1 list each); after the reset the watch resumed at RV " + std::to_string(api_rv) +
                   " (the event's) " + std::to_string(Ms(reset_gap)) + " ms after the event, after the empty watch " +
                   std::to_string(Ms(short_gap)) + " ms later; the stalled watch was resumed " +
                   std::to_string(Ms(stall_gap)) + " ms after it opened; the change made during the stall reached "
                   "the maps " + std::to_string(Ms(std::chrono::steady_clock::now() - slice_put) ) +
                   " ms after it was written (bounded by idle timeout + backoff)");
}

// An outage: the API server goes away; meanwhile a Service is deleted, web loses an
// endpoint, and the history is compacted (as etcd does). The agent keeps serving from
// the maps; after recovery its watches get 410, the relist finds the delete, and
// clients of web never fail.
TEST_P(ApiServerFormatTest, AnOutageWithDeletesIsRepairedByTheRelist) {
  const std::string test = "outage/" + Short(GetParam());
  PutWeb({1, 2, 3});
  PutSimple("api", kApiVip, {1, 2, 3});
  StartAgent(GetParam());
  auto tcp = SteadyTcp();
  auto udp = SteadyUdp();
  std::this_thread::sleep_for(300ms);

  api().SetUnavailable(true);
  DeleteService("api");
  PutWebSlice({1, 2});
  api().Compact();
  std::this_thread::sleep_for(3000ms);
  // Down the whole time: the maps are what the agent had, and they serve.
  EXPECT_EQ(MapBackends(kApiVip, 80, model::Protocol::kTcp), Addresses({1, 2, 3}));
  EXPECT_EQ(MapBackends(kWebVip, 80, model::Protocol::kTcp), Addresses({1, 2, 3}));
  ProbeResult api_during = Probe(kApiVip + ":80", "tcp", 10);
  EXPECT_EQ(api_during.successes, 10) << api_during.Describe();
  const SystemTime up = std::chrono::system_clock::now();
  api().SetUnavailable(false);

  auto took = WaitUntil([&] {
    return MapServices() == std::set<std::string>{"default/web"} &&
           MapBackends(kWebVip, 80, model::Protocol::kTcp) == Addresses({1, 2}) &&
           MapBackends(kWebVip, 53, model::Protocol::kUdp) == Addresses({1, 2});
  }, 30000ms);
  ASSERT_TRUE(took) << "the relist after the outage did not find the delete\n" << agent_->Log();
  std::this_thread::sleep_for(300ms);
  ProbeTotals t = tcp->Stop();
  ProbeTotals u = udp->Stop();
  EXPECT_EQ(t.failed(), 0) << t.Describe() << t.problems;
  EXPECT_EQ(u.failed(), 0) << u.Describe() << u.problems;
  EXPECT_TRUE(t.problems.empty() && u.problems.empty()) << t.problems << u.problems;
  ProbeResult gone = Probe(kApiVip + ":80", "tcp", 3);
  EXPECT_EQ(gone.failures.count("ENETUNREACH"), 1u) << gone.Describe();

  ExpectOnlyListAndWatch(GetParam());
  for (Resource r : {Resource::kServices, Resource::kEndpointSlices}) {
    const auto seq = Of(r);
    const int first_after = FirstAfter(seq, Verb::kWatch, up);
    ASSERT_GE(first_after, 0) << fake::ResourceName(r);
    EXPECT_EQ(seq.at(static_cast<size_t>(first_after) + 1).verb, Verb::kList)
        << fake::ResourceName(r) << ": the resumed watch got 410 and relisted";
    ExpectRelistsOnlyAfter410(r, {first_after});
    EXPECT_EQ(api().log().lists(r), 2u) << fake::ResourceName(r);
    ExpectWatchesResume(r);
  }
  const auto first = Of(Resource::kServices).at(static_cast<size_t>(FirstAfter(Of(Resource::kServices), Verb::kWatch, up)));
  Report(test, "3 s outage (api deleted, web lost be3, history compacted): maps kept serving (api " +
                   api_during.Describe() + "); back up -> first watch " + std::to_string(Ms(first.time - up)) +
                   " ms later, 410, relist; api purged and web updated " + std::to_string(took->count() / 1000) +
                   " ms after recovery; web clients throughout: TCP " + t.Describe() + "; UDP " + u.Describe());
}

}  // namespace
}  // namespace sluice::e2e
