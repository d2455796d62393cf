#include "bench/sluice_bench/verify_report.hpp"

#include <cstdio>
#include <ostream>

#include "bench/sluice_bench/json_text.hpp"

namespace sluice::bench {
namespace {

void row(std::ostream& out, const char* label, std::uint64_t value, const char* note = "") {
  char text[200];
  std::snprintf(text, sizeof text, "  %-22s %12llu  %s\n", label,
                static_cast<unsigned long long>(value), note);
  out << text;
}

}  // namespace

void print_verify_report(const VerifyResult& result, std::ostream& out) {
  out << (result.missing == 0 ? "verify: OK, every acknowledged event is stored\n"
                              : "verify: FAILED, acknowledged events are missing\n");
  row(out, "acknowledged", result.acked, "distinct messageIds in the acked file");
  row(out, "stored lines read", result.stored_lines);
  row(out, "found", result.found);
  row(out, "missing", result.missing, "acknowledged, never stored");
  row(out, "duplicated", result.duplicated, "acknowledged, stored more than once");
  row(out, "extra copies", result.extra_copies, "copies beyond the first");
  row(out, "not acknowledged", result.unacknowledged, "stored, not in the acked file");
  if (result.unreadable_lines > 0) {
    row(out, "unreadable lines", result.unreadable_lines, "not JSON or no messageId");
  }
  if (result.acked_repeats > 0) {
    row(out, "repeated acked ids", result.acked_repeats, "lines of the acked file seen before");
  }
  for (const std::string& id : result.missing_examples) out << "  missing: " << id << '\n';
}

std::string verify_report_json(const VerifyResult& result) {
  auto count = [](std::uint64_t value) { return std::to_string(value); };
  std::string json = "{\"ok\":";
  json += result.missing == 0 ? "true" : "false";
  json += ",\"acknowledged\":" + count(result.acked);
  json += ",\"stored_lines\":" + count(result.stored_lines);
  json += ",\"found\":" + count(result.found);
  json += ",\"missing\":" + count(result.missing);
  json += ",\"duplicated\":" + count(result.duplicated);
  json += ",\"extra_copies\":" + count(result.extra_copies);
  json += ",\"not_acknowledged\":" + count(result.unacknowledged);
  json += ",\"unreadable_lines\":" + count(result.unreadable_lines);
  json += ",\"repeated_acked_ids\":" + count(result.acked_repeats);
  json += ",\"missing_examples\":[";
  for (std::size_t i = 0; i < result.missing_examples.size(); ++i) {
    if (i != 0) json += ',';
    json += json_quoted(result.missing_examples[i]);
  }
  json += "]}\n";
  return json;
}

}  // namespace sluice::bench
