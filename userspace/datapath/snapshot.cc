#include "datapath/snapshot.h"

#include <netinet/in.h>

#include <algorithm>
#include <tuple>

#include "datapath/convert.h"

namespace sluice::datapath {

Snapshot ReadSnapshot(MapSet& maps) {
  Snapshot snap;
  maps.backends().ForEach([&](const uint32_t& id, const lb_backend& value) {
    SnapshotBackend b;
    b.id = id;
    b.backend.address = IpAddress::FromDatapath(value.addr, value.family);
    b.backend.port = ntohs(value.port);
    b.backend.protocol = value.proto == IPPROTO_UDP ? model::Protocol::kUdp : model::Protocol::kTcp;
    b.backend.terminating = value.flags & LB_BE_F_TERMINATING;
    b.backend.local = value.flags & LB_BE_F_LOCAL;
    b.flags = value.flags;
    snap.backends[id] = b;
    return true;
  });
  std::map<uint32_t, lb_service_meta> meta;
  maps.service_meta().ForEach([&](const uint32_t& id, const lb_service_meta& m) {
    meta[id] = m;
    return true;
  });
  maps.services().ForEach([&](const lb_service_key& key, const lb_service& value) {
    SnapshotFrontend fe;
    fe.id = value.id;
    fe.key = FromServiceKey(key);
    fe.type = static_cast<model::FrontendType>(value.type);
    fe.flags = value.flags;
    fe.affinity_timeout = value.affinity_timeout;
    fe.gen = value.gen;
    if (auto m = meta.find(value.id); m != meta.end()) {
      lb_service_meta copy = m->second;
      copy.name[sizeof(copy.name) - 1] = '\0';
      copy.port_name[sizeof(copy.port_name) - 1] = '\0';
      fe.service = copy.name;
      fe.port_name = copy.port_name;
    }
    for (uint16_t i = 0; i < value.count; ++i) {
      lb_slot_key slot{};
      slot.svc_id = value.id;
      slot.slot = i;
      slot.gen = value.gen;
      auto backend_id = maps.slots().Lookup(slot);
      auto backend = backend_id ? snap.backends.find(*backend_id) : snap.backends.end();
      if (backend == snap.backends.end()) {
        ++fe.missing_slots;
        continue;
      }
      fe.backends.push_back(backend->second);
    }
    snap.frontends.push_back(std::move(fe));
    return true;
  });
  std::sort(snap.frontends.begin(), snap.frontends.end(), [](const auto& a, const auto& b) {
    return std::tie(a.service, a.type, a.key) < std::tie(b.service, b.type, b.key);
  });
  snap.usage = {
      {SLUICE_MAP_SERVICES, maps.services().Count(), maps.services().Capacity()},
      {SLUICE_MAP_SLOTS, maps.slots().Count(), maps.slots().Capacity()},
      {SLUICE_MAP_BACKENDS, maps.backends().Count(), maps.backends().Capacity()},
      {SLUICE_MAP_SERVICE_META, static_cast<uint32_t>(meta.size()), maps.service_meta().Capacity()},
  };
  return snap;
}

}  // namespace sluice::datapath
