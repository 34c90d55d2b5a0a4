// Least privilege, end to end: sluice-agent runs as the DaemonSet in manifests/ runs
// it, and still programs Services that real traffic reaches; nobody else can touch what
// it pinned.
//
// "As the DaemonSet runs it": the capability set is read from the manifest (the agent
// container's securityContext.capabilities.add) and is all the process holds (bounding,
// permitted, effective, ambient); no_new_privs is set (allowPrivilegeEscalation: false);
// the container runtime's default seccomp profile applies (seccompProfile:
// RuntimeDefault, emulated by tools/runtime_default_seccomp.cc); the cgroup v2
// hierarchy is reached through a read-only bind mount (the DaemonSet's readOnly
// hostPath). The agent runs once as uid 0, as in the DaemonSet, and once as a uid with
// no account at all, which shows nothing depends on being root.
#include <gtest/gtest.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <pwd.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>

#include "e2e/harness/agent.h"
#include "e2e/harness/harness.h"
#include "e2e/harness/manifests.h"

namespace sluice::e2e {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr uid_t kNonRootUid = 64711;  // no account: owns nothing but what the agent makes
constexpr uid_t kStrangerUid = 64712;
constexpr uint16_t kEchoPort = 8080;
constexpr const char* kVip = "198.19.128.20";
constexpr int kNodePort = 30080;
constexpr int kConnections = 60;

void Report(const std::string& what) { std::cout << "REPORT: least_privilege: " << what << std::endl; }

// --- the manifest --------------------------------------------------------------------

YAML::Node AgentDaemonSetContainer() {
  const std::string path = std::string(SLUICE_SOURCE_DIR) + "/manifests/03-daemonset.yaml";
  for (const YAML::Node& doc : YAML::LoadAllFromFile(path)) {
    if (doc["kind"].as<std::string>("") != "DaemonSet" || doc["metadata"]["name"].as<std::string>("") != "sluice-agent")
      continue;
    for (const YAML::Node& c : doc["spec"]["template"]["spec"]["containers"])
      if (c["name"].as<std::string>("") == "sluice-agent") return c;
  }
  throw std::runtime_error("no sluice-agent container in " + path);
}

// "BPF" -> 39: the capabilities a manifest may name here.
int CapabilityNumber(const std::string& name) {
  static const std::map<std::string, int> numbers = {
      {"BPF", CAP_BPF},           {"NET_ADMIN", CAP_NET_ADMIN}, {"PERFMON", CAP_PERFMON},
      {"SYS_ADMIN", CAP_SYS_ADMIN}, {"NET_RAW", CAP_NET_RAW},   {"SYS_RESOURCE", CAP_SYS_RESOURCE},
      {"DAC_OVERRIDE", CAP_DAC_OVERRIDE}, {"IPC_LOCK", CAP_IPC_LOCK}, {"NET_BIND_SERVICE", CAP_NET_BIND_SERVICE}};
  auto it = numbers.find(name);
  if (it == numbers.end()) throw std::runtime_error("unknown capability " + name);
  return it->second;
}

std::vector<std::string> ManifestCapabilities() {
  std::vector<std::string> caps;
  for (const YAML::Node& c : AgentDaemonSetContainer()["securityContext"]["capabilities"]["add"])
    caps.push_back(c.as<std::string>());
  return caps;
}

std::string Join(const std::vector<std::string>& words, const std::string& sep = ",") {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : sep) + w;
  return out;
}

// --- running the agent contained --------------------------------------------------------

struct Privileges {
  uid_t uid;
  std::vector<std::string> caps;  // manifest names: "BPF", "NET_ADMIN", ...
};

std::string SeccompPath() { return SLUICE_RUNTIME_DEFAULT_SECCOMP_PATH; }

