// Teardown that must run however a test process ends: destructors cover a normal
// return and failed assertions, an atexit hook covers exit(), and a SIGINT/SIGTERM
// handler covers ctest timeouts and Ctrl-C. The handler only does async-signal-safe
// work: kill() registered process groups and fork()+execv() pre-built teardown
// commands (e.g. "bash scripts/topology.sh down ID").
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace sluice::e2e {

// Runs `argv` (argv[0] an absolute path) at exit or on a fatal signal, unless
// unregistered first. Returns the handle for UnregisterTeardown; -1 if the registry is
// full (the caller must still clean up normally).
int RegisterTeardown(const std::vector<std::string>& argv);
void UnregisterTeardown(int handle);

// Kills the process group `pgid` at exit or on a fatal signal, unless unregistered.
int RegisterChild(pid_t pgid);
void UnregisterChild(int handle);

}  // namespace sluice::e2e
