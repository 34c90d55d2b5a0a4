#include "cpu_bench.h"

#include <cstdio>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>

#include "cpu_meter.h"
#include "e2e/harness/command.h"
#include "functional_check.h"
#include "machine.h"
#include "report_files.h"
#include "stats.h"

namespace sluice::bench {
namespace {

struct Sample {
  double client = 0, servers = 0, agent = 0, ksoftirqd = 0;
  SystemCpu system;
};

struct CpuRun {
  std::string mode;
  int round = 0;
  LoadResult load;
  double client = 0, servers = 0, agent = 0, ksoftirqd = 0, softirq = 0, busy = 0;

  // BENCH.md's measure: the client (softirq work it triggers runs in it), the agent,
  // and softirq deferred to ksoftirqd. The servers' time is kept apart: it is the same
  // in every mode and would only dilute the difference.
  double total() const { return client + agent + ksoftirqd; }
  double total_with_servers() const { return total() + servers; }
  double us_per_conn() const { return PerConnOf(total()); }
  double us_per_conn_with_servers() const { return PerConnOf(total_with_servers()); }
  double PerConnOf(double seconds) const {
    return load.succeeded ? seconds * 1e6 / static_cast<double>(load.succeeded) : 0;
  }
};

Sample Take(pid_t client, ModeEnv& env, const std::vector<pid_t>& ksoftirqd) {
  Sample s;
  s.client = ProcessCpuSeconds(client);
  s.servers = SumCpuSeconds(env.ServerPids());
  s.agent = SumCpuSeconds(env.ControlPlanePids());
  s.ksoftirqd = SumCpuSeconds(ksoftirqd);
  s.system = ReadSystemCpu();
  return s;
}

std::vector<double> Of(const std::vector<CpuRun>& runs, const std::string& mode, double (*get)(const CpuRun&)) {
  std::vector<double> values;
  for (const CpuRun& r : runs)
    if (r.mode == mode) values.push_back(get(r));
  return values;
}

double UsPerConn(const CpuRun& r) { return r.us_per_conn(); }
double PerConn(double seconds, const CpuRun& r) {
  return r.load.succeeded ? seconds * 1e6 / static_cast<double>(r.load.succeeded) : 0;
}

// Per round, f(a's run, b's run, direct's run) for the rounds that have them.
std::vector<double> PerRound(const std::vector<CpuRun>& runs, const std::string& a, const std::string& b,
                             double (*f)(const CpuRun&, const CpuRun&, const CpuRun*)) {
  std::map<int, const CpuRun*> of_a, of_b, of_direct;
  for (const CpuRun& r : runs) {
    if (r.mode == a) of_a[r.round] = &r;
    if (r.mode == b) of_b[r.round] = &r;
    if (r.mode == "direct") of_direct[r.round] = &r;
  }
  std::vector<double> values;
  for (const auto& [round, ra] : of_a) {
    if (!of_b.contains(round)) continue;
    const CpuRun* direct = of_direct.contains(round) ? of_direct[round] : nullptr;
    values.push_back(f(*ra, *of_b[round], direct));
  }
  return values;
}

double Ratio(const CpuRun& a, const CpuRun& b, const CpuRun*) {
  return b.us_per_conn() > 0 ? a.us_per_conn() / b.us_per_conn() : 0;
}
double RatioWithServers(const CpuRun& a, const CpuRun& b, const CpuRun*) {
  return b.us_per_conn_with_servers() > 0 ? a.us_per_conn_with_servers() / b.us_per_conn_with_servers() : 0;
}
// What the load balancer adds over no load balancer at all, as a ratio of the two
// modes' additions (needs direct in the same round).
double OverheadRatio(const CpuRun& a, const CpuRun& b, const CpuRun* direct) {
  if (!direct) return 0;
  const double over_b = b.us_per_conn() - direct->us_per_conn();
  return over_b > 0 ? (a.us_per_conn() - direct->us_per_conn()) / over_b : 0;
}

}  // namespace

int RunCpuBench(const CpuBenchOptions& o) {
  const auto& modes = o.common.modes;
  std::vector<std::unique_ptr<ModeEnv>> envs;
  for (const std::string& mode : modes) {
    std::cerr << "service_rate cpu: bringing up " << mode << "\n";
    envs.push_back(MakeModeEnv(mode, o.common.env));
  }
  const ServiceSet set = BuildServiceSet({.services = o.services, .backends = o.common.env.backends,
                                          .backend_port = o.common.env.backend_port});
  nlohmann::json setups = nlohmann::json::array();
  for (auto& env : envs) {
    const InstallReport install = env->Install(set);
    const CheckOutcome check = RunFunctionalCheck(*env, set, o.common.self_path, o.common.check_sample);
    std::cerr << "service_rate cpu: " << env->name() << " programmed in " << install.seconds
              << " s; check: " << check.summary << "\n";
    setups.push_back({{"mode", env->name()}, {"program_s", install.seconds}, {"program", install.detail},
                      {"check_ok", check.ok}, {"check", check.summary}});
    if (!check.ok) {
      std::cerr << "service_rate cpu: " << env->name() << " failed the functional check: no figures taken\n";
      return 1;
    }
  }
  const std::vector<pid_t> ksoftirqd = KsoftirqdPids();
  std::vector<CpuRun> runs;
  for (int round = 0; round < o.common.runs; ++round) {
    for (size_t k = 0; k < envs.size(); ++k) {
      ModeEnv& env = *envs[(k + static_cast<size_t>(round)) % envs.size()];
      if (env.uses_conntrack())
        e2e::RunCommand({o.common.self_path, "flush-conntrack"}, std::chrono::seconds(60), env.node_netns());
      LoadRun run(env, set, o.load, o.common.loadgen_path, "cpu-" + std::to_string(round));
      // sluice-loadgen starts its clock 5 ms after it starts; the window follows the warm-up.
      std::this_thread::sleep_for(o.load.warmup + std::chrono::milliseconds(10));
      const Sample before = Take(run.pid(), env, ksoftirqd);
      std::this_thread::sleep_for(o.load.duration);
      const Sample after = Take(run.pid(), env, ksoftirqd);
      CpuRun r{env.name(), round, run.Wait()};
      r.client = after.client - before.client;
      r.servers = after.servers - before.servers;
      r.agent = after.agent - before.agent;
      r.ksoftirqd = after.ksoftirqd - before.ksoftirqd;
      r.softirq = after.system.softirq - before.system.softirq;
      r.busy = after.system.busy - before.system.busy;
      std::cerr << "service_rate cpu: round " << round << " " << env.name() << ": " << r.load.rate << " conn/s, "
                << r.us_per_conn() << " us CPU per connection\n";
      runs.push_back(r);
    }
  }

  std::ostringstream csv;
  csv << "mode,round,connections,rate_per_s,skipped,client_s,servers_s,agent_s,ksoftirqd_s,total_s,"
         "us_per_conn,us_per_conn_with_servers,proc_stat_softirq_s,proc_stat_busy_s\n";
  for (const CpuRun& r : runs)
    csv << r.mode << "," << r.round << "," << r.load.succeeded << "," << r.load.rate << ","
        << r.load.report.value("skipped", 0) << "," << r.client << "," << r.servers << "," << r.agent << ","
        << r.ksoftirqd << "," << r.total() << "," << r.us_per_conn() << "," << r.us_per_conn_with_servers() << ","
        << r.softirq << "," << r.busy << "\n";
  WriteFile(o.common.out_dir + "/B8.csv", csv.str());

  nlohmann::json results, ratios, bars;
  for (const std::string& mode : modes) {
    std::vector<CpuRun> mine;
    for (const CpuRun& r : runs)
      if (r.mode == mode) mine.push_back(r);
    auto per = [&](double CpuRun::*field) {
      std::vector<double> v;
      for (const CpuRun& r : mine) v.push_back(PerConn(r.*field, r));
      return Summarize(v).Json();
    };
    results[mode] = {{"us_per_conn", Summarize(Of(runs, mode, UsPerConn)).Json()},
                     {"us_per_conn_with_servers",
                      Summarize(Of(runs, mode, [](const CpuRun& r) { return r.us_per_conn_with_servers(); })).Json()},
                     {"client_us_per_conn", per(&CpuRun::client)},
                     {"servers_us_per_conn", per(&CpuRun::servers)},
                     {"agent_us_per_conn", per(&CpuRun::agent)},
                     {"ksoftirqd_us_per_conn", per(&CpuRun::ksoftirqd)},
                     {"proc_stat_softirq_us_per_conn", per(&CpuRun::softirq)},
                     {"proc_stat_busy_us_per_conn (whole machine, shared)", per(&CpuRun::busy)},
                     {"rate_per_s", Summarize(Of(runs, mode, [](const CpuRun& r) { return r.load.rate; })).Json()}};
  }
  for (const char* other : {"iptables", "iptables-nft", "nftables", "direct"}) {
    if (std::find(modes.begin(), modes.end(), "sluice") == modes.end() ||
        std::find(modes.begin(), modes.end(), std::string(other)) == modes.end())
      continue;
    ratios["sluice/" + std::string(other)] = Summarize(PerRound(runs, "sluice", other, Ratio)).Json();
    ratios["sluice/" + std::string(other) + " with servers"] =
        Summarize(PerRound(runs, "sluice", other, RatioWithServers)).Json();
    if (std::string(other) != "direct" && std::find(modes.begin(), modes.end(), "direct") != modes.end())
      ratios["sluice/" + std::string(other) + " of what each adds over direct"] =
          Summarize(PerRound(runs, "sluice", other, OverheadRatio)).Json();
  }
  if (ratios.contains("sluice/iptables")) {
    const double median = ratios["sluice/iptables"]["median"].get<double>();
    bars["sluice/iptables CPU per connection (client + agent + ksoftirqd) <= 1/3"] = median;
    bars["holds"] = median <= 1.0 / 3.0;
    bars["with servers"] = ratios["sluice/iptables with servers"]["median"];
  }
  nlohmann::json raw = nlohmann::json::array();
  for (const CpuRun& r : runs)
    raw.push_back({{"mode", r.mode}, {"round", r.round}, {"client_s", r.client}, {"servers_s", r.servers},
                   {"agent_s", r.agent}, {"ksoftirqd_s", r.ksoftirqd}, {"proc_stat_softirq_s", r.softirq},
                   {"proc_stat_busy_s", r.busy}, {"loadgen", r.load.report}});
  nlohmann::json b8 = {
      {"benchmark", "B8"},
      {"what", "CPU time per connection at a fixed offered rate through a ClusterIP with many Services loaded"},
      {"machine", DescribeMachine()},
      {"command", o.common.command},
      {"tree", o.common.tree},
      {"parameters",
       {{"services", o.services},
        {"rate_asked_per_s", o.load.rate},
        {"concurrency_cap", o.load.concurrency},
        {"warmup_ms", o.load.warmup.count()},
        {"duration_ms", o.load.duration.count()},
        {"runs", o.common.runs},
        {"modes", modes},
        {"priority", o.common.env.priority},
        {"cpu_accounting",
         "utime+stime of client, servers, agent and ksoftirqd (/proc/<pid>/stat); no IRQ time accounting in "
         "this kernel, so softirq is charged to the task it ran in and /proc/stat softirq overlaps: shown, not added"}}},
      {"setup", setups},
      {"results", results},
      {"ratios_side_by_side", ratios},
      {"bars", bars},
      {"runs", raw}};
  WriteFile(o.common.out_dir + "/B8.json", b8.dump(2) + "\n");

  std::printf("\nB8: CPU per connection at %.0f conn/s offered, %zu Services; microseconds, median [min-max] of %d runs\n",
              o.load.rate, o.services, o.common.runs);
  std::printf("%-13s %22s %20s %20s %20s %22s %20s %20s %20s\n", "mode", "client+agent+ksirq", "client", "agent",
              "ksoftirqd", "(+servers)", "servers", "(/proc/stat softirq)", "achieved conn/s");
  for (const std::string& mode : modes) {
    const auto& m = results[mode];
    auto text = [&](const char* key, int digits) {
      Summary s;
      s.median = m[key]["median"].get<double>();
      s.min = m[key]["min"].get<double>();
      s.max = m[key]["max"].get<double>();
      return s.Text(digits);
    };
    std::printf("%-13s %22s %20s %20s %20s %22s %20s %20s %20s\n", mode.c_str(), text("us_per_conn", 1).c_str(),
                text("client_us_per_conn", 1).c_str(), text("agent_us_per_conn", 2).c_str(),
                text("ksoftirqd_us_per_conn", 1).c_str(), text("us_per_conn_with_servers", 1).c_str(),
                text("servers_us_per_conn", 1).c_str(), text("proc_stat_softirq_us_per_conn", 1).c_str(),
                text("rate_per_s", 0).c_str());
  }
  for (const auto& [name, s] : ratios.items())
    std::printf("%s (side by side, per round): median %.3f [%.3f-%.3f]\n", name.c_str(), s["median"].get<double>(),
                s["min"].get<double>(), s["max"].get<double>());
  std::fflush(stdout);
  return 0;
}

}  // namespace sluice::bench
