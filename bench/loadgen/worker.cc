#include "worker.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace sluice::loadgen {

void Counts::Merge(const Counts& other) {
  attempted += other.attempted;
  succeeded += other.succeeded;
  failed += other.failed;
  for (const auto& [reason, n] : other.failed_by_reason) failed_by_reason[reason] += n;
}

namespace {

constexpr int kMaxEvents = 256;
constexpr auto kSweepInterval = std::chrono::milliseconds(20);  // timeouts are found this late
constexpr size_t kMaxAnswerLine = 128;     // longer first lines are cut for the tally
constexpr size_t kMaxDistinctAnswers = 256;  // per target; the rest are "(other)"

enum class State { kFree, kConnecting, kAwaitingAnswer };

struct Slot {
  State state = State::kFree;
  int fd = -1;
  size_t target = 0;
  bool measured = false;  // started after the warm-up
  bool answered = false;  // first byte seen (latency recorded)
  Clock::time_point started;
  std::string line;  // first answer line, when counting responses
};

class Worker {
 public:
  Worker(const Options& options, const Schedule& schedule, unsigned index, unsigned count)
      : options_(options), schedule_(schedule), index_(index), count_(count), next_target_(index) {
    // An even share of the concurrency and of the rate; the first workers take the rest.
    const unsigned share = options.concurrency / count + (index < options.concurrency % count ? 1 : 0);
    slots_.resize(std::max(1u, share));
    if (options.rate > 0) interval_ = std::chrono::duration<double>(count / options.rate);
    epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd_ < 0) throw std::runtime_error(std::string("epoll_create1: ") + strerror(errno));
  }
  ~Worker() {
    for (Slot& slot : slots_)
      if (slot.fd >= 0) close(slot.fd);
    close(epoll_fd_);
  }

  WorkerResult Run();

 private:
  Counts& CountsFor(const Slot& slot) { return slot.measured ? result_.measured : result_.warmup; }
  bool MayStart(Clock::time_point now);
  void Start(Slot& slot, uint32_t slot_index, Clock::time_point now);
  void OnEvent(Slot& slot, uint32_t events);
  void SendRequest(Slot& slot);
  void ReadAnswer(Slot& slot);
  void Fail(Slot& slot, const std::string& reason);
  void Succeed(Slot& slot);
  void Release(Slot& slot);
  void SweepTimeouts(Clock::time_point now);
  size_t InFlight() const { return in_flight_; }

  const Options& options_;
  const Schedule& schedule_;
  unsigned index_;
  unsigned count_;
  size_t next_target_;
  std::vector<Slot> slots_;
  std::vector<uint32_t> free_slots_;
  size_t in_flight_ = 0;
  int epoll_fd_ = -1;
  bool stopping_ = false;  // no more starts: deadline or max_connections reached
  std::chrono::duration<double> interval_{0};
  WorkerResult result_;
};

bool Worker::MayStart(Clock::time_point now) {
  if (stopping_) return false;
  if (now >= schedule_.deadline) {
    stopping_ = true;
    return false;
  }
  if (schedule_.started->fetch_add(1, std::memory_order_relaxed) >= options_.max_connections) {
    stopping_ = true;
    return false;
  }
  return true;
}

void Worker::Start(Slot& slot, uint32_t slot_index, Clock::time_point now) {
  slot.target = next_target_++ % options_.targets.size();
  slot.measured = now >= schedule_.warmup_end;
  slot.answered = false;
  slot.line.clear();
  ++CountsFor(slot).attempted;
  const Endpoint& target = options_.targets[slot.target];
  const int type = options_.protocol == Protocol::kTcp ? SOCK_STREAM : SOCK_DGRAM;
  slot.fd = socket(target.family(), type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (slot.fd < 0) {
    ++CountsFor(slot).failed;
    ++CountsFor(slot).failed_by_reason[ErrnoName(errno)];
    free_slots_.push_back(slot_index);
    return;
  }
  ++in_flight_;
  slot.started = Clock::now();  // latency counts connect() itself: that is where sockets are translated
  epoll_event event{};
  event.data.u32 = slot_index;
  if (connect(slot.fd, target.get(), target.length) == 0) {
    SendRequest(slot);
    if (slot.state == State::kFree) return;
    event.events = EPOLLIN;
  } else if (errno == EINPROGRESS) {
    slot.state = State::kConnecting;
    event.events = EPOLLOUT;
  } else {
    Fail(slot, ErrnoName(errno));
    return;
  }
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, slot.fd, &event) != 0) Fail(slot, ErrnoName(errno));
}

