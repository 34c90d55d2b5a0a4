// Small integer ids for frontends and backends: 1..max, reused after release, so map
// keys stay dense and a restarted agent can mark the ids it found in the maps.
#pragma once

#include <cstdint>
#include <optional>
#include <set>

namespace sluice::datapath {

class IdAllocator {
 public:
  explicit IdAllocator(uint32_t max_id) : max_id_(max_id) {}

  std::optional<uint32_t> Allocate() {
    if (!released_.empty()) {
      uint32_t id = *released_.begin();
      released_.erase(released_.begin());
      return id;
    }
    if (next_ > max_id_) return std::nullopt;
    return next_++;
  }

  // Marks an id found in the maps as taken (after a restart).
  void Reserve(uint32_t id) {
    if (id == 0 || id > max_id_) return;
    released_.erase(id);
    while (next_ <= id) {
      if (next_ != id) released_.insert(next_);
      ++next_;
    }
  }

  void Release(uint32_t id) {
    if (id != 0 && id < next_) released_.insert(id);
  }

 private:
  uint32_t max_id_;
  uint32_t next_ = 1;  // 0 means "no id" in the maps
  std::set<uint32_t> released_;
};

}  // namespace sluice::datapath
