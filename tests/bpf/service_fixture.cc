#include "bpf/service_fixture.h"

namespace sluice::bpftest {

std::vector<PathParam> Paths(std::vector<Hook> hooks, std::vector<uint8_t> protos,
                             std::vector<bool> v6s) {
  std::vector<PathParam> out;
  for (Hook h : hooks)
    for (bool v6 : v6s)
      for (uint8_t p : protos) out.push_back({h, v6, p});
  return out;
}

std::string PathName(const ::testing::TestParamInfo<PathParam>& info) {
  return ToString(info.param.hook) + (info.param.v6 ? "_v6_" : "_v4_") +
         (info.param.proto == IPPROTO_TCP ? "tcp" : "udp");
}

void PrintTo(const PathParam& p, std::ostream* os) {
  *os << ToString(p.hook) << (p.v6 ? " IPv6 " : " IPv4 ") << (p.proto == IPPROTO_TCP ? "TCP" : "UDP");
}

BackendSpec ServiceTest::Backend(uint32_t id, const IpAddr& addr, uint8_t flags) const {
  return BackendSpec{id, addr, Topology::kBackendPort, proto(), flags};
}

ServiceSpec ServiceTest::NodePort(std::vector<uint32_t> backends, uint16_t flags) const {
  ServiceSpec s;
  s.id = kSvcId;
  s.addr = t.node;
  s.port = Topology::kNodePort;
  s.proto = proto();
  s.flags = flags;
  s.backends = std::move(backends);
  return s;
}

void ServiceTest::ConfigureSnat() {
  state().PutConfig(Topology(false).node, Topology(true).node, kSnatMin, kSnatMax);
}

PacketBuilder ServiceTest::Request(uint16_t sport) const {
  PacketBuilder b;
  b.Eth(t.client_mac, t.node_mac).Ip(t.client, t.node).Transport(proto(), sport, Topology::kNodePort);
  if (tcp())
    b.Flags(tcp::kSyn).Seq(1000).TcpOptions({2, 4, 0x05, 0xb4});  // MSS 1460
  else
    b.Payload("ping");
  return b;
}

Flow ServiceTest::RequestFlow(uint16_t sport) const {
  return Flow{t.client, t.node, sport, Topology::kNodePort, proto()};
}

PacketBuilder ServiceTest::FollowUp(uint16_t sport) const {
  PacketBuilder b;
  b.Eth(t.client_mac, t.node_mac).Ip(t.client, t.node).Transport(proto(), sport, Topology::kNodePort);
  if (tcp()) b.Flags(tcp::kAck | tcp::kPsh).Seq(1001).Ack(5001);
  b.Payload("GET / HTTP/1.1\r\n\r\n");
  return b;
}

Frame ServiceTest::Rewritten(PacketBuilder b, const IpAddr& src, uint16_t sport, const IpAddr& dst,
                             uint16_t dport) {
  return b.Ip(src, dst).Ports(sport, dport).Build();
}

PacketBuilder ServiceTest::Reply(const IpAddr& src, uint16_t sport, const IpAddr& dst,
                                 uint16_t dport) const {
  PacketBuilder b;
  b.Eth(t.client_mac, t.node_mac).Ip(src, dst).Transport(proto(), sport, dport);
  if (tcp())
    b.Flags(tcp::kSyn | tcp::kAck).Seq(5000).Ack(1001);
  else
    b.Payload("pong");
  return b;
}

}  // namespace sluice::bpftest
