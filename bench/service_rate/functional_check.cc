#include "functional_check.h"

#include <unistd.h>

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>

#include "bench/kubeproxy/reachability_check.h"
#include "e2e/harness/command.h"

namespace sluice::bench {
namespace {

// Indices of up to `sample` Services spread evenly over the set, the last included.
std::set<std::string> SampledFrontends(size_t services, size_t sample) {
  std::set<std::string> frontends = {FrontendOf(services - 1)};
  const size_t k = std::min(sample, services);
  for (size_t j = 0; j + 1 < k; ++j) frontends.insert(FrontendOf(j * (services - 1) / (k - 1)));
  return frontends;
}

}  // namespace

CheckOutcome RunFunctionalCheck(ModeEnv& env, const ServiceSet& set, const std::string& self, size_t sample) {
  std::vector<kubeproxy::FrontendExpectation> expected;
  if (env.name() == "direct") {
    for (const std::string& backend : set.target_backends)
      expected.push_back({"(no Service: the backend itself)", backend, model::Protocol::kTcp, {backend}});
  } else {
    kubeproxy::RulesetOptions options;
    options.node_name = "node1";
    const std::set<std::string> wanted = SampledFrontends(set.services.size(), sample);
    for (auto& e : kubeproxy::ExpectedClusterIpReachability(set.services, set.slices, options))
      if (wanted.contains(e.frontend)) expected.push_back(std::move(e));
    if (expected.size() != wanted.size())
      return {false, expected.size(), "expected " + std::to_string(wanted.size()) + " sampled frontends, found " +
                                           std::to_string(expected.size())};
  }
  nlohmann::json file = nlohmann::json::array();
  for (const auto& e : expected) {
    file.push_back({{"service", e.service},
                    {"frontend", e.frontend},
                    {"backends", std::vector<std::string>(e.backends.begin(), e.backends.end())}});
  }
  const std::string path = env.topology().work_dir() + "/check-expect.json";
  std::ofstream(path, std::ios::trunc) << file.dump();
  std::vector<std::string> argv = {self, "check", "--expect", path};
  if (!env.client_cgroup().empty()) argv.insert(argv.end(), {"--cgroup", env.client_cgroup()});
  const e2e::CommandResult result = e2e::RunCommand(argv, std::chrono::seconds(300), env.client_netns());
  std::string summary = result.out.empty() ? result.err : result.out;
  while (!summary.empty() && summary.back() == '\n') summary.pop_back();
  return {result.exit_status == 0, expected.size(), summary};
}

int CheckMain(const std::string& expect_file, const std::string& cgroup) {
  if (!cgroup.empty()) {
    std::ofstream procs(cgroup + "/cgroup.procs");
    procs << getpid() << "\n";
    procs.flush();
    if (!procs) {
      std::cerr << "check: cannot join cgroup " << cgroup << "\n";
      return 1;
    }
  }
  std::ifstream in(expect_file);
  const nlohmann::json file = nlohmann::json::parse(in);
  std::vector<kubeproxy::FrontendExpectation> expected;
  for (const auto& item : file) {
    kubeproxy::FrontendExpectation e;
    e.service = item.at("service").get<std::string>();
    e.frontend = item.at("frontend").get<std::string>();
    e.protocol = model::Protocol::kTcp;
    for (const auto& backend : item.at("backends")) e.backends.insert(backend.get<std::string>());
    expected.push_back(std::move(e));
  }
  const kubeproxy::ReachabilityReport report = kubeproxy::CheckReachability("", expected);
  std::cout << report.Summary() << "\n";
  return report.ok ? 0 : 1;
}

}  // namespace sluice::bench
