#include "rate_bench.h"

#include <cstdio>
#include <algorithm>
#include <iostream>
#include <map>
#include <sstream>

#include "conntrack_flush.h"
#include "e2e/harness/command.h"
#include "functional_check.h"
#include "machine.h"
#include "report_files.h"
#include "service_set.h"
#include "stats.h"

namespace sluice::bench {
namespace {

struct RoundResult {
  size_t services = 0;
  std::string mode;
  int round = 0;
  LoadResult rate;
  LoadResult latency;
};

struct Setup {
  size_t services = 0;
  std::string mode;
  InstallReport install;
  CheckOutcome check;
};

// A mode's runs at one N, and the per-round ratios against the other modes.
struct Collected {
  std::vector<Setup> setups;
  std::vector<RoundResult> rounds;
};

std::vector<double> Field(const std::vector<RoundResult>& rounds, size_t n, const std::string& mode,
                          double (*get)(const RoundResult&)) {
  std::vector<double> values;
  for (const RoundResult& r : rounds)
    if (r.services == n && r.mode == mode) values.push_back(get(r));
  return values;
}

double RateOf(const RoundResult& r) { return r.rate.rate; }
double P50Of(const RoundResult& r) { return r.latency.p50_us; }
double P99Of(const RoundResult& r) { return r.latency.p99_us; }

// get(a)/get(b) for every round in which both modes ran at N.
std::vector<double> RoundRatios(const std::vector<RoundResult>& rounds, size_t n, const std::string& a,
                                const std::string& b, double (*get)(const RoundResult&)) {
  std::map<int, double> of_a, of_b;
  for (const RoundResult& r : rounds) {
    if (r.services != n) continue;
    if (r.mode == a) of_a[r.round] = get(r);
    if (r.mode == b) of_b[r.round] = get(r);
  }
  std::vector<double> ratios;
  for (const auto& [round, value] : of_a)
    if (of_b.contains(round) && of_b[round] > 0) ratios.push_back(value / of_b[round]);
  return ratios;
}

bool Has(const std::vector<std::string>& modes, const std::string& mode) {
  return std::find(modes.begin(), modes.end(), mode) != modes.end();
}

std::vector<size_t> CountsSeen(const Collected& c) {
  std::vector<size_t> counts;
  for (const Setup& s : c.setups)
    if (std::find(counts.begin(), counts.end(), s.services) == counts.end()) counts.push_back(s.services);
  return counts;
}

// The ratios the bars are about, by name: "sluice/direct" and so on.
std::vector<std::pair<std::string, std::string>> RatioPairs(const std::vector<std::string>& modes) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const auto& [a, b] : std::vector<std::pair<std::string, std::string>>{{"sluice", "direct"},
                                                                             {"sluice", "iptables"},
                                                                             {"sluice", "iptables-nft"},
                                                                             {"sluice", "nftables"},
                                                                             {"iptables", "direct"},
                                                                             {"iptables-nft", "direct"},
                                                                             {"nftables", "direct"}})
    if (Has(modes, a) && Has(modes, b)) pairs.emplace_back(a, b);
  return pairs;
}

nlohmann::json Header(const RateBenchOptions& o, const char* id, const char* what) {
  std::vector<nlohmann::json> counts(o.counts.begin(), o.counts.end());
  return {{"benchmark", id},
          {"what", what},
          {"machine", DescribeMachine()},
          {"command", o.common.command},
          {"tree", o.common.tree},
          {"parameters",
           {{"services", counts},
            {"modes", o.common.modes},
            {"runs", o.common.runs},
            {"backends_per_service", 2},
            {"target", "the last Service (last jump in KUBE-SERVICES)"},
            {"client", "a Pod namespace (198.18.<B+1>.2, in the cluster CIDR) routed through the node namespace; in the run's cgroup for sluice"},
            {"priority", o.common.env.priority},
            {"rate_run",
             {{"threads", o.rate.threads},
              {"concurrency", o.rate.concurrency},
              {"warmup_ms", o.rate.warmup.count()},
              {"duration_ms", o.rate.duration.count()}}},
            {"latency_run",
             {{"threads", o.latency.threads},
              {"concurrency", o.latency.concurrency},
              {"warmup_ms", o.latency.warmup.count()},
              {"duration_ms", o.latency.duration.count()}}}}}};
}

