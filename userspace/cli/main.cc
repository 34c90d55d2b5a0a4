// sluicectl: reads sluice's pinned maps directly (the agent may be running or not)
// and shows what the datapath will do.
#include <CLI/CLI.hpp>
#include <iostream>

#include "datapath/bpf_map_set.h"
#include "datapath/pin_paths.h"
#include "datapath/snapshot.h"
#include "cli/views.h"

namespace {

enum class Output { kTable, kJson };

}  // namespace

int main(int argc, char** argv) {
  using namespace sluice;
  CLI::App app{"sluicectl: inspect sluice's BPF maps"};
  app.require_subcommand(1);
  std::string bpffs = datapath::kDefaultBpffsDir;
  std::string output = "table";
  app.add_option("--bpffs", bpffs, "sluice's bpffs directory (as given to sluice-agent)")
      ->capture_default_str();
  app.add_option("-o,--output", output, "output format")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();

  auto* service = app.add_subcommand("service", "frontends and their backends");
  service->require_subcommand(1);
  auto* service_list = service->add_subcommand("list", "every frontend with its backends");
  auto* backend = app.add_subcommand("backend", "backends shared by frontends");
  backend->require_subcommand(1);
  auto* backend_list = backend->add_subcommand("list", "every backend and how many frontends use it");
  auto* stats = app.add_subcommand("stats", "datapath counters by name, map usage");

  CLI11_PARSE(app, argc, argv);
  const bool json = output == "json";
  try {
    auto maps = datapath::BpfMapSet::OpenPinned(bpffs, /*read_only=*/true);
    datapath::Snapshot snap = datapath::ReadSnapshot(*maps);
    if (*service_list) {
      if (json)
        std::cout << cli::ServicesJson(snap).dump(2) << '\n';
      else
        cli::PrintServices(snap, std::cout);
    } else if (*backend_list) {
      if (json)
        std::cout << cli::BackendsJson(snap).dump(2) << '\n';
      else
        cli::PrintBackends(snap, std::cout);
    } else if (*stats) {
      auto counters = maps->ReadCounters();
      if (json)
        std::cout << cli::StatsJson(counters, snap).dump(2) << '\n';
      else
        cli::PrintStats(counters, snap, std::cout);
    }
  } catch (const std::exception& e) {
    std::cerr << "sluicectl: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