void Worker::SendRequest(Slot& slot) {
  const ssize_t sent = send(slot.fd, options_.request.data(), options_.request.size(), MSG_NOSIGNAL);
  if (sent != static_cast<ssize_t>(options_.request.size())) {
    Fail(slot, sent < 0 ? ErrnoName(errno) : "SHORT_SEND");
    return;
  }
  slot.state = State::kAwaitingAnswer;
}

void Worker::OnEvent(Slot& slot, uint32_t events) {
  if (slot.state == State::kConnecting) {
    int error = 0;
    socklen_t length = sizeof(error);
    if (getsockopt(slot.fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) error = errno;
    if (error != 0) {
      Fail(slot, ErrnoName(error));
      return;
    }
    if (!(events & EPOLLOUT)) return;
    SendRequest(slot);
    if (slot.state == State::kFree) return;
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u32 = static_cast<uint32_t>(&slot - slots_.data());
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, slot.fd, &event) != 0) Fail(slot, ErrnoName(errno));
    return;
  }
  if (slot.state == State::kAwaitingAnswer) ReadAnswer(slot);
}

// TCP: the answer, then the server's close (EOF) ends the exchange. UDP: one datagram.
void Worker::ReadAnswer(Slot& slot) {
  std::array<char, 512> buffer;
  for (int reads = 0; reads < 16; ++reads) {
    const ssize_t n = recv(slot.fd, buffer.data(), buffer.size(), 0);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) return;
      Fail(slot, ErrnoName(errno));
      return;
    }
    if (n == 0) {
      if (slot.answered) {
        Succeed(slot);
      } else {
        Fail(slot, "EOF_BEFORE_ANSWER");
      }
      return;
    }
    if (!slot.answered) {
      slot.answered = true;
      if (slot.measured) {
        result_.latency->Record(static_cast<uint64_t>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - slot.started).count()));
      }
    }
    if (options_.count_responses && slot.line.find('\n') == std::string::npos &&
        slot.line.size() < kMaxAnswerLine) {
      slot.line.append(buffer.data(), std::min(static_cast<size_t>(n), kMaxAnswerLine - slot.line.size()));
    }
    if (options_.protocol == Protocol::kUdp) {
      Succeed(slot);
      return;
    }
  }
}

void Worker::Fail(Slot& slot, const std::string& reason) {
  Counts& counts = CountsFor(slot);
  ++counts.failed;
  ++counts.failed_by_reason[reason];
  Release(slot);
}

void Worker::Succeed(Slot& slot) {
  ++CountsFor(slot).succeeded;
  if (slot.measured) {
    result_.exchange->Record(static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - slot.started).count()));
  }
  if (options_.count_responses) {
    std::string line = slot.line.substr(0, slot.line.find('\n'));
    // An echo server's "name=be1 peer=... local=..." line: the name is what tells
    // backends apart (peer changes with every connection).
    if (line.starts_with("name=")) line = line.substr(5, line.find(' ') == std::string::npos ? std::string::npos : line.find(' ') - 5);
    auto& tally = result_.responses[slot.target];
    if (!tally.contains(line) && tally.size() >= kMaxDistinctAnswers) line = "(other)";
    ++tally[line];
  }
  Release(slot);
}

