#include "fake_apiserver/api_error.h"

namespace sluice::fake_apiserver {

nlohmann::json ApiError::StatusObject() const {
  nlohmann::json status = {{"kind", "Status"},
                           {"apiVersion", "v1"},
                           {"metadata", nlohmann::json::object()},
                           {"status", "Failure"},
                           {"message", message},
                           {"reason", reason},
                           {"code", code}};
  if (!details.is_null()) status["details"] = details;
  return status;
}

ApiError ErrorForCode(int code, std::optional<int> retry_after_seconds) {
  ApiError e;
  e.code = code;
  switch (code) {
    case 400: e.reason = "BadRequest"; e.message = "the server rejected our request for an unknown reason"; break;
    case 401: e.reason = "Unauthorized"; e.message = "Unauthorized"; break;
    case 403: e.reason = "Forbidden"; e.message = "forbidden"; break;
    case 404: e.reason = "NotFound"; e.message = "the server could not find the requested resource"; break;
    case 409: e.reason = "Conflict"; e.message = "the object has been modified"; break;
    case 410: e.reason = "Expired"; e.message = "The resourceVersion for the provided list is too old."; break;
    case 429: e.reason = "TooManyRequests"; e.message = "Too many requests, please try again later."; break;
    case 500:
      e.reason = "InternalError";
      e.message = "Internal error occurred: injected by the fake API server";
      e.details = {{"causes", {{{"message", "injected by the fake API server"}}}}};
      break;
    case 503: e.reason = "ServiceUnavailable"; e.message = "the server is currently unable to handle the request"; break;
    case 504: e.reason = "Timeout"; e.message = "the server was unable to return a response in the time allotted"; break;
    default: e.reason = "Unknown"; e.message = "injected failure"; break;
  }
  if (retry_after_seconds) {
    e.retry_after_seconds = retry_after_seconds;
    if (e.details.is_null()) e.details = nlohmann::json::object();
    e.details["retryAfterSeconds"] = *retry_after_seconds;
  }
  return e;
}

ApiError BadRequest(std::string message) {
  ApiError e = ErrorForCode(400);
  e.message = std::move(message);
  return e;
}

ApiError Unauthorized() { return ErrorForCode(401); }

ApiError NotAcceptable() {
  ApiError e = ErrorForCode(406);
  e.reason = "NotAcceptable";
  e.message = "only the following media types are accepted: application/json, "
              "application/vnd.kubernetes.protobuf";
  return e;
}

ApiError PathNotFound() {
  ApiError e = ErrorForCode(404);
  e.details = nlohmann::json::object();
  return e;
}

ApiError ObjectNotFound(Resource resource, std::string_view name) {
  ApiError e = ErrorForCode(404);
  e.message = std::string(ResourceName(resource)) + " \"" + std::string(name) + "\" not found";
  e.details = {{"name", name}, {"kind", ResourceName(resource)}};
  if (resource == Resource::kEndpointSlices) e.details["group"] = "discovery.k8s.io";
  return e;
}

ApiError ListExpired() { return ErrorForCode(410); }

ApiError ContinueExpired() {
  ApiError e = ErrorForCode(410);
  e.message =
      "The provided continue parameter is too old to display a consistent list result. You can "
      "start a new list without the continue parameter.";
  return e;
}

ApiError WatchExpired() {
  ApiError e = ErrorForCode(410);
  e.message = "The resourceVersion for the provided watch is too old.";
  return e;
}

ApiError TooLargeResourceVersion(uint64_t asked, uint64_t current) {
  ApiError e = ErrorForCode(504);
  e.message = "Too large resource version: " + std::to_string(asked) +
              ", current: " + std::to_string(current);
  e.details = {{"causes", {{{"reason", "ResourceVersionTooLarge"},
                            {"message", "Too large resource version"}}}},
               {"retryAfterSeconds", 1}};
  return e;
}

}  // namespace sluice::fake_apiserver
