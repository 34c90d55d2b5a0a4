// Where the harness finds the project's script and the traffic tools: fixed at build
// time (tests/e2e/CMakeLists.txt), so a test runs from any working directory.
#pragma once

#include <string>

namespace sluice::e2e {

std::string SourceDir();           // the repository root
std::string BinaryDir();           // the build directory
std::string TopologyScriptPath();  // scripts/topology.sh
std::string EchoServerPath();      // sluice-test-echo
std::string ProbePath();           // sluice-probe

}  // namespace sluice::e2e
