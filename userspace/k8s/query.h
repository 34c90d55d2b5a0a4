// Building API request paths: "/api/v1/services?limit=500&labelSelector=%21a".
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::k8s {

// Percent-encodes everything but RFC 3986's unreserved characters.
std::string UrlEncode(std::string_view text);

// `path` + "?" + k=v&... for the non-empty values, in the given order.
std::string WithQuery(std::string_view path,
                      const std::vector<std::pair<std::string, std::string>>& params);

}  // namespace sluice::k8s
