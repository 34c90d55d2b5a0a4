#include "agent/tcp_listener.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include <cstring>

namespace sluice::agent {

namespace {

constexpr int kBacklog = 128;

std::string AddressText(const std::optional<IpAddress>& ip, int family, uint16_t port) {
  if (ip) return ip->WithPort(port);
  return (family == AF_INET6 ? "[::]:" : "0.0.0.0:") + std::to_string(port);
}

TcpListener Fail(TcpListener listener, const char* step) {
  listener.error_number = errno;
  listener.error = std::string(step) + ": " + strerror(errno);
  listener.fd = datapath::UniqueFd();
  return listener;
}

}  // namespace

TcpListener ListenTcp(const std::optional<IpAddress>& ip, uint16_t port) {
  int family = (!ip || !ip->is_v4()) ? AF_INET6 : AF_INET;
  int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0 && !ip && errno == EAFNOSUPPORT) {
    family = AF_INET;  // a kernel without IPv6: every address is an IPv4 one
    fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  }
  int socket_errno = errno;
  TcpListener listener;
  listener.fd = datapath::UniqueFd(fd);
  listener.address = AddressText(ip, family, port);
  if (!listener.fd) {
    errno = socket_errno;
    return Fail(std::move(listener), "socket");
  }

  int one = 1;
  if (setsockopt(listener.fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0)
    return Fail(std::move(listener), "setsockopt(SO_REUSEADDR)");

  sockaddr_storage storage{};
  socklen_t length = 0;
  if (family == AF_INET6) {
    // All addresses: dual stack; a given IPv6 address: that address only.
    int v6only = ip ? 1 : 0;
    if (setsockopt(listener.fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only)) != 0)
      return Fail(std::move(listener), "setsockopt(IPV6_V6ONLY)");
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&storage);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(port);
    if (ip) std::memcpy(&sin6->sin6_addr, ip->bytes().data(), 16);
    length = sizeof(sockaddr_in6);
  } else {
    auto* sin = reinterpret_cast<sockaddr_in*>(&storage);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(port);
    if (ip) std::memcpy(&sin->sin_addr, ip->bytes().data(), 4);
    length = sizeof(sockaddr_in);
  }
  if (bind(listener.fd.get(), reinterpret_cast<sockaddr*>(&storage), length) != 0)
    return Fail(std::move(listener), "bind");
  if (listen(listener.fd.get(), kBacklog) != 0) return Fail(std::move(listener), "listen");
  return listener;
}

}  // namespace sluice::agent
