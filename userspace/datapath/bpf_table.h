// Table<K, V> over a BPF map file descriptor.
#pragma once

#include <bpf/bpf.h>

#include <cerrno>

#include "datapath/bpf_map_set.h"
#include "datapath/map_set.h"

namespace sluice::datapath {

template <typename K, typename V>
class BpfTable final : public Table<K, V> {
 public:
  BpfTable(UniqueFd fd, uint32_t capacity) : fd_(std::move(fd)), capacity_(capacity) {}

  int Update(const K& key, const V& value) override {
    return bpf_map_update_elem(fd_.get(), &key, &value, BPF_ANY) ? -errno : 0;
  }
  int Delete(const K& key) override {
    return bpf_map_delete_elem(fd_.get(), &key) ? -errno : 0;
  }
  std::optional<V> Lookup(const K& key) const override {
    V value;
    if (bpf_map_lookup_elem(fd_.get(), &key, &value)) return std::nullopt;
    return value;
  }
  void ForEach(const std::function<bool(const K&, const V&)>& visit) const override {
    // get_next_key walks the hash table; entries deleted meanwhile are skipped (the
    // lookup fails). Bounded: a walk never visits more than twice the capacity.
    K key{};
    K next{};
    const K* cursor = nullptr;
    for (uint64_t steps = 0; steps < 2ull * capacity_ + 1; ++steps) {
      if (bpf_map_get_next_key(fd_.get(), cursor, &next)) return;
      key = next;
      cursor = &key;
      V value;
      if (bpf_map_lookup_elem(fd_.get(), &key, &value)) continue;
      if (!visit(key, value)) return;
    }
  }
  uint32_t Capacity() const override { return capacity_; }
  int fd() const { return fd_.get(); }

 private:
  UniqueFd fd_;
  uint32_t capacity_;
};

}  // namespace sluice::datapath
