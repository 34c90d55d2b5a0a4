#include "e2e/harness/probe_runner.h"

#include <stdexcept>

#include "e2e/harness/command.h"
#include "e2e/harness/paths.h"

namespace sluice::e2e {
namespace {

std::vector<std::string> ProbeArgv(const ProbeRequest& request) {
  std::vector<std::string> argv = {ProbePath(),
                                   "--target",
                                   request.target,
                                   "--proto",
                                   request.proto,
                                   "--count",
                                   std::to_string(request.count),
                                   "--interval-ms",
                                   std::to_string(request.interval_ms),
                                   "--timeout-ms",
                                   std::to_string(request.timeout_ms),
                                   "--udp-mode",
                                   request.udp_mode,
                                   "--hold",
                                   std::to_string(request.hold_seconds)};
  if (!request.cgroup.empty()) argv.insert(argv.end(), {"--cgroup", request.cgroup});
  if (!request.bind.empty()) argv.insert(argv.end(), {"--bind", request.bind});
  if (request.verbose) argv.push_back("--verbose");
  return argv;
}

// Everything the probe may legitimately take, plus room for a slow machine.
std::chrono::milliseconds ProbeTimeLimit(const ProbeRequest& request) {
  const long per_attempt = request.timeout_ms + request.interval_ms;
  const long hold = request.hold_seconds * 1000L + (request.hold_seconds > 0 ? per_attempt * 2 : 0);
  const long count = request.hold_seconds > 0 ? 0 : per_attempt * request.count;
  return std::chrono::milliseconds(count + hold + 10000);
}

std::map<std::string, int> Counts(const nlohmann::json& json, const char* key) {
  std::map<std::string, int> counts;
  if (json.contains(key) && json[key].is_object()) {
    for (const auto& [name, value] : json[key].items()) counts[name] = value.get<int>();
  }
  return counts;
}

}  // namespace

ProbeResult RunProbe(const ProbeRequest& request) {
  ProbeResult result;
  CommandResult run;
  try {
    run = RunCommand(ProbeArgv(request), ProbeTimeLimit(request), request.netns);
  } catch (const std::exception& e) {
    result.stderr_text = e.what();
    return result;
  }
  result.exit_status = run.exit_status;
  result.stderr_text = run.err;
  if (run.timed_out) result.stderr_text += "\n(sluice-probe killed: it outlived its time limit)";
  result.json = nlohmann::json::parse(run.out, nullptr, /*allow_exceptions=*/false);
  if (result.json.is_discarded() || !result.json.is_object()) {
    result.stderr_text += "\n(stdout was not one JSON object: " + run.out + ")";
    result.json = nlohmann::json::object();
    return result;
  }
  result.attempts = result.json.value("attempts", 0);
  result.successes = result.json.value("successes", 0);
  result.failures = Counts(result.json, "failures");
  result.backends = Counts(result.json, "backends");
  result.peers_seen = Counts(result.json, "peers_seen");
  result.backend_saw_client = Counts(result.json, "backend_saw_client");
  result.backend_local_addr = Counts(result.json, "backend_local_addr");
  return result;
}

std::string FormatCounts(const std::map<std::string, int>& counts) {
  std::string text = "{";
  for (const auto& [name, count] : counts) {
    text += (text.size() > 1 ? ", " : "") + name + ": " + std::to_string(count);
  }
  return text + "}";
}

std::string ProbeResult::Describe() const {
  std::string text = std::to_string(attempts) + " attempts, " + std::to_string(successes) +
                     " answered; backends " + FormatCounts(backends) + "; failures " +
                     FormatCounts(failures) + "; peers seen " + FormatCounts(peers_seen) +
                     "; backends saw clients " + FormatCounts(backend_saw_client);
  if (exit_status != 0) text += "; probe exit status " + std::to_string(exit_status);
  if (!stderr_text.empty()) text += "; stderr: " + stderr_text;
  return text;
}

}  // namespace sluice::e2e
