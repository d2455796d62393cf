// The ingest path: body bytes + route -> records. The first input byte picks the route (one of
// the six single-message paths, or a batch; client-side or not), the rest is the body. Every
// record the ingestor produces must decode, its JSON must parse, the header must agree with
// the JSON, and no member the API reads may occur twice. The protocol keeps integers of any
// length, which simdjson's DOM refuses past 64 bits: such a record is checked no further.

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include <simdjson.h>

#include "api/ingestor.hpp"
#include "api/message_view.hpp"
#include "api/sources.hpp"
#include "fuzz/fuzz_check.hpp"
#include "storage/record.hpp"

namespace {

using namespace sluice;

const api::SourceRegistry& sources() {
  static const api::SourceRegistry registry(
      std::vector<config::SourceConfig>{{"fuzz", {"fuzz_key"}}});
  return registry;
}

std::string_view string_at(simdjson::dom::object object, std::string_view key) {
  std::string_view text;
  if (object[key].get_string().get(text) != simdjson::SUCCESS) return {};
  return text;
}

// Whether text holds a run of 19 or more digits: perhaps an integer past 64 bits, which
// simdjson cannot hold.
bool has_long_digit_run(std::string_view text) {
  std::size_t run = 0;
  for (const char c : text) {
    run = c >= '0' && c <= '9' ? run + 1 : 0;
    if (run >= 19) return true;
  }
  return false;
}

void check_record(const std::string& bytes, simdjson::dom::parser& parser) {
  const auto record = storage::decode_record(bytes);
  SLUICE_FUZZ_CHECK(record.has_value(), "a record decodes");
  simdjson::dom::object event;
  const auto error = parser.parse(record->json.data(), record->json.size()).get_object().get(event);
  if (error == simdjson::NUMBER_ERROR && has_long_digit_run(record->json)) return;
  SLUICE_FUZZ_CHECK(error == simdjson::SUCCESS, "a stored event is a JSON object");
  SLUICE_FUZZ_CHECK(string_at(event, "type") == storage::to_string(record->type),
                    "the header's type is the event's");
  SLUICE_FUZZ_CHECK(string_at(event, "messageId") == record->message_id,
                    "the header's messageId is the event's");
  std::set<std::string_view> read_fields;
  for (const auto field : event) {
    if (api::classify_field(field.key) == api::Field::kOther) continue;
    SLUICE_FUZZ_CHECK(read_fields.insert(field.key).second, "no member the API reads occurs twice");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static api::Ingestor ingestor(api::IngestLimits{});
  static simdjson::dom::parser parser;
  const std::uint8_t route = data[0];
  api::IngestRequest request;
  request.body = std::string_view(reinterpret_cast<const char*>(data + 1), size - 1);
  const unsigned type = route % 8;
  if (type < storage::kEventTypeCount) request.path_type = static_cast<storage::EventType>(type);
  request.client_side = (route & 0x80) != 0;
  request.keys.write_key_header = "fuzz_key";
  request.client_ip = "192.0.2.1";
  request.received_at_ms = 1'700'000'000'000;

  api::IngestOutcome outcome;
  ingestor.ingest(sources(), request, outcome);
  if (outcome.error != api::RequestError::kNone) {
    SLUICE_FUZZ_CHECK(outcome.records.empty(), "a refused request stores nothing");
    return 0;
  }
  for (const auto& record : outcome.records) check_record(record, parser);
  return 0;
}
