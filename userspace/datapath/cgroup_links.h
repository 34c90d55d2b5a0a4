// Attaching programs to a cgroup through pinned BPF links, so they stay attached
// while the agent is down, and adopting those links when it comes back: the new
// program replaces the old one inside the same link, with no moment unattached.
#pragma once

#include <string>

struct bpf_object;

namespace sluice::datapath {

// For every program of `obj`: if a link pinned under <dir>/links/<program> is
// attached to `cgroup_path`, swaps this program into it; otherwise attaches anew (a
// pinned link to another cgroup is removed first) and pins the link. Throws
// DatapathError on failure.
void AttachCgroupPrograms(bpf_object* obj, const std::string& dir, const std::string& cgroup_path);

}  // namespace sluice::datapath
