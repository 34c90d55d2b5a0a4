#include "bpf/datapath_fixture.h"

#include <unistd.h>

#include <exception>

#include "sluice/abi.h"

namespace sluice::bpftest {

DatapathTest::Shared* DatapathTest::shared_ = nullptr;
std::string* DatapathTest::setup_error_ = nullptr;

void DatapathTest::SetUpTestSuite() {
  if (geteuid() != 0) return;  // SetUp() skips every test, saying why
  try {
    shared_ = new Shared();
  } catch (const std::exception& e) {
    setup_error_ = new std::string(e.what());
  }
}

void DatapathTest::TearDownTestSuite() {
  delete shared_;
  shared_ = nullptr;
  delete setup_error_;
  setup_error_ = nullptr;
}

void DatapathTest::SetUp() {
  if (geteuid() != 0)
    GTEST_SKIP() << "skipped: BPF datapath tests load programs and run BPF_PROG_TEST_RUN in a "
                    "network namespace of their own, which needs root; running as uid "
                 << geteuid();
  if (!shared_)
    FAIL() << "could not set up the datapath: " << (setup_error_ ? *setup_error_ : "unknown error");
  state().Reset();
}

std::string DatapathTest::TablesSeen() {
  return "conntrack entries: " + std::to_string(state().Entries(SLUICE_MAP_CT)) +
         ", NAT entries: " + std::to_string(state().Entries(SLUICE_MAP_NAT)) +
         ", affinity entries: " + std::to_string(state().Entries(SLUICE_MAP_AFFINITY)) +
         "; counters: " + state().NonZeroCounters();
}

}  // namespace sluice::bpftest
