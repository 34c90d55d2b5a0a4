// The ObjectStore records changes; what a sync takes from it decides what is
// recomputed, so these tests check that exactly the touched Services come out.
#include "proxy/object_store.h"

#include <gtest/gtest.h>

namespace sluice::proxy {
namespace {

model::Service Svc(const char* name, const char* rv = "") {
  model::Service s;
  s.meta.id = {"default", name};
  s.meta.resource_version = rv;
  s.cluster_ips = {*IpAddress::Parse("198.19.0.10")};
  return s;
}

model::EndpointSlice Slice(const char* name, const char* service) {
  model::EndpointSlice s;
  s.meta.id = {"default", name};
  s.service_name = service;
  return s;
}

std::vector<std::string> Names(const PendingChanges& c) {
  std::vector<std::string> out;
  for (const auto& w : c.work) out.push_back(w.name.ToString() + (w.service ? "" : "(deleted)"));
  return out;
}

TEST(ObjectStoreTest, NotSyncedUntilBothKindsAreListed) {
  ObjectStore store;
  EXPECT_FALSE(store.Synced());
  store.MarkServicesSynced();
  EXPECT_FALSE(store.Synced());
  store.MarkEndpointSlicesSynced();
  EXPECT_TRUE(store.Synced());
}

TEST(ObjectStoreTest, EveryChangeNotifiesAndMarksOnlyItsService) {
  int notified = 0;
  ObjectStore store([&notified] { ++notified; });
  store.UpsertService(Svc("a"));
  store.UpsertService(Svc("b"));
  (void)store.TakeChanges(false);
  store.UpsertEndpointSlice(Slice("a-1", "a"));
  PendingChanges c = store.TakeChanges(false);
  EXPECT_EQ(Names(c), std::vector<std::string>{"default/a"});
  ASSERT_EQ(c.work[0].slices.size(), 1u);
  EXPECT_EQ(notified, 3);
  EXPECT_FALSE(store.HasChanges());
}

TEST(ObjectStoreTest, SlicesOfAServiceMergeAndAMovedEndpointSliceIsFollowed) {
  ObjectStore store;
  store.UpsertService(Svc("a"));
  store.UpsertService(Svc("b"));
  store.UpsertEndpointSlice(Slice("s1", "a"));
  store.UpsertEndpointSlice(Slice("s2", "a"));
  PendingChanges c = store.TakeChanges(true);
  ASSERT_EQ(c.work.size(), 2u);
  EXPECT_EQ(c.work[0].slices.size(), 2u);
  // Relabelled to Service b: both Services must be recomputed.
  store.UpsertEndpointSlice(Slice("s2", "b"));
  c = store.TakeChanges(false);
  EXPECT_EQ(Names(c), (std::vector<std::string>{"default/a", "default/b"}));
  EXPECT_EQ(c.work[0].slices.size(), 1u);
  EXPECT_EQ(c.work[1].slices.size(), 1u);
}

TEST(ObjectStoreTest, ARelistDeletesWhatIsNotListedAndSkipsUnchangedVersions) {
  ObjectStore store;
  store.ReplaceServices({Svc("a", "1"), Svc("b", "1")});
  (void)store.TakeChanges(false);
  store.ReplaceServices({Svc("a", "1"), Svc("c", "5")});
  PendingChanges c = store.TakeChanges(false);
  EXPECT_EQ(Names(c), (std::vector<std::string>{"default/b(deleted)", "default/c"}));
  EXPECT_EQ(store.service_count(), 2u);
}

TEST(ObjectStoreTest, DeletingASliceMarksItsService) {
  ObjectStore store;
  store.UpsertService(Svc("a"));
  store.UpsertEndpointSlice(Slice("s1", "a"));
  (void)store.TakeChanges(false);
  store.DeleteEndpointSlice({"default", "s1"});
  PendingChanges c = store.TakeChanges(false);
  EXPECT_EQ(Names(c), std::vector<std::string>{"default/a"});
  EXPECT_TRUE(c.work[0].slices.empty());
  EXPECT_EQ(store.slice_count(), 0u);
}

}  // namespace
}  // namespace sluice::proxy
