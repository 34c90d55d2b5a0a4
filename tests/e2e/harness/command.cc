#include "e2e/harness/command.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string_view>
#include <thread>

namespace sluice::e2e {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kMaxCapturedBytes = 16u << 20;

std::string ResolveExecutable(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  const char* path = std::getenv("PATH");
  std::string_view dirs = path ? path : "/usr/sbin:/usr/bin:/sbin:/bin";
  while (!dirs.empty()) {
    const size_t colon = dirs.find(':');
    const std::string candidate = std::string(dirs.substr(0, colon)) + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
    if (colon == std::string_view::npos) break;
    dirs.remove_prefix(colon + 1);
  }
  throw std::runtime_error("cannot find program '" + name + "' in PATH");
}

int ExitStatusOf(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// Only async-signal-safe calls between fork and exec: the test process has threads.
[[noreturn]] void ExecChild(const char* path, char* const* argv, int netns_fd, int null_fd,
                            int stdout_fd, int stderr_fd) {
  setpgid(0, 0);
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  sigset_t all;
  sigemptyset(&all);
  sigprocmask(SIG_SETMASK, &all, nullptr);
  signal(SIGPIPE, SIG_DFL);
  dup2(null_fd, STDIN_FILENO);
  dup2(stdout_fd >= 0 ? stdout_fd : null_fd, STDOUT_FILENO);
  dup2(stderr_fd >= 0 ? stderr_fd : null_fd, STDERR_FILENO);
  if (netns_fd >= 0 && setns(netns_fd, CLONE_NEWNET) != 0) {
    static const char kMessage[] = "spawn: setns failed\n";
    (void)!write(STDERR_FILENO, kMessage, sizeof(kMessage) - 1);
    _exit(127);
  }
  execv(path, argv);
  static const char kMessage[] = "spawn: exec failed\n";
  (void)!write(STDERR_FILENO, kMessage, sizeof(kMessage) - 1);
  _exit(127);
}

}  // namespace

pid_t Spawn(const SpawnSpec& spec) {
  if (spec.argv.empty()) throw std::runtime_error("Spawn: empty argv");
  const std::string path = ResolveExecutable(spec.argv[0]);
  std::vector<std::string> strings = spec.argv;
  std::vector<char*> argv;
  for (std::string& s : strings) argv.push_back(s.data());
  argv.push_back(nullptr);

  int netns_fd = -1;
  if (!spec.netns.empty()) {
    const std::string netns_path = "/run/netns/" + spec.netns;
    netns_fd = open(netns_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (netns_fd < 0) {
      throw std::runtime_error("cannot open network namespace " + netns_path + ": " +
                               std::strerror(errno));
    }
  }
  const int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
  const pid_t pid = fork();
  if (pid == 0)
    ExecChild(path.c_str(), argv.data(), netns_fd, null_fd, spec.stdout_fd, spec.stderr_fd);
  const int fork_errno = errno;
  if (netns_fd >= 0) close(netns_fd);
  if (null_fd >= 0) close(null_fd);
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(fork_errno));
  // Also from the parent, so a kill(-pid) right after Spawn returns cannot miss.
  setpgid(pid, pid);
  return pid;
}

int WaitWithTimeout(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) return ExitStatusOf(status);
    if (done < 0 && errno != EINTR) return -1;  // not our child (any more)
    if (Clock::now() >= deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

CommandResult RunCommand(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                         const std::string& netns) {
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    close(out_pipe[0]);
    close(out_pipe[1]);
    throw std::runtime_error("pipe2 failed");
  }
  pid_t pid = -1;
  try {
    pid = Spawn({argv, netns, out_pipe[1], err_pipe[1]});
  } catch (...) {
    for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) close(fd);
    throw;
  }
  close(out_pipe[1]);
  close(err_pipe[1]);

  CommandResult result;
  const auto deadline = Clock::now() + timeout;
  std::array<pollfd, 2> fds{pollfd{out_pipe[0], POLLIN, 0}, pollfd{err_pipe[0], POLLIN, 0}};
  std::array<std::string*, 2> sinks{&result.out, &result.err};
  int open_pipes = 2;
  while (open_pipes > 0) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      result.timed_out = true;
      break;
    }
    if (poll(fds.data(), fds.size(), static_cast<int>(left.count())) < 0 && errno != EINTR) break;
    for (size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      std::array<char, 65536> buffer;
      const ssize_t n = read(fds[i].fd, buffer.data(), buffer.size());
      if (n > 0) {
        if (sinks[i]->size() < kMaxCapturedBytes)
          sinks[i]->append(buffer.data(), static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_pipes;
      }
    }
  }
  for (const pollfd& p : fds) {
    if (p.fd >= 0) close(p.fd);
  }
  if (result.timed_out) kill(-pid, SIGKILL);
  // Its pipes are closed (or it was killed): it ends promptly.
  result.exit_status = WaitWithTimeout(pid, std::chrono::seconds(10));
  if (result.exit_status < 0) {  // closed its output but kept running: end it, reap it
    kill(-pid, SIGKILL);
    WaitWithTimeout(pid, std::chrono::seconds(5));
  }
  if (result.timed_out) result.exit_status = -1;
  return result;
}

}  // namespace sluice::e2e
