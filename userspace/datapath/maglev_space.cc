#include "datapath/maglev_space.h"

namespace sluice::datapath {

std::optional<uint32_t> MaglevSpace::Allocate(uint32_t size) {
  if (size == 0) return std::nullopt;
  for (auto it = free_.begin(); it != free_.end(); ++it) {
    if (it->second < size) continue;
    uint32_t offset = it->first;
    uint32_t rest = it->second - size;
    free_.erase(it);
    if (rest > 0) free_[offset + size] = rest;
    return offset;
  }
  return std::nullopt;
}

bool MaglevSpace::Reserve(uint32_t offset, uint32_t size) {
  if (size == 0 || uint64_t{offset} + size > capacity_) return false;
  auto it = free_.upper_bound(offset);
  if (it == free_.begin()) return false;
  --it;
  uint32_t start = it->first, len = it->second;
  if (uint64_t{start} + len < uint64_t{offset} + size) return false;  // not wholly free
  free_.erase(it);
  if (offset > start) free_[start] = offset - start;
  uint32_t end = offset + size;
  if (start + len > end) free_[end] = start + len - end;
  return true;
}

void MaglevSpace::Retire(uint32_t offset, uint32_t size) {
  if (size > 0) retired_.emplace_back(offset, size);
}

void MaglevSpace::ReleaseRetired() {
  for (const auto& [offset, size] : retired_) Free(offset, size);
  retired_.clear();
}

void MaglevSpace::Free(uint32_t offset, uint32_t size) {
  auto [it, inserted] = free_.emplace(offset, size);
  if (!inserted) return;  // already free: a double release must not corrupt the map
  auto next = std::next(it);
  if (next != free_.end() && it->first + it->second == next->first) {
    it->second += next->second;
    free_.erase(next);
  }
  if (it != free_.begin()) {
    auto prev = std::prev(it);
    if (prev->first + prev->second == it->first) {
      prev->second += it->second;
      free_.erase(it);
    }
  }
}

uint32_t MaglevSpace::free_slots() const {
  uint32_t total = 0;
  for (const auto& [offset, size] : free_) total += size;
  return total;
}

}  // namespace sluice::datapath
