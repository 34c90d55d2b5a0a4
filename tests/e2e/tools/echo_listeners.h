// The listening sockets of sluice-test-echo: for each --listen address a TCP listener
// and/or a UDP socket, bound and ready before the ready file is written.
#pragma once

#include <string>
#include <vector>

#include "socket_address.h"

namespace sluice::e2e {

enum class Transport { kTcp, kUdp };

struct Listener {
  int fd = -1;
  Transport transport = Transport::kTcp;
  SocketAddress bound;
};

// Opens the sockets; on failure closes what it opened and throws std::runtime_error
// naming the address and the errno ("bind [fd00:18:1::2]:8080/tcp: EADDRINUSE").
std::vector<Listener> OpenListeners(const std::vector<SocketAddress>& addresses, bool tcp,
                                    bool udp);

void CloseListeners(std::vector<Listener>& listeners);

}  // namespace sluice::e2e
