#include "agent/http_endpoints.h"

#include <httplib.h>

#include <stdexcept>

#include "base/log.h"

namespace sluice::agent {

bool SplitHostPort(const std::string& address, std::string* host, int* port) {
  size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon + 1 == address.size()) return false;
  std::string h = address.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  if (h.empty()) return false;
  try {
    size_t used = 0;
    int p = std::stoi(address.substr(colon + 1), &used);
    if (used != address.size() - colon - 1 || p < 0 || p > 65535) return false;
    *port = p;
  } catch (const std::exception&) {
    return false;
  }
  *host = h;
  return true;
}

HttpEndpoints::HttpEndpoints(Options options, const ProxyHealth& health,
                             std::function<std::string()> metrics)
    : options_(std::move(options)), health_(health), metrics_(std::move(metrics)) {}

HttpEndpoints::~HttpEndpoints() { Stop(); }

void HttpEndpoints::Serve(Served& served, const std::string& address, const char* what) {
  std::string host;
  int port = 0;
  if (!SplitHostPort(address, &host, &port))
    throw std::runtime_error(std::string("bad ") + what + " address " + address + " (want HOST:PORT)");
  if (!served.server->bind_to_port(host, port))
    throw std::runtime_error(std::string("cannot listen for ") + what + " on " + address);
  served.thread = std::thread([server = served.server.get()] { server->listen_after_bind(); });
  log::Info("serving", {{"what", what}, {"address", address}});
}

void HttpEndpoints::Start() {
  auto health = [this](bool liveness) {
    return [this, liveness](const httplib::Request&, httplib::Response& res) {
      bool ok = liveness ? health_.Healthy() : health_.Ready();
      res.status = ok ? 200 : 503;
      res.set_header("X-Content-Type-Options", "nosniff");
      res.set_content(health_.HealthzBody(), "application/json");
    };
  };
  if (!options_.healthz_address.empty()) {
    healthz_.server = std::make_unique<httplib::Server>();
    healthz_.server->Get("/healthz", health(false));
    healthz_.server->Get("/livez", health(true));
    Serve(healthz_, options_.healthz_address, "healthz");
  }
  if (!options_.metrics_address.empty()) {
    metrics_server_.server = std::make_unique<httplib::Server>();
    metrics_server_.server->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(metrics_(), "text/plain; version=0.0.4; charset=utf-8");
    });
    // kube-proxy serves its health on the metrics port too.
    metrics_server_.server->Get("/healthz", health(false));
    metrics_server_.server->Get("/livez", health(true));
    Serve(metrics_server_, options_.metrics_address, "metrics");
  }
}

void HttpEndpoints::Stop() {
  for (Served* s : {&healthz_, &metrics_server_}) {
    if (s->server) s->server->stop();
    if (s->thread.joinable()) s->thread.join();
    s->server.reset();
  }
}

}  // namespace sluice::agent
