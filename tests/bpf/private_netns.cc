#include "bpf/private_netns.h"

#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

extern char** environ;

namespace sluice::bpftest {
namespace {

std::runtime_error SysError(const std::string& what) {
  return std::runtime_error(what + ": " + std::strerror(errno));
}

// Runs argv with stdout and stderr into a pipe; returns (exit status, output).
std::pair<int, std::string> Spawn(const std::vector<std::string>& argv) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw SysError("pipe");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid;
  const int err = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (err != 0) {
    close(fds[0]);
    errno = err;
    throw SysError("cannot run " + argv[0]);
  }
  std::string out;
  char buf[512];
  for (ssize_t n; (n = read(fds[0], buf, sizeof(buf))) > 0;) out.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return {status, out};
}

}  // namespace

PrivateNetns::PrivateNetns() {
  original_ = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (original_ < 0) throw SysError("cannot open the current network namespace");
  if (unshare(CLONE_NEWNET) != 0) {
    close(original_);
    throw SysError("unshare(CLONE_NEWNET)");
  }
}

PrivateNetns::~PrivateNetns() {
  if (original_ >= 0) {
    setns(original_, CLONE_NEWNET);
    close(original_);
  }
}

void PrivateNetns::Ip(const std::vector<std::string>& args) const {
  std::vector<std::string> argv = {"ip"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto [status, out] = Spawn(argv);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string cmd;
    for (const auto& a : argv) cmd += a + " ";
    throw std::runtime_error("`" + cmd + "` failed: " + out);
  }
}

void PrivateNetns::Sysctl(const std::string& path, const std::string& value) const {
  std::ofstream f("/proc/sys/" + path);
  f << value;
  f.close();
  if (!f) throw std::runtime_error("cannot write /proc/sys/" + path);
}

void PrivateNetns::AddRoutedDevice(const std::string& name, const MacAddr& mac,
                                   const std::vector<std::string>& addresses,
                                   const std::vector<std::pair<IpAddr, MacAddr>>& neighbours) const {
  // bpf_fib_lookup() answers only where the input device forwards (lo here: the test
  // run's ingress device), so forwarding goes on for every device of the namespace.
  Sysctl("net/ipv4/conf/all/forwarding", "1");
  Sysctl("net/ipv6/conf/all/forwarding", "1");
  // A veth pair (this kernel has no dummy driver); the peer is up only for carrier.
  const std::string peer = name.substr(0, IFNAMSIZ - 3) + "-p";
  Ip({"link", "add", name, "address", mac.ToString(), "type", "veth", "peer", "name", peer});
  Ip({"link", "set", peer, "up"});
  Ip({"link", "set", name, "up"});
  for (const auto& a : addresses) {
    if (a.find(':') != std::string::npos)
      Ip({"-6", "addr", "add", a, "dev", name, "nodad"});
    else
      Ip({"addr", "add", a, "dev", name});
  }
  for (const auto& [addr, lladdr] : neighbours)
    Ip({addr.is_v4() ? "-4" : "-6", "neigh", "add", addr.ToString(), "lladdr", lladdr.ToString(),
        "dev", name, "nud", "permanent"});
}

int PrivateNetns::IfIndex(const std::string& name) const {
  const unsigned idx = if_nametoindex(name.c_str());
  if (idx == 0) throw SysError("no device " + name);
  return static_cast<int>(idx);
}

}  // namespace sluice::bpftest
