// Empties the conntrack table of the calling thread's network namespace over
// ctnetlink (what `conntrack -F` does), so every run of a conntrack-using mode starts
// from the same empty table instead of the TIME_WAIT entries of the runs before it.
#pragma once

#include <string>

namespace sluice::bench {

// Returns "" on success, else why it failed.
std::string FlushConntrack();

}  // namespace sluice::bench
