// What the kubeconfig and in-cluster loaders share (k8s/cluster_config.h): reading a
// credential file with an error that names it, and the final step every
// configuration goes through (the --master override, URL defaults, consistency).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "k8s/cluster_config.h"

namespace sluice::k8s {

// The file's content; ConfigError "<what>: cannot read PATH: <errno text>" otherwise.
std::string ReadConfigFile(const std::filesystem::path& path, std::string_view what);

// Applies `master` (--master, "" for none) over config.server, gives a scheme-less
// server its default scheme, drops a trailing "/", and refuses what cannot work: no
// server, a scheme other than http/https, a CA together with insecure-skip-tls-verify,
// a client certificate without its key or the reverse.
void FinishClusterConfig(ClusterConfig& config, const std::string& master);

}  // namespace sluice::k8s
