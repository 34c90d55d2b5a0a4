#include "datapath/cgroup_links.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "base/log.h"
#include "datapath/bpf_map_set.h"
#include "datapath/cgroup.h"
#include "datapath/pin_paths.h"

namespace sluice::datapath {
namespace {

struct LinkCloser {
  void operator()(bpf_link* link) const {
    // The pin keeps the attachment; dropping our reference must not detach it.
    bpf_link__disconnect(link);
    bpf_link__destroy(link);
  }
};
using LinkPtr = std::unique_ptr<bpf_link, LinkCloser>;

// The cgroup a pinned link is attached to, or 0 if the link is not a cgroup link.
uint64_t LinkCgroupId(const bpf_link* link) {
  bpf_link_info info{};
  uint32_t len = sizeof(info);
  if (bpf_obj_get_info_by_fd(bpf_link__fd(link), &info, &len)) return 0;
  if (info.type != BPF_LINK_TYPE_CGROUP) return 0;
  return info.cgroup.cgroup_id;
}

// Returns true when the pinned link was adopted with `prog` swapped in.
bool AdoptLink(bpf_program* prog, const std::string& path, uint64_t cgroup_id) {
  if (access(path.c_str(), F_OK) != 0) return false;  // first run: nothing pinned
  LinkPtr link(bpf_link__open(path.c_str()));
  if (!link) {
    // A pin that is not a link (left by something else): make room for ours.
    log::Warn("removing an unusable pin", {{"path", path}, {"error", strerror(errno)}});
    unlink(path.c_str());
    return false;
  }
  if (LinkCgroupId(link.get()) == cgroup_id) {
    if (int err = bpf_link__update_program(link.get(), prog))
      throw DatapathError("cannot update pinned link " + path + ": " + strerror(-err));
    return true;
  }
  // Attached somewhere else (the agent was started with another --cgroup-path):
  // unpinning drops the last reference and detaches it.
  log::Warn("replacing a link attached to another cgroup", {{"link", path}});
  if (int err = bpf_link__unpin(link.get()))
    throw DatapathError("cannot unpin stale link " + path + ": " + strerror(-err));
  return false;
}

}  // namespace

void AttachCgroupPrograms(bpf_object* obj, const std::string& dir, const std::string& cgroup_path) {
  uint64_t cgroup_id = CgroupId(cgroup_path);
  int cgroup_fd = open(cgroup_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (cgroup_fd < 0) throw DatapathError("cannot open cgroup " + cgroup_path + ": " + strerror(errno));
  UniqueFd cgroup(cgroup_fd);

  bpf_program* prog;
  bpf_object__for_each_program(prog, obj) {
    std::string path = LinkPinPath(dir, bpf_program__name(prog));
    if (AdoptLink(prog, path, cgroup_id)) continue;
    LinkPtr link(bpf_program__attach_cgroup(prog, cgroup.get()));
    if (!link)
      throw DatapathError(std::string("cannot attach ") + bpf_program__name(prog) + " to " +
                          cgroup_path + ": " + strerror(errno));
    if (int err = bpf_link__pin(link.get(), path.c_str()))
      throw DatapathError("cannot pin link at " + path + ": " + strerror(-err));
  }
}

}  // namespace sluice::datapath
