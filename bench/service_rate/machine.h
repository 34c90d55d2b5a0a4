// Which machine a result came from: figures from different machines do not compare.
#pragma once

#include <nlohmann/json.hpp>

namespace sluice::bench {

// kernel (uname -r), cpu_model, cores (logical CPUs), load_average (1/5/15 min now:
// these machines are shared, a busy one times slower).
nlohmann::json DescribeMachine();

}  // namespace sluice::bench
