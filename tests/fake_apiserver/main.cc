// sluice-fake-apiserver: the fake API server as a process, for benchmarks and manual
// runs of the agent. Serves objects from manifest files and/or a generated set,
// optionally changes them at a steady rate, and runs until SIGINT or SIGTERM.
//
//   sluice-fake-apiserver --objects tests/fixtures/k8s-wire/objects.yaml
//       --kubeconfig /tmp/kc --token secret
//   sluice-fake-apiserver --generate-services 10000 --endpoints-per-service 10
//       --dual-stack --churn-interval-ms 10 --kubeconfig /tmp/kc
#include <CLI/CLI.hpp>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

#include "fake_apiserver/fake_apiserver.h"
#include "fake_apiserver/object_files.h"
#include "fake_apiserver/object_generator.h"

namespace {

using sluice::fake_apiserver::FakeApiServer;
using sluice::fake_apiserver::Resource;

struct Flags {
  sluice::fake_apiserver::Options server;
  std::vector<std::string> object_files;
  sluice::fake_apiserver::GeneratorOptions generator;
  std::string nodes = "node1";
  long bookmark_interval_ms = 60000;
  std::string kubeconfig;
  bool kubeconfig_client_cert = false;
  long churn_interval_ms = 0;
  long compact_interval_ms = 0;
};

std::vector<std::string> SplitCommas(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!item.empty()) out.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

// Flips the readiness of the first endpoint of one EndpointSlice after another: a
// steady stream of MODIFIED events for benchmarks of the agent's sync path.
class Churn {
 public:
  explicit Churn(FakeApiServer& server) : server_(server) {}
  void Track(const nlohmann::json& object) {
    if (object.value("kind", "") != "EndpointSlice") return;
    slices_.emplace_back(object["metadata"].value("namespace", "default"),
                         object["metadata"].value("name", ""));
  }
  void Step() {
    if (slices_.empty()) return;
    const auto& [ns, name] = slices_[next_++ % slices_.size()];
    auto slice = server_.Get(Resource::kEndpointSlices, ns, name);
    if (!slice || !(*slice)["endpoints"].is_array() || (*slice)["endpoints"].empty()) return;
    auto& conditions = (*slice)["endpoints"][0]["conditions"];
    conditions["ready"] = !conditions.value("ready", true);
    server_.Upsert(std::move(*slice));
  }

 private:
  FakeApiServer& server_;
  std::vector<std::pair<std::string, std::string>> slices_;
  size_t next_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"A fake kube-apiserver (Services, EndpointSlices, Nodes over HTTPS, JSON and protobuf)"};
  Flags f;
  app.add_option("--bind-address", f.server.bind_address, "Address to listen on")->capture_default_str();
  app.add_option("--port", f.server.port, "Port (0: any free port)")->capture_default_str();
  app.add_option("--netns", f.server.netns_path, "Listen inside this network namespace (/run/netns/NAME)");
  app.add_option("--tls-dir", f.server.tls_dir, "Where the CA and certificates go (default: a temporary directory)");
  app.add_option("--token", f.server.bearer_token, "Require this bearer token");
  app.add_flag("--client-cert-auth", f.server.require_client_cert, "Require a client certificate signed by the CA");
  app.add_option("--objects", f.object_files, "YAML/JSON manifest file(s) to serve")->expected(1, -1);
  app.add_option("--generate-services", f.generator.services, "Generate this many Services (0: none)")
      ->default_val(0);
  app.add_option("--endpoints-per-service", f.generator.endpoints_per_service)->capture_default_str();
  app.add_option("--ports-per-service", f.generator.ports_per_service)->capture_default_str();
  app.add_flag("--dual-stack", f.generator.dual_stack, "Generated Services and endpoints are dual-stack");
  app.add_option("--namespace", f.generator.ns, "Namespace of generated objects")->capture_default_str();
  app.add_option("--nodes", f.nodes, "Comma-separated node names for generated endpoints")->capture_default_str();
  app.add_option("--bookmark-interval-ms", f.bookmark_interval_ms)->capture_default_str();
  app.add_option("--kubeconfig", f.kubeconfig, "Write a kubeconfig for the agent here");
  app.add_flag("--kubeconfig-client-cert", f.kubeconfig_client_cert, "Put the client certificate in the kubeconfig");
  app.add_option("--churn-interval-ms", f.churn_interval_ms, "Modify one EndpointSlice every N ms (0: never)");
  app.add_option("--compact-interval-ms", f.compact_interval_ms, "Compact the history every N ms (0: never)");
  CLI11_PARSE(app, argc, argv);

  // Signals are taken synchronously below; block them before any thread starts so
  // every thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  try {
    f.server.bookmark_interval = std::chrono::milliseconds(f.bookmark_interval_ms);
    FakeApiServer server(f.server);
    Churn churn(server);
    size_t objects = 0;
    for (const auto& path : f.object_files) {
      for (auto& object : sluice::fake_apiserver::LoadObjectsFile(path)) {
        if (!sluice::fake_apiserver::ResourceForKind(object.value("kind", ""))) continue;
        churn.Track(server.Upsert(std::move(object)));
        ++objects;
      }
    }
    if (f.generator.services > 0) {
      f.generator.nodes = SplitCommas(f.nodes);
      for (auto& object : sluice::fake_apiserver::GenerateObjects(f.generator)) {
        churn.Track(server.Upsert(std::move(object)));
        ++objects;
      }
    }
    if (!f.kubeconfig.empty()) {
      sluice::fake_apiserver::KubeconfigOptions k;
      k.include_client_cert = f.kubeconfig_client_cert;
      server.WriteKubeconfig(f.kubeconfig, k);
    }
    std::printf("sluice-fake-apiserver: serving %zu objects at %s (resourceVersion %llu)\n", objects,
                server.url().c_str(), static_cast<unsigned long long>(server.resource_version()));
    std::printf("sluice-fake-apiserver: CA %s%s%s\n", server.ca_path().c_str(),
                f.kubeconfig.empty() ? "" : ", kubeconfig ", f.kubeconfig.c_str());
    std::fflush(stdout);

    long tick_ms = f.churn_interval_ms > 0 ? f.churn_interval_ms : 1000;
    if (f.compact_interval_ms > 0 && f.compact_interval_ms < tick_ms) tick_ms = f.compact_interval_ms;
    auto next_compact = std::chrono::steady_clock::now() + std::chrono::milliseconds(f.compact_interval_ms);
    timespec tick{tick_ms / 1000, (tick_ms % 1000) * 1000000};
    // Until a signal: one iteration per tick.
    for (;;) {
      int sig = sigtimedwait(&signals, nullptr, &tick);
      if (sig == SIGINT || sig == SIGTERM) break;
      if (f.churn_interval_ms > 0) churn.Step();
      if (f.compact_interval_ms > 0 && std::chrono::steady_clock::now() >= next_compact) {
        server.Compact();
        next_compact = std::chrono::steady_clock::now() + std::chrono::milliseconds(f.compact_interval_ms);
      }
    }
    std::printf("sluice-fake-apiserver: served %zu requests; stopping\n", server.Requests().size());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sluice-fake-apiserver: %s\n", e.what());
    return 1;
  }
  return 0;
}
