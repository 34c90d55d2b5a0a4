// MapWriter for the packet path's state: Maglev tables of external frontends (written
// into a range that is not live, then flipped), loadBalancerSourceRanges, node config
// and session affinity of removed backends.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "datapath/map_writer.h"
#include "datapath/memory_map_set.h"
#include "maglev/table_size.h"

namespace sluice::datapath {
namespace {

IpAddress Ip(const char* text) { return *IpAddress::Parse(text); }

model::Backend Be(const char* ip) {
  model::Backend b;
  b.address = Ip(ip);
  b.port = 8080;
  return b;
}

model::Frontend External(std::vector<model::Backend> backends) {
  model::Frontend f;
  f.key = {.address = Ip("198.19.0.1"), .port = 30080, .protocol = model::Protocol::kTcp,
           .scope = model::Scope::kExternal};
  f.type = model::FrontendType::kNodePort;
  f.service = "default/web";
  f.port_name = "http";
  f.backends = std::move(backends);
  return f;
}

lb_service Entry(MemoryMapSet& maps, const model::Frontend& f) {
  auto v = maps.services().Lookup(ToServiceKey(f.key));
  EXPECT_TRUE(v.has_value());
  return v.value_or(lb_service{});
}

// Backend id -> how many slots of the live table it holds.
std::map<uint32_t, uint32_t> SlotShares(MemoryMapSet& maps, const lb_service& entry) {
  std::vector<uint32_t> table(entry.maglev_size);
  EXPECT_TRUE(maps.ReadMaglev(entry.maglev_offset, table));
  std::map<uint32_t, uint32_t> shares;
  for (uint32_t id : table) ++shares[id];
  return shares;
}

size_t MaglevWrites(const MemoryMapSet& maps) {
  size_t n = 0;
  for (const auto& w : maps.write_log()) n += w.table == "maglev";
  return n;
}

TEST(MapWriterPacketTest, AnExternalFrontendGetsATableSizedToItsBackends) {
  MemoryMapSet maps;
  MapWriter writer(maps);
  auto f = External({Be("198.18.1.2"), Be("198.18.2.2"), Be("198.18.3.2")});
  ASSERT_TRUE(writer.ApplyService("default/web", std::vector{f}).errors.empty());
  lb_service entry = Entry(maps, f);
  EXPECT_EQ(entry.maglev_size, maglev::ChooseTableSize(3, 16381));
  EXPECT_EQ(entry.maglev_size, 509u);
  std::map<uint32_t, uint32_t> shares = SlotShares(maps, entry);
  ASSERT_EQ(shares.size(), 3u);
  for (const auto& [id, slots] : shares) {
    EXPECT_TRUE(maps.backends().Lookup(id).has_value());
    EXPECT_GE(slots, 169u);
    EXPECT_LE(slots, 170u);
  }
  // The internal (socket) frontend of the same address gets none.
  model::Frontend internal = f;
  internal.key.scope = model::Scope::kInternal;
  ASSERT_TRUE(writer.ApplyService("default/web", std::vector{f, internal}).errors.empty());
  EXPECT_EQ(Entry(maps, internal).maglev_size, 0u);
}

TEST(MapWriterPacketTest, AChangeWritesOnlyChangedSlotsIntoTheStandbyRangeThenFlips) {
  MemoryMapSet maps;
  MapWriter writer(maps);
  auto v1 = External({Be("198.18.1.2"), Be("198.18.2.2"), Be("198.18.3.2")});
  auto v2 = External({Be("198.18.1.2"), Be("198.18.2.2"), Be("198.18.3.2"), Be("198.18.4.2")});
  (void)writer.ApplyService("default/web", std::vector{v1});
  lb_service first = Entry(maps, v1);
  std::vector<uint32_t> live_before(first.maglev_size);
  ASSERT_TRUE(maps.ReadMaglev(first.maglev_offset, live_before));

  (void)writer.ApplyService("default/web", std::vector{v2});  // into the empty standby
  lb_service second = Entry(maps, v2);
  EXPECT_NE(second.maglev_offset, first.maglev_offset);
  std::vector<uint32_t> old_range(first.maglev_size);
  ASSERT_TRUE(maps.ReadMaglev(first.maglev_offset, old_range));
  EXPECT_EQ(old_range, live_before) << "the range live before the flip must not be touched";

  // Back to v1: the standby range is v1's old table, so nothing needs writing but the flip.
  maps.clear_write_log();
  (void)writer.ApplyService("default/web", std::vector{v1});
  lb_service third = Entry(maps, v1);
  EXPECT_EQ(third.maglev_offset, first.maglev_offset);
  EXPECT_EQ(MaglevWrites(maps), 0u) << "identical slots are not written again";
  EXPECT_EQ(SlotShares(maps, third).size(), 3u);
}

TEST(MapWriterPacketTest, AFrontendThatLosesItsBackendsGivesItsRangesBack) {
  MemoryMapSet maps(MemoryMapSizes{.maglev = 2 * 251});  // two backends: M = 251
  MapWriter writer(maps);
  auto f = External({Be("198.18.1.2"), Be("198.18.2.2")});
  (void)writer.ApplyService("default/web", std::vector{f});
  EXPECT_EQ(writer.maglev_space().free_slots(), 0u);
  f.backends.clear();
  (void)writer.ApplyService("default/web", std::vector{f});
  EXPECT_EQ(Entry(maps, f).maglev_size, 0u);
  EXPECT_EQ(Entry(maps, f).count, 0u);
  // Retired ranges come back only after the sync that retired them.
  EXPECT_EQ(writer.maglev_space().free_slots(), 0u);
  writer.EndSync();
  EXPECT_EQ(writer.maglev_space().free_slots(), 2u * 251);
}

TEST(MapWriterPacketTest, AFullMaglevMapRefusesTheFrontendAndKeepsTheOthers) {
  MemoryMapSet maps(MemoryMapSizes{.maglev = 300});  // room for one 251-slot table
  MapWriter writer(maps);
  auto a = External({Be("198.18.1.2")});
  ASSERT_TRUE(writer.ApplyService("default/a", std::vector{a}).errors.empty());
  auto b = External({Be("198.18.2.2")});
  b.key.address = Ip("198.19.0.2");
  b.service = "default/b";
  ApplyResult r = writer.ApplyService("default/b", std::vector{b});
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].reason.find("Maglev map is full"), std::string::npos) << r.errors[0].reason;
  EXPECT_FALSE(maps.services().Lookup(ToServiceKey(b.key)).has_value());
  EXPECT_EQ(SlotShares(maps, Entry(maps, a)).size(), 1u);
}

