#include "agent/health_check_connections.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <algorithm>
#include <vector>

#include "base/log.h"

namespace sluice::agent {

namespace {

// What one connection may hold: a few pipelined requests in, a few answers out.
// Beyond that it is not read (or not answered) until the peer catches up.
constexpr size_t kMaxBufferedInput = 2 * kMaxRequestHead;
constexpr size_t kMaxBufferedOutput = 16 * 1024;

bool WouldBlock(int error) { return error == EAGAIN || error == EWOULDBLOCK; }

}  // namespace

HealthCheckConnections::HealthCheckConnections(int epoll_fd, const Clock& clock, Options options,
                                               Answer answer)
    : epoll_fd_(epoll_fd), clock_(clock), options_(options), answer_(std::move(answer)) {}

HealthCheckConnections::~HealthCheckConnections() { CloseAll(); }

bool HealthCheckConnections::Add(uint64_t id, datapath::UniqueFd fd, uint64_t instance) {
  if (connections_.size() >= options_.max_connections) {
    // Closing at once (rather than leaving it in the backlog) tells the prober to retry.
    log::Debug("health check connection refused: too many open", {{"open", connections_.size()}});
    return false;
  }
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.u64 = id;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd.get(), &event) != 0) {
    log::Warn("cannot watch a health check connection", {{"error", strerror(errno)}});
    return false;
  }
  Connection& c = connections_[id];
  c.fd = std::move(fd);
  c.instance = instance;
  c.interest = EPOLLIN;
  c.last_activity = clock_.Now();
  return true;
}

void HealthCheckConnections::Handle(uint64_t id, uint32_t events) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  Connection& c = it->second;
  // Errors and hang-ups surface through read(), which also collects what arrived first.
  if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) Read(c);
  if (!c.broken && !c.draining) Process(c);
  if (!c.broken) Flush(c);
  Settle(id, c);
}

void HealthCheckConnections::Read(Connection& c) {
  char buffer[4096];
  // Bounded per wake-up so a peer that never stops sending cannot starve the others;
  // epoll reports the rest next round.
  for (int reads = 0; reads < 16 && !c.peer_closed; ++reads) {
    size_t room = sizeof(buffer);
    if (!c.draining) {
      if (c.in.size() >= kMaxBufferedInput) return;
      room = std::min(room, kMaxBufferedInput - c.in.size());
    }
    ssize_t n = recv(c.fd.get(), buffer, room, 0);
    if (n > 0) {
      // Input while draining is discarded and keeps nothing alive: a draining
      // connection goes at the idle timeout whatever the peer sends.
      if (!c.draining) {
        c.in.append(buffer, static_cast<size_t>(n));
        c.last_activity = clock_.Now();
      }
    } else if (n == 0) {
      c.peer_closed = true;
    } else if (errno != EINTR) {
      if (!WouldBlock(errno)) c.broken = true;  // reset by the peer, or worse
      return;
    }
  }
}

void HealthCheckConnections::Process(Connection& c) {
  c.held_back = false;
  while (!c.closing) {
    if (c.out.size() - c.out_sent >= kMaxBufferedOutput) {
      // A peer that pipelines without reading: answer the rest once this is sent.
      c.held_back = !c.in.empty();
      return;
    }
    ParseResult parsed = ParseRequestHead(c.in);
    switch (parsed.status) {
      case ParseStatus::kIncomplete:
        // A peer that stopped sending mid-request gets nothing: there is no request.
        if (c.peer_closed) c.closing = true;
        return;
      case ParseStatus::kTooLarge:
        Queue(c, ErrorResponse(431));
        return;
      case ParseStatus::kBad:
        log::Debug("bad health check request", {{"error", parsed.error}});
        Queue(c, ErrorResponse(400));
        return;
      case ParseStatus::kComplete: {
        std::optional<HttpResponse> response = answer_(c.instance, parsed.request);
        if (!response) {
          c.broken = true;
          return;
        }
        c.in.erase(0, parsed.consumed);
        Queue(c, *response);
        break;
      }
    }
  }
}

void HealthCheckConnections::Queue(Connection& c, const HttpResponse& response) {
  c.out += FormatResponse(response, HttpDateNow());
  if (response.close) c.closing = true;
}

void HealthCheckConnections::Flush(Connection& c) {
  while (c.out_sent < c.out.size()) {
    ssize_t n =
        send(c.fd.get(), c.out.data() + c.out_sent, c.out.size() - c.out_sent, MSG_NOSIGNAL);
    if (n > 0) {
      c.out_sent += static_cast<size_t>(n);
      c.last_activity = clock_.Now();
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      if (n == 0 || !WouldBlock(errno)) c.broken = true;
      return;
    }
  }
  c.out.clear();
  c.out_sent = 0;
  if (c.closing && !c.draining && !c.peer_closed) {
    // Closing with unread input would reset the connection and could destroy the
    // answer in flight: send FIN, then read and discard until the peer closes.
    shutdown(c.fd.get(), SHUT_WR);
    c.draining = true;
  }
}

void HealthCheckConnections::Settle(uint64_t id, Connection& c) {
  bool pending_output = c.out_sent < c.out.size();
  bool done = c.broken || (c.peer_closed && c.draining) ||
              (c.peer_closed && !pending_output && !c.held_back && (c.closing || c.in.empty()));
  if (done) {
    Close(id);
    return;
  }
  uint32_t interest = 0;
  if (c.draining || (!c.closing && !c.peer_closed && c.in.size() < kMaxBufferedInput))
    interest |= EPOLLIN;
  // Held-back requests wait for writability too: the socket is likely writable at
  // once, and the next round answers them.
  if (pending_output || (c.held_back && !c.closing)) interest |= EPOLLOUT;
  if (interest == 0) {
    // Nothing left to wait for (a peer that half-closed mid-request, say).
    Close(id);
    return;
  }
  if (interest != c.interest) {
    epoll_event event{};
    event.events = interest;
    event.data.u64 = id;
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c.fd.get(), &event) != 0) {
      Close(id);
      return;
    }
    c.interest = interest;
  }
}

void HealthCheckConnections::Sweep(const std::function<bool(uint64_t instance)>& is_live) {
  Clock::TimePoint now = clock_.Now();
  std::vector<uint64_t> expired;
  for (const auto& [id, c] : connections_) {
    if (now - c.last_activity > options_.idle_timeout || !is_live(c.instance))
      expired.push_back(id);
  }
  for (uint64_t id : expired) Close(id);
}

void HealthCheckConnections::Close(uint64_t id) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  // Closing the only descriptor removes it from epoll; saying so keeps that explicit.
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, it->second.fd.get(), nullptr);
  connections_.erase(it);
}

void HealthCheckConnections::CloseAll() {
  while (!connections_.empty()) Close(connections_.begin()->first);
}

}  // namespace sluice::agent
