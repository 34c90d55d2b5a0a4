// /metrics: the agent's state in the Prometheus text format, every metric prefixed
// sluice_. Read at scrape time from the proxier's stats, the sources' stats and the
// pinned maps themselves (entry counts are counted, not estimated).
#pragma once

#include <string>

namespace sluice::datapath {
class MapSet;
}
namespace sluice::proxy {
class Proxier;
}

namespace sluice::agent {

class ApiSource;
class ManifestSource;

struct MetricsInputs {
  const proxy::Proxier* proxier = nullptr;
  const ApiSource* api = nullptr;            // with an API server source
  const ManifestSource* manifests = nullptr; // with --manifests
  datapath::MapSet* maps = nullptr;
};

std::string RenderMetrics(const MetricsInputs& in);

}  // namespace sluice::agent
