// MapWriter against the in-memory map set: what a user of the datapath relies on —
// every reader sees a whole service, full maps refuse new entries and keep the old,
// a restarted agent adopts what is there.
#include "datapath/map_writer.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <set>

#include "datapath/memory_map_set.h"
#include "datapath/snapshot.h"

namespace sluice::datapath {
namespace {

using model::Backend;
using model::Frontend;
using model::FrontendKey;
using model::Protocol;

IpAddress Ip(const char* text) { return *IpAddress::Parse(text); }

Backend Be(const char* ip, uint16_t port = 8080) {
  Backend b;
  b.address = Ip(ip);
  b.port = port;
  return b;
}

Frontend Fe(const char* vip, uint16_t port, std::vector<Backend> backends,
            const char* port_name = "http") {
  Frontend f;
  f.key.address = Ip(vip);
  f.key.port = port;
  f.key.protocol = Protocol::kTcp;
  f.service = "default/web";
  f.port_name = port_name;
  f.backends = std::move(backends);
  return f;
}

// What a datapath reader resolves for every frontend, or a failure message if it
// would find a half-written service.
std::string ReaderView(MapSet& maps, std::map<std::string, std::set<std::string>>* out) {
  std::string problem;
  maps.services().ForEach([&](const lb_service_key& key, const lb_service& svc) {
    std::set<std::string> backends;
    for (uint16_t i = 0; i < svc.count; ++i) {
      lb_slot_key slot{};
      slot.svc_id = svc.id;
      slot.slot = i;
      slot.gen = svc.gen;
      auto id = maps.slots().Lookup(slot);
      if (!id) {
        problem = "slot " + std::to_string(i) + " of " + FromServiceKey(key).ToString() + " missing";
        return false;
      }
      auto be = maps.backends().Lookup(*id);
      if (!be) {
        problem = "backend " + std::to_string(*id) + " missing";
        return false;
      }
      backends.insert(IpAddress::FromDatapath(be->addr, be->family).ToString());
    }
    if (out) (*out)[FromServiceKey(key).ToString()] = backends;
    return true;
  });
  return problem;
}

// A MemoryMapSet that, after every single write, checks what a reader would see.
class CheckedMaps : public MapSet {
 public:
  template <typename K, typename V>
  class Checked : public Table<K, V> {
   public:
    Checked(Table<K, V>& inner, CheckedMaps& owner) : inner_(inner), owner_(owner) {}
    int Update(const K& k, const V& v) override {
      int err = inner_.Update(k, v);
      owner_.Check();
      return err;
    }
    int Delete(const K& k) override {
      int err = inner_.Delete(k);
      owner_.Check();
      return err;
    }
    std::optional<V> Lookup(const K& k) const override { return inner_.Lookup(k); }
    void ForEach(const std::function<bool(const K&, const V&)>& f) const override { inner_.ForEach(f); }
    uint32_t Capacity() const override { return inner_.Capacity(); }

   private:
    Table<K, V>& inner_;
    CheckedMaps& owner_;
  };

  CheckedMaps()
      : services_(inner_.services(), *this),
        slots_(inner_.slots(), *this),
        backends_(inner_.backends(), *this),
        meta_(inner_.service_meta(), *this) {}

  Table<lb_service_key, lb_service>& services() override { return services_; }
  Table<lb_slot_key, uint32_t>& slots() override { return slots_; }
  Table<uint32_t, lb_backend>& backends() override { return backends_; }
  Table<uint32_t, lb_service_meta>& service_meta() override { return meta_; }
  std::vector<uint64_t> ReadCounters() const override { return inner_.ReadCounters(); }
  Table<affinity_key, affinity_entry>& affinity() override { return inner_.affinity(); }
  Table<src_range_key, uint8_t>& src_ranges() override { return inner_.src_ranges(); }
  bool ReadMaglev(uint32_t offset, std::span<uint32_t> out) const override { return inner_.ReadMaglev(offset, out); }
  bool WriteMaglev(std::span<const MaglevWrite> writes) override { return inner_.WriteMaglev(writes); }
  uint32_t MaglevCapacity() const override { return inner_.MaglevCapacity(); }

  void Check() {
    std::map<std::string, std::set<std::string>> view;
    std::string problem = ReaderView(inner_, &view);
    if (!problem.empty()) problems.push_back(problem);
    // Every view a reader can observe must be one of the allowed backend sets.
    for (const auto& [fe, set] : view)
      if (!allowed.empty() && !allowed.count(set)) problems.push_back("mixed set seen for " + fe);
  }

