#include "loadgen_runner.h"

#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace sluice::bench {

LoadRun::LoadRun(ModeEnv& env, const ServiceSet& set, const LoadSpec& spec, const std::string& loadgen_path,
                 const std::string& log_name)
    : output_(env.topology().LogPath(log_name + ".json")), length_(spec.warmup + spec.duration) {
  std::filesystem::remove(output_);
  std::vector<std::string> argv = env.PriorityPrefix();
  argv.insert(argv.end(),
              {loadgen_path, "--threads", std::to_string(spec.threads), "--concurrency",
               std::to_string(spec.concurrency), "--rate", std::to_string(spec.rate), "--warmup",
               std::to_string(spec.warmup.count()) + "ms", "--duration", std::to_string(spec.duration.count()) + "ms",
               "--max-connections", std::to_string(spec.max_connections), "--output", output_});
  for (const std::string& target : env.Targets(set)) argv.insert(argv.end(), {"--target", target});
  if (!env.client_cgroup().empty()) argv.insert(argv.end(), {"--cgroup", env.client_cgroup()});
  process_ = std::make_unique<e2e::Process>(env.client_netns(), argv, env.topology().LogPath(log_name));
}

LoadResult LoadRun::Wait() {
  const auto status = process_->Wait(length_ + std::chrono::seconds(30));
  if (!status || *status != 0) {
    const std::string err = process_->Stderr();
    process_->Stop();
    throw std::runtime_error("sluice-loadgen " + std::string(status ? "failed" : "did not finish") + " (" +
                             process_->Describe() + "): " + err);
  }
  std::ifstream in(output_);
  LoadResult result;
  result.report = nlohmann::json::parse(in);
  result.rate = result.report.at("rate_per_s").get<double>();
  result.succeeded = result.report.at("succeeded").get<uint64_t>();
  result.failed = result.report.at("failed").get<uint64_t>();
  const auto& latency = result.report.at("latency_us");
  result.p50_us = latency.at("p50").get<double>();
  result.p90_us = latency.at("p90").get<double>();
  result.p99_us = latency.at("p99").get<double>();
  result.p999_us = latency.at("p99.9").get<double>();
  result.max_us = latency.at("max").get<double>();
  return result;
}

LoadResult RunLoad(ModeEnv& env, const ServiceSet& set, const LoadSpec& spec, const std::string& loadgen_path,
                   const std::string& log_name) {
  LoadRun run(env, set, spec, loadgen_path, log_name);
  return run.Wait();
}

}  // namespace sluice::bench
