#include "cpu_meter.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace sluice::bench {
namespace {

double TicksToSeconds(unsigned long long ticks) {
  static const double hz = static_cast<double>(sysconf(_SC_CLK_TCK));
  return static_cast<double>(ticks) / hz;
}

}  // namespace

double ProcessCpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // The command name is in parentheses and may hold spaces: fields count from after it.
  const auto close = text.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(text.substr(close + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return TicksToSeconds(utime + stime);
}

double SumCpuSeconds(const std::vector<pid_t>& pids) {
  double total = 0;
  for (pid_t pid : pids) total += ProcessCpuSeconds(pid);
  return total;
}

std::vector<pid_t> KsoftirqdPids() {
  std::vector<pid_t> pids;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", error)) {
    const std::string name = entry.path().filename();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream comm(entry.path() / "comm");
    std::string text;
    if (std::getline(comm, text) && text.starts_with("ksoftirqd/")) pids.push_back(std::stoi(name));
  }
  return pids;
}

SystemCpu ReadSystemCpu() {
  std::ifstream in("/proc/stat");
  std::string label;
  unsigned long long user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
  in >> label >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal;
  SystemCpu cpu;
  cpu.softirq = TicksToSeconds(softirq);
  cpu.busy = TicksToSeconds(user + nice + system + irq + softirq + steal);
  return cpu;
}

}  // namespace sluice::bench
