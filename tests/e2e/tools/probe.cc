// sluice-probe: the client of end-to-end tests. Makes --count attempts (each on a
// fresh socket, so each is a new connect() for the socket-LB hooks) or holds one flow
// for --hold seconds, and prints one JSON object describing what it saw (format in
// probe_report.h). With --cgroup it first moves itself into that cgroup, so the BPF
// programs attached there apply to its sockets.
//
// Exit status: 0 when it ran, whatever the attempts did; 1 when it could not start
// (cannot join the cgroup); 2 on usage errors.
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <thread>

#include "probe_exchange.h"
#include "probe_options.h"
#include "probe_report.h"

namespace {

using namespace sluice::e2e;

constexpr auto kHoldTick = std::chrono::milliseconds(100);

bool JoinCgroup(const std::string& dir) {
  const std::string procs = dir + "/cgroup.procs";
  std::ofstream out(procs);
  out << getpid() << std::flush;
  if (!out) {
    std::fprintf(stderr, "sluice-probe: cannot join cgroup: writing %s failed: %s\n", procs.c_str(),
                 ErrnoName(errno).c_str());
    return false;
  }
  return true;
}

std::string RequestFor(int seq) { return "probe-" + std::to_string(seq); }

Outcome OneAttempt(const ProbeOptions& options, int seq) {
  const auto deadline = Clock::now() + options.timeout;
  Outcome outcome;
  Socket socket = OpenProbeSocket(options.target, options.tcp, options.bind, outcome.error);
  if (!socket.valid()) return outcome;
  if (options.tcp) {
    ConnectTcp(socket, options.target, deadline, outcome);
    std::string pending;
    if (outcome.ok()) ExchangeTcp(socket, RequestFor(seq), deadline, pending, outcome);
  } else {
    if (options.udp_connected) ConnectUdp(socket, options.target, outcome);
    if (outcome.ok()) {
      ExchangeUdp(socket, options.udp_connected, options.target, RequestFor(seq), deadline,
                  outcome);
    }
  }
  return outcome;
}

std::chrono::microseconds Since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
}

void RunCount(const ProbeOptions& options, ProbeReport& report) {
  for (int seq = 1; seq <= options.count; ++seq) {
    if (seq > 1 && options.interval.count() > 0) std::this_thread::sleep_for(options.interval);
    const auto start = Clock::now();
    const Outcome outcome = OneAttempt(options, seq);
    report.Add(seq, outcome, Since(start));
  }
}

// One TCP connection: "hold" first, then a request every tick. Anything but a timeout
// ends the flow: the stream is gone or no longer in step.
void HoldTcp(const ProbeOptions& options, ProbeReport& report) {
  const auto start = Clock::now();
  Outcome first;
  Socket socket = OpenProbeSocket(options.target, true, options.bind, first.error);
  if (socket.valid()) ConnectTcp(socket, options.target, start + options.timeout, first);
  const bool connected = first.ok();
  std::string pending;
  if (connected) {
    ExchangeTcp(socket, std::string(kHoldRequest), Clock::now() + options.timeout, pending, first);
  }
  report.Add(0, first, Since(start));
  if (!first.ok()) {
    report.SetHold(connected, true, first.error);
    return;
  }
  const int ticks = static_cast<int>(options.hold / kHoldTick);
  for (int seq = 1; seq <= ticks; ++seq) {
    std::this_thread::sleep_until(start + seq * kHoldTick);
    const auto sent_at = Clock::now();
    Outcome outcome;
    outcome.peer = PeerAddressOf(socket.get());
    ExchangeTcp(socket, RequestFor(seq), sent_at + options.timeout, pending, outcome);
    report.Add(seq, outcome, Since(sent_at));
    if (!outcome.ok() && outcome.error != "ETIMEDOUT") {
      report.SetHold(true, true, outcome.error);
      return;
    }
  }
  report.SetHold(true, false, "");
}

// One UDP socket for the whole time, a datagram every tick; a lost answer does not
// end the flow.
void HoldUdp(const ProbeOptions& options, ProbeReport& report) {
  const auto start = Clock::now();
  Outcome setup;
  Socket socket = OpenProbeSocket(options.target, false, options.bind, setup.error);
  if (socket.valid() && options.udp_connected) ConnectUdp(socket, options.target, setup);
  if (!setup.ok()) {
    report.Add(0, setup, Since(start));
    report.SetHold(false, true, setup.error);
    return;
  }
  const int ticks = static_cast<int>(options.hold / kHoldTick);
  for (int seq = 1; seq <= ticks; ++seq) {
    std::this_thread::sleep_until(start + seq * kHoldTick);
    const auto sent_at = Clock::now();
    Outcome outcome;
    ExchangeUdp(socket, options.udp_connected, options.target, RequestFor(seq),
                sent_at + options.timeout, outcome);
    report.Add(seq, outcome, Since(sent_at));
  }
  report.SetHold(true, false, "");
}

}  // namespace

int main(int argc, char** argv) {
  auto parsed = ParseProbeOptions(argc, argv);
  if (const int* exit_status = std::get_if<int>(&parsed)) return *exit_status;
  const ProbeOptions& options = std::get<ProbeOptions>(parsed);
  // Before any socket exists: the cgroup's hooks see only sockets made inside it.
  if (!options.cgroup.empty() && !JoinCgroup(options.cgroup)) return 1;
  signal(SIGPIPE, SIG_IGN);

  ProbeReport report(options);
  const auto start = Clock::now();
  if (options.hold.count() == 0) {
    RunCount(options, report);
  } else if (options.tcp) {
    HoldTcp(options, report);
  } else {
    HoldUdp(options, report);
  }
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  std::cout << report.ToJson(elapsed).dump(options.pretty ? 2 : -1) << std::endl;
  return 0;
}
