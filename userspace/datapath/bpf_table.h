// Table<K, V> over a BPF map file descriptor.
#pragma once

#include <bpf/bpf.h>

#include <cerrno>
#include <cstring>
#include <vector>

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
    // Batches of entries per system call where the map type supports it (hash and
    // LRU maps: ~4k entries a call, what makes reading 1M slots take milliseconds
    // rather than seconds); key by key otherwise (LPM tries).
    if (ForEachBatched(visit)) return;
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
  static constexpr uint32_t kBatch = 4096;

  // False when the map does not do batch lookups (nothing was visited then).
  bool ForEachBatched(const std::function<bool(const K&, const V&)>& visit) const {
    if (batch_unsupported_) return false;
    std::vector<K> keys(kBatch);
    std::vector<V> values(kBatch);
    // The batch cursor is opaque; hash maps keep a bucket index in it.
    alignas(8) unsigned char in[sizeof(K) < 8 ? 8 : sizeof(K)] = {};
    alignas(8) unsigned char out[sizeof(in)] = {};
    bool first = true;
    for (uint64_t rounds = 0; rounds < uint64_t{capacity_} / 1 + 2; ++rounds) {
      uint32_t count = kBatch;
      LIBBPF_OPTS(bpf_map_batch_opts, opts);
      int err = bpf_map_lookup_batch(fd_.get(), first ? nullptr : in, out, keys.data(), values.data(),
                                     &count, &opts);
      int e = err ? errno : 0;
      if (err && e != ENOENT) {
        if (first && (e == EINVAL || e == ENOTSUP || e == EOPNOTSUPP)) {
          batch_unsupported_ = true;
          return false;
        }
        return true;  // the map changed under us: what was seen is what there is
      }
      for (uint32_t i = 0; i < count; ++i)
        if (!visit(keys[i], values[i])) return true;
      if (e == ENOENT) return true;  // that was the last batch
      std::memcpy(in, out, sizeof(in));
      first = false;
    }
    return true;
  }

  mutable bool batch_unsupported_ = false;
  UniqueFd fd_;
  uint32_t capacity_;
};

}  // namespace sluice::datapath
