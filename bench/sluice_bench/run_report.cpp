#include "bench/sluice_bench/run_report.hpp"

#include <cinttypes>
#include <cstdio>
#include <ostream>

#include "bench/sluice_bench/json_text.hpp"

namespace sluice::bench {
namespace {

struct Figures {
  double requests_per_second = 0;
  double events_per_second = 0;
  double megabytes_per_second = 0;  // 10^6 bytes of requests as written: head and body
};

Figures figures(const RunSummary& summary) {
  Figures result;
  if (summary.elapsed_seconds <= 0) return result;
  const double seconds = summary.elapsed_seconds;
  result.requests_per_second = static_cast<double>(summary.stats.responses) / seconds;
  result.events_per_second = static_cast<double>(summary.stats.events_acked) / seconds;
  result.megabytes_per_second = static_cast<double>(summary.stats.bytes_sent) / 1e6 / seconds;
  return result;
}

std::string millis(std::uint64_t micros) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f ms", static_cast<double>(micros) / 1000.0);
  return text;
}

std::string describe_load(const LoadOptions& options) {
  std::string text(workload_name(options.workload));
  if (options.workload == Workload::kBatch) {
    text += " (" + std::to_string(options.batch_size) + " events";
    if (options.mix != kTrackOnly) text += ", " + format_event_mix(options.mix);
    text += ")";
  } else if (options.workload == Workload::kMix) {
    text += " (" + format_event_mix(options.mix) + ")";
  }
  if (options.gzip) text += ", gzip";
  if (options.browser) text += ", browser";
  char loop[64];
  if (options.open_loop()) {
    std::snprintf(loop, sizeof loop, ", open loop at %.0f req/s paced per %lld us", options.rate,
                  static_cast<long long>(options.pacing.count()));
  } else {
    std::snprintf(loop, sizeof loop, ", closed loop");
  }
  return text + loop;
}

void row(std::ostream& out, const char* label, const std::string& value) {
  char text[160];
  std::snprintf(text, sizeof text, "  %-18s %s\n", label, value.c_str());
  out << text;
}

std::string number(double value, int decimals) {
  char text[48];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

}  // namespace

void print_run_report(const LoadOptions& options, const RunSummary& summary, std::ostream& out) {
  const RunStats& stats = summary.stats;
  const Figures rates = figures(summary);
  const LatencyHistogram& latency = stats.latency;

  out << "sluice-bench " << options.url << ": " << describe_load(options) << '\n';
  out << "  " << options.connections << " connections on " << options.threads << " threads, "
      << number(summary.elapsed_seconds, 2) << " s measured";
  if (options.warmup.count() > 0) out << " after " << options.warmup.count() << " ms warmup";
  if (summary.interrupted) out << " (interrupted)";
  out << ", run id " << summary.run_id << "\n\n";

  row(out, "requests",
      std::to_string(stats.responses) + " answered, " + std::to_string(stats.ok_responses) +
          " 2xx");
  row(out, "requests/s", number(rates.requests_per_second, 1));
  row(out, "events/s", number(rates.events_per_second, 1) + " (acknowledged)");
  row(out, "sent MB/s", number(rates.megabytes_per_second, 2));
  row(out, "latency p50", millis(latency.percentile(50)));
  row(out, "latency p90", millis(latency.percentile(90)));
  row(out, "latency p99", millis(latency.percentile(99)));
  row(out, "latency p99.9", millis(latency.percentile(99.9)));
  row(out, "latency max", millis(latency.max()));
  row(out, "generator CPU", number(summary.generator_cores, 2) + " cores");
  row(out, "errors", std::to_string(stats.failed_requests()));
  for (std::size_t code = 0; code < stats.statuses.size(); ++code) {
    if (stats.statuses[code] == 0 || (code >= 200 && code < 300)) continue;
    row(out, ("  status " + (code == 0 ? std::string("other") : std::to_string(code))).c_str(),
        std::to_string(stats.statuses[code]));
  }
  for (std::size_t kind = 0; kind < stats.errors.size(); ++kind) {
    if (stats.errors[kind] == 0) continue;
    row(out, ("  " + std::string(error_kind_name(static_cast<ErrorKind>(kind)))).c_str(),
        std::to_string(stats.errors[kind]));
  }
  if (stats.events_rejected > 0) {
    row(out, "events rejected", std::to_string(stats.events_rejected) + " (named in 2xx bodies)");
  }
  row(out, "connections",
      std::to_string(options.connections) + " (" + std::to_string(stats.connects) + " opened)");
  if (stats.late_responses > 0) {
    row(out, "late responses",
        std::to_string(stats.late_responses) + " (in flight at the end, not counted)");
  }
  if (options.open_loop()) {
    row(out, "unsent",
        std::to_string(summary.unsent) + " (scheduled but never sent: all connections busy)");
  }
}

std::string run_report_json(const LoadOptions& options, const RunSummary& summary) {
  const RunStats& stats = summary.stats;
  const Figures rates = figures(summary);
  const LatencyHistogram& latency = stats.latency;
  std::string json = "{";
  auto field = [&json](std::string_view name, const std::string& value) {
    if (json.size() > 1) json += ',';
    json += json_quoted(name);
    json += ':';
    json += value;
  };
  auto count = [](std::uint64_t value) { return std::to_string(value); };

  field("run_id", json_quoted(summary.run_id));
  field("url", json_quoted(options.url));
  field("workload", json_quoted(workload_name(options.workload)));
  if (options.workload == Workload::kBatch) field("batch_size", count(options.batch_size));
  if (options.workload != Workload::kTrack)
    field("mix", json_quoted(format_event_mix(options.mix)));
  field("gzip", options.gzip ? "true" : "false");
  field("browser", options.browser ? "true" : "false");
  field("mode", json_quoted(options.open_loop() ? "open" : "closed"));
  if (options.open_loop()) {
    field("rate", number(options.rate, 3));
    field("pacing_us", count(static_cast<std::uint64_t>(options.pacing.count())));
  }
  field("connections", count(options.connections));
  field("threads", count(options.threads));
  field("warmup_s", number(static_cast<double>(options.warmup.count()) / 1000.0, 3));
  field("elapsed_s", number(summary.elapsed_seconds, 3));
  field("interrupted", summary.interrupted ? "true" : "false");
  field("generator_cpu_cores", number(summary.generator_cores, 3));
  field("requests", count(stats.responses));
  field("ok_requests", count(stats.ok_responses));
  field("requests_per_s", number(rates.requests_per_second, 1));
  field("events_sent", count(stats.events_sent));
  field("events_acked", count(stats.events_acked));
  field("events_rejected", count(stats.events_rejected));
  field("events_per_s", number(rates.events_per_second, 1));
  field("bytes_sent", count(stats.bytes_sent));
  field("mb_per_s", number(rates.megabytes_per_second, 3));
  field("latency_us",
        "{\"count\":" + count(latency.count()) + ",\"min\":" + count(latency.min()) +
            ",\"mean\":" + number(latency.mean(), 1) + ",\"p50\":" + count(latency.percentile(50)) +
            ",\"p90\":" + count(latency.percentile(90)) + ",\"p99\":" +
            count(latency.percentile(99)) + ",\"p99_9\":" + count(latency.percentile(99.9)) +
            ",\"max\":" + count(latency.max()) + "}");
  std::string by_status = "{";
  for (std::size_t code = 0; code < stats.statuses.size(); ++code) {
    if (stats.statuses[code] == 0) continue;
    if (by_status.size() > 1) by_status += ',';
    by_status +=
        json_quoted(code == 0 ? "other" : std::to_string(code)) + ":" + count(stats.statuses[code]);
  }
  std::string by_kind = "{";
  for (std::size_t kind = 0; kind < stats.errors.size(); ++kind) {
    if (by_kind.size() > 1) by_kind += ',';
    by_kind += json_quoted(error_kind_name(static_cast<ErrorKind>(kind))) + ":" +
               count(stats.errors[kind]);
  }
  field("errors", count(stats.failed_requests()));
  field("responses_by_status", by_status + "}");
  field("errors_by_kind", by_kind + "}");
  field("connects", count(stats.connects));
  field("late_responses", count(stats.late_responses));
  field("unsent", count(summary.unsent));
  json += "}\n";
  return json;
}

}  // namespace sluice::bench
