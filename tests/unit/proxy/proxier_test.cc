// The Proxier from objects to maps, with the in-memory map set: nothing before both
// caches sync, a restart purges only after the first full sync, an invalid update
// loses nothing.
#include "proxy/proxier.h"

#include <gtest/gtest.h>

#include "datapath/memory_map_set.h"
#include "datapath/snapshot.h"

namespace sluice::proxy {
namespace {

model::Service Svc(const char* name, const char* ip, uint16_t port = 80) {
  model::Service s;
  s.meta.id = {"default", name};
  s.cluster_ips = {*IpAddress::Parse(ip)};
  model::ServicePort p;
  p.name = "http";
  p.port = port;
  p.target_port_name = "http";
  s.ports = {p};
  return s;
}

model::EndpointSlice Slice(const char* name, const char* service, std::vector<const char*> ips) {
  model::EndpointSlice s;
  s.meta.id = {"default", name};
  s.service_name = service;
  s.address_type = model::AddressType::kIPv4;
  model::EndpointPort port;
  port.name = "http";
  port.port = 8080;
  s.ports = {port};
  for (const char* ip : ips) {
    model::Endpoint e;
    e.addresses = {*IpAddress::Parse(ip)};
    s.endpoints.push_back(e);
  }
  return s;
}

std::map<std::string, size_t> BackendCounts(datapath::MapSet& maps) {
  std::map<std::string, size_t> out;
  for (const auto& fe : datapath::ReadSnapshot(maps).frontends)
    out[fe.service] = fe.backends.size();
  return out;
}

struct Harness {
  datapath::MemoryMapSet maps;
  datapath::MapWriter writer{maps};
  ObjectStore store;
  Proxier proxier{store, writer, {}};

