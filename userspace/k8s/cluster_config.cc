#include "k8s/cluster_config.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "k8s/cluster_config_checks.h"

namespace sluice::k8s {

std::optional<std::string> InClusterEnvironment::ProcessGetenv(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

std::string ReadConfigFile(const std::filesystem::path& path, std::string_view what) {
  // A directory opens as a stream too, and reads as nothing.
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw ConfigError(std::string(what) + ": " + path.string() + " is a directory, not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    int err = errno;
    throw ConfigError(std::string(what) + ": cannot read " + path.string() + ": " + std::strerror(err));
  }
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) throw ConfigError(std::string(what) + ": cannot read " + path.string());
  return content.str();
}

void FinishClusterConfig(ClusterConfig& config, const std::string& master) {
  if (!master.empty()) {
    config.server = master;
    config.source += ", server from --master";
  }
  if (config.server.empty())
    throw ConfigError(config.source + ": no API server address (the cluster has no server; pass --master)");
  if (config.server.find("://") == std::string::npos) {
    // client-go's rule for "host:port": TLS when anything TLS is configured.
    bool tls = !config.ca_pem.empty() || !config.client_cert_pem.empty() || config.insecure_skip_tls_verify;
    config.server = (tls ? "https://" : "http://") + config.server;
  }
  std::string_view server = config.server;
  if (!server.starts_with("https://") && !server.starts_with("http://"))
    throw ConfigError(config.source + ": server " + config.server + " is neither http:// nor https://");
  std::string_view authority = server.substr(server.find("://") + 3);
  if (authority.empty() || authority.starts_with('/'))
    throw ConfigError(config.source + ": server " + config.server + " has no host");
  while (config.server.ends_with('/')) config.server.pop_back();

  if (config.insecure_skip_tls_verify && !config.ca_pem.empty())
    throw ConfigError(config.source +
                      ": a certificate authority together with insecure-skip-tls-verify is contradictory; "
                      "remove one");
  if (config.client_cert_pem.empty() != config.client_key_pem.empty())
    throw ConfigError(config.source + (config.client_key_pem.empty()
                                           ? ": a client certificate without its client key"
                                           : ": a client key without its client certificate"));
}

ClusterConfig ResolveClusterConfig(const ConfigFlags& flags, const InClusterEnvironment& env) {
  if (!flags.context.empty() && flags.kubeconfig.empty())
    throw ConfigError("--context needs --kubeconfig");
  if (!flags.kubeconfig.empty()) return LoadKubeconfig(flags.kubeconfig, flags.context, flags.master);
  // kube-proxy too keeps the service account's credentials when --master names
  // another address for the API server.
  if (std::optional<ClusterConfig> in_cluster = LoadInClusterConfig(env, flags.master)) return *in_cluster;
  if (!flags.master.empty()) {
    ClusterConfig config;
    config.server = flags.master;
    config.source = "--master " + flags.master;
    FinishClusterConfig(config, "");
    return config;
  }
  throw ConfigError("no API server configured: pass --kubeconfig, --master or run in a cluster");
}

}  // namespace sluice::k8s
