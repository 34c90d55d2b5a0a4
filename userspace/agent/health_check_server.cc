#include "agent/health_check_server.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

#include "agent/health_check_connections.h"
#include "agent/tcp_listener.h"
#include "base/log.h"

namespace sluice::agent {

namespace {

constexpr uint64_t kWakeId = 0;
constexpr int kMaxEvents = 64;
// Accepts per listener per wake-up, so one flooded port cannot starve the others.
constexpr int kMaxAcceptsPerWake = 64;

std::string JoinAddresses(const std::vector<std::string>& addresses) {
  std::string joined;
  for (const std::string& address : addresses) joined += (joined.empty() ? "" : ",") + address;
  return joined;
}

}  // namespace

std::string ListenFailure::ToString() const {
  return "cannot serve the health check of " + service.ToString() + " on " +
         (address.empty() ? "port " + std::to_string(port) : address) + ": " + error;
}

HealthCheckServer::HealthCheckServer(HealthCheckServerOptions options)
    : options_(std::move(options)), clock_(options_.clock ? *options_.clock : steady_clock_) {
  epoll_fd_ = datapath::UniqueFd(epoll_create1(EPOLL_CLOEXEC));
  if (!epoll_fd_) throw std::runtime_error(std::string("health checks: epoll: ") + strerror(errno));
  wake_fd_ = datapath::UniqueFd(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!wake_fd_)
    throw std::runtime_error(std::string("health checks: eventfd: ") + strerror(errno));
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.u64 = kWakeId;
  if (epoll_ctl(epoll_fd_.get(), EPOLL_CTL_ADD, wake_fd_.get(), &event) != 0)
    throw std::runtime_error(std::string("health checks: epoll_ctl: ") + strerror(errno));
  spare_fd_ = datapath::UniqueFd(open("/dev/null", O_RDONLY | O_CLOEXEC));
}

HealthCheckServer::~HealthCheckServer() { Stop(); }

void HealthCheckServer::Start() {
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread(&HealthCheckServer::Run, this);
}

void HealthCheckServer::Stop() {
  if (thread_.joinable()) {
    stopping_ = true;
    Wake();
    thread_.join();
  }
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [name, instance] : services_) CloseLocked(instance);
  services_.clear();
}

void HealthCheckServer::Wake() {
  uint64_t one = 1;
  // Only fails when the counter is saturated, and then the loop is awake anyway.
  [[maybe_unused]] ssize_t n = write(wake_fd_.get(), &one, sizeof(one));
}

std::vector<ListenFailure> HealthCheckServer::SyncServices(
    const std::map<model::ObjectName, uint16_t>& services) {
  std::vector<ListenFailure> failures;
  bool closed_any = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    // Close first: a port that moves from one Service to another is free again below.
    for (auto it = services_.begin(); it != services_.end();) {
      auto wanted = services.find(it->first);
      if (wanted != services.end() && wanted->second == it->second.port) {
        ++it;
        continue;
      }
      log::Info("closing health check",
                {{"service", it->first.ToString()}, {"port", it->second.port}});
      CloseLocked(it->second);
      it = services_.erase(it);
      closed_any = true;
    }
    for (const auto& [name, port] : services) {
      if (!services_.contains(name)) OpenLocked(name, port, &failures);
    }
  }
  // Connections accepted by closed listeners go too, as when kube-proxy closes a
  // Service's http.Server; the loop sweeps them when it wakes.
  if (closed_any) {
    sweep_requested_ = true;
    Wake();
  }
  return failures;
}

void HealthCheckServer::SyncEndpoints(const std::map<model::ObjectName, int>& local_endpoints) {
  std::lock_guard<std::mutex> lock(mu_);
  endpoints_ = local_endpoints;
}

std::map<model::ObjectName, uint16_t> HealthCheckServer::ServingPorts() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::map<model::ObjectName, uint16_t> ports;
  for (const auto& [name, instance] : services_) ports[name] = instance.port;
  return ports;
}

void HealthCheckServer::OpenLocked(const model::ObjectName& service, uint16_t port,
                                   std::vector<ListenFailure>* failures) {
  auto fail = [&](std::string address, std::string error) {
    ListenFailure failure{service, port, std::move(address), std::move(error)};
    log::Error("cannot serve a health check; retrying on the next sync",
               {{"service", service.ToString()},
                {"address", failure.address},
                {"port", port},
                {"error", failure.error}});
    failures->push_back(std::move(failure));
  };
  if (port == 0) {
    fail("", "no healthCheckNodePort");
    return;
  }
  std::vector<std::optional<IpAddress>> targets;
  if (options_.bind_addresses.empty()) targets.push_back(std::nullopt);
  for (const IpAddress& ip : options_.bind_addresses) targets.push_back(ip);

  // All addresses or none, as kube-proxy: a half-open Service would pass checks on
  // some node IPs and fail on others with no retry to heal it.
  std::vector<std::pair<uint64_t, TcpListener>> opened;
  for (const std::optional<IpAddress>& target : targets) {
    TcpListener listener = ListenTcp(target, port);
    if (!listener.fd) {
      if (listener.error_number == EADDRINUSE) listener.error += InUseHintLocked(port);
      fail(listener.address, listener.error);
      return;
    }
    uint64_t id = next_id_++;
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = id;
    if (epoll_ctl(epoll_fd_.get(), EPOLL_CTL_ADD, listener.fd.get(), &event) != 0) {
      fail(listener.address, std::string("epoll_ctl: ") + strerror(errno));
      return;  // closing the sockets removes those already added from epoll
    }
    opened.emplace_back(id, std::move(listener));
  }

  Instance instance{.id = next_id_++, .port = port, .listener_ids = {}};
  std::vector<std::string> addresses;
  for (auto& [id, listener] : opened) {
    addresses.push_back(listener.address);
    instance.listener_ids.push_back(id);
    listeners_[id] = Listener{std::move(listener.fd), instance.id};
  }
  instances_[instance.id] = service;
  services_[service] = std::move(instance);
  log::Info(
      "opening health check",
      {{"service", service.ToString()}, {"port", port}, {"addresses", JoinAddresses(addresses)}});
}

