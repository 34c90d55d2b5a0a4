// A network namespace of the test process's own, entered for the life of the object
// and gone with it (nothing is named, so nothing can leak). BPF_PROG_TEST_RUN runs
// programs in the caller's namespace: here bpf_fib_lookup() sees only the routes and
// neighbours a test made, never the machine's, so "no route" is deterministic and a
// FIB answer can be arranged on purpose.
#pragma once

#include <string>
#include <vector>

#include "bpf/net_types.h"

namespace sluice::bpftest {

class PrivateNetns {
 public:
  // unshare(CLONE_NEWNET) for the calling thread; throws std::runtime_error on failure.
  PrivateNetns();
  // Back to the namespace the thread came from; the private one disappears.
  ~PrivateNetns();
  PrivateNetns(const PrivateNetns&) = delete;
  PrivateNetns& operator=(const PrivateNetns&) = delete;

  // Runs `ip ARGS...` (iproute2) in this namespace; throws with its output on failure.
  void Ip(const std::vector<std::string>& args) const;
  // Writes /proc/sys/<path> as seen from this namespace ("net/ipv4/conf/all/forwarding").
  void Sysctl(const std::string& path, const std::string& value) const;

  // A device `name` with `mac` (one end of a veth pair), up, forwarding on everywhere,
  // holding each address ("198.18.30.1/24"), with a permanent neighbour (address, MAC)
  // for each of `neighbours`: bpf_fib_lookup() then answers for those destinations.
  void AddRoutedDevice(const std::string& name, const MacAddr& mac,
                       const std::vector<std::string>& addresses,
                       const std::vector<std::pair<IpAddr, MacAddr>>& neighbours) const;

  int IfIndex(const std::string& name) const;

 private:
  int original_ = -1;  // fd of the namespace to return to
};

}  // namespace sluice::bpftest
