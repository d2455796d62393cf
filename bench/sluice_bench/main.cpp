// sluice-bench: the load generator for Sluice (and any Segment-compatible intake), and
// `sluice-bench verify`, which proves that every acknowledged event was stored.

#include <atomic>
#include <csignal>
#include <cstdint>
#include <fstream>
#include <iostream>

#include <CLI/CLI.hpp>

#include "bench/sluice_bench/load_options.hpp"
#include "bench/sluice_bench/load_runner.hpp"
#include "bench/sluice_bench/run_report.hpp"
#include "bench/sluice_bench/verifier.hpp"
#include "bench/sluice_bench/verify_report.hpp"
#include "config/config.hpp"

namespace {

using namespace sluice::bench;

std::atomic<bool> interrupted{false};
static_assert(std::atomic<bool>::is_always_lock_free, "stored from a signal handler");

// The first Ctrl-C ends the run and still reports; a second one, for a run waiting on
// requests a stuck server never answers, ends the process.
void on_interrupt(int signal) {
  interrupted.store(true);
  std::signal(signal, SIG_DFL);
}

bool write_text_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc | std::ios::binary);
  out << text;
  out.close();
  if (!out) std::cerr << "sluice-bench: cannot write " << path << '\n';
  return static_cast<bool>(out);
}

// "10s", "500ms", "2m" into options; an empty text leaves the default.
bool read_duration(const std::string& text, const char* option, std::chrono::milliseconds* out) {
  if (text.empty()) return true;
  auto parsed = sluice::config::parse_duration(text);
  if (!parsed) {
    std::cerr << "sluice-bench: " << option << " takes a duration such as 10s, 500ms or 2m, not \""
              << text << "\"\n";
    return false;
  }
  *out = *parsed;
  return true;
}

int run(LoadOptions& options, const std::string& workload, const std::string& duration,
        const std::string& warmup, const std::string& timeout) {
  auto parsed_workload = parse_workload(workload);
  if (!parsed_workload) {
    std::cerr << "sluice-bench: --workload is track, batch or mix, not \"" << workload << "\"\n";
    return 2;
  }
  options.workload = *parsed_workload;
  if (!read_duration(duration, "--duration", &options.duration) ||
      !read_duration(warmup, "--warmup", &options.warmup) ||
      !read_duration(timeout, "--timeout", &options.timeout)) {
    return 2;
  }
  std::string error;
  if (!finish_options(options, &error)) {
    std::cerr << "sluice-bench: " << error << '\n';
    return 2;
  }

  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
  RunSummary summary;
  if (!run_load(options, interrupted, std::cerr, &summary, &error)) {
    std::cerr << "sluice-bench: " << error << '\n';
    return 1;
  }
  print_run_report(options, summary, std::cout);
  if (!options.json_path.empty() &&
      !write_text_file(options.json_path, run_report_json(options, summary))) {
    return 1;
  }
  return 0;
}

int verify(const std::string& acked, const std::vector<std::string>& ndjson,
           const std::string& json_path) {
  VerifyResult result;
  std::string error;
  if (!verify_acknowledged(acked, ndjson, &result, &error)) {
    std::cerr << "sluice-bench verify: " << error << '\n';
    return 2;
  }
  print_verify_report(result, std::cout);
  if (!json_path.empty() && !write_text_file(json_path, verify_report_json(result))) return 2;
  return result.missing == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "sluice-bench: load generator for Segment-compatible intake servers.\n"
      "Closed loop by default (each connection sends its next request when the last one is\n"
      "answered); --rate switches to an open loop on a fixed schedule."};
  LoadOptions options;
  std::string workload = "track";
  std::string duration;
  std::string warmup;
  std::string timeout;
  app.add_option("-u,--url", options.url, "Target, http://host[:port][/base path]")
      ->capture_default_str();
  app.add_option("-c,--connections", options.connections, "Keep-alive connections")
      ->capture_default_str();
  app.add_option("-t,--threads", options.threads, "Threads (default: one per hardware thread)");
  app.add_option("-r,--rate", options.rate,
                 "Open loop: requests per second over all connections (default: closed loop)");
  std::int64_t pacing_us = options.pacing.count();
  app.add_option("--pacing-us", pacing_us,
                 "Open loop: connections wake for their requests once per this many "
                 "microseconds and send those due within it (0: at each request's time)")
      ->capture_default_str();
  app.add_option("-d,--duration", duration, "Measure for this long, e.g. 10s (default 10s)");
  app.add_option("-n,--requests", options.requests, "Stop after this many requests");
  app.add_option("--warmup", warmup, "Send load for this long before measuring, e.g. 2s");
  app.add_option("--timeout", timeout, "Per request, connect included (default 10s)");
  app.add_option("-w,--workload", workload, "track, batch or mix")->capture_default_str();
  app.add_option("--batch-size", options.batch_size, "Events per batch request")
      ->capture_default_str();
  app.add_option("--mix", options.mix_text,
                 "Type ratios, e.g. identify=10,track=70,page=15,group=5 (mix: that by default; "
                 "batch: the items' types, track by default)");
  app.add_flag("--gzip", options.gzip, "Send bodies gzip-compressed (Content-Encoding: gzip)");
  app.add_option("--gzip-level", options.gzip_level, "1 (fast) to 12")->capture_default_str();
  app.add_flag("--browser", options.browser,
               "Send like analytics.js: text/plain, writeKey in the body, /v1/t-style paths");
  app.add_option("--write-key", options.write_key, "Write key (HTTP Basic user by default)")
      ->capture_default_str();
  app.add_option("--users", options.users, "Distinct userIds")->capture_default_str();
  app.add_option("--zipf-s", options.zipf_s, "Zipf exponent of the userId distribution")
      ->capture_default_str();
  app.add_option("--json", options.json_path, "Also write the summary as JSON to this file");
  app.add_option("--acked", options.acked_path,
                 "Write the messageId of every acknowledged event to this file");
  bool quiet = false;
  app.add_flag("-q,--quiet", quiet, "No progress line");

  auto* verify_command = app.add_subcommand(
      "verify", "Check that every acknowledged event is in the stored NDJSON (exit 0: none lost)");
  std::string verify_acked;
  std::vector<std::string> verify_ndjson;
  std::string verify_json;
  verify_command->add_option("--acked", verify_acked, "The --acked file of a run")->required();
  verify_command
      ->add_option("--ndjson", verify_ndjson,
                   "Stored events: file destination output (.ndjson, .ndjson.gz) or the output "
                   "of `sluice log cat`")
      ->required();
  verify_command->add_option("--json", verify_json, "Also write the counts as JSON to this file");

  CLI11_PARSE(app, argc, argv);
  if (*verify_command) return verify(verify_acked, verify_ndjson, verify_json);
  options.progress = !quiet;
  options.pacing = std::chrono::microseconds(pacing_us);
  return run(options, workload, duration, warmup, timeout);
}
