#include "k8s/reflector.h"

#include "base/log.h"
#include "k8s/decode_error.h"
#include "k8s/query.h"

namespace sluice::k8s {
namespace {

constexpr size_t kMaxErrorBody = 1 << 20;
constexpr int kMaxPages = 1 << 20;  // bounds a list; 500 per page is 500M objects

std::string StatusText(const std::optional<ApiStatus>& status, long code) {
  if (!status) return "HTTP " + std::to_string(code);
  std::string text = "HTTP " + std::to_string(code);
  if (!status->reason.empty()) text += " " + status->reason;
  if (!status->message.empty()) text += ": " + status->message;
  return text;
}

}  // namespace

Reflector::Reflector(ReflectorOptions options, ApiTransport& transport, ReflectorHandler& handler,
                     const Clock& clock, Random& random, Waiter& waiter)
    : options_(std::move(options)),
      transport_(transport),
      handler_(handler),
      clock_(clock),
      random_(random),
      waiter_(waiter),
      backoff_(options_.backoff, clock, random) {}

ReflectorStats Reflector::stats() const {
  std::lock_guard lock(stats_mu_);
  return stats_;
}

void Reflector::Stop() {
  waiter_.Stop();
  transport_.Cancel();
}

bool Reflector::BackOff() {
  Clock::Duration wait = std::max(backoff_.Next(), retry_after_);
  retry_after_ = Clock::Duration::zero();
  return waiter_.WaitFor(wait);
}

void Reflector::CountFailures(const std::vector<ObjectFailure>& failures, const char* where) {
  if (failures.empty()) return;
  {
    std::lock_guard lock(stats_mu_);
    stats_.decode_failures += failures.size();
  }
  for (const ObjectFailure& f : failures)
    log::Warn("skipping malformed object from the API server",
              {{"kind", KindName(options_.kind)}, {"in", where},
               {"object", f.name ? f.name->ToString() : std::string("(unnamed)")},
               {"reason", f.reason}});
}

Reflector::Outcome Reflector::HandleStatus(long status, std::string_view content_type,
                                           std::string_view body, const std::string& retry_after,
                                           const char* verb) {
  std::optional<ApiStatus> decoded;
  if (auto type = ParseContentType(content_type)) decoded = DecodeStatus(*type, body);
  {
    std::lock_guard lock(stats_mu_);
    if (status == 410)
      ++stats_.expired;
    else
      ++stats_.errors;
  }
  if (status == 410) {
    log::Info("resourceVersion expired; relisting",
              {{"kind", KindName(options_.kind)}, {"verb", verb}, {"status", StatusText(decoded, status)}});
    return Outcome::kRelist;
  }
  if (!retry_after.empty()) {
    char* end = nullptr;
    long seconds = std::strtol(retry_after.c_str(), &end, 10);
    if (end && *end == '\0' && seconds > 0 && seconds <= 600) retry_after_ = std::chrono::seconds(seconds);
  }
  log::Warn("API request failed; backing off",
            {{"kind", KindName(options_.kind)}, {"verb", verb}, {"status", StatusText(decoded, status)}});
  return Outcome::kBackoff;
}

Reflector::Outcome Reflector::List() {
  const char* accept = AcceptHeader(options_.content_type);
  std::vector<Object> items;
  std::string continue_token;
  std::string resource_version;
  for (int page = 0; page < kMaxPages; ++page) {
    std::string path = WithQuery(options_.path, {{"limit", std::to_string(options_.page_size)},
                                                 {"continue", continue_token},
                                                 {"labelSelector", options_.label_selector},
                                                 {"fieldSelector", options_.field_selector}});
    ApiResponse response;
    try {
      response = transport_.Get(path, accept);
    } catch (const TransportError& e) {
      if (waiter_.stopped()) return Outcome::kResume;
      std::lock_guard lock(stats_mu_);
      ++stats_.errors;
      log::Warn("API list failed; backing off", {{"kind", KindName(options_.kind)}, {"error", e.what()}});
      return Outcome::kBackoff;
    }
    if (response.status != 200)
      return HandleStatus(response.status, response.content_type, response.body, response.retry_after, "list");
    DecodedList list;
    try {
      ContentType type = ParseContentType(response.content_type).value_or(options_.content_type);
      list = DecodeList(options_.kind, type, response.body);
    } catch (const DecodeError& e) {
      std::lock_guard lock(stats_mu_);
      ++stats_.errors;
      log::Warn("API list body not understood; backing off",
                {{"kind", KindName(options_.kind)}, {"error", e.what()}});
      return Outcome::kBackoff;
    }
    CountFailures(list.failures, "list");
    {
      std::lock_guard lock(stats_mu_);
      ++stats_.list_pages;
    }
    for (Object& item : list.items) items.push_back(std::move(item));
    resource_version = list.resource_version;
    continue_token = list.continue_token;
    if (continue_token.empty()) break;
  }
  const size_t count = items.size();
  handler_.OnList(std::move(items));
  resource_version_ = resource_version;
  {
    std::lock_guard lock(stats_mu_);
    if (stats_.lists > 0) ++stats_.relists;
    ++stats_.lists;
    stats_.synced = true;
    stats_.resource_version = resource_version_;
  }
  log::Info("listed", {{"kind", KindName(options_.kind)}, {"objects", count},
                       {"resource_version", resource_version_}});
  return Outcome::kResume;
}

void Reflector::Apply(WatchEvent& event) {
  switch (event.type) {
    case WatchEventType::kAdded:
    case WatchEventType::kModified:
      if (event.object) handler_.OnUpsert(std::move(*event.object));
      break;
    case WatchEventType::kDeleted:
      if (event.name) handler_.OnDelete(*event.name);
      break;
    case WatchEventType::kBookmark:
    case WatchEventType::kError:
      break;
  }
  if (!event.resource_version.empty()) resource_version_ = event.resource_version;
  std::lock_guard lock(stats_mu_);
  if (event.type == WatchEventType::kBookmark)
    ++stats_.bookmarks;
  else
    ++stats_.events;
  stats_.resource_version = resource_version_;
}

Reflector::Outcome Reflector::Watch() {
  const auto timeout = std::chrono::seconds(static_cast<int64_t>(
      options_.min_watch_timeout.count() * (1.0 + random_.Uniform01())));
  std::string path = WithQuery(options_.path, {{"watch", "true"},
                                               {"allowWatchBookmarks", "true"},
                                               {"resourceVersion", resource_version_},
                                               {"timeoutSeconds", std::to_string(timeout.count())},
                                               {"labelSelector", options_.label_selector},
                                               {"fieldSelector", options_.field_selector}});
  long status = 0;
  std::string content_type;
  std::string error_body;
  std::optional<WatchStreamDecoder> decoder;
  size_t frames = 0;
  bool expired = false;
  std::string stream_problem;
  const Clock::TimePoint start = clock_.Now();

  std::string retry_after;
  auto on_headers = [&](long code, std::string_view type, std::string_view retry) {
    status = code;
    content_type = std::string(type);
    retry_after = std::string(retry);
    ContentType format = ParseContentType(type).value_or(options_.content_type);
    decoder.emplace(options_.kind, format);
  };
  auto on_data = [&](std::string_view chunk) {
    const Clock::TimePoint received = clock_.Now();
    if (status != 200) {
      if (error_body.size() < kMaxErrorBody) error_body.append(chunk.substr(0, kMaxErrorBody - error_body.size()));
      return true;
    }
    std::vector<WatchEvent> events;
    std::vector<ObjectFailure> failures;
    try {
      decoder->Feed(chunk, &events, &failures);
    } catch (const StreamError& e) {
      stream_problem = e.what();
      return false;
    }
    CountFailures(failures, "watch");
    for (WatchEvent& event : events) {
      ++frames;
      if (event.type == WatchEventType::kError) {
        int code = event.status ? event.status->code : 0;
        if (code == 410) {
          expired = true;
        } else {
          stream_problem = "watch ERROR event: " + StatusText(event.status, code);
        }
        return false;
      }
      Apply(event);  // moves only the object out
      // After the handler, off the path to the maps: when the event's bytes arrived,
      // on the monotonic clock (benchmarks measure event received -> maps from it).
      if (event.type != WatchEventType::kBookmark && log::Enabled(log::Level::kDebug)) {
        const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(received.time_since_epoch());
        log::Debug("watch event",
                   {{"kind", KindName(options_.kind)},
                    {"type", event.type == WatchEventType::kAdded      ? "ADDED"
                             : event.type == WatchEventType::kModified ? "MODIFIED"
                                                                       : "DELETED"},
                    {"resource_version", event.resource_version},
                    {"received_mono_ns", static_cast<int64_t>(ns.count())}});
      }
    }
    return !waiter_.stopped();
  };

  StreamEnd end;
  try {
    end = transport_.Stream(path, AcceptHeader(options_.content_type), options_.watch_idle_timeout.count(),
                            on_headers, on_data);
  } catch (const TransportError& e) {
    if (waiter_.stopped()) return Outcome::kResume;
    std::lock_guard lock(stats_mu_);
    ++stats_.watches;
    ++stats_.errors;
    log::Warn("API watch failed; backing off", {{"kind", KindName(options_.kind)}, {"error", e.what()}});
    return Outcome::kBackoff;
  }
  {
    std::lock_guard lock(stats_mu_);
    ++stats_.watches;
  }
  if (waiter_.stopped()) return Outcome::kResume;
  if (status != 200) return HandleStatus(status, content_type, error_body, retry_after, "watch");
  if (expired) {
    std::lock_guard lock(stats_mu_);
    ++stats_.expired;
    log::Info("watch resourceVersion expired; relisting",
              {{"kind", KindName(options_.kind)}, {"resource_version", resource_version_}});
    return Outcome::kRelist;
  }
  auto fail = [&](const std::string& why) {
    std::lock_guard lock(stats_mu_);
    ++stats_.errors;
    log::Warn("API watch ended abnormally; backing off, then resuming",
              {{"kind", KindName(options_.kind)}, {"why", why}, {"resource_version", resource_version_}});
    return Outcome::kBackoff;
  };
  if (!stream_problem.empty()) return fail(stream_problem);
  switch (end) {
    case StreamEnd::kClosed:
      if (frames == 0 && clock_.Now() - start < options_.short_watch)
        return fail("closed at once with no event");
      return Outcome::kResume;  // the server's timeout: resume where we are
    case StreamEnd::kAborted:
      return Outcome::kResume;
    case StreamEnd::kIdle:
      return fail("stalled: nothing received for " + std::to_string(options_.watch_idle_timeout.count()) + " ms");
    case StreamEnd::kBroken:
      return fail("connection broken mid-stream");
  }
  return Outcome::kResume;
}

void Reflector::Run() {
  bool need_list = true;
  while (!waiter_.stopped()) {
    if (need_list) {
      Outcome outcome = List();
      if (outcome == Outcome::kResume) {
        need_list = false;
      } else if (!BackOff()) {
        return;  // a failed or expired list backs off before the next attempt
      }
      continue;
    }
    switch (Watch()) {
      case Outcome::kResume:
        break;
      case Outcome::kRelist:
        need_list = true;
        break;
      case Outcome::kBackoff: {
        {
          std::lock_guard lock(stats_mu_);
          ++stats_.watch_restarts;
        }
        if (!BackOff()) return;
        break;
      }
    }
  }
}

}  // namespace sluice::k8s
