// What sluice-probe prints: one JSON object counting what every attempt saw.
//
// {
//   "target": "198.19.128.10:80", "proto": "tcp", "udp_mode": "connected" (udp only),
//   "mode": "count" | "hold",
//   "attempts": 10, "successes": 9,              // --hold: every request of the flow,
//                                                // the TCP "hold" handshake included
//   "failures": {"ECONNREFUSED": 1},             // error name → attempts
//   "backends": {"be1": 5, "be2": 4},            // answering --name → attempts
//   "peers_seen": {"198.19.128.10:80": 10},      // TCP getpeername / UDP answer source
//   "backend_saw_client": {"198.18.1.1": 9},     // the client address the backend saw
//   "backend_local_addr": {"198.18.1.2:8080": 9},// the address the backend was reached at
//   "elapsed_ms": 12,
//   "hold": {"seconds": 5, "connected": true, "broken": false, "error": ""},  // --hold only
//   "details": [{"seq": 1, "ok": true, "error": "", "backend": "be1", "peer": "...",
//                "backend_saw_client": "...", "backend_local_addr": "...",
//                "latency_us": 180}]             // --verbose only
// }
#pragma once

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "probe_exchange.h"
#include "probe_options.h"

namespace sluice::e2e {

class ProbeReport {
 public:
  explicit ProbeReport(const ProbeOptions& options);

  void Add(int seq, const Outcome& outcome, std::chrono::microseconds latency);
  // --hold: how the one flow ended. `error` is the failure that broke it, if any.
  void SetHold(bool connected, bool broken, const std::string& error);

  nlohmann::json ToJson(std::chrono::milliseconds elapsed) const;

 private:
  const ProbeOptions& options_;
  int attempts_ = 0;
  int successes_ = 0;
  std::map<std::string, int> failures_;
  std::map<std::string, int> backends_;
  std::map<std::string, int> peers_seen_;
  std::map<std::string, int> backend_saw_client_;
  std::map<std::string, int> backend_local_addr_;
  nlohmann::json hold_;
  nlohmann::json details_ = nlohmann::json::array();
};

}  // namespace sluice::e2e
