#include "datapath/bpf_map_set.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
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

}  // namespace

struct BpfMapSet::Tables {
  std::unique_ptr<BpfTable<lb_service_key, lb_service>> services;
  std::unique_ptr<BpfTable<lb_slot_key, uint32_t>> slots;
  std::unique_ptr<BpfTable<uint32_t, lb_backend>> backends;
  std::unique_ptr<BpfTable<uint32_t, lb_service_meta>> meta;
  UniqueFd counters;
};

std::unique_ptr<BpfMapSet> BpfMapSet::OpenPinned(const std::string& bpffs, bool read_only) {
  auto t = std::make_unique<Tables>();
  t->services = OpenTable<lb_service_key, lb_service>(bpffs, SLUICE_MAP_SERVICES, read_only);
  t->slots = OpenTable<lb_slot_key, uint32_t>(bpffs, SLUICE_MAP_SLOTS, read_only);
  t->backends = OpenTable<uint32_t, lb_backend>(bpffs, SLUICE_MAP_BACKENDS, read_only);
  t->meta = OpenTable<uint32_t, lb_service_meta>(bpffs, SLUICE_MAP_SERVICE_META, read_only);
  // Per-CPU values: the kernel reports the size of one CPU's slot.
  t->counters = OpenMap(bpffs, SLUICE_MAP_COUNTERS, true, sizeof(uint32_t), sizeof(uint64_t)).fd;
  return std::unique_ptr<BpfMapSet>(new BpfMapSet(std::move(t)));
}

BpfMapSet::BpfMapSet(std::unique_ptr<Tables> tables) : tables_(std::move(tables)) {}
BpfMapSet::~BpfMapSet() = default;

Table<lb_service_key, lb_service>& BpfMapSet::services() { return *tables_->services; }
Table<lb_slot_key, uint32_t>& BpfMapSet::slots() { return *tables_->slots; }
Table<uint32_t, lb_backend>& BpfMapSet::backends() { return *tables_->backends; }
Table<uint32_t, lb_service_meta>& BpfMapSet::service_meta() { return *tables_->meta; }

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
