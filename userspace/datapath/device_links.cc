#include "datapath/device_links.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "base/log.h"
#include "datapath/bpf_map_set.h"
#include "datapath/pin_paths.h"

namespace sluice::datapath {
namespace {

// tcx (Linux 6.6+) is newer than this build's UAPI headers: the values from the
// kernel's enum bpf_attach_type / bpf_link_type.
constexpr int kAttachTcxIngress = 46;
constexpr int kAttachTcxEgress = 47;
constexpr uint32_t kLinkTypeTcx = 11;

bool IsXdp(DeviceHook hook) { return hook == DeviceHook::kXdpNative || hook == DeviceHook::kXdpGeneric; }

int AttachType(DeviceHook hook) {
  switch (hook) {
    case DeviceHook::kXdpNative:
    case DeviceHook::kXdpGeneric: return BPF_XDP;
    case DeviceHook::kTcIngress:
    case DeviceHook::kTcPodIngress: return kAttachTcxIngress;
    case DeviceHook::kTcEgress:
    case DeviceHook::kTcPodEgress: return kAttachTcxEgress;
  }
  return BPF_XDP;
}

// The device a pinned link is attached to (0 when its device is gone), and whether
// it is the kind of link `hook` needs. XDP and tcx link info both start with the
// ifindex right after the common header.
bool LinkMatches(int link_fd, DeviceHook hook, uint32_t ifindex) {
  bpf_link_info info{};
  uint32_t len = sizeof(info);
  if (bpf_obj_get_info_by_fd(link_fd, &info, &len)) return false;
  uint32_t want_type = IsXdp(hook) ? static_cast<uint32_t>(BPF_LINK_TYPE_XDP) : kLinkTypeTcx;
  return info.type == want_type && info.xdp.ifindex == ifindex;
}

}  // namespace

const char* HookPinPrefix(DeviceHook hook) {
  switch (hook) {
    case DeviceHook::kXdpNative:
    case DeviceHook::kXdpGeneric: return "xdp";
    case DeviceHook::kTcIngress: return "tc-in";
    case DeviceHook::kTcEgress: return "tc-eg";
    case DeviceHook::kTcPodIngress: return "tc-pod-in";
    case DeviceHook::kTcPodEgress: return "tc-pod-eg";
  }
  return "?";
}

std::string DeviceLinkPinName(DeviceHook hook, const std::string& device) {
  return std::string(HookPinPrefix(hook)) + "-" + device;
}

std::string AttachDeviceProgram(bpf_program* prog, DeviceHook hook, const std::string& device,
                                const std::string& bpffs_dir) {
  const uint32_t ifindex = if_nametoindex(device.c_str());
  if (ifindex == 0) throw DatapathError("device " + device + ": " + strerror(errno));
  const std::string name = DeviceLinkPinName(hook, device);
  const std::string path = LinkPinPath(bpffs_dir, name);

  if (access(path.c_str(), F_OK) == 0) {
    int fd = bpf_obj_get(path.c_str());
    UniqueFd link(fd);
    if (fd >= 0 && LinkMatches(fd, hook, ifindex)) {
      if (bpf_link_update(fd, bpf_program__fd(prog), nullptr))
        throw DatapathError("cannot update link " + path + ": " + strerror(errno));
      return name;
    }
    // The device was re-created, or the pin is not what this hook needs.
    log::Warn("replacing a stale device link", {{"link", path}});
    unlink(path.c_str());
  }

  LIBBPF_OPTS(bpf_link_create_opts, opts);
  if (hook == DeviceHook::kXdpNative) opts.flags = XDP_FLAGS_DRV_MODE;
  if (hook == DeviceHook::kXdpGeneric) opts.flags = XDP_FLAGS_SKB_MODE;
  int fd = bpf_link_create(bpf_program__fd(prog), static_cast<int>(ifindex),
                           static_cast<bpf_attach_type>(AttachType(hook)), &opts);
  if (fd < 0) {
    int err = errno;
    std::string why = strerror(err);
    if (IsXdp(hook) && err == EBUSY) why += " (another XDP program is attached)";
    if (hook == DeviceHook::kXdpNative && (err == EOPNOTSUPP || err == EINVAL))
      why += " (the driver has no native XDP: use --xdp-mode=generic or off)";
    throw DatapathError(std::string("cannot attach ") + HookPinPrefix(hook) + " to " + device + ": " + why);
  }
  UniqueFd link(fd);
  if (bpf_obj_pin(fd, path.c_str()))
    throw DatapathError("cannot pin link at " + path + ": " + strerror(errno));
  return name;
}

int RemoveStaleDeviceLinks(const std::string& bpffs_dir, const std::set<std::string>& keep) {
  int removed = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(LinksDir(bpffs_dir), ec)) {
    const std::string name = entry.path().filename().string();
    bool device_link = name.starts_with("xdp-") || name.starts_with("tc-");
    if (!device_link || keep.count(name)) continue;
    if (unlink(entry.path().c_str()) == 0) {
      ++removed;
      log::Info("detached from a device no longer configured", {{"link", name}});
    }
  }
  return removed;
}

}  // namespace sluice::datapath
