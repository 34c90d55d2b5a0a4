// sluice-agent: see agent/agent.h.
#include <exception>

#include "agent/agent.h"
#include "agent/options.h"
#include "base/log.h"

int main(int argc, char** argv) {
  using namespace sluice;
  agent::AgentOptions options;
  if (int code = agent::ParseFlags(argc, argv, &options); code >= 0) return code;
  log::Level level = log::Level::kInfo;
  log::ParseLevel(options.log_level, &level);
  log::Configure(level, options.log_format == "json" ? log::Format::kJson : log::Format::kText);
  try {
    return options.cleanup ? agent::RunCleanup(options) : agent::RunAgent(options);
  } catch (const std::exception& e) {
    log::Error("sluice-agent failed", {{"error", e.what()}});
    return 1;
  }
}
