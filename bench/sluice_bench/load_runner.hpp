#pragma once

// Runs one load test end to end: resolves the target, builds the shared tables, starts one
// Worker per thread with its share of the connections (and of --rate), prints a progress line
// every second, stops on time, on --requests or on interrupt, and merges the workers' results.
//
// Used from the main thread only.

#include <atomic>
#include <cstdint>
#include <iosfwd>
#include <string>

#include "bench/sluice_bench/load_options.hpp"
#include "bench/sluice_bench/run_stats.hpp"

namespace sluice::bench {

struct RunSummary {
  std::string run_id;          // the prefix of every messageId sent
  RunStats stats;              // merged over threads, measured window only
  double elapsed_seconds = 0;  // the measured window: after warmup, to the end of the run
  std::uint64_t unsent = 0;    // open loop: scheduled requests never sent (generator behind)
  bool interrupted = false;
  // The generator's own CPU time (user + system) over the whole run, warmup included, in cores:
  // near the machine's core count, the generator competes with what it measures.
  double generator_cores = 0;
};

// interrupt: set (e.g. by a SIGINT handler) to end the run early; it still reports.
// Returns false with *error when the run could not start or failed internally.
bool run_load(const LoadOptions& options, const std::atomic<bool>& interrupt,
              std::ostream& progress, RunSummary* summary, std::string* error);

}  // namespace sluice::bench
