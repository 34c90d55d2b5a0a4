// What a user names on the command line: a Service ("namespace/name", optionally
// ":portname") or a frontend ("IP:PORT/PROTO", "[v6]:PORT/PROTO"), and flow endpoints
// ("IP:PORT").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/ip_address.h"
#include "datapath/snapshot.h"
#include "model/objects.h"

namespace sluice::cli {

struct Endpoint {
  IpAddress address;
  uint16_t port = 0;
};

// "1.2.3.4:80", "[fd00::1]:80"; port 1..65535.
std::optional<Endpoint> ParseEndpoint(std::string_view text);

struct FrontendSelector {
  // A Service by name...
  std::string service;    // "namespace/name"
  std::string port_name;  // "" matches every port
  // ...or a frontend by address.
  std::optional<Endpoint> endpoint;
  std::optional<model::Protocol> protocol;  // nullopt: TCP and UDP

  std::string ToString() const;  // as the user would write it, for messages
};

// Throws std::invalid_argument with a message for people when `text` is neither form.
FrontendSelector ParseFrontendSelector(std::string_view text);

// The frontends the selector names, in snapshot order, of the given scope.
std::vector<const datapath::SnapshotFrontend*> MatchFrontends(const datapath::Snapshot& snap,
                                                              const FrontendSelector& sel,
                                                              model::Scope scope);

}  // namespace sluice::cli
