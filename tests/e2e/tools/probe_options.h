// Command line of sluice-probe.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <variant>

#include "socket_address.h"

namespace sluice::e2e {

struct ProbeOptions {
  std::string cgroup;  // join DIR/cgroup.procs before opening any socket
  SocketAddress target;
  bool tcp = true;
  bool udp_connected = true;  // connect()+send() vs sendto() on an unconnected socket
  int count = 1;
  std::chrono::milliseconds interval{0};
  std::chrono::milliseconds timeout{1000};  // per attempt: connect + answer
  std::chrono::seconds hold{0};             // >0: one flow, a request every 100 ms
  std::optional<SocketAddress> bind;        // local address (and port) for every socket
  bool verbose = false;
  bool pretty = false;
};

// The options, or the exit status to return: 0 after --help, 2 after a usage error
// (the message is already on stderr).
std::variant<ProbeOptions, int> ParseProbeOptions(int argc, char** argv);

}  // namespace sluice::e2e
