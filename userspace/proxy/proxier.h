// One sync: take what changed from the ObjectStore, turn each changed Service into
// frontends with kube-proxy's semantics, and have the MapWriter make the maps match.
// Nothing is written before both Services and EndpointSlices have synced; the first
// sync after that is full and purges what the maps hold but the source no longer has
// (after a restart: only then, never before).
#pragma once

#include <chrono>
#include <iterator>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "datapath/map_writer.h"
#include "proxy/object_store.h"
#include "proxy/sync_runner.h"

namespace sluice::proxy {

struct ProxierOptions {
  std::string proxy_name;  // --service-proxy-name: which labelled Services are ours
  uint16_t snat_port_min = SLUICE_SNAT_PORT_MIN;
  uint16_t snat_port_max = SLUICE_SNAT_PORT_MAX;
};

// Where healthCheckNodePort state goes (the agent's HealthCheckServer): which Services
// have a health check port, and how many ready endpoints each has on this node.
class HealthCheckSink {
 public:
  virtual ~HealthCheckSink() = default;
  virtual void Sync(const std::map<model::ObjectName, uint16_t>& ports,
                    const std::map<model::ObjectName, int>& local_endpoints) = 0;
};

// Sync durations as kube-proxy buckets them (1 ms doubling to 16 s), for /metrics.
inline constexpr double kSyncDurationBuckets[] = {0.001, 0.002, 0.004, 0.008, 0.016,
                                                  0.032, 0.064, 0.128, 0.256, 0.512,
                                                  1.024, 2.048, 4.096, 8.192, 16.384};

// Counters a user (and /metrics) reads to see what the agent did and skipped.
struct SyncStats {
  uint64_t syncs = 0;
  uint64_t full_syncs = 0;
  uint64_t frontends_written = 0;
  uint64_t frontends_deleted = 0;
  uint64_t frontend_errors = 0;
  std::map<std::string, uint64_t> skipped_by_reason;  // objects left out, by reason
  std::chrono::nanoseconds last_sync_duration{0};
  // Histogram of sync durations: cumulative counts per kSyncDurationBuckets bound.
  uint64_t duration_buckets[std::size(kSyncDurationBuckets)] = {};
  double duration_sum_seconds = 0;
  std::chrono::system_clock::time_point last_sync_time{};
  bool initial_sync_done = false;
};

class Proxier {
 public:
  Proxier(ObjectStore& store, datapath::MapWriter& writer, ProxierOptions options,
          HealthCheckSink* health_checks = nullptr);

  // The SyncRunner's function. Returns false only when the sync must be retried.
  bool Sync(SyncReason reason);

  SyncStats stats() const;

 private:
  void SyncService(const ServiceWork& work, const model::NodeContext& node,
                   datapath::ApplyResult* total);
  void SyncNodeConfig(const model::NodeContext& node);
  // Returns whether the health-check state of this Service changed.
  bool TrackHealthCheck(const ServiceWork& work, const model::NodeContext& node);
  void CountSkip(const std::string& reason);

  ObjectStore& store_;
  datapath::MapWriter& writer_;
  ProxierOptions options_;
  mutable std::mutex stats_mu_;
  SyncStats stats_;
  // Services that failed validation, with the reason, so a bad object is logged
  // once per change rather than on every sync.
  std::map<model::ObjectName, std::string> invalid_;
  HealthCheckSink* health_checks_;
  std::map<model::ObjectName, uint16_t> hc_ports_;
  std::map<model::ObjectName, int> hc_local_endpoints_;
  std::optional<std::vector<IpAddress>> config_node_ips_;  // what sluice_config was written from
};

}  // namespace sluice::proxy
