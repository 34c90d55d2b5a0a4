// The network devices and addresses of the current network namespace, read with
// rtnetlink dumps (RTM_GETLINK, RTM_GETADDR). rtnetlink rather than getifaddrs():
// it reports an address's scope and flags (link-local, host, secondary, DAD failed)
// and the devices of every address family, with their ifindex. Parsing is separate
// from the socket, so tests feed it messages they build.
#pragma once

#include <compare>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "base/ip_address.h"

namespace sluice::agent {

class NetlinkError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct NetDevice {
  int ifindex = 0;
  std::string name;
  uint32_t flags = 0;  // IFF_UP, IFF_LOOPBACK, ...

  bool is_loopback() const;
  auto operator<=>(const NetDevice&) const = default;
};

struct DeviceAddress {
  int ifindex = 0;
  IpAddress address;
  uint8_t prefix_length = 0;
  uint8_t scope = 0;   // RT_SCOPE_UNIVERSE (global), _SITE, _LINK, _HOST
  uint32_t flags = 0;  // IFA_F_SECONDARY, IFA_F_DADFAILED, ... (IFA_FLAGS when present)

  auto operator<=>(const DeviceAddress&) const = default;
};

// Parse one datagram of a dump reply, appending what it describes to `out`. Returns
// true when the datagram ends the dump (NLMSG_DONE). Throws NetlinkError for an
// NLMSG_ERROR reply or a message whose lengths do not add up; other message types
// are skipped.
bool ParseLinkDatagram(std::span<const uint8_t> datagram, std::vector<NetDevice>* out);
bool ParseAddressDatagram(std::span<const uint8_t> datagram, std::vector<DeviceAddress>* out);

// Dumps of the calling thread's network namespace, in the kernel's order. Throw
// NetlinkError when the socket or the dump fails.
std::vector<NetDevice> DumpNetDevices();
std::vector<DeviceAddress> DumpDeviceAddresses();

}  // namespace sluice::agent
