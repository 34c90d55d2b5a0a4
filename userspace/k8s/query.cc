#include "k8s/query.h"

#include <cctype>

namespace sluice::k8s {

std::string UrlEncode(std::string_view text) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

std::string WithQuery(std::string_view path,
                      const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out(path);
  char sep = '?';
  for (const auto& [key, value] : params) {
    if (value.empty()) continue;
    out += sep;
    out += key;
    out += '=';
    out += UrlEncode(value);
    sep = '&';
  }
  return out;
}

}  // namespace sluice::k8s
