// The Kubernetes protobuf wire format: a body is the magic "k8s\0" followed by a
// runtime.Unknown {typeMeta{apiVersion, kind}, raw = the message, contentEncoding "",
// contentType ""}; a watch stream is a sequence of frames, each a 4-byte big-endian
// length and a metav1.WatchEvent {type, object{raw = "k8s\0" + Unknown}}.
#include <memory>
#include <stdexcept>
#include <string>

#include "fake_apiserver/protobuf_objects.h"
#include "fake_apiserver/wire_encoder.h"
#include "k8s/proto/core_v1.pb.h"
#include "k8s/proto/discovery_v1.pb.h"
#include "k8s/proto/meta_v1.pb.h"
#include "k8s/proto/runtime.pb.h"

namespace sluice::fake_apiserver {
namespace {

namespace core = k8s::io::api::core::v1;
namespace discovery = k8s::io::api::discovery::v1;
namespace meta = k8s::io::apimachinery::pkg::apis::meta::v1;
namespace runtime = k8s::io::apimachinery::pkg::runtime;

constexpr char kMagic[] = {'k', '8', 's', '\0'};

std::unique_ptr<google::protobuf::Message> NewMessage(Resource resource) {
  switch (resource) {
    case Resource::kServices: return std::make_unique<core::Service>();
    case Resource::kEndpointSlices: return std::make_unique<discovery::EndpointSlice>();
    case Resource::kNodes: return std::make_unique<core::Node>();
  }
  throw std::logic_error("unknown resource");
}

std::string Envelope(const char* api_version, const char* kind, std::string raw) {
  runtime::Unknown unknown;
  unknown.mutable_typemeta()->set_apiversion(api_version);
  unknown.mutable_typemeta()->set_kind(kind);
  unknown.set_raw(std::move(raw));
  unknown.set_contentencoding("");
  unknown.set_contenttype("");
  return std::string(kMagic, sizeof kMagic) + unknown.SerializeAsString();
}

void AppendVarint(std::string* out, uint64_t value) {
  while (value >= 0x80) {
    out->push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

// A length-delimited field: how a list's items are appended without re-encoding
// each item's cached bytes.
void AppendBytesField(std::string* out, int number, const std::string& bytes) {
  AppendVarint(out, static_cast<uint64_t>(number) << 3 | 2);
  AppendVarint(out, bytes.size());
  out->append(bytes);
}

const std::string& RawMessage(const StoredObject& object) {
  return object.Encoded(Encoding::kProtobufRaw, [&] {
    auto message = NewMessage(object.resource());
    JsonToProto(object.json(), message.get());
    return SerializeDeterministic(*message);
  });
}

std::string Frame(const std::string& type, std::string object_bytes) {
  meta::WatchEvent event;
  event.set_type(type);
  event.mutable_object()->set_raw(std::move(object_bytes));
  std::string body = event.SerializeAsString();
  uint32_t n = static_cast<uint32_t>(body.size());
  std::string frame = {static_cast<char>(n >> 24), static_cast<char>(n >> 16),
                       static_cast<char>(n >> 8), static_cast<char>(n)};
  return frame + body;
}

std::string StatusMessage(const nlohmann::json& status) {
  meta::Status message;
  JsonToProto(status, &message);
  return SerializeDeterministic(message);
}

class ProtobufEncoder final : public WireEncoder {
 public:
  const char* content_type() const override { return "application/vnd.kubernetes.protobuf"; }
  const char* watch_content_type() const override {
    return "application/vnd.kubernetes.protobuf;stream=watch";
  }

  std::string List(Resource resource, const ListMeta& list_meta,
                   const std::vector<ObjectPtr>& items) const override {
    meta::ListMeta m;
    m.set_resourceversion(list_meta.resource_version);
    m.set_continue_(list_meta.continue_token);
    if (list_meta.remaining_item_count) m.set_remainingitemcount(*list_meta.remaining_item_count);
    // Every <Kind>List is {metadata = 1, items = 2}.
    std::string raw;
    AppendBytesField(&raw, 1, m.SerializeAsString());
    for (const ObjectPtr& item : items) AppendBytesField(&raw, 2, RawMessage(*item));
    return Envelope(ApiVersionOf(resource), ListKindOf(resource), std::move(raw));
  }

  std::string Object(const StoredObject& object) const override {
    return Envelope(ApiVersionOf(object.resource()), KindOf(object.resource()),
                    RawMessage(object));
  }

  std::string Status(const nlohmann::json& status) const override {
    return Envelope("v1", "Status", StatusMessage(status));
  }

  std::string WatchEvent(std::string_view type, const StoredObject& object) const override {
    return Frame(std::string(type), Object(object));
  }

  std::string WatchError(const nlohmann::json& status) const override {
    return Frame("ERROR", Status(status));
  }
};

}  // namespace

std::unique_ptr<WireEncoder> MakeProtobufEncoder() { return std::make_unique<ProtobufEncoder>(); }

}  // namespace sluice::fake_apiserver
