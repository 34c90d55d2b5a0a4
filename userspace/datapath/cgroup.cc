#include "datapath/cgroup.h"

#include <sys/stat.h>
#include <sys/statfs.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "datapath/bpf_map_set.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

namespace sluice::datapath {

std::optional<std::string> FindCgroup2Mount(const std::string& mounts_file) {
  std::ifstream in(mounts_file);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string device, mount_point, fstype;
    if (!(fields >> device >> mount_point >> fstype)) continue;
    if (fstype == "cgroup2") return mount_point;
  }
  return std::nullopt;
}

uint64_t CgroupId(const std::string& path) {
  struct statfs fs {};
  if (statfs(path.c_str(), &fs) != 0)
    throw DatapathError("cgroup path " + path + ": " + strerror(errno));
  if (static_cast<unsigned long>(fs.f_type) != CGROUP2_SUPER_MAGIC)
    throw DatapathError("cgroup path " + path + " is not on a cgroup v2 filesystem");
  struct stat st {};
  if (stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw DatapathError("cgroup path " + path + " is not a directory");
  return st.st_ino;
}

}  // namespace sluice::datapath
