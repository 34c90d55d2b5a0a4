// Standard base64 (RFC 4648 §4, padded), as kubeconfig's *-data fields carry it.
// Decoding goes through OpenSSL rather than a hand-written table.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sluice::k8s {

// The decoded bytes, or nullopt when `text` is not base64. Line breaks and other
// whitespace are skipped (a folded YAML scalar may contain them).
std::optional<std::string> DecodeBase64(std::string_view text);

}  // namespace sluice::k8s
