// The node's addresses from its devices: rtnetlink parsing fed with built messages,
// the selection rules on listings, the loopback device of this namespace (no root),
// and, as root, a veth pair with IPv4 and IPv6 addresses in a private network
// namespace that dies with the thread that made it.
#include "agent/node_addresses.h"

#include <errno.h>
#include <gtest/gtest.h>
#include <linux/if_addr.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "unit/agent/netlink_builder.h"

extern char** environ;

namespace sluice::agent {
namespace {

using testing::NetlinkBuilder;

IpAddress Ip(std::string_view text) { return *IpAddress::Parse(text); }

std::vector<std::string> Texts(const std::vector<IpAddress>& ips) {
  std::vector<std::string> texts;
  for (const IpAddress& ip : ips) texts.push_back(ip.ToString());
  return texts;
}

std::vector<uint8_t> Bytes(const IpAddress& ip) {
  return std::vector<uint8_t>(ip.bytes().begin(), ip.bytes().begin() + (ip.is_v4() ? 4 : 16));
}

ifaddrmsg AddrHeader(uint8_t family, int ifindex, uint8_t prefix, uint8_t scope = RT_SCOPE_UNIVERSE,
                     uint8_t flags = 0) {
  ifaddrmsg header{};
  header.ifa_family = family;
  header.ifa_index = static_cast<uint32_t>(ifindex);
  header.ifa_prefixlen = prefix;
  header.ifa_scope = scope;
  header.ifa_flags = flags;
  return header;
}

ifinfomsg LinkHeader(int ifindex, uint32_t flags) {
  ifinfomsg header{};
  header.ifi_index = ifindex;
  header.ifi_flags = flags;
  return header;
}

// --- parsing ---------------------------------------------------------------------

TEST(ParseAddressDatagramTest, AddressesScopesAndFlags) {
  NetlinkBuilder b;
  b.Message(RTM_NEWADDR, AddrHeader(AF_INET, 2, 24))
      .Attribute(IFA_ADDRESS, Bytes(Ip("198.18.0.1")))
      .Attribute(IFA_LOCAL, Bytes(Ip("198.18.0.1")))
      .String(IFA_LABEL, "eth0");
  // Point-to-point: IFA_ADDRESS is the peer, IFA_LOCAL ours, in either order.
  b.Message(RTM_NEWADDR, AddrHeader(AF_INET, 3, 32))
      .Attribute(IFA_LOCAL, Bytes(Ip("198.18.5.1")))
      .Attribute(IFA_ADDRESS, Bytes(Ip("198.18.5.2")));
  // IPv6 says IFA_ADDRESS only; IFA_FLAGS carries the flags that do not fit 8 bits.
  b.Message(RTM_NEWADDR, AddrHeader(AF_INET6, 2, 64, RT_SCOPE_UNIVERSE, IFA_F_NODAD))
      .Attribute(IFA_ADDRESS, Bytes(Ip("fd00::1")))
      .U32(IFA_FLAGS, IFA_F_NODAD | IFA_F_NOPREFIXROUTE);
  b.Message(RTM_NEWADDR, AddrHeader(AF_INET6, 2, 64, RT_SCOPE_LINK))
      .Attribute(IFA_ADDRESS, Bytes(Ip("fe80::1")));
  b.Done();

  std::vector<DeviceAddress> out;
  ASSERT_TRUE(ParseAddressDatagram(b.bytes(), &out));
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0], (DeviceAddress{2, Ip("198.18.0.1"), 24, RT_SCOPE_UNIVERSE, 0}));
  EXPECT_EQ(out[1].address, Ip("198.18.5.1"));
  EXPECT_EQ(out[2], (DeviceAddress{2, Ip("fd00::1"), 64, RT_SCOPE_UNIVERSE,
                                   IFA_F_NODAD | IFA_F_NOPREFIXROUTE}));
  EXPECT_EQ(out[3].scope, RT_SCOPE_LINK);
}

