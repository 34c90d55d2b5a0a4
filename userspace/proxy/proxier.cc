#include "proxy/proxier.h"

#include <cstring>
#include <set>

#include "base/log.h"
#include "model/compute_frontends.h"
#include "model/validate.h"
#include "proxy/health_check_state.h"

namespace sluice::proxy {

Proxier::Proxier(ObjectStore& store, datapath::MapWriter& writer, ProxierOptions options,
                 HealthCheckSink* health_checks)
    : store_(store), writer_(writer), options_(std::move(options)), health_checks_(health_checks) {}

void Proxier::SyncNodeConfig(const model::NodeContext& node) {
  if (config_node_ips_ && *config_node_ips_ == node.node_ips) return;
  // SNATed flows leave from this node's first address of their family.
  datapath::NodeDatapathConfig config;
  for (const IpAddress& ip : node.node_ips) {
    if (ip.is_v4() && !config.snat_ip4) config.snat_ip4 = ip;
    if (!ip.is_v4() && !config.snat_ip6) config.snat_ip6 = ip;
  }
  config.snat_port_min = options_.snat_port_min;
  config.snat_port_max = options_.snat_port_max;
  if (int err = writer_.SetNodeConfig(config)) {
    log::Error("cannot write the packet path's node config", {{"error", strerror(-err)}});
    return;
  }
  config_node_ips_ = node.node_ips;
}

bool Proxier::TrackHealthCheck(const ServiceWork& work, const model::NodeContext& node) {
  uint16_t port = work.service ? HealthCheckNodePort(*work.service, options_.proxy_name) : 0;
  int local = 0;
  if (port) {
    std::vector<const model::EndpointSlice*> slices;
    for (const SlicePtr& slice : work.slices) slices.push_back(slice.get());
    local = LocalReadyEndpoints(*work.service, slices, node.node_name);
  }
  auto old_port = hc_ports_.find(work.name);
  auto old_local = hc_local_endpoints_.find(work.name);
  bool changed = (old_port == hc_ports_.end() ? 0 : old_port->second) != port ||
                 (old_local == hc_local_endpoints_.end() ? 0 : old_local->second) != local;
  if (port) {
    hc_ports_[work.name] = port;
    hc_local_endpoints_[work.name] = local;
  } else {
    hc_ports_.erase(work.name);
    hc_local_endpoints_.erase(work.name);
  }
  return changed;
}

SyncStats Proxier::stats() const {
  std::lock_guard lock(stats_mu_);
  return stats_;
}

void Proxier::CountSkip(const std::string& reason) {
  std::lock_guard lock(stats_mu_);
  ++stats_.skipped_by_reason[reason];
}

void Proxier::SyncService(const ServiceWork& work, const model::NodeContext& node,
                          datapath::ApplyResult* total) {
  const std::string name = work.name.ToString();
  if (!work.service || !model::ShouldProxy(*work.service, options_.proxy_name)) {
    invalid_.erase(work.name);
    *total += writer_.RemoveService(name);
    return;
  }
  if (auto reason = model::ValidateService(*work.service)) {
    // Loses nothing: whatever was programmed for the last valid version stays.
    if (invalid_[work.name] != *reason) {
      log::Warn("skipping invalid Service", {{"service", name}, {"reason", *reason}});
      CountSkip("invalid_service");
      invalid_[work.name] = *reason;
    }
    return;
  }
  invalid_.erase(work.name);
  std::vector<const model::EndpointSlice*> slices;
  slices.reserve(work.slices.size());
  for (const SlicePtr& slice : work.slices) {
    if (auto reason = model::ValidateEndpointSlice(*slice)) {
      log::Warn("skipping invalid EndpointSlice",
                {{"endpointslice", slice->meta.id.ToString()}, {"reason", *reason}});
      CountSkip("invalid_endpointslice");
      continue;
    }
    slices.push_back(slice.get());
  }
  std::vector<model::Frontend> frontends = model::ComputeFrontends(*work.service, slices, node);
  datapath::ApplyResult result = writer_.ApplyService(name, frontends);
  for (const datapath::FrontendError& error : result.errors)
    log::Error("frontend not programmed",
               {{"service", name}, {"frontend", error.key.ToString()}, {"reason", error.reason}});
  *total += result;
}

bool Proxier::Sync(SyncReason reason) {
  if (!store_.Synced()) return true;  // serve from the pinned maps until then
  bool first;
  {
    std::lock_guard lock(stats_mu_);
    first = !stats_.initial_sync_done;
  }
  const bool full = first || reason == SyncReason::kPeriodic;
  auto start = std::chrono::steady_clock::now();
  if (reason == SyncReason::kPeriodic) {
    // Drift repair: what the maps hold is read again, so entries changed or removed
    // behind the agent's back (bpftool, a crash mid-write) are rewritten below.
    datapath::RestoreResult read = writer_.Restore();
    if (read.orphans_removed) log::Warn("removed orphaned map entries", {{"entries", read.orphans_removed}});
  }
  PendingChanges changes = store_.TakeChanges(full);

  SyncNodeConfig(changes.node);
  bool health_checks_changed = false;
  for (const ServiceWork& work : changes.work)
    health_checks_changed |= TrackHealthCheck(work, changes.node);
  if (health_checks_ && (health_checks_changed || first)) health_checks_->Sync(hc_ports_, hc_local_endpoints_);

  datapath::ApplyResult total;
  // Deleted Services go first, so a frontend they free can be taken by another.
  for (const ServiceWork& work : changes.work)
    if (!work.service) SyncService(work, changes.node, &total);
  for (const ServiceWork& work : changes.work)
    if (work.service) SyncService(work, changes.node, &total);

  size_t purged = 0;
  if (full) {
    // What the maps hold for Services the source does not have: gone while we were
    // down (after a restart) or drift. Purged only now that both caches synced.
    std::set<std::string> known;
    for (const ServiceWork& work : changes.work)
      if (work.service) known.insert(work.name.ToString());
    for (const std::string& name : writer_.Services()) {
      if (known.count(name)) continue;
      total += writer_.RemoveService(name);
      ++purged;
    }
  }
  writer_.EndSync();
  auto took = std::chrono::steady_clock::now() - start;
  {
    std::lock_guard lock(stats_mu_);
    ++stats_.syncs;
    if (full) ++stats_.full_syncs;
    stats_.frontends_written += total.written;
    stats_.frontends_deleted += total.deleted;
    stats_.frontend_errors += total.errors.size();
    stats_.last_sync_duration = took;
    const double seconds = std::chrono::duration<double>(took).count();
    stats_.duration_sum_seconds += seconds;
    for (size_t i = 0; i < std::size(kSyncDurationBuckets); ++i)
      if (seconds <= kSyncDurationBuckets[i]) ++stats_.duration_buckets[i];
    stats_.last_sync_time = std::chrono::system_clock::now();
    stats_.initial_sync_done = true;
  }
  if (first || total.written || total.deleted || !total.errors.empty())
    log::Info(first ? "initial sync done" : "sync done",
              {{"services_considered", changes.work.size()},
               {"frontends_written", total.written},
               {"frontends_deleted", total.deleted},
               {"frontends_unchanged", total.unchanged},
               {"frontend_errors", total.errors.size()},
               {"services_purged", purged},
               {"frontends_total", writer_.frontend_count()},
               {"backends_total", writer_.backend_count()},
               {"took_ms", std::chrono::duration<double, std::milli>(took).count()}});
  return true;
}

}  // namespace sluice::proxy
