// sluice-service-rate: the drivers of BENCH.md's B2 and B3 (`rate`) and B8 (`cpu`).
// bench/service_rate/run.sh builds and runs it; see there for the usual commands.
//
//   sluice-service-rate rate --quick                 # N = 1, 1k, 10k; a few minutes
//   sluice-service-rate rate --full                  # N = 1 ... 100k
//   sluice-service-rate rate --services 1,30000 --modes direct,iptables,sluice --runs 5
//   sluice-service-rate cpu --quick                  # B8: 5k conn/s, 10k Services
//
// Internal subcommands (the driver runs itself in a mode's namespace):
//   check --expect FILE [--cgroup DIR]    the functional check, as functional_check.h says
//   flush-conntrack                       empty this namespace's conntrack table
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "conntrack_flush.h"
#include "cpu_bench.h"
#include "functional_check.h"
#include "rate_bench.h"

namespace {

using namespace sluice::bench;
using std::chrono::milliseconds;

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');)
    if (!item.empty()) items.push_back(item);
  return items;
}

std::vector<size_t> ParseCounts(const std::string& text) {
  std::vector<size_t> counts;
  for (const std::string& item : SplitList(text)) {
    std::string digits = item;
    size_t scale = 1;
    if (!digits.empty() && (digits.back() == 'k' || digits.back() == 'K')) {
      scale = 1000;
      digits.pop_back();
    }
    counts.push_back(std::stoul(digits) * scale);
  }
  return counts;
}

std::string SelfPath() {
  std::error_code error;
  const auto path = std::filesystem::read_symlink("/proc/self/exe", error);
  return error ? "/proc/self/exe" : path.string();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"sluice-service-rate: B2/B3 (rate) and B8 (cpu) of BENCH.md"};
  app.require_subcommand(1);
  app.get_formatter()->column_width(36);

  BenchCommon common;
  common.loadgen_path = SLUICE_LOADGEN_PATH;
  common.self_path = SelfPath();
  common.env.loadgen_echo_path = SLUICE_LOADGEN_ECHO_PATH;
  common.env.agent_path = SLUICE_AGENT_PATH;
  common.out_dir = SLUICE_SOURCE_DIR "/bench/results";
  std::string modes = "direct,iptables,nftables,sluice";
  bool quick = false, full = false;
  int runs = 0;
  auto add_common = [&](CLI::App* sub) {
    sub->add_flag("--quick", quick, "short runs (the default)");
    sub->add_flag("--full", full, "every N, longer runs, more rounds");
    sub->add_option("--modes", modes, "comma-separated: direct, iptables (legacy), iptables-nft, nftables, sluice")
        ->capture_default_str();
    sub->add_option("--runs", runs, "rounds (each mode once per round); default 3 quick, 5 full");
    sub->add_option("--out-dir", common.out_dir, "where B*.csv/json/png go")->capture_default_str();
    sub->add_option("--command", common.command, "the command line to record (run.sh passes its own)");
    sub->add_option("--tree", common.tree, "source tree version to record");
    sub->add_option("--priority", common.env.priority,
                    "scheduling of client, servers and agent: fifo (SCHED_FIFO), nice (-20) or none")
        ->check(CLI::IsMember({"fifo", "nice", "none"}))
        ->capture_default_str();
    sub->add_option("--check-sample", common.check_sample, "Services the functional check tries")
        ->capture_default_str();
    sub->add_option("--flush-conntrack", common.flush_conntrack,
                    "empty the conntrack table of iptables/nftables modes before every run")
        ->capture_default_str();
  };

  // --- rate: B2 + B3 ---
  CLI::App* rate = app.add_subcommand("rate", "B2 connection rate and B3 latency vs number of Services");
  add_common(rate);
  std::string counts_text;
  unsigned threads = 2, concurrency = 16;
  int rate_ms = 0, latency_ms = 0;
  rate->add_option("--services", counts_text, "N values, e.g. 1,1k,10k (default by --quick/--full)");
  rate->add_option("--threads", threads, "client threads of the rate run")->capture_default_str();
  rate->add_option("--concurrency", concurrency, "connections in flight in the rate run")->capture_default_str();
  rate->add_option("--rate-ms", rate_ms, "rate run window (ms; default 2000 quick, 4000 full)");
  rate->add_option("--latency-ms", latency_ms, "latency run window (ms; default 1500 quick, 3000 full)");

  // --- cpu: B8 ---
  CLI::App* cpu = app.add_subcommand("cpu", "B8 CPU per connection at a fixed rate");
  add_common(cpu);
  size_t cpu_services = 10000;
  double cpu_rate = 5000;
  int cpu_ms = 0;
  cpu->add_option("--services", cpu_services, "Services loaded")->capture_default_str();
  cpu->add_option("--rate", cpu_rate, "offered connections per second")->capture_default_str();
  cpu->add_option("--window-ms", cpu_ms, "measurement window (ms; default 5000 quick, 10000 full)");

  // --- internal ---
  CLI::App* check = app.add_subcommand("check", "(internal) the functional check from this namespace");
  std::string expect_file, cgroup;
  check->add_option("--expect", expect_file)->required();
  check->add_option("--cgroup", cgroup);
  CLI::App* flush = app.add_subcommand("flush-conntrack", "(internal) empty this namespace's conntrack table");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  if (check->parsed()) return CheckMain(expect_file, cgroup);
  if (flush->parsed()) {
    const std::string error = FlushConntrack();
    if (!error.empty()) std::cerr << error << "\n";
    return error.empty() ? 0 : 1;
  }
  if (getuid() != 0) {
    std::cerr << "sluice-service-rate: needs root (network namespaces, cgroups, BPF); skipped\n";
    return 77;
  }
  common.modes = SplitList(modes);
  for (const std::string& mode : common.modes) {
    const auto& known = KnownModes();
    if (std::find(known.begin(), known.end(), mode) == known.end()) {
      std::cerr << "sluice-service-rate: unknown mode " << mode << "\n";
      return 2;
    }
  }
  common.runs = runs > 0 ? runs : (full ? 5 : 3);
  if (common.command.empty()) {
    for (int i = 0; i < argc; ++i) common.command += (i ? " " : "") + std::string(argv[i]);
  }
  std::filesystem::create_directories(common.out_dir);

  try {
    if (rate->parsed()) {
      RateBenchOptions o;
      o.common = common;
      o.counts = ParseCounts(counts_text.empty() ? (full ? "1,1k,10k,30k,100k" : "1,1k,10k") : counts_text);
      o.rate = {.threads = threads,
                .concurrency = concurrency,
                .rate = 0,
                .warmup = milliseconds(full ? 1000 : 500),
                .duration = milliseconds(rate_ms > 0 ? rate_ms : (full ? 4000 : 2000))};
      o.latency = {.threads = 1,
                   .concurrency = 1,
                   .rate = 0,
                   .warmup = milliseconds(200),
                   .duration = milliseconds(latency_ms > 0 ? latency_ms : (full ? 3000 : 1500))};
      return RunRateBench(o);
    }
    CpuBenchOptions o;
    o.common = common;
    o.services = cpu_services;
    o.load = {.threads = 2,
              .concurrency = 64,
              .rate = cpu_rate,
              .warmup = milliseconds(1000),
              .duration = milliseconds(cpu_ms > 0 ? cpu_ms : (full ? 10000 : 5000))};
    return RunCpuBench(o);
  } catch (const std::exception& e) {
    std::cerr << "sluice-service-rate: " << e.what() << "\n";
    return 1;
  }
}