// argv running the agent with `agent_args` in a private mount namespace where the run's
// cgroup is bind-mounted read-only at `ro_cgroup`, as `p.uid` holding exactly `p.caps`,
// with no_new_privs and the runtime's default seccomp profile.
std::vector<std::string> ContainedAgentArgv(const Topology& topo, const Privileges& p, const std::string& ro_cgroup,
                                            const std::vector<std::string>& agent_args) {
  std::string caps = "-all";
  for (std::string c : p.caps) {
    std::transform(c.begin(), c.end(), c.begin(), [](unsigned char ch) { return std::tolower(ch); });
    caps += ",+" + c;
  }
  const std::string uid = std::to_string(p.uid);
  std::vector<std::string> argv = {
      "unshare", "--mount", "--propagation", "private", "--", "/bin/sh", "-ec",
      R"(mount --bind "$1" "$2"; mount -o remount,bind,ro "$2"; shift 2; exec "$@")", "sh", topo.cgroup_path(),
      ro_cgroup, "setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups", "--inh-caps=" + caps,
      "--ambient-caps=" + caps, "--bounding-set=" + caps, "--"};
  if (!SeccompPath().empty()) argv.push_back(SeccompPath());
  argv.push_back(AgentPath());
  argv.insert(argv.end(), agent_args.begin(), agent_args.end());
  return argv;
}

// The fields of /proc/PID/status that say what a process may do.
std::map<std::string, std::string> ProcessStatus(pid_t pid) {
  std::map<std::string, std::string> fields;
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    fields[line.substr(0, colon)] = value;
  }
  return fields;
}

uint64_t CapabilityMask(const std::vector<std::string>& caps) {
  uint64_t mask = 0;
  for (const std::string& c : caps) mask |= uint64_t{1} << CapabilityNumber(c);
  return mask;
}

// An HTTP GET from inside network namespace `netns` (a thread enters it; the rest of the
// test stays where it is). Returns the status code, -1 if there was no answer.
int HttpGet(const std::string& netns, const std::string& ip, int port, const std::string& path,
            std::string* body = nullptr) {
  int status = -1;
  std::string response;
  std::thread client([&] {
    const int ns = open(("/run/netns/" + netns).c_str(), O_RDONLY | O_CLOEXEC);
    if (ns < 0 || setns(ns, CLONE_NEWNET) != 0) return;
    close(ns);
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    timeval timeout{2, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, ip.c_str(), &addr.sin_addr);
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
      const std::string request = "GET " + path + " HTTP/1.0\r\nHost: " + ip + "\r\n\r\n";
      if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size())) {
        char buf[4096];
        for (ssize_t n; (n = recv(fd, buf, sizeof(buf), 0)) > 0 && response.size() < (1u << 20);)
          response.append(buf, static_cast<size_t>(n));
      }
    }
    close(fd);
  });
  client.join();
  if (response.rfind("HTTP/1.", 0) == 0 && response.size() > 12) status = std::atoi(response.c_str() + 9);
  if (body) {
    const size_t end = response.find("\r\n\r\n");
    *body = end == std::string::npos ? "" : response.substr(end + 4);
  }
  return status;
}

// --- the fixture --------------------------------------------------------------------------

class LeastPrivilegeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SLUICE_E2E_REQUIRE_ROOT();
    for (uid_t uid : {kNonRootUid, kStrangerUid})
      if (getpwuid(uid) != nullptr) GTEST_SKIP() << "skipped: uid " << uid << " has an account on this machine";
    for (const char* tool : {"setpriv", "unshare"})
      if (access(("/usr/bin/" + std::string(tool)).c_str(), X_OK) != 0)
        GTEST_SKIP() << "skipped: needs /usr/bin/" << tool << " (util-linux)";
    caps_ = ManifestCapabilities();
    ASSERT_FALSE(caps_.empty()) << "the manifest adds no capabilities";
    topology_ = std::make_unique<Topology>(TopologyOptions{.backends = 3, .external = true});
    servers_ = StartEchoServers(*topology_, kEchoPort);
    manifests_ = topo().work_dir() + "/manifests";
    ro_cgroup_ = topo().work_dir() + "/cgroup-ro";
    fs::create_directories(manifests_);
    fs::create_directories(ro_cgroup_);
    WriteService();
  }

  void TearDown() override {
    agent_.reset();
    servers_.clear();
    topology_.reset();
  }

  const Topology& topo() const { return *topology_; }

  // "web": a NodePort Service, TCP and UDP, backed by every backend.
  void WriteService() {
    ServiceSpec svc{.name = "web",
                    .cluster_ips = {kVip},
                    .ports = {{.name = "http", .protocol = "TCP", .port = 80, .target_port = "8080"},
                              {.name = "dns", .protocol = "UDP", .port = 53, .target_port = "8080"}},
                    .type = "NodePort"};
    std::string service = ServiceYaml(svc);
    // ServiceSpec has no nodePort: set both ports' (TCP first), so the test knows where to send.
    const std::string anchor = "    targetPort: 8080\n";
    size_t at = 0;
    for (int node_port : {kNodePort, kNodePort + 1}) {
      at = service.find(anchor, at) + anchor.size();
      service.insert(at, "    nodePort: " + std::to_string(node_port) + "\n");
    }
    SliceSpec slice{.name = "web-1", .service = "web", .ports = {{"http", kEchoPort}, {"dns", kEchoPort}},
                    .udp_port_names = {"dns"}};
    for (const BackendInfo& be : topo().backends()) slice.endpoints.push_back({.address = be.ipv4});
    WriteFileAtomically(manifests_ + "/web.yaml", Documents({service, SliceYaml(slice)}));
  }

  std::vector<std::string> AgentArgs(const std::string& bpffs) const {
    const NodeInfo& node = topo().node();
    return {"--manifests", manifests_, "--cgroup-path", ro_cgroup_, "--bpffs", bpffs, "--node-name", node.name,
            "--node-ip", node.ipv4, "--devices", topo().external()->node_device, "--pod-devices", "be*"};
  }

  // Starts the agent contained; waits (bounded) until it synced or exited.
  Process& StartAgent(const Privileges& p, const std::vector<std::string>& args, const std::string& log) {
    agent_ = std::make_unique<Process>(topo().node().netns, ContainedAgentArgv(topo(), p, ro_cgroup_, args),
                                       topo().LogPath(log));
    WaitUntil([this] { return Synced() || !agent_->Running(); }, 15s);
    return *agent_;
  }
  bool Synced() const { return agent_->Stderr().find("initial sync done") != std::string::npos; }

  // Connections from the node (socket hooks) and from outside (XDP) all reach backends.
  void ExpectTrafficFlows(const std::string& label) {
    const std::string cluster_ip = std::string(kVip) + ":80";
    ProbeResult tcp = RunProbe({.netns = topo().node().netns, .target = cluster_ip, .proto = "tcp",
                                .count = kConnections, .cgroup = topo().cgroup_path()});
    ProbeResult udp = RunProbe({.netns = topo().node().netns, .target = std::string(kVip) + ":53",
                                .proto = "udp", .count = kConnections, .cgroup = topo().cgroup_path()});
    const std::string node_port = topo().node().ipv4 + ":" + std::to_string(kNodePort);
    ProbeResult external = RunProbe({.netns = topo().external()->netns, .target = node_port, .proto = "tcp",
                                     .count = kConnections});
    EXPECT_EQ(tcp.successes, kConnections) << tcp.Describe();
    EXPECT_EQ(udp.successes, kConnections) << udp.Describe();
    EXPECT_EQ(external.successes, kConnections) << external.Describe();
    EXPECT_GE(tcp.backends.size(), 2u) << tcp.Describe();
    EXPECT_GE(external.backends.size(), 2u) << external.Describe();
    Report(label + ": ClusterIP TCP " + cluster_ip + " " + std::to_string(tcp.successes) + "/" +
           std::to_string(tcp.attempts) + " via " + FormatCounts(tcp.backends) + "; ClusterIP UDP " +
           std::to_string(udp.successes) + "/" + std::to_string(udp.attempts) + " via " + FormatCounts(udp.backends) +
           "; NodePort " + node_port + " from outside " + std::to_string(external.successes) + "/" +
           std::to_string(external.attempts) + " via " + FormatCounts(external.backends));
  }

  std::vector<std::string> caps_;
  std::unique_ptr<Topology> topology_;
  std::vector<Process> servers_;
  std::string manifests_;
  std::string ro_cgroup_;
  std::unique_ptr<Process> agent_;
};