TEST(ParseAddressDatagramTest, SkipsWhatIsNotAnAddressAndReportsTheEnd) {
  NetlinkBuilder b;
  b.Message(RTM_NEWADDR, AddrHeader(AF_PACKET, 2, 0))
      .Attribute(IFA_ADDRESS, std::vector<uint8_t>(6, 1));
  b.Message(RTM_NEWADDR, AddrHeader(AF_INET, 2, 24));  // no address at all
  b.Message(RTM_NEWLINK, LinkHeader(2, 0));            // not ours to read here
  b.Message(RTM_NEWADDR, AddrHeader(AF_INET, 2, 24))
      .Attribute(IFA_LOCAL, std::vector<uint8_t>(3, 1));
  std::vector<DeviceAddress> out;
  EXPECT_FALSE(ParseAddressDatagram(b.bytes(), &out)) << "no NLMSG_DONE yet";
  EXPECT_TRUE(out.empty());

  std::vector<uint8_t> empty;
  EXPECT_FALSE(ParseAddressDatagram(empty, &out));
}

TEST(ParseAddressDatagramTest, ErrorsAndBrokenLengthsThrow) {
  std::vector<DeviceAddress> out;
  NetlinkBuilder error;
  error.Error(-EPERM);
  try {
    ParseAddressDatagram(error.bytes(), &out);
    FAIL() << "NLMSG_ERROR must throw";
  } catch (const NetlinkError& e) {
    EXPECT_NE(std::string(e.what()).find(strerror(EPERM)), std::string::npos) << e.what();
  }
  NetlinkBuilder ack;  // an error message with 0 is an acknowledgement
  ack.Error(0).Done();
  EXPECT_TRUE(ParseAddressDatagram(ack.bytes(), &out));
  NetlinkBuilder failed_done;
  failed_done.Done(-EINTR);
  EXPECT_THROW(ParseAddressDatagram(failed_done.bytes(), &out), NetlinkError);

  NetlinkBuilder b;
  b.Message(RTM_NEWADDR, AddrHeader(AF_INET, 2, 24)).Attribute(IFA_LOCAL, Bytes(Ip("198.18.0.1")));
  std::vector<uint8_t> truncated = b.bytes();
  truncated.resize(truncated.size() - 6);
  EXPECT_THROW(ParseAddressDatagram(truncated, &out), NetlinkError);

  std::vector<uint8_t> bad_attribute = b.bytes();
  uint16_t huge = 200;  // the attribute claims more than its message holds
  std::memcpy(bad_attribute.data() + NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(ifaddrmsg)), &huge, 2);
  EXPECT_THROW(ParseAddressDatagram(bad_attribute, &out), NetlinkError);
}

TEST(ParseLinkDatagramTest, NamesIndexesAndFlags) {
  NetlinkBuilder b;
  b.Message(RTM_NEWLINK, LinkHeader(1, IFF_UP | IFF_LOOPBACK))
      .U32(IFLA_MTU, 65536)
      .String(IFLA_IFNAME, "lo");
  b.Message(RTM_NEWLINK, LinkHeader(7, IFF_UP)).String(IFLA_IFNAME, "veth1a2b");
  b.Done();
  std::vector<NetDevice> out;
  ASSERT_TRUE(ParseLinkDatagram(b.bytes(), &out));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0], (NetDevice{1, "lo", IFF_UP | IFF_LOOPBACK}));
  EXPECT_TRUE(out[0].is_loopback());
  EXPECT_EQ(out[1], (NetDevice{7, "veth1a2b", IFF_UP}));
  EXPECT_FALSE(out[1].is_loopback());
}

// --- selection -------------------------------------------------------------------

const std::vector<NetDevice> kDevices = {
    {1, "lo", IFF_UP | IFF_LOOPBACK}, {2, "eth0", IFF_UP}, {3, "eth1", IFF_UP}};

