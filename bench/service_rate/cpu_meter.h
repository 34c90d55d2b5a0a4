// CPU time from /proc for B8: per process (utime + stime of all its threads, from
// /proc/<pid>/stat) and the machine's softirq time (/proc/stat).
//
// This kernel has no CONFIG_IRQ_TIME_ACCOUNTING: softirq work is charged by the tick
// to whichever task it interrupted (or ran in: veth delivers in the sender's
// local_bh_enable), so it is already inside the client's and servers' times, or
// ksoftirqd's when deferred; /proc/stat's softirq column counts the same ticks again.
// The total per connection is therefore client + servers + agent + ksoftirqd, and the
// /proc/stat softirq figure is reported beside it, not added.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace sluice::bench {

// utime + stime of a process in seconds; 0 if it is gone.
double ProcessCpuSeconds(pid_t pid);
double SumCpuSeconds(const std::vector<pid_t>& pids);
// Every ksoftirqd/N kernel thread.
std::vector<pid_t> KsoftirqdPids();

struct SystemCpu {
  double softirq = 0;  // seconds, all CPUs
  double busy = 0;     // everything but idle and iowait, all CPUs
};
SystemCpu ReadSystemCpu();

}  // namespace sluice::bench
