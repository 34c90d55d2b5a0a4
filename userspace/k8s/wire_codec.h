// The API server's wire formats for what sluice reads: list bodies, single objects,
// Status errors and watch streams, in JSON or in Kubernetes protobuf (the "k8s\0"
// envelope around runtime.Unknown, and 4-byte big-endian length-prefixed WatchEvent
// frames). Bad input never throws past these functions except where documented: a
// malformed item is a failure entry and the rest is returned.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "model/objects.h"

namespace sluice::k8s {

enum class ContentType { kJson, kProtobuf };
// The Accept header a client sends for it: "application/json" or
// "application/vnd.kubernetes.protobuf".
const char* AcceptHeader(ContentType type);
// Which format a Content-Type response header names (parameters such as
// ";stream=watch" ignored); nullopt for anything else.
std::optional<ContentType> ParseContentType(std::string_view header);

enum class Kind { kService, kEndpointSlice, kNode };
const char* KindName(Kind kind);  // "Service", ...
using Object = std::variant<model::Service, model::EndpointSlice, model::Node>;
const model::ObjectMeta& MetaOf(const Object& object);

// An object that could not be decoded: skipped and counted by the caller.
struct ObjectFailure {
  std::optional<model::ObjectName> name;  // when the metadata was readable
  std::string reason;                     // names the field
};

// metav1.Status: what error responses and watch ERROR events carry.
struct ApiStatus {
  int code = 0;         // HTTP-like: 410 for Expired/Gone
  std::string reason;   // "Expired", "Gone", "TooManyRequests", ...
  std::string message;
};

struct DecodedList {
  std::vector<Object> items;
  std::vector<ObjectFailure> failures;
  std::string resource_version;  // ListMeta.resourceVersion
  std::string continue_token;    // ListMeta.continue ("" on the last page)
  std::optional<int64_t> remaining_item_count;
};

// A thrown DecodeError (k8s/decode_error.h) means the body as a whole is unusable
// (not a list of `kind`, a broken envelope): the caller treats it like a failed
// request. Items that fail alone are in `failures`.
DecodedList DecodeList(Kind kind, ContentType type, std::string_view body);
Object DecodeObject(Kind kind, ContentType type, std::string_view body);
// A Status body, or nullopt if the body is not one.
std::optional<ApiStatus> DecodeStatus(ContentType type, std::string_view body);

enum class WatchEventType { kAdded, kModified, kDeleted, kBookmark, kError };

struct WatchEvent {
  WatchEventType type = WatchEventType::kAdded;
  std::optional<Object> object;       // ADDED/MODIFIED/DELETED when it decoded
  std::optional<model::ObjectName> name;  // whenever the metadata was readable
  std::string resource_version;       // the object's (or the bookmark's) metadata.resourceVersion
  std::optional<ApiStatus> status;    // ERROR
};

// Thrown by WatchStreamDecoder::Feed when the stream cannot be resynchronized
// (a frame length beyond the limit, bytes that are not a frame): the caller drops
// the connection and watches again.
class StreamError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Splits a watch stream into events, whatever the chunking: JSON is one WatchEvent
// object per line; protobuf is a sequence of frames, each a 4-byte big-endian length
// followed by a WatchEvent message whose object is "k8s\0" + runtime.Unknown.
class WatchStreamDecoder {
 public:
  WatchStreamDecoder(Kind kind, ContentType type, size_t max_frame_bytes = 64u << 20);
  // Appends `bytes`; every complete event goes to `events`. An event whose object is
  // malformed goes to `failures` (with its name when readable) and, if it is a
  // DELETED event with a readable name, to `events` as well (object empty), so the
  // deletion is not lost.
  void Feed(std::string_view bytes, std::vector<WatchEvent>* events,
            std::vector<ObjectFailure>* failures);
  size_t buffered() const { return buffer_.size(); }

 private:
  // Each decodes the complete events at the front of buffer_ and returns how many
  // bytes they took.
  size_t DecodeJsonLines(std::vector<WatchEvent>* events, std::vector<ObjectFailure>* failures);
  size_t DecodeProtobufFrames(std::vector<WatchEvent>* events, std::vector<ObjectFailure>* failures);

  Kind kind_;
  ContentType type_;
  size_t max_frame_bytes_;
  std::string buffer_;
  size_t scanned_ = 0;  // JSON: bytes of buffer_ already known to hold no newline
};

}  // namespace sluice::k8s
