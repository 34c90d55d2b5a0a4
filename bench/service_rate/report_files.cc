#include "report_files.h"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "e2e/harness/command.h"

namespace sluice::bench {

void WriteFile(const std::string& path, const std::string& text) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + temporary);
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) throw std::runtime_error("cannot rename to " + path);
}

std::string PlotSeries(const std::string& png_path, const std::string& title, const std::string& x_label,
                       const std::string& y_label, const std::vector<Series>& series, bool log_y) {
  std::ostringstream script;
  script << "set terminal pngcairo size 960,600 noenhanced font ',11'\n"
         << "set output '" << png_path << "'\n"
         << "set title '" << title << "'\n"
         << "set xlabel '" << x_label << "'\nset ylabel '" << y_label << "'\n"
         << "set logscale x\n" << (log_y ? "set logscale y\n" : "set yrange [0:*]\n")
         << "set grid\nset key outside right top\nset format x '%.0s%c'\n";
  std::string plot = "plot ";
  for (size_t i = 0; i < series.size(); ++i) {
    script << "$d" << i << " << EOD\n";
    for (size_t j = 0; j < series[i].x.size(); ++j) {
      const Summary& s = series[i].y[j];
      if (s.n == 0) continue;
      script << series[i].x[j] << " " << s.median << " " << s.min << " " << s.max << "\n";
    }
    script << "EOD\n";
    plot += (i ? ", " : "") + std::string("$d") + std::to_string(i) + " using 1:2:3:4 with yerrorlines lw 2 title '" +
            series[i].title + "'";
  }
  script << plot << "\n";
  const std::string script_path = png_path + ".gp";
  WriteFile(script_path, script.str());
  const e2e::CommandResult result = e2e::RunCommand({"gnuplot", script_path}, std::chrono::seconds(60));
  std::remove(script_path.c_str());
  if (result.exit_status != 0) return "gnuplot failed: " + result.err;
  return "";
}

}  // namespace sluice::bench
