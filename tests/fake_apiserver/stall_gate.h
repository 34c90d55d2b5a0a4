// Where stalled requests wait: until their stall's duration passes, ReleaseAll()
// is called, or the server goes down. A stall "until released" is still bounded
// (kMaxStall) so a test that forgets to release cannot hang forever.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>

namespace sluice::fake_apiserver {

class StallGate {
 public:
  static constexpr std::chrono::minutes kMaxStall{10};
  static constexpr std::chrono::milliseconds kRecheck{200};

  // duration zero: until ReleaseAll(), which also ends timed stalls early. Returns
  // early when `interrupted()` holds after a Wake().
  void Wait(std::chrono::milliseconds duration, const std::function<bool()>& interrupted);
  void ReleaseAll();
  void Wake();
  size_t stalled() const;  // requests waiting right now

 private:
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  uint64_t releases_ = 0;
  size_t waiting_ = 0;
};

}  // namespace sluice::fake_apiserver