void WriteResults(const RateBenchOptions& o, const Collected& c) {
  const std::vector<size_t> counts = CountsSeen(c);
  const auto& modes = o.common.modes;
  const std::string dir = o.common.out_dir;

  // --- CSV: one line per run ---
  std::ostringstream b2csv, b3csv;
  b2csv << "services,mode,round,rate_per_s,succeeded,failed,rate_run_p50_us,rate_run_p99_us\n";
  b3csv << "services,mode,round,p50_us,p90_us,p99_us,p999_us,max_us,connections,failed\n";
  for (const RoundResult& r : c.rounds) {
    b2csv << r.services << "," << r.mode << "," << r.round << "," << r.rate.rate << "," << r.rate.succeeded << ","
          << r.rate.failed << "," << r.rate.p50_us << "," << r.rate.p99_us << "\n";
    b3csv << r.services << "," << r.mode << "," << r.round << "," << r.latency.p50_us << "," << r.latency.p90_us
          << "," << r.latency.p99_us << "," << r.latency.p999_us << "," << r.latency.max_us << ","
          << r.latency.succeeded << "," << r.latency.failed << "\n";
  }
  WriteFile(dir + "/B2.csv", b2csv.str());
  WriteFile(dir + "/B3.csv", b3csv.str());

  // --- JSON: summaries, side-by-side ratios, setup and checks, raw reports ---
  nlohmann::json b2 = Header(o, "B2", "TCP connections per second through a ClusterIP vs number of Services");
  nlohmann::json b3 = Header(o, "B3", "connect() to first answer byte, one connection at a time, vs number of Services");
  nlohmann::json setups = nlohmann::json::array();
  for (const Setup& s : c.setups) {
    setups.push_back({{"services", s.services},
                      {"mode", s.mode},
                      {"program_s", s.install.seconds},
                      {"program", s.install.detail},
                      {"check_ok", s.check.ok},
                      {"check", s.check.summary}});
  }
  b2["setup"] = setups;
  b3["setup"] = setups;
  nlohmann::json rate_results, rate_ratios, lat_results, lat_ratios;
  for (size_t n : counts) {
    const std::string key = std::to_string(n);
    for (const std::string& mode : modes) {
      rate_results[key][mode] = Summarize(Field(c.rounds, n, mode, RateOf)).Json();
      lat_results[key][mode] = {{"p50_us", Summarize(Field(c.rounds, n, mode, P50Of)).Json()},
                                {"p99_us", Summarize(Field(c.rounds, n, mode, P99Of)).Json()}};
    }
    for (const auto& [a, b] : RatioPairs(modes)) {
      rate_ratios[key][a + "/" + b] = Summarize(RoundRatios(c.rounds, n, a, b, RateOf)).Json();
      lat_ratios[key][a + "/" + b + " p99"] = Summarize(RoundRatios(c.rounds, n, a, b, P99Of)).Json();
    }
  }
  b2["results_conn_per_s"] = rate_results;
  b2["ratios_side_by_side"] = rate_ratios;
  b3["results"] = lat_results;
  b3["ratios_side_by_side"] = lat_ratios;

  // The bars (BENCH.md).
  nlohmann::json b2_bars, b3_bars;
  if (Has(modes, "sluice") && Has(modes, "direct")) {
    bool all = !counts.empty();
    for (size_t n : counts) {
      const Summary s = Summarize(RoundRatios(c.rounds, n, "sluice", "direct", RateOf));
      b2_bars["sluice/direct >= 0.95"][std::to_string(n)] = s.median;
      all = all && s.median >= 0.95;
    }
    b2_bars["sluice/direct >= 0.95 at every N holds"] = all;
  }
  if (Has(modes, "sluice") && Has(modes, "iptables") && std::find(counts.begin(), counts.end(), 30000) != counts.end()) {
    const Summary s = Summarize(RoundRatios(c.rounds, 30000, "sluice", "iptables", RateOf));
    b2_bars["sluice/iptables at 30k >= 3.5"] = s.median;
    b2_bars["sluice/iptables at 30k >= 3.5 holds"] = s.median >= 3.5;
  }
  if (Has(modes, "sluice") && !counts.empty() && counts.front() == 1) {
    const double base = Summarize(Field(c.rounds, 1, "sluice", P99Of)).median;
    for (size_t n : counts) {
      const double p99 = Summarize(Field(c.rounds, n, "sluice", P99Of)).median;
      b3_bars["sluice p99(N)/p99(1)"][std::to_string(n)] = base > 0 ? p99 / base : 0;
    }
    if (counts.back() == 100000) {
      const double p99 = Summarize(Field(c.rounds, 100000, "sluice", P99Of)).median;
      b3_bars["sluice p99 at 100k <= 1.1 x p99 at 1 holds"] = base > 0 && p99 <= 1.1 * base;
    }
  }
  b2["bars"] = b2_bars;
  b3["bars"] = b3_bars;
  nlohmann::json raw = nlohmann::json::array();
  for (const RoundResult& r : c.rounds)
    raw.push_back({{"services", r.services}, {"mode", r.mode}, {"round", r.round}, {"rate_run", r.rate.report},
                   {"latency_run", r.latency.report}});
  b2["runs"] = raw;
  WriteFile(dir + "/B2.json", b2.dump(2) + "\n");
  WriteFile(dir + "/B3.json", b3.dump(2) + "\n");

  // --- plots ---
  std::vector<Series> rate_series, p99_series;
  for (const std::string& mode : modes) {
    Series rate{mode, {}, {}}, p99{mode + " p99", {}, {}};
    for (size_t n : counts) {
      rate.x.push_back(static_cast<double>(n));
      rate.y.push_back(Summarize(Field(c.rounds, n, mode, RateOf)));
      p99.x.push_back(static_cast<double>(n));
      p99.y.push_back(Summarize(Field(c.rounds, n, mode, P99Of)));
    }
    rate_series.push_back(rate);
    p99_series.push_back(p99);
  }
  const std::string machine = DescribeMachine().value("cpu_model", "") + ", " +
                              std::to_string(DescribeMachine().value("cores", 0)) + " cores";
  std::string error = PlotSeries(dir + "/B2.png", "B2: TCP connections/s through a ClusterIP (target Service last; " + machine + ")",
                                 "Services", "connections per second (median, min-max)", rate_series, false);
  if (error.empty())
    error = PlotSeries(dir + "/B3.png", "B3: connect + first answer, p99, one connection at a time (" + machine + ")",
                       "Services", "p99 latency, microseconds (median, min-max)", p99_series, true);
  if (!error.empty()) std::cerr << "service_rate: no plot: " << error << "\n";
}

