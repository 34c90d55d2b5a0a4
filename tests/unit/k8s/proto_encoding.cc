#include "proto_encoding.h"

#include "k8s/proto/meta_v1.pb.h"
#include "k8s/proto/runtime.pb.h"

namespace sluice::k8s::testing {

std::string ProtoBody(std::string_view api_version, std::string_view kind,
                      const google::protobuf::MessageLite& message) {
  ::k8s::io::apimachinery::pkg::runtime::Unknown unknown;
  unknown.mutable_typemeta()->set_apiversion(std::string(api_version));
  unknown.mutable_typemeta()->set_kind(std::string(kind));
  unknown.set_raw(message.SerializeAsString());
  unknown.set_contentencoding("");
  unknown.set_contenttype("");
  return std::string("k8s\0", 4) + unknown.SerializeAsString();
}

std::string ProtoFrame(std::string_view type, std::string_view object_body) {
  ::k8s::io::apimachinery::pkg::apis::meta::v1::WatchEvent event;
  event.set_type(std::string(type));
  event.mutable_object()->set_raw(std::string(object_body));
  std::string payload = event.SerializeAsString();
  uint32_t length = static_cast<uint32_t>(payload.size());
  std::string frame;
  for (int shift = 24; shift >= 0; shift -= 8) frame.push_back(static_cast<char>(length >> shift));
  return frame + payload;
}

std::string JsonLine(std::string_view type, std::string_view object_json) {
  return "{\"type\":\"" + std::string(type) + "\",\"object\":" + std::string(object_json) + "}\n";
}

}  // namespace sluice::k8s::testing
