// sluice-loadgen-echo: a lean backend for connection-rate runs. Each TCP connection
// gets one answer line to its first request bytes, then the server closes; each UDP
// datagram gets one line back. The line is sluice-test-echo's (tests/e2e/tools):
//   name=be1 peer=198.18.1.1:40000 local=198.18.1.2:8080 req=ping
// so the functional checks that read `local=` work against either server. Several threads share
// the port (SO_REUSEPORT), each with its own epoll loop, so the backend is not what
// limits the rate.
//
//   sluice-loadgen-echo --name be1 --listen 198.18.1.2:8080 [--threads 2] [--udp]
//                       [--ready-file PATH]
//
// Exits 0 on SIGTERM/SIGINT, 1 if a socket cannot be opened, 2 on usage errors.
#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <thread>
#include <unordered_map>
#include <vector>

#include "endpoint.h"

namespace {

using sluice::loadgen::Endpoint;

constexpr int kMaxEvents = 256;
constexpr int kMaxAcceptsPerWakeup = 128;
constexpr int kBacklog = 4096;
constexpr uint64_t kListenerTag = ~uint64_t{0};
constexpr size_t kMaxRequestEcho = 256;

std::string PeerText(const sockaddr_storage& peer) {
  char text[INET6_ADDRSTRLEN] = {};
  if (peer.ss_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&peer);
    inet_ntop(AF_INET, &v4->sin_addr, text, sizeof(text));
    return std::string(text) + ":" + std::to_string(ntohs(v4->sin_port));
  }
  const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&peer);
  inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof(text));
  return "[" + std::string(text) + "]:" + std::to_string(ntohs(v6->sin6_port));
}

// The request as it goes into the answer: its first line, printable characters only.
std::string RequestText(const char* data, size_t size) {
  std::string out;
  for (size_t i = 0; i < size && i < kMaxRequestEcho; ++i) {
    if (data[i] == '\n' || data[i] == '\r') break;
    out += (data[i] >= 0x20 && data[i] < 0x7f) ? data[i] : '?';
  }
  return out;
}

int OpenListener(const Endpoint& endpoint, int type) {
  const int fd = socket(endpoint.family(), type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
  if (endpoint.family() == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
  if (bind(fd, endpoint.get(), endpoint.length) != 0 || (type == SOCK_STREAM && listen(fd, kBacklog) != 0)) {
    close(fd);
    return -1;
  }
  return fd;
}

class ServerThread {
 public:
  ServerThread(std::string name, std::vector<int> listeners, std::vector<std::string> locals, bool udp,
               int stop_fd)
      : name_(std::move(name)),
        listeners_(std::move(listeners)),
        locals_(std::move(locals)),
        udp_(udp),
        stop_fd_(stop_fd) {}

  // Runs until stop_fd (an eventfd-like pipe shared by all threads) becomes readable.
  void Run();

 private:
  struct Peer {
    std::string peer;
    size_t listener = 0;
  };
  void Accept(size_t listener);
  void Answer(int fd);  // reads the request; answers and closes once it came
  void Datagrams(size_t listener);
  std::string AnswerLine(const std::string& peer, size_t listener, const char* request, size_t size) const {
    return "name=" + name_ + " peer=" + peer + " local=" + locals_[listener] + " req=" + RequestText(request, size) +
           "\n";
  }

  std::string name_;
  std::vector<int> listeners_;
  std::vector<std::string> locals_;  // the address each listener is bound to
  std::unordered_map<int, Peer> waiting_;  // accepted connections whose request has not come
  bool udp_;
  int stop_fd_;
  int epoll_fd_ = -1;
};

void ServerThread::Run() {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) return;
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.u64 = kListenerTag - 1;  // the stop pipe
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, stop_fd_, &event);
  for (size_t i = 0; i < listeners_.size(); ++i) {
    event.data.u64 = kListenerTag - 2 - i;
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listeners_[i], &event);
  }
  std::array<epoll_event, kMaxEvents> events;
  while (true) {
    const int n = epoll_wait(epoll_fd_, events.data(), kMaxEvents, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < n; ++i) {
      const uint64_t tag = events[i].data.u64;
      if (tag == kListenerTag - 1) {
        close(epoll_fd_);
        return;
      }
      if (tag >= kListenerTag - 1 - listeners_.size()) {
        const size_t listener = kListenerTag - 2 - tag;
        if (udp_) {
          Datagrams(listener);
        } else {
          Accept(listener);
        }
      } else {
        Answer(static_cast<int>(tag));
      }
    }
  }
  close(epoll_fd_);
}

