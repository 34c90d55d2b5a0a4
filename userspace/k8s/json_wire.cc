#include "k8s/json_wire.h"

#include <limits>
#include <nlohmann/json.hpp>
#include <string>

#include "k8s/decode_error.h"
#include "k8s/json_field.h"
#include "k8s/json_objects.h"
#include "k8s/watch_events.h"

namespace sluice::k8s::json_wire {

namespace {

using nlohmann::json;

bool IsNamespaced(Kind kind) { return kind != Kind::kNode; }

// Throws DecodeError for anything that is not JSON.
json Parse(std::string_view body) {
  try {
    return json::parse(body.begin(), body.end());
  } catch (const json::exception& error) {
    throw DecodeError(std::string("not JSON: ") + error.what());
  }
}

std::string StringMember(const json& object, const char* key) {
  if (!object.is_object()) return "";
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

// One object of `kind` from its JSON value; every problem is a DecodeError.
Object DecodeValue(Kind kind, const json& value) {
  try {
    switch (kind) {
      case Kind::kService:
        return ServiceFromJson(value);
      case Kind::kEndpointSlice:
        return EndpointSliceFromJson(value);
      case Kind::kNode:
        return NodeFromJson(value);
    }
  } catch (const json::exception& error) {
    // json_objects checks types before reading; this is the net under it.
    throw DecodeError(error.what());
  }
  throw DecodeError("unknown kind");
}

// The object's name if its metadata has one, whatever else is wrong with it.
std::optional<model::ObjectName> NameOf(const json& object, Kind kind) {
  const json* metadata = object.is_object() && object.contains("metadata") ? &object["metadata"] : nullptr;
  if (!metadata) return std::nullopt;
  std::string name = StringMember(*metadata, "name");
  if (name.empty()) return std::nullopt;
  std::string ns = IsNamespaced(kind) ? StringMember(*metadata, "namespace") : "";
  if (IsNamespaced(kind) && ns.empty()) ns = "default";
  return model::ObjectName{ns, name};
}

std::optional<ApiStatus> StatusOf(const json& object) {
  if (StringMember(object, "kind") != "Status") return std::nullopt;
  ApiStatus status;
  auto code = object.find("code");
  if (code != object.end() && code->is_number_integer()) {
    int64_t value = code->get<int64_t>();
    if (value >= 0 && value <= std::numeric_limits<int>::max()) status.code = static_cast<int>(value);
  }
  status.reason = StringMember(object, "reason");
  status.message = StringMember(object, "message");
  return status;
}

// A body that should have been a list or an object but is an error Status.
[[noreturn]] void FailWithStatus(const ApiStatus& status) {
  throw DecodeError("the body is a Status (" + std::to_string(status.code) + " " + status.reason +
                    "): " + status.message);
}

class JsonEventObject : public EventObject {
 public:
  JsonEventObject(Kind kind, const json& object) : kind_(kind), object_(object) {}

  Object Decode() const override {
    if (!object_.is_object()) throw DecodeError("object: expected an object, got " +
                                                std::string(object_.type_name()));
    return DecodeValue(kind_, object_);
  }
  std::optional<model::ObjectName> Name() const override { return NameOf(object_, kind_); }
  std::string ResourceVersion() const override {
    if (!object_.is_object() || !object_.contains("metadata")) return "";
    return StringMember(object_["metadata"], "resourceVersion");
  }
  std::optional<ApiStatus> Status() const override { return StatusOf(object_); }

 private:
  Kind kind_;
  const json& object_;
};

}  // namespace

DecodedList DecodeList(Kind kind, std::string_view body) {
  json parsed = Parse(body);
  JsonField list(parsed, "");
  if (!parsed.is_object()) list.Fail(std::string("expected an object, got ") + parsed.type_name());
  if (std::optional<ApiStatus> status = StatusOf(parsed)) FailWithStatus(*status);
  std::string expected_kind = std::string(KindName(kind)) + "List";
  if (std::optional<JsonField> field = list.Find("kind"); field && field->AsString() != expected_kind)
    field->Fail("expected \"" + expected_kind + "\", got \"" + field->AsString() + "\"");

  DecodedList decoded;
  if (std::optional<JsonField> metadata = list.Find("metadata")) {
    decoded.resource_version = metadata->StringOr("resourceVersion", "");
    decoded.continue_token = metadata->StringOr("continue", "");
    // Only an estimate (upstream says not to rely on it): an odd one is ignored.
    auto remaining = metadata->value().find("remainingItemCount");
    if (remaining != metadata->value().end() && remaining->is_number_unsigned() &&
        remaining->get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      decoded.remaining_item_count = remaining->get<int64_t>();
  }
  std::optional<JsonField> items = list.Find("items");
  if (!items) return decoded;
  std::vector<JsonField> elements = items->Elements();
  for (size_t i = 0; i < elements.size(); ++i) {
    const json& item = elements[i].value();
    try {
      decoded.items.push_back(DecodeValue(kind, item));
    } catch (const DecodeError& error) {
      std::optional<model::ObjectName> name = NameOf(item, kind);
      std::string where = name ? "" : elements[i].path() + ": ";
      decoded.failures.push_back({name, where + error.what()});
    }
  }
  return decoded;
}

Object DecodeObject(Kind kind, std::string_view body) {
  json parsed = Parse(body);
  if (std::optional<ApiStatus> status = StatusOf(parsed)) FailWithStatus(*status);
  return DecodeValue(kind, parsed);
}

std::optional<ApiStatus> DecodeStatus(std::string_view body) {
  json parsed = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return std::nullopt;
  return StatusOf(parsed);
}

void DecodeWatchEvent(Kind kind, std::string_view line, std::vector<WatchEvent>* events,
                      std::vector<ObjectFailure>* failures) {
  json parsed = json::parse(line.begin(), line.end(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object())
    throw StreamError("watch stream line is not a JSON object");
  std::string type_text = StringMember(parsed, "type");
  std::optional<WatchEventType> type = ParseWatchEventType(type_text);
  if (!type) throw StreamError("watch event of unknown type \"" + type_text + "\"");
  json absent;
  auto object = parsed.find("object");
  AppendWatchEvent(*type, JsonEventObject(kind, object != parsed.end() ? *object : absent), events,
                   failures);
}

}  // namespace sluice::k8s::json_wire
