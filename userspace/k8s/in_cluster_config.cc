// In-cluster configuration (k8s/cluster_config.h): what client-go's
// rest.InClusterConfig reads, from the same places.
#include <system_error>

#include "k8s/cluster_config.h"
#include "k8s/cluster_config_checks.h"
#include "k8s/pem_checks.h"

namespace sluice::k8s {

namespace {

std::string Trim(std::string text) {
  constexpr const char* kSpace = " \t\r\n";
  text.erase(text.find_last_not_of(kSpace) + 1);
  text.erase(0, text.find_first_not_of(kSpace));
  return text;
}

// net.JoinHostPort: an IPv6 literal is bracketed in a URL.
std::string JoinHostPort(const std::string& host, const std::string& port) {
  bool ipv6 = host.find(':') != std::string::npos && !host.starts_with('[');
  return (ipv6 ? "[" + host + "]" : host) + ":" + port;
}

}  // namespace

std::optional<ClusterConfig> LoadInClusterConfig(const InClusterEnvironment& env, const std::string& master) {
  std::string host = env.getenv("KUBERNETES_SERVICE_HOST").value_or("");
  std::string port = env.getenv("KUBERNETES_SERVICE_PORT").value_or("");
  if (host.empty() || port.empty()) return std::nullopt;

  constexpr std::string_view kWhat = "in-cluster";
  const std::filesystem::path& dir = env.service_account_dir;
  ClusterConfig config;
  config.source = "in-cluster";
  config.server = "https://" + JoinHostPort(host, port);

  // The token is not kept: the transport reads the file itself and again whenever
  // kubelet rotates it. Reading it once here makes a missing mount fail the start.
  config.token_file = (dir / "token").string();
  ReadConfigFile(config.token_file, kWhat);

  std::filesystem::path ca = dir / "ca.crt";
  config.ca_pem = ReadConfigFile(ca, kWhat);
  CheckCertificatesPem(config.ca_pem, "in-cluster: " + ca.string());

  // Optional, as in client-go: only logged.
  std::error_code ec;
  if (std::filesystem::exists(dir / "namespace", ec)) config.ns = Trim(ReadConfigFile(dir / "namespace", kWhat));

  FinishClusterConfig(config, master);
  return config;
}

}  // namespace sluice::k8s
