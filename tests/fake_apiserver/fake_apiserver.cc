#include "fake_apiserver/fake_apiserver.h"

#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <stdexcept>

#include "fake_apiserver/kubeconfig.h"
#include "fake_apiserver/listener.h"
#include "fake_apiserver/object_defaults.h"
#include "fake_apiserver/object_files.h"
#include "fake_apiserver/object_store.h"
#include "fake_apiserver/router.h"
#include "fake_apiserver/server_context.h"
#include "fake_apiserver/stall_gate.h"
#include "fake_apiserver/tls_material.h"
#include "fake_apiserver/wire_encoder.h"

namespace sluice::fake_apiserver {
namespace {

bool IsWildcard(const std::string& address) { return address == "0.0.0.0" || address == "::"; }

std::string TlsDir(const Options& o) {
  if (!o.tls_dir.empty()) {
    std::filesystem::create_directories(o.tls_dir);
    return o.tls_dir;
  }
  const char* base = getenv("TMPDIR");
  std::string pattern = std::string(base && *base ? base : "/tmp") + "/sluice-fake-apiserver.XXXXXX";
  if (!mkdtemp(pattern.data())) throw std::runtime_error("fake API server: cannot create " + pattern);
  return pattern;
}

TlsMaterial MakeTls(const Options& o) {
  std::string dir = TlsDir(o);
  std::vector<std::string> ips = {"127.0.0.1", "::1"};
  if (!IsWildcard(o.bind_address) && o.bind_address != "127.0.0.1" && o.bind_address != "::1") {
    ips.insert(ips.begin(), o.bind_address);
  }
  try {
    return GenerateTlsMaterial(dir, ips, {"localhost", "kubernetes", "kubernetes.default.svc"});
  } catch (...) {
    std::error_code ignored;
    if (o.tls_dir.empty()) std::filesystem::remove_all(dir, ignored);
    throw;
  }
}

}  // namespace

struct FakeApiServer::Impl {
  explicit Impl(const Options& o)
      : owns_tls_dir(o.tls_dir.empty()),
        tls(MakeTls(o)),
        store(o.clock ? o.clock : std::chrono::system_clock::now, o.max_history),
        json(MakeJsonEncoder()),
        protobuf(MakeProtobufEncoder()) {
    context.store = &store;
    context.faults = &faults;
    context.log = &log;
    context.stalls = &stalls;
    context.closing = [this] {
      Listener* l = running.load();
      return l && l->closing();
    };
    context.bearer_token = o.require_client_cert ? "" : o.bearer_token;
    context.bookmark_interval = o.bookmark_interval;
    context.default_watch_timeout = o.default_watch_timeout;
    context.json = json.get();
    context.protobuf = protobuf.get();

    ListenerConfig config;
    config.bind_address = o.bind_address;
    config.port = o.port;
    config.netns_path = o.netns_path;
    config.cert_path = tls.server_cert_path;
    config.key_path = tls.server_key_path;
    if (o.require_client_cert) config.client_ca_path = tls.ca_cert_path;
    config.worker_threads = o.worker_threads;
    try {
      listener = std::make_unique<Listener>(
          config, [this](httplib::Server& server) { router.Install(server); },
          [this] {
            store.Wake();
            stalls.Wake();
          });
      running = listener.get();
    } catch (...) {
      RemoveTlsDir();
      throw;
    }
  }

  ~Impl() {
    if (listener) listener->Stop();
    RemoveTlsDir();
  }

  void RemoveTlsDir() {
    if (!owns_tls_dir) return;
    std::error_code ignored;
    std::filesystem::remove_all(tls.dir, ignored);
  }