  std::set<std::set<std::string>> allowed;
  std::vector<std::string> problems;

 private:
  MemoryMapSet inner_;
  Checked<lb_service_key, lb_service> services_;
  Checked<lb_slot_key, uint32_t> slots_;
  Checked<uint32_t, lb_backend> backends_;
  Checked<uint32_t, lb_service_meta> meta_;
};

TEST(MapWriterTest, NewServiceIsWrittenBackendsFirstServiceEntryLast) {
  MemoryMapSet maps;
  MapWriter writer(maps);
  std::vector<Frontend> fes = {Fe("198.19.0.10", 80, {Be("198.18.1.2"), Be("198.18.2.2")})};
  ApplyResult r = writer.ApplyService("default/web", fes);
  EXPECT_EQ(r.written, 1);
  EXPECT_TRUE(r.errors.empty());
  ASSERT_FALSE(maps.write_log().empty());
  EXPECT_EQ(maps.write_log().back().table, "services");
  EXPECT_EQ(maps.write_log().front().table, "backends");

  Snapshot snap = ReadSnapshot(maps);
  ASSERT_EQ(snap.frontends.size(), 1u);
  EXPECT_EQ(snap.frontends[0].service, "default/web");
  EXPECT_EQ(snap.frontends[0].port_name, "http");
  ASSERT_EQ(snap.frontends[0].backends.size(), 2u);
  EXPECT_EQ(snap.frontends[0].backends[0].backend.ToString(), "198.18.1.2:8080");
}

TEST(MapWriterTest, ReapplyingTheSameStateWritesNothing) {
  MemoryMapSet maps;
  MapWriter writer(maps);
  std::vector<Frontend> fes = {Fe("198.19.0.10", 80, {Be("198.18.1.2")})};
  (void)writer.ApplyService("default/web", fes);
  maps.clear_write_log();
  ApplyResult r = writer.ApplyService("default/web", fes);
  EXPECT_EQ(r.unchanged, 1);
  EXPECT_EQ(r.written, 0);
  EXPECT_TRUE(maps.write_log().empty());
}

TEST(MapWriterTest, EveryIntermediateStateIsTheOldOrTheNewBackendSet) {
  CheckedMaps maps;
  MapWriter writer(maps);
  std::vector<Frontend> v1 = {Fe("198.19.0.10", 80, {Be("198.18.1.2"), Be("198.18.2.2"), Be("198.18.3.2")})};
  std::vector<Frontend> v2 = {Fe("198.19.0.10", 80, {Be("198.18.3.2"), Be("198.18.4.2")})};
  std::vector<Frontend> v3 = {Fe("198.19.0.10", 80, {})};
  std::set<std::string> s1 = {"198.18.1.2", "198.18.2.2", "198.18.3.2"};
  std::set<std::string> s2 = {"198.18.3.2", "198.18.4.2"};
  std::set<std::string> s3 = {};
  maps.allowed = {s1};
  (void)writer.ApplyService("default/web", v1);
  maps.allowed = {s1, s2};
  (void)writer.ApplyService("default/web", v2);
  maps.allowed = {s2, s3};
  (void)writer.ApplyService("default/web", v3);
  maps.allowed = {s3, s1};
  (void)writer.ApplyService("default/web", v1);
  maps.allowed.clear();
  (void)writer.RemoveService("default/web");
  EXPECT_TRUE(maps.problems.empty()) << maps.problems.front();
  EXPECT_EQ(maps.services().Count(), 0u);
  EXPECT_EQ(maps.slots().Count(), 0u);
  EXPECT_EQ(maps.backends().Count(), 0u);
  EXPECT_EQ(maps.service_meta().Count(), 0u);
}

TEST(MapWriterTest, RemovingAServiceDeletesItsEntryBeforeItsSlotsAndBackends) {
  MemoryMapSet maps;
  MapWriter writer(maps);
  (void)writer.ApplyService("default/web", std::vector{Fe("198.19.0.10", 80, {Be("198.18.1.2")})});
  maps.clear_write_log();
  ApplyResult r = writer.RemoveService("default/web");
  EXPECT_EQ(r.deleted, 1);
  ASSERT_FALSE(maps.write_log().empty());
  EXPECT_EQ(maps.write_log().front().table, "services");
  EXPECT_TRUE(maps.write_log().front().is_delete);
  EXPECT_TRUE(writer.Services().empty());
}

TEST(MapWriterTest, FrontendsDroppedFromAServiceAreRemovedOthersKept) {
  MemoryMapSet maps;
  MapWriter writer(maps);
  (void)writer.ApplyService("default/web", std::vector{Fe("198.19.0.10", 80, {Be("198.18.1.2")}),
                                                      Fe("198.19.0.10", 443, {Be("198.18.1.2", 8443)}, "https")});
  ApplyResult r = writer.ApplyService("default/web", std::vector{Fe("198.19.0.10", 443, {Be("198.18.1.2", 8443)}, "https")});
  EXPECT_EQ(r.deleted, 1);
  EXPECT_EQ(r.unchanged, 1);
  Snapshot snap = ReadSnapshot(maps);
  ASSERT_EQ(snap.frontends.size(), 1u);
  EXPECT_EQ(snap.frontends[0].key.port, 443);
  EXPECT_EQ(maps.backends().Count(), 1u);  // the :8080 backend went with its frontend
}

TEST(MapWriterTest, FullServicesMapRefusesTheNewFrontendAndKeepsTheOthers) {
  MemoryMapSet maps(MemoryMapSizes{.services = 2});
  MapWriter writer(maps);
  (void)writer.ApplyService("default/a", std::vector{Fe("198.19.0.1", 80, {Be("198.18.1.2")})});
  (void)writer.ApplyService("default/b", std::vector{Fe("198.19.0.2", 80, {Be("198.18.1.3")})});
  ApplyResult r = writer.ApplyService("default/c", std::vector{Fe("198.19.0.3", 80, {Be("198.18.1.4")})});
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].reason.find("services map is full (capacity 2)"), std::string::npos)
      << r.errors[0].reason;
  std::map<std::string, std::set<std::string>> view;
  EXPECT_EQ(ReaderView(maps, &view), "");
  EXPECT_EQ(view.size(), 2u);
  EXPECT_EQ(maps.backends().Count(), 2u);  // nothing of the refused one was left behind
  EXPECT_EQ(maps.slots().Count(), 2u);
}