void ServerThread::Accept(size_t listener) {
  for (int i = 0; i < kMaxAcceptsPerWakeup; ++i) {
    sockaddr_storage peer{};
    socklen_t length = sizeof(peer);
    const int fd = accept4(listeners_[listener], reinterpret_cast<sockaddr*>(&peer), &length,
                           SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    // The request has often arrived by now: answer without a trip through epoll.
    char buffer[512];
    const ssize_t got = recv(fd, buffer, sizeof(buffer), 0);
    if (got > 0) {
      const std::string answer = AnswerLine(PeerText(peer), listener, buffer, static_cast<size_t>(got));
      send(fd, answer.data(), answer.size(), MSG_NOSIGNAL);
      close(fd);
      continue;
    }
    if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
      close(fd);
      continue;
    }
    epoll_event event{};
    event.events = EPOLLIN | EPOLLRDHUP;
    event.data.u64 = static_cast<uint64_t>(fd);
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event) != 0) {
      close(fd);
      continue;
    }
    waiting_[fd] = Peer{PeerText(peer), listener};
  }
}

void ServerThread::Answer(int fd) {
  char buffer[512];
  const ssize_t got = recv(fd, buffer, sizeof(buffer), 0);
  if (got < 0 && (errno == EAGAIN || errno == EINTR)) return;
  auto it = waiting_.find(fd);
  if (got > 0 && it != waiting_.end()) {
    const std::string answer = AnswerLine(it->second.peer, it->second.listener, buffer, static_cast<size_t>(got));
    send(fd, answer.data(), answer.size(), MSG_NOSIGNAL);
  }
  if (it != waiting_.end()) waiting_.erase(it);
  close(fd);  // answered, or the client left without asking
}

void ServerThread::Datagrams(size_t listener) {
  for (int i = 0; i < kMaxAcceptsPerWakeup; ++i) {
    char buffer[2048];
    sockaddr_storage peer{};
    socklen_t length = sizeof(peer);
    const ssize_t got =
        recvfrom(listeners_[listener], buffer, sizeof(buffer), 0, reinterpret_cast<sockaddr*>(&peer), &length);
    if (got < 0) return;
    const std::string answer = AnswerLine(PeerText(peer), listener, buffer, static_cast<size_t>(got));
    sendto(listeners_[listener], answer.data(), answer.size(), MSG_NOSIGNAL, reinterpret_cast<sockaddr*>(&peer),
           length);
  }
}

bool WriteReadyFile(const std::string& path) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << getpid() << "\n";
    if (!out) return false;
  }
  return std::rename(temporary.c_str(), path.c_str()) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"sluice-loadgen-echo: one answer line per connection or datagram"};
  std::string name;
  std::vector<std::string> listen_texts;
  unsigned threads = 2;
  bool udp = false;
  std::string ready_file;
  app.add_option("--name", name, "the answer (a backend's name)")->required();
  app.add_option("--listen", listen_texts, "ADDR:PORT or [ADDR6]:PORT (repeatable)")->required();
  app.add_option("--threads", threads, "threads sharing each port")->capture_default_str()->check(CLI::Range(1u, 64u));
  app.add_flag("--udp", udp, "serve UDP datagrams instead of TCP connections");
  app.add_option("--ready-file", ready_file, "written (with the pid) once every socket listens");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  std::vector<Endpoint> endpoints;
  for (const std::string& text : listen_texts) {
    auto endpoint = Endpoint::Parse(text);
    if (!endpoint) {
      std::cerr << "sluice-loadgen-echo: --listen: not ADDR:PORT: " << text << "\n";
      return 2;
    }
    endpoints.push_back(*endpoint);
  }

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // threads inherit the mask
  signal(SIGPIPE, SIG_IGN);

  int stop_pipe[2];
  if (pipe2(stop_pipe, O_CLOEXEC) != 0) return 1;
  std::vector<std::string> locals;
  for (const Endpoint& endpoint : endpoints) locals.push_back(endpoint.ToString());
  std::vector<std::vector<int>> listeners(threads);
  for (unsigned t = 0; t < threads; ++t) {
    for (const Endpoint& endpoint : endpoints) {
      const int fd = OpenListener(endpoint, udp ? SOCK_DGRAM : SOCK_STREAM);
      if (fd < 0) {
        std::cerr << "sluice-loadgen-echo: cannot listen on " << endpoint.ToString() << ": "
                  << strerror(errno) << "\n";
        return 1;
      }
      listeners[t].push_back(fd);
    }
  }
  std::vector<std::thread> workers;
  for (unsigned t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] { ServerThread(name, listeners[t], locals, udp, stop_pipe[0]).Run(); });
  }
  if (!ready_file.empty() && !WriteReadyFile(ready_file)) {
    std::cerr << "sluice-loadgen-echo: cannot write " << ready_file << "\n";
  }
  int received = 0;
  sigwait(&signals, &received);
  const char stop = 1;
  if (write(stop_pipe[1], &stop, 1) != 1) std::cerr << "sluice-loadgen-echo: cannot stop threads\n";
  for (auto& worker : workers) worker.join();
  return 0;
}
