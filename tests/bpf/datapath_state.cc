#include "bpf/datapath_state.h"

#include <bpf/bpf.h>
#include <netinet/in.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "sluice/flow_hash.h"

namespace sluice::bpftest {
namespace {

// The printable counter names, straight from the X-macro: no second list to drift.
struct CounterName {
  uint32_t index;
  std::string_view name;
};
constexpr CounterName kCounterNames[] = {
#define SLUICE_TEST_COUNTER_NAME(id, text, help) {SLUICE_CTR_##id, text},
    SLUICE_COUNTERS(SLUICE_TEST_COUNTER_NAME)
#undef SLUICE_TEST_COUNTER_NAME
};

std::runtime_error MapError(const std::string& what, const char* map) {
  return std::runtime_error(what + " in " + map + ": " + std::strerror(errno));
}

bool IsArray(bpf_map_type t) {
  return t == BPF_MAP_TYPE_ARRAY || t == BPF_MAP_TYPE_PERCPU_ARRAY;
}

bool IsPerCpu(bpf_map_type t) {
  return t == BPF_MAP_TYPE_PERCPU_ARRAY || t == BPF_MAP_TYPE_PERCPU_HASH ||
         t == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

// Every key of a hash-like map (bounded: these maps hold what one test wrote).
std::vector<std::vector<uint8_t>> Keys(int fd, size_t key_size) {
  std::vector<std::vector<uint8_t>> keys;
  std::vector<uint8_t> next(key_size);
  const void* prev = nullptr;
  while (bpf_map_get_next_key(fd, prev, next.data()) == 0 && keys.size() < 1'000'000) {
    keys.push_back(next);
    prev = keys.back().data();
  }
  return keys;
}

template <typename K, typename V>
std::vector<std::pair<K, V>> Dump(int fd) {
  std::vector<std::pair<K, V>> out;
  for (const auto& raw : Keys(fd, sizeof(K))) {
    std::pair<K, V> kv{};
    std::memcpy(&kv.first, raw.data(), sizeof(K));
    if (bpf_map_lookup_elem(fd, &kv.first, &kv.second) == 0) out.push_back(kv);
  }
  return out;
}

}  // namespace

sluice_addr ToSluiceAddr(const IpAddr& addr) {
  sluice_addr a{};
  std::memcpy(a.bytes, addr.padded().data(), 16);
  return a;
}

IpAddr FromSluiceAddr(const sluice_addr& addr, uint8_t family) {
  return IpAddr::FromBytes(std::span<const uint8_t>(addr.bytes, family == SLUICE_AF_INET ? 4 : 16));
}

uint8_t FamilyOf(const IpAddr& addr) { return addr.is_v4() ? SLUICE_AF_INET : SLUICE_AF_INET6; }

std::vector<uint32_t> MaglevTableOf(const ServiceSpec& service) {
  if (!service.maglev.empty() || service.backends.empty()) return service.maglev;
  std::vector<uint32_t> table(ServiceSpec::kDefaultMaglevSize);
  for (size_t i = 0; i < table.size(); ++i) table[i] = service.backends[i % service.backends.size()];
  return table;
}

uint32_t MaglevChoice(const ServiceSpec& service, const Flow& flow) {
  const auto table = MaglevTableOf(service);
  if (table.empty()) return 0;
  const sluice_addr s = ToSluiceAddr(flow.saddr), d = ToSluiceAddr(flow.daddr);
  const uint32_t hash = sluice_flow_hash(s.ip6, d.ip6, htons(flow.sport), htons(flow.dport), flow.proto);
  return table[hash % table.size()];
}

DatapathState::DatapathState(bpf_object* maps) : obj_(maps) {}

bpf_map* DatapathState::Map(const char* name) const {
  bpf_map* m = bpf_object__find_map_by_name(obj_, name);
  if (!m) throw std::invalid_argument(std::string("no map named ") + name);
  return m;
}

int DatapathState::Fd(const char* name) const { return bpf_map__fd(Map(name)); }

void DatapathState::Reset() {
  const int cpus = libbpf_num_possible_cpus();
  bpf_map* map;
  bpf_object__for_each_map(map, obj_) {
    if (bpf_map__is_internal(map)) continue;
    const int fd = bpf_map__fd(map);
    const bpf_map_type type = bpf_map__type(map);
    if (IsArray(type)) {
      // One batch of zero values over every index.
      const uint32_t n = bpf_map__max_entries(map);
      const size_t value_size = IsPerCpu(type) ? ((bpf_map__value_size(map) + 7) / 8 * 8) * cpus
                                               : bpf_map__value_size(map);
      std::vector<uint32_t> keys(n);
      for (uint32_t i = 0; i < n; ++i) keys[i] = i;
      std::vector<uint8_t> zeros(value_size * n, 0);
      uint32_t count = n;
      if (bpf_map_update_batch(fd, keys.data(), zeros.data(), &count, nullptr) != 0)
        throw MapError("cannot zero the array", bpf_map__name(map));
      continue;
    }
    Clear(bpf_map__name(map));
    if (!Keys(fd, bpf_map__key_size(map)).empty())
      throw std::runtime_error(std::string("map not empty after reset: ") + bpf_map__name(map));
  }
}

void DatapathState::PutBackend(const BackendSpec& b) {
  lb_backend value{};
  value.addr = ToSluiceAddr(b.addr);
  value.port = htons(b.port);
  value.proto = b.proto;
  value.family = FamilyOf(b.addr);
  value.flags = b.flags;
  if (bpf_map_update_elem(Fd(SLUICE_MAP_BACKENDS), &b.id, &value, BPF_ANY) != 0)
    throw MapError("cannot write backend " + std::to_string(b.id), SLUICE_MAP_BACKENDS);
}

void DatapathState::DeleteBackend(uint32_t id) {
  if (bpf_map_delete_elem(Fd(SLUICE_MAP_BACKENDS), &id) != 0)
    throw MapError("cannot delete backend " + std::to_string(id), SLUICE_MAP_BACKENDS);
}

void DatapathState::WriteMaglev(uint32_t offset, std::span<const uint32_t> ids) {
  // Elements hold one or more consecutive slots (value size / 4): read, patch, write.
  bpf_map* map = Map(SLUICE_MAP_MAGLEV);
  const int fd = bpf_map__fd(map);
  const uint32_t per_elem = bpf_map__value_size(map) / sizeof(uint32_t);
  std::vector<uint32_t> elem(per_elem);
  for (size_t i = 0; i < ids.size(); ++i) {
    const uint32_t slot = offset + static_cast<uint32_t>(i);
    const uint32_t index = slot / per_elem;
    if (bpf_map_lookup_elem(fd, &index, elem.data()) != 0)
      throw MapError("cannot read Maglev slot " + std::to_string(slot), SLUICE_MAP_MAGLEV);
    elem[slot % per_elem] = ids[i];
    if (bpf_map_update_elem(fd, &index, elem.data(), BPF_ANY) != 0)
      throw MapError("cannot write Maglev slot " + std::to_string(slot), SLUICE_MAP_MAGLEV);
  }
}

void DatapathState::PutService(const ServiceSpec& s) {
  // Make-before-break as the control plane writes: slots and table, then the entry.
  for (size_t i = 0; i < s.backends.size(); ++i) {
    lb_slot_key key{};
    key.svc_id = s.id;
    key.slot = static_cast<uint16_t>(i);
    key.gen = 0;
    if (bpf_map_update_elem(Fd(SLUICE_MAP_SLOTS), &key, &s.backends[i], BPF_ANY) != 0)
      throw MapError("cannot write a slot", SLUICE_MAP_SLOTS);
  }
  const auto table = MaglevTableOf(s);
  WriteMaglev(s.maglev_offset, table);

  lb_service_key key{};
  key.addr = ToSluiceAddr(s.addr);
  key.port = htons(s.port);
  key.proto = s.proto;
  key.family = FamilyOf(s.addr);
  key.scope = s.scope;
  lb_service value{};
  value.id = s.id;
  value.count = static_cast<uint16_t>(s.backends.size());
  value.gen = 0;
  value.type = s.type;
  value.flags = s.flags;
  value.affinity_timeout = s.affinity_timeout;
  value.maglev_offset = s.maglev_offset;
  value.maglev_size = static_cast<uint32_t>(table.size());
  if (bpf_map_update_elem(Fd(SLUICE_MAP_SERVICES), &key, &value, BPF_ANY) != 0)
    throw MapError("cannot write service " + std::to_string(s.id), SLUICE_MAP_SERVICES);
}

void DatapathState::PutConfig(const IpAddr& snat4, const IpAddr& snat6, uint16_t port_min,
                              uint16_t port_max) {
  sluice_config cfg{};
  cfg.snat_ip4 = ToSluiceAddr(snat4);
  cfg.snat_ip6 = ToSluiceAddr(snat6);
  cfg.snat_port_min = port_min;
  cfg.snat_port_max = port_max;
  const uint32_t zero = 0;
  if (bpf_map_update_elem(Fd(SLUICE_MAP_CONFIG), &zero, &cfg, BPF_ANY) != 0)
    throw MapError("cannot write the config", SLUICE_MAP_CONFIG);
}

void DatapathState::AddSourceRange(uint32_t svc_id, const IpAddr& prefix, uint32_t prefix_len) {
  src_range_key key{};
  key.prefixlen = 64 + prefix_len;  // svc_id, family and pad always match
  key.svc_id = svc_id;
  key.family = FamilyOf(prefix);
  std::memcpy(key.addr, prefix.padded().data(), 16);
  const uint8_t one = 1;
  if (bpf_map_update_elem(Fd(SLUICE_MAP_SRC_RANGES), &key, &one, BPF_ANY) != 0)
    throw MapError("cannot write a source range", SLUICE_MAP_SRC_RANGES);
}

std::vector<std::pair<ct_key, ct_entry>> DatapathState::Conntrack() const {
  return Dump<ct_key, ct_entry>(Fd(SLUICE_MAP_CT));
}

std::vector<std::pair<nat_key, nat_entry>> DatapathState::Nat() const {
  return Dump<nat_key, nat_entry>(Fd(SLUICE_MAP_NAT));
}

namespace {
ct_key ConntrackKey(const Flow& f) {
  ct_key key{};
  key.saddr = ToSluiceAddr(f.saddr);
  key.daddr = ToSluiceAddr(f.daddr);
  key.sport = htons(f.sport);
  key.dport = htons(f.dport);
  key.proto = f.proto;
  key.family = FamilyOf(f.saddr);
  return key;
}
}  // namespace

void DatapathState::PutConntrack(const Flow& f, const ct_entry& e) {
  const ct_key key = ConntrackKey(f);
  if (bpf_map_update_elem(Fd(SLUICE_MAP_CT), &key, &e, BPF_ANY) != 0)
    throw MapError("cannot write a conntrack entry", SLUICE_MAP_CT);
}

void DatapathState::Clear(const char* map_name) {
  bpf_map* map = Map(map_name);
  for (const auto& key : Keys(bpf_map__fd(map), bpf_map__key_size(map)))
    if (bpf_map_delete_elem(bpf_map__fd(map), key.data()) != 0 && errno != ENOENT)
      throw MapError("cannot delete an entry", map_name);
}

std::optional<ct_entry> DatapathState::ConntrackOf(const Flow& f) const {
  const ct_key key = ConntrackKey(f);
  ct_entry e{};
  if (bpf_map_lookup_elem(Fd(SLUICE_MAP_CT), &key, &e) != 0) return std::nullopt;
  return e;
}

namespace {
affinity_key AffinityKey(uint32_t svc_id, const IpAddr& client) {
  affinity_key key{};
  key.client = ToSluiceAddr(client);
  key.svc_id = svc_id;
  key.family = FamilyOf(client);
  return key;
}
}  // namespace

std::optional<affinity_entry> DatapathState::Affinity(uint32_t svc_id, const IpAddr& client) const {
  const affinity_key key = AffinityKey(svc_id, client);
  affinity_entry e{};
  if (bpf_map_lookup_elem(Fd(SLUICE_MAP_AFFINITY), &key, &e) != 0) return std::nullopt;
  return e;
}

void DatapathState::PutAffinity(uint32_t svc_id, const IpAddr& client, const affinity_entry& e) {
  const affinity_key key = AffinityKey(svc_id, client);
  if (bpf_map_update_elem(Fd(SLUICE_MAP_AFFINITY), &key, &e, BPF_ANY) != 0)
    throw MapError("cannot write an affinity entry", SLUICE_MAP_AFFINITY);
}

size_t DatapathState::Entries(const char* map_name) const {
  bpf_map* map = Map(map_name);
  return Keys(bpf_map__fd(map), bpf_map__key_size(map)).size();
}

uint64_t DatapathState::Counter(std::string_view name) const {
  for (const CounterName& c : kCounterNames) {
    if (c.name != name) continue;
    std::vector<uint64_t> per_cpu(libbpf_num_possible_cpus());
    if (bpf_map_lookup_elem(Fd(SLUICE_MAP_COUNTERS), &c.index, per_cpu.data()) != 0)
      throw MapError("cannot read counter " + std::string(name), SLUICE_MAP_COUNTERS);
    uint64_t sum = 0;
    for (uint64_t v : per_cpu) sum += v;
    return sum;
  }
  throw std::invalid_argument("no counter named \"" + std::string(name) +
                              "\" in include/sluice/counters.h");
}

std::string DatapathState::NonZeroCounters() const {
  std::string out;
  for (const CounterName& c : kCounterNames)
    if (uint64_t v = Counter(c.name)) out += (out.empty() ? "" : " ") + std::string(c.name) + "=" + std::to_string(v);
  return out.empty() ? "(all counters zero)" : out;
}

}  // namespace sluice::bpftest
