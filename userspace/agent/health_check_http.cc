#include "agent/health_check_http.h"

#include <time.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <optional>
#include <vector>

namespace sluice::agent {

namespace {

// RFC 9110 section 5.6.2: the characters of a token (methods, header names).
bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return c != '\0' && std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool IsToken(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text)
    if (!IsTokenChar(c)) return false;
  return true;
}

bool IsVisible(char c) { return static_cast<unsigned char>(c) > 0x20 && c != 0x7f; }

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (Lower(a[i]) != Lower(b[i])) return false;
  return true;
}

std::string_view TrimSpace(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// Calls `fn` with each comma-separated element of a header value, trimmed.
template <typename Fn>
void ForEachListElement(std::string_view value, Fn fn) {
  while (!value.empty()) {
    size_t comma = value.find(',');
    fn(TrimSpace(value.substr(0, comma)));
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
}

ParseResult Bad(std::string error) {
  ParseResult result;
  result.status = ParseStatus::kBad;
  result.error = std::move(error);
  return result;
}

// Splits the head into lines up to the empty line that ends it. nullopt: no end yet.
struct HeadLines {
  std::vector<std::string_view> lines;
  size_t consumed = 0;
};
std::optional<HeadLines> SplitHead(std::string_view buffer, bool* too_large) {
  HeadLines head;
  size_t pos = 0;
  bool seen_request_line = false;
  while (true) {
    size_t newline = buffer.find('\n', pos);
    if (newline == std::string_view::npos || newline >= kMaxRequestHead) {
      *too_large = newline != std::string_view::npos || buffer.size() >= kMaxRequestHead;
      return std::nullopt;
    }
    std::string_view line = buffer.substr(pos, newline - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = newline + 1;
    if (line.empty()) {
      if (!seen_request_line) continue;  // stray CRLFs between requests are allowed
      head.consumed = pos;
      return head;
    }
    seen_request_line = true;
    head.lines.push_back(line);
  }
}

}  // namespace

ParseResult ParseRequestHead(std::string_view buffer) {
  bool too_large = false;
  std::optional<HeadLines> head = SplitHead(buffer, &too_large);
  if (!head) {
    ParseResult result;
    result.status = too_large ? ParseStatus::kTooLarge : ParseStatus::kIncomplete;
    return result;
  }

  // Request line: method SP target SP HTTP/1.x, single spaces (RFC 9112 section 3).
  std::string_view line = head->lines.front();
  size_t first = line.find(' ');
  size_t second = first == std::string_view::npos ? first : line.find(' ', first + 1);
  if (second == std::string_view::npos) return Bad("request line is not METHOD TARGET VERSION");
  std::string_view method = line.substr(0, first);
  std::string_view target = line.substr(first + 1, second - first - 1);
  std::string_view version = line.substr(second + 1);
  if (!IsToken(method)) return Bad("bad method");
  if (target.empty()) return Bad("empty request target");
  for (char c : target)
    if (!IsVisible(c)) return Bad("bad character in request target");
  if (version.size() != 8 || version.substr(0, 7) != "HTTP/1." || version[7] < '0' ||
      version[7] > '9')
    return Bad("unsupported protocol version");
  bool http10 = version[7] == '0';

  ParseResult result;
  result.request.method = std::string(method);
  result.request.target = std::string(target);
  bool close = false;
  bool keep_alive = false;
  for (size_t i = 1; i < head->lines.size(); ++i) {
    std::string_view header = head->lines[i];
    if (header.front() == ' ' || header.front() == '\t') return Bad("obsolete line folding");
    size_t colon = header.find(':');
    if (colon == std::string_view::npos) return Bad("header line without a colon");
    std::string_view name = header.substr(0, colon);
    std::string_view value = TrimSpace(header.substr(colon + 1));
    if (!IsToken(name)) return Bad("bad header name");
    for (char c : value)
      if (c != '\t' && (static_cast<unsigned char>(c) < 0x20 || c == 0x7f))
        return Bad("control character in header value");
    if (EqualsIgnoreCase(name, "Connection")) {
      ForEachListElement(value, [&](std::string_view option) {
        close = close || EqualsIgnoreCase(option, "close");
        keep_alive = keep_alive || EqualsIgnoreCase(option, "keep-alive");
      });
    } else if (EqualsIgnoreCase(name, "Content-Length")) {
      uint64_t length = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), length);
      if (value.empty() || ec != std::errc() || end != value.data() + value.size())
        return Bad("bad Content-Length");
      result.request.has_body = result.request.has_body || length > 0;
    } else if (EqualsIgnoreCase(name, "Transfer-Encoding")) {
      result.request.has_body = true;
    }
  }
  result.request.keep_alive = !close && (!http10 || keep_alive);
  result.request.http10 = http10;
  result.status = ParseStatus::kComplete;
  result.consumed = head->consumed;
  return result;
}

