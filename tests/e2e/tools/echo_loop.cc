#include "echo_loop.h"

#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <unordered_map>

#include "echo_reply.h"

namespace sluice::e2e {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kMaxEventsPerWait = 64;
constexpr int kWaitTimeoutMs = 200;       // how often idle connections are swept
constexpr int kMaxAcceptsPerWakeup = 64;  // level-triggered: the rest come next round
constexpr int kMaxDatagramsPerWakeup = 64;
constexpr size_t kMaxPendingOutput = 64 * 1024;  // a client that never reads is dropped

struct Connection {
  std::string peer;   // as accept() reported it
  std::string local;  // as getsockname() reports it: the address the client reached
  std::string input;
  std::string output;
  bool hold = false;
  bool answered = false;  // a non-hold connection closes once its answer is flushed
  bool want_write = false;
  Clock::time_point first_line_deadline;
};

class EchoLoop {
 public:
  EchoLoop(const EchoConfig& config, int epoll_fd) : config_(config), epoll_fd_(epoll_fd) {}
  ~EchoLoop() {
    for (auto& [fd, connection] : connections_) close(fd);
  }

  void AcceptFrom(int listen_fd);
  void ServeDatagrams(const Listener& listener);
  void OnConnectionEvent(int fd, uint32_t events);
  void CloseIdle();

 private:
  void ReadFrom(int fd, Connection& connection);
  void HandleLine(Connection& connection, std::string_view line);
  // Sends what it can; false when the connection is done or broken.
  bool Flush(int fd, Connection& connection);
  void Close(int fd);

  const EchoConfig& config_;
  int epoll_fd_;
  std::unordered_map<int, Connection> connections_;
};

void EchoLoop::AcceptFrom(int listen_fd) {
  for (int i = 0; i < kMaxAcceptsPerWakeup; ++i) {
    SocketAddress peer;
    peer.ResetForReceive();
    const int fd =
        accept4(listen_fd, peer.get(), peer.mutable_length(), SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;  // EAGAIN, or an aborted connection: nothing to do either way
    if (connections_.size() >= config_.max_connections) {
      close(fd);
      continue;
    }
    epoll_event event{};
    event.events = EPOLLIN | EPOLLRDHUP;
    event.data.fd = fd;
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event) != 0) {
      close(fd);
      continue;
    }
    Connection& connection = connections_[fd];
    connection.peer = peer.ToString();
    connection.local = LocalAddressOf(fd);
    connection.first_line_deadline = Clock::now() + config_.request_timeout;
  }
}

void EchoLoop::OnConnectionEvent(int fd, uint32_t events) {
  auto it = connections_.find(fd);
  if (it == connections_.end()) return;
  Connection& connection = it->second;
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) ReadFrom(fd, connection);
  // ReadFrom may have closed it.
  it = connections_.find(fd);
  if (it == connections_.end()) return;
  if (!Flush(fd, it->second)) Close(fd);
}

void EchoLoop::ReadFrom(int fd, Connection& connection) {
  std::array<char, 4096> buffer;
  const ssize_t n = recv(fd, buffer.data(), buffer.size(), 0);
  if (n < 0) {
    if (errno != EAGAIN && errno != EINTR) Close(fd);
    return;
  }
  if (n == 0) {  // the client is done sending; an unterminated last line still counts
    if (!connection.input.empty() && !connection.answered) HandleLine(connection, connection.input);
    connection.input.clear();
    connection.hold = false;
    connection.answered = true;
    return;  // Flush closes the connection once the answer is out
  }
  if (connection.answered && !connection.hold) return;  // extra input after the answer
  connection.input.append(buffer.data(), static_cast<size_t>(n));
  size_t newline;
  while ((newline = connection.input.find('\n')) != std::string::npos) {
    const std::string line = connection.input.substr(0, newline);
    connection.input.erase(0, newline + 1);
    HandleLine(connection, line);
    if (!connection.hold) {
      connection.input.clear();
      break;
    }
  }
  if (connection.input.size() > kMaxLineBytes) Close(fd);
}

