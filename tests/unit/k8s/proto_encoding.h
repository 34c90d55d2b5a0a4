// Test inputs in the Kubernetes protobuf wire format, built from messages rather than
// bytes: a body ("k8s\0" + runtime.Unknown) and a watch frame (length + WatchEvent).
#pragma once

#include <google/protobuf/message_lite.h>

#include <string>
#include <string_view>

namespace sluice::k8s::testing {

std::string ProtoBody(std::string_view api_version, std::string_view kind,
                      const google::protobuf::MessageLite& message);
// A frame around a WatchEvent whose object is `object_body` (a ProtoBody).
std::string ProtoFrame(std::string_view type, std::string_view object_body);
// The same event as a JSON watch line, newline included.
std::string JsonLine(std::string_view type, std::string_view object_json);

}  // namespace sluice::k8s::testing