TEST(IsNodeAddressTest, Rules) {
  const NetDevice& lo = kDevices[0];
  const NetDevice& eth0 = kDevices[1];
  auto address = [](std::string_view ip, uint8_t scope, uint32_t flags = 0) {
    return DeviceAddress{2, Ip(ip), 24, scope, flags};
  };
  EXPECT_TRUE(IsNodeAddress(eth0, address("198.18.0.1", RT_SCOPE_UNIVERSE)));
  EXPECT_TRUE(IsNodeAddress(eth0, address("fd00::1", RT_SCOPE_UNIVERSE)));
  EXPECT_TRUE(IsNodeAddress(eth0, address("fd00::1", RT_SCOPE_UNIVERSE, IFA_F_TENTATIVE)));
  EXPECT_FALSE(IsNodeAddress(eth0, address("fd00::1", RT_SCOPE_UNIVERSE, IFA_F_DADFAILED)));
  EXPECT_FALSE(IsNodeAddress(eth0, address("fe80::1", RT_SCOPE_LINK)));
  EXPECT_FALSE(IsNodeAddress(eth0, address("fe80::1", RT_SCOPE_UNIVERSE))) << "by prefix too";
  EXPECT_FALSE(IsNodeAddress(eth0, address("169.254.1.1", RT_SCOPE_LINK)));
  EXPECT_FALSE(IsNodeAddress(eth0, address("127.0.0.2", RT_SCOPE_HOST)));
  EXPECT_FALSE(IsNodeAddress(eth0, address("127.0.0.2", RT_SCOPE_UNIVERSE))) << "by prefix too";
  EXPECT_TRUE(IsNodeAddress(lo, address("127.0.0.1", RT_SCOPE_HOST)));
  EXPECT_TRUE(IsNodeAddress(lo, address("::1", RT_SCOPE_HOST)));
  EXPECT_TRUE(IsNodeAddress(lo, address("198.18.9.9", RT_SCOPE_UNIVERSE)))
      << "an anycast VIP on lo";
}

TEST(SelectNodeAddressesTest, OrderIsDevicesThenFamilyThenPrimaryThenAddress) {
  std::vector<DeviceAddress> addresses = {
      {2, Ip("fd00::9"), 64, RT_SCOPE_UNIVERSE, 0},
      {2, Ip("198.18.0.9"), 24, RT_SCOPE_UNIVERSE, IFA_F_SECONDARY},
      {2, Ip("fe80::1"), 64, RT_SCOPE_LINK, 0},
      {2, Ip("198.18.0.20"), 24, RT_SCOPE_UNIVERSE, 0},
      {2, Ip("fd00::1"), 64, RT_SCOPE_UNIVERSE, IFA_F_TEMPORARY},
      {3, Ip("198.18.1.1"), 24, RT_SCOPE_UNIVERSE, 0},
      {3, Ip("198.18.0.20"), 24, RT_SCOPE_UNIVERSE, 0},  // on both: listed once
      {1, Ip("127.0.0.1"), 8, RT_SCOPE_HOST, 0},
  };
  std::vector<std::string> eth1_first = {"eth1", "eth0"};
  EXPECT_EQ(
      Texts(SelectNodeAddresses(eth1_first, kDevices, addresses)),
      (std::vector<std::string>{"198.18.0.20", "198.18.1.1", "198.18.0.9", "fd00::9", "fd00::1"}));
  std::vector<std::string> eth0 = {"eth0", "eth0"};
  EXPECT_EQ(Texts(SelectNodeAddresses(eth0, kDevices, addresses)),
            (std::vector<std::string>{"198.18.0.20", "198.18.0.9", "fd00::9", "fd00::1"}));
  std::vector<std::string> lo = {"lo"};
  EXPECT_EQ(Texts(SelectNodeAddresses(lo, kDevices, addresses)),
            (std::vector<std::string>{"127.0.0.1"}));
}

TEST(SelectNodeAddressesTest, UnknownDevicesAreErrorsThatSayWhatThereIs) {
  std::vector<std::string> names = {"eth0", "eth9"};
  try {
    SelectNodeAddresses(names, kDevices, {});
    FAIL() << "eth9 does not exist";
  } catch (const DeviceError& e) {
    EXPECT_EQ(std::string(e.what()),
              "no network device \"eth9\" (this network namespace has: eth0, eth1, lo)");
  }
  std::vector<std::string> invalid = {"eth0/x"};
  EXPECT_THROW(SelectNodeAddresses(invalid, kDevices, {}), DeviceError);
}

// --- this namespace's loopback (no privileges needed) ----------------------------

