// A fake kube-apiserver for tests and benchmarks of the agent: HTTPS with a throwaway
// CA, the real server's paths, query parameters, list/watch semantics and both wire
// formats (JSON and Kubernetes protobuf) for Services, EndpointSlices and Nodes, plus
// fault injection and a request log. See README.md in this directory.
//
//   FakeApiServer server({.bookmark_interval = 200ms});
//   server.Upsert(service_json);
//   server.WriteKubeconfig(dir + "/kubeconfig");
//   ... start the agent with --kubeconfig ...
//   server.InjectFault(Resource::kServices, Verb::kWatch, Fault::ResetAfter(1));
//   EXPECT_EQ(server.log().watches(Resource::kServices), 2u);
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fake_apiserver/faults.h"
#include "fake_apiserver/request_log.h"
#include "fake_apiserver/resource.h"

namespace sluice::fake_apiserver {

struct Options {
  std::string bind_address = "127.0.0.1";  // an IPv4 or IPv6 literal
  uint16_t port = 0;                        // 0: any free port
  // Listen inside this network namespace (e.g. "/run/netns/NAME"); "" for the
  // caller's. Needs CAP_SYS_ADMIN.
  std::string netns_path = "";
  // Where the CA, certificates and keys go; "" for a fresh directory under $TMPDIR
  // (or /tmp), removed when the server is destroyed.
  std::string tls_dir = "";
  // Requests must carry "Authorization: Bearer <token>" (401 otherwise); "" for none.
  std::string bearer_token = "";
  // Clients must present a certificate signed by the CA (client_cert_path()). With
  // it, the certificate authenticates and bearer_token is not checked.
  bool require_client_cert = false;
  // Between bookmarks on a watch with allowWatchBookmarks=true. The real server's is
  // about a minute; tests use a few hundred milliseconds.
  std::chrono::milliseconds bookmark_interval{std::chrono::seconds(60)};
  // A watch without timeoutSeconds ends after this.
  std::chrono::seconds default_watch_timeout{1800};
  // Past this many changes the oldest is dropped and watches from before it get 410.
  size_t max_history = 1'000'000;
  // Connections served at once (each open watch holds one).
  size_t worker_threads = 64;
  // Fill in what the API server defaults on create (object_defaults.h).
  bool apply_defaults = true;
  // creationTimestamp of new objects.
  std::function<std::chrono::system_clock::time_point()> clock = std::chrono::system_clock::now;
};

struct KubeconfigOptions {
  bool include_token = true;          // the server's bearer_token, when it has one
  bool include_client_cert = false;   // client-certificate-data / client-key-data
  std::string token_override = "";       // a different (e.g. wrong) token
  std::string server_override = "";       // a different server URL
};

class FakeApiServer {
 public:
  // Generates the TLS material and starts listening before returning. Throws
  // std::runtime_error when it cannot (bad namespace, address in use, ...).
  explicit FakeApiServer(Options options = {});
  ~FakeApiServer();
  FakeApiServer(const FakeApiServer&) = delete;
  FakeApiServer& operator=(const FakeApiServer&) = delete;

  // "https://127.0.0.1:43121" ("https://[::1]:43121" for IPv6).
  std::string url() const;
  uint16_t port() const;
  const std::string& ca_pem() const;
  const std::string& ca_path() const;
  const std::string& client_cert_path() const;
  const std::string& client_key_path() const;
  const Options& options() const { return options_; }
  void WriteKubeconfig(const std::string& path, const KubeconfigOptions& kubeconfig = {}) const;

  // --- objects (thread-safe; every change is one resourceVersion) ---
  // Creates or replaces by kind/namespace/name and returns the object as stored
  // (server metadata, defaults). Throws std::invalid_argument for kinds the fake does
  // not serve. An update that changes nothing is a no-op, as on the real server.
  nlohmann::json Upsert(nlohmann::json object);
  // Every object of a file (object_files.h) of a served kind; returns how many.
  size_t UpsertFile(const std::string& path);
  bool Delete(std::string_view kind, std::string_view ns, std::string_view name);
  bool Delete(Resource resource, std::string_view ns, std::string_view name);
  std::optional<nlohmann::json> Get(Resource resource, std::string_view ns,
                                    std::string_view name) const;
  uint64_t resource_version() const;
  // Drops the change history: watches from an older RV get the in-stream 410 ERROR,
  // Exact lists at an older RV and their continue tokens get HTTP 410.
  void Compact();

  // --- faults ---
  // Queues a fault for the next request of that resource and verb. kWatchExpired,
  // kResetAfter and kShortWatch are for Verb::kWatch only (std::invalid_argument).
  void InjectFault(Resource resource, Verb verb, Fault fault);
  void ClearFaults();
  // Ends every stall now.
  void ReleaseStalls();
  size_t stalled_requests() const;
  // true: close the listening socket and every connection; clients get "connection
  // refused" until SetUnavailable(false) listens again on the same port. Objects can
  // change meanwhile.
  void SetUnavailable(bool unavailable);

  // --- what was asked ---
  std::vector<RequestRecord> Requests() const;
  RequestLog& log();
  const RequestLog& log() const;

  // Stops listening and ends every connection; idempotent (the destructor calls it).
  void Stop();

 private:
  struct Impl;
  Options options_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::fake_apiserver