TEST(MapWriterPacketTest, SourceRangesFollowTheFrontend) {
  MemoryMapSet maps;
  MapWriter writer(maps);
  auto f = External({Be("198.18.1.2")});
  f.type = model::FrontendType::kLoadBalancer;
  f.flags = LB_SVC_F_SOURCE_RANGES;
  f.source_ranges = {*IpPrefix::Parse("203.0.113.0/24"), *IpPrefix::Parse("198.18.0.0/16")};
  (void)writer.ApplyService("default/web", std::vector{f});
  uint32_t id = Entry(maps, f).id;
  auto allowed = [&](const char* ip) {
    src_range_key k{};
    k.prefixlen = 64 + 32;
    k.svc_id = id;
    k.family = SLUICE_AF_INET;
    std::memcpy(k.addr, Ip(ip).bytes().data(), 16);
    return maps.src_ranges().Lookup(k).has_value();
  };
  EXPECT_TRUE(allowed("203.0.113.9"));
  EXPECT_TRUE(allowed("198.18.200.1"));
  EXPECT_FALSE(allowed("192.0.2.1"));
  f.source_ranges = {*IpPrefix::Parse("192.0.2.0/24")};
  (void)writer.ApplyService("default/web", std::vector{f});
  EXPECT_FALSE(allowed("203.0.113.9"));
  EXPECT_TRUE(allowed("192.0.2.1"));
  (void)writer.RemoveService("default/web");
  EXPECT_EQ(maps.src_ranges().Count(), 0u);
}

