// Space in the flat Maglev array (sluice_maglev): each external frontend owns two
// ranges of its table size, the live one and the one the next version is written into
// before the Service entry flips to it. A range given back may still be read by a
// packet that looked up the Service entry just before the flip, so it is retired
// first and reused only after the next sync (a packet is long gone by then).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

namespace sluice::datapath {

class MaglevSpace {
 public:
  explicit MaglevSpace(uint32_t capacity) : capacity_(capacity) {
    if (capacity > 0) free_[0] = capacity;
  }

  // First fit; nullopt when no free range is large enough.
  std::optional<uint32_t> Allocate(uint32_t size);
  // Marks [offset, offset+size) as in use (adopting a table after a restart).
  bool Reserve(uint32_t offset, uint32_t size);
  // Gives a range back, reusable after the next ReleaseRetired().
  void Retire(uint32_t offset, uint32_t size);
  // Frees what was retired before now. Called once per sync.
  void ReleaseRetired();

  uint32_t capacity() const { return capacity_; }
  uint32_t free_slots() const;

 private:
  void Free(uint32_t offset, uint32_t size);

  uint32_t capacity_;
  std::map<uint32_t, uint32_t> free_;  // offset -> size, coalesced
  std::vector<std::pair<uint32_t, uint32_t>> retired_;
};

}  // namespace sluice::datapath
