// A long-running program of a test (an echo server, the agent) in a network namespace
// of the run. Its output goes to files, so a failing test can show them; destroying
// the Process stops it, and a fatal signal to the test kills it (cleanup_registry.h).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace sluice::e2e {

class Process {
 public:
  // Starts `argv` in `netns` ("" = the test's own namespace), stdout to
  // `log_prefix`.out and stderr to `log_prefix`.err. Throws std::runtime_error if it
  // cannot be started.
  Process(std::string netns, std::vector<std::string> argv, std::string log_prefix);
  ~Process();
  Process(Process&& other) noexcept;
  Process& operator=(Process&& other) noexcept;
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  bool Running();
  // The exit status (128+N if killed by signal N), or nullopt if still running after
  // `timeout`.
  std::optional<int> Wait(std::chrono::milliseconds timeout);
  // Sends `signal_number` to its process group.
  void Signal(int signal_number);
  // SIGTERM, up to `grace` to exit, then SIGKILL. Returns the exit status; safe to
  // call twice.
  int Stop(std::chrono::milliseconds grace = std::chrono::seconds(2));

  std::string Stdout() const;  // what it has written so far
  std::string Stderr() const;
  const std::string& stdout_path() const { return stdout_path_; }
  const std::string& stderr_path() const { return stderr_path_; }
  // "sluice-test-echo --name be1 ... in sl-ab12cd-be1", for messages.
  std::string Describe() const;

 private:
  std::string netns_;
  std::vector<std::string> argv_;
  std::string stdout_path_;
  std::string stderr_path_;
  pid_t pid_ = -1;
  std::optional<int> exit_status_;
  int registry_handle_ = -1;
};

// Polls for `path` to exist, up to `timeout` (ready files of servers).
bool WaitForFile(const std::string& path, std::chrono::milliseconds timeout);

// The whole content of a file, or "" if it cannot be read.
std::string ReadFile(const std::string& path);

}  // namespace sluice::e2e