TEST(MapWriterTest, FullBackendsMapKeepsThePreviousBackendSet) {
  MemoryMapSet maps(MemoryMapSizes{.backends = 2});
  MapWriter writer(maps);
  (void)writer.ApplyService("default/web", std::vector{Fe("198.19.0.10", 80, {Be("198.18.1.2"), Be("198.18.2.2")})});
  ApplyResult r = writer.ApplyService(
      "default/web", std::vector{Fe("198.19.0.10", 80, {Be("198.18.1.2"), Be("198.18.2.2"), Be("198.18.3.2")})});
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].reason.find("backends map is full"), std::string::npos);
  std::map<std::string, std::set<std::string>> view;
  EXPECT_EQ(ReaderView(maps, &view), "");
  EXPECT_EQ(view.begin()->second, (std::set<std::string>{"198.18.1.2", "198.18.2.2"}));
}

TEST(MapWriterTest, FullSlotsMapKeepsThePreviousBackendSet) {
  // Two generations of 2 slots fit, a generation of 3 next to one of 2 does not.
  MemoryMapSet maps(MemoryMapSizes{.slots = 4});
  MapWriter writer(maps);
  (void)writer.ApplyService("default/web", std::vector{Fe("198.19.0.10", 80, {Be("198.18.1.2"), Be("198.18.2.2")})});
  ApplyResult r = writer.ApplyService(
      "default/web", std::vector{Fe("198.19.0.10", 80, {Be("198.18.1.2"), Be("198.18.2.2"), Be("198.18.3.2")})});
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].reason.find("slots map is full"), std::string::npos);
  std::map<std::string, std::set<std::string>> view;
  EXPECT_EQ(ReaderView(maps, &view), "");
  EXPECT_EQ(view.begin()->second, (std::set<std::string>{"198.18.1.2", "198.18.2.2"}));
  EXPECT_EQ(maps.backends().Count(), 2u);
}

TEST(MapWriterTest, AFrontendOwnedByAnotherServiceIsRefused) {
  MemoryMapSet maps;
  MapWriter writer(maps);
  (void)writer.ApplyService("default/a", std::vector{Fe("198.18.9.10", 80, {Be("198.18.1.2")})});
  ApplyResult r = writer.ApplyService("default/b", std::vector{Fe("198.18.9.10", 80, {Be("198.18.1.3")})});
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].reason.find("belongs to Service default/a"), std::string::npos);
}

