// What a watch event means, whatever its wire format: the JSON and protobuf stream
// decoders find an event's type and object, and this turns them into a WatchEvent or
// an ObjectFailure the same way for both. Internal to the k8s codecs.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "k8s/wire_codec.h"

namespace sluice::k8s {

// "ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR"; nullopt for anything else.
std::optional<WatchEventType> ParseWatchEventType(std::string_view text);

// One event's object, as a wire format reads it.
class EventObject {
 public:
  virtual ~EventObject() = default;
  // The object of the watched kind; throws DecodeError naming the field.
  virtual Object Decode() const = 0;
  // Best effort, never throwing: what a broken object or a bookmark still says.
  virtual std::optional<model::ObjectName> Name() const = 0;
  virtual std::string ResourceVersion() const = 0;  // "" when unreadable
  virtual std::optional<ApiStatus> Status() const = 0;
};

// Appends the event to `events` and/or a failure to `failures`, as
// WatchStreamDecoder::Feed documents: a DELETED event whose object is broken but
// named still reaches `events`, so the deletion is not lost.
void AppendWatchEvent(WatchEventType type, const EventObject& object, std::vector<WatchEvent>* events,
                      std::vector<ObjectFailure>* failures);

}  // namespace sluice::k8s
