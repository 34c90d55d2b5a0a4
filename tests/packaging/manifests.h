// manifests/ as the packaging tests read it: every object of every file, the agent's
// DaemonSet and configuration, and the agent's flags as configuration keys.
#pragma once

#include <yaml-cpp/yaml.h>

#include <map>
#include <set>
#include <string>
#include <vector>

namespace sluice::packaging {

struct ManifestObject {
  std::string file;  // relative to the repository: "manifests/03-daemonset.yaml"
  YAML::Node node;
};

// The YAML files `kubectl apply -f manifests/` applies (manifests/*.yaml, not
// subdirectories) and those of manifests/cleanup/.
std::vector<std::string> InstallManifestFiles();
std::vector<std::string> CleanupManifestFiles();

// Every document of `files` (paths relative to the repository).
std::vector<ManifestObject> LoadObjects(const std::vector<std::string>& files);

// The one object of that kind and name; fails the test (ADD_FAILURE) and returns an
// undefined node when there is not exactly one.
YAML::Node FindObject(const std::vector<ManifestObject>& objects, const std::string& kind,
                      const std::string& name);

// initContainers and containers of a DaemonSet's Pod template.
std::vector<YAML::Node> Containers(const YAML::Node& daemonset);
YAML::Node Container(const YAML::Node& daemonset, const std::string& name);

// The port of "HOST:PORT" ("0.0.0.0:10256" -> 10256); -1 if there is none.
int PortOf(const std::string& host_port);

// "--healthz-bind-address" -> "healthzBindAddress".
std::string ConfigKeyOfFlag(const std::string& flag);

// The long flags `sluice-agent --help` lists ("--bpffs", ...).
std::set<std::string> AgentFlags();

// Flags the manifests rely on that the lead engineer is adding in parallel (issue 6):
// accepted by the checks even before `--help` lists them.
const std::set<std::string>& AnnouncedAgentFlags();

}  // namespace sluice::packaging
