// One worker thread of sluice-loadgen: an epoll loop keeping its share of the
// connections in flight, each a connect / request / response / close exchange, and
// counting what happened in the measurement window.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "histogram.h"
#include "options.h"

namespace sluice::loadgen {

using Clock = std::chrono::steady_clock;

// Connections that started before the warm-up ended are counted apart and left out of
// the latency histogram and the rate.
struct Counts {
  uint64_t attempted = 0;
  uint64_t succeeded = 0;
  uint64_t failed = 0;
  std::map<std::string, uint64_t> failed_by_reason;  // errno name, or EOF_BEFORE_ANSWER

  void Merge(const Counts& other);
};

struct WorkerResult {
  Counts warmup;
  Counts measured;
  uint64_t unfinished = 0;  // still in flight when the window closed
  uint64_t skipped = 0;     // paced mode: starts due while every slot was busy
  // Connect until first byte of the answer, in ns.
  std::unique_ptr<LatencyHistogram> latency = std::make_unique<LatencyHistogram>();
  // Connect until the server's close (TCP) or the answer (UDP): the whole exchange.
  std::unique_ptr<LatencyHistogram> exchange = std::make_unique<LatencyHistogram>();
  // Per target index: first answer line -> connections that got it.
  std::map<size_t, std::map<std::string, uint64_t>> responses;
  Clock::time_point finished;  // when the loop stopped (the window's end at the latest)
};

struct Schedule {
  Clock::time_point start;
  Clock::time_point warmup_end;
  Clock::time_point deadline;
  std::atomic<uint64_t>* started;  // shared count of connections started, for max_connections
};

// Runs one worker to the deadline (or until max_connections have started and finished).
// `index` of `count` workers: its share of the concurrency and rate, and where it starts
// in the target list. Throws std::runtime_error if it cannot make an epoll instance.
WorkerResult RunWorker(const Options& options, const Schedule& schedule, unsigned index,
                       unsigned count);

}  // namespace sluice::loadgen
