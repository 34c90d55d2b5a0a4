// Attaching packet-path programs to network devices through pinned BPF links (XDP
// links and tcx links), so they stay attached while the agent is down and a restarted
// agent swaps its new programs into the same links. Each (hook, device) has one pin
// under <bpffs>/links/, named "<hook>-<device>".
#pragma once

#include <cstdint>
#include <set>
#include <string>

struct bpf_program;

namespace sluice::datapath {

enum class DeviceHook {
  kXdpNative,   // XDP in the driver (veth and most NICs)
  kXdpGeneric,  // XDP on the skb path, for drivers without native support
  kTcIngress,
  kTcEgress,
  kTcPodIngress,  // Pod-facing devices: ClusterIP for untranslated sockets
  kTcPodEgress,
};

// "xdp", "tc-in", "tc-eg", "tc-pod-in", "tc-pod-eg": the pin name's prefix.
const char* HookPinPrefix(DeviceHook hook);
std::string DeviceLinkPinName(DeviceHook hook, const std::string& device);

// Attaches `prog` at `hook` of `device`, or swaps it into the link an earlier run
// pinned there. Returns the pin's name. Throws DatapathError (unknown device, driver
// refusing native XDP, ...).
std::string AttachDeviceProgram(bpf_program* prog, DeviceHook hook, const std::string& device,
                                const std::string& bpffs_dir);

// Removes the device-link pins under `bpffs_dir` that are not in `keep` (devices
// dropped from the flags, a changed --xdp-mode): unpinning detaches them. Returns how
// many were removed.
int RemoveStaleDeviceLinks(const std::string& bpffs_dir, const std::set<std::string>& keep);

}  // namespace sluice::datapath
