// The kernel behind an interface: the control plane writes frontends and backends
// through a MapSet. Production hands it BPF maps (BpfMapSet), tests an in-memory set
// (MemoryMapSet) that behaves the same, capacity limits included.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
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

class MapSet {
 public:
  virtual ~MapSet() = default;
  virtual Table<lb_service_key, lb_service>& services() = 0;
  virtual Table<lb_slot_key, uint32_t>& slots() = 0;
  virtual Table<uint32_t, lb_backend>& backends() = 0;
  virtual Table<uint32_t, lb_service_meta>& service_meta() = 0;
  // Datapath counters summed over CPUs, indexed by enum sluice_counter.
  virtual std::vector<uint64_t> ReadCounters() const = 0;
};

}  // namespace sluice::datapath
