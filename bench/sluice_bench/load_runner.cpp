#include "bench/sluice_bench/load_runner.hpp"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <memory>
#include <ostream>
#include <random>
#include <sys/resource.h>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "bench/sluice_bench/acked_log.hpp"
#include "bench/sluice_bench/run_plan.hpp"
#include "bench/sluice_bench/worker.hpp"

namespace sluice::bench {
namespace {

// User plus system CPU time of this process so far.
std::chrono::duration<double> process_cpu_time() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& time) {
    return static_cast<double>(time.tv_sec) + static_cast<double>(time.tv_usec) / 1e6;
  };
  return std::chrono::duration<double>(seconds(usage.ru_utime) + seconds(usage.ru_stime));
}

using namespace std::chrono_literals;

constexpr auto kPollInterval = 50ms;
constexpr auto kProgressInterval = 1s;

// Random per run, so that messageIds never repeat across runs against the same log.
std::string make_run_id(std::uint64_t random) {
  char text[20];
  std::snprintf(text, sizeof text, "sb%012" PRIx64,
                static_cast<std::uint64_t>(random & 0xffff'ffff'ffffULL));
  return text;
}

bool resolve(const TargetUrl& target, std::vector<boost::asio::ip::tcp::endpoint>* endpoints,
             std::string* error) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::resolver resolver(io);
  boost::system::error_code ec;
  auto results = resolver.resolve(target.host, target.port, ec);
  if (ec || results.empty()) {
    *error = "cannot resolve " + target.host + ":" + target.port + ": " + ec.message();
    return false;
  }
  for (const auto& entry : results) endpoints->push_back(entry.endpoint());
  return true;
}

void print_progress(std::ostream& out, double elapsed, bool warmup, double rate,
                    const RunStats& stats) {
  char line[160];
  const double p99_ms = static_cast<double>(stats.latency.percentile(99.0)) / 1000.0;
  std::snprintf(line, sizeof line, "[%6.1fs]%s %10.0f req/s  errors %" PRIu64 "  p99 %.2f ms\n",
                elapsed, warmup ? " warmup" : "", rate, stats.failed_requests(), p99_ms);
  out << line << std::flush;
}

}  // namespace

bool run_load(const LoadOptions& options, const std::atomic<bool>& interrupt,
              std::ostream& progress, RunSummary* summary, std::string* error) {
  std::vector<boost::asio::ip::tcp::endpoint> endpoints;
  if (!resolve(options.target, &endpoints, error)) return false;
  std::unique_ptr<AckedLog> acked;
  if (!options.acked_path.empty()) {
    acked = AckedLog::create(options.acked_path, error);
    if (!acked) return false;
  }

  const RequestHeads heads(options);
  const PayloadLibrary library(options.browser, options.write_key);
  const ZipfSampler users(options.users, options.zipf_s);
  std::random_device entropy;
  const std::uint64_t random = (std::uint64_t{entropy()} << 32) ^ entropy();
  RunControl control;
  const auto cpu_at_start = process_cpu_time();
  const Clock::time_point start = Clock::now();
  RunPlan plan{options,
               heads,
               library,
               users,
               std::move(endpoints),
               make_run_id(random),
               random,
               start,
               start + options.warmup,
               options.duration.count() > 0 ? start + options.warmup + options.duration
                                            : Clock::time_point::max(),
               acked.get(),
               &control};

  // Connection i goes to thread i % threads, and each thread's share of --rate follows its
  // share of the connections.
  std::vector<std::unique_ptr<Worker>> workers;
  for (unsigned i = 0; i < options.threads; ++i) {
    const unsigned connections =
        options.connections / options.threads + (i < options.connections % options.threads);
    const double rate = options.rate * connections / options.connections;
    workers.push_back(std::make_unique<Worker>(plan, i, connections, rate));
  }
  control.workers_running = options.threads;
  for (auto& worker : workers) worker->start();

  Clock::time_point stopped_at = Clock::time_point::max();
  Clock::time_point last_progress = start;
  std::uint64_t last_completed = 0;
  while (control.workers_running.load(std::memory_order_acquire) > 0) {
    std::this_thread::sleep_for(kPollInterval);
    const Clock::time_point now = Clock::now();
    if (interrupt.load() && stopped_at == Clock::time_point::max()) {
      stopped_at = now;
      control.stop = true;
    }
    if (options.progress && now - last_progress >= kProgressInterval) {
      RunStats merged;
      std::uint64_t completed = 0;
      for (const auto& worker : workers) {
        WorkerSnapshot snapshot = worker->snapshot();
        merged.merge(snapshot.stats);
        completed += snapshot.completed;
      }
      // Over the time that really passed: on a loaded machine this thread wakes up late.
      const double interval = std::chrono::duration<double>(now - last_progress).count();
      const double rate = static_cast<double>(completed - last_completed) / interval;
      print_progress(progress, std::chrono::duration<double>(now - start).count(),
                     now < plan.measure_start, rate, merged);
      last_completed = completed;
      last_progress = now;
    }
  }

  Clock::time_point last_completion{};
  summary->stats = RunStats{};
  summary->unsent = 0;
  for (auto& worker : workers) {
    worker->join();
    const WorkerResult& result = worker->result();
    if (!result.failure.empty() && error->empty()) *error = result.failure;
    summary->stats.merge(result.stats);
    summary->unsent += result.unsent;
    last_completion = std::max(last_completion, result.last_completion);
  }
  if (acked && !acked->close(error)) return false;
  if (!error->empty()) return false;

  // The window ends at the deadline, after which responses still in flight are counted apart
  // (late_responses). It ends earlier when --requests ran out (at the last answer) or on
  // Ctrl-C (once the requests in flight then were answered, as workers count those).
  const bool limit_reached =
      options.requests > 0 && control.requests_claimed.load() >= options.requests;
  const bool interrupted = stopped_at != Clock::time_point::max();
  Clock::time_point window_end = plan.deadline;
  if (interrupted) {
    window_end = std::min(window_end, std::max(stopped_at, last_completion));
  } else if (limit_reached) {
    window_end = std::min(window_end, last_completion);
  }
  if (window_end == Clock::time_point::max()) window_end = std::max(last_completion, start);
  const std::chrono::duration<double> wall = Clock::now() - start;
  summary->generator_cores =
      (process_cpu_time() - cpu_at_start).count() / std::max(wall.count(), 1e-3);
  summary->run_id = plan.run_id;
  summary->interrupted = interrupted;
  summary->elapsed_seconds =
      std::max(0.0, std::chrono::duration<double>(window_end - plan.measure_start).count());
  return true;
}

}  // namespace sluice::bench
