// The daemon: loads and attaches the datapath (adopting what an earlier run left
// pinned), mirrors the source into the maps, and on SIGTERM/SIGINT exits leaving the
// datapath in place so Services keep working while it is down.
#pragma once

#include "agent/options.h"

namespace sluice::agent {

int RunAgent(const AgentOptions& options);
// `--cleanup`: removes every program, link and pin sluice made, as kube-proxy --cleanup.
int RunCleanup(const AgentOptions& options);

}  // namespace sluice::agent
