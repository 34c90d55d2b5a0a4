#include "agent/netlink_dump.h"

#include <errno.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cstring>
#include <optional>

#include "datapath/bpf_map_set.h"  // datapath::UniqueFd

namespace sluice::agent {

bool NetDevice::is_loopback() const { return (flags & IFF_LOOPBACK) != 0; }

namespace {

// Netlink structures are read by copy: a datagram's bytes carry no alignment promise
// the compiler could rely on.
template <typename T>
T ReadAt(std::span<const uint8_t> bytes, size_t offset) {
  T value;
  std::memcpy(&value, bytes.data() + offset, sizeof(T));
  return value;
}

struct WalkResult {
  bool done = false;
  bool interrupted = false;  // NLM_F_DUMP_INTR: the set changed mid-dump
};

// Calls fn(type, payload) for each message of a datagram, handling DONE and ERROR.
template <typename Fn>
WalkResult WalkMessages(std::span<const uint8_t> datagram, Fn fn) {
  WalkResult result;
  size_t offset = 0;
  while (datagram.size() - offset >= sizeof(nlmsghdr)) {
    auto header = ReadAt<nlmsghdr>(datagram, offset);
    if (header.nlmsg_len < NLMSG_HDRLEN || header.nlmsg_len > datagram.size() - offset)
      throw NetlinkError("netlink: message length " + std::to_string(header.nlmsg_len) +
                         " does not fit the " + std::to_string(datagram.size() - offset) +
                         " bytes left");
    std::span<const uint8_t> payload =
        datagram.subspan(offset + NLMSG_HDRLEN, header.nlmsg_len - NLMSG_HDRLEN);
    if (header.nlmsg_flags & NLM_F_DUMP_INTR) result.interrupted = true;
    if (header.nlmsg_type == NLMSG_DONE || header.nlmsg_type == NLMSG_ERROR) {
      // Both carry an errno (negated); 0 is success.
      int error = payload.size() >= sizeof(int) ? ReadAt<int>(payload, 0) : 0;
      if (error != 0) throw NetlinkError(std::string("netlink dump: ") + strerror(-error));
      if (header.nlmsg_type == NLMSG_DONE) {
        result.done = true;
        return result;
      }
    } else {
      fn(header.nlmsg_type, payload);
    }
    offset += NLMSG_ALIGN(header.nlmsg_len);
    if (offset > datagram.size()) break;
  }
  return result;
}

// Calls fn(type, value) for each attribute in `bytes`.
template <typename Fn>
void WalkAttributes(std::span<const uint8_t> bytes, Fn fn) {
  size_t offset = 0;
  while (bytes.size() - offset >= sizeof(rtattr)) {
    auto attr = ReadAt<rtattr>(bytes, offset);
    if (attr.rta_len < sizeof(rtattr) || attr.rta_len > bytes.size() - offset)
      throw NetlinkError("netlink: attribute length " + std::to_string(attr.rta_len) +
                         " does not fit its message");
    fn(attr.rta_type, bytes.subspan(offset + RTA_LENGTH(0), attr.rta_len - RTA_LENGTH(0)));
    offset += RTA_ALIGN(attr.rta_len);
    if (offset > bytes.size()) break;
  }
}

void ParseLink(uint16_t type, std::span<const uint8_t> payload, std::vector<NetDevice>* out) {
  if (type != RTM_NEWLINK) return;
  if (payload.size() < sizeof(ifinfomsg)) throw NetlinkError("netlink: short RTM_NEWLINK");
  auto info = ReadAt<ifinfomsg>(payload, 0);
  NetDevice device{.ifindex = info.ifi_index, .name = {}, .flags = info.ifi_flags};
  WalkAttributes(payload.subspan(NLMSG_ALIGN(sizeof(ifinfomsg))),
                 [&](uint16_t attr, std::span<const uint8_t> value) {
                   if (attr != IFLA_IFNAME) return;
                   const char* text = reinterpret_cast<const char*>(value.data());
                   device.name.assign(text, strnlen(text, value.size()));
                 });
  out->push_back(std::move(device));
}

std::optional<IpAddress> AddressFrom(uint8_t family, std::span<const uint8_t> value) {
  bool v4 = family == AF_INET && value.size() == 4;
  bool v6 = family == AF_INET6 && value.size() == 16;
  if (!v4 && !v6) return std::nullopt;
  sluice_addr addr{};
  std::memcpy(addr.bytes, value.data(), value.size());
  return IpAddress::FromDatapath(addr, v4 ? SLUICE_AF_INET : SLUICE_AF_INET6);
}

void ParseAddress(uint16_t type, std::span<const uint8_t> payload,
                  std::vector<DeviceAddress>* out) {
  if (type != RTM_NEWADDR) return;
  if (payload.size() < sizeof(ifaddrmsg)) throw NetlinkError("netlink: short RTM_NEWADDR");
  auto info = ReadAt<ifaddrmsg>(payload, 0);
  std::optional<IpAddress> local, address;
  uint32_t flags = info.ifa_flags;
  WalkAttributes(payload.subspan(NLMSG_ALIGN(sizeof(ifaddrmsg))),
                 [&](uint16_t attr, std::span<const uint8_t> value) {
                   if (attr == IFA_LOCAL) local = AddressFrom(info.ifa_family, value);
                   if (attr == IFA_ADDRESS) address = AddressFrom(info.ifa_family, value);
                   // The 8-bit ifa_flags cannot hold the newer flags; IFA_FLAGS does.
                   if (attr == IFA_FLAGS && value.size() == 4) flags = ReadAt<uint32_t>(value, 0);
                 });
  // On a point-to-point link IFA_ADDRESS is the peer's; IFA_LOCAL is always ours.
  std::optional<IpAddress> ours = local ? local : address;
  if (!ours) return;  // another family, or no address at all
  out->push_back(DeviceAddress{.ifindex = static_cast<int>(info.ifa_index),
                               .address = *ours,
                               .prefix_length = info.ifa_prefixlen,
                               .scope = info.ifa_scope,
                               .flags = flags});
}

// One RTM_GET* dump over a fresh socket: `begin` starts each attempt afresh, `parse`
// collects each datagram (returning what WalkMessages found).
template <typename Begin, typename Parse>
void RunDump(uint16_t type, size_t family_header_size, Begin begin, Parse parse) {
  constexpr int kAttempts = 5;  // a dump the kernel flags as interrupted is redone
  for (int attempt = 1;; ++attempt) {
    begin();
    datapath::UniqueFd fd(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
    if (!fd) throw NetlinkError(std::string("netlink socket: ") + strerror(errno));
    timeval timeout{.tv_sec = 5, .tv_usec = 0};  // the kernel answers at once; never hang
    setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));

    std::vector<uint8_t> request(NLMSG_SPACE(family_header_size), 0);
    nlmsghdr header{};
    header.nlmsg_len = static_cast<uint32_t>(NLMSG_LENGTH(family_header_size));
    header.nlmsg_type = type;
    header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    header.nlmsg_seq = static_cast<uint32_t>(attempt);
    std::memcpy(request.data(), &header, sizeof(header));  // family AF_UNSPEC: zeros
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    if (sendto(fd.get(), request.data(), header.nlmsg_len, 0, reinterpret_cast<sockaddr*>(&kernel),
               sizeof(kernel)) < 0)
      throw NetlinkError(std::string("netlink send: ") + strerror(errno));

    bool interrupted = false;
    std::vector<uint8_t> buffer;
    while (true) {
      ssize_t size = recv(fd.get(), nullptr, 0, MSG_PEEK | MSG_TRUNC);
      if (size < 0 && errno == EINTR) continue;
      if (size < 0) throw NetlinkError(std::string("netlink receive: ") + strerror(errno));
      buffer.resize(static_cast<size_t>(size));
      ssize_t n = recv(fd.get(), buffer.data(), buffer.size(), 0);
      if (n < 0) throw NetlinkError(std::string("netlink receive: ") + strerror(errno));
      WalkResult walked = parse(std::span<const uint8_t>(buffer.data(), static_cast<size_t>(n)));
      interrupted = interrupted || walked.interrupted;
      if (walked.done) break;
    }
    if (!interrupted) return;
    if (attempt == kAttempts)
      throw NetlinkError("netlink dump: devices kept changing during " + std::to_string(kAttempts) +
                         " attempts");
  }
}

}  // namespace

