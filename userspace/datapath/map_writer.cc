#include "datapath/map_writer.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <unordered_set>

#include "base/log.h"
#include "maglev/maglev.h"
#include "maglev/table_diff.h"
#include "maglev/table_size.h"

namespace sluice::datapath {
namespace {

std::string FullReason(const char* map, int err, uint32_t capacity) {
  if (err == -E2BIG || err == -ENOSPC || err == -ENOMEM)
    return std::string(map) + " map is full (capacity " + std::to_string(capacity) + ")";
  return std::string("cannot write ") + map + " map: " + strerror(-err);
}

// What decides whether a frontend's service entry must be rewritten: generation and
// Maglev range aside (they follow from the backends).
bool SameServiceFields(const lb_service& a, const lb_service& b) {
  return a.count == b.count && a.type == b.type && a.flags == b.flags &&
         a.affinity_timeout == b.affinity_timeout;
}

// The LPM key of one source range of frontend `svc_id`.
src_range_key RangeKey(uint32_t svc_id, const IpPrefix& range) {
  src_range_key key{};
  key.prefixlen = 64 + range.length;
  key.svc_id = svc_id;
  key.family = static_cast<uint8_t>(range.address.family());
  std::memcpy(key.addr, range.address.bytes().data(), 16);
  return key;
}

// Stable identity of a backend for Maglev's permutation (the same on every node).
std::string MaglevKey(const model::Backend& b) {
  return b.address.WithPort(b.port) + "/" + model::ProtocolName(b.protocol);
}

}  // namespace

ApplyResult& ApplyResult::operator+=(const ApplyResult& other) {
  written += other.written;
  unchanged += other.unchanged;
  deleted += other.deleted;
  errors.insert(errors.end(), other.errors.begin(), other.errors.end());
  return *this;
}

MapWriter::MapWriter(MapSet& maps, WriterOptions options)
    : maps_(maps),
      options_(options),
      maglev_space_(maps.MaglevCapacity()),
      frontend_ids_(maps.services().Capacity()),
      backend_ids_(maps.backends().Capacity()) {}

int MapWriter::SetNodeConfig(const NodeDatapathConfig& config) {
  sluice_config value{};
  if (config.snat_ip4) value.snat_ip4 = config.snat_ip4->ToDatapath();
  if (config.snat_ip6) value.snat_ip6 = config.snat_ip6->ToDatapath();
  value.snat_port_min = config.snat_port_min;
  value.snat_port_max = config.snat_port_max;
  return maps_.config().Update(0, value);
}

bool MapWriter::PrepareMaglev(const model::Frontend& frontend, std::span<const uint32_t> ids,
                              const MaglevTables* current, MaglevTables* next, lb_service* value,
                              std::string* reason) {
  *next = MaglevTables{};
  value->maglev_offset = 0;
  value->maglev_size = 0;
  if (frontend.key.scope != model::Scope::kExternal || ids.empty()) return true;

  std::vector<maglev::Backend> backends;
  backends.reserve(ids.size());
  for (size_t i = 0; i < ids.size(); ++i)
    backends.push_back({MaglevKey(frontend.backends[i]), ids[i], 1});
  const uint32_t size = maglev::ChooseTableSize(ids.size(), options_.max_maglev_table_size);
  std::vector<uint32_t> table = maglev::BuildTable(backends, size);

  auto write_all = [&](uint32_t offset) {
    std::vector<MaglevWrite> writes(table.size());
    for (uint32_t i = 0; i < table.size(); ++i) writes[i] = {offset + i, table[i]};
    return maps_.WriteMaglev(writes);
  };
  auto full = [&] {
    *reason = "Maglev map is full (" + std::to_string(maglev_space_.free_slots()) + " of " +
              std::to_string(maglev_space_.capacity()) + " slots free, " + std::to_string(size) +
              " needed)";
    return false;
  };

  if (current && current->size == size) {
    *next = *current;
    const uint8_t standby = current->active ^ 1;
    if (next->offset[standby] == kNoRange) {  // adopted after a restart: one range only
      auto offset = maglev_space_.Allocate(size);
      if (!offset) return full();
      next->offset[standby] = *offset;
      if (!write_all(*offset)) {
        maglev_space_.Retire(*offset, size);
        *reason = "cannot write the Maglev map";
        return false;
      }
    } else {
      // Only the slots that differ from what the standby range holds are written.
      std::vector<uint32_t> before(size);
      if (!maps_.ReadMaglev(next->offset[standby], before) ) {
        *reason = "cannot read the Maglev map";
        return false;
      }
      std::vector<MaglevWrite> writes;
      for (const maglev::SlotChange& c : maglev::DiffTables(before, table))
        writes.push_back({next->offset[standby] + c.index, c.value});
      if (!writes.empty() && !maps_.WriteMaglev(writes)) {
        *reason = "cannot write the Maglev map";
        return false;
      }
    }
    next->active = standby;
  } else {
    // A first table, or one of another size: a fresh pair of ranges.
    auto first = maglev_space_.Allocate(size);
    if (!first) return full();
    auto second = maglev_space_.Allocate(size);  // optional: allocated on the next change otherwise
    next->size = size;
    next->offset[0] = *first;
    next->offset[1] = second.value_or(kNoRange);
    next->active = 0;
    if (!write_all(*first)) {
      RetireMaglev(*next);
      *next = MaglevTables{};
      *reason = "cannot write the Maglev map";
      return false;
    }
  }
  value->maglev_offset = next->offset[next->active];
  value->maglev_size = size;
  return true;
}

void MapWriter::RetireMaglev(const MaglevTables& tables) {
  for (uint32_t offset : tables.offset)
    if (offset != kNoRange) maglev_space_.Retire(offset, tables.size);
}

void MapWriter::FinishMaglev(const MaglevTables* current, const MaglevTables& next, bool flipped) {
  const MaglevTables& unused = flipped ? (current ? *current : MaglevTables{}) : next;
  const MaglevTables& kept = flipped ? next : (current ? *current : MaglevTables{});
  // Retire the ranges of `unused` that `kept` does not also own.
  for (uint32_t offset : unused.offset) {
    if (offset == kNoRange) continue;
    bool shared = kept.size == unused.size &&
                  (kept.offset[0] == offset || kept.offset[1] == offset);
    if (!shared) maglev_space_.Retire(offset, unused.size);
  }
}

int MapWriter::WriteSourceRanges(uint32_t svc_id, std::span<const IpPrefix> ranges) {
  for (const IpPrefix& range : ranges)
    if (int err = maps_.src_ranges().Update(RangeKey(svc_id, range), 1)) return err;
  return 0;
}

void MapWriter::DeleteSourceRanges(uint32_t svc_id, std::span<const IpPrefix> ranges) {
  for (const IpPrefix& range : ranges) maps_.src_ranges().Delete(RangeKey(svc_id, range));
}

void MapWriter::ForgetAffinity(uint32_t svc_id, std::span<const uint32_t> backends) {
  std::vector<affinity_key> stale;
  maps_.affinity().ForEach([&](const affinity_key& key, const affinity_entry& entry) {
    if (key.svc_id == svc_id &&
        (backends.empty() || std::find(backends.begin(), backends.end(), entry.backend_id) != backends.end()))
      stale.push_back(key);
    return true;
  });
  for (const affinity_key& key : stale) maps_.affinity().Delete(key);
}

lb_backend MapWriter::Identity(lb_backend value) {
  value.flags = 0;
  return value;
}

int MapWriter::AcquireBackends(std::span<const model::Backend> backends, std::vector<uint32_t>* ids,
                               std::string* reason) {
  ids->clear();
  ids->reserve(backends.size());
  for (const model::Backend& backend : backends) {
    lb_backend value = ToBackend(backend);
    lb_backend identity = Identity(value);
    if (auto it = backends_.find(identity); it != backends_.end()) {
      PooledBackend& pooled = it->second;
      // Same endpoint, new conditions (e.g. now terminating): rewrite in place, one
      // atomic update seen by every frontend that shares it.
      if (!SameBytes(pooled.value, value) && maps_.backends().Update(pooled.id, value) == 0)
        pooled.value = value;
      ++pooled.refs;
      ids->push_back(pooled.id);
      continue;
    }
    auto id = backend_ids_.Allocate();
    int err = id ? maps_.backends().Update(*id, value) : -E2BIG;
    if (err) {
      if (id) backend_ids_.Release(*id);
      *reason = FullReason("backends", err, maps_.backends().Capacity());
      ReleaseBackends(*ids);
      ids->clear();
      return err;
    }
    backends_[identity] = PooledBackend{*id, 1, value};
    backend_identity_by_id_[*id] = identity;
    ids->push_back(*id);
  }
  return 0;
}

void MapWriter::ReleaseBackends(std::span<const uint32_t> ids) {
  for (uint32_t id : ids) {
    auto identity = backend_identity_by_id_.find(id);
    if (identity == backend_identity_by_id_.end()) continue;
    auto it = backends_.find(identity->second);
    if (it == backends_.end() || --it->second.refs > 0) continue;
    // Last user gone: no service entry names a slot that points here any more.
    maps_.backends().Delete(id);
    backends_.erase(it);
    backend_identity_by_id_.erase(identity);
    backend_ids_.Release(id);
  }
}

int MapWriter::WriteSlots(uint32_t svc_id, uint8_t gen, std::span<const uint32_t> ids) {
  for (size_t i = 0; i < ids.size(); ++i) {
    lb_slot_key key{};
    key.svc_id = svc_id;
    key.slot = static_cast<uint16_t>(i);
    key.gen = gen;
    if (int err = maps_.slots().Update(key, ids[i])) {
      DeleteSlots(svc_id, gen, i);
      return err;
    }
  }
  return 0;
}

void MapWriter::DeleteSlots(uint32_t svc_id, uint8_t gen, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    lb_slot_key key{};
    key.svc_id = svc_id;
    key.slot = static_cast<uint16_t>(i);
    key.gen = gen;
    maps_.slots().Delete(key);
  }
}

