// sluice-loadgen: the project's own traffic tool for connection-rate and latency runs
// (BENCH.md B2, B3, B8). Loops of connect / request / response / close against one or
// more ADDR:PORT targets with a fixed concurrency, for a fixed time after a warm-up,
// bounded by a connection count as well; prints one JSON report.
//
//   sluice-loadgen --target 198.19.128.1:80 --concurrency 32 --warmup 1s --duration 5s
//   sluice-loadgen --target ... --rate 5000 --duration 10s      # paced: 5000 conn/s
//   sluice-loadgen --target A --target B --max-connections 200 --count-responses
//   sluice-loadgen --udp --target ...                           # one datagram each way
//   sluice-loadgen --cgroup /sys/fs/cgroup/sluice-e2e-ab12 ...  # under sluice's hooks
//
// Latency is from connect() (where sluice's socket hook translates) to the first byte
// of the answer. Exit status: 0 after a run (whatever failed: the report says), 1 when
// the run could not be set up, 2 on usage errors.
#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <future>
#include <iostream>
#include <thread>

#include "base/duration.h"
#include "report.h"
#include "worker.h"

namespace {

using sluice::loadgen::Clock;
using sluice::loadgen::Endpoint;
using sluice::loadgen::Options;
using sluice::loadgen::Protocol;

struct DurationValidator : public CLI::Validator {
  DurationValidator() {
    name_ = "DURATION";
    func_ = [](const std::string& text) {
      return sluice::ParseDuration(text) ? std::string() : "not a duration (e.g. 500ms, 5s): " + text;
    };
  }
};

// Moves this whole process into `dir` (cgroup v2): sockets made afterwards are under
// the hooks attached there.
bool JoinCgroup(const std::string& dir) {
  std::ofstream procs(dir + "/cgroup.procs");
  procs << getpid() << "\n";
  procs.flush();
  return static_cast<bool>(procs);
}

double Seconds(const timeval& tv) { return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6; }

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"sluice-loadgen: connect/request/response/close loops, JSON report"};
  app.get_formatter()->column_width(34);
  Options options;
  std::vector<std::string> target_texts;
  std::string warmup = "1s", duration = "5s", timeout = "2s", output;
  bool udp = false;
  app.add_option("--target", target_texts, "ADDR:PORT or [ADDR6]:PORT (repeatable: used in turn)")
      ->required();
  app.add_flag("--udp", udp, "one datagram request and one answer per socket instead of TCP");
  app.add_option("--threads", options.threads, "worker threads (one epoll loop each)")
      ->capture_default_str()
      ->check(CLI::Range(1u, 256u));
  app.add_option("--concurrency", options.concurrency, "connections in flight, all threads together")
      ->capture_default_str()
      ->check(CLI::Range(1u, 100000u));
  app.add_option("--rate", options.rate,
                 "connections started per second, all threads together (0: closed loop)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1e7));
  app.add_option("--warmup", warmup, "left out of every figure")->check(DurationValidator())->capture_default_str();
  app.add_option("--duration", duration, "measurement window after the warm-up")
      ->check(DurationValidator())
      ->capture_default_str();
  app.add_option("--max-connections", options.max_connections,
                 "stop starting connections after this many (warm-up included)")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 40));
  app.add_option("--timeout", timeout, "a connection that takes longer fails with ETIMEDOUT")
      ->check(DurationValidator())
      ->capture_default_str();
  app.add_option("--request", options.request, "what each connection sends")->capture_default_str();
  app.add_option("--cgroup", options.cgroup_dir, "join this cgroup v2 directory before the first socket")
      ->check(CLI::ExistingDirectory);
  app.add_flag("--count-responses", options.count_responses,
               "tally the first answer line per target (which backend answered)");
  app.add_flag("--histogram", options.histogram_buckets, "include the latency buckets in the report");
  app.add_option("--output", output, "write the JSON report here instead of stdout");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  for (const std::string& text : target_texts) {
    auto endpoint = Endpoint::Parse(text);
    if (!endpoint) {
      std::cerr << "sluice-loadgen: --target: not ADDR:PORT or [ADDR6]:PORT: " << text << "\n";
      return 2;
    }
    options.targets.push_back(*endpoint);
  }
  options.protocol = udp ? Protocol::kUdp : Protocol::kTcp;
  options.warmup = *sluice::ParseDuration(warmup);
  options.duration = *sluice::ParseDuration(duration);
  options.timeout = *sluice::ParseDuration(timeout);
  options.threads = std::min(options.threads, options.concurrency);
  if (options.duration <= std::chrono::nanoseconds::zero() || options.duration > std::chrono::hours(1) ||
      options.warmup > std::chrono::hours(1)) {
    std::cerr << "sluice-loadgen: --duration must be in (0, 1h], --warmup at most 1h\n";
    return 2;
  }
  if (!options.cgroup_dir.empty() && !JoinCgroup(options.cgroup_dir)) {
    std::cerr << "sluice-loadgen: cannot join cgroup " << options.cgroup_dir << "\n";
    return 1;
  }

  std::atomic<uint64_t> started{0};
  sluice::loadgen::Schedule schedule;
  schedule.start = Clock::now() + std::chrono::milliseconds(5);  // every thread is up by then
  schedule.warmup_end = schedule.start + std::chrono::duration_cast<Clock::duration>(options.warmup);
  schedule.deadline = schedule.warmup_end + std::chrono::duration_cast<Clock::duration>(options.duration);
  schedule.started = &started;

  std::vector<std::future<sluice::loadgen::WorkerResult>> futures;
  for (unsigned i = 0; i < options.threads; ++i) {
    futures.push_back(std::async(std::launch::async, [&options, &schedule, i] {
      std::this_thread::sleep_until(schedule.start);
      return sluice::loadgen::RunWorker(options, schedule, i, options.threads);
    }));
  }
  std::vector<sluice::loadgen::WorkerResult> results;
  try {
    for (auto& future : futures) results.push_back(future.get());
  } catch (const std::exception& e) {
    std::cerr << "sluice-loadgen: " << e.what() << "\n";
    return 1;
  }
  sluice::loadgen::RunTimes times{schedule.start, schedule.warmup_end, schedule.warmup_end};
  for (const auto& result : results) times.end = std::max(times.end, result.finished);

  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const nlohmann::json report =
      sluice::loadgen::BuildReport(options, results, times, Seconds(usage.ru_utime), Seconds(usage.ru_stime));
  if (output.empty()) {
    std::cout << report.dump(2) << "\n";
  } else {
    std::ofstream out(output, std::ios::trunc);
    out << report.dump(2) << "\n";
    if (!out) {
      std::cerr << "sluice-loadgen: cannot write " << output << "\n";
      return 1;
    }
  }
  return 0;
}
