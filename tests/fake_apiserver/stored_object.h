// One version of one object as the fake stores it. Immutable once stored: the current
// state, the change history and list snapshots share it by pointer, so a paginated
// list of 10k objects or a replay of a long history copies no JSON. Its wire
// encodings are computed at most once, on first use, because a benchmark lists and
// watches the same versions many times.
#pragma once

#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "fake_apiserver/resource.h"

namespace sluice::fake_apiserver {

// The encodings worth caching per object version.
enum class Encoding : size_t {
  kJsonListItem,  // JSON without kind/apiVersion, as list items are sent
  kJsonObject,    // JSON with kind/apiVersion (GET bodies, watch events)
  kProtobufRaw,   // the object's protobuf message (no envelope)
  kCount,
};

class StoredObject {
 public:
  StoredObject(Resource resource, std::string key, nlohmann::json object, uint64_t resource_version)
      : resource_(resource), key_(std::move(key)), object_(std::move(object)),
        resource_version_(resource_version) {}
  StoredObject(const StoredObject&) = delete;
  StoredObject& operator=(const StoredObject&) = delete;

  Resource resource() const { return resource_; }
  const std::string& key() const { return key_; }  // StorageKey()
  const nlohmann::json& json() const { return object_; }
  uint64_t resource_version() const { return resource_version_; }

  // The cached encoding `which`, made by `make` the first time it is asked for.
  const std::string& Encoded(Encoding which, const std::function<std::string()>& make) const {
    std::lock_guard lock(cache_mutex_);
    auto& slot = cache_[static_cast<size_t>(which)];
    if (!slot) slot = make();
    return *slot;
  }

 private:
  Resource resource_;
  std::string key_;
  nlohmann::json object_;
  uint64_t resource_version_;
  mutable std::mutex cache_mutex_;
  mutable std::array<std::optional<std::string>, static_cast<size_t>(Encoding::kCount)> cache_;
};

using ObjectPtr = std::shared_ptr<const StoredObject>;

}  // namespace sluice::fake_apiserver
