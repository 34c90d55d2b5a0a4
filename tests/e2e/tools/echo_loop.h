// The event loop of sluice-test-echo: one thread, epoll, every socket non-blocking,
// so thousands of concurrent connections (and long-lived "hold" flows) cost no
// threads and a stuck client cannot stall the others.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "echo_listeners.h"

namespace sluice::e2e {

struct EchoConfig {
  std::string name;
  // A connection that has not sent its first line by then is closed.
  std::chrono::milliseconds request_timeout{10000};
  // Connections beyond this are accepted and closed at once.
  size_t max_connections = 4096;
  bool verbose = false;  // one stderr line per request
};

// Serves until a signal arrives on `signal_fd` (a signalfd for SIGTERM/SIGINT).
// Returns 0, or 1 with a message on stderr if epoll itself fails.
int RunEchoLoop(const EchoConfig& config, const std::vector<Listener>& listeners, int signal_fd);

}  // namespace sluice::e2e
