// Lays out the packet path's maps in a MemoryMapSet the way the control plane does:
// backends, a frontend entry with live slots and (for external frontends) a Maglev
// table built by sluice's own generator. Shared by the explain and sluicectl tests.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstdint>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "base/ip_address.h"
#include "datapath/convert.h"
#include "datapath/memory_map_set.h"
#include "maglev/maglev.h"

namespace sluice::datapath::testing {

inline IpAddress Ip(const char* text) { return *IpAddress::Parse(text); }

struct FrontendSpec {
  const char* vip = "198.19.0.10";
  uint16_t port = 80;
  uint8_t proto = IPPROTO_TCP;
  uint8_t scope = LB_SCOPE_EXTERNAL;
  uint8_t type = LB_FE_LOAD_BALANCER;
  uint16_t flags = 0;
  uint32_t affinity_timeout = 0;
  std::vector<uint32_t> backends;  // backend ids, slot order
  uint32_t maglev_size = 0;        // 0: no table; else a prime
  const char* service = "default/web";
  const char* port_name = "http";
};

class PacketMaps {
 public:
  MemoryMapSet maps;

  uint32_t AddBackend(const char* ip, uint16_t port, uint8_t flags = 0, uint8_t proto = IPPROTO_TCP) {
    const uint32_t id = next_backend_++;
    IpAddress addr = Ip(ip);
    lb_backend b{};
    b.addr = addr.ToDatapath();
    b.port = htons(port);
    b.proto = proto;
    b.family = addr.is_v4() ? SLUICE_AF_INET : SLUICE_AF_INET6;
    b.flags = flags;
    Check(maps.backends().Update(id, b));
    backend_keys_[id] = addr.WithPort(port);
    return id;
  }

  // Writes the frontend; returns its entry (id, Maglev range).
  lb_service AddFrontend(const FrontendSpec& spec) {
    lb_service svc{};
    svc.id = next_frontend_++;
    svc.count = static_cast<uint16_t>(spec.backends.size());
    svc.type = spec.type;
    svc.flags = spec.flags;
    svc.affinity_timeout = spec.affinity_timeout;
    for (uint16_t i = 0; i < spec.backends.size(); ++i) {
      lb_slot_key slot{};
      slot.svc_id = svc.id;
      slot.slot = i;
      Check(maps.slots().Update(slot, spec.backends[i]));
    }
    if (spec.maglev_size) {
      std::vector<maglev::Backend> set;
      for (uint32_t id : spec.backends) set.push_back({backend_keys_.at(id), id, 1});
      std::vector<uint32_t> table = maglev::BuildTable(set, spec.maglev_size);
      table.resize(spec.maglev_size, 0);  // no backends: an all-empty table
      svc.maglev_offset = next_maglev_offset_;
      svc.maglev_size = spec.maglev_size;
      Check(maps.SetMaglev(svc.maglev_offset, table));
      next_maglev_offset_ += spec.maglev_size + 3;  // not back to back: offsets matter
    }
    Check(maps.services().Update(Key(spec), svc));
    Check(maps.service_meta().Update(svc.id, ToMeta(spec.service, spec.port_name)));
    return svc;
  }

  static lb_service_key Key(const FrontendSpec& spec) {
    IpAddress vip = Ip(spec.vip);
    lb_service_key key{};
    key.addr = vip.ToDatapath();
    key.port = htons(spec.port);
    key.proto = spec.proto;
    key.family = vip.is_v4() ? SLUICE_AF_INET : SLUICE_AF_INET6;
    key.scope = spec.scope;
    return key;
  }

  // The Maglev slot a flow lands on, computed here from the table as written.
  std::vector<uint32_t> Table(const lb_service& svc) const {
    std::vector<uint32_t> t(svc.maglev_size);
    maps.ReadMaglev(svc.maglev_offset, t);
    return t;
  }

  void SetSnat(const char* ip4, uint16_t min = SLUICE_SNAT_PORT_MIN, uint16_t max = SLUICE_SNAT_PORT_MAX) {
    sluice_config cfg{};
    cfg.snat_ip4 = Ip(ip4).ToDatapath();
    cfg.snat_port_min = min;
    cfg.snat_port_max = max;
    Check(maps.config().Update(0, cfg));
  }

  void AddSourceRange(uint32_t svc_id, const char* prefix) {
    IpPrefix p = *IpPrefix::Parse(prefix);
    src_range_key k{};
    k.prefixlen = 64 + p.length;
    k.svc_id = svc_id;
    k.family = p.address.is_v4() ? SLUICE_AF_INET : SLUICE_AF_INET6;
    std::memcpy(k.addr, p.address.bytes().data(), 16);
    Check(maps.src_ranges().Update(k, 1));
  }

 private:
  static void Check(int err) {
    if (err) throw std::runtime_error("test map write failed: " + std::to_string(err));
  }
  uint32_t next_backend_ = 1;  // 0 is "no backend" in a Maglev slot
  uint32_t next_frontend_ = 1;
  uint32_t next_maglev_offset_ = 5;
  std::map<uint32_t, std::string> backend_keys_;
};

// A flow's tuple as the datapath keys it.
inline ct_key FlowKey(const char* src, uint16_t sport, const char* dst, uint16_t dport,
                      uint8_t proto = IPPROTO_TCP) {
  ct_key k{};
  IpAddress s = Ip(src), d = Ip(dst);
  k.saddr = s.ToDatapath();
  k.daddr = d.ToDatapath();
  k.sport = htons(sport);
  k.dport = htons(dport);
  k.proto = proto;
  k.family = s.is_v4() ? SLUICE_AF_INET : SLUICE_AF_INET6;
  return k;
}

}  // namespace sluice::datapath::testing
