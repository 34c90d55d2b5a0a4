#include "stats.h"

#include <algorithm>
#include <cstdio>

namespace sluice::bench {
namespace {

// Linear interpolation between order statistics (the "type 7" quantile of R/NumPy).
double Quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  const double position = q * static_cast<double>(sorted.size() - 1);
  const auto below = static_cast<size_t>(position);
  const size_t above = std::min(below + 1, sorted.size() - 1);
  const double fraction = position - static_cast<double>(below);
  return sorted[below] + (sorted[above] - sorted[below]) * fraction;
}

}  // namespace

Summary Summarize(std::vector<double> values) {
  Summary s;
  s.n = values.size();
  if (values.empty()) return s;
  std::sort(values.begin(), values.end());
  s.median = Quantile(values, 0.5);
  s.q1 = Quantile(values, 0.25);
  s.q3 = Quantile(values, 0.75);
  s.min = values.front();
  s.max = values.back();
  return s;
}

std::string Summary::Text(int digits) const {
  char text[128];
  std::snprintf(text, sizeof(text), "%.*f [%.*f-%.*f]", digits, median, digits, min, digits, max);
  return text;
}

nlohmann::json Summary::Json() const {
  return {{"n", n}, {"median", median}, {"min", min}, {"max", max}, {"q1", q1}, {"q3", q3}};
}

}  // namespace sluice::bench
