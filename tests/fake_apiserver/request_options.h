// The query parameters of a list, get or watch request, parsed and checked the way
// the API server checks them (a violation is a 400 BadRequest ApiError).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "fake_apiserver/api_error.h"
#include "fake_apiserver/selectors.h"

namespace sluice::fake_apiserver {

using QueryParams = std::multimap<std::string, std::string>;  // decoded, as httplib gives them

struct RequestOptions {
  bool watch = false;                   // watch=true or watch=1
  std::optional<int64_t> limit;         // > 0
  std::string continue_token;
  std::string resource_version;         // "" (most recent), "0" (any), or a number
  std::string resource_version_match;   // "", "Exact" or "NotOlderThan"
  LabelSelector labels;
  FieldSelector fields;
  bool allow_bookmarks = false;
  std::optional<int64_t> timeout_seconds;
};

// Throws ApiError (400) for malformed or contradictory parameters.
RequestOptions ParseRequestOptions(const QueryParams& params);

// resource_version as a number; 0 for "" and "0". Throws ApiError (400) otherwise.
uint64_t ParseResourceVersion(const std::string& text);

}  // namespace sluice::fake_apiserver