namespace {

// JSON string contents; Kubernetes names need none of this, but the bytes come from
// objects sluice does not control.
std::string JsonEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          snprintf(escaped, sizeof(escaped), "\\u%04x", static_cast<unsigned>(c));
          out += escaped;
        } else {
          out += c;
        }
    }
  }
  return out;
}

const char* StatusText(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 431:
      return "Request Header Fields Too Large";
    case 503:
      return "Service Unavailable";
    default:
      return "Unknown";
  }
}

}  // namespace

std::string HealthCheckBody(const model::ObjectName& service, int local_endpoints,
                            bool proxy_healthy) {
  std::string body;
  body += "{\n";
  body += "\t\"service\": {\n";
  body += "\t\t\"namespace\": \"" + JsonEscape(service.ns) + "\",\n";
  body += "\t\t\"name\": \"" + JsonEscape(service.name) + "\"\n";
  body += "\t},\n";
  body += "\t\"localEndpoints\": " + std::to_string(local_endpoints) + ",\n";
  body += std::string("\t\"serviceProxyHealthy\": ") + (proxy_healthy ? "true" : "false") + "\n";
  body += "}";
  return body;
}

std::string FormatResponse(const HttpResponse& response, std::string_view date) {
  std::string out =
      "HTTP/1.1 " + std::to_string(response.status) + " " + StatusText(response.status) + "\r\n";
  out += "Content-Type: " + response.content_type + "\r\n";
  out += "X-Content-Type-Options: nosniff\r\n";
  if (!date.empty()) out += "Date: " + std::string(date) + "\r\n";
  out += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
  if (response.close) {
    out += "Connection: close\r\n";
  } else if (response.announce_keep_alive) {
    out += "Connection: keep-alive\r\n";
  }
  out += "\r\n";
  if (!response.head_only) out += response.body;
  return out;
}

HttpResponse HealthCheckResponse(const HttpRequest& request, const model::ObjectName& service,
                                 int local_endpoints, bool proxy_healthy) {
  HttpResponse response;
  response.status = local_endpoints > 0 && proxy_healthy ? 200 : 503;
  response.body = HealthCheckBody(service, local_endpoints, proxy_healthy);
  response.head_only = request.method == "HEAD";
  response.close = !request.keep_alive || request.has_body;
  response.announce_keep_alive = request.http10 && !response.close;
  return response;
}

HttpResponse ErrorResponse(int status) {
  HttpResponse response;
  response.status = status;
  response.content_type = "text/plain; charset=utf-8";
  response.body = std::to_string(status) + " " + StatusText(status);
  response.close = true;
  return response;
}

std::string HttpDateNow() {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  struct tm utc {};
  if (gmtime_r(&now, &utc) == nullptr) return "";
  char text[40];
  snprintf(text, sizeof(text), "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[utc.tm_wday % 7],
           utc.tm_mday, kMonths[utc.tm_mon % 12], utc.tm_year + 1900, utc.tm_hour, utc.tm_min,
           utc.tm_sec);
  return text;
}

}  // namespace sluice::agent