TEST(LiveDevicesTest, LoopbackDeviceAndItsAddresses) {
  std::vector<NetDevice> devices = DumpNetDevices();
  auto lo = std::find_if(devices.begin(), devices.end(),
                         [](const NetDevice& d) { return d.name == "lo"; });
  ASSERT_NE(lo, devices.end());
  EXPECT_TRUE(lo->is_loopback());
  EXPECT_EQ(lo->ifindex, static_cast<int>(if_nametoindex("lo")));

  std::vector<std::string> names = {"lo"};
  EXPECT_EQ(ResolveIfindexes(names), std::vector<int>{lo->ifindex});
  std::vector<IpAddress> addresses = NodeAddressesOfDevices(names);
  if (!(lo->flags & IFF_UP)) GTEST_SKIP() << "lo is down in this namespace";
  EXPECT_NE(std::find(addresses.begin(), addresses.end(), Ip("127.0.0.1")), addresses.end())
      << "lo has 127.0.0.1";

  std::vector<std::string> missing = {"sluice-nodev0"};
  EXPECT_THROW(NodeAddressesOfDevices(missing), DeviceError);
  EXPECT_THROW(ResolveIfindexes(missing), DeviceError);
}

// --- a private network namespace (root) ------------------------------------------

// Runs `ip` with `args` in the calling thread's network namespace.
bool RunIp(std::vector<std::string> args) {
  args.insert(args.begin(), "ip");
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawnp(&pid, "ip", nullptr, nullptr, argv.data(), environ) != 0) return false;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

TEST(PrivateNamespaceTest, VethWithIpv4AndIpv6Addresses) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to create a network namespace";
  // A thread of its own: unshare(CLONE_NEWNET) moves only the calling thread, and the
  // namespace (with its devices) is gone when the thread ends, whatever happened.
  bool skipped = false;
  std::thread([&skipped] {
    if (unshare(CLONE_NEWNET) != 0) {
      skipped = true;
      return;
    }
    ASSERT_TRUE(RunIp({"link", "set", "lo", "up"}));
    ASSERT_TRUE(RunIp({"link", "add", "sl0", "type", "veth", "peer", "name", "sl1"}));
    // 198.18.0.9 first: the primary; 198.18.0.1 then is a secondary of the same subnet.
    ASSERT_TRUE(RunIp({"addr", "add", "198.18.0.9/24", "dev", "sl0"}));
    ASSERT_TRUE(RunIp({"addr", "add", "198.18.0.1/24", "dev", "sl0"}));
    ASSERT_TRUE(RunIp({"-6", "addr", "add", "fd00::2/64", "dev", "sl0", "nodad"}));
    ASSERT_TRUE(RunIp({"-6", "addr", "add", "fd00::1/64", "dev", "sl0", "nodad"}));
    ASSERT_TRUE(RunIp({"addr", "add", "198.18.1.1/24", "dev", "sl1"}));
    ASSERT_TRUE(RunIp({"link", "set", "sl0", "up"}));  // brings an fe80:: address
    ASSERT_TRUE(RunIp({"link", "set", "sl1", "up"}));

    std::vector<std::string> sl0 = {"sl0"};
    EXPECT_EQ(Texts(NodeAddressesOfDevices(sl0)),
              (std::vector<std::string>{"198.18.0.9", "198.18.0.1", "fd00::1", "fd00::2"}));
    std::vector<std::string> both = {"sl1", "sl0", "lo"};
    EXPECT_EQ(Texts(NodeAddressesOfDevices(both)),
              (std::vector<std::string>{"198.18.1.1", "198.18.0.9", "198.18.0.1", "fd00::1",
                                        "fd00::2", "127.0.0.1", "::1"}));

    std::vector<int> indexes = ResolveIfindexes(both);
    EXPECT_EQ(indexes, (std::vector<int>{static_cast<int>(if_nametoindex("sl1")),
                                         static_cast<int>(if_nametoindex("sl0")), 1}));
    std::vector<std::string> patterns = {"sl*"};
    std::vector<NetDevice> matched = MatchDevices(patterns);
    ASSERT_EQ(matched.size(), 2u);
    EXPECT_EQ(matched[0].name, "sl0");
    EXPECT_EQ(matched[1].name, "sl1");
  }).join();
  if (skipped) GTEST_SKIP() << "unshare(CLONE_NEWNET) is not permitted here";
}

}  // namespace
}  // namespace sluice::agent
