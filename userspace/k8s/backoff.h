// client-go's exponential backoff for reflectors: 0.8 s doubling up to 30 s, each
// wait jittered by up to +100%, back to the start after 2 minutes without a failure.
#pragma once

#include <chrono>

#include "base/clock.h"
#include "base/random.h"

namespace sluice::k8s {

struct BackoffPolicy {
  Clock::Duration initial = std::chrono::milliseconds(800);
  Clock::Duration max = std::chrono::seconds(30);
  Clock::Duration reset_after = std::chrono::minutes(2);
  double factor = 2.0;
  double jitter = 1.0;  // a wait is base * (1 + jitter * U[0,1))
};

class Backoff {
 public:
  Backoff(BackoffPolicy policy, const Clock& clock, Random& random)
      : policy_(policy), clock_(clock), random_(random), base_(policy.initial) {}

  // The next wait after a failure.
  Clock::Duration Next();

 private:
  BackoffPolicy policy_;
  const Clock& clock_;
  Random& random_;
  Clock::Duration base_;
  Clock::TimePoint last_{};
  bool used_ = false;
};

}  // namespace sluice::k8s
