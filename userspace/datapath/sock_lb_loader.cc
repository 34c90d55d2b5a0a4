#include "datapath/sock_lb_loader.h"

#include <cerrno>
#include <cstring>
#include <memory>

#include "datapath/bpf_map_set.h"
#include "datapath/bpffs.h"
#include "datapath/cgroup_links.h"
#include "sock_lb.skel.h"

namespace sluice::datapath {

void LoadSocketLb(const SocketLbOptions& options) {
  PrepareBpffsDir(options.bpffs_dir);
  std::unique_ptr<sock_lb, decltype(&sock_lb__destroy)> skel(sock_lb__open(), &sock_lb__destroy);
  if (!skel) throw DatapathError(std::string("cannot open sock_lb object: ") + strerror(errno));
  AdoptPinnedMaps(skel->obj, options.bpffs_dir, options.limits);
  if (int err = sock_lb__load(skel.get()))
    throw DatapathError(std::string("cannot load sock_lb programs: ") + strerror(-err));
  PinMaps(skel->obj, options.bpffs_dir);
  AttachCgroupPrograms(skel->obj, options.bpffs_dir, options.cgroup_path);
}

}  // namespace sluice::datapath