TEST(MapWriterTest, BackendsSharedByFrontendsLiveUntilTheLastUserGoes) {
  MemoryMapSet maps;
  MapWriter writer(maps);
  (void)writer.ApplyService("default/a", std::vector{Fe("198.19.0.1", 80, {Be("198.18.1.2")})});
  (void)writer.ApplyService("default/b", std::vector{Fe("198.19.0.2", 80, {Be("198.18.1.2")})});
  EXPECT_EQ(maps.backends().Count(), 1u);
  (void)writer.RemoveService("default/a");
  EXPECT_EQ(maps.backends().Count(), 1u);
  (void)writer.RemoveService("default/b");
  EXPECT_EQ(maps.backends().Count(), 0u);
}

TEST(MapWriterTest, ABackendThatStartsTerminatingIsUpdatedInPlace) {
  MemoryMapSet maps;
  MapWriter writer(maps);
  (void)writer.ApplyService("default/a", std::vector{Fe("198.19.0.1", 80, {Be("198.18.1.2")})});
  Backend terminating = Be("198.18.1.2");
  terminating.terminating = true;
  (void)writer.ApplyService("default/a", std::vector{Fe("198.19.0.1", 80, {terminating})});
  Snapshot snap = ReadSnapshot(maps);
  ASSERT_EQ(snap.backends.size(), 1u);
  EXPECT_TRUE(snap.backends.begin()->second.backend.terminating);
}

TEST(MapWriterTest, ARestartedWriterAdoptsTheMapsAndWritesOnlyDifferences) {
  MemoryMapSet maps;
  {
    MapWriter first(maps);
    (void)first.ApplyService("default/a", std::vector{Fe("198.19.0.1", 80, {Be("198.18.1.2"), Be("198.18.2.2")})});
    (void)first.ApplyService("default/b", std::vector{Fe("198.19.0.2", 80, {Be("198.18.1.2")})});
  }
  MapWriter second(maps);
  RestoreResult restored = second.Restore();
  EXPECT_EQ(restored.frontends, 2u);
  EXPECT_EQ(restored.backends, 2u);
  EXPECT_EQ(restored.orphans_removed, 0u);
  std::vector<std::string> services = second.Services();
  EXPECT_EQ(std::set<std::string>(services.begin(), services.end()),
            (std::set<std::string>{"default/a", "default/b"}));
  maps.clear_write_log();
  ApplyResult r = second.ApplyService("default/a", std::vector{Fe("198.19.0.1", 80, {Be("198.18.1.2"), Be("198.18.2.2")})});
  EXPECT_EQ(r.unchanged, 1);
  EXPECT_TRUE(maps.write_log().empty());
  // New ids never collide with adopted ones.
  (void)second.ApplyService("default/c", std::vector{Fe("198.19.0.3", 80, {Be("198.18.3.2")})});
  (void)second.RemoveService("default/b");
  std::map<std::string, std::set<std::string>> view;
  EXPECT_EQ(ReaderView(maps, &view), "");
  EXPECT_EQ(view.size(), 2u);
  EXPECT_EQ(view["198.19.0.1:80/TCP"], (std::set<std::string>{"198.18.1.2", "198.18.2.2"}));
}

TEST(MapWriterTest, RestoreRemovesWhatACrashMidWriteLeftBehind) {
  MemoryMapSet maps;
  {
    MapWriter first(maps);
    (void)first.ApplyService("default/a", std::vector{Fe("198.19.0.1", 80, {Be("198.18.1.2")})});
  }
  // As if a run died after writing a new generation but before flipping the entry.
  lb_slot_key orphan{};
  orphan.svc_id = 1;
  orphan.slot = 0;
  orphan.gen = 1;
  lb_backend unused{};
  unused.family = SLUICE_AF_INET;
  unused.port = htons(9);
  ASSERT_EQ(maps.backends().Update(77, unused), 0);
  ASSERT_EQ(maps.slots().Update(orphan, 77), 0);
  ASSERT_EQ(maps.service_meta().Update(99, ToMeta("default/gone", "")), 0);
  MapWriter second(maps);
  RestoreResult restored = second.Restore();
  EXPECT_EQ(restored.orphans_removed, 3u);
  EXPECT_EQ(maps.slots().Count(), 1u);
  EXPECT_EQ(maps.backends().Count(), 1u);
  EXPECT_EQ(maps.service_meta().Count(), 1u);
}

}  // namespace
}  // namespace sluice::datapath
