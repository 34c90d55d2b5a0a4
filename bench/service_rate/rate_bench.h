// B2 (TCP connection rate through a ClusterIP vs the number of Services) and B3
// (connect + first response latency vs the number of Services), measured together:
// for each N every mode is programmed with the same N Services, checked, and then the
// rounds go round the modes in turn (the order rotating from round to round), each
// mode getting a closed-loop rate run and a one-connection-at-a-time latency run.
// Ratios are taken inside a round (side by side), then summarized over the rounds.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "loadgen_runner.h"
#include "mode_env.h"

namespace sluice::bench {

struct BenchCommon {
  std::vector<std::string> modes;
  int runs = 3;
  size_t check_sample = 20;
  bool flush_conntrack = true;
  std::string out_dir;
  std::string command;  // as typed, for the record
  std::string tree;     // git describe of the source tree
  std::string loadgen_path;
  std::string self_path;
  EnvOptions env;
};

struct RateBenchOptions {
  BenchCommon common;
  std::vector<size_t> counts;  // N
  LoadSpec rate;     // closed loop, several connections in flight
  LoadSpec latency;  // one connection at a time: latency without queueing
};

// Prints the tables, writes B2.{csv,json,png} and B3.{csv,json,png} into out_dir
// (after every N, so an interrupted full run keeps what it measured). Returns 0, or 1
// if a mode failed its functional check (no figure is taken then).
int RunRateBench(const RateBenchOptions& options);

}  // namespace sluice::bench
