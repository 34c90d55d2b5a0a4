// What sluice-loadgen is asked to do (flags in main.cc).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "endpoint.h"

namespace sluice::loadgen {

enum class Protocol { kTcp, kUdp };

struct Options {
  // Connections go to the targets in turn (one target is the usual case; several make
  // a functional check of many Services in one run).
  std::vector<Endpoint> targets;
  Protocol protocol = Protocol::kTcp;
  unsigned threads = 1;       // worker threads, one epoll loop each
  unsigned concurrency = 16;  // connections in flight, all threads together
  // Connections started per second, all threads together; 0 is a closed loop (a new
  // connection as soon as one finishes).
  double rate = 0;
  std::chrono::nanoseconds warmup{std::chrono::seconds(1)};
  std::chrono::nanoseconds duration{std::chrono::seconds(5)};
  uint64_t max_connections = 10'000'000;  // started, warm-up included: a second bound
  std::chrono::nanoseconds timeout{std::chrono::seconds(2)};  // per connection
  std::string request = "ping\n";
  std::string cgroup_dir;        // join this cgroup v2 directory before any socket
  bool count_responses = false;  // tally answers per target: the name= field, else the first line
  bool histogram_buckets = false;
};

}  // namespace sluice::loadgen
