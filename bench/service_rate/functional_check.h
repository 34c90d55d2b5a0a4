// The functional check every mode passes before any figure is taken: from the client's
// place (the client Pod's namespace, and the run's cgroup for sluice), sampled Services
// (the measured one included) each reach every one of their backends. It is the check of
// bench/kubeproxy (reachability_check.h), run in a child process that first joins the
// mode's cgroup, so the same code checks all modes. "direct" has no Services: its
// check is that the measured Service's backends answer at their own addresses.
#pragma once

#include <cstddef>
#include <string>

#include "mode_env.h"
#include "service_set.h"

namespace sluice::bench {

struct CheckOutcome {
  bool ok = false;
  size_t frontends = 0;
  std::string summary;  // the check's own one-line summary (and failures)
};

// `self` is this program (it re-runs itself as `check`); `sample` Services at most.
CheckOutcome RunFunctionalCheck(ModeEnv& env, const ServiceSet& set, const std::string& self, size_t sample);

// The child's side: `sluice-service-rate check --expect FILE [--cgroup DIR]`.
// Exit status 0 when every frontend reached all its backends.
int CheckMain(const std::string& expect_file, const std::string& cgroup);

}  // namespace sluice::bench
