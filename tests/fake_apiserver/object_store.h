// The fake's etcd: every object of the three resources, one global resourceVersion
// counter that every change increments, and the history of changes since the last
// compaction, so that
//   - a watch from resourceVersion R can replay every change after R, in order;
//   - a paginated list is served from a consistent snapshot at its first page's RV
//     (the current state with the later changes rolled back);
//   - a watch or an Exact list from before the compaction gets 410 Expired.
// Thread-safe; watchers block in WaitForChange().
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "fake_apiserver/resource.h"
#include "fake_apiserver/stored_object.h"

namespace sluice::fake_apiserver {

enum class ChangeType { kAdded, kModified, kDeleted };

struct Change {
  uint64_t resource_version = 0;
  ChangeType type = ChangeType::kAdded;
  ObjectPtr before;  // null for kAdded
  ObjectPtr after;   // for kDeleted, the last state carrying the deletion's RV (as the real server sends it)
};

struct Snapshot {
  uint64_t resource_version = 0;
  std::vector<ObjectPtr> objects;  // in StorageKey() order
};

enum class ReadStatus {
  kOk,
  kExpired,   // the RV asked for is older than the history reaches: 410
  kTooLarge,  // the RV asked for is in the future
};

class ObjectStore {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  // `max_history` bounds the change log: past it the oldest change is dropped and
  // RVs before it expire, as an etcd with periodic compaction behaves.
  ObjectStore(Clock now, size_t max_history);

  // Creates or replaces the object named by its kind, metadata.namespace ("default"
  // when absent for a namespaced kind) and metadata.name, assigning what the server
  // assigns: resourceVersion always; uid and creationTimestamp on creation (kept when
  // the caller supplies them, so captured objects can be replayed as they were);
  // metadata.generation for EndpointSlices (1, +1 when anything but metadata changes;
  // the real server sets none on Services and Nodes). Replacing an object with an
  // equal one is a no-op, as a real no-op update is: no new RV, no event.
  // Throws std::invalid_argument for an unserved kind or a missing name.
  ObjectPtr Upsert(nlohmann::json object);
  // False when there is no such object.
  bool Delete(Resource resource, std::string_view ns, std::string_view name);
  ObjectPtr Get(Resource resource, std::string_view ns, std::string_view name) const;

  uint64_t resource_version() const;
  // Changes after this RV are in the history; anything older has expired.
  uint64_t oldest_resource_version() const;
  // Drops the whole history: every RV older than now expires.
  void Compact();

  // The objects of `resource` as they were at `resource_version` (0: now).
  ReadStatus SnapshotAt(Resource resource, uint64_t resource_version, Snapshot* out) const;

  // Every change of `resource` after `after`, in order; `*through` is set to the
  // RV the changes bring the reader to (the current RV).
  ReadStatus ChangesSince(Resource resource, uint64_t after, std::vector<Change>* out,
                          uint64_t* through) const;

  // Blocks until the RV passes `after`, `until` passes, or `interrupted()` holds
  // after a Wake(). Returns true when there is something new.
  bool WaitForChange(uint64_t after, std::chrono::steady_clock::time_point until,
                     const std::function<bool()>& interrupted) const;
  // Wakes every waiter so it re-checks its `interrupted` condition.
  void Wake() const;

 private:
  using Objects = std::map<std::string, ObjectPtr, std::less<>>;
  void Record(Change change);  // mutex_ held
  std::string NewUid();        // mutex_ held

  Clock now_;
  size_t max_history_;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  uint64_t resource_version_ = 0;
  uint64_t oldest_ = 0;  // history_ holds exactly the changes oldest_+1 .. resource_version_
  uint64_t uid_counter_ = 0;
  std::map<Resource, Objects> objects_;
  std::deque<Change> history_;
};

}  // namespace sluice::fake_apiserver
