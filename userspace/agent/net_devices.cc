#include "agent/net_devices.h"

#include <fnmatch.h>
#include <net/if.h>

#include <algorithm>
#include <set>

namespace sluice::agent {

namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

std::string DeviceList(std::span<const NetDevice> devices) {
  std::vector<std::string> names;
  for (const NetDevice& device : devices) names.push_back(device.name);
  std::sort(names.begin(), names.end());
  std::string list;
  for (const std::string& name : names) list += (list.empty() ? "" : ", ") + name;
  return list.empty() ? "none" : list;
}

}  // namespace

void CheckDeviceName(std::string_view name) {
  if (name.empty()) throw DeviceError("empty network device name");
  if (name.size() >= IFNAMSIZ)
    throw DeviceError("network device name \"" + std::string(name) + "\" is longer than " +
                      std::to_string(IFNAMSIZ - 1) + " characters");
  if (name == "." || name == ".." || std::any_of(name.begin(), name.end(), [](char c) {
        return c == '/' || c == ':' || IsSpace(c);
      }))
    throw DeviceError("\"" + std::string(name) + "\" is not a valid network device name");
}

const NetDevice& FindDevice(std::string_view name, std::span<const NetDevice> devices) {
  CheckDeviceName(name);
  for (const NetDevice& device : devices)
    if (device.name == name) return device;
  throw DeviceError("no network device \"" + std::string(name) +
                    "\" (this network namespace has: " + DeviceList(devices) + ")");
}

std::vector<int> ResolveIfindexes(std::span<const std::string> names,
                                  std::span<const NetDevice> devices) {
  std::vector<int> indexes;
  for (const std::string& name : names) indexes.push_back(FindDevice(name, devices).ifindex);
  return indexes;
}

std::vector<int> ResolveIfindexes(std::span<const std::string> names) {
  std::vector<NetDevice> devices = DumpNetDevices();
  return ResolveIfindexes(names, devices);
}

void CheckDevicePattern(std::string_view pattern) {
  if (pattern.empty()) throw DeviceError("empty network device pattern");
  // Longer than a name may be ("eth[0-9][0-9]" matches 5 characters), but bounded.
  if (pattern.size() > 64)
    throw DeviceError("network device pattern \"" + std::string(pattern) + "\" is too long");
  if (std::any_of(pattern.begin(), pattern.end(), [](char c) { return c == '/' || IsSpace(c); }))
    throw DeviceError("\"" + std::string(pattern) + "\" cannot match a network device name");
}

std::vector<NetDevice> MatchDevices(std::span<const std::string> patterns,
                                    std::span<const NetDevice> devices) {
  for (const std::string& pattern : patterns) CheckDevicePattern(pattern);
  std::vector<NetDevice> matched;
  std::set<int> seen;
  for (const NetDevice& device : devices) {
    bool match = std::any_of(patterns.begin(), patterns.end(), [&](const std::string& pattern) {
      return fnmatch(pattern.c_str(), device.name.c_str(), 0) == 0;
    });
    if (match && seen.insert(device.ifindex).second) matched.push_back(device);
  }
  std::sort(matched.begin(), matched.end(),
            [](const NetDevice& a, const NetDevice& b) { return a.name < b.name; });
  return matched;
}

std::vector<NetDevice> MatchDevices(std::span<const std::string> patterns) {
  std::vector<NetDevice> devices = DumpNetDevices();
  return MatchDevices(patterns, devices);
}

}  // namespace sluice::agent
