#include "bench/kubeproxy/reachability_check.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <optional>
#include <thread>

#include "bench/kubeproxy/service_port_view.h"

namespace sluice::kubeproxy {
namespace {

using Clock = std::chrono::steady_clock;

std::string ErrnoName(int error) {
  const char* name = strerrorname_np(error);
  return name != nullptr ? name : "errno " + std::to_string(error);
}

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

struct Destination {
  sockaddr_storage address{};
  socklen_t length = 0;
  int family = AF_INET;
};

// "1.2.3.4:80" or "[fd00::1]:80".
std::optional<Destination> ParseDestination(const std::string& text) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos) return std::nullopt;
  std::string host = text.substr(0, colon);
  int port = std::atoi(text.c_str() + colon + 1);
  if (port <= 0 || port > 65535) return std::nullopt;
  Destination d;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&d.address);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(static_cast<uint16_t>(port));
    if (inet_pton(AF_INET6, host.c_str(), &sin6->sin6_addr) != 1) return std::nullopt;
    d.length = sizeof(sockaddr_in6);
    d.family = AF_INET6;
  } else {
    auto* sin = reinterpret_cast<sockaddr_in*>(&d.address);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(static_cast<uint16_t>(port));
    if (inet_pton(AF_INET, host.c_str(), &sin->sin_addr) != 1) return std::nullopt;
    d.length = sizeof(sockaddr_in);
  }
  return d;
}

// Who answered: the `local=` field of a sluice-test-echo line, else the line's first word
// through the names table.
std::optional<std::string> AnswerIdentity(const std::string& line,
                                          const std::map<std::string, std::string>& names) {
  auto word_at = [&](size_t at) {
    size_t end = line.find_first_of(" \t\r\n", at);
    return line.substr(at, end == std::string::npos ? std::string::npos : end - at);
  };
  if (size_t at = line.find("local="); at != std::string::npos) return word_at(at + 6);
  size_t first = line.find_first_not_of(" \t");
  if (first == std::string::npos || line[first] == '\n' || line[first] == '\r')
    return std::nullopt;
  std::string word = word_at(first);
  auto named = names.find(word);
  return named != names.end() ? named->second : word;
}

bool WaitFor(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, events, 0};
    int n = poll(&p, 1, static_cast<int>(left.count()));
    if (n > 0) return true;
    if (n < 0 && errno != EINTR) return false;
  }
}

// One request/answer exchange; the answer's local= address, or a failure name.
struct Attempt {
  std::optional<std::string> local;
  std::string failure;
};

Attempt Exchange(const Destination& destination, model::Protocol protocol, int sequence,
                 const ReachabilityOptions& options) {
  const std::chrono::milliseconds timeout = options.attempt_timeout;
  const Clock::time_point deadline = Clock::now() + timeout;
  const int type = protocol == model::Protocol::kUdp ? SOCK_DGRAM : SOCK_STREAM;
  Fd fd(socket(destination.family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return {std::nullopt, ErrnoName(errno)};
  if (connect(fd.get(), reinterpret_cast<const sockaddr*>(&destination.address),
              destination.length) != 0) {
    if (errno != EINPROGRESS) return {std::nullopt, ErrnoName(errno)};
    if (!WaitFor(fd.get(), POLLOUT, deadline)) return {std::nullopt, "timeout"};
    int error = 0;
    socklen_t length = sizeof(error);
    getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &length);
    if (error != 0) return {std::nullopt, ErrnoName(error)};
  }
  const std::string request = "kube-proxy-check-" + std::to_string(sequence) + "\n";
  if (send(fd.get(), request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size()))
    return {std::nullopt, ErrnoName(errno)};
  std::string answer;
  char buffer[4096];
  while (answer.find('\n') == std::string::npos) {
    if (!WaitFor(fd.get(), POLLIN, deadline)) return {std::nullopt, "timeout"};
    ssize_t n = recv(fd.get(), buffer, sizeof(buffer), 0);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return {std::nullopt, ErrnoName(errno)};
    }
    if (n == 0) break;
    answer.append(buffer, static_cast<size_t>(n));
    if (type == SOCK_DGRAM) break;  // one datagram is one answer
  }
  std::optional<std::string> who = AnswerIdentity(answer, options.backend_names);
  if (!who) return {std::nullopt, "bad answer"};
  return {who, {}};
}

