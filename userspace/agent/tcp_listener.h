// Listening TCP sockets for the health check ports: nonblocking, close-on-exec,
// SO_REUSEADDR (as Go's listeners, so a port closed with connections in TIME_WAIT can
// be opened again at once; Linux still refuses a second listener on a port).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/ip_address.h"
#include "datapath/bpf_map_set.h"  // datapath::UniqueFd

namespace sluice::agent {

struct TcpListener {
  datapath::UniqueFd fd;  // invalid when opening failed
  std::string address;    // "198.18.0.1:30000", "[::]:30000": what was (or was to be) bound
  std::string error;      // why opening failed, e.g. "bind: Address already in use"
  int error_number = 0;   // the errno behind `error`
};

// Listens on `ip`:`port`. With no `ip`, on every address of the node, as kube-proxy
// does by default: one [::] socket that accepts IPv4 too (IPV6_V6ONLY off, which is
// what Go's "0.0.0.0" listener is on Linux), or 0.0.0.0 where the kernel has no IPv6.
// An IPv6 `ip` gets a v6-only socket, so it never collides with IPv4 listeners.
TcpListener ListenTcp(const std::optional<IpAddress>& ip, uint16_t port);

}  // namespace sluice::agent