TEST(MapWriterPacketTest, AffinityToARemovedBackendIsForgottenOthersKept) {
  MemoryMapSet maps;
  MapWriter writer(maps);
  auto f = External({Be("198.18.1.2"), Be("198.18.2.2")});
  f.flags = LB_SVC_F_AFFINITY;
  f.affinity_timeout = 600;
  (void)writer.ApplyService("default/web", std::vector{f});
  lb_service entry = Entry(maps, f);
  std::set<uint32_t> ids;
  for (const auto& [id, slots] : SlotShares(maps, entry)) ids.insert(id);
  ASSERT_EQ(ids.size(), 2u);
  uint32_t stays = *ids.begin(), goes = *ids.rbegin();
  affinity_key k1{}, k2{};
  k1.svc_id = k2.svc_id = entry.id;
  k1.family = k2.family = SLUICE_AF_INET;
  k1.client.ip4 = 1;
  k2.client.ip4 = 2;
  ASSERT_EQ(maps.affinity().Update(k1, affinity_entry{1, stays, 0}), 0);
  ASSERT_EQ(maps.affinity().Update(k2, affinity_entry{1, goes, 0}), 0);
  lb_backend gone_value = *maps.backends().Lookup(goes);
  f.backends.erase(std::remove_if(f.backends.begin(), f.backends.end(),
                                  [&](const model::Backend& b) {
                                    return b.address == IpAddress::FromDatapath(gone_value.addr, gone_value.family);
                                  }),
                   f.backends.end());
  (void)writer.ApplyService("default/web", std::vector{f});
  EXPECT_TRUE(maps.affinity().Lookup(k1).has_value());
  EXPECT_FALSE(maps.affinity().Lookup(k2).has_value());
}

TEST(MapWriterPacketTest, NodeConfigCarriesTheSnatAddressesAndPorts) {
  MemoryMapSet maps;
  MapWriter writer(maps);
  ASSERT_EQ(writer.SetNodeConfig({.snat_ip4 = Ip("198.19.0.1"), .snat_ip6 = Ip("fd00:19::1")}), 0);
  auto cfg = maps.config().Lookup(0);
  ASSERT_TRUE(cfg.has_value());
  EXPECT_EQ(IpAddress::FromDatapath(cfg->snat_ip4, SLUICE_AF_INET).ToString(), "198.19.0.1");
  EXPECT_EQ(IpAddress::FromDatapath(cfg->snat_ip6, SLUICE_AF_INET6).ToString(), "fd00:19::1");
  EXPECT_EQ(cfg->snat_port_min, SLUICE_SNAT_PORT_MIN);
  EXPECT_EQ(cfg->snat_port_max, SLUICE_SNAT_PORT_MAX);
}

TEST(MapWriterPacketTest, ARestartedWriterAdoptsTheLiveTableAndRewritesNothing) {
  MemoryMapSet maps;
  auto f = External({Be("198.18.1.2"), Be("198.18.2.2"), Be("198.18.3.2")});
  {
    MapWriter first(maps);
    (void)first.ApplyService("default/web", std::vector{f});
  }
  lb_service before = Entry(maps, f);
  MapWriter second(maps);
  second.Restore();
  maps.clear_write_log();
  ApplyResult r = second.ApplyService("default/web", std::vector{f});
  EXPECT_EQ(r.unchanged, 1);
  EXPECT_TRUE(maps.write_log().empty());
  // A change afterwards lands in a fresh range, never over the adopted live one.
  f.backends.pop_back();
  (void)second.ApplyService("default/web", std::vector{f});
  lb_service after = Entry(maps, f);
  EXPECT_NE(after.maglev_offset, before.maglev_offset);
  EXPECT_EQ(SlotShares(maps, after).size(), 2u);
}

}  // namespace
}  // namespace sluice::datapath
