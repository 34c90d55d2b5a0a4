// The shared maps of a loaded packet path, as a test sees them: writes standing in for
// the control plane (services, backends, Maglev tables, config, source ranges), reads
// of what the datapath recorded (conntrack, NAT, affinity, counters by name), and a
// reset of every map so each test starts from nothing, whatever ran before it.
#pragma once

#include <bpf/libbpf.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bpf/net_types.h"
#include "sluice/abi.h"

namespace sluice::bpftest {

struct BackendSpec {
  uint32_t id = 0;  // ids start at 1: 0 in a Maglev slot means "none"
  IpAddr addr;
  uint16_t port = 0;
  uint8_t proto = 0;  // IPPROTO_TCP / IPPROTO_UDP
  uint8_t flags = 0;  // LB_BE_F_*
};

struct ServiceSpec {
  uint32_t id = 1;
  IpAddr addr;
  uint16_t port = 0;
  uint8_t proto = 0;
  uint8_t scope = LB_SCOPE_EXTERNAL;
  uint8_t type = LB_FE_NODE_PORT;
  uint16_t flags = 0;  // LB_SVC_F_*
  uint32_t affinity_timeout = 0;
  std::vector<uint32_t> backends;  // the live slots, in order; none: the service refuses
  // The Maglev table at maglev_offset; empty means `backends` round-robin over
  // kDefaultMaglevSize slots (no table at all when there are no backends).
  uint32_t maglev_offset = 0;
  std::vector<uint32_t> maglev;

  static constexpr uint32_t kDefaultMaglevSize = 13;
};

// One 5-tuple as a packet carries it, for the flow hash and the conntrack key.
struct Flow {
  IpAddr saddr, daddr;
  uint16_t sport = 0, dport = 0;  // host order
  uint8_t proto = 0;
};

class DatapathState {
 public:
  // `maps` is the object owning the shared maps (ProgRunner::maps_object()).
  explicit DatapathState(bpf_object* maps);

  // Empties every hash, LRU and LPM map and zeroes every array, per-CPU ones included.
  void Reset();

  // --- what the control plane writes ---
  void PutBackend(const BackendSpec& backend);
  void DeleteBackend(uint32_t id);
  void PutService(const ServiceSpec& service);
  // Overwrites Maglev slots from `offset` (a table the control plane rewrote).
  void WriteMaglev(uint32_t offset, std::span<const uint32_t> backend_ids);
  void PutConfig(const IpAddr& snat4, const IpAddr& snat6, uint16_t port_min, uint16_t port_max);
  void AddSourceRange(uint32_t svc_id, const IpAddr& prefix, uint32_t prefix_len);

  // --- what the datapath recorded ---
  std::vector<std::pair<ct_key, ct_entry>> Conntrack() const;
  std::vector<std::pair<nat_key, nat_entry>> Nat() const;
  std::optional<ct_entry> ConntrackOf(const Flow& flow) const;
  void PutConntrack(const Flow& flow, const ct_entry& entry);  // e.g. to age an entry
  void Clear(const char* map_name);  // empties one hash/LRU/LPM map (an LRU eviction)
  std::optional<affinity_entry> Affinity(uint32_t svc_id, const IpAddr& client) const;
  void PutAffinity(uint32_t svc_id, const IpAddr& client, const affinity_entry& entry);
  size_t Entries(const char* map_name) const;  // entries of a hash/LRU/LPM map

  // A counter of include/sluice/counters.h by its printable name, summed over CPUs.
  // Throws std::invalid_argument on a name the X-macro does not define.
  uint64_t Counter(std::string_view name) const;
  // "fwd_new_flow=1 fwd_dnat=1 ...": every counter that is not zero, for messages.
  std::string NonZeroCounters() const;

 private:
  int Fd(const char* name) const;
  bpf_map* Map(const char* name) const;

  bpf_object* obj_;
};

// The backend id that the Maglev table of `service` names for `flow`, computed with
// the flow hash the datapath and sluicectl share (include/sluice/flow_hash.h).
uint32_t MaglevChoice(const ServiceSpec& service, const Flow& flow);

// The table PutService() writes for `service`.
std::vector<uint32_t> MaglevTableOf(const ServiceSpec& service);

// union sluice_addr for an address (IPv4 in the first 4 bytes, the rest zero).
sluice_addr ToSluiceAddr(const IpAddr& addr);
uint8_t FamilyOf(const IpAddr& addr);  // SLUICE_AF_INET / SLUICE_AF_INET6
// The address a map entry holds, read as `family` (SLUICE_AF_INET / SLUICE_AF_INET6).
IpAddr FromSluiceAddr(const sluice_addr& addr, uint8_t family);

}  // namespace sluice::bpftest
