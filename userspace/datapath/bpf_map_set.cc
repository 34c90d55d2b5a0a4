#include "datapath/bpf_map_set.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "datapath/bpf_table.h"
#include "datapath/pin_paths.h"

namespace sluice::datapath {

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = other.release();
  }
  return *this;
}

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) close(fd_);
}

namespace {

struct OpenedMap {
  UniqueFd fd;
  uint32_t max_entries;
};

OpenedMap OpenMap(const std::string& bpffs, const char* name, bool read_only,
                  uint32_t key_size, uint32_t value_size) {
  std::string path = MapPinPath(bpffs, name);
  LIBBPF_OPTS(bpf_obj_get_opts, opts, .file_flags = read_only ? static_cast<__u32>(BPF_F_RDONLY) : 0u);
  int fd = bpf_obj_get_opts(path.c_str(), &opts);
  if (fd < 0)
    throw DatapathError("cannot open pinned map " + path + ": " + strerror(errno) +
                        (errno == ENOENT ? " (is sluice-agent set up with this --bpffs?)" : ""));
  UniqueFd owned(fd);
  bpf_map_info info{};
  uint32_t len = sizeof(info);
  if (bpf_obj_get_info_by_fd(fd, &info, &len))
    throw DatapathError("cannot inspect map " + path + ": " + strerror(errno));
  if (info.key_size != key_size || info.value_size != value_size)
    throw DatapathError("map " + path + " has key/value sizes " + std::to_string(info.key_size) +
                        "/" + std::to_string(info.value_size) + ", this build expects " +
                        std::to_string(key_size) + "/" + std::to_string(value_size) +
                        " (made by another version of sluice)");
  return {std::move(owned), info.max_entries};
}

template <typename K, typename V>
std::unique_ptr<BpfTable<K, V>> OpenTable(const std::string& bpffs, const char* name,
                                           bool read_only) {
  OpenedMap m = OpenMap(bpffs, name, read_only, sizeof(K), sizeof(V));
  return std::make_unique<BpfTable<K, V>>(std::move(m.fd), m.max_entries);
}

// The Maglev array mapped into memory: struct maglev_pair elements (8 bytes, the
// kernel's element alignment) make it a dense run of __u32 slots, slot i at byte 4*i.
// Writable when the map set was opened read-write: the agent writes tables with plain
// stores, each aligned 4-byte store atomic for the BPF readers.
class MappedArray {
 public:
  MappedArray(int fd, uint32_t pairs, bool writable) {
    const long page = sysconf(_SC_PAGESIZE);
    len_ = (uint64_t{pairs} * sizeof(maglev_pair) + page - 1) / page * page;
    void* p = mmap(nullptr, len_, writable ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED, fd, 0);
    if (p != MAP_FAILED) base_ = static_cast<uint32_t*>(p);
  }
  MappedArray(const MappedArray&) = delete;
  MappedArray& operator=(const MappedArray&) = delete;
  ~MappedArray() {
    if (base_) munmap(base_, len_);
  }
  bool mapped() const { return base_ != nullptr; }
  uint32_t U32At(uint32_t slot) const {
    return __atomic_load_n(base_ + slot, __ATOMIC_RELAXED);
  }
  void Store(uint32_t slot, uint32_t value) { __atomic_store_n(base_ + slot, value, __ATOMIC_RELAXED); }

 private:
  size_t len_ = 0;
  uint32_t* base_ = nullptr;
};

}  // namespace

struct BpfMapSet::Tables {
  std::unique_ptr<BpfTable<lb_service_key, lb_service>> services;
  std::unique_ptr<BpfTable<lb_slot_key, uint32_t>> slots;
  std::unique_ptr<BpfTable<uint32_t, lb_backend>> backends;
  std::unique_ptr<BpfTable<uint32_t, lb_service_meta>> meta;
  UniqueFd counters;
  std::unique_ptr<BpfTable<ct_key, ct_entry>> ct;
  std::unique_ptr<BpfTable<nat_key, nat_entry>> nat;
  std::unique_ptr<BpfTable<affinity_key, affinity_entry>> affinity;
  std::unique_ptr<BpfTable<src_range_key, uint8_t>> src_ranges;
  std::unique_ptr<BpfTable<uint32_t, sluice_config>> config;
  UniqueFd maglev;
  UniqueFd svc_stats;
  uint32_t maglev_capacity = 0;
  std::unique_ptr<MappedArray> maglev_view;  // reads go through lookups if mmap failed
};

