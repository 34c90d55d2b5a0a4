#include "probe_options.h"

#include <CLI/CLI.hpp>
#include <cstdio>

namespace sluice::e2e {

std::variant<ProbeOptions, int> ParseProbeOptions(int argc, char** argv) {
  CLI::App app{"sluice-probe: TCP/UDP client for sluice end-to-end tests; prints one JSON object"};
  ProbeOptions options;
  std::string target, proto = "tcp", udp_mode = "connected", bind;
  int interval_ms = 0, timeout_ms = 1000, hold_seconds = 0;
  app.add_option("--cgroup", options.cgroup,
                 "cgroup v2 directory to join first (its BPF hooks apply)");
  app.add_option("--target", target, "ADDR:PORT or [ADDR6]:PORT")->required();
  app.add_option("--proto", proto, "tcp or udp")->check(CLI::IsMember({"tcp", "udp"}));
  app.add_option("--count", options.count, "attempts, each on a fresh socket")
      ->check(CLI::Range(1, 1000000));
  app.add_option("--interval-ms", interval_ms, "pause between attempts")
      ->check(CLI::Range(0, 60000));
  app.add_option("--timeout-ms", timeout_ms, "per attempt: connect plus answer")
      ->check(CLI::Range(1, 60000));
  app.add_option("--udp-mode", udp_mode, "connected (connect+send) or unconnected (sendto)")
      ->check(CLI::IsMember({"connected", "unconnected"}));
  app.add_option("--hold", hold_seconds,
                 "keep one flow for SECONDS, a request every 100 ms (ignores --count)")
      ->check(CLI::Range(0, 3600));
  app.add_option("--bind", bind, "local ADDR or ADDR:PORT for the probe's sockets");
  app.add_flag("--verbose", options.verbose, "add per-attempt details");
  app.add_flag("--pretty", options.pretty, "indent the JSON");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }

  auto parsed_target = SocketAddress::Parse(target);
  if (!parsed_target) {
    std::fprintf(stderr, "sluice-probe: --target %s: want ADDR:PORT or [ADDR6]:PORT\n",
                 target.c_str());
    return 2;
  }
  options.target = *parsed_target;
  if (!bind.empty()) {
    options.bind = SocketAddress::ParseHostOrEndpoint(bind);
    if (!options.bind || options.bind->family() != options.target.family()) {
      std::fprintf(stderr, "sluice-probe: --bind %s: want an address of the target's family\n",
                   bind.c_str());
      return 2;
    }
  }
  options.tcp = proto == "tcp";
  options.udp_connected = udp_mode == "connected";
  options.interval = std::chrono::milliseconds(interval_ms);
  options.timeout = std::chrono::milliseconds(timeout_ms);
  options.hold = std::chrono::seconds(hold_seconds);
  return options;
}

}  // namespace sluice::e2e