bool MapWriter::UpsertFrontend(const std::string& service, const model::Frontend& frontend,
                               ApplyResult* result) {
  auto fail = [&](std::string reason) {
    result->errors.push_back({frontend.key, std::move(reason)});
    return false;
  };
  const lb_service_key key = ToServiceKey(frontend.key);
  auto existing = frontends_.find(key);
  if (existing != frontends_.end() && existing->second.service != service)
    return fail("frontend already belongs to Service " + existing->second.service);
  if (frontend.backends.size() > SLUICE_MAX_BACKENDS_PER_SERVICE)
    return fail("too many backends (" + std::to_string(frontend.backends.size()) + ", at most " +
                std::to_string(SLUICE_MAX_BACKENDS_PER_SERVICE) + ")");

  std::vector<uint32_t> ids;
  std::string reason;
  if (AcquireBackends(frontend.backends, &ids, &reason)) return fail(reason);

  lb_service value{};
  value.count = static_cast<uint16_t>(ids.size());
  value.type = static_cast<uint8_t>(frontend.type);
  value.flags = frontend.flags;
  value.affinity_timeout = frontend.affinity_timeout;
  const lb_service_meta meta = ToMeta(service, frontend.port_name);

  if (existing != frontends_.end()) {
    Programmed& old = existing->second;
    if (ids == old.backend_ids && SameServiceFields(value, old.value) && SameBytes(meta, old.meta) &&
        frontend.source_ranges == old.source_ranges) {
      ReleaseBackends(ids);  // the references taken above are duplicates
      ++result->unchanged;
      return true;
    }
    value.id = old.value.id;
    value.gen = old.value.gen ^ 1;
    if (int err = WriteSlots(value.id, value.gen, ids)) {
      ReleaseBackends(ids);
      return fail(FullReason("slots", err, maps_.slots().Capacity()));
    }
    MaglevTables maglev;
    if (!PrepareMaglev(frontend, ids, &old.maglev, &maglev, &value, &reason)) {
      DeleteSlots(value.id, value.gen, ids.size());
      ReleaseBackends(ids);
      return fail(reason);
    }
    if (int err = WriteSourceRanges(value.id, frontend.source_ranges)) {
      FinishMaglev(&old.maglev, maglev, false);
      DeleteSlots(value.id, value.gen, ids.size());
      ReleaseBackends(ids);
      return fail(FullReason("source ranges", err, maps_.src_ranges().Capacity()));
    }
    if (!SameBytes(meta, old.meta) && maps_.service_meta().Update(value.id, meta) == 0)
      old.meta = meta;
    if (int err = maps_.services().Update(key, value)) {
      FinishMaglev(&old.maglev, maglev, false);
      DeleteSlots(value.id, value.gen, ids.size());
      ReleaseBackends(ids);
      return fail(FullReason("services", err, maps_.services().Capacity()));
    }
    // The flip is done: readers now use the new generation. Retire the old one.
    DeleteSlots(old.value.id, old.value.gen, std::max<size_t>(old.value.count, old.backend_ids.size()));
    FinishMaglev(&old.maglev, maglev, true);
    std::vector<IpPrefix> dropped_ranges;
    for (const IpPrefix& r : old.source_ranges)
      if (std::find(frontend.source_ranges.begin(), frontend.source_ranges.end(), r) == frontend.source_ranges.end())
        dropped_ranges.push_back(r);
    DeleteSourceRanges(value.id, dropped_ranges);
    std::vector<uint32_t> gone;
    for (uint32_t id : old.backend_ids)
      if (std::find(ids.begin(), ids.end(), id) == ids.end()) gone.push_back(id);
    if ((old.value.flags & LB_SVC_F_AFFINITY) && !gone.empty()) ForgetAffinity(value.id, gone);
    ReleaseBackends(old.backend_ids);
    old.value = value;
    old.backend_ids = std::move(ids);
    old.maglev = maglev;
    old.source_ranges = frontend.source_ranges;
    ++result->written;
    return true;
  }

  auto id = frontend_ids_.Allocate();
  if (!id) {
    ReleaseBackends(ids);
    return fail(FullReason("services", -E2BIG, maps_.services().Capacity()));
  }
  value.id = *id;
  value.gen = 0;
  maps_.ResetServiceStats(value.id);  // the id may have counted for a deleted frontend
  MaglevTables maglev;
  bool have_maglev = false;
  int err = WriteSlots(value.id, value.gen, ids);
  if (err) {
    reason = FullReason("slots", err, maps_.slots().Capacity());
  } else if (!(have_maglev = PrepareMaglev(frontend, ids, nullptr, &maglev, &value, &reason))) {
    err = -E2BIG;
    DeleteSlots(value.id, value.gen, ids.size());
  } else if ((err = WriteSourceRanges(value.id, frontend.source_ranges))) {
    reason = FullReason("source ranges", err, maps_.src_ranges().Capacity());
    DeleteSourceRanges(value.id, frontend.source_ranges);
    DeleteSlots(value.id, value.gen, ids.size());
  } else if ((err = maps_.service_meta().Update(value.id, meta))) {
    reason = FullReason("service metadata", err, maps_.service_meta().Capacity());
    DeleteSourceRanges(value.id, frontend.source_ranges);
    DeleteSlots(value.id, value.gen, ids.size());
  } else if ((err = maps_.services().Update(key, value))) {
    reason = FullReason("services", err, maps_.services().Capacity());
    maps_.service_meta().Delete(value.id);
    DeleteSourceRanges(value.id, frontend.source_ranges);
    DeleteSlots(value.id, value.gen, ids.size());
  }
  if (err) {
    if (have_maglev) RetireMaglev(maglev);
    ReleaseBackends(ids);
    frontend_ids_.Release(value.id);
    return fail(reason);
  }
  frontends_.emplace(key, Programmed{service, value, meta, std::move(ids), maglev, frontend.source_ranges});
  by_service_[service].push_back(key);
  ++result->written;
  return true;
}

