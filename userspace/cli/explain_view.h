// `sluicectl explain`: the datapath's decision for one flow, step by step, as lines a
// person reads top to bottom (the last says what happens), or JSON.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>

#include "datapath/explain.h"

namespace sluice::cli {

nlohmann::json ExplainJson(const datapath::Explanation& ex, uint64_t now_ns);
void PrintExplain(const datapath::Explanation& ex, uint64_t now_ns, std::ostream& out);

}  // namespace sluice::cli
