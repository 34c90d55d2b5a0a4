#include "cli/packet_snapshot.h"

#include <span>

namespace sluice::cli {

PacketSnapshot ReadPacketSnapshot(datapath::MapSet& maps, uint64_t now_ns) {
  PacketSnapshot snap;
  snap.now_ns = now_ns;
  uint64_t maglev_live = 0;
  maps.services().ForEach([&](const lb_service_key&, const lb_service& svc) {
    snap.services[svc.id] = svc;
    maglev_live += svc.maglev_size;
    return true;
  });
  maps.ct().ForEach([&](const ct_key& k, const ct_entry& e) {
    snap.flows.push_back({k, e});
    return true;
  });
  maps.affinity().ForEach([&](const affinity_key& k, const affinity_entry& e) {
    snap.affinities.push_back({k, e});
    return true;
  });
  // LRU maps have no entry count of their own: the walks above (and this one) count.
  snap.usage = {
      {SLUICE_MAP_CT, static_cast<uint32_t>(snap.flows.size()), maps.ct().Capacity()},
      {SLUICE_MAP_NAT, maps.nat().Count(), maps.nat().Capacity()},
      {SLUICE_MAP_AFFINITY, static_cast<uint32_t>(snap.affinities.size()),
       maps.affinity().Capacity()},
      {SLUICE_MAP_SRC_RANGES, maps.src_ranges().Count(), maps.src_ranges().Capacity()},
      // Slots of the live tables; a table being written is not counted until it is live.
      {SLUICE_MAP_MAGLEV, static_cast<uint32_t>(maglev_live), maps.MaglevCapacity()},
  };
  return snap;
}

MaglevTable ReadMaglevTable(const datapath::MapSet& maps, uint32_t frontend_id,
                            const lb_service& entry) {
  MaglevTable t;
  t.frontend_id = frontend_id;
  t.offset = entry.maglev_offset;
  t.size = entry.maglev_size;
  t.slots.resize(entry.maglev_size);
  t.readable = maps.ReadMaglev(entry.maglev_offset, t.slots);
  if (!t.readable) t.slots.clear();
  return t;
}

}  // namespace sluice::cli
