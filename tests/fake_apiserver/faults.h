// Faults a test programs into the fake, per resource and verb. Each matching request
// takes the next fault from its queue (first in, first out); a request with an
// empty queue is served normally. Thread-safe.
//
//   server.InjectFault(Resource::kServices, Verb::kWatch, Fault::ResetAfter(2));
//   server.InjectFault(Resource::kServices, Verb::kList, Fault::Status(429, 1));
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <utility>

#include "fake_apiserver/resource.h"

namespace sluice::fake_apiserver {

struct Fault {
  enum class Type {
    kStatus,        // answer `status_code` with a Status body (any verb)
    kWatchExpired,  // watch: HTTP 200, then the in-stream ERROR event with a 410 Status
    kResetAfter,    // watch: send `events` events, then close the connection without
                    // ending the chunked body (the client sees a broken stream)
    kStall,         // send nothing (no events, no bookmarks) for `duration`, or until
                    // ReleaseStalls() when duration is zero; then carry on. A list or
                    // get stalls before its response, a watch after its headers.
    kShortWatch,    // watch: HTTP 200 and an immediately finished, empty stream
  };
  Type type = Type::kStatus;
  int status_code = 500;
  std::optional<int> retry_after_seconds;  // kStatus: Retry-After header + details
  size_t events = 0;                       // kResetAfter; kStall of a watch: after this many
  std::chrono::milliseconds duration{0};   // kStall; 0 = until released

  // 410, 429 (give retry_after_seconds), 500, 503, or any other code.
  static Fault Status(int code, std::optional<int> retry_after_seconds = std::nullopt) {
    Fault f;
    f.type = Type::kStatus;
    f.status_code = code;
    f.retry_after_seconds = retry_after_seconds;
    return f;
  }
  static Fault WatchExpired() { return Of(Type::kWatchExpired); }
  static Fault ResetAfter(size_t events) {
    Fault f = Of(Type::kResetAfter);
    f.events = events;
    return f;
  }
  // A watch stalls once it has sent `after_events` events (0: right after its headers).
  static Fault Stall(std::chrono::milliseconds duration = std::chrono::milliseconds(0),
                     size_t after_events = 0) {
    Fault f = Of(Type::kStall);
    f.duration = duration;
    f.events = after_events;
    return f;
  }
  static Fault ShortWatch() { return Of(Type::kShortWatch); }

 private:
  static Fault Of(Type type) {
    Fault f;
    f.type = type;
    return f;
  }
};

class FaultQueue {
 public:
  void Push(Resource resource, Verb verb, Fault fault);
  // The next fault for a request, if any.
  std::optional<Fault> Take(Resource resource, Verb verb);
  void Clear();
  size_t pending(Resource resource, Verb verb) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::pair<Resource, Verb>, std::deque<Fault>> queues_;
};

}  // namespace sluice::fake_apiserver
