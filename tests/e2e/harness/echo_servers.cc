#include "e2e/harness/echo_servers.h"

#include <stdexcept>
#include <string>

#include "e2e/harness/paths.h"

namespace sluice::e2e {

Process StartEchoServer(const Topology& topology, const BackendInfo& backend, uint16_t port,
                        std::chrono::milliseconds ready_timeout) {
  const std::string name = "echo-" + backend.name + "-" + std::to_string(port);
  const std::string ready_file = topology.LogPath(name + ".ready");
  Process server(backend.netns,
                 {EchoServerPath(), "--name", backend.name, "--listen",
                  backend.ipv4 + ":" + std::to_string(port), "--listen",
                  "[" + backend.ipv6 + "]:" + std::to_string(port), "--ready-file", ready_file},
                 topology.LogPath(name));
  if (!WaitForFile(ready_file, ready_timeout)) {
    server.Stop();
    throw std::runtime_error("echo server not ready: " + server.Describe() + ": " +
                             server.Stderr());
  }
  return server;
}

std::vector<Process> StartEchoServers(const Topology& topology, uint16_t port) {
  std::vector<Process> servers;
  for (const BackendInfo& backend : topology.backends()) {
    servers.push_back(StartEchoServer(topology, backend, port));
  }
  return servers;
}

}  // namespace sluice::e2e
