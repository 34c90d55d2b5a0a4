// Socket addresses as the e2e tools print and parse them: "198.18.1.2:8080" and
// "[fd00:18:1::2]:8080". The echo server and the probe share this so the strings a
// test compares come from one formatter.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::e2e {

class SocketAddress {
 public:
  SocketAddress() = default;
  SocketAddress(const sockaddr* addr, socklen_t length);

  // "ADDR:PORT" or "[ADDR6]:PORT"; nullopt for anything else.
  static std::optional<SocketAddress> Parse(std::string_view text);
  // A bare "ADDR" or "ADDR6" (port 0), or anything Parse accepts.
  static std::optional<SocketAddress> ParseHostOrEndpoint(std::string_view text);

  int family() const { return storage_.ss_family; }
  uint16_t port() const;
  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage_); }
  sockaddr* get() { return reinterpret_cast<sockaddr*>(&storage_); }
  socklen_t length() const { return length_; }
  // For recvfrom/accept/getsockname: the buffer to fill and its capacity.
  socklen_t* mutable_length() { return &length_; }
  void ResetForReceive() {
    storage_ = {};
    length_ = sizeof(storage_);
  }

  std::string HostString() const;  // "198.18.1.2" / "fd00:18:1::2"
  std::string ToString() const;    // with the port, v6 in brackets

 private:
  sockaddr_storage storage_{};
  socklen_t length_ = 0;
};

// The local address of a socket, or of the peer; an empty string if the call fails.
std::string LocalAddressOf(int fd);
std::string PeerAddressOf(int fd);

// "ECONNREFUSED" for ECONNREFUSED; "E<number>" for numbers glibc has no name for.
std::string ErrnoName(int error);

}  // namespace sluice::e2e
