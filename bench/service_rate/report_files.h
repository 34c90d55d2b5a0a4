// Writing results: whole files at once, and PNG plots through gnuplot (Debian's
// gnuplot-nox), fed a script with the data inline.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "stats.h"

namespace sluice::bench {

void WriteFile(const std::string& path, const std::string& text);

// One line of a plot: x values with the median and range of y at each.
struct Series {
  std::string title;
  std::vector<double> x;
  std::vector<Summary> y;
};

// A log-x plot of medians with min-max error bars; returns "" or why it failed
// (no gnuplot: the CSV and JSON are still there).
std::string PlotSeries(const std::string& png_path, const std::string& title, const std::string& x_label,
                       const std::string& y_label, const std::vector<Series>& series, bool log_y);

}  // namespace sluice::bench
