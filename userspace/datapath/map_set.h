// The kernel behind an interface: the control plane writes frontends and backends
// through a MapSet. Production hands it BPF maps (BpfMapSet), tests an in-memory set
// (MemoryMapSet) that behaves the same, capacity limits included.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "sluice/abi.h"

namespace sluice::datapath {

// A typed key/value table with the semantics of a BPF hash map.
template <typename K, typename V>
class Table {
 public:
  virtual ~Table() = default;

  // 0, or a negative errno as libbpf returns it: -E2BIG when the table is full.
  [[nodiscard]] virtual int Update(const K& key, const V& value) = 0;
  // 0, or -ENOENT when the key is absent.
  virtual int Delete(const K& key) = 0;
  virtual std::optional<V> Lookup(const K& key) const = 0;
  // Visits every entry; the visitor returns false to stop early.
  virtual void ForEach(const std::function<bool(const K&, const V&)>& visit) const = 0;
  virtual uint32_t Capacity() const = 0;
  // Entries present now (a walk: O(n)).
  uint32_t Count() const {
    uint32_t n = 0;
    ForEach([&n](const K&, const V&) {
      ++n;
      return true;
    });
    return n;
  }
};

// Traffic of one frontend, summed over CPUs (struct svc_stats).
struct ServiceStats {
  uint64_t packets = 0;
  uint64_t bytes = 0;
  uint64_t connections = 0;
};

// One slot of the Maglev array to store (absolute slot index).
struct MaglevWrite {
  uint32_t slot = 0;
  uint32_t value = 0;
};

class MapSet {
 public:
  virtual ~MapSet() = default;
  virtual Table<lb_service_key, lb_service>& services() = 0;
  virtual Table<lb_slot_key, uint32_t>& slots() = 0;
  virtual Table<uint32_t, lb_backend>& backends() = 0;
  virtual Table<uint32_t, lb_service_meta>& service_meta() = 0;
  // Datapath counters summed over CPUs, indexed by enum sluice_counter.
  virtual std::vector<uint64_t> ReadCounters() const = 0;

  // The packet path's maps (XDP/tc). Not pure: test doubles that only wrap the socket
  // path's tables need not forward them; the defaults throw std::logic_error.
  virtual Table<ct_key, ct_entry>& ct();
  virtual Table<nat_key, nat_entry>& nat();
  virtual Table<affinity_key, affinity_entry>& affinity();
  // An LPM trie: Lookup with a full-length key answers the longest matching prefix.
  virtual Table<src_range_key, uint8_t>& src_ranges();
  // An array of one entry (key 0); absent reads as all zeros.
  virtual Table<uint32_t, sluice_config>& config();
  // sluice_maglev, read side: copies slots [offset, offset + out.size()) into `out`.
  // False when the range does not lie inside the array (or cannot be read).
  virtual bool ReadMaglev(uint32_t offset, std::span<uint32_t> out) const;
  // sluice_maglev, write side: stores each value at its slot (plain stores into the
  // mmap'd array: each slot changes atomically). False, with nothing written, when a
  // slot is out of range or the set is read-only.
  virtual bool WriteMaglev(std::span<const MaglevWrite> writes);
  virtual uint32_t MaglevCapacity() const;
  // sluice_svcstats: a frontend's counters, and zeroing them when its id is given out
  // again. Sets without the map read zeros and ignore resets.
  virtual ServiceStats ReadServiceStats(uint32_t id) const { (void)id; return {}; }
  virtual void ResetServiceStats(uint32_t id) { (void)id; }
};

namespace map_set_detail {
[[noreturn]] inline void NotProvided(const char* map) {
  throw std::logic_error(std::string("this map set does not provide ") + map);
}
}  // namespace map_set_detail

inline Table<ct_key, ct_entry>& MapSet::ct() { map_set_detail::NotProvided(SLUICE_MAP_CT); }
inline Table<nat_key, nat_entry>& MapSet::nat() { map_set_detail::NotProvided(SLUICE_MAP_NAT); }
inline Table<affinity_key, affinity_entry>& MapSet::affinity() {
  map_set_detail::NotProvided(SLUICE_MAP_AFFINITY);
}
inline Table<src_range_key, uint8_t>& MapSet::src_ranges() {
  map_set_detail::NotProvided(SLUICE_MAP_SRC_RANGES);
}
inline Table<uint32_t, sluice_config>& MapSet::config() {
  map_set_detail::NotProvided(SLUICE_MAP_CONFIG);
}
inline bool MapSet::ReadMaglev(uint32_t, std::span<uint32_t>) const {
  map_set_detail::NotProvided(SLUICE_MAP_MAGLEV);
}
inline bool MapSet::WriteMaglev(std::span<const MaglevWrite>) {
  map_set_detail::NotProvided(SLUICE_MAP_MAGLEV);
}
inline uint32_t MapSet::MaglevCapacity() const { map_set_detail::NotProvided(SLUICE_MAP_MAGLEV); }

}  // namespace sluice::datapath
