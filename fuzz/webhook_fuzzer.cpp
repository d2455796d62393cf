// The readers of other tools' requests: every email provider's webhook body, the generic
// webhook's items and a click link's query. None may crash, and what they accept becomes a
// batch body that is JSON (or fails only for bytes that are not UTF-8, which the ingestor then
// refuses as it would in a POSTed batch).
//
// The first byte picks the source kind (sendgrid, mailgun, postmark, mandrill, webhook); the
// rest is the body, and also a click link's query.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <simdjson.h>

#include "config/config.hpp"
#include "fuzz/fuzz_check.hpp"
#include "inbound/click_links.hpp"
#include "inbound/webhook_batch.hpp"

namespace {

constexpr std::array<sluice::config::SourceKind, 5> kKinds{
    sluice::config::SourceKind::kSendgrid, sluice::config::SourceKind::kMailgun,
    sluice::config::SourceKind::kPostmark, sluice::config::SourceKind::kMandrill,
    sluice::config::SourceKind::kWebhook};

sluice::config::SourceSettings settings_for_fuzzing() {
  sluice::config::SourceSettings settings;
  settings.email.store_unmapped = true;  // every event the readers find becomes a message
  settings.webhook.items = "/events";
  settings.webhook.event = "/type";
  settings.webhook.event_name = "Fuzzed";
  settings.webhook.user_id = "/user";
  settings.webhook.timestamp = "/at";
  settings.webhook.properties = "/data";
  return settings;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sluice;
  if (size == 0) return 0;
  static const config::SourceSettings settings = settings_for_fuzzing();
  static simdjson::dom::parser parser;
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);

  inbound::WebhookRequest request;
  request.body = body;
  request.content_type = "application/json";
  request.header = [](std::string_view) { return std::string_view{}; };
  request.url = "https://sluice.example.com/v1/webhook/key";
  request.now_ms = 1'700'000'000'000;
  const inbound::WebhookBatch batch =
      inbound::webhook_batch(kKinds[data[0] % kKinds.size()], settings, "fuzz", request);
  if (batch.status == inbound::ReadStatus::kOk) {
    simdjson::dom::object object;
    const auto error = parser.parse(batch.batch).get_object().get(object);
    SLUICE_FUZZ_CHECK(
        error == simdjson::SUCCESS || error == simdjson::UTF8_ERROR,
        "a webhook's batch is a JSON object, unless it holds bytes that are not UTF-8");
  } else {
    SLUICE_FUZZ_CHECK(!batch.message.empty(), "a refused webhook says why");
  }

  const inbound::ClickParse click = inbound::parse_click_query(body);
  if (click.request) {
    simdjson::dom::object object;
    const auto error =
        parser.parse(inbound::click_message_json(*click.request)).get_object().get(object);
    SLUICE_FUZZ_CHECK(error == simdjson::SUCCESS || error == simdjson::UTF8_ERROR,
                      "a click's message is a JSON object");
    SLUICE_FUZZ_CHECK(!inbound::click_signature_valid(*click.request, ""),
                      "no click is signed by an empty secret");
  }
  return 0;
}
