// Kubeconfig files (k8s/cluster_config.h): the subset of kubectl's format that a
// node agent needs, read with yaml-cpp (a kubeconfig in JSON is YAML too).
#include <yaml-cpp/yaml.h>

#include <string_view>
#include <vector>

#include "k8s/base64.h"
#include "k8s/cluster_config.h"
#include "k8s/cluster_config_checks.h"
#include "k8s/pem_checks.h"

namespace sluice::k8s {

namespace {

std::string Quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

// One kubeconfig file and the context chosen in it; `where` prefixes every error.
class Kubeconfig {
 public:
  Kubeconfig(const std::filesystem::path& path, YAML::Node root)
      : dir_(path.has_parent_path() ? path.parent_path() : std::filesystem::path(".")),
        where_("kubeconfig " + path.string()),
        root_(std::move(root)) {}

  const std::string& where() const { return where_; }

  // The entry `name` of the list `list` ("contexts", "clusters", "users"), its body
  // under `field` ("context", ...): a mapping, empty when the body is null.
  YAML::Node Named(const char* list, const char* field, const std::string& name) const {
    YAML::Node entries = root_[list];
    std::vector<std::string> known;
    if (entries && entries.IsSequence()) {
      for (const YAML::Node& entry : entries) {
        if (!entry.IsMap()) continue;
        std::string entry_name = String(entry, "name", where_ + ": " + list);
        if (entry_name != name) {
          known.push_back(entry_name);
          continue;
        }
        YAML::Node body = entry[field];
        if (!body || body.IsNull()) return YAML::Node(YAML::NodeType::Map);
        if (!body.IsMap())
          throw ConfigError(where_ + ": " + field + " " + Quoted(name) + " is not a mapping");
        return body;
      }
    } else if (entries && !entries.IsNull()) {
      throw ConfigError(where_ + ": " + list + " is not a list");
    }
    std::string names;
    for (const std::string& k : known) names += (names.empty() ? "" : ", ") + k;
    throw ConfigError(where_ + ": " + field + " " + Quoted(name) + " not found" +
                      (names.empty() ? " (no " + std::string(list) + " defined)" : " (" + std::string(list) + ": " + names + ")"));
  }

  std::string CurrentContext() const { return String(root_, "current-context", where_); }

  // A file named in the kubeconfig: relative names are relative to its directory.
  std::filesystem::path Resolve(const std::string& file) const {
    std::filesystem::path p(file);
    return p.is_absolute() ? p : dir_ / p;
  }

  // A string field; "" when absent or null.
  static std::string String(const YAML::Node& map, const char* key, const std::string& owner) {
    YAML::Node value = map[key];
    if (!value || value.IsNull()) return "";
    if (!value.IsScalar()) throw ConfigError(owner + ": " + key + " must be a string");
    return value.Scalar();
  }

  static bool Bool(const YAML::Node& map, const char* key, const std::string& owner) {
    YAML::Node value = map[key];
    if (!value || value.IsNull()) return false;
    bool result = false;
    if (!value.IsScalar() || !YAML::convert<bool>::decode(value, result))
      throw ConfigError(owner + ": " + key + " must be true or false");
    return result;
  }

  static bool Has(const YAML::Node& map, const char* key) {
    YAML::Node value = map[key];
    return value && !value.IsNull();
  }