void PrintTables(const RateBenchOptions& o, const Collected& c) {
  const auto& modes = o.common.modes;
  std::printf("\nB2: connections/s, median [min-max] of %d runs\n%-8s", o.common.runs, "services");
  for (const auto& mode : modes) std::printf(" %24s", mode.c_str());
  for (const auto& [a, b] : RatioPairs(modes)) std::printf(" %22s", (a + "/" + b).c_str());
  std::printf("\n");
  for (size_t n : CountsSeen(c)) {
    std::printf("%-8zu", n);
    for (const auto& mode : modes) std::printf(" %24s", Summarize(Field(c.rounds, n, mode, RateOf)).Text().c_str());
    for (const auto& [a, b] : RatioPairs(modes))
      std::printf(" %22s", Summarize(RoundRatios(c.rounds, n, a, b, RateOf)).Text(2).c_str());
    std::printf("\n");
  }
  std::printf("\nB3: connect + first answer, one at a time, microseconds: p50 / p99, median [min-max] of %d runs\n",
              o.common.runs);
  std::printf("%-8s %-13s %26s %26s\n", "services", "mode", "p50", "p99");
  for (size_t n : CountsSeen(c)) {
    for (const auto& mode : modes) {
      std::printf("%-8zu %-13s %26s %26s\n", n, mode.c_str(), Summarize(Field(c.rounds, n, mode, P50Of)).Text(1).c_str(),
                  Summarize(Field(c.rounds, n, mode, P99Of)).Text(1).c_str());
    }
  }
  std::printf("\nprogramming time (s) and functional check\n");
  for (const Setup& s : c.setups)
    std::printf("%-8zu %-13s %8.2f s  %s | check: %s\n", s.services, s.mode.c_str(), s.install.seconds,
                s.install.detail.c_str(), s.check.summary.substr(0, s.check.summary.find('\n')).c_str());
  std::fflush(stdout);
}

