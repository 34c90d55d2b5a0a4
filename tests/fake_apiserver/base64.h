// Base64 for continue tokens (URL alphabet, unpadded, as the API server writes
// them) and kubeconfig data fields (standard alphabet, padded).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sluice::fake_apiserver {

enum class Base64Alphabet { kStandard, kUrlUnpadded };

std::string Base64Encode(std::string_view bytes, Base64Alphabet alphabet);
// Accepts either alphabet, padded or not; nullopt for anything else.
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace sluice::fake_apiserver
