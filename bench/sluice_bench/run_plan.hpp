#pragma once

// What every worker thread of a load run shares: the options, the read-only tables built
// from them, the target's addresses, the run's clock marks, and the few atomics through which
// the threads coordinate. Owned by run_load (load_runner.cpp), which outlives the workers.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <boost/asio/ip/tcp.hpp>

#include "bench/sluice_bench/acked_log.hpp"
#include "bench/sluice_bench/io_types.hpp"
#include "bench/sluice_bench/load_options.hpp"
#include "bench/sluice_bench/payload_templates.hpp"
#include "bench/sluice_bench/request_heads.hpp"
#include "bench/sluice_bench/zipf_sampler.hpp"

namespace sluice::bench {

struct RunControl {
  // Requests claimed so far, against --requests.
  std::atomic<std::uint64_t> requests_claimed{0};
  // Ctrl-C or an internal failure: start no new request.
  std::atomic<bool> stop{false};
  // Workers whose thread has not finished yet.
  std::atomic<unsigned> workers_running{0};
};

struct RunPlan {
  const LoadOptions& options;
  const RequestHeads& heads;
  const PayloadLibrary& library;
  const ZipfSampler& users;
  std::vector<boost::asio::ip::tcp::endpoint> endpoints;
  std::string run_id;
  std::uint64_t seed = 0;           // of the run's payload generators (each adds its index)
  Clock::time_point start;          // the first request (warmup included)
  Clock::time_point measure_start;  // start + warmup: responses from here on are counted
  Clock::time_point deadline;       // no request starts later; max() without --duration
  AckedLog* acked = nullptr;        // nullptr without --acked
  RunControl* control = nullptr;
};

}  // namespace sluice::bench
