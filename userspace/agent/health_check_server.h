// kube-proxy's service health checks: for every Service with a healthCheckNodePort
// (LoadBalancer, externalTrafficPolicy: Local) an HTTP listener on that port answers
// any request with 200 while the node has ready endpoints of the Service, 503 when it
// has none, so the cloud load balancer sends the Service's traffic only to nodes that
// can take it without forwarding. The body is kube-proxy's:
//   {"service": {"namespace": "ns", "name": "svc"}, "localEndpoints": 2,
//    "serviceProxyHealthy": true}
// with Content-Type: application/json and X-Content-Type-Options: nosniff.
//
// One thread serves every port (epoll over all listeners and connections, nothing
// blocking), so a thousand such Services cost a thousand sockets, not a thousand
// threads. SyncServices/SyncEndpoints only open or close sockets and swap a table:
// they never wait for that thread, and the agent's sync never waits on a prober.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "agent/health_check_http.h"
#include "base/clock.h"
#include "base/ip_address.h"
#include "datapath/bpf_map_set.h"  // datapath::UniqueFd
#include "model/objects.h"

namespace sluice::agent {

class HealthCheckConnections;

struct HealthCheckServerOptions {
  // Where each port listens. Empty: on every address of the node, which is what
  // kube-proxy does when --nodeport-addresses is unset ([::] accepting IPv4 too).
  // Otherwise one listener per address, as kube-proxy opens one per node IP matching
  // --nodeport-addresses; a port counts as open only when all of them are.
  std::vector<IpAddress> bind_addresses;
  // kube-proxy's "serviceProxyHealthy": when it says false every answer is 503, so a
  // node whose proxy is stuck leaves rotation. Called on the server thread for each
  // request: must be cheap and thread-safe. Unset: always healthy.
  std::function<bool()> proxy_healthy;
  // Bounds: open connections (more are closed at once), and how long one may sit
  // idle (a prober that connects and sends nothing, or half a request).
  size_t max_connections = 1024;
  Clock::Duration idle_timeout = std::chrono::seconds(10);
  // How often idle connections are looked for.
  std::chrono::milliseconds sweep_interval{1000};
  const Clock* clock = nullptr;  // for idle time; unset: the steady clock
};

// A healthCheckNodePort that could not be opened this time; SyncServices tries again
// on its next call.
struct ListenFailure {
  model::ObjectName service;
  uint16_t port = 0;
  std::string address;  // "[::]:30000"
  std::string error;    // "bind: Address already in use (...)"

  // "cannot serve the health check of shop/web on [::]:30000: bind: ..."
  std::string ToString() const;
};

class HealthCheckServer {
 public:
  // Throws std::runtime_error when epoll or eventfd cannot be created.
  explicit HealthCheckServer(HealthCheckServerOptions options = {});
  ~HealthCheckServer();  // Stop()
  HealthCheckServer(const HealthCheckServer&) = delete;
  HealthCheckServer& operator=(const HealthCheckServer&) = delete;

  // Starts the serving thread. Listeners opened before are served from then on (the
  // kernel queues their connections meanwhile). Start and Stop are called from one
  // thread (the agent's run loop); the Sync* calls from any.
  void Start();
  // Stops the thread and closes every connection and listener; Start and
  // SyncServices open them again.
  void Stop();

  // The Services to serve, with their ports: listeners of Services that left or
  // changed port are closed, new ones opened, the others left alone (their
  // connections too), as kube-proxy's SyncServices. A port that cannot be opened
  // (taken by another process or Service, an address not on the node) is logged,
  // returned, and tried again on the next call. Thread-safe.
  std::vector<ListenFailure> SyncServices(const std::map<model::ObjectName, uint16_t>& services);

  // Ready local endpoints per Service; Services not named have none. Thread-safe;
  // takes effect for the next request.
  void SyncEndpoints(const std::map<model::ObjectName, int>& local_endpoints);

  // The Services whose listeners are open, with their ports.
  std::map<model::ObjectName, uint16_t> ServingPorts() const;

 private:
  // The listeners of one Service on one port: opened together, closed together.
  struct Instance {
    uint64_t id = 0;
    uint16_t port = 0;
    std::vector<uint64_t> listener_ids;
  };
  struct Listener {
    datapath::UniqueFd fd;
    uint64_t instance = 0;
  };

  void Run();
  void Serve(HealthCheckConnections& connections);
  void Accept(uint64_t listener_id, HealthCheckConnections& connections);
  void ShedConnection(int listener_fd);
  std::optional<HttpResponse> Answer(uint64_t instance, const HttpRequest& request);
  bool IsLive(uint64_t instance) const;
  void OpenLocked(const model::ObjectName& service, uint16_t port,
                  std::vector<ListenFailure>* failures);
  void CloseLocked(const Instance& instance);
  std::string InUseHintLocked(uint16_t port) const;
  void Wake();

  HealthCheckServerOptions options_;
  SteadyClock steady_clock_;
  const Clock& clock_;
  datapath::UniqueFd epoll_fd_;
  datapath::UniqueFd wake_fd_;        // eventfd: Stop and closed Services interrupt epoll_wait
  std::atomic<uint64_t> next_id_{1};  // epoll data; 0 is the eventfd
  std::atomic<bool> stopping_{false};
  std::atomic<bool> sweep_requested_{false};
  std::thread thread_;
  // Server thread only: a descriptor kept in reserve for when the process has none
  // left, and whether that was logged already.
  datapath::UniqueFd spare_fd_;
  bool out_of_descriptors_ = false;

  mutable std::mutex mu_;
  std::map<model::ObjectName, Instance> services_;
  std::map<uint64_t, model::ObjectName> instances_;  // instance id -> Service
  std::map<uint64_t, Listener> listeners_;           // listener id -> socket
  std::map<model::ObjectName, int> endpoints_;
};

}  // namespace sluice::agent
