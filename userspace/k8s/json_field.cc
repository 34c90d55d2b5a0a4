#include "k8s/json_field.h"

#include <limits>

#include "k8s/decode_error.h"

namespace sluice::k8s {

JsonField::JsonField(const nlohmann::json& value, std::string path)
    : value_(&value), path_(std::move(path)) {}

void JsonField::Fail(std::string_view what) const {
  std::string message = path_.empty() ? std::string(what) : path_ + ": " + std::string(what);
  throw DecodeError(message);
}

void JsonField::Expect(bool ok, std::string_view expected) const {
  if (!ok) Fail("expected " + std::string(expected) + ", got " + value_->type_name());
}

std::optional<JsonField> JsonField::Find(std::string_view key) const {
  Expect(value_->is_object(), "an object");
  auto it = value_->find(key);
  if (it == value_->end() || it->is_null()) return std::nullopt;
  std::string child = path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  return JsonField(*it, std::move(child));
}

JsonField JsonField::Require(std::string_view key) const {
  std::optional<JsonField> field = Find(key);
  if (!field) {
    std::string child = path_.empty() ? std::string(key) : path_ + "." + std::string(key);
    throw DecodeError(child + ": required");
  }
  return *field;
}

std::string JsonField::AsString() const {
  Expect(value_->is_string(), "a string");
  return value_->get<std::string>();
}

bool JsonField::AsBool() const {
  Expect(value_->is_boolean(), "a boolean");
  return value_->get<bool>();
}

int64_t JsonField::AsInteger(int64_t min, int64_t max) const {
  // Go's decoder refuses 80.5 and 80.0 alike for an integer field; so does this.
  Expect(value_->is_number_integer(), "an integer");
  if (value_->is_number_unsigned() &&
      value_->get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
    Fail(value_->dump() + " is out of range");
  int64_t number = value_->get<int64_t>();
  if (number < min || number > max)
    Fail(std::to_string(number) + " is out of range " + std::to_string(min) + ".." +
         std::to_string(max));
  return number;
}

uint16_t JsonField::AsPort() const { return static_cast<uint16_t>(AsInteger(0, 65535)); }

IpAddress JsonField::AsIp() const {
  std::string text = AsString();
  std::optional<IpAddress> ip = IpAddress::Parse(text);
  if (!ip) Fail("invalid IP address \"" + text + "\"");
  return *ip;
}

std::vector<JsonField> JsonField::Elements() const {
  Expect(value_->is_array(), "an array");
  std::vector<JsonField> elements;
  elements.reserve(value_->size());
  for (size_t i = 0; i < value_->size(); ++i)
    elements.emplace_back((*value_)[i], path_ + "[" + std::to_string(i) + "]");
  return elements;
}

std::string JsonField::StringOr(std::string_view key, std::string_view fallback) const {
  std::optional<JsonField> field = Find(key);
  return field ? field->AsString() : std::string(fallback);
}

std::optional<bool> JsonField::OptionalBool(std::string_view key) const {
  std::optional<JsonField> field = Find(key);
  if (!field) return std::nullopt;
  return field->AsBool();
}

}  // namespace sluice::k8s
