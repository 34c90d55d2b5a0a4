#include "report.h"

#include <algorithm>

namespace sluice::loadgen {
namespace {

nlohmann::json CountsJson(const Counts& counts) {
  nlohmann::json reasons = nlohmann::json::object();
  for (const auto& [reason, n] : counts.failed_by_reason) reasons[reason] = n;
  return {{"attempted", counts.attempted},
          {"succeeded", counts.succeeded},
          {"failed", counts.failed},
          {"failed_by_errno", reasons}};
}

double Micros(uint64_t ns) { return static_cast<double>(ns) / 1000.0; }

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

nlohmann::json BuildReport(const Options& options, std::vector<WorkerResult>& results,
                           const RunTimes& times, double user_cpu_seconds, double system_cpu_seconds) {
  Counts warmup, measured;
  LatencyHistogram latency, exchange;
  uint64_t unfinished = 0, skipped = 0;
  std::map<size_t, std::map<std::string, uint64_t>> responses;
  for (WorkerResult& result : results) {
    warmup.Merge(result.warmup);
    measured.Merge(result.measured);
    latency.Merge(*result.latency);
    exchange.Merge(*result.exchange);
    unfinished += result.unfinished;
    skipped += result.skipped;
    for (const auto& [target, tally] : result.responses)
      for (const auto& [line, n] : tally) responses[target][line] += n;
  }
  const double window = std::max(0.0, Seconds(times.end - times.warmup_end));

  nlohmann::json targets = nlohmann::json::array();
  for (const Endpoint& target : options.targets) targets.push_back(target.ToString());
  nlohmann::json report = {
      {"tool", "sluice-loadgen"},
      {"protocol", options.protocol == Protocol::kTcp ? "tcp" : "udp"},
      {"targets", targets},
      {"threads", options.threads},
      {"concurrency", options.concurrency},
      {"rate_asked_per_s", options.rate},
      {"warmup_s", Seconds(times.warmup_end - times.start)},
      {"window_s", window},
      {"max_connections", options.max_connections},
      {"warmup", CountsJson(warmup)},
      {"unfinished", unfinished},
      {"skipped", skipped},
      {"rate_per_s", window > 0 ? static_cast<double>(measured.succeeded) / window : 0.0},
      {"cpu_s", {{"user", user_cpu_seconds}, {"system", system_cpu_seconds}}},
  };
  report.update(CountsJson(measured));
  report["latency_us"] = {
      {"what", "connect() until the first byte of the answer"},
      {"count", latency.count()},
      {"min", Micros(latency.min())},
      {"mean", latency.mean() / 1000.0},
      {"p50", Micros(latency.Percentile(50))},
      {"p90", Micros(latency.Percentile(90))},
      {"p99", Micros(latency.Percentile(99))},
      {"p99.9", Micros(latency.Percentile(99.9))},
      {"max", Micros(latency.max())},
  };
  report["exchange_us"] = {
      {"what", "connect() until the server's close (TCP) or the answer (UDP)"},
      {"count", exchange.count()},
      {"p50", Micros(exchange.Percentile(50))},
      {"p99", Micros(exchange.Percentile(99))},
      {"max", Micros(exchange.max())},
  };
  if (options.histogram_buckets) {
    nlohmann::json buckets = nlohmann::json::array();
    for (const auto& [upper, n] : latency.NonEmptyBuckets()) buckets.push_back({upper, n});
    report["latency_us"]["buckets_ns"] = buckets;  // [upper end in ns, count]
  }
  if (options.count_responses) {
    nlohmann::json by_target = nlohmann::json::object();
    for (size_t i = 0; i < options.targets.size(); ++i) {
      nlohmann::json tally = nlohmann::json::object();
      if (auto it = responses.find(i); it != responses.end())
        for (const auto& [line, n] : it->second) tally[line] = n;
      by_target[options.targets[i].ToString()] = tally;
    }
    report["responses"] = by_target;
  }
  return report;
}

}  // namespace sluice::loadgen
