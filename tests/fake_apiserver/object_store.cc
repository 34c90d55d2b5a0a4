#include "fake_apiserver/object_store.h"

#include <cstdio>
#include <ctime>
#include <stdexcept>

namespace sluice::fake_apiserver {
namespace {

// Where the counter starts: a real cluster never serves RV "0" (which a client
// sends to mean "any version"), so neither does the fake, even when empty.
constexpr uint64_t kInitialResourceVersion = 100;

std::string Rfc3339(std::chrono::system_clock::time_point t) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

// splitmix64: a well-mixed, deterministic sequence, so UIDs look random yet a test
// run is reproducible.
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

std::string MetadataString(const nlohmann::json& object, const char* field) {
  auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object()) return "";
  auto it = meta->find(field);
  return it != meta->end() && it->is_string() ? it->get<std::string>() : "";
}

// Everything but metadata: what a generation counts changes of.
nlohmann::json WithoutMetadata(nlohmann::json object) {
  object.erase("metadata");
  return object;
}

}  // namespace

ObjectStore::ObjectStore(Clock now, size_t max_history)
    : now_(std::move(now)), max_history_(max_history == 0 ? 1 : max_history),
      resource_version_(kInitialResourceVersion), oldest_(kInitialResourceVersion) {}

std::string ObjectStore::NewUid() {
  uint64_t a = Mix(++uid_counter_);
  uint64_t b = Mix(a);
  char text[40];
  // Version 4 / variant 1 layout, like the real server's random UIDs.
  std::snprintf(text, sizeof text, "%08x-%04x-4%03x-%04x-%012llx",
                static_cast<unsigned>(a >> 32), static_cast<unsigned>((a >> 16) & 0xffff),
                static_cast<unsigned>(a & 0xfff),
                static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3fff)),
                static_cast<unsigned long long>(b & 0xffffffffffffull));
  return text;
}

ObjectPtr ObjectStore::Upsert(nlohmann::json object) {
  if (!object.is_object()) throw std::invalid_argument("object is not a JSON object");
  auto resource = ResourceForKind(object.value("kind", ""));
  if (!resource) {
    throw std::invalid_argument("the fake API server does not serve kind '" +
                                object.value("kind", "") + "'");
  }
  std::string name = MetadataString(object, "name");
  if (name.empty()) throw std::invalid_argument("object has no metadata.name");
  std::string ns = MetadataString(object, "namespace");
  auto& meta = object["metadata"];
  if (IsNamespaced(*resource)) {
    if (ns.empty()) ns = "default";
    meta["namespace"] = ns;
  } else {
    meta.erase("namespace");
  }
  object["apiVersion"] = ApiVersionOf(*resource);

  std::lock_guard lock(mutex_);
  std::string key = StorageKey(*resource, ns, name);
  Objects& objects = objects_[*resource];
  auto existing = objects.find(key);
  ObjectPtr before = existing == objects.end() ? nullptr : existing->second;

  if (before) {
    const auto& old_meta = before->json()["metadata"];
    meta["uid"] = old_meta.value("uid", "");
    meta["creationTimestamp"] = old_meta.value("creationTimestamp", "");
    meta["resourceVersion"] = old_meta.value("resourceVersion", "");
    if (*resource == Resource::kEndpointSlices) {
      int64_t generation = old_meta.value("generation", int64_t{1});
      bool spec_changed = WithoutMetadata(object) != WithoutMetadata(before->json());
      meta["generation"] = spec_changed ? generation + 1 : generation;
    } else {
      meta.erase("generation");
    }
    if (object == before->json()) return before;  // a no-op update
  } else {
    if (!meta.contains("uid") || !meta["uid"].is_string()) meta["uid"] = NewUid();
    if (!meta.contains("creationTimestamp") || !meta["creationTimestamp"].is_string()) {
      meta["creationTimestamp"] = Rfc3339(now_());
    }
    if (*resource == Resource::kEndpointSlices) {
      meta["generation"] = 1;
    } else {
      meta.erase("generation");
    }
  }
  uint64_t rv = resource_version_ + 1;
  meta["resourceVersion"] = std::to_string(rv);
  auto after = std::make_shared<const StoredObject>(*resource, key, std::move(object), rv);
  objects[key] = after;
  Record(Change{rv, before ? ChangeType::kModified : ChangeType::kAdded, before, after});
  return after;
}

