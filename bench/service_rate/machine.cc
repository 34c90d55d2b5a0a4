#include "machine.h"

#include <sys/utsname.h>

#include <fstream>
#include <string>

namespace sluice::bench {

nlohmann::json DescribeMachine() {
  nlohmann::json machine;
  utsname names{};
  if (uname(&names) == 0) machine["kernel"] = names.release;
  std::ifstream cpuinfo("/proc/cpuinfo");
  unsigned cores = 0;
  for (std::string line; std::getline(cpuinfo, line);) {
    if (line.starts_with("processor")) ++cores;
    if (line.starts_with("model name") && !machine.contains("cpu_model")) {
      const auto colon = line.find(':');
      machine["cpu_model"] = line.substr(line.find_first_not_of(" \t", colon + 1));
    }
  }
  machine["cores"] = cores;
  std::ifstream loadavg("/proc/loadavg");
  std::string one, five, fifteen;
  if (loadavg >> one >> five >> fifteen) machine["load_average"] = one + " " + five + " " + fifteen;
  return machine;
}

}  // namespace sluice::bench
