// The JSON wire format as kube-apiserver writes it: objects with kind and apiVersion
// first, list items without them (the server strips TypeMeta from items), and a
// watch stream of one {"type":...,"object":...} per line.
#include <string>

#include "fake_apiserver/wire_encoder.h"

namespace sluice::fake_apiserver {
namespace {

// kind, apiVersion and metadata first, then the rest: the order of the Go structs,
// which is what a person comparing against `kubectl get --raw` expects to read.
std::string DumpObject(const nlohmann::json& object, bool with_type_meta) {
  std::string out = "{";
  auto field = [&](const std::string& key, const nlohmann::json& value) {
    if (out.size() > 1) out += ',';
    out += nlohmann::json(key).dump();
    out += ':';
    out += value.dump();
  };
  if (with_type_meta) {
    for (const char* key : {"kind", "apiVersion"}) {
      if (auto it = object.find(key); it != object.end()) field(key, *it);
    }
  }
  if (auto it = object.find("metadata"); it != object.end()) field("metadata", *it);
  for (auto it = object.begin(); it != object.end(); ++it) {
    if (it.key() == "kind" || it.key() == "apiVersion" || it.key() == "metadata") continue;
    field(it.key(), it.value());
  }
  out += '}';
  return out;
}

// A metav1.Status in the Go struct's field order, byte-compatible with the real
// server's error bodies.
std::string DumpStatus(const nlohmann::json& status) {
  std::string out = "{";
  for (const char* key : {"kind", "apiVersion", "metadata", "status", "message", "reason", "details", "code"}) {
    auto it = status.find(key);
    if (it == status.end()) continue;
    if (out.size() > 1) out += ',';
    out += nlohmann::json(key).dump();
    out += ':';
    out += it->dump();
  }
  out += '}';
  return out;
}

std::string EventLine(std::string_view type, const std::string& object_json) {
  std::string line = "{\"type\":\"";
  line += type;
  line += "\",\"object\":";
  line += object_json;
  line += "}\n";
  return line;
}

class JsonEncoder final : public WireEncoder {
 public:
  const char* content_type() const override { return "application/json"; }
  const char* watch_content_type() const override { return "application/json"; }

  std::string List(Resource resource, const ListMeta& meta,
                   const std::vector<ObjectPtr>& items) const override {
    std::string out = "{\"kind\":\"";
    out += ListKindOf(resource);
    out += "\",\"apiVersion\":\"";
    out += ApiVersionOf(resource);
    // ListMeta in the Go struct's order.
    out += "\",\"metadata\":{\"resourceVersion\":";
    out += nlohmann::json(meta.resource_version).dump();
    if (!meta.continue_token.empty()) {
      out += ",\"continue\":";
      out += nlohmann::json(meta.continue_token).dump();
    }
    if (meta.remaining_item_count) {
      out += ",\"remainingItemCount\":";
      out += std::to_string(*meta.remaining_item_count);
    }
    out += "},\"items\":[";
    for (size_t i = 0; i < items.size(); ++i) {
      if (i > 0) out += ',';
      const StoredObject& item = *items[i];
      out += item.Encoded(Encoding::kJsonListItem, [&] { return DumpObject(item.json(), false); });
    }
    out += "]}\n";
    return out;
  }

  std::string Object(const StoredObject& object) const override {
    return ObjectJson(object) + "\n";
  }

  std::string Status(const nlohmann::json& status) const override {
    return DumpStatus(status) + "\n";
  }

  std::string WatchEvent(std::string_view type, const StoredObject& object) const override {
    return EventLine(type, ObjectJson(object));
  }

  std::string WatchError(const nlohmann::json& status) const override {
    return EventLine("ERROR", DumpStatus(status));
  }

 private:
  static const std::string& ObjectJson(const StoredObject& object) {
    return object.Encoded(Encoding::kJsonObject, [&] { return DumpObject(object.json(), true); });
  }
};

}  // namespace

std::unique_ptr<WireEncoder> MakeJsonEncoder() { return std::make_unique<JsonEncoder>(); }

}  // namespace sluice::fake_apiserver