std::string Describe(uid_t uid) { return uid == 0 ? "uid 0" : "uid " + std::to_string(uid) + " (no account)"; }

// --- the tests ----------------------------------------------------------------------------

class LeastPrivilegeByUidTest : public LeastPrivilegeTest, public ::testing::WithParamInterface<uid_t> {};

TEST_P(LeastPrivilegeByUidTest, TheAgentWithTheManifestsCapabilitiesProgramsServicesAndTrafficFlows) {
  const Privileges p{GetParam(), caps_};
  const std::string who = Describe(p.uid) + " with " + Join(caps_);
  Process& agent = StartAgent(p, AgentArgs(SluiceBpffs(topo())), "agent");
  ASSERT_TRUE(Synced()) << who << ": the agent did not sync (" << agent.Describe() << "):\n" << agent.Stderr();

  // It holds what the manifest gives, nothing more.
  std::map<std::string, std::string> status = ProcessStatus(agent.pid());
  std::ostringstream mask;
  mask << std::hex << std::setw(16) << std::setfill('0') << CapabilityMask(caps_);
  EXPECT_EQ(status["Uid"].substr(0, status["Uid"].find_first_of(" \t")), std::to_string(p.uid));
  for (const char* set : {"CapEff", "CapPrm", "CapBnd"}) EXPECT_EQ(status[set], mask.str()) << set;
  EXPECT_EQ(status["NoNewPrivs"], "1");
  if (!SeccompPath().empty()) {
    EXPECT_EQ(status["Seccomp"], "2") << "no seccomp filter";
  }
  Report(who + ": agent pid " + std::to_string(agent.pid()) + " CapEff " + status["CapEff"] + " NoNewPrivs " +
         status["NoNewPrivs"] + " Seccomp " + status["Seccomp"] + " (runtime default profile" +
         (SeccompPath().empty() ? " not emulated here" : "") + "), cgroup through a read-only bind mount");

  const auto frontends = ReadMaps(topo()).frontends.size();
  EXPECT_GE(frontends, 3u) << "ClusterIP TCP and UDP, NodePort";
  ExpectTrafficFlows(who + ", first start (" + std::to_string(frontends) + " frontends in the maps)");

  // A restart (a DaemonSet rollout) adopts the pins under the same privileges.
  EXPECT_EQ(agent.Stop(), 0) << agent.Stderr();
  Process& again = StartAgent(p, AgentArgs(SluiceBpffs(topo())), "agent-restarted");
  ASSERT_TRUE(Synced()) << who << ": the restarted agent did not sync:\n" << again.Stderr();
  EXPECT_NE(again.Stderr().find("adopted_frontends"), std::string::npos);
  ExpectTrafficFlows(who + ", after a restart that adopted the pins");
}

INSTANTIATE_TEST_SUITE_P(, LeastPrivilegeByUidTest, ::testing::Values(uid_t{0}, kNonRootUid),
                         [](const ::testing::TestParamInfo<uid_t>& info) {
                           return info.param == 0 ? std::string("Uid0AsInTheDaemonSet") : std::string("NonRootUid");
                         });

