// B6's build time: Google Benchmark runs BuildTable for each (N, M) with repetitions;
// this keeps every repetition's time per build and sums them up as a median and spread.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace sluice::maglev::bench {

// One clock's times per build over the repetitions.
struct TimeSpread {
  double median_us = 0;
  double p10_us = 0;  // 10th and 90th percentiles: the spread without the outliers
  double p90_us = 0;
  double min_us = 0;
  double max_us = 0;
};

// Both clocks: the build is single-threaded, so its CPU time is what it costs, and
// wall time minus CPU time is time it waited for a CPU the machine's other work held
// (these machines are shared).
struct BuildTiming {
  uint32_t repetitions = 0;
  TimeSpread cpu;
  TimeSpread wall;
};

using TableShape = std::pair<uint32_t, uint32_t>;  // {backends, table size}

struct TimingOptions {
  uint32_t repetitions = 15;
  double min_seconds_per_repetition = 0.1;
};

// Registers one benchmark per shape, runs them (Google Benchmark's own flags left in
// argc/argv apply, e.g. --benchmark_filter) and returns each shape's timing.
std::map<TableShape, BuildTiming> TimeBuilds(const std::vector<TableShape>& shapes,
                                             const TimingOptions& options, int* argc, char** argv);

}  // namespace sluice::maglev::bench
