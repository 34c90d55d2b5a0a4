// B6: Maglev table build time at M = 65537 and at each table size sluice chooses, how
// evenly the slots spread, and how many move when 1, 1% and 10% of the backends go
// (or one comes), against the fewest that must. Prints a table; with --out-dir also
// writes B6.csv and B6.json there. Not a test: nothing fails because a machine is slow.
//
//   sluice_maglev_bench [--out-dir DIR] [--command TEXT] [--tree TEXT]
//                       [--repetitions N] [--min-time SECONDS] [--trials N]
//                       [Google Benchmark flags, e.g. --benchmark_filter=N:1000]
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "build_timing.h"
#include "maglev/table_size.h"
#include "report.h"
#include "table_quality.h"

namespace sluice::maglev::bench {
namespace {

struct Options {
  std::filesystem::path out_dir;
  std::string command;
  std::string tree = "unknown";
  TimingOptions timing;
  uint32_t trials = 5;
};

// Takes our flags out of argv and leaves the rest for Google Benchmark.
Options ParseOptions(int* argc, char** argv) {
  Options options;
  std::string command;
  for (int i = 0; i < *argc; ++i) command += (i ? " " : "") + std::string(argv[i]);
  int kept = 1;
  for (int i = 1; i < *argc; ++i) {
    const std::string arg = argv[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= *argc) throw std::invalid_argument(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--out-dir") {
      options.out_dir = value();
    } else if (arg == "--command") {
      options.command = value();
    } else if (arg == "--tree") {
      options.tree = value();
    } else if (arg == "--repetitions") {
      options.timing.repetitions = std::stoul(value());
    } else if (arg == "--min-time") {
      options.timing.min_seconds_per_repetition = std::stod(value());
    } else if (arg == "--trials") {
      options.trials = std::stoul(value());
    } else {
      argv[kept++] = argv[i];
    }
  }
  *argc = kept;
  if (options.command.empty()) options.command = command;
  return options;
}

// N = 10, 100, 1000 at the paper's M = 65537 (B6's bar), then every size sluice
// chooses with the most backends it is chosen for (≈ M/100).
std::vector<TableShape> Shapes() {
  std::vector<TableShape> shapes = {{10, 65537}, {100, 65537}, {1000, 65537}};
  for (const uint32_t size : kTableSizes) {
    const uint32_t backends = std::max<uint32_t>(1, size / kSlotsPerBackend);
    shapes.push_back({backends, size});
  }
  return shapes;
}

uint32_t Share(uint32_t backends, double fraction) {
  return std::max<uint32_t>(1, static_cast<uint32_t>(std::lround(backends * fraction)));
}

std::string UtcNow() {
  const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  return text;
}

int Main(int argc, char** argv) {
  const Options options = ParseOptions(&argc, argv);
  const Machine machine = DescribeMachine();  // before we load it ourselves
  const std::vector<TableShape> shapes = Shapes();
  const auto timings = TimeBuilds(shapes, options.timing, &argc, argv);

  Report report{.machine = machine,
                .command = options.command,
                .commit = options.tree,
                .date = UtcNow(),
                .rows = {}};
  for (const TableShape& shape : shapes) {
    const auto [n, m] = shape;
    const auto timing = timings.find(shape);
    if (timing == timings.end()) continue;  // filtered out
    report.rows.push_back({
        .backends = n,
        .table_size = m,
        .build = timing->second,
        .balance = MeasureBalance(n, m),
        .remove_one = MeasureRemoval(n, 1, m, options.trials),
        .remove_1pct = MeasureRemoval(n, Share(n, 0.01), m, options.trials),
        .remove_10pct = MeasureRemoval(n, Share(n, 0.10), m, options.trials),
        .add_one = MeasureAddition(n, 1, m),
    });
  }
  std::cout << "\n";
  PrintTable(report, std::cout);
  if (!options.out_dir.empty()) {
    std::filesystem::create_directories(options.out_dir);
    WriteCsv(report, options.out_dir / "B6.csv");
    WriteJson(report, options.out_dir / "B6.json");
    std::cout << "wrote " << (options.out_dir / "B6.csv").string() << " and "
              << (options.out_dir / "B6.json").string() << "\n";
  }
  return 0;
}

}  // namespace
}  // namespace sluice::maglev::bench

int main(int argc, char** argv) {
  try {
    return sluice::maglev::bench::Main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "sluice_maglev_bench: " << e.what() << "\n";
    return 1;
  }
}