// Each capability of the manifest is needed: without any one of them the agent stops
// with an error instead of serving half a datapath.
TEST_F(LeastPrivilegeTest, EveryCapabilityOfTheManifestIsNeeded) {
  for (const std::string& dropped : caps_) {
    std::vector<std::string> fewer;
    for (const std::string& c : caps_)
      if (c != dropped) fewer.push_back(c);
    const std::string bpffs = topo().bpffs_path() + "/without-" + dropped;
    Process& agent = StartAgent({kNonRootUid, fewer}, AgentArgs(bpffs), "agent-without-" + dropped);
    const std::optional<int> exit_status = agent.Wait(10s);
    const std::string log = agent.Stderr();
    EXPECT_FALSE(Synced()) << "synced without CAP_" << dropped << ":\n" << log;
    EXPECT_TRUE(exit_status.has_value() && *exit_status != 0) << "without CAP_" << dropped << ":\n" << log;
    std::string reason = log.substr(0, log.find('\n'));
    const size_t failed = log.find("sluice-agent failed");
    if (failed != std::string::npos) reason = log.substr(failed, log.find('\n', failed) - failed);
    Report("without CAP_" + dropped + " (" + Join(fewer) + "): exit " +
           (exit_status ? std::to_string(*exit_status) : std::string("none")) + ": " + reason);
    RunCommand({AgentPath(), "--cleanup", "--bpffs", bpffs}, 10s);
  }
}

