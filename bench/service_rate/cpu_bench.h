// B8: CPU per connection at a fixed offered rate (5k connections/s) through a Service
// with 10k Services loaded. CPU time of the client, the agent (sluice) and ksoftirqd
// over the measurement window (cpu_meter.h says why softirq is inside those: the
// client's packets are routed, filtered and NATed by the node in softirq run from the
// client's own system calls), divided by the connections made in it; the backends'
// servers (the same work in every mode) in a second total, /proc/stat's softirq and
// busy time beside. Modes take turns round by round as in B2.
#pragma once

#include "rate_bench.h"

namespace sluice::bench {

struct CpuBenchOptions {
  BenchCommon common;
  size_t services = 10000;
  LoadSpec load;  // paced: load.rate connections per second
};

// Prints the table and writes B8.{csv,json} into out_dir. 0, or 1 if a mode failed
// its functional check.
int RunCpuBench(const CpuBenchOptions& options);

}  // namespace sluice::bench
