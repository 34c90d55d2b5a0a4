// The API server's JSON wire format: list bodies, single objects, Status bodies and
// watch stream lines. The public entry points are in wire_codec.h; this is their
// JSON half. Internal to the k8s codecs.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "k8s/wire_codec.h"

namespace sluice::k8s::json_wire {

DecodedList DecodeList(Kind kind, std::string_view body);
Object DecodeObject(Kind kind, std::string_view body);
std::optional<ApiStatus> DecodeStatus(std::string_view body);
// One line of a watch stream (without its newline). Throws StreamError when the line
// is not a WatchEvent at all.
void DecodeWatchEvent(Kind kind, std::string_view line, std::vector<WatchEvent>* events,
                      std::vector<ObjectFailure>* failures);

}  // namespace sluice::k8s::json_wire