  void SyncAll() {
    store.MarkServicesSynced();
    store.MarkEndpointSlicesSynced();
  }
};

TEST(ProxierTest, NothingIsProgrammedBeforeBothCachesSynced) {
  Harness h;
  h.store.UpsertService(Svc("web", "198.19.0.10"));
  h.store.UpsertEndpointSlice(Slice("web-1", "web", {"198.18.1.2"}));
  h.store.MarkServicesSynced();
  EXPECT_TRUE(h.proxier.Sync(SyncReason::kChanges));
  EXPECT_EQ(h.maps.services().Count(), 0u);
  h.store.MarkEndpointSlicesSynced();
  EXPECT_TRUE(h.proxier.Sync(SyncReason::kChanges));
  EXPECT_EQ(BackendCounts(h.maps), (std::map<std::string, size_t>{{"default/web", 1}}));
}

TEST(ProxierTest, AfterARestartOnlyWhatTheSourceNoLongerHasIsPurged) {
  datapath::MemoryMapSet maps;
  {
    datapath::MapWriter writer(maps);
    ObjectStore store;
    Proxier proxier(store, writer, {});
    store.UpsertService(Svc("web", "198.19.0.10"));
    store.UpsertService(Svc("old", "198.19.0.11"));
    store.UpsertEndpointSlice(Slice("web-1", "web", {"198.18.1.2"}));
    store.UpsertEndpointSlice(Slice("old-1", "old", {"198.18.1.3"}));
    store.MarkServicesSynced();
    store.MarkEndpointSlicesSynced();
    ASSERT_TRUE(proxier.Sync(SyncReason::kChanges));
  }
  datapath::MapWriter writer(maps);
  writer.Restore();
  ObjectStore store;
  Proxier proxier(store, writer, {});
  store.UpsertService(Svc("web", "198.19.0.10"));
  store.UpsertEndpointSlice(Slice("web-1", "web", {"198.18.1.2"}));
  store.MarkServicesSynced();
  // Slices not synced yet: the adopted state keeps serving, "old" included.
  ASSERT_TRUE(proxier.Sync(SyncReason::kChanges));
  EXPECT_EQ(BackendCounts(maps).size(), 2u);
  store.MarkEndpointSlicesSynced();
  maps.clear_write_log();
  ASSERT_TRUE(proxier.Sync(SyncReason::kChanges));
  EXPECT_EQ(BackendCounts(maps), (std::map<std::string, size_t>{{"default/web", 1}}));
  for (const auto& w : maps.write_log()) {
    if (w.table == "config") continue;  // the node's SNAT settings, written on every start
    EXPECT_TRUE(w.is_delete) << "web was rewritten: " << w.table;
  }
}

TEST(ProxierTest, AnInvalidUpdateKeepsTheLastValidProgramming) {
  Harness h;
  h.store.UpsertService(Svc("web", "198.19.0.10"));
  h.store.UpsertEndpointSlice(Slice("web-1", "web", {"198.18.1.2"}));
  h.SyncAll();
  ASSERT_TRUE(h.proxier.Sync(SyncReason::kChanges));
  h.store.UpsertService(Svc("web", "198.19.0.10", /*port=*/0));
  ASSERT_TRUE(h.proxier.Sync(SyncReason::kChanges));
  EXPECT_EQ(BackendCounts(h.maps), (std::map<std::string, size_t>{{"default/web", 1}}));
  EXPECT_EQ(h.proxier.stats().skipped_by_reason.at("invalid_service"), 1u);
}

TEST(ProxierTest, DeletedAndHeadlessServicesAreRemoved) {
  Harness h;
  h.store.UpsertService(Svc("web", "198.19.0.10"));
  h.store.UpsertService(Svc("db", "198.19.0.11"));
  h.SyncAll();
  ASSERT_TRUE(h.proxier.Sync(SyncReason::kChanges));
  EXPECT_EQ(BackendCounts(h.maps).size(), 2u);
  h.store.DeleteService({"default", "web"});
  model::Service headless = Svc("db", "198.19.0.11");
  headless.headless = true;
  headless.cluster_ips.clear();
  h.store.UpsertService(headless);
  ASSERT_TRUE(h.proxier.Sync(SyncReason::kChanges));
  EXPECT_TRUE(BackendCounts(h.maps).empty());
}

TEST(ProxierTest, APeriodicResyncRepairsEntriesChangedBehindTheAgentsBack) {
  Harness h;
  h.store.UpsertService(Svc("web", "198.19.0.10"));
  h.store.UpsertEndpointSlice(Slice("web-1", "web", {"198.18.1.2", "198.18.1.3"}));
  h.SyncAll();
  ASSERT_TRUE(h.proxier.Sync(SyncReason::kChanges));
  // Someone deletes the service entry with bpftool.
  lb_service_key key{};
  h.maps.services().ForEach([&key](const lb_service_key& k, const lb_service&) {
    key = k;
    return false;
  });
  ASSERT_EQ(h.maps.services().Delete(key), 0);
  ASSERT_TRUE(h.proxier.Sync(SyncReason::kChanges));  // nothing changed in the source
  EXPECT_TRUE(BackendCounts(h.maps).empty());
  ASSERT_TRUE(h.proxier.Sync(SyncReason::kPeriodic));
  EXPECT_EQ(BackendCounts(h.maps), (std::map<std::string, size_t>{{"default/web", 2}}));
}

TEST(ProxierTest, AnEndpointChangeRecomputesOnlyItsService) {
  Harness h;
  for (int i = 0; i < 50; ++i) {
    std::string name = "svc" + std::to_string(i);
    std::string ip = "198.19.1." + std::to_string(i + 1);
    h.store.UpsertService(Svc(name.c_str(), ip.c_str()));
  }
  h.SyncAll();
  ASSERT_TRUE(h.proxier.Sync(SyncReason::kChanges));
  h.maps.clear_write_log();
  h.store.UpsertEndpointSlice(Slice("svc7-1", "svc7", {"198.18.1.2"}));
  ASSERT_TRUE(h.proxier.Sync(SyncReason::kChanges));
  // One backend, one slot, one service entry flip; nothing for the 49 others.
  size_t writes = 0;
  for (const auto& w : h.maps.write_log()) writes += w.table != "config";
  EXPECT_EQ(writes, 3u);
}

}  // namespace
}  // namespace sluice::proxy
