// --config FILE: the agent's flags as a YAML file, in the spirit of kube-proxy's
// KubeProxyConfiguration. Each key is a flag's name in camelCase (--cgroup-path is
// cgroupPath); flags given on the command line win over the file. `apiVersion` and
// `kind` are accepted and ignored.
#pragma once

#include <set>
#include <string>
#include <vector>

namespace sluice::agent {

struct FlagShape {
  std::string name;   // "cgroup-path"
  bool takes_value;   // false for switches such as --cleanup
  bool repeatable;    // --node-ip a --node-ip b
};

// The command-line arguments the file stands for, leaving out flags in `given` (the
// ones on the command line). Throws std::runtime_error naming the key and the file
// for unknown keys and values of the wrong shape.
std::vector<std::string> ConfigFileArgs(const std::string& path, const std::vector<FlagShape>& flags,
                                        const std::set<std::string>& given);

// "cgroupPath" -> "cgroup-path"; "--cgroup-path" -> "cgroupPath".
std::string CamelToKebab(const std::string& key);
std::string KebabToCamel(const std::string& flag);

}  // namespace sluice::agent
