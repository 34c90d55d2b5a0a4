#include "fake_apiserver/content_negotiation.h"

#include <cctype>
#include <string>

namespace sluice::fake_apiserver {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

const WireEncoder* Negotiate(const ServerContext& context, std::string_view accept) {
  if (Trim(accept).empty()) return context.json;
  size_t start = 0;
  while (start <= accept.size()) {
    size_t comma = accept.find(',', start);
    std::string_view item = accept.substr(start, comma == std::string_view::npos ? accept.npos
                                                                                 : comma - start);
    std::string_view type = Trim(item.substr(0, item.find(';')));
    std::string media = Lower(type);
    // A media type with parameters such as ;as=Table asks for a transformation the
    // fake does not do; a plain one (or ;q=) is fine.
    std::string_view params = item.find(';') == std::string_view::npos
                                  ? std::string_view()
                                  : Trim(item.substr(item.find(';') + 1));
    bool plain = params.empty() || params.substr(0, 2) == "q=";
    if (plain) {
      if (media == "application/vnd.kubernetes.protobuf") return context.protobuf;
      if (media == "application/json" || media == "*/*" || media == "application/*") {
        return context.json;
      }
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return nullptr;
}

}  // namespace sluice::fake_apiserver
