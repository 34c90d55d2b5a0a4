// The base of every BPF datapath test. Per test suite: a private network namespace
// and one load of the programs. Per test: every map reset (Cilium's SETUP/CHECK, not
// Katran's fixtures that depend on the tests before them), so tests pass in any order
// and alone. Without root the tests are skipped, saying so.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "bpf/datapath_state.h"
#include "bpf/frame_matchers.h"
#include "bpf/packet_builder.h"
#include "bpf/packet_parser.h"
#include "bpf/private_netns.h"
#include "bpf/prog_runner.h"
#include "bpf/topology.h"

namespace sluice::bpftest {

class DatapathTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  void SetUp() override;

  RunResult Run(Hook hook, const Frame& frame) { return shared_->runner.Run(hook, frame); }
  std::optional<RunResult> TryRun(Hook hook, const Frame& frame) {
    return shared_->runner.TryRun(hook, frame);
  }
  DatapathState& state() { return shared_->state; }
  PrivateNetns& netns() { return shared_->netns; }

  // Every conntrack entry, NAT entry and affinity entry, for messages.
  std::string TablesSeen();

 private:
  struct Shared {
    PrivateNetns netns;  // first: entered before loading, left after unloading
    ProgRunner runner;
    DatapathState state{runner.maps_object()};
  };
  static Shared* shared_;
  static std::string* setup_error_;
};

}  // namespace sluice::bpftest
