#include "fake_apiserver/watch_stream.h"

#include <algorithm>
#include <chrono>
#include <memory>

#include "fake_apiserver/peer_socket.h"

namespace sluice::fake_apiserver {
namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kPeerCheck = std::chrono::milliseconds(250);

// One watch in progress. Lives as long as httplib holds the content provider.
class WatchStream {
 public:
  WatchStream(const ServerContext& context, Resource resource, const RequestOptions& options,
              std::optional<Fault> fault, const WireEncoder& encoder, int peer_fd)
      : context_(context), resource_(resource), options_(options), fault_(std::move(fault)),
        encoder_(encoder), peer_fd_(peer_fd) {
    auto timeout = options.timeout_seconds && *options.timeout_seconds > 0
                       ? std::chrono::seconds(*options.timeout_seconds)
                       : context.default_watch_timeout;
    deadline_ = Clock::now() + timeout;
  }

  // Writes the whole stream. False abandons the connection mid-body (a reset, or
  // the listener going down); true ends it properly.
  bool Run(httplib::DataSink& sink) {
    sink_ = &sink;
    bool ok = Stream();
    if (ok) sink.done();
    return ok;
  }

 private:
  enum class Step { kContinue, kFinish, kAbandon };

  bool Stream() {
    if (fault_ && fault_->type == Fault::Type::kShortWatch) return true;
    if (fault_ && fault_->type == Fault::Type::kWatchExpired) {
      return Write(encoder_.WatchError(WatchExpired().StatusObject()));
    }
    if (fault_ && fault_->type == Fault::Type::kResetAfter && fault_->events == 0) return false;
    if (Step s = MaybeStall(); s != Step::kContinue) return s == Step::kFinish;

    uint64_t asked = ParseResourceVersion(options_.resource_version);
    if (asked == 0) {
      // No RV or "0": the current state as ADDED events, then changes after it.
      Snapshot snapshot;
      context_.store->SnapshotAt(resource_, 0, &snapshot);
      for (const ObjectPtr& object : snapshot.objects) {
        if (!Selected(object->json())) continue;
        if (Step s = Send("ADDED", *object); s != Step::kContinue) return s == Step::kFinish;
      }
      position_ = snapshot.resource_version;
    } else {
      position_ = asked;
    }

    auto next_bookmark = Clock::now() + context_.bookmark_interval;
    // One iteration per wake-up: a change, a bookmark, or the end of the stream.
    while (Clock::now() < deadline_) {
      if (Abandoned()) return false;
      std::vector<Change> changes;
      uint64_t through = 0;
      if (context_.store->ChangesSince(resource_, position_, &changes, &through) ==
          ReadStatus::kExpired) {
        return Write(encoder_.WatchError(WatchExpired().StatusObject()));
      }
      for (const Change& change : changes) {
        if (Step s = SendChange(change); s != Step::kContinue) return s == Step::kFinish;
      }
      position_ = std::max(position_, through);
      if (options_.allow_bookmarks && Clock::now() >= next_bookmark) {
        StoredObject bookmark(resource_, "", BookmarkObject(resource_, std::to_string(position_)),
                              position_);
        if (!Write(encoder_.WatchEvent("BOOKMARK", bookmark))) return false;
        next_bookmark = Clock::now() + context_.bookmark_interval;
      }
      // Wake for the next change, bookmark or the deadline, and at least every
      // kPeerCheck to notice a client that hung up.
      auto until = std::min(deadline_, Clock::now() + kPeerCheck);
      if (options_.allow_bookmarks) until = std::min(until, next_bookmark);
      context_.store->WaitForChange(position_, until, context_.closing);
    }
    return true;
  }

  bool Selected(const nlohmann::json& object) const {
    return options_.labels.Matches(object) && options_.fields.Matches(object);
  }

  Step SendChange(const Change& change) {
    bool was = change.before && Selected(change.before->json());
    bool is = change.type != ChangeType::kDeleted && Selected(change.after->json());
    switch (change.type) {
      case ChangeType::kAdded:
        return is ? Send("ADDED", *change.after) : Step::kContinue;
      case ChangeType::kDeleted:
        return was ? Send("DELETED", *change.after) : Step::kContinue;
      case ChangeType::kModified:
        if (was && is) return Send("MODIFIED", *change.after);
        if (is) return Send("ADDED", *change.after);
        if (was) {
          // Left the selected set: the previous state, at the change's RV.
          nlohmann::json last = change.before->json();
          last["metadata"]["resourceVersion"] = std::to_string(change.resource_version);
          StoredObject gone(resource_, change.before->key(), std::move(last),
                            change.resource_version);
          return Send("DELETED", gone);
        }
        return Step::kContinue;
    }
    return Step::kContinue;
  }

  Step Send(const char* type, const StoredObject& object) {
    if (!Write(encoder_.WatchEvent(type, object))) return Step::kAbandon;
    ++sent_;
    if (fault_ && fault_->type == Fault::Type::kResetAfter && sent_ >= fault_->events) {
      return Step::kAbandon;
    }
    return MaybeStall();
  }

  // A stall fault takes effect once `events` events have been sent.
  Step MaybeStall() {
    if (!fault_ || fault_->type != Fault::Type::kStall || stalled_ || sent_ < fault_->events) {
      return Step::kContinue;
    }
    stalled_ = true;
    context_.stalls->Wait(fault_->duration, [this] { return Abandoned(); });
    return Abandoned() ? Step::kAbandon : Step::kContinue;
  }

  // The server is going down or the client has hung up: nobody to write to.
  bool Abandoned() const { return context_.closing() || PeerHasClosed(peer_fd_); }

  bool Write(const std::string& bytes) {
    return !context_.closing() && sink_->write(bytes.data(), bytes.size());
  }

  const ServerContext& context_;
  Resource resource_;
  RequestOptions options_;
  std::optional<Fault> fault_;
  const WireEncoder& encoder_;
  Clock::time_point deadline_;
  int peer_fd_;
  httplib::DataSink* sink_ = nullptr;
  uint64_t position_ = 0;  // the RV the client has seen everything up to
  size_t sent_ = 0;        // ADDED/MODIFIED/DELETED events written
  bool stalled_ = false;
};

}  // namespace

void StartWatch(const ServerContext& context, Resource resource, const RequestOptions& options,
                std::optional<Fault> fault, const WireEncoder& encoder, int peer_fd,
                httplib::Response& response) {
  auto stream =
      std::make_shared<WatchStream>(context, resource, options, std::move(fault), encoder, peer_fd);
  response.status = 200;
  response.set_chunked_content_provider(
      encoder.watch_content_type(),
      [stream](size_t /*offset*/, httplib::DataSink& sink) { return stream->Run(sink); });
}

}  // namespace sluice::fake_apiserver
