// Medians and spreads of repeated runs: these machines are shared and noisy, so every
// figure is the median of several runs with its minimum, maximum and quartiles.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace sluice::bench {

struct Summary {
  size_t n = 0;
  double median = 0, min = 0, max = 0, q1 = 0, q3 = 0;

  // "12345 [11000-13000]": median and range, `digits` after the point.
  std::string Text(int digits = 0) const;
  nlohmann::json Json() const;
};

Summary Summarize(std::vector<double> values);

}  // namespace sluice::bench
