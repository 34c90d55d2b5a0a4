// A target or listen address: "198.18.1.2:8080" or "[fd00:18:1::2]:8080".
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <optional>
#include <string>
#include <string_view>

namespace sluice::loadgen {

struct Endpoint {
  sockaddr_storage address{};
  socklen_t length = 0;

  int family() const { return address.ss_family; }
  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&address); }
  std::string ToString() const;

  static std::optional<Endpoint> Parse(std::string_view text);
};

// "ECONNREFUSED"; "E<number>" when glibc has no name for it.
std::string ErrnoName(int error);

}  // namespace sluice::loadgen
