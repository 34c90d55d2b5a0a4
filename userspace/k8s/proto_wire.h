// The API server's Kubernetes protobuf wire format: a body is the magic "k8s\0" and a
// runtime.Unknown {typeMeta, raw, contentEncoding, contentType} whose raw bytes are the
// object or list; a watch stream is a sequence of 4-byte big-endian length-prefixed
// metav1.WatchEvent frames whose object bytes are again "k8s\0" + Unknown. The public
// entry points are in wire_codec.h; this is their protobuf half. Internal to the k8s
// codecs.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "k8s/wire_codec.h"

namespace sluice::k8s::proto_wire {

inline constexpr std::string_view kMagic{"k8s\0", 4};

// The runtime.Unknown envelope, opened. Throws DecodeError unless `body` is one.
struct Envelope {
  std::string api_version;
  std::string kind;
  std::string raw;
};
Envelope OpenEnvelope(std::string_view body);

DecodedList DecodeList(Kind kind, std::string_view body);
Object DecodeObject(Kind kind, std::string_view body);
std::optional<ApiStatus> DecodeStatus(std::string_view body);
// One frame of a watch stream, without its length prefix. Throws StreamError when the
// frame is not a WatchEvent at all.
void DecodeWatchEvent(Kind kind, std::string_view frame, std::vector<WatchEvent>* events,
                      std::vector<ObjectFailure>* failures);

}  // namespace sluice::k8s::proto_wire
