// Which machine a result came from, and how busy it was: figures from different
// machines do not compare.
#pragma once

#include <string>

namespace sluice::maglev::bench {

struct Machine {
  std::string kernel;         // uname -r
  std::string cpu_model;      // /proc/cpuinfo "model name"
  unsigned logical_cpus = 0;  // /proc/cpuinfo "processor" entries
  std::string load_average;   // /proc/loadavg's 1, 5 and 15 minute figures at the start:
                              // these machines are shared, a busy one times slower
};

Machine DescribeMachine();

}  // namespace sluice::maglev::bench
