// The functional check every benchmark runs before it takes a figure: from a client
// network namespace, every Service frontend must reach every one of its backends, so
// the comparison is between working proxies (iptables, nftables, sluice alike).
//
//   std::vector<FrontendExpectation> want =
//       ExpectedClusterIpReachability(services, slices, options, IpFamily::kV4);
//   ReachabilityReport report = CheckReachability("sl-ab12cd-be4", want);
//   if (!report.ok) fail(report.Summary());
//   // "3 frontends: 3 reached all backends (90 connections, 0 failed)"
//
// The backends answer a request line with one line that says who they are, either
// - sluice-test-echo (tests/e2e/tools): `name=be1 peer=... local=<ip:port> req=...`; the
//   local= address, where the connection arrived after translation, identifies the
//   backend, so no names are needed; or
// - sluice-loadgen-echo (bench/loadgen) or any server answering a name: the first word
//   of the line, mapped to "ip:port" through ReachabilityOptions::backend_names (a name
//   that is already "ip:port", e.g. `--name 198.18.1.2:8080`, needs no entry).
// TCP frontends get one connection per attempt; UDP frontends one connected datagram
// exchange per attempt.
//
// (library sluice_kubeproxy_check; needs root to enter the namespace)
#pragma once

#include <chrono>
#include <map>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "bench/kubeproxy/kube_proxy_rules.h"

namespace sluice::kubeproxy {

struct FrontendExpectation {
  std::string service{};   // "ns/name:port", for messages
  std::string frontend{};  // "198.19.128.10:80" or "[fd00:96::10]:80"
  model::Protocol protocol = model::Protocol::kTcp;
  std::set<std::string> backends{};  // "198.18.1.2:8080", as EndpointString() writes
};

// The ClusterIP frontends of `family` with the endpoints kube-proxy would send
// in-cluster traffic to (internalTrafficPolicy applied; none when there are no usable
// endpoints, such frontends are left out).
std::vector<FrontendExpectation> ExpectedClusterIpReachability(
    std::span<const model::Service> services, std::span<const model::EndpointSlice> slices,
    const RulesetOptions& options, IpFamily family = IpFamily::kV4);

struct ReachabilityOptions {
  // Connections per frontend: stops early once every backend answered, else gives up at
  // max_attempts_per_backend x backends (with random selection, 40 per backend leaves
  // a chance below 1e-6 of missing one of 3).
  int max_attempts_per_backend = 40;
  std::chrono::milliseconds attempt_timeout{1000};
  std::chrono::seconds total_timeout{120};  // for the whole check
  // Answer name -> backend "ip:port", for servers that answer with a name.
  std::map<std::string, std::string> backend_names{};
};

struct FrontendResult {
  FrontendExpectation expected;
  int attempts = 0;
  int answered = 0;
  std::map<std::string, int> seen;      // backend "ip:port" (or unknown name) -> answers
  std::map<std::string, int> failures;  // "ECONNREFUSED", "timeout", "bad answer" -> count
  bool ok = false;  // every expected backend answered, nothing unexpected answered

  // "ns/web:http 198.19.128.10:80/TCP: 12 attempts, 12 answered by
  //  {198.18.1.2:8080: 4, 198.18.2.2:8080: 5, 198.18.3.2:8080: 3}"
  std::string Describe() const;
};

struct ReachabilityReport {
  bool ok = false;
  std::vector<FrontendResult> frontends;
  std::string error;  // the namespace could not be entered, or the total timeout hit

  std::string Summary() const;  // one line, then one line per frontend that failed
};

// Runs from `netns` (a name under /run/netns; "" = the caller's own namespace).
ReachabilityReport CheckReachability(const std::string& netns,
                                     std::span<const FrontendExpectation> expectations,
                                     const ReachabilityOptions& options = {});

}  // namespace sluice::kubeproxy
