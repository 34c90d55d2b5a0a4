// Runs sluice-loadgen as a client of a mode (its client Pod namespace, its cgroup) and reads
// its JSON report back.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "e2e/harness/process.h"
#include "mode_env.h"

namespace sluice::bench {

struct LoadSpec {
  unsigned threads = 1;
  unsigned concurrency = 1;
  double rate = 0;  // 0: closed loop
  std::chrono::milliseconds warmup{500};
  std::chrono::milliseconds duration{3000};
  uint64_t max_connections = 5'000'000;
};

// The figures a run is judged on, taken from the report.
struct LoadResult {
  nlohmann::json report;
  double rate = 0;  // succeeded connections per second of the window
  uint64_t succeeded = 0;
  uint64_t failed = 0;
  double p50_us = 0, p90_us = 0, p99_us = 0, p999_us = 0, max_us = 0;
};

class LoadRun {
 public:
  // Starts the client; `log_name` names its files in the mode's log directory.
  LoadRun(ModeEnv& env, const ServiceSet& set, const LoadSpec& spec, const std::string& loadgen_path,
          const std::string& log_name);
  pid_t pid() const { return process_->pid(); }
  // Waits for the report (bounded by the run's own length plus a margin). Throws
  // std::runtime_error with the client's stderr if there is none.
  LoadResult Wait();

 private:
  std::string output_;
  std::chrono::milliseconds length_;
  std::unique_ptr<e2e::Process> process_;
};

LoadResult RunLoad(ModeEnv& env, const ServiceSet& set, const LoadSpec& spec, const std::string& loadgen_path,
                   const std::string& log_name);

}  // namespace sluice::bench
