#include "e2e/harness/process.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "e2e/harness/cleanup_registry.h"
#include "e2e/harness/command.h"

namespace sluice::e2e {
namespace {

int OpenLog(const std::string& path) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("cannot create log " + path + ": " + std::strerror(errno));
  return fd;
}

}  // namespace

Process::Process(std::string netns, std::vector<std::string> argv, std::string log_prefix)
    : netns_(std::move(netns)),
      argv_(std::move(argv)),
      stdout_path_(log_prefix + ".out"),
      stderr_path_(log_prefix + ".err") {
  const int out = OpenLog(stdout_path_);
  int err = -1;
  try {
    err = OpenLog(stderr_path_);
    pid_ = Spawn({argv_, netns_, out, err});
  } catch (...) {
    close(out);
    if (err >= 0) close(err);
    throw;
  }
  close(out);
  close(err);
  registry_handle_ = RegisterChild(pid_);
}

Process::~Process() { Stop(); }

Process::Process(Process&& other) noexcept
    : netns_(std::move(other.netns_)),
      argv_(std::move(other.argv_)),
      stdout_path_(std::move(other.stdout_path_)),
      stderr_path_(std::move(other.stderr_path_)),
      pid_(other.pid_),
      exit_status_(other.exit_status_),
      registry_handle_(other.registry_handle_) {
  other.pid_ = -1;
  other.registry_handle_ = -1;
}

Process& Process::operator=(Process&& other) noexcept {
  if (this != &other) {
    Stop();
    netns_ = std::move(other.netns_);
    argv_ = std::move(other.argv_);
    stdout_path_ = std::move(other.stdout_path_);
    stderr_path_ = std::move(other.stderr_path_);
    pid_ = other.pid_;
    exit_status_ = other.exit_status_;
    registry_handle_ = other.registry_handle_;
    other.pid_ = -1;
    other.registry_handle_ = -1;
  }
  return *this;
}

bool Process::Running() { return pid_ > 0 && !Wait(std::chrono::milliseconds(0)).has_value(); }

std::optional<int> Process::Wait(std::chrono::milliseconds timeout) {
  if (exit_status_ || pid_ <= 0) return exit_status_;
  const int status = WaitWithTimeout(pid_, timeout);
  if (status < 0) return std::nullopt;
  exit_status_ = status;
  // Its group may still hold children; they go with it.
  kill(-pid_, SIGKILL);
  UnregisterChild(registry_handle_);
  registry_handle_ = -1;
  return exit_status_;
}

void Process::Signal(int signal_number) {
  if (pid_ > 0 && !exit_status_) kill(-pid_, signal_number);
}

int Process::Stop(std::chrono::milliseconds grace) {
  if (pid_ <= 0) return -1;
  if (!exit_status_) {
    Signal(SIGTERM);
    if (!Wait(grace)) {
      Signal(SIGKILL);
      Wait(std::chrono::seconds(5));
    }
  }
  return exit_status_.value_or(-1);
}

std::string Process::Stdout() const { return ReadFile(stdout_path_); }
std::string Process::Stderr() const { return ReadFile(stderr_path_); }

std::string Process::Describe() const {
  std::string text;
  for (const std::string& arg : argv_) text += (text.empty() ? "" : " ") + arg;
  return text + (netns_.empty() ? "" : " in " + netns_);
}

bool WaitForFile(const std::string& path, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (access(path.c_str(), F_OK) == 0) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

}  // namespace sluice::e2e
