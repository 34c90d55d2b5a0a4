// Loading the socket load-balancing programs (bpf/sock_lb.bpf.c): skeleton open,
// maps adopted or sized, load, maps pinned, programs attached to the cgroup. One
// shot: afterwards everything lives in bpffs and the caller opens the maps by pin.
#pragma once

#include <string>

#include "datapath/map_limits.h"
#include "datapath/map_migration.h"

namespace sluice::datapath {

struct SocketLbOptions {
  std::string bpffs_dir;
  std::string cgroup_path;
  MapLimits limits;
  MapMigrations* migrations = nullptr;  // pinned maps to upgrade; finished by the caller
};

// Throws DatapathError with the reason (verifier log on stderr from libbpf).
void LoadSocketLb(const SocketLbOptions& options);

// --socket-lb=false: detaches the socket hooks an earlier run left pinned. Returns how
// many links were removed.
int DetachSocketLb(const std::string& bpffs_dir);

}  // namespace sluice::datapath
