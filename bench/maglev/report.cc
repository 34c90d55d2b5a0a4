#include "report.h"

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace sluice::maglev::bench {
namespace {

std::string Format(const char* format, auto... args) {
  char buffer[256];
  std::snprintf(buffer, sizeof buffer, format, args...);
  return buffer;
}

// "20.45% = 2.05x" : the share of slots that moved, and that over the minimum.
std::string MovedCell(const Disruption& d) {
  return Format("%6.2f%% =%5.2fx", 100 * d.moved, d.ratio());
}

std::ofstream OpenForWriting(const std::filesystem::path& path) {
  std::ofstream out(path);
  if (!out) throw std::runtime_error("cannot write " + path.string());
  return out;
}

nlohmann::json DisruptionJson(const Disruption& d) {
  return {{"backends_changed", d.changed},
          {"trials", d.trials},
          {"moved_fraction", d.moved},
          {"moved_fraction_worst", d.moved_worst},
          {"minimum_fraction", d.minimum},
          {"ratio_to_minimum", d.ratio()},
          {"survivors_kept_fraction", d.survivors_kept}};
}

constexpr const char* kSameAsThePaper =
    "BuildTable fills exactly as the paper's Pseudocode 1 (tests/unit/maglev/"
    "paper_reference_test.cc), so the slots it moves are the paper algorithm's.";

nlohmann::json SpreadJson(const TimeSpread& t) {
  return {{"median", t.median_us},
          {"p10", t.p10_us},
          {"p90", t.p90_us},
          {"min", t.min_us},
          {"max", t.max_us}};
}

}  // namespace

void PrintTable(const Report& report, std::ostream& out) {
  out << "B6 Maglev table build and quality\n"
      << "machine: " << report.machine.cpu_model << ", " << report.machine.logical_cpus
      << " logical CPUs, Linux " << report.machine.kernel << ", load average "
      << report.machine.load_average << "\n"
      << "command: " << report.command << "\n"
      << "tree:    " << report.commit << "   date: " << report.date << "\n\n";
  out << Format("%5s %6s %5s | %-30s | %-7s | %-15s | %s\n", "", "", "", "build, CPU time (us)",
                "wall", "slots/backend", "slots moved = x the minimum (k/N; 1/(N+1) when adding)");
  out << Format("%5s %6s %5s | %7s %11s %10s | %7s | %7s %7s | %-15s %-15s %-15s %-15s\n", "N", "M",
                "M/N", "median", "p10-p90", "min", "median", "max/avg", "min/avg", "remove 1",
                "remove 1%", "remove 10%", "add 1");
  for (const Row& row : report.rows) {
    out << Format("%5u %6u %5.0f | %7.1f %5.0f-%-5.0f %10.1f | %7.1f | %7.4f %7.4f | ",
                  row.backends, row.table_size, double(row.table_size) / row.backends,
                  row.build.cpu.median_us, row.build.cpu.p10_us, row.build.cpu.p90_us,
                  row.build.cpu.min_us, row.build.wall.median_us, row.balance.max_over_avg,
                  row.balance.min_over_avg)
        << MovedCell(row.remove_one) << " " << MovedCell(row.remove_1pct) << " "
        << MovedCell(row.remove_10pct) << " " << MovedCell(row.add_one) << "\n";
  }
  const uint32_t repetitions = report.rows.empty() ? 0 : report.rows.front().build.repetitions;
  out << "\nbuild: one BuildTable (sort, hash, fill) at N backends, M slots; CPU time over "
      << repetitions
      << " repetitions (wall: the same\nbuilds by the clock, waits for a busy "
         "machine included). moved: share of the slots whose backend changed, mean\nover "
         "random choices of the backends removed (1% and 10% round to at least one).\n"
      << kSameAsThePaper << "\n";
}

void WriteCsv(const Report& report, const std::filesystem::path& path) {
  std::ofstream out = OpenForWriting(path);
  out << "# B6 Maglev table build and quality\n"
      << "# machine: " << report.machine.cpu_model << "; " << report.machine.logical_cpus
      << " logical CPUs; Linux " << report.machine.kernel << "; load average "
      << report.machine.load_average << "\n"
      << "# command: " << report.command << "\n"
      << "# tree: " << report.commit << "; date: " << report.date << "\n";
  out << "backends,table_size,build_repetitions";
  for (const char* clock : {"cpu", "wall"}) {
    for (const char* figure : {"median", "p10", "p90", "min", "max"}) {
      out << ",build_" << clock << "_" << figure << "_us";
    }
  }
  out << ",max_over_avg,min_over_avg";
  for (const char* change : {"remove_1", "remove_1pct", "remove_10pct", "add_1"}) {
    out << "," << change << "_k," << change << "_moved," << change << "_minimum," << change
        << "_ratio," << change << "_survivors_kept";
  }
  out << "\n";
  for (const Row& row : report.rows) {
    out << Format("%u,%u,%u", row.backends, row.table_size, row.build.repetitions);
    for (const TimeSpread* t : {&row.build.cpu, &row.build.wall}) {
      out << Format(",%.3f,%.3f,%.3f,%.3f,%.3f", t->median_us, t->p10_us, t->p90_us, t->min_us,
                    t->max_us);
    }
    out << Format(",%.5f,%.5f", row.balance.max_over_avg, row.balance.min_over_avg);
    for (const Disruption* d :
         {&row.remove_one, &row.remove_1pct, &row.remove_10pct, &row.add_one}) {
      out << Format(",%u,%.6f,%.6f,%.4f,%.6f", d->changed, d->moved, d->minimum, d->ratio(),
                    d->survivors_kept);
    }
    out << "\n";
  }
}

void WriteJson(const Report& report, const std::filesystem::path& path) {
  nlohmann::json rows = nlohmann::json::array();
  for (const Row& row : report.rows) {
    rows.push_back({
        {"backends", row.backends},
        {"table_size", row.table_size},
        {"build_repetitions", row.build.repetitions},
        {"build_cpu_us", SpreadJson(row.build.cpu)},
        {"build_wall_us", SpreadJson(row.build.wall)},
        {"slots_per_backend",
         {{"max_over_avg", row.balance.max_over_avg}, {"min_over_avg", row.balance.min_over_avg}}},
        {"remove_1", DisruptionJson(row.remove_one)},
        {"remove_1pct", DisruptionJson(row.remove_1pct)},
        {"remove_10pct", DisruptionJson(row.remove_10pct)},
        {"add_1", DisruptionJson(row.add_one)},
    });
  }
  const nlohmann::json document = {
      {"benchmark", "B6"},
      {"what", "Maglev table build time, balance, and slots moved by backend changes"},
      {"note", kSameAsThePaper},
      {"machine",
       {{"kernel", report.machine.kernel},
        {"cpu_model", report.machine.cpu_model},
        {"logical_cpus", report.machine.logical_cpus},
        {"load_average_at_start", report.machine.load_average}}},
      {"command", report.command},
      {"tree", report.commit},
      {"date", report.date},
      {"rows", rows},
  };
  OpenForWriting(path) << document.dump(2) << "\n";
}

}  // namespace sluice::maglev::bench
