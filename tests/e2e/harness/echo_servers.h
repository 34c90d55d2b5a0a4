// Starting sluice-test-echo in backend namespaces: the common first step of an
// end-to-end test.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include "e2e/harness/process.h"
#include "e2e/harness/topology.h"

namespace sluice::e2e {

// Serves TCP and UDP on the backend's IPv4 and IPv6 address at `port`, answering as
// backend.name; returns once its sockets listen. Throws std::runtime_error (with the
// server's stderr) if it is not ready within `ready_timeout`.
Process StartEchoServer(const Topology& topology, const BackendInfo& backend, uint16_t port,
                        std::chrono::milliseconds ready_timeout = std::chrono::seconds(5));

// One per backend of the topology, same port.
std::vector<Process> StartEchoServers(const Topology& topology, uint16_t port);

}  // namespace sluice::e2e