  bool owns_tls_dir;
  TlsMaterial tls;
  ObjectStore store;
  FaultQueue faults;
  RequestLog log;
  StallGate stalls;
  ObjectDefaulter defaulter;
  std::unique_ptr<WireEncoder> json;
  std::unique_ptr<WireEncoder> protobuf;
  ServerContext context;
  Router router{context};
  std::unique_ptr<Listener> listener;  // last: it runs the handlers that use the rest
  // The listener once constructed, for handlers that may run before `listener` is
  // assigned.
  std::atomic<Listener*> running{nullptr};
};

FakeApiServer::FakeApiServer(Options options)
    : options_(std::move(options)), impl_(std::make_unique<Impl>(options_)) {}

FakeApiServer::~FakeApiServer() = default;

std::string FakeApiServer::url() const {
  std::string host = options_.bind_address;
  if (host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::") host = "::1";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return "https://" + host + ":" + std::to_string(port());
}

uint16_t FakeApiServer::port() const { return impl_->listener->port(); }
const std::string& FakeApiServer::ca_pem() const { return impl_->tls.ca_cert_pem; }
const std::string& FakeApiServer::ca_path() const { return impl_->tls.ca_cert_path; }
const std::string& FakeApiServer::client_cert_path() const { return impl_->tls.client_cert_path; }
const std::string& FakeApiServer::client_key_path() const { return impl_->tls.client_key_path; }

void FakeApiServer::WriteKubeconfig(const std::string& path, const KubeconfigOptions& k) const {
  KubeconfigContent content;
  content.server = k.server_override.empty() ? url() : k.server_override;
  content.ca_cert_pem = impl_->tls.ca_cert_pem;
  if (k.include_token) content.token = k.token_override.empty() ? options_.bearer_token : k.token_override;
  if (k.include_client_cert) {
    content.client_cert_pem = impl_->tls.client_cert_pem;
    content.client_key_pem = impl_->tls.client_key_pem;
  }
  WriteKubeconfigFile(path, content);
}

nlohmann::json FakeApiServer::Upsert(nlohmann::json object) {
  if (options_.apply_defaults) {
    ObjectPtr existing;
    if (object.is_object() && object.contains("metadata") && object["metadata"].is_object()) {
      auto resource = ResourceForKind(object.value("kind", ""));
      const auto& meta = object["metadata"];
      std::string ns = meta.contains("namespace") && meta["namespace"].is_string()
                           ? meta["namespace"].get<std::string>()
                           : "";
      if (ns.empty()) ns = "default";
      if (resource && meta.contains("name") && meta["name"].is_string()) {
        existing = impl_->store.Get(*resource, IsNamespaced(*resource) ? ns : "", meta["name"].get<std::string>());
      }
    }
    object = impl_->defaulter.Apply(std::move(object), existing ? &existing->json() : nullptr);
  }
  return impl_->store.Upsert(std::move(object))->json();
}

size_t FakeApiServer::UpsertFile(const std::string& path) {
  size_t n = 0;
  for (auto& object : LoadObjectsFile(path)) {
    if (!object.is_object() || !ResourceForKind(object.value("kind", ""))) continue;
    Upsert(std::move(object));
    ++n;
  }
  return n;
}

bool FakeApiServer::Delete(std::string_view kind, std::string_view ns, std::string_view name) {
  auto resource = ResourceForKind(kind);
  if (!resource) throw std::invalid_argument("the fake API server does not serve kind " + std::string(kind));
  return Delete(*resource, ns, name);
}

bool FakeApiServer::Delete(Resource resource, std::string_view ns, std::string_view name) {
  return impl_->store.Delete(resource, ns, name);
}

std::optional<nlohmann::json> FakeApiServer::Get(Resource resource, std::string_view ns,
                                                 std::string_view name) const {
  ObjectPtr object = impl_->store.Get(resource, ns, name);
  if (!object) return std::nullopt;
  return object->json();
}

uint64_t FakeApiServer::resource_version() const { return impl_->store.resource_version(); }
void FakeApiServer::Compact() { impl_->store.Compact(); }

void FakeApiServer::InjectFault(Resource resource, Verb verb, Fault fault) {
  bool watch_only = fault.type == Fault::Type::kWatchExpired ||
                    fault.type == Fault::Type::kResetAfter || fault.type == Fault::Type::kShortWatch;
  if (watch_only && verb != Verb::kWatch) {
    throw std::invalid_argument("this fault only applies to watches");
  }
  impl_->faults.Push(resource, verb, std::move(fault));
}

void FakeApiServer::ClearFaults() { impl_->faults.Clear(); }
void FakeApiServer::ReleaseStalls() { impl_->stalls.ReleaseAll(); }
size_t FakeApiServer::stalled_requests() const { return impl_->stalls.stalled(); }
void FakeApiServer::SetUnavailable(bool unavailable) { impl_->listener->SetAvailable(!unavailable); }

std::vector<RequestRecord> FakeApiServer::Requests() const { return impl_->log.All(); }
RequestLog& FakeApiServer::log() { return impl_->log; }
const RequestLog& FakeApiServer::log() const { return impl_->log; }

void FakeApiServer::Stop() { impl_->listener->Stop(); }

}  // namespace sluice::fake_apiserver
