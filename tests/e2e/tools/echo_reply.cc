#include "echo_reply.h"

namespace sluice::e2e {
namespace {

constexpr size_t kMaxEchoedRequestBytes = 256;

// The value after "key=" when `field` starts with it.
std::optional<std::string_view> ValueOf(std::string_view field, std::string_view key) {
  if (field.size() <= key.size() || !field.starts_with(key) || field[key.size()] != '=') {
    return std::nullopt;
  }
  return field.substr(key.size() + 1);
}

}  // namespace

std::string FormatEchoReply(const EchoReply& reply) {
  return "name=" + reply.name + " peer=" + reply.peer + " local=" + reply.local +
         " req=" + reply.request;
}

std::optional<EchoReply> ParseEchoReply(std::string_view line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  EchoReply reply;
  std::string_view rest = line;
  // name, peer and local contain no spaces; req is the rest of the line.
  for (auto [key, out] : {std::pair{"name", &reply.name}, std::pair{"peer", &reply.peer},
                          std::pair{"local", &reply.local}}) {
    const size_t space = rest.find(' ');
    if (space == std::string_view::npos) return std::nullopt;
    auto value = ValueOf(rest.substr(0, space), key);
    if (!value) return std::nullopt;
    *out = std::string(*value);
    rest.remove_prefix(space + 1);
  }
  if (!rest.starts_with("req=")) return std::nullopt;
  reply.request = std::string(rest.substr(4));
  if (reply.name.empty()) return std::nullopt;
  return reply;
}

std::string SanitizeRequest(std::string_view request) {
  while (!request.empty() && (request.back() == '\n' || request.back() == '\r')) {
    request.remove_suffix(1);
  }
  std::string clean(request.substr(0, kMaxEchoedRequestBytes));
  for (char& c : clean) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return clean;
}

}  // namespace sluice::e2e
