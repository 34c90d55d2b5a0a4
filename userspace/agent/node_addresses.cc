#include "agent/node_addresses.h"

#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include <algorithm>
#include <set>
#include <tuple>

namespace sluice::agent {

namespace {

bool IsLinkLocalV6(const IpAddress& ip) {
  return !ip.is_v4() && ip.bytes()[0] == 0xfe && (ip.bytes()[1] & 0xc0) == 0x80;
}

bool IsLoopback(const IpAddress& ip) {
  if (ip.is_v4()) return ip.bytes()[0] == 127;
  static const IpAddress kLoopbackV6 = *IpAddress::Parse("::1");
  return ip == kLoopbackV6;
}

}  // namespace

bool IsNodeAddress(const NetDevice& device, const DeviceAddress& address) {
  const IpAddress& ip = address.address;
  if (address.flags & IFA_F_DADFAILED) return false;
  if (IsLinkLocalV6(ip) || address.scope == RT_SCOPE_LINK) return false;
  bool loopback = IsLoopback(ip) || address.scope == RT_SCOPE_HOST;
  if (loopback) return device.is_loopback();
  return address.scope == RT_SCOPE_UNIVERSE || address.scope == RT_SCOPE_SITE;
}

std::vector<IpAddress> SelectNodeAddresses(std::span<const std::string> device_names,
                                           std::span<const NetDevice> devices,
                                           std::span<const DeviceAddress> addresses) {
  std::vector<IpAddress> selected;
  std::set<IpAddress> seen;
  std::set<int> devices_done;
  for (const std::string& name : device_names) {
    const NetDevice& device = FindDevice(name, devices);
    if (!devices_done.insert(device.ifindex).second) continue;  // named twice

    std::vector<const DeviceAddress*> own;
    for (const DeviceAddress& address : addresses)
      if (address.ifindex == device.ifindex && IsNodeAddress(device, address))
        own.push_back(&address);
    // IFA_F_SECONDARY and IFA_F_TEMPORARY are the same bit: an IPv4 secondary or an
    // IPv6 privacy address, both after the addresses that name the node.
    auto order = [](const DeviceAddress* a) {
      return std::make_tuple(!a->address.is_v4(), (a->flags & IFA_F_SECONDARY) != 0, a->address);
    };
    std::sort(own.begin(), own.end(),
              [&](const DeviceAddress* a, const DeviceAddress* b) { return order(a) < order(b); });
    for (const DeviceAddress* address : own)
      if (seen.insert(address->address).second) selected.push_back(address->address);
  }
  return selected;
}

std::vector<IpAddress> NodeAddressesOfDevices(std::span<const std::string> device_names) {
  std::vector<NetDevice> devices = DumpNetDevices();
  std::vector<DeviceAddress> addresses = DumpDeviceAddresses();
  return SelectNodeAddresses(device_names, devices, addresses);
}

}  // namespace sluice::agent
