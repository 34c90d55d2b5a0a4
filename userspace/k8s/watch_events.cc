#include "k8s/watch_events.h"

#include <utility>

#include "k8s/decode_error.h"

namespace sluice::k8s {

std::optional<WatchEventType> ParseWatchEventType(std::string_view text) {
  if (text == "ADDED") return WatchEventType::kAdded;
  if (text == "MODIFIED") return WatchEventType::kModified;
  if (text == "DELETED") return WatchEventType::kDeleted;
  if (text == "BOOKMARK") return WatchEventType::kBookmark;
  if (text == "ERROR") return WatchEventType::kError;
  return std::nullopt;
}

void AppendWatchEvent(WatchEventType type, const EventObject& object, std::vector<WatchEvent>* events,
                      std::vector<ObjectFailure>* failures) {
  WatchEvent event;
  event.type = type;
  switch (type) {
    case WatchEventType::kBookmark:
      // A bookmark's object is an empty object of the watched kind carrying only
      // metadata.resourceVersion: the point to resume from, nothing to decode.
      event.resource_version = object.ResourceVersion();
      if (event.resource_version.empty()) {
        failures->push_back({std::nullopt, "BOOKMARK event without metadata.resourceVersion"});
        return;
      }
      events->push_back(std::move(event));
      return;
    case WatchEventType::kError:
      // The reflector needs the code (410 means relist) even when the Status is odd.
      event.status = object.Status();
      if (!event.status) event.status = ApiStatus{0, "", "ERROR event whose object is not a Status"};
      events->push_back(std::move(event));
      return;
    case WatchEventType::kAdded:
    case WatchEventType::kModified:
    case WatchEventType::kDeleted:
      break;
  }
  try {
    Object decoded = object.Decode();
    event.name = MetaOf(decoded).id;
    event.resource_version = MetaOf(decoded).resource_version;
    event.object = std::move(decoded);
    events->push_back(std::move(event));
  } catch (const DecodeError& error) {
    std::optional<model::ObjectName> name = object.Name();
    failures->push_back({name, error.what()});
    if (type == WatchEventType::kDeleted && name) {
      event.name = std::move(name);
      event.resource_version = object.ResourceVersion();
      events->push_back(std::move(event));
    }
  }
}

}  // namespace sluice::k8s
