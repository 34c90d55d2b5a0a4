#include "bench/kubeproxy/ruleset_loader.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bench/kubeproxy/kube_proxy_rules.h"

namespace sluice::kubeproxy {
namespace {

using Clock = std::chrono::steady_clock;

struct Run {
  int exit_status = -1;  // 128+N when killed by signal N; -1 when it could not start
  bool timed_out = false;
  std::string out;
  std::string err;
  std::chrono::nanoseconds elapsed{0};
};

// Only a name under /run/netns (what `ip netns add` creates): never the root namespace.
std::string NamespacePath(const std::string& netns, std::string* error) {
  if (netns.empty() || netns.find('/') != std::string::npos || netns == "." || netns == "..") {
    *error = "not a network namespace name: '" + netns + "'";
    return {};
  }
  std::string path = "/run/netns/" + netns;
  struct stat st{};
  if (stat(path.c_str(), &st) != 0) {
    *error = "no network namespace " + netns + " (" + path + "): " + std::strerror(errno);
    return {};
  }
  return path;
}

void ReadAvailable(int fd, std::string& into, bool& open) {
  std::array<char, 65536> buffer{};
  ssize_t n = read(fd, buffer.data(), buffer.size());
  if (n > 0) {
    // Keep the first 4 MiB: enough for any error message and for dumps of small sets.
    if (into.size() < (size_t{64} << 20)) into.append(buffer.data(), static_cast<size_t>(n));
  } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
    open = false;
  }
}

// Runs argv inside the namespace (nsenter switches only the network namespace), with
// stdin from /dev/null, capturing stdout and stderr; bounded by `timeout`.
Run RunInNamespace(const std::string& netns_path, const std::vector<std::string>& tool_argv,
                   std::chrono::seconds timeout) {
  std::vector<std::string> argv = {"nsenter", "--net=" + netns_path, "--"};
  argv.insert(argv.end(), tool_argv.begin(), tool_argv.end());
  std::vector<char*> cargv;
  for (std::string& arg : argv) cargv.push_back(arg.data());
  cargv.push_back(nullptr);

  Run run;
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) {
    run.err = std::string("pipe: ") + std::strerror(errno);
    return run;
  }
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    run.err = std::string("pipe: ") + std::strerror(errno);
    close(out_pipe[0]);
    close(out_pipe[1]);
    return run;
  }
  const Clock::time_point start = Clock::now();
  pid_t pid = fork();
  if (pid < 0) {
    run.err = std::string("fork: ") + std::strerror(errno);
    for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) close(fd);
    return run;
  }
  if (pid == 0) {
    setpgid(0, 0);
    int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd >= 0) dup2(null_fd, STDIN_FILENO);
    dup2(out_pipe[1], STDOUT_FILENO);
    dup2(err_pipe[1], STDERR_FILENO);
    execvp(cargv[0], cargv.data());
    dprintf(STDERR_FILENO, "exec %s: %s\n", cargv[0], std::strerror(errno));
    _exit(127);
  }
  setpgid(pid, pid);
  close(out_pipe[1]);
  close(err_pipe[1]);

  const Clock::time_point deadline = start + timeout;
  bool out_open = true, err_open = true;
  while (out_open || err_open) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      run.timed_out = true;
      kill(-pid, SIGKILL);
      break;
    }
    pollfd fds[2] = {{out_open ? out_pipe[0] : -1, POLLIN, 0},
                     {err_open ? err_pipe[0] : -1, POLLIN, 0}};
    int ready = poll(fds, 2, static_cast<int>(std::min<long long>(left.count(), 1000)));
    if (ready < 0 && errno != EINTR) break;
    if (out_open && (fds[0].revents & (POLLIN | POLLHUP | POLLERR)))
      ReadAvailable(out_pipe[0], run.out, out_open);
    if (err_open && (fds[1].revents & (POLLIN | POLLHUP | POLLERR)))
      ReadAvailable(err_pipe[0], run.err, err_open);
  }
  close(out_pipe[0]);
  close(err_pipe[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  run.elapsed = Clock::now() - start;
  if (WIFEXITED(status))
    run.exit_status = WEXITSTATUS(status);
  else if (WIFSIGNALED(status))
    run.exit_status = 128 + WTERMSIG(status);
  return run;
}

// The text goes to a private temporary file the tool reads.
class TempFile {
 public:
  explicit TempFile(std::string_view text) {
    const char* dir = std::getenv("TMPDIR");
    path_ = std::string(dir != nullptr && *dir != '\0' ? dir : "/tmp") + "/sluice-kp-XXXXXX";
    int fd = mkstemp(path_.data());
    if (fd < 0) {
      error_ = "mkstemp " + path_ + ": " + std::strerror(errno);
      path_.clear();
      return;
    }
    size_t done = 0;
    while (done < text.size()) {
      ssize_t n = write(fd, text.data() + done, text.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        error_ = "write " + path_ + ": " + std::strerror(errno);
        break;
      }
      done += static_cast<size_t>(n);
    }
    close(fd);
  }
  ~TempFile() {
    if (!path_.empty()) unlink(path_.c_str());
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::string& path() const { return path_; }
  const std::string& error() const { return error_; }

 private:
  std::string path_;
  std::string error_;
};

std::string IptablesTool(Backend backend, IpFamily family, std::string_view verb) {
  std::string tool = family == IpFamily::kV6 ? "ip6tables-" : "iptables-";
  tool += backend == Backend::kIptablesLegacy ? "legacy-" : "nft-";
  tool += verb;
  return tool;
}

LoadResult ToResult(const Run& run, const std::string& what) {
  LoadResult result;
  result.elapsed = run.elapsed;
  result.ok = run.exit_status == 0 && !run.timed_out;
  if (!result.ok) {
    result.error = what + (run.timed_out ? " timed out" : " failed (exit " +
                                                              std::to_string(run.exit_status) + ")");
    if (!run.err.empty()) result.error += ": " + run.err.substr(0, 4000);
  }
  return result;
}

LoadResult Apply(const std::string& netns, Backend backend, IpFamily family,
                 std::string_view text, const LoadOptions& options) {
  const std::chrono::seconds timeout = options.timeout;
  std::string error;
  std::string path = NamespacePath(netns, &error);
  if (path.empty()) return LoadResult{.ok = false, .error = error};
  TempFile file(text);
  if (!file.error().empty()) return LoadResult{.ok = false, .error = file.error()};
  std::vector<std::string> argv;
  if (backend == Backend::kNftables) {
    argv = {"nft", "-f", file.path()};
  } else {
    // As kube-proxy runs it; -w waits for the xtables lock other namespaces may hold.
    argv = {IptablesTool(backend, family, "restore"), "-w", std::to_string(timeout.count())};
    if (options.noflush) argv.push_back("--noflush");
    argv.insert(argv.end(), {"--counters", file.path()});
  }
  return ToResult(RunInNamespace(path, argv, timeout), argv.front() + " in " + netns);
}

}  // namespace

const char* BackendName(Backend backend) {
  switch (backend) {
    case Backend::kIptablesLegacy:
      return "iptables-legacy";
    case Backend::kIptablesNft:
      return "iptables-nft";
    case Backend::kNftables:
      return "nftables";
  }
  return "?";
}

LoadResult LoadRuleset(const std::string& netns, Backend backend, IpFamily family,
                       std::string_view text, const LoadOptions& options) {
  return Apply(netns, backend, family, text, options);
}

std::string DumpRuleset(const std::string& netns, Backend backend, IpFamily family) {
  std::string error;
  std::string path = NamespacePath(netns, &error);
  if (path.empty()) return {};
  std::vector<std::string> argv;
  if (backend == Backend::kNftables)
    argv = {"nft", "list", "table", family == IpFamily::kV6 ? "ip6" : "ip", "kube-proxy"};
  else
    argv = {IptablesTool(backend, family, "save")};
  Run run = RunInNamespace(path, argv, std::chrono::seconds(600));
  return run.exit_status == 0 ? run.out : std::string();
}

LoadResult FlushRuleset(const std::string& netns, Backend backend, IpFamily family,
                        std::chrono::seconds timeout) {
  if (backend == Backend::kNftables)
    return Apply(netns, backend, family, NftablesCleanupInput(family), LoadOptions{.timeout = timeout});
  std::string error;
  std::string path = NamespacePath(netns, &error);
  if (path.empty()) return LoadResult{.ok = false, .error = error};
  const Clock::time_point start = Clock::now();
  Run save = RunInNamespace(path, {IptablesTool(backend, family, "save")}, timeout);
  if (save.exit_status != 0 || save.timed_out)
    return ToResult(save, IptablesTool(backend, family, "save") + " in " + netns);
  std::string cleanup = IptablesCleanupInput(save.out);
  if (cleanup.empty()) return LoadResult{.ok = true, .error = {}, .elapsed = Clock::now() - start};
  LoadResult result = Apply(netns, backend, family, cleanup, LoadOptions{.timeout = timeout});
  result.elapsed = Clock::now() - start;
  return result;
}

}  // namespace sluice::kubeproxy
