#include "datapath/packet_lb_loader.h"

#include <cerrno>
#include <cstring>
#include <memory>
#include <set>

#include "base/log.h"
#include "datapath/bpf_map_set.h"
#include "datapath/bpffs.h"
#include "datapath/device_links.h"
#include "tc_lb.skel.h"
#include "xdp_lb.skel.h"

namespace sluice::datapath {
namespace {

template <typename Skel>
using SkelPtr = std::unique_ptr<Skel, void (*)(Skel*)>;

}  // namespace

void LoadPacketLb(const PacketLbOptions& o) {
  PrepareBpffsDir(o.bpffs_dir);
  MapMigrations local;
  MapMigrations& migrations = o.migrations ? *o.migrations : local;
  std::set<std::string> keep;
  const bool xdp = o.xdp_mode != XdpMode::kOff && !o.devices.empty();
  const bool tc = !o.devices.empty() || !o.pod_devices.empty();

  if (xdp) {
    SkelPtr<xdp_lb> skel(xdp_lb__open(), &xdp_lb__destroy);
    if (!skel) throw DatapathError(std::string("cannot open xdp_lb object: ") + strerror(errno));
    AdoptPinnedMaps(skel->obj, o.bpffs_dir, o.limits, migrations);
    if (int err = xdp_lb__load(skel.get()))
      throw DatapathError(std::string("cannot load xdp_lb: ") + strerror(-err));
    PinMaps(skel->obj, o.bpffs_dir, migrations);
    DeviceHook hook = o.xdp_mode == XdpMode::kNative ? DeviceHook::kXdpNative : DeviceHook::kXdpGeneric;
    for (const std::string& dev : o.devices)
      keep.insert(AttachDeviceProgram(skel->progs.sluice_xdp_ingress, hook, dev, o.bpffs_dir));
  }
  if (tc) {
    SkelPtr<tc_lb> skel(tc_lb__open(), &tc_lb__destroy);
    if (!skel) throw DatapathError(std::string("cannot open tc_lb object: ") + strerror(errno));
    AdoptPinnedMaps(skel->obj, o.bpffs_dir, o.limits, migrations);
    if (int err = tc_lb__load(skel.get()))
      throw DatapathError(std::string("cannot load tc_lb: ") + strerror(-err));
    PinMaps(skel->obj, o.bpffs_dir, migrations);
    for (const std::string& dev : o.devices) {
      // With XDP too: what XDP passes up (next hop unresolved, a fallback) is finished
      // at tc ingress.
      keep.insert(AttachDeviceProgram(skel->progs.sluice_tc_ingress, DeviceHook::kTcIngress, dev, o.bpffs_dir));
      keep.insert(AttachDeviceProgram(skel->progs.sluice_tc_egress, DeviceHook::kTcEgress, dev, o.bpffs_dir));
    }
    for (const std::string& dev : o.pod_devices) {
      keep.insert(AttachDeviceProgram(skel->progs.sluice_tc_pod_ingress, DeviceHook::kTcPodIngress, dev, o.bpffs_dir));
      keep.insert(AttachDeviceProgram(skel->progs.sluice_tc_egress, DeviceHook::kTcPodEgress, dev, o.bpffs_dir));
    }
  }
  RemoveStaleDeviceLinks(o.bpffs_dir, keep);
  if (!o.migrations) local.Finish();
  if (!o.devices.empty() || !o.pod_devices.empty())
    log::Info("packet path attached", {{"devices", o.devices.size()},
                                       {"pod_devices", o.pod_devices.size()},
                                       {"xdp", xdp ? (o.xdp_mode == XdpMode::kNative ? "native" : "generic") : "off"},
                                       {"links", keep.size()}});
}

}  // namespace sluice::datapath
