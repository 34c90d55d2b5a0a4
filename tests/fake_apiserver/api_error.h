// Errors as the API server reports them: an HTTP status and a metav1.Status body
// with the reason and message a client-go user would see.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fake_apiserver/resource.h"

namespace sluice::fake_apiserver {

struct ApiError {
  int code = 500;
  std::string reason;   // "Expired", "TooManyRequests", ...
  std::string message;
  nlohmann::json details;               // null when the Status carries none
  std::optional<int> retry_after_seconds;  // also sent as the Retry-After header

  // The metav1.Status object, e.g.
  // {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
  //  "message":"...","reason":"Expired","code":410}
  nlohmann::json StatusObject() const;
};

// The reason and a generic message the real server uses for `code`
// (429 TooManyRequests, 500 InternalError, 503 ServiceUnavailable, 410 Expired, ...).
ApiError ErrorForCode(int code, std::optional<int> retry_after_seconds = std::nullopt);

ApiError BadRequest(std::string message);
ApiError Unauthorized();
ApiError NotAcceptable();
// A path the fake does not serve.
ApiError PathNotFound();
// GET of a named object that does not exist: `nodes "x" not found`.
ApiError ObjectNotFound(Resource resource, std::string_view name);
// 410 for a list at a compacted RV with resourceVersionMatch=Exact.
ApiError ListExpired();
// 410 for a continue token from before the compaction.
ApiError ContinueExpired();
// The in-stream ERROR event's Status for a watch from a compacted RV.
ApiError WatchExpired();
// 504 for an RV newer than the server's (after the real server's wait).
ApiError TooLargeResourceVersion(uint64_t asked, uint64_t current);

}  // namespace sluice::fake_apiserver
