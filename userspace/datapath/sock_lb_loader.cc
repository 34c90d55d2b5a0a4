#include "datapath/sock_lb_loader.h"

#include <cerrno>
#include <cstring>
#include <memory>

#include "datapath/bpf_map_set.h"
#include "datapath/bpffs.h"
#include "datapath/cgroup_links.h"
#include "datapath/pin_paths.h"

#include <unistd.h>
#include "sock_lb.skel.h"

namespace sluice::datapath {

void LoadSocketLb(const SocketLbOptions& options) {
  PrepareBpffsDir(options.bpffs_dir);
  std::unique_ptr<sock_lb, decltype(&sock_lb__destroy)> skel(sock_lb__open(), &sock_lb__destroy);
  if (!skel) throw DatapathError(std::string("cannot open sock_lb object: ") + strerror(errno));
  MapMigrations local;
  MapMigrations& migrations = options.migrations ? *options.migrations : local;
  AdoptPinnedMaps(skel->obj, options.bpffs_dir, options.limits, migrations);
  if (int err = sock_lb__load(skel.get()))
    throw DatapathError(std::string("cannot load sock_lb programs: ") + strerror(-err));
  PinMaps(skel->obj, options.bpffs_dir, migrations);
  AttachCgroupPrograms(skel->obj, options.bpffs_dir, options.cgroup_path);
  if (!options.migrations) local.Finish();
}

int DetachSocketLb(const std::string& bpffs_dir) {
  std::unique_ptr<sock_lb, decltype(&sock_lb__destroy)> skel(sock_lb__open(), &sock_lb__destroy);
  if (!skel) return 0;
  int removed = 0;
  bpf_program* prog;
  bpf_object__for_each_program(prog, skel->obj) {
    std::string path = LinkPinPath(bpffs_dir, bpf_program__name(prog));
    if (unlink(path.c_str()) == 0) ++removed;
  }
  return removed;
}

}  // namespace sluice::datapath
