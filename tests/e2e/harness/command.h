// Starting programs for tests: in a network namespace of the run, in their own process
// group, dying with the test process. Used by Process (long-running servers) and
// RunCommand (short commands whose output the test reads).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace sluice::e2e {

struct SpawnSpec {
  std::vector<std::string> argv;  // argv[0] is looked up in PATH unless it has a '/'
  // A name from `ip netns list`, or "" to stay in the test's namespace. Only the network
  // namespace is switched (setns): `ip netns exec` would also remount /sys and hide the
  // cgroup2 mount that the agent and sluice-probe --cgroup need.
  std::string netns;
  int stdout_fd = -1;  // -1: /dev/null
  int stderr_fd = -1;  // -1: /dev/null
};

// Forks and execs; the child leads a new process group (kill(-pid) reaches its
// children too) and gets SIGTERM if the test process dies. Throws std::runtime_error
// when the program or the namespace cannot be found or fork fails; if exec itself
// fails the child exits 127 after saying why on its stderr.
pid_t Spawn(const SpawnSpec& spec);

// Waits up to `timeout` for `pid`; the exit status (128+N if killed by signal N) or
// -1 if it is still running.
int WaitWithTimeout(pid_t pid, std::chrono::milliseconds timeout);

struct CommandResult {
  int exit_status = -1;  // 128+N if killed by signal N; -1 if it had to be killed
  bool timed_out = false;
  std::string out;
  std::string err;
};

// Runs a command to completion, capturing stdout and stderr (each up to 16 MiB).
// Past `timeout` its process group is killed and timed_out is set.
CommandResult RunCommand(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                         const std::string& netns = "");

}  // namespace sluice::e2e
