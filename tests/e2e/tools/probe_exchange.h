// One request/answer exchange of sluice-probe, over TCP or UDP, bounded by a deadline.
// Failures are named the way a test wants to read them: the errno of the call that
// failed ("ECONNREFUSED", "ENETUNREACH", "EPERM"), "ETIMEDOUT" when the deadline
// passed, "EOF" when a TCP peer closed before answering, "BAD_REPLY" for an answer
// that is not sluice-test-echo's.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "echo_reply.h"
#include "socket_address.h"

namespace sluice::e2e {

using Clock = std::chrono::steady_clock;

struct Outcome {
  std::string error;  // empty on success
  // TCP: getpeername() once connected; UDP: the source of the answer as recvmsg()
  // reported it. Empty when there was none.
  std::string peer;
  std::optional<EchoReply> reply;
  bool ok() const { return error.empty(); }
};

// An owned socket descriptor.
class Socket {
 public:
  Socket() = default;
  explicit Socket(int fd) : fd_(fd) {}
  Socket(Socket&& other) noexcept : fd_(other.release()) {}
  Socket& operator=(Socket&& other) noexcept;
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  ~Socket();
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release();

 private:
  int fd_ = -1;
};

// A non-blocking socket of the target's family, bound to `bind` when given.
// On failure: an invalid Socket and `error` set.
Socket OpenProbeSocket(const SocketAddress& target, bool tcp,
                       const std::optional<SocketAddress>& bind, std::string& error);

// Connects a TCP socket by the deadline; fills outcome.error or outcome.peer.
void ConnectTcp(const Socket& socket, const SocketAddress& target, Clock::time_point deadline,
                Outcome& outcome);

// Sends `request` + "\n" on a connected TCP socket and reads answer lines until the
// one whose req= matches (older answers of a held connection are skipped).
// `pending` carries bytes read past a line to the next call.
void ExchangeTcp(const Socket& socket, const std::string& request, Clock::time_point deadline,
                 std::string& pending, Outcome& outcome);

// Connects (connected mode) a UDP socket; connect() is where the sock-LB hook acts.
void ConnectUdp(const Socket& socket, const SocketAddress& target, Outcome& outcome);

// Sends `request` as one datagram (send() when connected, sendto() otherwise) and waits
// for the answer whose req= matches; records its source address in outcome.peer.
void ExchangeUdp(const Socket& socket, bool connected, const SocketAddress& target,
                 const std::string& request, Clock::time_point deadline, Outcome& outcome);

}  // namespace sluice::e2e
