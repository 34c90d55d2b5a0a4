// An in-memory MapSet for tests of the control plane: the same semantics as the BPF
// maps (fixed capacity, -E2BIG when full, -ENOENT on a missing delete), plus a log of
// writes so tests can check their order.
#pragma once

#include <cerrno>
#include <cstring>
#include <algorithm>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "datapath/map_set.h"

namespace sluice::datapath {

// Keys are compared as bytes, as the kernel hashes them.
template <typename K>
struct BytewiseLess {
  bool operator()(const K& a, const K& b) const { return std::memcmp(&a, &b, sizeof(K)) < 0; }
};

// One write as a test sees it: which table, update or delete.
struct WriteRecord {
  std::string table;
  bool is_delete;
};

template <typename K, typename V>
class MemoryTable final : public Table<K, V> {
 public:
  MemoryTable(std::string name, uint32_t capacity, std::vector<WriteRecord>* log)
      : name_(std::move(name)), capacity_(capacity), log_(log) {}

  int Update(const K& key, const V& value) override {
    auto it = entries_.find(key);
    if (it == entries_.end() && entries_.size() >= capacity_) return -E2BIG;
    entries_[key] = value;
    if (log_) log_->push_back({name_, false});
    return 0;
  }
  int Delete(const K& key) override {
    if (entries_.erase(key) == 0) return -ENOENT;
    if (log_) log_->push_back({name_, true});
    return 0;
  }
  std::optional<V> Lookup(const K& key) const override {
    auto it = entries_.find(key);
    if (it == entries_.end()) return std::nullopt;
    return it->second;
  }
  void ForEach(const std::function<bool(const K&, const V&)>& visit) const override {
    for (const auto& [k, v] : entries_)
      if (!visit(k, v)) return;
  }
  uint32_t Capacity() const override { return capacity_; }
  size_t size() const { return entries_.size(); }

 private:
  std::string name_;
  uint32_t capacity_;
  std::vector<WriteRecord>* log_;
  std::map<K, V, BytewiseLess<K>> entries_;
};

// A BPF LPM trie in memory: K starts with a __u32 prefix length in bits, counted over
// the bytes that follow it. Lookup answers the longest stored prefix that matches the
// key's first prefixlen bits, as the kernel's trie does; everything else is exact.
template <typename K, typename V>
class MemoryLpmTable final : public Table<K, V> {
 public:
  MemoryLpmTable(std::string name, uint32_t capacity, std::vector<WriteRecord>* log)
      : exact_(std::move(name), capacity, log) {}

  int Update(const K& key, const V& value) override { return exact_.Update(key, value); }
  int Delete(const K& key) override { return exact_.Delete(key); }
  std::optional<V> Lookup(const K& key) const override {
    std::optional<V> best;
    uint32_t best_len = 0;
    exact_.ForEach([&](const K& stored, const V& value) {
      uint32_t len = PrefixLen(stored);
      if (len <= PrefixLen(key) && (!best || len > best_len) && SamePrefix(stored, key, len)) {
        best = value;
        best_len = len;
      }
      return true;
    });
    return best;
  }
  void ForEach(const std::function<bool(const K&, const V&)>& visit) const override {
    exact_.ForEach(visit);
  }
  uint32_t Capacity() const override { return exact_.Capacity(); }

 private:
  static uint32_t PrefixLen(const K& k) {
    uint32_t len;
    std::memcpy(&len, &k, sizeof(len));
    return len;
  }
  static bool SamePrefix(const K& a, const K& b, uint32_t bits) {
    const auto* pa = reinterpret_cast<const unsigned char*>(&a) + sizeof(uint32_t);
    const auto* pb = reinterpret_cast<const unsigned char*>(&b) + sizeof(uint32_t);
    bits = std::min<uint32_t>(bits, (sizeof(K) - sizeof(uint32_t)) * 8);
    if (std::memcmp(pa, pb, bits / 8) != 0) return false;
    if (bits % 8 == 0) return true;
    const unsigned char mask = static_cast<unsigned char>(0xff00 >> (bits % 8));
    return (pa[bits / 8] & mask) == (pb[bits / 8] & mask);
  }
  MemoryTable<K, V> exact_;
};

struct MemoryMapSizes {
  uint32_t services = SLUICE_MAX_SERVICES;
  uint32_t slots = SLUICE_MAX_SLOTS;
  uint32_t backends = SLUICE_MAX_BACKENDS;
  uint32_t ct = SLUICE_MAX_CT;
  uint32_t nat = SLUICE_MAX_NAT;
  uint32_t affinity = SLUICE_MAX_AFFINITY;
  uint32_t src_ranges = SLUICE_MAX_SRC_RANGES;
  uint32_t maglev = SLUICE_MAX_MAGLEV_ENTRIES;
};

class MemoryMapSet final : public MapSet {
 public:
  explicit MemoryMapSet(MemoryMapSizes sizes = {})
      : services_("services", sizes.services, &log_),
        slots_("slots", sizes.slots, &log_),
        backends_("backends", sizes.backends, &log_),
        meta_("meta", sizes.services, &log_),
        ct_("ct", sizes.ct, &log_),
        nat_("nat", sizes.nat, &log_),
        affinity_("affinity", sizes.affinity, &log_),
        src_ranges_("src_ranges", sizes.src_ranges, &log_),
        config_("config", 1, &log_),
        maglev_capacity_(sizes.maglev) {}

