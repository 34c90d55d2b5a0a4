#include "machine.h"

#include <sys/utsname.h>

#include <fstream>

namespace sluice::maglev::bench {

Machine DescribeMachine() {
  Machine machine;
  utsname names{};
  if (uname(&names) == 0) {
    machine.kernel = names.release;
  }
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::string field = line.substr(0, line.find_first_of(" \t"));
    if (field == "processor") ++machine.logical_cpus;
    if (line.starts_with("model name") && machine.cpu_model.empty()) {
      machine.cpu_model = line.substr(line.find_first_not_of(" \t", colon + 1));
    }
  }
  std::ifstream loadavg("/proc/loadavg");
  std::string one, five, fifteen;
  if (loadavg >> one >> five >> fifteen) machine.load_average = one + " " + five + " " + fifteen;
  return machine;
}

}  // namespace sluice::maglev::bench
