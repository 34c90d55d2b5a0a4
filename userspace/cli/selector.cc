#include "cli/selector.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <stdexcept>

namespace sluice::cli {

std::optional<Endpoint> ParseEndpoint(std::string_view text) {
  std::string_view host, port;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find("]:");
    if (close == std::string_view::npos) return std::nullopt;
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) return std::nullopt;  // v6 needs brackets
  }
  auto ip = IpAddress::Parse(host);
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (!ip || port.empty() || ec != std::errc() || end != port.data() + port.size() || value == 0 ||
      value > 65535)
    return std::nullopt;
  return Endpoint{*ip, static_cast<uint16_t>(value)};
}

std::string FrontendSelector::ToString() const {
  if (endpoint) {
    std::string s = endpoint->address.WithPort(endpoint->port);
    return protocol ? s + "/" + model::ProtocolName(*protocol) : s;
  }
  return port_name.empty() ? service : service + ":" + port_name;
}

FrontendSelector ParseFrontendSelector(std::string_view text) {
  FrontendSelector sel;
  // A frontend: IP:PORT with an optional /PROTO.
  std::string_view addr = text;
  std::optional<model::Protocol> proto;
  if (auto slash = text.rfind('/'); slash != std::string_view::npos) {
    std::string upper(text.substr(slash + 1));
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    if (auto p = model::ParseProtocol(upper); p && *p != model::Protocol::kSctp) {
      proto = p;
      addr = text.substr(0, slash);
    }
  }
  if (auto ep = ParseEndpoint(addr)) {
    sel.endpoint = ep;
    sel.protocol = proto;
    return sel;
  }
  // A Service: namespace/name[:port].
  std::string_view name = text;
  if (auto colon = text.find(':'); colon != std::string_view::npos) {
    sel.port_name = std::string(text.substr(colon + 1));
    name = text.substr(0, colon);
  }
  auto slash = name.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == name.size() ||
      name.find('/', slash + 1) != std::string_view::npos ||
      (text.find(':') != std::string_view::npos && sel.port_name.empty()))
    throw std::invalid_argument("\"" + std::string(text) +
                                "\" is neither a Service (namespace/name[:port]) nor a frontend "
                                "(IP:PORT/PROTO)");
  sel.service = std::string(name);
  return sel;
}

std::vector<const datapath::SnapshotFrontend*> MatchFrontends(const datapath::Snapshot& snap,
                                                              const FrontendSelector& sel,
                                                              model::Scope scope) {
  std::vector<const datapath::SnapshotFrontend*> out;
  for (const auto& fe : snap.frontends) {
    if (fe.key.scope != scope) continue;
    bool match;
    if (sel.endpoint)
      match = fe.key.address == sel.endpoint->address && fe.key.port == sel.endpoint->port &&
              (!sel.protocol || fe.key.protocol == *sel.protocol);
    else
      match = fe.service == sel.service && (sel.port_name.empty() || fe.port_name == sel.port_name);
    if (match) out.push_back(&fe);
  }
  return out;
}

}  // namespace sluice::cli
