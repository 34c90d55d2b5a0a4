// Device names to ifindexes, and device name patterns against device listings.
#include "agent/net_devices.h"

#include <gtest/gtest.h>
#include <net/if.h>

#include <string>
#include <vector>

namespace sluice::agent {
namespace {

const std::vector<NetDevice> kDevices = {{1, "lo", IFF_UP | IFF_LOOPBACK},
                                         {2, "eth0", IFF_UP},
                                         {3, "eth1", IFF_UP},
                                         {9, "vethb2", IFF_UP},
                                         {7, "veth0a", IFF_UP},
                                         {8, "lxc_health", IFF_UP},
                                         {10, "lxc12", 0},
                                         {11, "cilium_host", IFF_UP}};

std::vector<std::string> Names(const std::vector<NetDevice>& devices) {
  std::vector<std::string> names;
  for (const NetDevice& device : devices) names.push_back(device.name);
  return names;
}

std::vector<std::string> Match(std::vector<std::string> patterns) {
  return Names(MatchDevices(patterns, kDevices));
}

TEST(CheckDeviceNameTest, KernelRules) {
  EXPECT_NO_THROW(CheckDeviceName("eth0"));
  EXPECT_NO_THROW(CheckDeviceName("a-very-long-nam"));  // 15: the most there is
  EXPECT_THROW(CheckDeviceName("a-very-long-name"), DeviceError);
  EXPECT_THROW(CheckDeviceName(""), DeviceError);
  EXPECT_THROW(CheckDeviceName("eth0:1"), DeviceError) << "an alias label, not a device";
  EXPECT_THROW(CheckDeviceName("a/b"), DeviceError);
  EXPECT_THROW(CheckDeviceName("eth 0"), DeviceError);
  EXPECT_THROW(CheckDeviceName(".."), DeviceError);
}

TEST(ResolveIfindexesTest, InTheOrderGiven) {
  std::vector<std::string> names = {"eth1", "lo", "eth0"};
  EXPECT_EQ(ResolveIfindexes(names, kDevices), (std::vector<int>{3, 1, 2}));
  EXPECT_EQ(FindDevice("veth0a", kDevices).ifindex, 7);
}

TEST(ResolveIfindexesTest, UnknownAndInvalidNamesSayWhy) {
  std::vector<std::string> unknown = {"eth0", "bond0"};
  try {
    ResolveIfindexes(unknown, kDevices);
    FAIL() << "bond0 does not exist";
  } catch (const DeviceError& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("\"bond0\""), std::string::npos) << message;
    EXPECT_NE(message.find("cilium_host, eth0, eth1, lo, lxc12"), std::string::npos) << message;
  }
  std::vector<std::string> invalid = {"this-name-is-too-long"};
  EXPECT_THROW(ResolveIfindexes(invalid, kDevices), DeviceError);
  try {
    FindDevice("eth0", {});
  } catch (const DeviceError& e) {
    EXPECT_NE(std::string(e.what()).find("has: none"), std::string::npos) << e.what();
  }
}

TEST(MatchDevicesTest, GlobsAndExactNames) {
  EXPECT_EQ(Match({"veth*"}), (std::vector<std::string>{"veth0a", "vethb2"})) << "by name";
  EXPECT_EQ(Match({"lxc*"}), (std::vector<std::string>{"lxc12", "lxc_health"}));
  EXPECT_EQ(Match({"eth0"}), (std::vector<std::string>{"eth0"}));
  EXPECT_EQ(Match({"eth[0-9]"}), (std::vector<std::string>{"eth0", "eth1"}));
  EXPECT_EQ(Match({"lxc??"}), (std::vector<std::string>{"lxc12"}));
  EXPECT_EQ(Match({"veth*", "lxc*", "veth0a"}),
            (std::vector<std::string>{"lxc12", "lxc_health", "veth0a", "vethb2"}))
      << "each device once";
  EXPECT_TRUE(Match({"tap*", "eth"}).empty()) << "no match is no error";
  EXPECT_TRUE(Match({}).empty());
}

TEST(MatchDevicesTest, InvalidPatternsThrow) {
  EXPECT_THROW(Match({""}), DeviceError);
  EXPECT_THROW(Match({"veth*", "a/b"}), DeviceError);
  EXPECT_THROW(Match({"veth *"}), DeviceError);
  EXPECT_THROW(Match({std::string(65, '*')}), DeviceError);
}

TEST(MatchDevicesTest, LiveLoopback) {
  std::vector<std::string> patterns = {"l?"};
  std::vector<NetDevice> matched = MatchDevices(patterns);
  ASSERT_FALSE(matched.empty());
  EXPECT_EQ(matched.front().name, "lo");
}

}  // namespace
}  // namespace sluice::agent
