#include "e2e/harness/paths.h"

namespace sluice::e2e {

std::string SourceDir() { return SLUICE_SOURCE_DIR; }
std::string BinaryDir() { return SLUICE_BINARY_DIR; }
std::string TopologyScriptPath() { return SourceDir() + "/scripts/topology.sh"; }
std::string EchoServerPath() { return SLUICE_TEST_ECHO_PATH; }
std::string ProbePath() { return SLUICE_PROBE_PATH; }

}  // namespace sluice::e2e