void MapWriter::DeleteFrontend(KeyMap::iterator it) {
  const Programmed& p = it->second;
  // Reverse of creation: the entry readers start from goes first.
  maps_.services().Delete(it->first);
  DeleteSlots(p.value.id, p.value.gen, std::max<size_t>(p.value.count, p.backend_ids.size()));
  maps_.service_meta().Delete(p.value.id);
  RetireMaglev(p.maglev);
  DeleteSourceRanges(p.value.id, p.source_ranges);
  if (p.value.flags & LB_SVC_F_AFFINITY) ForgetAffinity(p.value.id, {});
  ReleaseBackends(p.backend_ids);
  frontend_ids_.Release(p.value.id);
  frontends_.erase(it);
}

ApplyResult MapWriter::ApplyService(const std::string& service,
                                    std::span<const model::Frontend> frontends) {
  ApplyResult result;
  std::unordered_set<lb_service_key, BytesHash<lb_service_key>, BytesEqual<lb_service_key>> wanted;
  for (const model::Frontend& frontend : frontends) {
    if (!wanted.insert(ToServiceKey(frontend.key)).second) {
      result.errors.push_back({frontend.key, "frontend listed twice for the same Service"});
      continue;
    }
    UpsertFrontend(service, frontend, &result);
  }
  // Frontends this Service no longer has go after the new ones are in place.
  std::vector<lb_service_key> kept;
  for (const lb_service_key& key : by_service_[service]) {
    auto it = frontends_.find(key);
    if (it == frontends_.end()) continue;
    if (wanted.count(key)) {
      kept.push_back(key);
    } else {
      DeleteFrontend(it);
      ++result.deleted;
    }
  }
  if (kept.empty())
    by_service_.erase(service);
  else
    by_service_[service] = std::move(kept);
  return result;
}

