// sluice-loadgen's JSON report: what was asked, what happened (by errno), the rate and
// the latency percentiles of the measurement window.
#pragma once

#include <nlohmann/json.hpp>

#include <vector>

#include "options.h"
#include "worker.h"

namespace sluice::loadgen {

struct RunTimes {
  Clock::time_point start;
  Clock::time_point warmup_end;
  Clock::time_point end;  // the last worker's end, at most the deadline
};

// Merges the workers' results. `cpu_seconds` is this process's user+system CPU time.
nlohmann::json BuildReport(const Options& options, std::vector<WorkerResult>& results,
                           const RunTimes& times, double user_cpu_seconds, double system_cpu_seconds);

}  // namespace sluice::loadgen
