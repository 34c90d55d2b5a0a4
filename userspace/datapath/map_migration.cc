#include "datapath/map_migration.h"

#include <bpf/libbpf.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/log.h"
#include "sluice/abi.h"

namespace sluice::datapath {
namespace {

bool IsHashLike(uint32_t type) {
  return type == BPF_MAP_TYPE_HASH || type == BPF_MAP_TYPE_LRU_HASH || type == BPF_MAP_TYPE_LPM_TRIE;
}

bool IsArrayLike(uint32_t type) {
  return type == BPF_MAP_TYPE_ARRAY || type == BPF_MAP_TYPE_PERCPU_ARRAY;
}

bool IsPerCpu(uint32_t type) {
  return type == BPF_MAP_TYPE_PERCPU_ARRAY || type == BPF_MAP_TYPE_PERCPU_HASH ||
         type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

// Bytes a lookup returns for one value: per-CPU maps give every CPU's, 8-byte aligned.
size_t ValueBytes(const bpf_map_info& info) {
  if (!IsPerCpu(info.type)) return info.value_size;
  int cpus = libbpf_num_possible_cpus();
  return static_cast<size_t>(cpus > 0 ? cpus : 1) * ((info.value_size + 7) & ~7u);
}

// Maps the datapath writes (flows, affinity, counters): copied again in Finish().
bool WrittenByDatapath(const std::string& name) {
  return name == SLUICE_MAP_CT || name == SLUICE_MAP_NAT || name == SLUICE_MAP_AFFINITY ||
         name == SLUICE_MAP_SOCK_REV_NAT;
}

}  // namespace

void MapMigrations::Plan(const bpf_map* map, const std::string& pin_path, UniqueFd old_fd,
                         const bpf_map_info& old_info) {
  Pending p;
  p.name = bpf_map__name(map);
  p.pin_path = pin_path;
  p.old_info = old_info;
  const uint32_t type = bpf_map__type(map);
  const bool same_shape = old_info.key_size == bpf_map__key_size(map) &&
                          old_info.value_size == bpf_map__value_size(map);
  const bool same_kind = old_info.type == type || (IsHashLike(old_info.type) && IsHashLike(type) &&
                                                   old_info.type != BPF_MAP_TYPE_LPM_TRIE &&
                                                   type != BPF_MAP_TYPE_LPM_TRIE);
  if (same_shape && same_kind) {
    p.conversion = Conversion::kSameLayout;
  } else if (p.name == SLUICE_MAP_MAGLEV && old_info.type == BPF_MAP_TYPE_ARRAY &&
             old_info.value_size == sizeof(uint32_t) && bpf_map__value_size(map) == sizeof(maglev_pair)) {
    p.conversion = Conversion::kMaglevU32ToPair;
  } else {
    throw DatapathError("pinned map " + pin_path + " has a layout this version of sluice cannot " +
                        "convert (type " + std::to_string(old_info.type) + ", key " +
                        std::to_string(old_info.key_size) + " B, value " +
                        std::to_string(old_info.value_size) + " B); refusing to start from an " +
                        "empty map. Remove sluice's pins with sluice-agent --cleanup to start over");
  }
  p.old_fd = std::move(old_fd);
  log::Info("migrating a pinned map", {{"map", p.name},
                                        {"old_entries_max", old_info.max_entries},
                                        {"new_entries_max", bpf_map__max_entries(map)},
                                        {"conversion", p.conversion == Conversion::kSameLayout
                                                           ? "copy"
                                                           : "maglev u32 slots to pairs"}});
  pending_.push_back(std::move(p));
}

void MapMigrations::Copy(Pending& p, bool only_missing) {
  const int from = p.old_fd.get(), to = p.new_fd.get();
  const uint64_t flags = only_missing ? BPF_NOEXIST : BPF_ANY;

  if (p.conversion == Conversion::kMaglevU32ToPair) {
    const uint32_t slots = std::min<uint32_t>(p.old_info.max_entries, p.new_info.max_entries * 2);
    for (uint32_t pair = 0; pair < (slots + 1) / 2; ++pair) {
      maglev_pair value{};
      for (uint32_t half = 0; half < 2; ++half) {
        uint32_t slot = pair * 2 + half;
        if (slot < slots) bpf_map_lookup_elem(from, &slot, &value.id[half]);
      }
      if (bpf_map_update_elem(to, &pair, &value, BPF_ANY) == 0) ++p.copied;
    }
    return;
  }

  std::vector<unsigned char> key(p.old_info.key_size), next(p.old_info.key_size);
  std::vector<unsigned char> value(std::max(ValueBytes(p.old_info), ValueBytes(p.new_info)));
  if (IsArrayLike(p.old_info.type)) {
    const uint32_t n = std::min(p.old_info.max_entries, p.new_info.max_entries);
    for (uint32_t i = 0; i < n; ++i) {
      if (bpf_map_lookup_elem(from, &i, value.data()) == 0 && bpf_map_update_elem(to, &i, value.data(), BPF_ANY) == 0)
        ++p.copied;
    }
    return;
  }
  // Hash-like: walk the keys (bounded by twice the old capacity).
  const void* cursor = nullptr;
  for (uint64_t steps = 0; steps < 2ull * p.old_info.max_entries + 1; ++steps) {
    if (bpf_map_get_next_key(from, cursor, next.data())) break;
    key = next;
    cursor = key.data();
    if (bpf_map_lookup_elem(from, key.data(), value.data())) continue;  // gone meanwhile
    if (bpf_map_update_elem(to, key.data(), value.data(), flags) == 0) {
      ++p.copied;
    } else if (errno != EEXIST) {
      ++p.lost;  // the new map is smaller than what the old one held
    }
  }
}

void MapMigrations::CopyAndRepin(bpf_object* obj) {
  for (Pending& p : pending_) {
    if (p.new_fd) continue;  // done by an earlier object that shares the map
    const bpf_map* map = bpf_object__find_map_by_name(obj, p.name.c_str());
    if (!map || bpf_map__fd(map) < 0) continue;
    int fd = dup(bpf_map__fd(map));
    if (fd < 0) throw DatapathError("cannot keep map " + p.name + ": " + strerror(errno));
    p.new_fd = UniqueFd(fd);
    uint32_t len = sizeof(p.new_info);
    if (bpf_obj_get_info_by_fd(fd, &p.new_info, &len))
      throw DatapathError("cannot inspect map " + p.name + ": " + strerror(errno));
    Copy(p, /*only_missing=*/false);
    // Swap the pin: the old map lives on (its programs and our fd hold it) until Finish.
    if (unlink(p.pin_path.c_str()) != 0 && errno != ENOENT)
      throw DatapathError("cannot replace pin " + p.pin_path + ": " + strerror(errno));
    if (bpf_obj_pin(fd, p.pin_path.c_str()))
      throw DatapathError("cannot pin migrated map at " + p.pin_path + ": " + strerror(errno));
  }
}

int MapMigrations::Finish() {
  int done = 0;
  for (Pending& p : pending_) {
    if (!p.new_fd) continue;
    if (WrittenByDatapath(p.name)) Copy(p, /*only_missing=*/true);
    log::Info("pinned map migrated", {{"map", p.name}, {"entries_copied", p.copied},
                                       {"entries_lost", p.lost}});
    if (p.lost > 0)
      log::Warn("the migrated map is too small for what the old one held",
                {{"map", p.name}, {"entries_lost", p.lost}, {"capacity", p.new_info.max_entries}});
    ++done;
  }
  pending_.clear();
  return done;
}

}  // namespace sluice::datapath
