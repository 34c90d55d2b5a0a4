// Loads sluice's packet-path programs (the xdp_lb and tc_lb skeletons) privately — no
// bpffs, no pinning, no attaching — and runs frames through them with
// BPF_PROG_TEST_RUN. The tc object reuses the XDP object's maps, so every hook shares
// one state as the pinned maps make them do on a node.
#pragma once

#include <bpf/libbpf.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>

#include "bpf/packet_builder.h"

struct xdp_lb;
struct tc_lb;

namespace sluice::bpftest {

enum class Hook { kXdp, kTcIngress, kTcEgress };

// Verdicts of either program type, named for what happens to the frame.
enum class Verdict {
  kPass,      // XDP_PASS / TC_ACT_OK: on to the kernel
  kDrop,      // XDP_DROP / TC_ACT_SHOT
  kTx,        // XDP_TX: back out of the device it came in on
  kRedirect,  // XDP_REDIRECT / TC_ACT_REDIRECT (tc's bounce to the ingress device too)
  kOther,     // anything else (XDP_ABORTED, TC_ACT_UNSPEC, ...): never expected
};

std::string ToString(Hook hook);
std::string ToString(Verdict verdict);
inline std::ostream& operator<<(std::ostream& o, Hook h) { return o << ToString(h); }
inline std::ostream& operator<<(std::ostream& o, Verdict v) { return o << ToString(v); }

// The verdict that sends a built answer (RST, ICMP error) back where the packet came
// from: XDP_TX at XDP; at tc a redirect to the ingress device, which BPF_PROG_TEST_RUN
// reports as TC_ACT_REDIRECT without saying to which device.
Verdict BounceVerdict(Hook hook);

struct RunResult {
  int retval = 0;
  Verdict verdict = Verdict::kOther;
  Frame out;  // the frame as the program left it
};

class ProgRunner {
 public:
  // Map sizes for tests: creating the production-sized maps costs ~0.4 s per process,
  // and the loader may override every size anyway (include/sluice/limits.h).
  static constexpr uint32_t kTestMapEntries = 4096;

  // The max_entries a map is created with, given its name and the size the object was
  // built with (include/sluice/limits.h).
  using MapSizer = std::function<uint32_t(std::string_view map_name, uint32_t built_with)>;

  // Throws std::runtime_error saying what failed (libbpf prints the verifier log).
  // Every map is capped at kTestMapEntries.
  ProgRunner();
  // Maps sized by `sizer` instead (bench/packet loads production sizes).
  explicit ProgRunner(const MapSizer& sizer);
  ~ProgRunner();
  ProgRunner(const ProgRunner&) = delete;
  ProgRunner& operator=(const ProgRunner&) = delete;

  RunResult Run(Hook hook, std::span<const uint8_t> frame) const;
  // As Run(), but nullopt when BPF_PROG_TEST_RUN refuses the frame itself (EINVAL):
  // shorter than an Ethernet header, or at tc shorter than the IP header its
  // ethertype announces. No program runs then.
  std::optional<RunResult> TryRun(Hook hook, std::span<const uint8_t> frame) const;

  // The object that owns the shared maps.
  bpf_object* maps_object() const;
  // The program a hook runs, for callers that drive BPF_PROG_TEST_RUN themselves
  // (repeat counts, tail calls: bench/packet).
  int ProgramFd(Hook hook) const;

 private:
  struct XdpDeleter {
    void operator()(xdp_lb* s) const;
  };
  struct TcDeleter {
    void operator()(tc_lb* s) const;
  };
  std::unique_ptr<xdp_lb, XdpDeleter> xdp_;
  std::unique_ptr<tc_lb, TcDeleter> tc_;
};

}  // namespace sluice::bpftest
