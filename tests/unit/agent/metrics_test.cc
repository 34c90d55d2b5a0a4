// /metrics rendered from the proxier and an in-memory map set: the families a user
// scrapes, with real counts.
#include "agent/metrics.h"

#include <gtest/gtest.h>
#include <netinet/in.h>

#include "datapath/map_writer.h"
#include "datapath/memory_map_set.h"
#include "proxy/proxier.h"

namespace sluice::agent {
namespace {

TEST(MetricsTest, ReportsSyncsMapsAndPerServiceTraffic) {
  datapath::MemoryMapSet maps;
  datapath::MapWriter writer(maps);
  proxy::ObjectStore store;
  proxy::Proxier proxier(store, writer, {});
  model::Service svc;
  svc.meta.id = {"default", "web"};
  svc.cluster_ips = {*IpAddress::Parse("198.19.0.10")};
  model::ServicePort port;
  port.name = "http";
  port.port = 80;
  svc.ports = {port};
  store.UpsertService(svc);
  model::Service bad = svc;
  bad.meta.id.name = "bad";
  bad.ports[0].port = 0;
  store.UpsertService(bad);
  store.MarkServicesSynced();
  store.MarkEndpointSlicesSynced();
  ASSERT_TRUE(proxier.Sync(proxy::SyncReason::kChanges));
  uint32_t id = maps.services().Lookup([] {
                                   lb_service_key k{};
                                   k.addr.ip4 = IpAddress::Parse("198.19.0.10")->ToDatapath().ip4;
                                   k.port = htons(80);
                                   k.proto = IPPROTO_TCP;
                                   k.family = SLUICE_AF_INET;
                                   return k;
                                 }())->id;
  maps.SetServiceStats(id, {.packets = 7, .bytes = 700, .connections = 3});

  std::string text = RenderMetrics({&proxier, nullptr, nullptr, &maps});
  for (const char* want :
       {"# TYPE sluice_sync_proxy_rules_duration_seconds histogram",
        "sluice_sync_proxy_rules_duration_seconds_count 1",
        "sluice_objects_skipped_total{reason=\"invalid_service\"} 1",
        "sluice_bpf_map_entries{map=\"sluice_svc\"} 1",
        "sluice_bpf_map_capacity{map=\"sluice_svc\"} 65536",
        "sluice_service_connections_total{port=\"http\",service=\"default/web\"} 3",
        "sluice_service_packets_total{port=\"http\",service=\"default/web\"} 7",
        "sluice_datapath_events_total{event=\"fwd_dnat\"} 0"})
    EXPECT_NE(text.find(want), std::string::npos) << want << "\n" << text;
}

}  // namespace
}  // namespace sluice::agent
