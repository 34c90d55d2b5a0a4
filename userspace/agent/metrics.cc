#include "agent/metrics.h"

#include <cinttypes>
#include <map>
#include <sstream>

#include "agent/api_source.h"
#include "agent/manifest_source.h"
#include "datapath/map_set.h"
#include "proxy/proxier.h"
#include "sluice/counters.h"

namespace sluice::agent {
namespace {

std::string Escape(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

class Writer {
 public:
  void Family(const char* name, const char* type, const char* help) {
    out_ << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n';
  }
  void Sample(const std::string& name, const std::map<std::string, std::string>& labels, double value) {
    out_ << name;
    if (!labels.empty()) {
      out_ << '{';
      bool first = true;
      for (const auto& [k, v] : labels) {
        out_ << (first ? "" : ",") << k << "=\"" << Escape(v) << '"';
        first = false;
      }
      out_ << '}';
    }
    out_ << ' ' << Number(value) << '\n';
  }
  std::string str() const { return out_.str(); }

 private:
  static std::string Number(double v) {
    char buf[64];
    if (v == static_cast<double>(static_cast<int64_t>(v)))
      snprintf(buf, sizeof(buf), "%" PRId64, static_cast<int64_t>(v));
    else
      snprintf(buf, sizeof(buf), "%.9g", v);
    return buf;
  }
  std::ostringstream out_;
};

struct CounterName {
  const char* name;
  const char* help;
};
const CounterName kCounters[] = {
#define SLUICE_COUNTER_NAME(id, str, help) {str, help},
    SLUICE_COUNTERS(SLUICE_COUNTER_NAME)
#undef SLUICE_COUNTER_NAME
};

void Sync(Writer& w, const proxy::SyncStats& s) {
  w.Family("sluice_sync_proxy_rules_duration_seconds", "histogram",
           "How long a sync of the datapath maps took.");
  for (size_t i = 0; i < std::size(proxy::kSyncDurationBuckets); ++i) {
    char le[32];
    snprintf(le, sizeof(le), "%g", proxy::kSyncDurationBuckets[i]);
    w.Sample("sluice_sync_proxy_rules_duration_seconds_bucket", {{"le", le}},
             static_cast<double>(s.duration_buckets[i]));
  }
  w.Sample("sluice_sync_proxy_rules_duration_seconds_bucket", {{"le", "+Inf"}}, static_cast<double>(s.syncs));
  w.Sample("sluice_sync_proxy_rules_duration_seconds_sum", {}, s.duration_sum_seconds);
  w.Sample("sluice_sync_proxy_rules_duration_seconds_count", {}, static_cast<double>(s.syncs));
  w.Family("sluice_sync_proxy_rules_last_timestamp_seconds", "gauge",
           "When the last sync of the datapath maps finished (Unix time).");
  double last = s.syncs ? std::chrono::duration<double>(s.last_sync_time.time_since_epoch()).count() : 0;
  w.Sample("sluice_sync_proxy_rules_last_timestamp_seconds", {}, last);
  w.Family("sluice_full_syncs_total", "counter", "Syncs that recomputed every Service.");
  w.Sample("sluice_full_syncs_total", {}, static_cast<double>(s.full_syncs));
  w.Family("sluice_frontend_errors_total", "counter",
           "Frontends a sync could not program (map full, owned by another Service).");
  w.Sample("sluice_frontend_errors_total", {}, static_cast<double>(s.frontend_errors));
}

void Skipped(Writer& w, const MetricsInputs& in, const proxy::SyncStats* s) {
  std::map<std::string, double> by_reason;
  if (s)
    for (const auto& [reason, n] : s->skipped_by_reason) by_reason[reason] += static_cast<double>(n);
  if (in.manifests) by_reason["malformed"] += static_cast<double>(in.manifests->stats().decode_failures);
  if (in.api)
    for (const k8s::ReflectorStats& r : in.api->stats()) by_reason["malformed"] += static_cast<double>(r.decode_failures);
  w.Family("sluice_objects_skipped_total", "counter",
           "Objects left out: malformed (could not be decoded) or invalid (failed validation).");
  for (const char* reason : {"malformed", "invalid_service", "invalid_endpointslice"})
    w.Sample("sluice_objects_skipped_total", {{"reason", reason}}, by_reason[reason]);
}

void Api(Writer& w, const ApiSource& api) {
  static const char* kResources[] = {"services", "endpointslices", "nodes"};
  std::vector<k8s::ReflectorStats> stats = api.stats();
  struct Field {
    const char* name;
    const char* help;
    uint64_t k8s::ReflectorStats::*member;
  };
  const Field fields[] = {
      {"sluice_api_lists_total", "Complete lists (the first one and relists).", &k8s::ReflectorStats::lists},
      {"sluice_api_relists_total", "Lists after the first: after 410 Gone.", &k8s::ReflectorStats::relists},
      {"sluice_api_watches_total", "Watch requests made.", &k8s::ReflectorStats::watches},
      {"sluice_api_watch_restarts_total", "Watches resumed after a failure (not a normal timeout).",
       &k8s::ReflectorStats::watch_restarts},
      {"sluice_api_watch_events_total", "Watch events applied.", &k8s::ReflectorStats::events},
      {"sluice_api_expired_total", "410 Gone answers.", &k8s::ReflectorStats::expired},
      {"sluice_api_errors_total", "Failed requests and broken streams.", &k8s::ReflectorStats::errors},
  };
  for (const Field& f : fields) {
    w.Family(f.name, "counter", f.help);
    for (size_t i = 0; i < stats.size() && i < std::size(kResources); ++i)
      w.Sample(f.name, {{"resource", kResources[i]}}, static_cast<double>(stats[i].*f.member));
  }
}

void Maps(Writer& w, datapath::MapSet& maps) {
  struct Usage {
    const char* name;
    uint32_t entries;
    uint32_t capacity;
  };
  std::vector<Usage> usage = {
      {SLUICE_MAP_SERVICES, maps.services().Count(), maps.services().Capacity()},
      {SLUICE_MAP_SLOTS, maps.slots().Count(), maps.slots().Capacity()},
      {SLUICE_MAP_BACKENDS, maps.backends().Count(), maps.backends().Capacity()},
      {SLUICE_MAP_SERVICE_META, maps.service_meta().Count(), maps.service_meta().Capacity()},
      {SLUICE_MAP_CT, maps.ct().Count(), maps.ct().Capacity()},
      {SLUICE_MAP_NAT, maps.nat().Count(), maps.nat().Capacity()},
      {SLUICE_MAP_AFFINITY, maps.affinity().Count(), maps.affinity().Capacity()},
      {SLUICE_MAP_SRC_RANGES, maps.src_ranges().Count(), maps.src_ranges().Capacity()},
  };
  w.Family("sluice_bpf_map_entries", "gauge", "Entries in a datapath map, counted.");
  for (const Usage& u : usage) w.Sample("sluice_bpf_map_entries", {{"map", u.name}}, u.entries);
  w.Family("sluice_bpf_map_capacity", "gauge", "Capacity (max_entries) of a datapath map.");
  for (const Usage& u : usage) w.Sample("sluice_bpf_map_capacity", {{"map", u.name}}, u.capacity);
  w.Sample("sluice_bpf_map_capacity", {{"map", SLUICE_MAP_MAGLEV}}, maps.MaglevCapacity());

  std::vector<uint64_t> counters = maps.ReadCounters();
  w.Family("sluice_datapath_events_total", "counter",
           "Datapath events by named reason (what `sluicectl stats` shows).");
  for (size_t i = 0; i < counters.size() && i < std::size(kCounters); ++i)
    w.Sample("sluice_datapath_events_total", {{"event", kCounters[i].name}}, static_cast<double>(counters[i]));

  // Per Service and port: the frontends' counters summed (node IPs, scopes, families).
  struct Totals {
    double packets = 0, bytes = 0, connections = 0;
  };
  std::map<std::pair<std::string, std::string>, Totals> per_service;
  maps.service_meta().ForEach([&](const uint32_t& id, const lb_service_meta& meta) {
    lb_service_meta m = meta;
    m.name[sizeof(m.name) - 1] = '\0';
    m.port_name[sizeof(m.port_name) - 1] = '\0';
    datapath::ServiceStats s = maps.ReadServiceStats(id);
    Totals& t = per_service[{m.name, m.port_name}];
    t.packets += static_cast<double>(s.packets);
    t.bytes += static_cast<double>(s.bytes);
    t.connections += static_cast<double>(s.connections);
    return true;
  });
  w.Family("sluice_service_connections_total", "counter",
           "Connections to a Service port: connect()s translated by the socket hooks and new "
           "flows on the packet path.");
  for (const auto& [key, t] : per_service)
    w.Sample("sluice_service_connections_total", {{"service", key.first}, {"port", key.second}}, t.connections);
  w.Family("sluice_service_packets_total", "counter",
           "Packets to a Service port translated on the packet path (and unconnected UDP sends).");
  for (const auto& [key, t] : per_service)
    w.Sample("sluice_service_packets_total", {{"service", key.first}, {"port", key.second}}, t.packets);
  w.Family("sluice_service_bytes_total", "counter", "Bytes to a Service port translated on the packet path.");
  for (const auto& [key, t] : per_service)
    w.Sample("sluice_service_bytes_total", {{"service", key.first}, {"port", key.second}}, t.bytes);
}

}  // namespace

std::string RenderMetrics(const MetricsInputs& in) {
  Writer w;
  std::optional<proxy::SyncStats> stats;
  if (in.proxier) {
    stats = in.proxier->stats();
    Sync(w, *stats);
  }
  Skipped(w, in, stats ? &*stats : nullptr);
  if (in.api) Api(w, *in.api);
  if (in.maps) Maps(w, *in.maps);
  return w.str();
}

}  // namespace sluice::agent