std::string HealthCheckServer::InUseHintLocked(uint16_t port) const {
  for (const auto& [name, instance] : services_)
    if (instance.port == port) return " (the health check of " + name.ToString() + " has it)";
  return " (another process listens there)";
}

void HealthCheckServer::CloseLocked(const Instance& instance) {
  for (uint64_t id : instance.listener_ids) {
    auto it = listeners_.find(id);
    if (it == listeners_.end()) continue;
    epoll_ctl(epoll_fd_.get(), EPOLL_CTL_DEL, it->second.fd.get(), nullptr);
    listeners_.erase(it);  // closes the socket: the port is free when this returns
  }
  instances_.erase(instance.id);
}

void HealthCheckServer::Run() {
  HealthCheckConnections::Options options{.max_connections = options_.max_connections,
                                          .idle_timeout = options_.idle_timeout};
  HealthCheckConnections connections(
      epoll_fd_.get(), clock_, options,
      [this](uint64_t instance, const HttpRequest& request) { return Answer(instance, request); });
  try {
    Serve(connections);
  } catch (const std::exception& e) {
    // Serving health checks is not worth the agent: log, and let probes fail.
    log::Error("health check server stopped", {{"error", e.what()}});
  }
}

void HealthCheckServer::Serve(HealthCheckConnections& connections) {
  int timeout_ms = static_cast<int>(std::max<int64_t>(1, options_.sweep_interval.count()));
  auto next_sweep = std::chrono::steady_clock::now() + options_.sweep_interval;
  epoll_event events[kMaxEvents];
  while (!stopping_) {
    int n = epoll_wait(epoll_fd_.get(), events, kMaxEvents, timeout_ms);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string("epoll_wait: ") + strerror(errno));
    }
    for (int i = 0; i < n; ++i) {
      uint64_t id = events[i].data.u64;
      if (id == kWakeId) {
        uint64_t count = 0;
        [[maybe_unused]] ssize_t r = read(wake_fd_.get(), &count, sizeof(count));
      } else if (connections.Contains(id)) {
        connections.Handle(id, events[i].events);
      } else {
        Accept(id, connections);
      }
    }
    auto now = std::chrono::steady_clock::now();
    if (sweep_requested_.exchange(false) || now >= next_sweep) {
      connections.Sweep([this](uint64_t instance) { return IsLive(instance); });
      next_sweep = now + options_.sweep_interval;
    }
  }
}

void HealthCheckServer::Accept(uint64_t listener_id, HealthCheckConnections& connections) {
  // Under the lock: SyncServices closes listeners under it too, so the descriptor
  // cannot be closed (and its number reused) between the lookup and accept().
  std::lock_guard<std::mutex> lock(mu_);
  auto it = listeners_.find(listener_id);
  if (it == listeners_.end()) return;  // closed since epoll reported it
  for (int i = 0; i < kMaxAcceptsPerWake; ++i) {
    int fd = accept4(it->second.fd.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EMFILE || errno == ENFILE) {
        ShedConnection(it->second.fd.get());
        return;
      }
      if (errno != EAGAIN && errno != EWOULDBLOCK)
        log::Warn("health check accept failed", {{"error", strerror(errno)}});
      return;
    }
    out_of_descriptors_ = false;
    connections.Add(next_id_++, datapath::UniqueFd(fd), it->second.instance);
  }
}

void HealthCheckServer::ShedConnection(int listener_fd) {
  // Out of descriptors: the pending connection would keep the listener readable and
  // the loop spinning. The spare descriptor makes room to accept it and close it, so
  // the prober sees a closed connection and tries again later.
  if (!out_of_descriptors_)
    log::Warn("health checks: out of file descriptors; closing new connections",
              {{"error", strerror(errno)}});
  out_of_descriptors_ = true;
  spare_fd_ = datapath::UniqueFd();
  datapath::UniqueFd shed(accept4(listener_fd, nullptr, nullptr, SOCK_CLOEXEC));
  shed = datapath::UniqueFd();
  spare_fd_ = datapath::UniqueFd(open("/dev/null", O_RDONLY | O_CLOEXEC));
}

std::optional<HttpResponse> HealthCheckServer::Answer(uint64_t instance,
                                                      const HttpRequest& request) {
  model::ObjectName service;
  int local_endpoints = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = instances_.find(instance);
    if (it == instances_.end()) return std::nullopt;
    service = it->second;
    auto count = endpoints_.find(service);
    if (count != endpoints_.end()) local_endpoints = count->second;
  }
  bool healthy = options_.proxy_healthy ? options_.proxy_healthy() : true;
  return HealthCheckResponse(request, service, local_endpoints, healthy);
}

bool HealthCheckServer::IsLive(uint64_t instance) const {
  std::lock_guard<std::mutex> lock(mu_);
  return instances_.contains(instance);
}

}  // namespace sluice::agent
