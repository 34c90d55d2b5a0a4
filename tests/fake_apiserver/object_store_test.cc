#include <gtest/gtest.h>

#include "fake_apiserver/object_store.h"
#include "fake_apiserver/test_objects.h"

namespace sluice::fake_apiserver {
namespace {

using testing::MakeService;
using testing::MakeSlice;

ObjectStore NewStore(size_t max_history = 1000) {
  return ObjectStore([] { return std::chrono::system_clock::from_time_t(1800000000); }, max_history);
}

TEST(ObjectStore, EveryChangeIsOneResourceVersionAcrossResources) {
  ObjectStore store = NewStore();
  uint64_t start = store.resource_version();
  auto a = store.Upsert(MakeService("shop", "web", "198.19.0.10"));
  auto b = store.Upsert(MakeSlice("shop", "web-1", "web", "198.18.0.1"));
  EXPECT_EQ(a->resource_version(), start + 1);
  EXPECT_EQ(b->resource_version(), start + 2);
  EXPECT_EQ(b->json()["metadata"]["resourceVersion"], std::to_string(start + 2));
  EXPECT_TRUE(store.Delete(Resource::kServices, "shop", "web"));
  EXPECT_FALSE(store.Delete(Resource::kServices, "shop", "web"));
  EXPECT_EQ(store.resource_version(), start + 3);
}

TEST(ObjectStore, AssignsServerMetadataLikeTheRealServer) {
  ObjectStore store = NewStore();
  auto svc = store.Upsert(MakeService("shop", "web", "198.19.0.10"))->json();
  EXPECT_EQ(svc["metadata"]["creationTimestamp"], "2027-01-15T08:00:00Z");
  EXPECT_EQ(svc["metadata"]["uid"].get<std::string>().size(), 36u);
  EXPECT_FALSE(svc["metadata"].contains("generation")) << "Services carry no generation";
  auto slice = store.Upsert(MakeSlice("shop", "web-1", "web", "198.18.0.1"))->json();
  EXPECT_EQ(slice["metadata"]["generation"], 1);

  // A label change leaves the generation; an endpoint change bumps it.
  auto relabelled = MakeSlice("shop", "web-1", "web", "198.18.0.1");
  relabelled["metadata"]["labels"]["extra"] = "x";
  EXPECT_EQ(store.Upsert(relabelled)->json()["metadata"]["generation"], 1);
  auto moved = MakeSlice("shop", "web-1", "web", "198.18.0.2");
  moved["metadata"]["labels"]["extra"] = "x";
  auto after = store.Upsert(moved)->json();
  EXPECT_EQ(after["metadata"]["generation"], 2);
  EXPECT_EQ(after["metadata"]["uid"], slice["metadata"]["uid"]) << "uid survives updates";
}

TEST(ObjectStore, AnUpdateThatChangesNothingIsANoOp) {
  ObjectStore store = NewStore();
  store.Upsert(MakeService("shop", "web", "198.19.0.10"));
  uint64_t rv = store.resource_version();
  store.Upsert(MakeService("shop", "web", "198.19.0.10"));
  EXPECT_EQ(store.resource_version(), rv);
}

TEST(ObjectStore, KeepsSuppliedUidAndCreationTimestamp) {
  ObjectStore store = NewStore();
  auto svc = MakeService("shop", "web", "198.19.0.10");
  svc["metadata"]["uid"] = "fa554c06-3642-4292-a5b8-b2a17f9eaca9";
  svc["metadata"]["creationTimestamp"] = "2026-11-22T04:28:24Z";
  auto stored = store.Upsert(svc)->json();
  EXPECT_EQ(stored["metadata"]["uid"], "fa554c06-3642-4292-a5b8-b2a17f9eaca9");
  EXPECT_EQ(stored["metadata"]["creationTimestamp"], "2026-11-22T04:28:24Z");
}

TEST(ObjectStore, RejectsUnservedKindsAndNamelessObjects) {
  ObjectStore store = NewStore();
  EXPECT_THROW(store.Upsert({{"kind", "Pod"}, {"metadata", {{"name", "p"}}}}), std::invalid_argument);
  EXPECT_THROW(store.Upsert({{"kind", "Service"}, {"metadata", nlohmann::json::object()}}),
               std::invalid_argument);
}

TEST(ObjectStore, SnapshotsRollLaterChangesBack) {
  ObjectStore store = NewStore();
  store.Upsert(MakeService("shop", "a", "198.19.0.1"));
  store.Upsert(MakeService("shop", "b", "198.19.0.2"));
  uint64_t then = store.resource_version();
  store.Upsert(MakeService("shop", "a", "198.19.0.99"));
  store.Delete(Resource::kServices, "shop", "b");
  store.Upsert(MakeService("shop", "c", "198.19.0.3"));
  store.Upsert(MakeSlice("shop", "a-1", "a", "198.18.0.1"));

  Snapshot old;
  ASSERT_EQ(store.SnapshotAt(Resource::kServices, then, &old), ReadStatus::kOk);
  EXPECT_EQ(old.resource_version, then);
  ASSERT_EQ(old.objects.size(), 2u);
  EXPECT_EQ(old.objects[0]->key(), "/shop/a");
  EXPECT_EQ(old.objects[0]->json()["spec"]["clusterIP"], "198.19.0.1");
  EXPECT_EQ(old.objects[1]->key(), "/shop/b");

  Snapshot now;
  ASSERT_EQ(store.SnapshotAt(Resource::kServices, 0, &now), ReadStatus::kOk);
  ASSERT_EQ(now.objects.size(), 2u);
  EXPECT_EQ(now.objects[1]->key(), "/shop/c");
  EXPECT_EQ(store.SnapshotAt(Resource::kServices, store.resource_version() + 1, &now),
            ReadStatus::kTooLarge);
}

TEST(ObjectStore, ChangesSinceReplaysInOrderAndDeletionsCarryTheirRv) {
  ObjectStore store = NewStore();
  uint64_t from = store.resource_version();
  store.Upsert(MakeService("shop", "a", "198.19.0.1"));
  store.Upsert(MakeSlice("shop", "a-1", "a", "198.18.0.1"));
  store.Upsert(MakeService("shop", "a", "198.19.0.2"));
  store.Delete(Resource::kServices, "shop", "a");
  std::vector<Change> changes;
  uint64_t through = 0;
  ASSERT_EQ(store.ChangesSince(Resource::kServices, from, &changes, &through), ReadStatus::kOk);
  EXPECT_EQ(through, store.resource_version());
  ASSERT_EQ(changes.size(), 3u);
  EXPECT_EQ(changes[0].type, ChangeType::kAdded);
  EXPECT_EQ(changes[1].type, ChangeType::kModified);
  EXPECT_EQ(changes[1].before->json()["spec"]["clusterIP"], "198.19.0.1");
  EXPECT_EQ(changes[2].type, ChangeType::kDeleted);
  EXPECT_EQ(changes[2].after->json()["metadata"]["resourceVersion"], std::to_string(through));
  EXPECT_EQ(changes[2].after->json()["spec"]["clusterIP"], "198.19.0.2");
}

TEST(ObjectStore, CompactionExpiresOlderResourceVersions) {
  ObjectStore store = NewStore();
  store.Upsert(MakeService("shop", "a", "198.19.0.1"));
  uint64_t old = store.resource_version();
  store.Upsert(MakeService("shop", "b", "198.19.0.2"));
  store.Compact();
  std::vector<Change> changes;
  uint64_t through = 0;
  Snapshot snapshot;
  EXPECT_EQ(store.ChangesSince(Resource::kServices, old, &changes, &through), ReadStatus::kExpired);
  EXPECT_EQ(store.SnapshotAt(Resource::kServices, old, &snapshot), ReadStatus::kExpired);
  EXPECT_EQ(store.ChangesSince(Resource::kServices, store.resource_version(), &changes, &through),
            ReadStatus::kOk);
  EXPECT_EQ(store.SnapshotAt(Resource::kServices, store.resource_version(), &snapshot), ReadStatus::kOk);
}

TEST(ObjectStore, BoundedHistoryExpiresTheOldestChanges) {
  ObjectStore store = NewStore(/*max_history=*/2);
  uint64_t start = store.resource_version();
  for (int i = 0; i < 5; ++i) store.Upsert(MakeService("shop", "s" + std::to_string(i), "198.19.0.1"));
  EXPECT_EQ(store.oldest_resource_version(), start + 3);
  std::vector<Change> changes;
  uint64_t through = 0;
  EXPECT_EQ(store.ChangesSince(Resource::kServices, start + 2, &changes, &through), ReadStatus::kExpired);
  EXPECT_EQ(store.ChangesSince(Resource::kServices, start + 3, &changes, &through), ReadStatus::kOk);
  EXPECT_EQ(changes.size(), 2u);
}

TEST(ObjectStore, WaitForChangeWakesOnAChangeAndTimesOut) {
  ObjectStore store = NewStore();
  uint64_t rv = store.resource_version();
  auto soon = std::chrono::steady_clock::now() + std::chrono::milliseconds(50);
  EXPECT_FALSE(store.WaitForChange(rv, soon, [] { return false; }));
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    store.Upsert(MakeService("shop", "a", "198.19.0.1"));
  });
  EXPECT_TRUE(store.WaitForChange(rv, std::chrono::steady_clock::now() + std::chrono::seconds(5),
                                  [] { return false; }));
  writer.join();
}

}  // namespace
}  // namespace sluice::fake_apiserver
