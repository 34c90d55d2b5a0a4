// Randomness as an injected dependency (jittered backoff, watch timeouts): tests give
// a fixed sequence, production a seeded engine.
#pragma once

#include <mutex>
#include <random>

namespace sluice {

class Random {
 public:
  virtual ~Random() = default;
  virtual double Uniform01() = 0;  // in [0, 1)
};

class SystemRandom final : public Random {
 public:
  SystemRandom() : engine_(std::random_device{}()) {}
  double Uniform01() override {
    std::lock_guard lock(mu_);
    return std::uniform_real_distribution<double>(0.0, 1.0)(engine_);
  }

 private:
  std::mutex mu_;
  std::mt19937_64 engine_;
};

}  // namespace sluice