void EchoLoop::HandleLine(Connection& connection, std::string_view line) {
  const std::string request = SanitizeRequest(line);
  if (!connection.answered && request == kHoldRequest) connection.hold = true;
  connection.answered = true;
  connection.output += FormatEchoReply({config_.name, connection.peer, connection.local, request});
  connection.output += '\n';
  if (config_.verbose) {
    std::fprintf(stderr, "tcp %s -> %s req=%s\n", connection.peer.c_str(), connection.local.c_str(),
                 request.c_str());
  }
}

bool EchoLoop::Flush(int fd, Connection& connection) {
  while (!connection.output.empty()) {
    const ssize_t n = send(fd, connection.output.data(), connection.output.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN) return false;
      break;
    }
    connection.output.erase(0, static_cast<size_t>(n));
  }
  if (connection.output.size() > kMaxPendingOutput) return false;
  const bool want_write = !connection.output.empty();
  if (want_write != connection.want_write) {
    epoll_event event{};
    event.events = EPOLLIN | EPOLLRDHUP | (want_write ? EPOLLOUT : 0u);
    event.data.fd = fd;
    epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &event);
    connection.want_write = want_write;
  }
  return !(connection.answered && !connection.hold && connection.output.empty());
}

void EchoLoop::Close(int fd) {
  if (connections_.erase(fd) > 0) close(fd);  // close() also removes it from epoll
}

void EchoLoop::CloseIdle() {
  const auto now = Clock::now();
  std::vector<int> expired;
  for (const auto& [fd, connection] : connections_) {
    if (!connection.answered && now > connection.first_line_deadline) expired.push_back(fd);
  }
  for (int fd : expired) Close(fd);
}

// The address a datagram was sent to, from IP_PKTINFO / IPV6_PKTINFO, with the port
// the socket is bound to.
SocketAddress DestinationOf(msghdr& message, const SocketAddress& bound) {
  SocketAddress destination = bound;
  for (cmsghdr* c = CMSG_FIRSTHDR(&message); c != nullptr; c = CMSG_NXTHDR(&message, c)) {
    if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
      in_pktinfo info;
      std::memcpy(&info, CMSG_DATA(c), sizeof(info));
      reinterpret_cast<sockaddr_in*>(destination.get())->sin_addr = info.ipi_addr;
    } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
      in6_pktinfo info;
      std::memcpy(&info, CMSG_DATA(c), sizeof(info));
      reinterpret_cast<sockaddr_in6*>(destination.get())->sin6_addr = info.ipi6_addr;
    }
  }
  return destination;
}

// Answers from the address the datagram reached, as a client that connected its UDP
// socket expects.
void SendFrom(int fd, const SocketAddress& to, const SocketAddress& from,
              const std::string& payload) {
  alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(in6_pktinfo))> control{};
  iovec iov{const_cast<char*>(payload.data()), payload.size()};
  msghdr message{};
  message.msg_name = const_cast<sockaddr*>(to.get());
  message.msg_namelen = to.length();
  message.msg_iov = &iov;
  message.msg_iovlen = 1;
  message.msg_control = control.data();
  cmsghdr* c = nullptr;
  if (from.family() == AF_INET) {
    message.msg_controllen = CMSG_SPACE(sizeof(in_pktinfo));
    c = CMSG_FIRSTHDR(&message);
    c->cmsg_level = IPPROTO_IP;
    c->cmsg_type = IP_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof(in_pktinfo));
    in_pktinfo info{};
    info.ipi_spec_dst = reinterpret_cast<const sockaddr_in*>(from.get())->sin_addr;
    std::memcpy(CMSG_DATA(c), &info, sizeof(info));
  } else {
    message.msg_controllen = CMSG_SPACE(sizeof(in6_pktinfo));
    c = CMSG_FIRSTHDR(&message);
    c->cmsg_level = IPPROTO_IPV6;
    c->cmsg_type = IPV6_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof(in6_pktinfo));
    in6_pktinfo info{};
    info.ipi6_addr = reinterpret_cast<const sockaddr_in6*>(from.get())->sin6_addr;
    std::memcpy(CMSG_DATA(c), &info, sizeof(info));
  }
  sendmsg(fd, &message, MSG_DONTWAIT | MSG_NOSIGNAL);  // UDP: a lost answer is the client's timeout
}

