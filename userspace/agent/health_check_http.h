// The little HTTP/1.1 the health check server speaks: reading a request head from
// bytes that arrive in pieces, and the responses kube-proxy gives on a
// healthCheckNodePort. Pure functions, no sockets: the server feeds them.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "model/objects.h"

namespace sluice::agent {

// The longest request head (request line and headers) accepted; load balancer probes
// send a few hundred bytes. Longer heads are answered 431 and the connection closed.
inline constexpr size_t kMaxRequestHead = 8192;

struct HttpRequest {
  std::string method;      // any token: kube-proxy answers every method alike
  std::string target;      // any path: kube-proxy's handler serves "/" and everything below
  bool keep_alive = true;  // HTTP/1.1 unless "Connection: close"; 1.0 only if asked
  bool http10 = false;     // an HTTP/1.0 client needs keep-alive announced
  // The request carries a body (Content-Length > 0 or Transfer-Encoding). The server
  // does not read bodies: it answers, then closes, so a body is never taken for the
  // next request.
  bool has_body = false;
};

enum class ParseStatus {
  kIncomplete,  // no end of head yet: read more
  kComplete,    // `request` is filled and `consumed` bytes are used up
  kBad,         // malformed: answer 400 and close
  kTooLarge,    // no end of head within kMaxRequestHead: answer 431 and close
};

struct ParseResult {
  ParseStatus status = ParseStatus::kIncomplete;
  HttpRequest request;
  size_t consumed = 0;
  std::string error;  // why it is kBad, for the debug log
};

// Parses the request head at the start of `buffer`. Lines may end in CRLF or a bare
// LF, and empty lines before the request line are skipped (RFC 9112 section 2.2).
ParseResult ParseRequestHead(std::string_view buffer);

// kube-proxy's body, byte for byte (tab-indented, no trailing newline):
// {"service": {"namespace": "ns", "name": "svc"}, "localEndpoints": N,
//  "serviceProxyHealthy": true}
std::string HealthCheckBody(const model::ObjectName& service, int local_endpoints,
                            bool proxy_healthy);

// A complete response: status line, Content-Type, X-Content-Type-Options: nosniff,
// Date, Content-Length, a Connection header when needed; the body unless
// `head_only` (a HEAD request). `date` is an IMF-fixdate ("Mon, 02 Jan 2006 15:04:05
// GMT"); empty leaves the header out.
struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  bool close = false;
  bool announce_keep_alive = false;  // "Connection: keep-alive", for HTTP/1.0 clients
  bool head_only = false;
};
std::string FormatResponse(const HttpResponse& response, std::string_view date);

// The answer to a health check: 200 with local endpoints and a healthy proxy, 503
// otherwise, kube-proxy's body either way.
HttpResponse HealthCheckResponse(const HttpRequest& request, const model::ObjectName& service,
                                 int local_endpoints, bool proxy_healthy);

// 400 or 431 with a short text body, closing the connection (as Go's net/http does).
HttpResponse ErrorResponse(int status);

// The current time as an HTTP date (RFC 9110 section 5.6.7).
std::string HttpDateNow();

}  // namespace sluice::agent
