#include "unit/agent/http_probe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <charconv>
#include <cstring>

namespace sluice::agent::testing {

namespace {

constexpr int kTimeoutSeconds = 5;

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace

uint16_t FreePort() {
  datapath::UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  if (!fd || bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      getsockname(fd.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0)
    return 0;
  return ntohs(address.sin_port);
}

datapath::UniqueFd Connect(uint16_t port, const char* ip, int* error) {
  sockaddr_storage storage{};
  socklen_t length = 0;
  int family = AF_INET;
  if (strchr(ip, ':') != nullptr) {
    family = AF_INET6;
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&storage);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(port);
    inet_pton(AF_INET6, ip, &sin6->sin6_addr);
    length = sizeof(*sin6);
  } else {
    auto* sin = reinterpret_cast<sockaddr_in*>(&storage);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(port);
    inet_pton(AF_INET, ip, &sin->sin_addr);
    length = sizeof(*sin);
  }
  datapath::UniqueFd fd(socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  timeval timeout{.tv_sec = kTimeoutSeconds, .tv_usec = 0};
  setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  if (connect(fd.get(), reinterpret_cast<sockaddr*>(&storage), length) != 0) {
    if (error) *error = errno;
    return datapath::UniqueFd();
  }
  return fd;
}

bool SendAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

std::optional<ProbeResponse> ReadResponse(int fd, bool head_only) {
  // Byte by byte up to the end of the head, so nothing of a next response is eaten.
  std::string head;
  while (head.size() < 16384 &&
         (head.size() < 4 || head.compare(head.size() - 4, 4, "\r\n\r\n") != 0)) {
    char c;
    if (recv(fd, &c, 1, 0) != 1) return std::nullopt;
    head += c;
  }
  ProbeResponse response;
  size_t line_end = head.find("\r\n");
  std::string_view status_line(head.data(), line_end);
  if (status_line.size() < 12 || status_line.substr(0, 9) != "HTTP/1.1 ") return std::nullopt;
  std::from_chars(status_line.data() + 9, status_line.data() + 12, response.status);
  size_t pos = line_end + 2;
  while (pos < head.size() - 2) {
    size_t end = head.find("\r\n", pos);
    std::string_view line(head.data() + pos, end - pos);
    size_t colon = line.find(':');
    if (colon != std::string_view::npos) {
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      response.headers[Lower(line.substr(0, colon))] = std::string(value);
    }
    pos = end + 2;
  }
  if (head_only) return response;
  size_t length = 0;
  auto it = response.headers.find("content-length");
  if (it != response.headers.end()) length = std::stoul(it->second);
  response.body.resize(length);
  size_t got = 0;
  while (got < length) {
    ssize_t n = recv(fd, response.body.data() + got, length - got, 0);
    if (n <= 0) return std::nullopt;
    got += static_cast<size_t>(n);
  }
  return response;
}

std::optional<ProbeResponse> Probe(uint16_t port, std::string_view raw, const char* ip) {
  datapath::UniqueFd fd = Connect(port, ip);
  if (!fd) return std::nullopt;
  std::string request = raw.empty() ? "GET / HTTP/1.1\r\nHost: lb\r\n\r\n" : std::string(raw);
  if (!SendAll(fd.get(), request)) return std::nullopt;
  bool head_only = request.rfind("HEAD ", 0) == 0;
  return ReadResponse(fd.get(), head_only);
}

bool WaitForClose(int fd) {
  char buffer[4096];
  for (int reads = 0; reads < 1000; ++reads) {
    ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
    if (n == 0) return true;
    if (n < 0) return errno == ECONNRESET || errno == EPIPE;  // EAGAIN: timed out
  }
  return false;
}

bool Refused(uint16_t port) {
  int error = 0;
  datapath::UniqueFd fd = Connect(port, "127.0.0.1", &error);
  return !fd && error == ECONNREFUSED;
}

}  // namespace sluice::agent::testing