std::unique_ptr<BpfMapSet> BpfMapSet::OpenPinned(const std::string& bpffs, bool read_only) {
  auto t = std::make_unique<Tables>();
  t->services = OpenTable<lb_service_key, lb_service>(bpffs, SLUICE_MAP_SERVICES, read_only);
  t->slots = OpenTable<lb_slot_key, uint32_t>(bpffs, SLUICE_MAP_SLOTS, read_only);
  t->backends = OpenTable<uint32_t, lb_backend>(bpffs, SLUICE_MAP_BACKENDS, read_only);
  t->meta = OpenTable<uint32_t, lb_service_meta>(bpffs, SLUICE_MAP_SERVICE_META, read_only);
  // Per-CPU values: the kernel reports the size of one CPU's slot.
  t->counters = OpenMap(bpffs, SLUICE_MAP_COUNTERS, true, sizeof(uint32_t), sizeof(uint64_t)).fd;
  t->ct = OpenTable<ct_key, ct_entry>(bpffs, SLUICE_MAP_CT, read_only);
  t->nat = OpenTable<nat_key, nat_entry>(bpffs, SLUICE_MAP_NAT, read_only);
  t->affinity = OpenTable<affinity_key, affinity_entry>(bpffs, SLUICE_MAP_AFFINITY, read_only);
  t->src_ranges = OpenTable<src_range_key, uint8_t>(bpffs, SLUICE_MAP_SRC_RANGES, read_only);
  t->config = OpenTable<uint32_t, sluice_config>(bpffs, SLUICE_MAP_CONFIG, read_only);
  OpenedMap maglev = OpenMap(bpffs, SLUICE_MAP_MAGLEV, read_only, sizeof(uint32_t), sizeof(maglev_pair));
  t->maglev_capacity = maglev.max_entries * 2;
  t->maglev_view = std::make_unique<MappedArray>(maglev.fd.get(), maglev.max_entries, !read_only);
  t->maglev = std::move(maglev.fd);
  t->svc_stats = OpenMap(bpffs, SLUICE_MAP_SVC_STATS, read_only, sizeof(uint32_t), sizeof(svc_stats)).fd;
  return std::unique_ptr<BpfMapSet>(new BpfMapSet(std::move(t)));
}

BpfMapSet::BpfMapSet(std::unique_ptr<Tables> tables) : tables_(std::move(tables)) {}
BpfMapSet::~BpfMapSet() = default;

Table<lb_service_key, lb_service>& BpfMapSet::services() { return *tables_->services; }
Table<lb_slot_key, uint32_t>& BpfMapSet::slots() { return *tables_->slots; }
Table<uint32_t, lb_backend>& BpfMapSet::backends() { return *tables_->backends; }
Table<uint32_t, lb_service_meta>& BpfMapSet::service_meta() { return *tables_->meta; }

Table<ct_key, ct_entry>& BpfMapSet::ct() { return *tables_->ct; }
Table<nat_key, nat_entry>& BpfMapSet::nat() { return *tables_->nat; }
Table<affinity_key, affinity_entry>& BpfMapSet::affinity() { return *tables_->affinity; }
Table<src_range_key, uint8_t>& BpfMapSet::src_ranges() { return *tables_->src_ranges; }
Table<uint32_t, sluice_config>& BpfMapSet::config() { return *tables_->config; }
uint32_t BpfMapSet::MaglevCapacity() const { return tables_->maglev_capacity; }

bool BpfMapSet::ReadMaglev(uint32_t offset, std::span<uint32_t> out) const {
  if (uint64_t{offset} + out.size() > tables_->maglev_capacity) return false;
  for (size_t i = 0; i < out.size(); ++i) {
    uint32_t slot = offset + static_cast<uint32_t>(i);
    if (tables_->maglev_view->mapped()) {
      out[i] = tables_->maglev_view->U32At(slot);
      continue;
    }
    uint32_t pair_index = slot / 2;
    maglev_pair pair{};
    if (bpf_map_lookup_elem(tables_->maglev.get(), &pair_index, &pair)) return false;
    out[i] = pair.id[slot % 2];
  }
  return true;
}

bool BpfMapSet::WriteMaglev(std::span<const MaglevWrite> writes) {
  if (!tables_->maglev_view->mapped()) return false;  // read-only, or mmap refused
  for (const MaglevWrite& w : writes)
    if (w.slot >= tables_->maglev_capacity) return false;
  for (const MaglevWrite& w : writes) tables_->maglev_view->Store(w.slot, w.value);
  return true;
}

ServiceStats BpfMapSet::ReadServiceStats(uint32_t id) const {
  ServiceStats total;
  int cpus = libbpf_num_possible_cpus();
  if (cpus <= 0) return total;
  std::vector<svc_stats> per_cpu(static_cast<size_t>(cpus));
  if (bpf_map_lookup_elem(tables_->svc_stats.get(), &id, per_cpu.data())) return total;
  for (const svc_stats& s : per_cpu) {
    total.packets += s.packets;
    total.bytes += s.bytes;
    total.connections += s.connections;
  }
  return total;
}

void BpfMapSet::ResetServiceStats(uint32_t id) {
  int cpus = libbpf_num_possible_cpus();
  if (cpus <= 0) return;
  std::vector<svc_stats> zeros(static_cast<size_t>(cpus));
  bpf_map_update_elem(tables_->svc_stats.get(), &id, zeros.data(), BPF_ANY);
}

std::vector<uint64_t> BpfMapSet::ReadCounters() const {
  std::vector<uint64_t> totals(SLUICE_CTR_MAX, 0);
  int cpus = libbpf_num_possible_cpus();
  if (cpus <= 0) return totals;
  std::vector<uint64_t> per_cpu(static_cast<size_t>(cpus));
  for (uint32_t i = 0; i < SLUICE_CTR_MAX; ++i) {
    if (bpf_map_lookup_elem(tables_->counters.get(), &i, per_cpu.data())) continue;
    for (uint64_t v : per_cpu) totals[i] += v;
  }
  return totals;
}

}  // namespace sluice::datapath