ApplyResult MapWriter::RemoveService(const std::string& service) {
  return ApplyService(service, {});
}

std::vector<std::string> MapWriter::Services() const {
  std::vector<std::string> names;
  names.reserve(by_service_.size());
  for (const auto& [name, keys] : by_service_)
    if (!keys.empty()) names.push_back(name);
  return names;
}

RestoreResult MapWriter::Restore() {
  RestoreResult result;
  frontends_.clear();
  by_service_.clear();
  backends_.clear();
  backend_identity_by_id_.clear();
  frontend_ids_ = IdAllocator(maps_.services().Capacity());
  backend_ids_ = IdAllocator(maps_.backends().Capacity());
  maglev_space_ = MaglevSpace(maps_.MaglevCapacity());

  std::vector<uint32_t> duplicate_backends;
  maps_.backends().ForEach([&](const uint32_t& id, const lb_backend& value) {
    lb_backend identity = Identity(value);
    if (backends_.count(identity)) {
      duplicate_backends.push_back(id);
      return true;
    }
    backends_[identity] = PooledBackend{id, 0, value};
    backend_identity_by_id_[id] = identity;
    backend_ids_.Reserve(id);
    return true;
  });
  std::unordered_map<uint32_t, lb_service_meta> meta_by_id;
  maps_.service_meta().ForEach([&](const uint32_t& id, const lb_service_meta& meta) {
    meta_by_id[id] = meta;
    return true;
  });
  std::unordered_map<lb_slot_key, uint32_t, BytesHash<lb_slot_key>, BytesEqual<lb_slot_key>> slots;
  maps_.slots().ForEach([&](const lb_slot_key& key, const uint32_t& backend) {
    slots[key] = backend;
    return true;
  });

  std::unordered_set<uint32_t> live_ids;
  maps_.services().ForEach([&](const lb_service_key& key, const lb_service& value) {
    Programmed p;
    p.value = value;
    if (auto m = meta_by_id.find(value.id); m != meta_by_id.end()) {
      p.meta = m->second;
      p.meta.name[sizeof(p.meta.name) - 1] = '\0';
      p.service = p.meta.name;
    }
    for (uint16_t i = 0; i < value.count; ++i) {
      lb_slot_key slot{};
      slot.svc_id = value.id;
      slot.slot = i;
      slot.gen = value.gen;
      auto s = slots.find(slot);
      if (s == slots.end()) continue;
      auto identity = backend_identity_by_id_.find(s->second);
      if (identity != backend_identity_by_id_.end()) {
        ++backends_[identity->second].refs;
        p.backend_ids.push_back(s->second);
        slots.erase(s);  // what stays in `slots` afterwards is orphaned
      }
    }
    // The live Maglev range is adopted; its standby twin is not recorded in the maps
    // and is allocated again on the next change.
    if (value.maglev_size > 0 && maglev_space_.Reserve(value.maglev_offset, value.maglev_size)) {
      p.maglev.size = value.maglev_size;
      p.maglev.offset[0] = value.maglev_offset;
      p.maglev.active = 0;
    }
    live_ids.insert(value.id);
    frontend_ids_.Reserve(value.id);
    by_service_[p.service].push_back(key);
    frontends_.emplace(key, std::move(p));
    return true;
  });

  // Orphans: written by a run that stopped between steps of a make-before-break.
  for (const auto& [key, backend] : slots) {
    maps_.slots().Delete(key);
    ++result.orphans_removed;
  }
  for (const auto& [id, meta] : meta_by_id) {
    if (live_ids.count(id)) continue;
    maps_.service_meta().Delete(id);
    ++result.orphans_removed;
  }
  for (uint32_t id : duplicate_backends) {
    maps_.backends().Delete(id);
    ++result.orphans_removed;
  }
  for (auto it = backends_.begin(); it != backends_.end();) {
    if (it->second.refs > 0) {
      ++it;
      continue;
    }
    maps_.backends().Delete(it->second.id);
    backend_identity_by_id_.erase(it->second.id);
    backend_ids_.Release(it->second.id);
    it = backends_.erase(it);
    ++result.orphans_removed;
  }
  result.frontends = frontends_.size();
  result.backends = backends_.size();
  return result;
}

}  // namespace sluice::datapath
