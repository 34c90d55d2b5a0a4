// End-to-end tests create namespaces, cgroups and bpffs mounts: they need root. Use
// at the top of a test body or SetUp(): elsewhere they are skipped, saying why.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#define SLUICE_E2E_REQUIRE_ROOT()                                                          \
  do {                                                                                     \
    if (::geteuid() != 0) {                                                                \
      GTEST_SKIP() << "skipped: end-to-end tests need root (network namespaces, cgroups, " \
                      "bpffs); running as uid "                                            \
                   << ::geteuid();                                                         \
    }                                                                                      \
  } while (0)
