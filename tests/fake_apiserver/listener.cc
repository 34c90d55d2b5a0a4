#include "fake_apiserver/listener.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace sluice::fake_apiserver {
namespace {

using namespace std::chrono_literals;

// How long starting, stopping or restarting the listener may take before the fake
// gives up: generous, since a stop waits for open connections to wind down.
constexpr auto kStateChangeTimeout = 30s;

}  // namespace

Listener::Listener(ListenerConfig config, Setup setup, std::function<void()> wake)
    : config_(std::move(config)), setup_(std::move(setup)), wake_(std::move(wake)) {
  port_ = config_.port;
  thread_ = std::thread([this] { Run(); });
  std::unique_lock lock(mutex_);
  bool ready = state_changed_.wait_for(lock, kStateChangeTimeout,
                                       [&] { return listening_ || !error_.empty(); });
  if (ready && error_.empty()) return;
  std::string why = ready ? error_ : "timed out starting the listener";
  stopping_ = true;
  if (listening_) StopServer(lock);
  lock.unlock();
  state_changed_.notify_all();
  thread_.join();
  throw std::runtime_error("fake API server: " + why);
}

Listener::~Listener() { Stop(); }

void Listener::Run() {
  if (!config_.netns_path.empty()) {
    int fd = open(config_.netns_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || setns(fd, CLONE_NEWNET) != 0) {
      std::lock_guard lock(mutex_);
      error_ = "cannot enter network namespace " + config_.netns_path + ": " + std::strerror(errno);
      if (fd >= 0) close(fd);
      state_changed_.notify_all();
      return;
    }
    close(fd);
  }
  // One iteration per period of availability: it ends with an outage or the stop.
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      state_changed_.wait(lock, [&] { return stopping_ || want_available_; });
      if (stopping_) return;
    }
    if (!ServeOnce()) return;
  }
}

bool Listener::ServeOnce() {
  auto server = std::make_unique<httplib::SSLServer>(
      config_.cert_path.c_str(), config_.key_path.c_str(),
      config_.client_ca_path.empty() ? nullptr : config_.client_ca_path.c_str());
  auto fail = [&](const std::string& why) {
    std::lock_guard lock(mutex_);
    error_ = why;
    state_changed_.notify_all();
    return false;
  };
  if (!server->is_valid()) return fail("cannot load the TLS certificate and key");
  size_t threads = config_.worker_threads;
  server->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  // An idle keep-alive connection is only dropped when its wait ends: keep the wait
  // short so an outage or stop takes effect quickly.
  server->set_keep_alive_timeout(1);
  // httplib closes a connection after 5 requests by default; an API server keeps it.
  server->set_keep_alive_max_count(1000);
  // Go's net package sets TCP_NODELAY on every connection, so the real server writes
  // a watch event the moment it has one; with Nagle a small event written while the
  // previous one waits for a delayed ACK would sit for up to 40 ms. Accepted sockets
  // inherit it from the listening socket.
  server->set_tcp_nodelay(true);
  // httplib's default sets SO_REUSEPORT, which would let a second server (or a
  // leftover one) share the port silently; SO_REUSEADDR alone still allows the
  // rebind after an outage while connections linger in TIME_WAIT.
  server->set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  setup_(*server);

  int port = port_;
  if (port == 0) {
    port = server->bind_to_any_port(config_.bind_address);
    if (port <= 0) return fail("cannot bind " + config_.bind_address + " (any port)");
  } else {
    // After an outage the old socket may linger for a moment: retry then, bounded.
    // A fixed port that is busy at the start is an error at once.
    int attempts = served_ ? 100 : 1;
    bool bound = false;
    for (int attempt = 0; attempt < attempts && !bound; ++attempt) {
      bound = server->bind_to_port(config_.bind_address, port);
      if (!bound) std::this_thread::sleep_for(20ms);
    }
    if (!bound) return fail("cannot bind " + config_.bind_address + ":" + std::to_string(port));
  }
  port_ = static_cast<uint16_t>(port);
  served_ = true;
  {
    std::lock_guard lock(mutex_);
    server_ = server.get();
    listening_ = true;
    closing_ = false;
  }
  state_changed_.notify_all();
  server->listen_after_bind();  // returns after stop(), once every connection has ended
  {
    std::lock_guard lock(mutex_);
    server_ = nullptr;
    listening_ = false;
  }
  state_changed_.notify_all();
  return true;
}

void Listener::StopServer(std::unique_lock<std::mutex>& lock) {
  closing_ = true;
  auto deadline = std::chrono::steady_clock::now() + kStateChangeTimeout;
  // stop() is a no-op until the server has entered its accept loop, so repeat it.
  while (listening_ && std::chrono::steady_clock::now() < deadline) {
    if (server_) server_->stop();
    lock.unlock();
    if (wake_) wake_();
    lock.lock();
    state_changed_.wait_for(lock, 20ms, [&] { return !listening_; });
  }
  if (listening_) throw std::runtime_error("fake API server: the listener did not stop");
}

void Listener::SetAvailable(bool available) {
  std::unique_lock lock(mutex_);
  if (stopping_) return;
  want_available_ = available;
  if (!available) {
    if (listening_) StopServer(lock);
    return;
  }
  state_changed_.notify_all();
  bool up = state_changed_.wait_for(lock, kStateChangeTimeout,
                                    [&] { return listening_ || !error_.empty(); });
  if (!up || !error_.empty()) {
    throw std::runtime_error("fake API server: cannot listen again: " +
                             (error_.empty() ? std::string("timed out") : error_));
  }
}

bool Listener::available() const {
  std::lock_guard lock(mutex_);
  return listening_;
}

void Listener::Stop() {
  bool stopped = true;
  {
    std::unique_lock lock(mutex_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
    try {
      if (listening_) StopServer(lock);
    } catch (const std::runtime_error& e) {
      stopped = false;
    }
  }
  state_changed_.notify_all();
  if (!thread_.joinable()) return;
  if (stopped) {
    thread_.join();
  } else {
    // A connection that would not end (a client that neither reads nor closes)
    // keeps the server thread alive; leave it rather than hang the test.
    std::fprintf(stderr, "fake API server: listener did not stop in time; abandoning it\n");
    thread_.detach();
  }
}

}  // namespace sluice::fake_apiserver
