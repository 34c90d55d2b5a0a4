// Tests of one NodePort service, parameterized by hook (XDP, tc ingress), family and
// protocol. A request is a TCP SYN (with an MSS option) or a UDP datagram from the
// client to the node's NodePort; its expected translations are the same builder with
// other addresses and ports, so every expected frame has its own, fully computed,
// checksums.
#pragma once

#include <netinet/in.h>

#include <string>
#include <vector>

#include "bpf/datapath_fixture.h"

namespace sluice::bpftest {

struct PathParam {
  Hook hook;
  bool v6;
  uint8_t proto;  // IPPROTO_TCP / IPPROTO_UDP
};

// Every combination of `hooks` × `families` (v6 or not) × `protos`, named like
// "xdp_v6_udp".
std::vector<PathParam> Paths(std::vector<Hook> hooks = {Hook::kXdp, Hook::kTcIngress},
                             std::vector<uint8_t> protos = {IPPROTO_TCP, IPPROTO_UDP},
                             std::vector<bool> v6s = {false, true});
std::string PathName(const ::testing::TestParamInfo<PathParam>& info);
void PrintTo(const PathParam& p, std::ostream* os);

class ServiceTest : public DatapathTest, public ::testing::WithParamInterface<PathParam> {
 protected:
  static constexpr uint32_t kSvcId = 7;
  static constexpr uint16_t kSnatMin = 61000;
  static constexpr uint16_t kSnatMax = 61099;

  Hook hook() const { return GetParam().hook; }
  uint8_t proto() const { return GetParam().proto; }
  bool tcp() const { return proto() == IPPROTO_TCP; }

  // A backend on `addr`:8080 of the test's protocol.
  BackendSpec Backend(uint32_t id, const IpAddr& addr, uint8_t flags = 0) const;
  // The NodePort service (node:30080) over `backends` (ids), Maglev round-robin.
  ServiceSpec NodePort(std::vector<uint32_t> backends, uint16_t flags = 0) const;
  // Both families' SNAT addresses are the node's; ports [kSnatMin, kSnatMax].
  void ConfigureSnat();

  // The client's request from `sport` to node:30080.
  PacketBuilder Request(uint16_t sport = Topology::kClientPort) const;
  Flow RequestFlow(uint16_t sport = Topology::kClientPort) const;
  // A packet of the flow after the first: TCP ACK with data, or another datagram.
  PacketBuilder FollowUp(uint16_t sport = Topology::kClientPort) const;
  // `b` with other addresses and ports, everything else as it was.
  static Frame Rewritten(PacketBuilder b, const IpAddr& src, uint16_t sport, const IpAddr& dst,
                         uint16_t dport);
  // A reply from `src`:`sport` to `dst`:`dport` (SYN-ACK or a datagram), framed as
  // arriving from the wire (egress tests set the MACs of a frame leaving).
  PacketBuilder Reply(const IpAddr& src, uint16_t sport, const IpAddr& dst, uint16_t dport) const;

  // Runs `frame` through hook() and decodes the output.
  RunResult RunHook(const Frame& frame) { return Run(hook(), frame); }

  const Topology t{GetParam().v6};
};

}  // namespace sluice::bpftest
