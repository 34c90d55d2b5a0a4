// The continue token of a paginated list, in the real server's format:
// base64url(JSON {"v":"meta.k8s.io/v1","rv":<snapshot RV>,"start":"<next key>\u0000"}),
// so a client sees the same opaque shape it would see from kube-apiserver.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::fake_apiserver {

struct ContinueToken {
  uint64_t resource_version = 0;  // the snapshot the first page was served from
  std::string start;              // the first storage key of the next page
};

// `last_key` is the last key of the page just served.
std::string EncodeContinueToken(uint64_t resource_version, std::string_view last_key);
// nullopt for a token this server could not have written.
std::optional<ContinueToken> DecodeContinueToken(std::string_view token);

}  // namespace sluice::fake_apiserver
