// B6's table on stdout and its results as CSV and JSON (bench/results/B6.{csv,json}).
#pragma once

#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "build_timing.h"
#include "machine.h"
#include "table_quality.h"

namespace sluice::maglev::bench {

struct Row {
  uint32_t backends = 0;
  uint32_t table_size = 0;
  BuildTiming build;
  Balance balance;
  Disruption remove_one, remove_1pct, remove_10pct, add_one;
};

struct Report {
  Machine machine;
  std::string command;  // how the run was started, verbatim
  std::string commit;   // git describe of the tree measured
  std::string date;     // UTC, ISO 8601
  std::vector<Row> rows;
};

void PrintTable(const Report& report, std::ostream& out);
void WriteCsv(const Report& report, const std::filesystem::path& path);
void WriteJson(const Report& report, const std::filesystem::path& path);

}  // namespace sluice::maglev::bench
