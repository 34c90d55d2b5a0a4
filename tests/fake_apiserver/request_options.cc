#include "fake_apiserver/request_options.h"

#include <charconv>

namespace sluice::fake_apiserver {
namespace {

std::string Last(const QueryParams& params, const char* key) {
  auto range = params.equal_range(key);
  std::string value;
  for (auto it = range.first; it != range.second; ++it) value = it->second;
  return value;
}

std::optional<int64_t> Integer(const QueryParams& params, const char* key) {
  std::string text = Last(params, key);
  if (text.empty()) return std::nullopt;
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    throw BadRequest(std::string(key) + ": Invalid value: \"" + text + "\": not an integer");
  }
  return value;
}

bool Boolean(const QueryParams& params, const char* key) {
  std::string text = Last(params, key);
  if (text.empty() || text == "false" || text == "0") return false;
  if (text == "true" || text == "1") return true;
  throw BadRequest(std::string(key) + ": Invalid value: \"" + text + "\": not a boolean");
}

}  // namespace

uint64_t ParseResourceVersion(const std::string& text) {
  if (text.empty()) return 0;
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    throw BadRequest("resourceVersion: Invalid value: \"" + text + "\": must be a number");
  }
  return value;
}

RequestOptions ParseRequestOptions(const QueryParams& params) {
  RequestOptions o;
  o.watch = Boolean(params, "watch");
  o.limit = Integer(params, "limit");
  if (o.limit && *o.limit <= 0) o.limit.reset();  // the server treats limit<=0 as none
  o.continue_token = Last(params, "continue");
  o.resource_version = Last(params, "resourceVersion");
  o.resource_version_match = Last(params, "resourceVersionMatch");
  o.allow_bookmarks = Boolean(params, "allowWatchBookmarks");
  o.timeout_seconds = Integer(params, "timeoutSeconds");
  try {
    o.labels = LabelSelector::Parse(Last(params, "labelSelector"));
    o.fields = FieldSelector::Parse(Last(params, "fieldSelector"));
  } catch (const SelectorError& e) {
    throw BadRequest(e.what());
  }
  ParseResourceVersion(o.resource_version);  // validates

  // The API server's validation of list/watch options (apimachinery's
  // ValidateListOptions), with its messages.
  const std::string& match = o.resource_version_match;
  if (!match.empty()) {
    if (o.watch) throw BadRequest("resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch");
    if (o.resource_version.empty()) {
      throw BadRequest("resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided");
    }
    if (match != "Exact" && match != "NotOlderThan") {
      throw BadRequest("resourceVersionMatch: Unsupported value: \"" + match +
                       "\": supported values: \"Exact\", \"NotOlderThan\", \"\"");
    }
    if (match == "Exact" && o.resource_version == "0") {
      throw BadRequest("resourceVersionMatch: Forbidden: resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\"");
    }
  }
  if (!o.continue_token.empty() && !o.resource_version.empty() && o.resource_version != "0") {
    throw BadRequest("specifying resource version is not allowed when using continue");
  }
  return o;
}

}  // namespace sluice::fake_apiserver