  MemoryTable<lb_service_key, lb_service>& services() override { return services_; }
  MemoryTable<lb_slot_key, uint32_t>& slots() override { return slots_; }
  MemoryTable<uint32_t, lb_backend>& backends() override { return backends_; }
  MemoryTable<uint32_t, lb_service_meta>& service_meta() override { return meta_; }
  std::vector<uint64_t> ReadCounters() const override {
    return std::vector<uint64_t>(SLUICE_CTR_MAX, 0);
  }
  MemoryTable<ct_key, ct_entry>& ct() override { return ct_; }
  MemoryTable<nat_key, nat_entry>& nat() override { return nat_; }
  MemoryTable<affinity_key, affinity_entry>& affinity() override { return affinity_; }
  MemoryLpmTable<src_range_key, uint8_t>& src_ranges() override { return src_ranges_; }
  MemoryTable<uint32_t, sluice_config>& config() override { return config_; }
  // The Maglev array reads as zeros where nothing was written, like a BPF array.
  bool ReadMaglev(uint32_t offset, std::span<uint32_t> out) const override {
    if (uint64_t{offset} + out.size() > maglev_capacity_) return false;
    for (size_t i = 0; i < out.size(); ++i)
      out[i] = offset + i < maglev_.size() ? maglev_[offset + i] : 0;
    return true;
  }
  uint32_t MaglevCapacity() const override { return maglev_capacity_; }
  ServiceStats ReadServiceStats(uint32_t id) const override {
    auto it = stats_.find(id);
    return it == stats_.end() ? ServiceStats{} : it->second;
  }
  void ResetServiceStats(uint32_t id) override { stats_.erase(id); }
  // What the datapath would have counted, for tests.
  void SetServiceStats(uint32_t id, ServiceStats stats) { stats_[id] = stats; }
  bool WriteMaglev(std::span<const MaglevWrite> writes) override {
    for (const MaglevWrite& w : writes)
      if (w.slot >= maglev_capacity_) return false;
    for (const MaglevWrite& w : writes) {
      if (maglev_.size() <= w.slot) maglev_.resize(w.slot + 1, 0);
      maglev_[w.slot] = w.value;
    }
    log_.push_back({"maglev", false});
    return true;
  }
  // Lays out Maglev slots for a test; 0, or -E2BIG past the array's end.
  int SetMaglev(uint32_t offset, std::span<const uint32_t> ids) {
    if (uint64_t{offset} + ids.size() > maglev_capacity_) return -E2BIG;
    if (maglev_.size() < offset + ids.size()) maglev_.resize(offset + ids.size(), 0);
    std::copy(ids.begin(), ids.end(), maglev_.begin() + offset);
    return 0;
  }

  const std::vector<WriteRecord>& write_log() const { return log_; }
  void clear_write_log() { log_.clear(); }

 private:
  std::vector<WriteRecord> log_;
  MemoryTable<lb_service_key, lb_service> services_;
  MemoryTable<lb_slot_key, uint32_t> slots_;
  MemoryTable<uint32_t, lb_backend> backends_;
  MemoryTable<uint32_t, lb_service_meta> meta_;
  MemoryTable<ct_key, ct_entry> ct_;
  MemoryTable<nat_key, nat_entry> nat_;
  MemoryTable<affinity_key, affinity_entry> affinity_;
  MemoryLpmTable<src_range_key, uint8_t> src_ranges_;
  MemoryTable<uint32_t, sluice_config> config_;
  uint32_t maglev_capacity_;
  std::vector<uint32_t> maglev_;  // grows as written; capacity is maglev_capacity_
  std::map<uint32_t, ServiceStats> stats_;
};

}  // namespace sluice::datapath
