// The agent's HTTP endpoints, as kube-proxy's: /healthz and /livez on
// --healthz-bind-address (default 0.0.0.0:10256), /metrics on --metrics-bind-address
// (default 127.0.0.1:10249). An empty address turns a server off.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "agent/proxy_health.h"

namespace httplib {
class Server;
}

namespace sluice::agent {

class HttpEndpoints {
 public:
  struct Options {
    std::string healthz_address;
    std::string metrics_address;
  };

  HttpEndpoints(Options options, const ProxyHealth& health, std::function<std::string()> metrics);
  ~HttpEndpoints();

  // Binds and serves; throws std::runtime_error when an address cannot be bound.
  void Start();
  void Stop();

 private:
  struct Served {
    std::unique_ptr<httplib::Server> server;
    std::thread thread;
  };
  void Serve(Served& served, const std::string& address, const char* what);

  Options options_;
  const ProxyHealth& health_;
  std::function<std::string()> metrics_;
  Served healthz_;
  Served metrics_server_;
};

// "0.0.0.0:10256" / "[::]:10256" / "127.0.0.1:10249" into host and port; false when
// malformed.
bool SplitHostPort(const std::string& address, std::string* host, int* port);

}  // namespace sluice::agent
