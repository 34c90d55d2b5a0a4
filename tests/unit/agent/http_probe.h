// A load balancer's prober in miniature, for the health check server tests: real
// TCP sockets to loopback, every wait bounded by a receive timeout.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "datapath/bpf_map_set.h"  // datapath::UniqueFd

namespace sluice::agent::testing {

struct ProbeResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

// A port that was free a moment ago (bound to 127.0.0.1:0, then released).
uint16_t FreePort();

// A blocking connection to `ip`:`port` with 5 s send/receive timeouts; invalid when
// connect() failed, with the errno in *error.
datapath::UniqueFd Connect(uint16_t port, const char* ip = "127.0.0.1", int* error = nullptr);

bool SendAll(int fd, std::string_view bytes);

// Reads one response (head, then Content-Length bytes unless `head_only`); nullopt on
// EOF, timeout or garbage.
std::optional<ProbeResponse> ReadResponse(int fd, bool head_only = false);

// One request on a fresh connection: `raw` as given, or "GET / HTTP/1.1" when empty.
std::optional<ProbeResponse> Probe(uint16_t port, std::string_view raw = "",
                                   const char* ip = "127.0.0.1");

// True when the peer closes the connection (EOF or reset) within the receive timeout;
// whatever arrives first is discarded.
bool WaitForClose(int fd);

// True when nothing listens on 127.0.0.1:`port`.
bool Refused(uint16_t port);

}  // namespace sluice::agent::testing