void FlushIfTracked(ModeEnv& env, const BenchCommon& common) {
  if (!env.uses_conntrack() || !common.flush_conntrack) return;
  const std::string& self = common.self_path;
  const e2e::CommandResult r = e2e::RunCommand({self, "flush-conntrack"}, std::chrono::seconds(60), env.node_netns());
  if (r.exit_status != 0) std::cerr << "service_rate: " << env.name() << ": conntrack flush failed: " << r.err << "\n";
}

}  // namespace

int RunRateBench(const RateBenchOptions& o) {
  std::vector<std::unique_ptr<ModeEnv>> envs;
  for (const std::string& mode : o.common.modes) {
    std::cerr << "service_rate: bringing up " << mode << "\n";
    envs.push_back(MakeModeEnv(mode, o.common.env));
  }
  Collected collected;
  for (size_t n : o.counts) {
    std::cerr << "service_rate: N=" << n << ": generating Services\n";
    const ServiceSet set = BuildServiceSet({.services = n, .backends = o.common.env.backends,
                                            .backend_port = o.common.env.backend_port});
    std::vector<Setup> setups;
    for (auto& env : envs) {
      std::cerr << "service_rate: N=" << n << ": programming " << env->name() << "\n";
      Setup s{n, env->name(), env->Install(set), {}};
      s.check = RunFunctionalCheck(*env, set, o.common.self_path, o.common.check_sample);
      std::cerr << "service_rate: N=" << n << ": " << env->name() << " programmed in " << s.install.seconds
                << " s; check: " << s.check.summary << "\n";
      collected.setups.push_back(s);
      if (!s.check.ok) {
        std::cerr << "service_rate: " << env->name() << " failed the functional check at N=" << n
                  << ": no figures taken\n";
        WriteResults(o, collected);
        return 1;
      }
    }
    for (int round = 0; round < o.common.runs; ++round) {
      for (size_t k = 0; k < envs.size(); ++k) {
        ModeEnv& env = *envs[(k + static_cast<size_t>(round)) % envs.size()];
        const std::string tag = std::to_string(n) + "-" + std::to_string(round);
        RoundResult r{n, env.name(), round, {}, {}};
        FlushIfTracked(env, o.common);
        r.rate = RunLoad(env, set, o.rate, o.common.loadgen_path, "rate-" + tag);
        FlushIfTracked(env, o.common);
        r.latency = RunLoad(env, set, o.latency, o.common.loadgen_path, "latency-" + tag);
        std::cerr << "service_rate: N=" << n << " round " << round << " " << env.name() << ": " << r.rate.rate
                  << " conn/s (" << r.rate.failed << " failed), one at a time p50 " << r.latency.p50_us << " us p99 "
                  << r.latency.p99_us << " us\n";
        collected.rounds.push_back(std::move(r));
      }
    }
    for (auto& env : envs) env->Uninstall();
    WriteResults(o, collected);
  }
  PrintTables(o, collected);
  return 0;
}

}  // namespace sluice::bench
