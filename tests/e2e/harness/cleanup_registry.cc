#include "e2e/harness/cleanup_registry.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <utility>

namespace sluice::e2e {
namespace {

constexpr int kSlots = 64;

// A teardown command kept as C strings, built when registered, so the signal handler
// only reads it.
struct Command {
  std::vector<std::string> strings;
  std::vector<char*> argv;
};

struct Registry {
  std::mutex mutex;  // registration only; the handler never locks
  std::array<std::atomic<Command*>, kSlots> teardowns{};
  std::array<std::atomic<pid_t>, kSlots> children{};
  bool installed = false;
  struct sigaction previous_int {};
  struct sigaction previous_term {};
};

Registry& TheRegistry() {
  // Leaked on purpose: it must outlive every static destructor and atexit hook.
  static Registry* registry = new Registry();
  return *registry;
}

void KillChildren() {
  for (auto& child : TheRegistry().children) {
    const pid_t pgid = child.exchange(0);
    if (pgid > 0) kill(-pgid, SIGKILL);
  }
}

void RunTeardowns() {
  for (auto& slot : TheRegistry().teardowns) {
    Command* command = slot.exchange(nullptr);
    if (command == nullptr) continue;
    const pid_t pid = fork();
    if (pid == 0) {
      execv(command->argv[0], command->argv.data());
      _exit(127);
    }
    if (pid > 0) {
      int status = 0;
      while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
    }
    // `command` is leaked: freeing is not async-signal-safe, and the process is ending.
  }
}

void OnFatalSignal(int signal_number) {
  KillChildren();
  RunTeardowns();
  // Then die of the signal as if nothing had been installed, so ctest reports it.
  Registry& registry = TheRegistry();
  const struct sigaction& previous =
      signal_number == SIGINT ? registry.previous_int : registry.previous_term;
  sigaction(signal_number, &previous, nullptr);
  raise(signal_number);
}

void AtExit() {
  KillChildren();
  RunTeardowns();
}

void InstallOnce(Registry& registry) {
  if (registry.installed) return;
  registry.installed = true;
  struct sigaction action {};
  action.sa_handler = OnFatalSignal;
  sigemptyset(&action.sa_mask);
  sigaddset(&action.sa_mask, SIGINT);
  sigaddset(&action.sa_mask, SIGTERM);
  // A signal the process was started with ignored (SIGINT in a background job of a
  // shell) stays ignored: it is not meant to end this process.
  for (auto [number, previous] :
       {std::pair{SIGINT, &registry.previous_int}, std::pair{SIGTERM, &registry.previous_term}}) {
    sigaction(number, nullptr, previous);
    if (previous->sa_handler != SIG_IGN) sigaction(number, &action, nullptr);
  }
  std::atexit(AtExit);
}

}  // namespace

int RegisterTeardown(const std::vector<std::string>& argv) {
  Registry& registry = TheRegistry();
  std::lock_guard lock(registry.mutex);
  InstallOnce(registry);
  auto command = std::make_unique<Command>();
  command->strings = argv;
  for (std::string& s : command->strings) command->argv.push_back(s.data());
  command->argv.push_back(nullptr);
  for (int i = 0; i < kSlots; ++i) {
    Command* expected = nullptr;
    if (registry.teardowns[i].compare_exchange_strong(expected, command.get())) {
      command.release();
      return i;
    }
  }
  return -1;
}

void UnregisterTeardown(int handle) {
  if (handle < 0 || handle >= kSlots) return;
  std::lock_guard lock(TheRegistry().mutex);
  delete TheRegistry().teardowns[handle].exchange(nullptr);
}

int RegisterChild(pid_t pgid) {
  Registry& registry = TheRegistry();
  std::lock_guard lock(registry.mutex);
  InstallOnce(registry);
  for (int i = 0; i < kSlots; ++i) {
    pid_t expected = 0;
    if (registry.children[i].compare_exchange_strong(expected, pgid)) return i;
  }
  return -1;
}

void UnregisterChild(int handle) {
  if (handle < 0 || handle >= kSlots) return;
  TheRegistry().children[handle].store(0);
}

}  // namespace sluice::e2e