void EchoLoop::ServeDatagrams(const Listener& listener) {
  for (int i = 0; i < kMaxDatagramsPerWakeup; ++i) {
    std::array<char, kMaxLineBytes> payload;
    alignas(cmsghdr) std::array<char, 256> control;
    SocketAddress sender;
    sender.ResetForReceive();
    iovec iov{payload.data(), payload.size()};
    msghdr message{};
    message.msg_name = sender.get();
    message.msg_namelen = *sender.mutable_length();
    message.msg_iov = &iov;
    message.msg_iovlen = 1;
    message.msg_control = control.data();
    message.msg_controllen = control.size();
    const ssize_t n = recvmsg(listener.fd, &message, MSG_DONTWAIT);
    if (n < 0) return;
    sender = SocketAddress(sender.get(), message.msg_namelen);
    const SocketAddress destination = DestinationOf(message, listener.bound);
    const std::string request = SanitizeRequest({payload.data(), static_cast<size_t>(n)});
    const std::string answer =
        FormatEchoReply({config_.name, sender.ToString(), destination.ToString(), request}) + "\n";
    if (config_.verbose) {
      std::fprintf(stderr, "udp %s -> %s req=%s\n", sender.ToString().c_str(),
                   destination.ToString().c_str(), request.c_str());
    }
    SendFrom(listener.fd, sender, destination, answer);
  }
}

}  // namespace

int RunEchoLoop(const EchoConfig& config, const std::vector<Listener>& listeners, int signal_fd) {
  const int epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd < 0) {
    std::fprintf(stderr, "sluice-test-echo: epoll_create1: %s\n", ErrnoName(errno).c_str());
    return 1;
  }
  // epoll data: the fd. Listener fds and the signal fd are told apart by lookup.
  std::unordered_map<int, const Listener*> listener_by_fd;
  std::vector<int> watched{signal_fd};
  for (const Listener& listener : listeners) {
    watched.push_back(listener.fd);
    listener_by_fd[listener.fd] = &listener;
  }
  for (int fd : watched) {
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.fd = fd;
    if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &event) != 0) {
      std::fprintf(stderr, "sluice-test-echo: epoll_ctl: %s\n", ErrnoName(errno).c_str());
      close(epoll_fd);
      return 1;
    }
  }

  {
    EchoLoop loop(config, epoll_fd);
    bool stop = false;
    while (!stop) {
      std::array<epoll_event, kMaxEventsPerWait> events;
      const int n = epoll_wait(epoll_fd, events.data(), kMaxEventsPerWait, kWaitTimeoutMs);
      if (n < 0 && errno != EINTR) {
        std::fprintf(stderr, "sluice-test-echo: epoll_wait: %s\n", ErrnoName(errno).c_str());
        break;
      }
      for (int i = 0; i < n; ++i) {
        const int fd = events[i].data.fd;
        if (fd == signal_fd) {
          stop = true;
        } else if (auto it = listener_by_fd.find(fd); it != listener_by_fd.end()) {
          if (it->second->transport == Transport::kTcp) {
            loop.AcceptFrom(fd);
          } else {
            loop.ServeDatagrams(*it->second);
          }
        } else {
          loop.OnConnectionEvent(fd, events[i].events);
        }
      }
      loop.CloseIdle();
    }
  }
  close(epoll_fd);
  return 0;
}

}  // namespace sluice::e2e
