// The connections accepted on healthCheckNodePorts, owned by the health check
// server's one thread: nonblocking reads and writes driven by epoll, requests parsed
// as they complete, answers queued in order, idle and orphaned connections closed.
// Nothing here blocks and nothing here is shared: only that thread calls it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "agent/health_check_http.h"
#include "base/clock.h"
#include "datapath/bpf_map_set.h"  // datapath::UniqueFd

namespace sluice::agent {

class HealthCheckConnections {
 public:
  struct Options {
    size_t max_connections = 1024;
    Clock::Duration idle_timeout = std::chrono::seconds(10);
  };
  // The answer to one request on a connection accepted by listener group `instance`;
  // nullopt when that group is closed, and the connection is closed unanswered (as
  // closing a Go http.Server closes its connections).
  using Answer =
      std::function<std::optional<HttpResponse>(uint64_t instance, const HttpRequest& request)>;

  HealthCheckConnections(int epoll_fd, const Clock& clock, Options options, Answer answer);
  ~HealthCheckConnections();
  HealthCheckConnections(const HealthCheckConnections&) = delete;
  HealthCheckConnections& operator=(const HealthCheckConnections&) = delete;

  // Takes an accepted socket, registered in epoll with `id` as its data. Returns false,
  // closing the socket, when max_connections are open already.
  bool Add(uint64_t id, datapath::UniqueFd fd, uint64_t instance);
  bool Contains(uint64_t id) const { return connections_.contains(id); }
  // Acts on the epoll events reported for connection `id`.
  void Handle(uint64_t id, uint32_t events);
  // Closes the connections idle for longer than the timeout, and those whose listener
  // group `is_live` says is closed.
  void Sweep(const std::function<bool(uint64_t instance)>& is_live);
  void CloseAll();
  size_t size() const { return connections_.size(); }

 private:
  struct Connection {
    datapath::UniqueFd fd;
    uint64_t instance = 0;
    std::string in;   // received, not yet parsed
    std::string out;  // answers not yet sent
    size_t out_sent = 0;
    bool peer_closed = false;  // read() said EOF
    bool closing = false;      // answer what is queued, then close
    bool draining = false;     // answered and shut down for writing: discard input until EOF
    bool broken = false;       // close now
    bool held_back = false;    // requests left unanswered while the output is full
    uint32_t interest = 0;     // the epoll events registered
    Clock::TimePoint last_activity;
  };

  void Read(Connection& c);
  void Process(Connection& c);
  void Flush(Connection& c);
  void Queue(Connection& c, const HttpResponse& response);
  // After handling: closes `id` or updates what epoll waits for.
  void Settle(uint64_t id, Connection& c);
  void Close(uint64_t id);

  int epoll_fd_;
  const Clock& clock_;
  Options options_;
  Answer answer_;
  std::map<uint64_t, Connection> connections_;
};

}  // namespace sluice::agent
