#include "probe_exchange.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>

namespace sluice::e2e {
namespace {

// Answers of earlier requests a held flow may still deliver; more than this and the
// stream is not what we think it is.
constexpr int kMaxStaleAnswers = 64;

int RemainingMs(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() <= 0 ? 0 : static_cast<int>(left.count());
}

// Waits for `events` on fd by the deadline; "" when ready, else the error name.
std::string WaitFor(int fd, short events, Clock::time_point deadline) {
  for (int interruptions = 0; interruptions < 100; ++interruptions) {
    pollfd p{fd, events, 0};
    const int n = poll(&p, 1, RemainingMs(deadline));
    if (n > 0) return "";
    if (n == 0) return "ETIMEDOUT";
    if (errno != EINTR) return ErrnoName(errno);
  }
  return "EINTR";
}

std::string SocketError(int fd) {
  int error = 0;
  socklen_t length = sizeof(error);
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) return ErrnoName(errno);
  return error == 0 ? "" : ErrnoName(error);
}

// True when `reply` is the answer to `request` (and not to an earlier one).
bool Answers(const std::optional<EchoReply>& reply, const std::string& request) {
  return reply && reply->request == request;
}

}  // namespace

Socket& Socket::operator=(Socket&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = other.release();
  }
  return *this;
}

Socket::~Socket() {
  if (fd_ >= 0) close(fd_);
}

int Socket::release() {
  const int fd = fd_;
  fd_ = -1;
  return fd;
}

Socket OpenProbeSocket(const SocketAddress& target, bool tcp,
                       const std::optional<SocketAddress>& bind, std::string& error) {
  Socket socket(::socket(target.family(),
                         (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!socket.valid()) {
    error = ErrnoName(errno);
    return socket;
  }
  if (bind) {
    const int one = 1;
    setsockopt(socket.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (::bind(socket.get(), bind->get(), bind->length()) != 0) {
      error = ErrnoName(errno);
      return Socket();
    }
  }
  return socket;
}

void ConnectTcp(const Socket& socket, const SocketAddress& target, Clock::time_point deadline,
                Outcome& outcome) {
  if (connect(socket.get(), target.get(), target.length()) != 0) {
    if (errno != EINPROGRESS) {
      outcome.error = ErrnoName(errno);
      return;
    }
    outcome.error = WaitFor(socket.get(), POLLOUT, deadline);
    if (outcome.error.empty()) outcome.error = SocketError(socket.get());
    if (!outcome.error.empty()) return;
  }
  outcome.peer = PeerAddressOf(socket.get());
}

void ExchangeTcp(const Socket& socket, const std::string& request, Clock::time_point deadline,
                 std::string& pending, Outcome& outcome) {
  const std::string line = request + "\n";
  size_t sent = 0;
  while (sent < line.size()) {
    const ssize_t n = send(socket.get(), line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
    if (n >= 0) {
      sent += static_cast<size_t>(n);
      continue;
    }
    if (errno != EAGAIN && errno != EINTR) {
      outcome.error = ErrnoName(errno);
      return;
    }
    if (outcome.error = WaitFor(socket.get(), POLLOUT, deadline); !outcome.error.empty()) return;
  }

  for (int stale = 0; stale <= kMaxStaleAnswers;) {
    if (const size_t newline = pending.find('\n'); newline != std::string::npos) {
      auto reply = ParseEchoReply(std::string_view(pending).substr(0, newline));
      pending.erase(0, newline + 1);
      if (!reply) {
        outcome.error = "BAD_REPLY";
        return;
      }
      if (Answers(reply, request)) {
        outcome.reply = std::move(reply);
        return;
      }
      ++stale;
      continue;
    }
    if (pending.size() > kMaxLineBytes) {
      outcome.error = "BAD_REPLY";
      return;
    }
    if (outcome.error = WaitFor(socket.get(), POLLIN, deadline); !outcome.error.empty()) return;
    std::array<char, 4096> buffer;
    const ssize_t n = recv(socket.get(), buffer.data(), buffer.size(), 0);
    if (n == 0) {
      outcome.error = "EOF";
      return;
    }
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      outcome.error = ErrnoName(errno);
      return;
    }
    pending.append(buffer.data(), static_cast<size_t>(n));
  }
  outcome.error = "BAD_REPLY";
}

void ConnectUdp(const Socket& socket, const SocketAddress& target, Outcome& outcome) {
  if (connect(socket.get(), target.get(), target.length()) != 0) outcome.error = ErrnoName(errno);
}

void ExchangeUdp(const Socket& socket, bool connected, const SocketAddress& target,
                 const std::string& request, Clock::time_point deadline, Outcome& outcome) {
  const ssize_t sent = connected ? send(socket.get(), request.data(), request.size(), MSG_NOSIGNAL)
                                 : sendto(socket.get(), request.data(), request.size(),
                                          MSG_NOSIGNAL, target.get(), target.length());
  if (sent < 0) {
    outcome.error = ErrnoName(errno);
    return;
  }
  for (int stale = 0; stale <= kMaxStaleAnswers;) {
    if (outcome.error = WaitFor(socket.get(), POLLIN, deadline); !outcome.error.empty()) return;
    std::array<char, kMaxLineBytes> payload;
    SocketAddress source;
    source.ResetForReceive();
    iovec iov{payload.data(), payload.size()};
    msghdr message{};
    message.msg_name = source.get();
    message.msg_namelen = *source.mutable_length();
    message.msg_iov = &iov;
    message.msg_iovlen = 1;
    const ssize_t n = recvmsg(socket.get(), &message, 0);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      outcome.error = ErrnoName(errno);  // e.g. ECONNREFUSED from an ICMP port unreachable
      return;
    }
    auto reply = ParseEchoReply({payload.data(), static_cast<size_t>(n)});
    if (!Answers(reply, request)) {
      ++stale;  // a late answer to an earlier datagram, or noise
      continue;
    }
    outcome.peer = SocketAddress(source.get(), message.msg_namelen).ToString();
    outcome.reply = std::move(reply);
    return;
  }
  outcome.error = "BAD_REPLY";
}

}  // namespace sluice::e2e
