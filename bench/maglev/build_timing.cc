#include "build_timing.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>

#include "bench_backends.h"
#include "maglev/maglev.h"

namespace sluice::maglev::bench {
namespace {

std::string BenchmarkName(const TableShape& shape) {
  return "BuildTable/N:" + std::to_string(shape.first) + "/M:" + std::to_string(shape.second);
}

// Keeps each repetition's time per build; prints only the aggregates (mean, median,
// stddev, cv), as the table that follows says the rest.
class KeepingReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    std::vector<Run> aggregates;
    for (const Run& run : runs) {
      if (run.run_type == Run::RT_Aggregate) {
        aggregates.push_back(run);
      } else if (!run.error_occurred) {
        Samples& samples = samples_[run.run_name.function_name];
        samples.cpu.push_back(run.GetAdjustedCPUTime());
        samples.wall.push_back(run.GetAdjustedRealTime());
      }
    }
    if (!aggregates.empty()) ConsoleReporter::ReportRuns(aggregates);
  }
  struct Samples {
    std::vector<double> cpu, wall;
  };
  const std::map<std::string, Samples>& samples() const { return samples_; }

 private:
  std::map<std::string, Samples> samples_;
};

double Percentile(const std::vector<double>& sorted, double p) {
  const double rank = p * (sorted.size() - 1);
  const size_t low = static_cast<size_t>(std::floor(rank));
  const size_t high = std::min(low + 1, sorted.size() - 1);
  return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
}

TimeSpread Spread(std::vector<double> samples) {
  if (samples.empty()) return {};
  std::sort(samples.begin(), samples.end());
  return {.median_us = Percentile(samples, 0.5),
          .p10_us = Percentile(samples, 0.1),
          .p90_us = Percentile(samples, 0.9),
          .min_us = samples.front(),
          .max_us = samples.back()};
}

}  // namespace

std::map<TableShape, BuildTiming> TimeBuilds(const std::vector<TableShape>& shapes,
                                             const TimingOptions& options, int* argc, char** argv) {
  for (const TableShape& shape : shapes) {
    benchmark::RegisterBenchmark(
        BenchmarkName(shape).c_str(),
        [backends = MakeBackends(shape.first), size = shape.second](benchmark::State& state) {
          for (auto _ : state) {
            std::vector<uint32_t> table = BuildTable(backends, size);
            benchmark::DoNotOptimize(table.data());
            benchmark::ClobberMemory();
          }
        })
        ->Unit(benchmark::kMicrosecond)
        ->Repetitions(static_cast<int>(options.repetitions))
        ->MinTime(options.min_seconds_per_repetition)
        ->ReportAggregatesOnly(false);
  }
  benchmark::Initialize(argc, argv);
  KeepingReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();

  std::map<TableShape, BuildTiming> timings;
  for (const TableShape& shape : shapes) {
    const auto it = reporter.samples().find(BenchmarkName(shape));
    if (it == reporter.samples().end()) continue;
    timings[shape] = {.repetitions = static_cast<uint32_t>(it->second.cpu.size()),
                      .cpu = Spread(it->second.cpu),
                      .wall = Spread(it->second.wall)};
  }
  return timings;
}

}  // namespace sluice::maglev::bench
