#include "fake_apiserver/continue_token.h"

#include <nlohmann/json.hpp>

#include "fake_apiserver/base64.h"

namespace sluice::fake_apiserver {

std::string EncodeContinueToken(uint64_t resource_version, std::string_view last_key) {
  // The key just after `last_key` in byte order: the same key with a NUL appended.
  std::string start(last_key);
  start.push_back('\0');
  nlohmann::json token = {{"v", "meta.k8s.io/v1"}, {"rv", resource_version}, {"start", start}};
  // Key order as the real server writes it (v, rv, start) rather than sorted.
  std::string text = "{\"v\":" + token["v"].dump() + ",\"rv\":" + token["rv"].dump() +
                     ",\"start\":" + token["start"].dump() + "}";
  return Base64Encode(text, Base64Alphabet::kUrlUnpadded);
}

std::optional<ContinueToken> DecodeContinueToken(std::string_view token) {
  auto text = Base64Decode(token);
  if (!text) return std::nullopt;
  auto json = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object() || json.value("v", "") != "meta.k8s.io/v1") return std::nullopt;
  auto rv = json.find("rv");
  auto start = json.find("start");
  if (rv == json.end() || !rv->is_number_unsigned() || start == json.end() ||
      !start->is_string()) {
    return std::nullopt;
  }
  return ContinueToken{rv->get<uint64_t>(), start->get<std::string>()};
}

}  // namespace sluice::fake_apiserver
