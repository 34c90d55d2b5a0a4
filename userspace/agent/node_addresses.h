// This node's addresses from its network devices: the NodePort frontends' addresses
// when the operator names devices (--devices eth0,eth1) but no --node-ip, as
// kube-proxy's --nodeport-addresses and Cilium's --devices derive them.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "agent/net_devices.h"
#include "agent/netlink_dump.h"
#include "base/ip_address.h"

namespace sluice::agent {

// Whether `address` of `device` is one a client outside the node could use:
// - IPv4 and IPv6 of global scope (RT_SCOPE_UNIVERSE; IPv6 site-local too);
// - never IPv6 link-local (fe80::/10): it needs a zone and is not unique to the node;
// - never loopback (127.0.0.0/8, ::1, host scope) unless the device is the loopback
//   device itself, for tests and single-node setups that name "lo" on purpose;
// - never an IPv6 address whose duplicate address detection failed (another host
//   has it). Tentative ones are kept: they are ours within a second or two.
bool IsNodeAddress(const NetDevice& device, const DeviceAddress& address);

// The node addresses of the devices named, from listings of devices and addresses:
// devices in the order given, then IPv4 before IPv6, primary before secondary (IPv6
// temporary) addresses, then by address; each address once. Throws DeviceError for a
// name that is invalid or not a device. A device without a usable address adds
// nothing (it may be about to get one); the caller decides whether none is an error.
std::vector<IpAddress> SelectNodeAddresses(std::span<const std::string> device_names,
                                           std::span<const NetDevice> devices,
                                           std::span<const DeviceAddress> addresses);

// The same from the calling thread's network namespace. Throws DeviceError or
// NetlinkError.
std::vector<IpAddress> NodeAddressesOfDevices(std::span<const std::string> device_names);

}  // namespace sluice::agent
