// sluice-test-echo: the backend of end-to-end tests. Serves TCP and UDP on every
// --listen address and answers each request with one line naming itself and the
// client address it saw (format in echo_reply.h), so a test can tell which backend a
// flow reached and whether the client address survived the datapath.
//
//   sluice-test-echo --name be1 --listen 198.18.1.2:8080 --listen [fd00:18:1::2]:8080
//                    [--proto tcp|udp|both] [--ready-file PATH] [--verbose]
//
// TCP: one request line, one answer, then close; the request line "hold" keeps the
// connection open and every further line gets its own answer, until the client closes.
// UDP: every datagram is answered to its sender, from the address it was sent to.
// Exits 0 on SIGTERM/SIGINT, 1 if a socket cannot be opened, 2 on usage errors.
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <fstream>
#include <stdexcept>

#include "echo_loop.h"

namespace {

using sluice::e2e::ErrnoName;
using sluice::e2e::SocketAddress;

// Written whole under a temporary name and renamed, so a waiter never reads half.
bool WriteReadyFile(const std::string& path) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << getpid() << "\n";
    if (!out) return false;
  }
  return std::rename(temporary.c_str(), path.c_str()) == 0;
}

// SIGTERM/SIGINT become readable events on a signalfd, handled by the loop like any
// socket: no async handler, no flags shared with one.
int BlockTerminationSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  if (sigprocmask(SIG_BLOCK, &signals, nullptr) != 0) return -1;
  signal(SIGPIPE, SIG_IGN);
  return signalfd(-1, &signals, SFD_NONBLOCK | SFD_CLOEXEC);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"sluice-test-echo: TCP/UDP backend for sluice end-to-end tests"};
  sluice::e2e::EchoConfig config;
  std::vector<std::string> listen_texts;
  std::string proto = "both";
  std::string ready_file;
  int request_timeout_ms = 10000;
  app.add_option("--name", config.name, "name put in every answer (e.g. be1)")->required();
  app.add_option("--listen", listen_texts, "ADDR:PORT or [ADDR6]:PORT; repeatable")->required();
  app.add_option("--proto", proto, "which transports to serve")
      ->check(CLI::IsMember({"tcp", "udp", "both"}));
  app.add_option("--ready-file", ready_file, "written once every socket listens");
  app.add_option("--request-timeout-ms", request_timeout_ms,
                 "close a TCP connection that sends no line within this")
      ->check(CLI::Range(1, 3600 * 1000));
  app.add_option("--max-connections", config.max_connections, "concurrent TCP connections")
      ->check(CLI::Range(1, 1 << 20));
  app.add_flag("--verbose", config.verbose, "log every request on stderr");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  config.request_timeout = std::chrono::milliseconds(request_timeout_ms);

  std::vector<SocketAddress> addresses;
  for (const std::string& text : listen_texts) {
    auto address = SocketAddress::Parse(text);
    if (!address) {
      std::fprintf(stderr, "sluice-test-echo: --listen %s: want ADDR:PORT or [ADDR6]:PORT\n",
                   text.c_str());
      return 2;
    }
    addresses.push_back(*address);
  }

  const int signal_fd = BlockTerminationSignals();
  if (signal_fd < 0) {
    std::fprintf(stderr, "sluice-test-echo: signalfd: %s\n", ErrnoName(errno).c_str());
    return 1;
  }
  std::vector<sluice::e2e::Listener> listeners;
  try {
    listeners = sluice::e2e::OpenListeners(addresses, proto != "udp", proto != "tcp");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sluice-test-echo: %s\n", e.what());
    return 1;
  }
  if (!ready_file.empty() && !WriteReadyFile(ready_file)) {
    std::fprintf(stderr, "sluice-test-echo: cannot write ready file %s\n", ready_file.c_str());
    sluice::e2e::CloseListeners(listeners);
    return 1;
  }
  std::fprintf(stderr, "sluice-test-echo %s: serving %zu socket(s)\n", config.name.c_str(),
               listeners.size());

  const int status = sluice::e2e::RunEchoLoop(config, listeners, signal_fd);

  sluice::e2e::CloseListeners(listeners);
  close(signal_fd);
  if (!ready_file.empty()) unlink(ready_file.c_str());
  std::fprintf(stderr, "sluice-test-echo %s: stopped\n", config.name.c_str());
  return status;
}
