// A JSON value together with the path that reached it ("spec.ports[1].protocol"), so
// every decoding error can name its field. Internal to the k8s decoders.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/ip_address.h"

namespace sluice::k8s {

class JsonField {
 public:
  // `value` must outlive the field and every field derived from it.
  JsonField(const nlohmann::json& value, std::string path);

  const nlohmann::json& value() const { return *value_; }
  const std::string& path() const { return path_; }

  // A member of this object. Absent and null are the same to the API server (Go's
  // omitempty and nil pointers), so both are nullopt. Throws unless this is an object.
  std::optional<JsonField> Find(std::string_view key) const;
  // Like Find(), but absent or null throws "<path>.<key>: required".
  JsonField Require(std::string_view key) const;

  // Typed reads; each throws "<path>: expected a string, got number" and the like.
  std::string AsString() const;
  bool AsBool() const;
  int64_t AsInteger(int64_t min, int64_t max) const;  // out of range throws too
  uint16_t AsPort() const;                            // 0..65535; 0 is validation's call
  IpAddress AsIp() const;                             // canonical text forms only
  std::vector<JsonField> Elements() const;            // of an array

  // Optional members with the API's default when absent or null.
  std::string StringOr(std::string_view key, std::string_view fallback) const;
  std::optional<bool> OptionalBool(std::string_view key) const;

  [[noreturn]] void Fail(std::string_view what) const;

 private:
  void Expect(bool ok, std::string_view expected) const;

  const nlohmann::json* value_;
  std::string path_;
};

}  // namespace sluice::k8s