FrontendResult CheckFrontend(const FrontendExpectation& expected, const ReachabilityOptions& options,
                             Clock::time_point deadline, int& sequence) {
  FrontendResult result;
  result.expected = expected;
  std::optional<Destination> destination = ParseDestination(expected.frontend);
  if (!destination) {
    result.failures["bad frontend address"] = 1;
    return result;
  }
  const int max_attempts =
      options.max_attempts_per_backend * static_cast<int>(std::max<size_t>(1, expected.backends.size()));
  auto all_seen = [&] {
    for (const std::string& backend : expected.backends)
      if (!result.seen.contains(backend)) return false;
    return true;
  };
  while (result.attempts < max_attempts && Clock::now() < deadline) {
    ++result.attempts;
    Attempt attempt = Exchange(*destination, expected.protocol, ++sequence, options);
    if (attempt.local) {
      ++result.answered;
      ++result.seen[*attempt.local];
    } else {
      ++result.failures[attempt.failure];
    }
    if (all_seen() && result.failures.empty()) break;
  }
  bool unexpected = false;
  for (const auto& [backend, count] : result.seen)
    if (!expected.backends.contains(backend)) unexpected = true;
  result.ok = all_seen() && !unexpected && result.failures.empty() && !expected.backends.empty();
  return result;
}

std::string FormatCounts(const std::map<std::string, int>& counts) {
  std::string out = "{";
  for (const auto& [key, count] : counts) {
    if (out.size() > 1) out += ", ";
    out += key + ": " + std::to_string(count);
  }
  return out + "}";
}

}  // namespace

std::string FrontendResult::Describe() const {
  std::string out = expected.service + " " + expected.frontend + "/" +
                    model::ProtocolName(expected.protocol) + ": " + std::to_string(attempts) +
                    " attempts, " + std::to_string(answered) + " answered by " +
                    FormatCounts(seen);
  if (!failures.empty()) out += ", failures " + FormatCounts(failures);
  std::vector<std::string> missing;
  for (const std::string& backend : expected.backends)
    if (!seen.contains(backend)) missing.push_back(backend);
  if (!missing.empty()) {
    out += ", never reached";
    for (const std::string& backend : missing) out += " " + backend;
  }
  return out;
}

std::string ReachabilityReport::Summary() const {
  size_t good = 0;
  int connections = 0, failed = 0;
  for (const FrontendResult& frontend : frontends) {
    if (frontend.ok) ++good;
    connections += frontend.attempts;
    for (const auto& [reason, count] : frontend.failures) failed += count;
  }
  std::string out = std::to_string(frontends.size()) + " frontends: " + std::to_string(good) +
                    " reached all backends (" + std::to_string(connections) + " connections, " +
                    std::to_string(failed) + " failed)";
  if (!error.empty()) out += "; " + error;
  for (const FrontendResult& frontend : frontends)
    if (!frontend.ok) out += "\n  " + frontend.Describe();
  return out;
}

std::vector<FrontendExpectation> ExpectedClusterIpReachability(
    std::span<const model::Service> services, std::span<const model::EndpointSlice> slices,
    const RulesetOptions& options, IpFamily family) {
  std::vector<FrontendExpectation> out;
  for (const ServicePortView& view : BuildServicePortViews(services, slices, options, family)) {
    const std::vector<EndpointView>& endpoints =
        view.internal_policy_local ? view.local_endpoints : view.cluster_endpoints;
    if (!view.has_endpoints || endpoints.empty()) continue;
    FrontendExpectation expectation{
        .service = view.name,
        .frontend = EndpointString(view.cluster_ip, view.port->port),
        .protocol = view.port->protocol,
        .backends = {}};
    for (const EndpointView& endpoint : endpoints) expectation.backends.insert(endpoint.text);
    out.push_back(std::move(expectation));
  }
  return out;
}

ReachabilityReport CheckReachability(const std::string& netns,
                                     std::span<const FrontendExpectation> expectations,
                                     const ReachabilityOptions& options) {
  ReachabilityReport report;
  // setns() moves only the calling thread: a worker enters the namespace and the
  // caller's threads stay where they are.
  std::thread worker([&] {
    if (!netns.empty()) {
      if (netns.find('/') != std::string::npos) {
        report.error = "not a network namespace name: " + netns;
        return;
      }
      Fd ns(open(("/run/netns/" + netns).c_str(), O_RDONLY | O_CLOEXEC));
      if (ns.get() < 0 || setns(ns.get(), CLONE_NEWNET) != 0) {
        report.error = "cannot enter network namespace " + netns + ": " + ErrnoName(errno);
        return;
      }
    }
    const Clock::time_point deadline = Clock::now() + options.total_timeout;
    int sequence = 0;
    for (const FrontendExpectation& expected : expectations) {
      if (Clock::now() >= deadline) {
        report.error = "total timeout reached";
        break;
      }
      report.frontends.push_back(CheckFrontend(expected, options, deadline, sequence));
    }
  });
  worker.join();
  report.ok = report.error.empty() && !report.frontends.empty();
  for (const FrontendResult& frontend : report.frontends) report.ok = report.ok && frontend.ok;
  return report;
}

}  // namespace sluice::kubeproxy