// The pins belong to the agent's user alone: another user without capabilities can
// neither open a map or link pin (bpf_obj_get) nor remove one, nor list the directories.
TEST_F(LeastPrivilegeTest, AnotherUserCannotOpenOrRemoveThePins) {
  const std::string bpffs = SluiceBpffs(topo());
  Process& agent = StartAgent({kNonRootUid, caps_}, AgentArgs(bpffs), "agent");
  ASSERT_TRUE(Synced()) << agent.Stderr();

  std::vector<std::string> pins;
  for (const char* sub : {"/maps", "/links"})
    for (const auto& entry : fs::directory_iterator(bpffs + sub)) pins.push_back(entry.path());
  ASSERT_GE(pins.size(), 10u);
  for (const std::string& dir : {bpffs, bpffs + "/maps", bpffs + "/links"}) {
    struct stat st {};
    ASSERT_EQ(stat(dir.c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, kNonRootUid) << dir;
    EXPECT_EQ(st.st_mode & 077, 0u) << dir << " is open to others: " << std::oct << (st.st_mode & 0777);
  }

  // A child becomes the stranger (every capability goes with uid 0) and reports, per
  // pin, the errno of bpf_obj_get and of unlink, then of opening the directories.
  std::vector<const char*> paths;
  for (const std::string& p : pins) paths.push_back(p.c_str());
  const std::string maps_dir = bpffs + "/maps";
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {  // raw system calls only: the test process has threads
    close(fds[0]);
    if (syscall(SYS_setgroups, 0, nullptr) != 0 || syscall(SYS_setresgid, kStrangerUid, kStrangerUid, kStrangerUid) != 0 ||
        syscall(SYS_setresuid, kStrangerUid, kStrangerUid, kStrangerUid) != 0)
      _exit(3);
    for (const char* path : paths) {
      union bpf_attr attr;
      memset(&attr, 0, sizeof(attr));
      attr.pathname = reinterpret_cast<uint64_t>(path);
      const long fd = syscall(SYS_bpf, BPF_OBJ_GET, &attr, sizeof(attr));
      int result[2] = {fd >= 0 ? 0 : errno, 0};
      result[1] = unlink(path) == 0 ? 0 : errno;
      if (write(fds[1], result, sizeof(result)) != sizeof(result)) _exit(4);
    }
    const int dir = open(maps_dir.c_str(), O_RDONLY | O_DIRECTORY);
    int listing = dir >= 0 ? 0 : errno;
    if (write(fds[1], &listing, sizeof(listing)) != sizeof(listing)) _exit(4);
    _exit(0);
  }
  close(fds[1]);
  std::map<std::string, int> outcomes;
  for (const std::string& path : pins) {
    int result[2] = {-1, -1};
    ASSERT_EQ(read(fds[0], result, sizeof(result)), static_cast<ssize_t>(sizeof(result))) << "child died";
    EXPECT_TRUE(result[0] == EACCES || result[0] == EPERM) << "bpf_obj_get(" << path << "): " << strerror(result[0]);
    EXPECT_TRUE(result[1] == EACCES || result[1] == EPERM) << "unlink(" << path << "): " << strerror(result[1]);
    ++outcomes[std::string("open ") + (result[0] ? strerrorname_np(result[0]) : "succeeded") + ", unlink " +
               (result[1] ? strerrorname_np(result[1]) : "succeeded")];
  }
  int listing = -1;
  ASSERT_EQ(read(fds[0], &listing, sizeof(listing)), static_cast<ssize_t>(sizeof(listing)));
  close(fds[0]);
  int child_status = 0;
  waitpid(child, &child_status, 0);
  EXPECT_TRUE(WIFEXITED(child_status) && WEXITSTATUS(child_status) == 0);
  EXPECT_EQ(listing, EACCES) << "listing " << maps_dir << ": " << strerror(listing);
  std::string summary;
  for (const auto& [what, n] : outcomes) summary += (summary.empty() ? "" : "; ") + std::to_string(n) + " pins: " + what;
  Report("uid " + std::to_string(kStrangerUid) + " without capabilities against the " + std::to_string(pins.size()) +
         " pins of uid " + std::to_string(kNonRootUid) + ": " + summary + "; listing maps/: " +
         (listing ? strerrorname_np(listing) : "allowed"));
  // And the datapath is untouched.
  EXPECT_EQ(fs::exists(pins.front()), true);
}

// The configuration file in manifests/02-config.yaml, as the DaemonSet passes it (with
// the flags a test topology needs on top: flags win over the file), and the probes it
// implies answer.
TEST_F(LeastPrivilegeTest, TheConfigMapsConfigurationRunsAndTheProbesAnswer) {
  const std::string help = RunCommand({AgentPath(), "--help"}, 10s).out;
  if (help.find("--config") == std::string::npos || help.find("--healthz-bind-address") == std::string::npos)
    GTEST_SKIP() << "skipped: this sluice-agent has no --config/--healthz-bind-address yet";
  YAML::Node config;
  for (const YAML::Node& doc : YAML::LoadAllFromFile(std::string(SLUICE_SOURCE_DIR) + "/manifests/02-config.yaml"))
    if (doc["kind"].as<std::string>("") == "ConfigMap") config = YAML::Load(doc["data"]["config.yaml"].as<std::string>());
  ASSERT_TRUE(config.IsMap());
  config.remove("master");  // the test's source is a manifests directory, not an API server
  const std::string config_path = topo().work_dir() + "/config.yaml";
  WriteFileAtomically(config_path, YAML::Dump(config) + "\n");
  const int healthz_port = std::stoi(config["healthzBindAddress"].as<std::string>().substr(
      config["healthzBindAddress"].as<std::string>().rfind(':') + 1));

  std::vector<std::string> args = {"--config=" + config_path, "--node-name=" + topo().node().name};
  for (const std::string& a : AgentArgs(SluiceBpffs(topo())))
    if (a != "--node-name" && a != topo().node().name) args.push_back(a);
  Process& agent = StartAgent({0, caps_}, args, "agent-config");
  ASSERT_TRUE(Synced()) << agent.Stderr();
  EXPECT_NE(agent.Stderr().find("{\"time\""), std::string::npos) << "logFormat json was not applied";
  const std::string node_ip = topo().node().ipv4;
  const int livez = HttpGet(topo().node().netns, node_ip, healthz_port, "/livez");
  int healthz = -1;
  WaitUntil([&] { return (healthz = HttpGet(topo().node().netns, node_ip, healthz_port, "/healthz")) == 200; }, 5s);
  EXPECT_EQ(livez, 200);
  EXPECT_EQ(healthz, 200);
  ExpectTrafficFlows("uid 0 with " + Join(caps_) + " from the ConfigMap's configuration");
  Report("probes on " + node_ip + ":" + std::to_string(healthz_port) + ": /livez " + std::to_string(livez) +
         ", /healthz " + std::to_string(healthz));
}

}  // namespace
}  // namespace sluice::e2e
