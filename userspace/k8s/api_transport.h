// How the reflector talks to the API server, as an interface: production uses
// libcurl over HTTPS with the cluster's credentials (CurlTransport), reflector tests
// a scripted fake. Only GET is needed: sluice lists and watches, nothing else.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace sluice::k8s {

// The connection failed (refused, reset, TLS, timeout) before or while a response
// was read: retried with backoff, never fatal.
class TransportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ApiResponse {
  long status = 0;           // HTTP status
  std::string content_type;  // the Content-Type header
  std::string body;
  std::string retry_after;   // the Retry-After header, if any (429/503)
};

// How a streamed response ended.
enum class StreamEnd {
  kClosed,     // the server ended the response (a watch's timeoutSeconds, or the end of a body)
  kAborted,    // on_data returned false, or Cancel() was called
  kIdle,       // nothing arrived for the idle timeout: a stalled stream
  kBroken,     // the connection failed mid-stream (reset, TLS error)
};

class ApiTransport {
 public:
  virtual ~ApiTransport() = default;

  // A complete GET (a LIST page, a Status). `path_and_query` starts with "/".
  // Throws TransportError when no HTTP response was received.
  virtual ApiResponse Get(const std::string& path_and_query, const std::string& accept) = 0;

  // A streamed GET (a WATCH): on_headers once with the status, the content type and
  // the Retry-After header ("" if none; a 429 or 503 may carry one), then on_data for
  // every chunk of the body as it arrives (return false to stop). Returns when the
  // stream ends; a stream that sees no byte for `idle_timeout_ms` ends kIdle.
  // Throws TransportError when no HTTP response was received at all.
  using HeadersCallback =
      std::function<void(long status, std::string_view content_type, std::string_view retry_after)>;
  virtual StreamEnd Stream(const std::string& path_and_query, const std::string& accept,
                           long idle_timeout_ms, const HeadersCallback& on_headers,
                           const std::function<bool(std::string_view chunk)>& on_data) = 0;

  // Ends every request in flight (shutdown): Stream returns kAborted, Get throws.
  virtual void Cancel() = 0;
};

}  // namespace sluice::k8s