void Worker::Release(Slot& slot) {
  if (slot.fd >= 0) close(slot.fd);  // also leaves the epoll set
  slot.fd = -1;
  slot.state = State::kFree;
  --in_flight_;
  free_slots_.push_back(static_cast<uint32_t>(&slot - slots_.data()));
}

void Worker::SweepTimeouts(Clock::time_point now) {
  for (Slot& slot : slots_) {
    if (slot.state != State::kFree && now - slot.started >= options_.timeout) Fail(slot, "ETIMEDOUT");
  }
}

WorkerResult Worker::Run() {
  for (uint32_t i = static_cast<uint32_t>(slots_.size()); i-- > 0;) free_slots_.push_back(i);
  std::array<epoll_event, kMaxEvents> events;
  // Workers start their paced schedules staggered across one interval.
  auto next_start =
      schedule_.start + std::chrono::duration_cast<Clock::duration>(interval_ * index_ / count_);
  auto next_sweep = schedule_.start + kSweepInterval;
  // Bounded: the loop ends at the deadline whatever happens; every pass either waits
  // (at most until the next start, sweep or deadline) or makes progress.
  while (true) {
    Clock::time_point now = Clock::now();
    if (now >= schedule_.deadline) break;
    if (stopping_ && in_flight_ == 0) break;

    if (interval_.count() == 0) {
      // At most one start per slot and pass: a target that fails at once (refused,
      // unreachable) must not keep this loop from reading the clock.
      for (size_t starts = slots_.size(); starts > 0 && !free_slots_.empty() && MayStart(now); --starts) {
        const uint32_t index = free_slots_.back();
        free_slots_.pop_back();
        Start(slots_[index], index, now);
      }
    } else {
      // Paced: one start per interval; a start due while every slot is busy is skipped
      // (counted), not queued, so a slow target does not get a burst later.
      for (int due = 0; next_start <= now && due < 1000; ++due) {
        next_start += std::chrono::duration_cast<Clock::duration>(interval_);
        if (free_slots_.empty()) {
          if (!stopping_) ++result_.skipped;
          continue;
        }
        if (!MayStart(now)) break;
        const uint32_t index = free_slots_.back();
        free_slots_.pop_back();
        Start(slots_[index], index, now);
      }
    }

    if (now >= next_sweep) {
      SweepTimeouts(now);
      next_sweep = now + kSweepInterval;
    }

    Clock::time_point wake = std::min(next_sweep, schedule_.deadline);
    if (interval_.count() != 0 && !stopping_) wake = std::min(wake, next_start);
    if (interval_.count() == 0 && !free_slots_.empty() && !stopping_) wake = now;  // start more now
    const auto wait = std::max(Clock::duration::zero(), wake - Clock::now());
    timespec timeout{};
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(wait).count();
    timeout.tv_sec = static_cast<time_t>(ns / 1'000'000'000);
    timeout.tv_nsec = static_cast<long>(ns % 1'000'000'000);
    const int n = epoll_pwait2(epoll_fd_, events.data(), kMaxEvents, &timeout, nullptr);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string("epoll_pwait2: ") + strerror(errno));
    }
    for (int i = 0; i < n; ++i) {
      Slot& slot = slots_[events[i].data.u32];
      if (slot.state != State::kFree) OnEvent(slot, events[i].events);
    }
  }
  result_.finished = std::min(Clock::now(), schedule_.deadline);
  for (Slot& slot : slots_) {
    if (slot.state == State::kFree) continue;
    if (slot.measured) ++result_.unfinished;
    close(slot.fd);
    slot.fd = -1;
    slot.state = State::kFree;
  }
  in_flight_ = 0;
  return std::move(result_);
}

}  // namespace

WorkerResult RunWorker(const Options& options, const Schedule& schedule, unsigned index,
                       unsigned count) {
  Worker worker(options, schedule, index, count);
  return worker.Run();
}

}  // namespace sluice::loadgen
