#include "datapath/convert.h"

#include <netinet/in.h>

#include <algorithm>

namespace sluice::datapath {

uint8_t ToIpProto(model::Protocol protocol) {
  switch (protocol) {
    case model::Protocol::kTcp: return IPPROTO_TCP;
    case model::Protocol::kUdp: return IPPROTO_UDP;
    case model::Protocol::kSctp: return IPPROTO_SCTP;
  }
  return 0;
}

const char* IpProtoName(uint8_t proto) {
  switch (proto) {
    case IPPROTO_TCP: return "TCP";
    case IPPROTO_UDP: return "UDP";
    case IPPROTO_SCTP: return "SCTP";
    default: return "?";
  }
}

lb_service_key ToServiceKey(const model::FrontendKey& key) {
  lb_service_key out{};
  out.addr = key.address.ToDatapath();
  out.port = htons(key.port);
  out.proto = ToIpProto(key.protocol);
  out.family = static_cast<uint8_t>(key.address.family());
  out.scope = static_cast<uint8_t>(key.scope);
  return out;
}

model::FrontendKey FromServiceKey(const lb_service_key& key) {
  model::FrontendKey out;
  out.address = IpAddress::FromDatapath(key.addr, key.family);
  out.port = ntohs(key.port);
  out.protocol = key.proto == IPPROTO_UDP ? model::Protocol::kUdp : model::Protocol::kTcp;
  out.scope = key.scope == LB_SCOPE_EXTERNAL ? model::Scope::kExternal : model::Scope::kInternal;
  return out;
}

lb_backend ToBackend(const model::Backend& backend) {
  lb_backend out{};
  out.addr = backend.address.ToDatapath();
  out.port = htons(backend.port);
  out.proto = ToIpProto(backend.protocol);
  out.family = static_cast<uint8_t>(backend.address.family());
  out.flags = static_cast<uint8_t>((backend.terminating ? LB_BE_F_TERMINATING : 0) |
                                   (backend.local ? LB_BE_F_LOCAL : 0));
  return out;
}

lb_service_meta ToMeta(const std::string& service, const std::string& port_name) {
  lb_service_meta meta{};
  std::copy_n(service.data(), std::min(service.size(), sizeof(meta.name) - 1), meta.name);
  std::copy_n(port_name.data(), std::min(port_name.size(), sizeof(meta.port_name) - 1),
              meta.port_name);
  return meta;
}

}  // namespace sluice::datapath
