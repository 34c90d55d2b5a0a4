// Finding the cgroup v2 hierarchy: it may be mounted at /sys/fs/cgroup or, on hybrid
// hosts, at /sys/fs/cgroup/unified, so sluice reads /proc/mounts instead of guessing.
#pragma once

#include <optional>
#include <string>

namespace sluice::datapath {

// The mount point of the first cgroup2 filesystem in `mounts_file`, or nullopt.
std::optional<std::string> FindCgroup2Mount(const std::string& mounts_file = "/proc/mounts");

// The cgroup id the kernel reports for a cgroup v2 directory (its inode number);
// throws DatapathError when `path` is not a cgroup v2 directory.
uint64_t CgroupId(const std::string& path);

}  // namespace sluice::datapath
