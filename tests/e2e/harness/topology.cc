#include "e2e/harness/topology.h"

#include <unistd.h>

#include <cstdio>
#include <random>
#include <sstream>
#include <stdexcept>

#include "e2e/harness/cleanup_registry.h"
#include "e2e/harness/command.h"
#include "e2e/harness/paths.h"

namespace sluice::e2e {
namespace {

constexpr auto kScriptTimeout = std::chrono::seconds(60);

std::vector<std::string> ScriptCommand(const std::string& verb, const std::string& run_id) {
  return {"/bin/bash", TopologyScriptPath(), verb, run_id};
}

std::vector<std::string> SplitWords(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> words;
  for (std::string word; in >> word;) words.push_back(word);
  return words;
}

std::map<std::string, std::string> ParseKeyValues(const std::string& text) {
  std::map<std::string, std::string> values;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    const size_t equals = line.find('=');
    if (equals == std::string::npos) continue;
    values[line.substr(0, equals)] = line.substr(equals + 1);
  }
  return values;
}

}  // namespace

std::string NewRunId() {
  std::random_device random;
  for (int attempt = 0; attempt < 16; ++attempt) {
    char id[7];
    std::snprintf(id, sizeof(id), "%06x", random() & 0xffffffu);
    const std::string netns = std::string("/run/netns/sl-") + id + "-node1";
    if (access(netns.c_str(), F_OK) != 0) return id;
  }
  throw std::runtime_error("no free run id after 16 tries");
}

Topology::Topology(TopologyOptions options) : run_id_(NewRunId()) {
  // Registered before anything exists, so a signal while building still cleans up.
  teardown_handle_ = RegisterTeardown(ScriptCommand("down", run_id_));
  std::vector<std::string> argv = ScriptCommand("up", run_id_);
  argv.insert(argv.end(), {"--nodes", std::to_string(options.nodes)});
  if (options.backends_per_node > 0) {
    argv.insert(argv.end(), {"--backends-per-node", std::to_string(options.backends_per_node)});
  } else {
    argv.insert(argv.end(), {"--backends", std::to_string(options.backends)});
  }
  if (options.external) argv.push_back("--external");
  if (options.clients > 0) argv.insert(argv.end(), {"--clients", std::to_string(options.clients)});

  up_ = true;  // from here on, Down() has something to remove
  // A constructor that throws gets no destructor call: clean up here.
  try {
    const CommandResult result = RunCommand(argv, kScriptTimeout);
    if (result.exit_status != 0) {
      throw std::runtime_error("topology.sh up " + run_id_ + " failed (status " +
                               std::to_string(result.exit_status) + "): " + result.err);
    }
    Parse(result.out);
  } catch (...) {
    try {
      Down();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "e2e harness: tearing down run %s: %s\n", run_id_.c_str(), e.what());
    }
    throw;
  }
}

Topology::~Topology() {
  try {
    Down();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "e2e harness: tearing down run %s: %s\n", run_id_.c_str(), e.what());
  }
}

void Topology::Down() {
  if (!up_) return;
  const CommandResult result = RunCommand(ScriptCommand("down", run_id_), kScriptTimeout);
  if (result.exit_status != 0) {
    throw std::runtime_error("topology.sh down " + run_id_ + " failed: " + result.err);
  }
  up_ = false;
  UnregisterTeardown(teardown_handle_);
  teardown_handle_ = -1;
}

std::vector<std::string> Topology::LiveNamespaces() const {
  const CommandResult result = RunCommand(ScriptCommand("list", run_id_), kScriptTimeout);
  if (result.exit_status != 0) {
    throw std::runtime_error("topology.sh list " + run_id_ + " failed: " + result.err);
  }
  return SplitWords(ParseKeyValues(result.out)["live_netns"]);
}

std::string Topology::Value(const std::string& key) const {
  auto it = values_.find(key);
  return it == values_.end() ? "" : it->second;
}

void Topology::Parse(const std::string& description) {
  values_ = ParseKeyValues(description);
  run_dir_ = Value("run_dir");
  log_dir_ = Value("log_dir");
  work_dir_ = Value("work_dir");
  cgroup_path_ = Value("cgroup");
  bpffs_path_ = Value("bpffs");
  const int node_count = std::stoi(Value("nodes"));
  for (int k = 1; k <= node_count; ++k) {
    const std::string p = "node" + std::to_string(k);
    nodes_.push_back({p, Value(p + ".netns"), Value(p + ".ipv4"), Value(p + ".ipv6"),
                      Value(p + ".fabric_ipv4"), Value(p + ".fabric_ipv6")});
  }
  const int backend_count = std::stoi(Value("backends"));
  for (int i = 1; i <= backend_count; ++i) {
    const std::string p = "be" + std::to_string(i);
    backends_.push_back({p, Value(p + ".netns"), std::stoi(Value(p + ".node")), Value(p + ".ipv4"),
                         Value(p + ".ipv6"), Value(p + ".gateway_ipv4"), Value(p + ".gateway_ipv6"),
                         Value(p + ".node_dev")});
  }
  if (Value("external") == "1") {
    external_ =
        ExternalInfo{Value("ext.netns"),        Value("ext.ipv4"),         Value("ext.ipv6"),
                     Value("ext.gateway_ipv4"), Value("ext.gateway_ipv6"), Value("ext.node_dev")};
  }
  const std::string client_count = Value("clients");  // absent from older state files
  for (int i = 1; i <= (client_count.empty() ? 0 : std::stoi(client_count)); ++i) {
    const std::string p = "cl" + std::to_string(i);
    clients_.push_back({p, Value(p + ".netns"), Value(p + ".ipv4"), Value(p + ".ipv6"),
                        Value(p + ".gateway_ipv4"), Value(p + ".gateway_ipv6"), Value(p + ".node_dev")});
  }
}

}  // namespace sluice::e2e
