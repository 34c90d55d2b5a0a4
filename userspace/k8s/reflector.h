// client-go's reflector, which kube-proxy relies on, for one resource: LIST (paged)
// then WATCH from the list's resourceVersion with bookmarks; a watch ends after a
// random timeout in [5, 10) minutes and is resumed from the last resourceVersion seen;
// 410 Gone relists; 429, 5xx, stalls and broken connections back off (0.8 s doubling
// to 30 s, jittered) and resume the watch without relisting; a watch that closes at
// once with no event counts as a failure. Events go to a handler that only records
// them; a full list replaces what the handler had, which is how deletes missed during
// an outage are found.
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/random.h"
#include "base/waiter.h"
#include "k8s/api_transport.h"
#include "k8s/backoff.h"
#include "k8s/wire_codec.h"

namespace sluice::k8s {

class ReflectorHandler {
 public:
  virtual ~ReflectorHandler() = default;
  // A complete list: these objects are all there is.
  virtual void OnList(std::vector<Object> items) = 0;
  virtual void OnUpsert(Object object) = 0;
  virtual void OnDelete(const model::ObjectName& name) = 0;
};

struct ReflectorOptions {
  Kind kind = Kind::kService;
  std::string path;  // "/api/v1/services"
  std::string label_selector;
  std::string field_selector;
  ContentType content_type = ContentType::kProtobuf;
  int page_size = 500;
  // The watch's timeoutSeconds is drawn from [min_watch_timeout, 2 * min_watch_timeout).
  std::chrono::seconds min_watch_timeout = std::chrono::minutes(5);
  // A watch stream that delivers no byte (not even a bookmark) for this long is
  // stalled: it is dropped and resumed.
  std::chrono::milliseconds watch_idle_timeout = std::chrono::seconds(90);
  // A watch that ends sooner than this without an event is a failure.
  std::chrono::milliseconds short_watch = std::chrono::seconds(1);
  BackoffPolicy backoff;
};

struct ReflectorStats {
  uint64_t lists = 0;           // complete lists (the first one and relists)
  uint64_t relists = 0;         // lists after the first: 410s and failed resumes
  uint64_t list_pages = 0;
  uint64_t watches = 0;         // watch requests made
  uint64_t watch_restarts = 0;  // watches resumed after a failure (not a normal timeout)
  uint64_t expired = 0;         // 410 Gone seen
  uint64_t errors = 0;          // failed requests and streams
  uint64_t events = 0;          // watch events applied
  uint64_t bookmarks = 0;
  uint64_t decode_failures = 0; // objects or frames skipped as malformed
  std::string resource_version;
  bool synced = false;
};

class Reflector {
 public:
  Reflector(ReflectorOptions options, ApiTransport& transport, ReflectorHandler& handler,
            const Clock& clock, Random& random, Waiter& waiter);

  // Lists and watches until the waiter is stopped (call Stop()).
  void Run();
  // Stops Run() promptly: wakes a backoff wait and cancels the request in flight.
  void Stop();

  ReflectorStats stats() const;
  const ReflectorOptions& options() const { return options_; }

 private:
  enum class Outcome { kResume, kRelist, kBackoff };

  Outcome List();
  Outcome Watch();
  Outcome HandleStatus(long status, std::string_view content_type, std::string_view body,
                       const std::string& retry_after, const char* verb);
  void Apply(WatchEvent& event);
  void CountFailures(const std::vector<ObjectFailure>& failures, const char* where);
  bool BackOff();

  ReflectorOptions options_;
  ApiTransport& transport_;
  ReflectorHandler& handler_;
  const Clock& clock_;
  Random& random_;
  Waiter& waiter_;
  Backoff backoff_;
  Clock::Duration retry_after_{0};
  std::string resource_version_;
  mutable std::mutex stats_mu_;
  ReflectorStats stats_;
};

}  // namespace sluice::k8s
