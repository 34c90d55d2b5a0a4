// Plain-text tables for sluicectl: left-aligned columns sized to their widest cell,
// two spaces apart, a header row in capitals.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace sluice::cli {

class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header) : header_(std::move(header)) {}
  void AddRow(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  void Print(std::ostream& out) const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace sluice::cli
