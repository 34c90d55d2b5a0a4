// Loading the packet path (bpf/xdp_lb.bpf.c, bpf/tc_lb.bpf.c) against sluice's pinned
// maps and attaching it: XDP (native or generic) or tc ingress on the node's devices,
// tc egress on them for replies of local backends, and tc on Pod-facing devices for
// ClusterIPs the socket hooks did not translate. One shot, like LoadSocketLb: links
// are pinned, so the programs stay attached when the agent exits.
#pragma once

#include <string>
#include <vector>

#include "datapath/map_limits.h"
#include "datapath/map_migration.h"

namespace sluice::datapath {

enum class XdpMode { kNative, kGeneric, kOff };

struct PacketLbOptions {
  std::string bpffs_dir;
  std::vector<std::string> devices;      // external devices
  std::vector<std::string> pod_devices;  // Pod-facing devices (resolved names)
  XdpMode xdp_mode = XdpMode::kNative;
  MapLimits limits;
  MapMigrations* migrations = nullptr;  // pinned maps to upgrade; finished by the caller
};

// Throws DatapathError. Links of devices (or hooks) no longer configured are removed.
void LoadPacketLb(const PacketLbOptions& options);

}  // namespace sluice::datapath
