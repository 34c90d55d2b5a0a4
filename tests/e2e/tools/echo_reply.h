// The line sluice-test-echo answers with, and how sluice-probe reads it back:
//   name=be1 peer=198.18.1.1:40000 local=198.18.1.2:8080 req=probe-7
// name: the server's --name; peer: the client address the server's socket reports
// (what a backend sees after any translation); local: the address the client reached
// (after DNAT, the backend's own address); req: the request line, so a late answer is
// never mistaken for the current one. req comes last and runs to the end of the line.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::e2e {

struct EchoReply {
  std::string name;
  std::string peer;
  std::string local;
  std::string request;
};

// A TCP request line equal to this keeps the connection open: the server answers it
// and every further line, each with a full reply, until the client closes.
inline constexpr std::string_view kHoldRequest = "hold";

// Longest request line or datagram either tool accepts; longer input is an error.
inline constexpr size_t kMaxLineBytes = 4096;

std::string FormatEchoReply(const EchoReply& reply);  // without the newline
std::optional<EchoReply> ParseEchoReply(std::string_view line);

// A request as it goes into a reply: trailing CR/LF removed, control characters
// replaced, at most 256 bytes.
std::string SanitizeRequest(std::string_view request);

}  // namespace sluice::e2e
