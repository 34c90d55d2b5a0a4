// What a response body looks like in one wire format. The router picks an encoder
// from the request's Accept header and never looks at bytes itself, so the JSON and
// protobuf formats cannot drift apart in what they say, only in how.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fake_apiserver/resource.h"
#include "fake_apiserver/stored_object.h"

namespace sluice::fake_apiserver {

struct ListMeta {
  std::string resource_version;
  std::string continue_token;                 // "" on the last page
  std::optional<int64_t> remaining_item_count;  // only for a paginated, unfiltered list
};

class WireEncoder {
 public:
  virtual ~WireEncoder() = default;
  // Content-Type of lists, objects and errors.
  virtual const char* content_type() const = 0;
  // Content-Type of a watch stream.
  virtual const char* watch_content_type() const = 0;

  virtual std::string List(Resource resource, const ListMeta& meta,
                           const std::vector<ObjectPtr>& items) const = 0;
  virtual std::string Object(const StoredObject& object) const = 0;
  // A metav1.Status (ApiError::StatusObject()).
  virtual std::string Status(const nlohmann::json& status) const = 0;
  // One framed watch event: `type` is ADDED, MODIFIED, DELETED or BOOKMARK.
  virtual std::string WatchEvent(std::string_view type, const StoredObject& object) const = 0;
  // The ERROR event carrying a Status.
  virtual std::string WatchError(const nlohmann::json& status) const = 0;
};

std::unique_ptr<WireEncoder> MakeJsonEncoder();
// Throws std::logic_error when the build has no protobuf support.
std::unique_ptr<WireEncoder> MakeProtobufEncoder();

}  // namespace sluice::fake_apiserver
