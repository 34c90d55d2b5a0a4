// An in-memory MapSet for tests of the control plane: the same semantics as the BPF
// maps (fixed capacity, -E2BIG when full, -ENOENT on a missing delete), plus a log of
// writes so tests can check their order.
#pragma once

#include <cerrno>
#include <cstring>
#include <map>
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

struct MemoryMapSizes {
  uint32_t services = SLUICE_MAX_SERVICES;
  uint32_t slots = SLUICE_MAX_SLOTS;
  uint32_t backends = SLUICE_MAX_BACKENDS;
};

class MemoryMapSet final : public MapSet {
 public:
  explicit MemoryMapSet(MemoryMapSizes sizes = {})
      : services_("services", sizes.services, &log_),
        slots_("slots", sizes.slots, &log_),
        backends_("backends", sizes.backends, &log_),
        meta_("meta", sizes.services, &log_) {}

  MemoryTable<lb_service_key, lb_service>& services() override { return services_; }
  MemoryTable<lb_slot_key, uint32_t>& slots() override { return slots_; }
  MemoryTable<uint32_t, lb_backend>& backends() override { return backends_; }
  MemoryTable<uint32_t, lb_service_meta>& service_meta() override { return meta_; }
  std::vector<uint64_t> ReadCounters() const override {
    return std::vector<uint64_t>(SLUICE_CTR_MAX, 0);
  }

  const std::vector<WriteRecord>& write_log() const { return log_; }
  void clear_write_log() { log_.clear(); }

 private:
  std::vector<WriteRecord> log_;
  MemoryTable<lb_service_key, lb_service> services_;
  MemoryTable<lb_slot_key, uint32_t> slots_;
  MemoryTable<uint32_t, lb_backend> backends_;
  MemoryTable<uint32_t, lb_service_meta> meta_;
};

}  // namespace sluice::datapath