 private:
  std::filesystem::path dir_;
  std::string where_;
  YAML::Node root_;
};

// PEM material given inline as `<key>-data` (base64) or as a file named by `<key>`;
// the inline form wins, as in client-go. "" when neither is set.
std::string DataOrFile(const Kubeconfig& kc, const YAML::Node& map, const char* file_key,
                       const std::string& owner) {
  std::string data_key = std::string(file_key) + "-data";
  std::string data = Kubeconfig::String(map, data_key.c_str(), owner);
  if (!data.empty()) {
    std::optional<std::string> decoded = DecodeBase64(data);
    if (!decoded) throw ConfigError(owner + ": " + data_key + " is not valid base64");
    return *decoded;
  }
  std::string file = Kubeconfig::String(map, file_key, owner);
  if (file.empty()) return "";
  return ReadConfigFile(kc.Resolve(file), owner + ": " + file_key);
}

// Names what sluice cannot do for `user`, or "" when its authentication is supported.
std::string UnsupportedAuth(const YAML::Node& user, const std::string& owner) {
  if (Kubeconfig::Has(user, "exec")) {
    std::string command = user["exec"].IsMap() ? Kubeconfig::String(user["exec"], "command", owner) : "";
    return "uses an exec credential plugin" + (command.empty() ? "" : " (" + Quoted(command) + ")");
  }
  if (Kubeconfig::Has(user, "auth-provider")) {
    std::string name =
        user["auth-provider"].IsMap() ? Kubeconfig::String(user["auth-provider"], "name", owner) : "";
    return "uses the auth-provider" + (name.empty() ? "" : " " + Quoted(name));
  }
  if (Kubeconfig::Has(user, "username") || Kubeconfig::Has(user, "password"))
    return "uses basic authentication (username/password)";
  for (const char* key : {"as", "as-uid", "as-groups", "as-user-extra"})
    if (Kubeconfig::Has(user, key)) return std::string("uses impersonation (") + key + ")";
  return "";
}

void ReadCluster(const Kubeconfig& kc, const std::string& name, ClusterConfig& config) {
  YAML::Node cluster = kc.Named("clusters", "cluster", name);
  std::string owner = kc.where() + ": cluster " + Quoted(name);
  // Refused rather than ignored: ignoring them fails later, at the handshake or the
  // connect, with an error that no longer points here.
  for (const char* key : {"tls-server-name", "proxy-url"})
    if (Kubeconfig::Has(cluster, key))
      throw ConfigError(owner + ": " + key + " is not supported by sluice");
  config.server = Kubeconfig::String(cluster, "server", owner);
  config.insecure_skip_tls_verify = Kubeconfig::Bool(cluster, "insecure-skip-tls-verify", owner);
  config.ca_pem = DataOrFile(kc, cluster, "certificate-authority", owner);
  if (!config.ca_pem.empty()) CheckCertificatesPem(config.ca_pem, owner + ": certificate-authority");
}

void ReadUser(const Kubeconfig& kc, const std::string& name, ClusterConfig& config) {
  YAML::Node user = kc.Named("users", "user", name);
  std::string owner = kc.where() + ": user " + Quoted(name);
  if (std::string unsupported = UnsupportedAuth(user, owner); !unsupported.empty())
    throw ConfigError(owner + " " + unsupported +
                      ", which sluice does not support; give the agent a user with a token, tokenFile "
                      "or client certificate");

  config.token = Kubeconfig::String(user, "token", owner);
  if (std::string file = Kubeconfig::String(user, "tokenFile", owner); !file.empty()) {
    config.token_file = kc.Resolve(file).string();
    // As in client-go, an unreadable tokenFile is fatal only when no inline token
    // stands in for it.
    if (config.token.empty()) ReadConfigFile(config.token_file, owner + ": tokenFile");
  }

  config.client_cert_pem = DataOrFile(kc, user, "client-certificate", owner);
  config.client_key_pem = DataOrFile(kc, user, "client-key", owner);
  if (!config.client_cert_pem.empty())
    CheckCertificatesPem(config.client_cert_pem, owner + ": client-certificate");
  if (!config.client_key_pem.empty()) CheckPrivateKeyPem(config.client_key_pem, owner + ": client-key");
  if (!config.client_cert_pem.empty() && !config.client_key_pem.empty())
    CheckKeyMatchesCertificate(config.client_cert_pem, config.client_key_pem, owner + ": client-key");
}

YAML::Node Parse(const std::filesystem::path& path) {
  std::string text = ReadConfigFile(path, "kubeconfig");
  try {
    YAML::Node root = YAML::Load(text);
    if (!root.IsMap()) throw ConfigError("kubeconfig " + path.string() + ": not a kubeconfig (no mapping at the top)");
    return root;
  } catch (const YAML::Exception& e) {
    throw ConfigError("kubeconfig " + path.string() + ": " + e.what());
  }
}

}  // namespace

ClusterConfig LoadKubeconfig(const std::filesystem::path& path, const std::string& context,
                             const std::string& master) {
  Kubeconfig kc(path, Parse(path));
  ClusterConfig config;
  try {
    std::string context_name = context.empty() ? kc.CurrentContext() : context;
    if (context_name.empty())
      throw ConfigError(kc.where() + ": no current-context is set; pass --context NAME");
    config.source = kc.where() + " context " + context_name;

    YAML::Node ctx = kc.Named("contexts", "context", context_name);
    std::string owner = kc.where() + ": context " + Quoted(context_name);
    std::string cluster = Kubeconfig::String(ctx, "cluster", owner);
    if (cluster.empty()) throw ConfigError(owner + " names no cluster");
    ReadCluster(kc, cluster, config);
    // A context without a user talks to the server anonymously, as kubectl does.
    if (std::string user = Kubeconfig::String(ctx, "user", owner); !user.empty()) ReadUser(kc, user, config);
    config.ns = Kubeconfig::String(ctx, "namespace", owner);
    if (config.ns.empty()) config.ns = "default";
  } catch (const YAML::Exception& e) {
    throw ConfigError(kc.where() + ": " + e.what());
  }
  FinishClusterConfig(config, master);
  return config;
}

}  // namespace sluice::k8s
