#include "bpf/prog_runner.h"

#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "tc_lb.skel.h"
#include "xdp_lb.skel.h"

namespace sluice::bpftest {
namespace {

// Room for any answer the programs build from a test frame (they only ever grow a
// frame by an ICMP header and an IP header).
constexpr size_t kOutRoom = 4096;

std::runtime_error Failure(const std::string& what, int err) {
  return std::runtime_error(what + ": " + std::strerror(err < 0 ? -err : err));
}

Verdict XdpVerdict(int rc) {
  switch (rc) {
    case XDP_PASS:
      return Verdict::kPass;
    case XDP_DROP:
      return Verdict::kDrop;
    case XDP_TX:
      return Verdict::kTx;
    case XDP_REDIRECT:
      return Verdict::kRedirect;
    default:
      return Verdict::kOther;
  }
}

Verdict TcVerdict(int rc) {
  switch (rc) {
    case TC_ACT_OK:
      return Verdict::kPass;
    case TC_ACT_SHOT:
      return Verdict::kDrop;
    case TC_ACT_REDIRECT:
      return Verdict::kRedirect;
    default:
      return Verdict::kOther;
  }
}

}  // namespace

std::string ToString(Hook hook) {
  switch (hook) {
    case Hook::kXdp:
      return "xdp";
    case Hook::kTcIngress:
      return "tc_ingress";
    case Hook::kTcEgress:
      return "tc_egress";
  }
  return "?";
}

std::string ToString(Verdict verdict) {
  switch (verdict) {
    case Verdict::kPass:
      return "PASS";
    case Verdict::kDrop:
      return "DROP";
    case Verdict::kTx:
      return "TX";
    case Verdict::kRedirect:
      return "REDIRECT";
    case Verdict::kOther:
      break;
  }
  return "OTHER";
}

Verdict BounceVerdict(Hook hook) { return hook == Hook::kXdp ? Verdict::kTx : Verdict::kRedirect; }

void ProgRunner::XdpDeleter::operator()(xdp_lb* s) const { xdp_lb__destroy(s); }
void ProgRunner::TcDeleter::operator()(tc_lb* s) const { tc_lb__destroy(s); }

ProgRunner::ProgRunner()
    : ProgRunner([](std::string_view, uint32_t built_with) {
        return std::min(built_with, kTestMapEntries);
      }) {}

ProgRunner::ProgRunner(const MapSizer& sizer) {
  xdp_.reset(xdp_lb__open());
  if (!xdp_) throw Failure("cannot open the xdp_lb object", errno);
  bpf_map* map;
  bpf_object__for_each_map(map, xdp_->obj) {
    if (bpf_map__is_internal(map)) continue;
    const uint32_t built_with = bpf_map__max_entries(map);
    const uint32_t size = sizer(bpf_map__name(map), built_with);
    if (size != built_with && bpf_map__set_max_entries(map, size) != 0)
      throw Failure(std::string("cannot size map ") + bpf_map__name(map), errno);
  }
  if (int err = xdp_lb__load(xdp_.get())) throw Failure("cannot load the xdp_lb programs", err);

  tc_.reset(tc_lb__open());
  if (!tc_) throw Failure("cannot open the tc_lb object", errno);
  bpf_object__for_each_map(map, tc_->obj) {
    if (bpf_map__is_internal(map)) continue;
    const bpf_map* shared = bpf_object__find_map_by_name(xdp_->obj, bpf_map__name(map));
    if (!shared)
      throw std::runtime_error(std::string("tc_lb has a map xdp_lb lacks: ") + bpf_map__name(map));
    if (int err = bpf_map__reuse_fd(map, bpf_map__fd(shared)))
      throw Failure(std::string("cannot share map ") + bpf_map__name(map), err);
  }
  if (int err = tc_lb__load(tc_.get())) throw Failure("cannot load the tc_lb programs", err);
}

ProgRunner::~ProgRunner() = default;

bpf_object* ProgRunner::maps_object() const { return xdp_->obj; }

int ProgRunner::ProgramFd(Hook hook) const {
  const bpf_program* prog = hook == Hook::kXdp         ? xdp_->progs.sluice_xdp_ingress
                            : hook == Hook::kTcIngress ? tc_->progs.sluice_tc_ingress
                                                       : tc_->progs.sluice_tc_egress;
  return bpf_program__fd(prog);
}

RunResult ProgRunner::Run(Hook hook, std::span<const uint8_t> frame) const {
  auto result = TryRun(hook, frame);
  if (!result)
    throw Failure("BPF_PROG_TEST_RUN of " + ToString(hook) + " refused a " +
                      std::to_string(frame.size()) + "-byte frame",
                  EINVAL);
  return *result;
}

std::optional<RunResult> ProgRunner::TryRun(Hook hook, std::span<const uint8_t> frame) const {
  RunResult result;
  result.out.resize(frame.size() + kOutRoom);
  bpf_test_run_opts opts{};
  opts.sz = sizeof(opts);
  opts.data_in = frame.data();
  opts.data_size_in = static_cast<uint32_t>(frame.size());
  opts.data_out = result.out.data();
  opts.data_size_out = static_cast<uint32_t>(result.out.size());
  if (bpf_prog_test_run_opts(ProgramFd(hook), &opts) != 0) {
    if (errno == EINVAL) return std::nullopt;
    throw Failure("BPF_PROG_TEST_RUN of " + ToString(hook) + " with a " +
                      std::to_string(frame.size()) + "-byte frame failed",
                  errno);
  }
  result.out.resize(opts.data_size_out);
  result.retval = static_cast<int>(opts.retval);
  result.verdict = hook == Hook::kXdp ? XdpVerdict(result.retval) : TcVerdict(result.retval);
  return result;
}

}  // namespace sluice::bpftest
