#include "echo_listeners.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>

namespace sluice::e2e {
namespace {

constexpr int kListenBacklog = 1024;

void SetOption(int fd, int level, int name, int value, const char* what) {
  if (setsockopt(fd, level, name, &value, sizeof(value)) != 0) {
    throw std::runtime_error(std::string("setsockopt ") + what + ": " + ErrnoName(errno));
  }
}

Listener Open(const SocketAddress& address, Transport transport) {
  const bool tcp = transport == Transport::kTcp;
  const std::string label = address.ToString() + (tcp ? "/tcp" : "/udp");
  const int fd =
      socket(address.family(), (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket " + label + ": " + ErrnoName(errno));
  try {
    SetOption(fd, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
    if (address.family() == AF_INET6) {
      // [::]:P and 0.0.0.0:P are separate listeners, so a v6 socket takes v6 only.
      SetOption(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1, "IPV6_V6ONLY");
      if (!tcp) SetOption(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1, "IPV6_RECVPKTINFO");
    } else if (!tcp) {
      // The destination address of each datagram, so a wildcard-bound server answers
      // from the address the client sent to.
      SetOption(fd, IPPROTO_IP, IP_PKTINFO, 1, "IP_PKTINFO");
    }
    if (bind(fd, address.get(), address.length()) != 0) {
      throw std::runtime_error("bind " + label + ": " + ErrnoName(errno));
    }
    if (tcp && listen(fd, kListenBacklog) != 0) {
      throw std::runtime_error("listen " + label + ": " + ErrnoName(errno));
    }
  } catch (...) {
    close(fd);
    throw;
  }
  return Listener{fd, transport, address};
}

}  // namespace

std::vector<Listener> OpenListeners(const std::vector<SocketAddress>& addresses, bool tcp,
                                    bool udp) {
  std::vector<Listener> listeners;
  try {
    for (const SocketAddress& address : addresses) {
      if (tcp) listeners.push_back(Open(address, Transport::kTcp));
      if (udp) listeners.push_back(Open(address, Transport::kUdp));
    }
  } catch (...) {
    CloseListeners(listeners);
    throw;
  }
  return listeners;
}

void CloseListeners(std::vector<Listener>& listeners) {
  for (Listener& listener : listeners) {
    if (listener.fd >= 0) close(listener.fd);
    listener.fd = -1;
  }
  listeners.clear();
}

}  // namespace sluice::e2e
