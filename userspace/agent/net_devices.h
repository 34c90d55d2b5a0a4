// Network devices by name: resolving the names an operator gives (--devices) to
// ifindexes, and matching name patterns (veth*, lxc*, eth0) against the devices that
// exist now, e.g. to find the Pod-facing devices to attach tc programs to.
#pragma once

#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "agent/netlink_dump.h"

namespace sluice::agent {

// An unknown device, or a name or pattern that cannot be one.
class DeviceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws DeviceError unless `name` could name a device: 1..15 bytes (IFNAMSIZ - 1),
// no '/', ':' or white space (the kernel's dev_valid_name; ':' is an alias label).
void CheckDeviceName(std::string_view name);

// The device called `name` in `devices`; throws DeviceError naming the devices there
// are when there is none.
const NetDevice& FindDevice(std::string_view name, std::span<const NetDevice> devices);

// The ifindex of each name, in the order given. Throws DeviceError for the first
// name that is invalid or not a device.
std::vector<int> ResolveIfindexes(std::span<const std::string> names,
                                  std::span<const NetDevice> devices);
// The same against the calling thread's network namespace (also throws NetlinkError).
std::vector<int> ResolveIfindexes(std::span<const std::string> names);

// Throws DeviceError unless `pattern` is an fnmatch(3) pattern a device name could
// match: non-empty, at most 15 characters' worth, no '/' or white space.
void CheckDevicePattern(std::string_view pattern);

// The devices whose names match any of `patterns` (exact names or fnmatch globs such
// as "veth*", "lxc*", "eth[0-3]"), each once, ordered by name so the result does not
// depend on the kernel's listing order. Patterns that match nothing are no error:
// Pod devices come and go. Throws DeviceError for an invalid pattern.
std::vector<NetDevice> MatchDevices(std::span<const std::string> patterns,
                                    std::span<const NetDevice> devices);
// The same against the calling thread's network namespace (also throws NetlinkError).
std::vector<NetDevice> MatchDevices(std::span<const std::string> patterns);

}  // namespace sluice::agent