bool ParseLinkDatagram(std::span<const uint8_t> datagram, std::vector<NetDevice>* out) {
  return WalkMessages(datagram,
                      [out](uint16_t type, std::span<const uint8_t> payload) {
                        ParseLink(type, payload, out);
                      })
      .done;
}

bool ParseAddressDatagram(std::span<const uint8_t> datagram, std::vector<DeviceAddress>* out) {
  return WalkMessages(datagram,
                      [out](uint16_t type, std::span<const uint8_t> payload) {
                        ParseAddress(type, payload, out);
                      })
      .done;
}

std::vector<NetDevice> DumpNetDevices() {
  std::vector<NetDevice> devices;
  RunDump(
      RTM_GETLINK, sizeof(ifinfomsg), [&devices] { devices.clear(); },
      [&devices](std::span<const uint8_t> datagram) {
        return WalkMessages(datagram, [&devices](uint16_t type, std::span<const uint8_t> payload) {
          ParseLink(type, payload, &devices);
        });
      });
  return devices;
}

std::vector<DeviceAddress> DumpDeviceAddresses() {
  std::vector<DeviceAddress> addresses;
  RunDump(
      RTM_GETADDR, sizeof(ifaddrmsg), [&addresses] { addresses.clear(); },
      [&addresses](std::span<const uint8_t> datagram) {
        return WalkMessages(datagram,
                            [&addresses](uint16_t type, std::span<const uint8_t> payload) {
                              ParseAddress(type, payload, &addresses);
                            });
      });
  return addresses;
}

}  // namespace sluice::agent
