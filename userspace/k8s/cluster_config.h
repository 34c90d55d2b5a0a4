// Where the API server is and which credentials reach it, resolved as kube-proxy
// resolves its client: `--kubeconfig` (with `--master` overriding the server) if
// given, else the Pod's service account (in-cluster, `--master` again overriding the
// server), else `--master` alone with no credentials. Read once at start; only the
// token file is read again later, by the transport, because service-account tokens
// rotate.
//
// Files are read and PEM material is checked here, so a wrong path or a damaged
// certificate fails the start with a ConfigError naming the field, not the first
// request with a handshake error.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

namespace sluice::k8s {

// The configuration cannot be used: a missing file, context or field, unsupported
// authentication. Fatal at start: the agent exits with what() as the reason.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ClusterConfig {
  // Base URL of the API server: scheme, host, port and an optional path prefix (a
  // server behind a gateway has one). Requests append "/api/v1/...". A server given
  // without a scheme gets https:// when any TLS setting is present, http:// otherwise,
  // as client-go does.
  std::string server;
  // PEM bundle of the CAs that sign the server's certificate; empty: the system store.
  std::string ca_pem;
  // Do not verify the server's certificate (kubeconfig insecure-skip-tls-verify).
  // Never together with ca_pem (client-go refuses that combination too).
  bool insecure_skip_tls_verify = false;
  // Mutual TLS: PEM certificate (chain, leaf first) and its private key; both or neither.
  std::string client_cert_pem;
  std::string client_key_pem;
  // Bearer token given inline (kubeconfig `token`).
  std::string token;
  // File holding the bearer token, re-read whenever it changes (kubelet rotates
  // projected service-account tokens). While readable its content wins over `token`,
  // as in client-go.
  std::string token_file;
  // Namespace of the kubeconfig context or of the Pod. sluice watches cluster-wide;
  // this is only logged.
  std::string ns;
  // Where this came from, for logs: "in-cluster", "kubeconfig /root/.kube/config
  // context kind-kind", "--master http://127.0.0.1:8080"; a master override appends
  // ", server from --master".
  std::string source;
};

// The command-line flags that choose the configuration.
struct ConfigFlags {
  std::string kubeconfig{};  // --kubeconfig PATH
  std::string context{};     // --context NAME (only with --kubeconfig); default: current-context
  std::string master{};      // --master URL
};

// What in-cluster discovery reads: the environment kubelet sets for every Pod and the
// mounted service-account directory. Tests replace both.
struct InClusterEnvironment {
  static constexpr const char* kServiceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount";

  // Returns the variable's value, nullopt when unset. Default: the process environment.
  std::function<std::optional<std::string>(const std::string& name)> getenv = ProcessGetenv;
  // Holds `token`, `ca.crt` and `namespace`.
  std::filesystem::path service_account_dir = kServiceAccountDir;

  static std::optional<std::string> ProcessGetenv(const std::string& name);
};

// Reads a kubeconfig file: `context` names the context, "" means current-context;
// `master` (--master), when not "", replaces the cluster's server.
// Supported: cluster server, certificate-authority(-data), insecure-skip-tls-verify;
// user token, tokenFile, client-certificate(-data), client-key(-data). Relative file
// names are resolved against the kubeconfig's directory, as kubectl does. exec,
// auth-provider, username/password and impersonation are refused with a ConfigError.
ClusterConfig LoadKubeconfig(const std::filesystem::path& path, const std::string& context,
                             const std::string& master = "");

// The in-cluster configuration when KUBERNETES_SERVICE_HOST and
// KUBERNETES_SERVICE_PORT are both set, nullopt when not in a cluster. Throws
// ConfigError when in a cluster but the token or CA cannot be read. `master` as for
// LoadKubeconfig.
std::optional<ClusterConfig> LoadInClusterConfig(const InClusterEnvironment& env,
                                                 const std::string& master = "");

// The configuration the flags and environment select, in kube-proxy's order (top of
// this file). Throws ConfigError, including "no API server configured: pass
// --kubeconfig, --master or run in a cluster" when nothing applies.
ClusterConfig ResolveClusterConfig(const ConfigFlags& flags, const InClusterEnvironment& env = {});

}  // namespace sluice::k8s
