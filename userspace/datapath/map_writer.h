// Keeps the datapath maps equal to the desired frontends, one Service at a time, with
// make-before-break ordering (backends, then the new slot generation, then the
// service entry that names it; deletes in reverse) so a reader never sees a
// half-written service. Remembers what it wrote, so each call writes only the
// difference, and can rebuild that memory from the maps after an agent restart.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "datapath/convert.h"
#include "datapath/id_allocator.h"
#include "datapath/maglev_space.h"
#include "datapath/map_set.h"
#include "model/lb_state.h"

namespace sluice::datapath {

struct FrontendError {
  model::FrontendKey key;
  std::string reason;
};

struct ApplyResult {
  int written = 0;    // frontends created or changed
  int unchanged = 0;  // already as desired: nothing written
  int deleted = 0;
  std::vector<FrontendError> errors;  // frontends refused; the rest were applied

  ApplyResult& operator+=(const ApplyResult& other);
};

struct RestoreResult {
  size_t frontends = 0;
  size_t backends = 0;
  size_t orphans_removed = 0;  // entries nothing referenced (left by a crash mid-write)
};

struct WriterOptions {
  // --maglev-table-size: the largest Maglev table a frontend gets (see
  // maglev/table_size.h; each gets the smallest listed prime >= 100 x backends).
  uint32_t max_maglev_table_size = 16381;
};

// What the packet path needs to know about this node (written to sluice_config).
struct NodeDatapathConfig {
  std::optional<IpAddress> snat_ip4;  // source of SNATed IPv4 flows
  std::optional<IpAddress> snat_ip6;
  uint16_t snat_port_min = SLUICE_SNAT_PORT_MIN;
  uint16_t snat_port_max = SLUICE_SNAT_PORT_MAX;
};

class MapWriter {
 public:
  explicit MapWriter(MapSet& maps, WriterOptions options = {});

  // Reads what the maps hold, so that a restarted agent writes only differences and
  // can purge what its source no longer has. Removes orphans.
  RestoreResult Restore();

  // Makes `service`'s frontends exactly `frontends`: new and changed ones are
  // written, unchanged ones left alone, frontends of this service not in the list
  // removed. A frontend that cannot be written (map full, owned by another Service)
  // is reported in errors and leaves its previous state in place.
  ApplyResult ApplyService(const std::string& service, std::span<const model::Frontend> frontends);

  // Removes every frontend of `service`.
  ApplyResult RemoveService(const std::string& service);

  // Services that have at least one frontend programmed.
  std::vector<std::string> Services() const;
  size_t frontend_count() const { return frontends_.size(); }
  size_t backend_count() const { return backends_.size(); }
  const MaglevSpace& maglev_space() const { return maglev_space_; }

  // Writes the node-wide settings of the packet path. Returns 0 or a negative errno.
  int SetNodeConfig(const NodeDatapathConfig& config);
  // The end of a sync: Maglev ranges retired during the previous one are reused from now.
  void EndSync() { maglev_space_.ReleaseRetired(); }

 private:
  static constexpr uint32_t kNoRange = UINT32_MAX;
  // An external frontend's two Maglev ranges: `active` is live (named by the service
  // entry), the other takes the next version before the entry flips to it.
  struct MaglevTables {
    uint32_t size = 0;  // 0: no table
    uint32_t offset[2] = {kNoRange, kNoRange};
    uint8_t active = 0;
  };
  struct Programmed {
    std::string service;
    lb_service value{};
    lb_service_meta meta{};
    std::vector<uint32_t> backend_ids;  // slot i -> backend id, generation value.gen
    MaglevTables maglev;
    std::vector<IpPrefix> source_ranges;
  };
  struct PooledBackend {
    uint32_t id = 0;
    uint32_t refs = 0;
    lb_backend value{};
  };
  using KeyMap = std::unordered_map<lb_service_key, Programmed, BytesHash<lb_service_key>,
                                    BytesEqual<lb_service_key>>;

  // Backend identity is address, port, protocol and family; flags may change in place.
  static lb_backend Identity(lb_backend value);

  int AcquireBackends(std::span<const model::Backend> backends, std::vector<uint32_t>* ids,
                      std::string* reason);
  void ReleaseBackends(std::span<const uint32_t> ids);
  bool UpsertFrontend(const std::string& service, const model::Frontend& frontend,
                      ApplyResult* result);
  void DeleteFrontend(KeyMap::iterator it);
  int WriteSlots(uint32_t svc_id, uint8_t gen, std::span<const uint32_t> ids);
  void DeleteSlots(uint32_t svc_id, uint8_t gen, size_t count);
  // Writes the table of `frontend` into a range that is not live and names it in
  // `value`; `next` is what the frontend's tables will be after the flip.
  bool PrepareMaglev(const model::Frontend& frontend, std::span<const uint32_t> ids,
                     const MaglevTables* current, MaglevTables* next, lb_service* value,
                     std::string* reason);
  // After the flip (`flipped`) or instead of it: ranges no longer needed are retired.
  void FinishMaglev(const MaglevTables* current, const MaglevTables& next, bool flipped);
  void RetireMaglev(const MaglevTables& tables);
  int WriteSourceRanges(uint32_t svc_id, std::span<const IpPrefix> ranges);
  void DeleteSourceRanges(uint32_t svc_id, std::span<const IpPrefix> ranges);
  // Session-affinity entries of frontend `svc_id` naming one of `backends` (all of
  // them when `backends` is empty) are removed: those clients choose again.
  void ForgetAffinity(uint32_t svc_id, std::span<const uint32_t> backends);

  MapSet& maps_;
  WriterOptions options_;
  MaglevSpace maglev_space_;
  KeyMap frontends_;
  std::unordered_map<std::string, std::vector<lb_service_key>> by_service_;
  std::unordered_map<lb_backend, PooledBackend, BytesHash<lb_backend>, BytesEqual<lb_backend>>
      backends_;
  std::unordered_map<uint32_t, lb_backend> backend_identity_by_id_;
  IdAllocator frontend_ids_;
  IdAllocator backend_ids_;
};

}  // namespace sluice::datapath