bool ObjectStore::Delete(Resource resource, std::string_view ns, std::string_view name) {
  std::lock_guard lock(mutex_);
  Objects& objects = objects_[resource];
  auto it = objects.find(StorageKey(resource, ns, name));
  if (it == objects.end()) return false;
  ObjectPtr before = it->second;
  objects.erase(it);
  uint64_t rv = resource_version_ + 1;
  nlohmann::json last = before->json();
  last["metadata"]["resourceVersion"] = std::to_string(rv);
  auto after = std::make_shared<const StoredObject>(resource, before->key(), std::move(last), rv);
  Record(Change{rv, ChangeType::kDeleted, before, after});
  return true;
}

void ObjectStore::Record(Change change) {
  resource_version_ = change.resource_version;
  history_.push_back(std::move(change));
  while (history_.size() > max_history_) {
    oldest_ = history_.front().resource_version;
    history_.pop_front();
  }
  changed_.notify_all();
}

ObjectPtr ObjectStore::Get(Resource resource, std::string_view ns, std::string_view name) const {
  std::lock_guard lock(mutex_);
  auto objects = objects_.find(resource);
  if (objects == objects_.end()) return nullptr;
  auto it = objects->second.find(StorageKey(resource, ns, name));
  return it == objects->second.end() ? nullptr : it->second;
}

uint64_t ObjectStore::resource_version() const {
  std::lock_guard lock(mutex_);
  return resource_version_;
}

uint64_t ObjectStore::oldest_resource_version() const {
  std::lock_guard lock(mutex_);
  return oldest_;
}

void ObjectStore::Compact() {
  std::lock_guard lock(mutex_);
  history_.clear();
  oldest_ = resource_version_;
  changed_.notify_all();
}

ReadStatus ObjectStore::SnapshotAt(Resource resource, uint64_t resource_version,
                                   Snapshot* out) const {
  std::lock_guard lock(mutex_);
  if (resource_version == 0) resource_version = resource_version_;
  if (resource_version > resource_version_) return ReadStatus::kTooLarge;
  if (resource_version < oldest_) return ReadStatus::kExpired;
  Objects state;
  if (auto it = objects_.find(resource); it != objects_.end()) state = it->second;
  // Roll the later changes back, newest first.
  for (auto change = history_.rbegin();
       change != history_.rend() && change->resource_version > resource_version; ++change) {
    const ObjectPtr& any = change->after ? change->after : change->before;
    if (any->resource() != resource) continue;
    if (change->before) {
      state[any->key()] = change->before;
    } else {
      state.erase(any->key());
    }
  }
  out->resource_version = resource_version;
  out->objects.clear();
  out->objects.reserve(state.size());
  for (auto& [key, object] : state) out->objects.push_back(object);
  return ReadStatus::kOk;
}

ReadStatus ObjectStore::ChangesSince(Resource resource, uint64_t after, std::vector<Change>* out,
                                     uint64_t* through) const {
  std::lock_guard lock(mutex_);
  *through = resource_version_;
  if (after < oldest_) return ReadStatus::kExpired;
  if (after >= resource_version_) return ReadStatus::kOk;
  // The history holds consecutive RVs oldest_+1 .. resource_version_.
  for (size_t i = after - oldest_; i < history_.size(); ++i) {
    const Change& change = history_[i];
    if (change.after->resource() == resource) out->push_back(change);
  }
  return ReadStatus::kOk;
}

bool ObjectStore::WaitForChange(uint64_t after, std::chrono::steady_clock::time_point until,
                                const std::function<bool()>& interrupted) const {
  std::unique_lock lock(mutex_);
  changed_.wait_until(lock, until, [&] { return resource_version_ > after || interrupted(); });
  return resource_version_ > after;
}

void ObjectStore::Wake() const {
  std::lock_guard lock(mutex_);
  changed_.notify_all();
}

}  // namespace sluice::fake_apiserver
