#include "probe_report.h"

namespace sluice::e2e {
namespace {

// The host part of "ADDR:PORT": the client port a backend saw is ephemeral, counting
// it would give one entry per attempt.
std::string HostOf(const std::string& endpoint) {
  auto address = SocketAddress::Parse(endpoint);
  return address ? address->HostString() : endpoint;
}

}  // namespace

ProbeReport::ProbeReport(const ProbeOptions& options) : options_(options) {}

void ProbeReport::Add(int seq, const Outcome& outcome, std::chrono::microseconds latency) {
  ++attempts_;
  if (outcome.ok()) {
    ++successes_;
  } else {
    ++failures_[outcome.error];
  }
  if (!outcome.peer.empty()) ++peers_seen_[outcome.peer];
  if (outcome.reply) {
    ++backends_[outcome.reply->name];
    ++backend_saw_client_[HostOf(outcome.reply->peer)];
    ++backend_local_addr_[outcome.reply->local];
  }
  if (options_.verbose) {
    details_.push_back({
        {"seq", seq},
        {"ok", outcome.ok()},
        {"error", outcome.error},
        {"backend", outcome.reply ? outcome.reply->name : ""},
        {"peer", outcome.peer},
        {"backend_saw_client", outcome.reply ? outcome.reply->peer : ""},
        {"backend_local_addr", outcome.reply ? outcome.reply->local : ""},
        {"latency_us", latency.count()},
    });
  }
}

void ProbeReport::SetHold(bool connected, bool broken, const std::string& error) {
  hold_ = {{"seconds", options_.hold.count()},
           {"connected", connected},
           {"broken", broken},
           {"error", error}};
}

nlohmann::json ProbeReport::ToJson(std::chrono::milliseconds elapsed) const {
  nlohmann::json out = {
      {"target", options_.target.ToString()},
      {"proto", options_.tcp ? "tcp" : "udp"},
      {"mode", options_.hold.count() > 0 ? "hold" : "count"},
      {"attempts", attempts_},
      {"successes", successes_},
      {"failures", failures_},
      {"backends", backends_},
      {"peers_seen", peers_seen_},
      {"backend_saw_client", backend_saw_client_},
      {"backend_local_addr", backend_local_addr_},
      {"elapsed_ms", elapsed.count()},
  };
  if (!options_.tcp) out["udp_mode"] = options_.udp_connected ? "connected" : "unconnected";
  if (!hold_.is_null()) out["hold"] = hold_;
  if (options_.verbose) out["details"] = details_;
  return out;
}

}  // namespace sluice::e2e
