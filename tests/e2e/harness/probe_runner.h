// Running sluice-probe from a test and reading its JSON (format: tools/probe_report.h).
#pragma once

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace sluice::e2e {

// sluice-probe's options; the defaults are the probe's. Every member has an
// initializer so designated initializers may name only what a test cares about.
struct ProbeRequest {
  std::string netns{};   // where the probe runs; "" = the test's own namespace
  std::string target{};  // "ADDR:PORT" or "[ADDR6]:PORT"
  std::string proto = "tcp";
  int count = 1;
  int interval_ms = 0;
  int timeout_ms = 1000;
  std::string udp_mode = "connected";  // or "unconnected"
  int hold_seconds = 0;
  std::string cgroup{};  // joined before the first socket, so its BPF hooks apply
  std::string bind{};    // local ADDR or ADDR:PORT
  bool verbose = false;
};

struct ProbeResult {
  int exit_status = -1;  // 0: the probe ran (attempts may still have failed)
  int attempts = 0;
  int successes = 0;
  std::map<std::string, int> failures;            // "ECONNREFUSED" → count
  std::map<std::string, int> backends;            // "be1" → count
  std::map<std::string, int> peers_seen;          // getpeername / answer source → count
  std::map<std::string, int> backend_saw_client;  // client address seen by backends
  std::map<std::string, int> backend_local_addr;  // address backends were reached at
  nlohmann::json json;                            // everything the probe printed
  std::string stderr_text;                        // the probe's complaints, if any

  // "10 attempts, 10 answered; backends {be1: 4, be2: 6}; failures {}; peers {...}"
  std::string Describe() const;
};

// Runs the probe and waits for it (bounded by what the request implies plus a margin).
// Never throws for a failed probe: exit_status and stderr_text say what happened.
ProbeResult RunProbe(const ProbeRequest& request);

// "{be1: 4, be2: 6}"
std::string FormatCounts(const std::map<std::string, int>& counts);

}  // namespace sluice::e2e
