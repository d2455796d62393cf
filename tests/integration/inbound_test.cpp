// Webhooks from email service providers and other tools, and signed email click links, on the
// real binary: each provider's documented sample payloads, signed the way the provider signs
// them, become the six email events, are stored before the 200, and reach a file and a webhook
// destination; bad signatures store nothing.

#include <map>
#include <set>
#include <string>

#include <catch2/catch.hpp>
#include <simdjson.h>

#include "delivery_support.hpp"
#include "test_support.hpp"
#include "tests/support/provider_signing.hpp"

namespace sluice::integration {
namespace {

using namespace std::chrono_literals;
using Catch::Contains;

constexpr std::string_view kMailgunKey = "mg-signing-key";
constexpr std::string_view kPostmarkCredentials = "hook:pm-secret";
constexpr std::string_view kMandrillKey = "md-webhook-key";
constexpr std::string_view kBillingSecret = "billing-secret";
constexpr std::string_view kLinkSecret = "newsletter-link-secret";

std::string source_toml(std::string_view name, std::string_view kind, std::string_view settings) {
  return "\n[[sources]]\nname = \"" + std::string(name) + "\"\nkind = \"" + std::string(kind) +
         "\"\nwrite_keys = [\"wk_" + std::string(name) + "\"]\n[sources.settings]\n" +
         std::string(settings);
}

std::string now_seconds() {
  return std::to_string(now_millis() / 1000);
}

// A server with a source of every kind, a file destination and a webhook destination.
struct InboundServer {
  TempDir dir;
  test::HttpSink sink;
  test::EcKeyPair sendgrid_key;
  std::unique_ptr<ServerProcess> server;

  InboundServer() {
    ServerOptions options;
    options.extra_config =
        source_toml("sendgrid", "sendgrid",
                    "verification_key = \"" + sendgrid_key.public_key_base64() + "\"\n") +
        source_toml("mailgun", "mailgun", "signing_key = \"" + std::string(kMailgunKey) + "\"\n") +
        source_toml("postmark", "postmark",
                    "basic_auth = \"" + std::string(kPostmarkCredentials) +
                        "\"\nuser_id_field = \"user_id\"\n") +
        source_toml("mandrill", "mandrill",
                    "webhook_key = \"" + std::string(kMandrillKey) + "\"\n") +
        source_toml("billing", "webhook",
                    "items = \"/events\"\nevent = \"/kind\"\nuser_id = \"/customer\"\n"
                    "timestamp = \"/at\"\nmessage_id = \"/id\"\nproperties = \"/payload\"\n"
                    "hmac = { header = \"X-Billing-Signature\", secret = \"" +
                        std::string(kBillingSecret) + "\" }\n") +
        source_toml("newsletter", "tracking",
                    "link_secret = \"" + std::string(kLinkSecret) + "\"\n") +
        // One event at a time and almost no refill: the second click is over the limit.
        source_toml("limited", "tracking",
                    "link_secret = \"" + std::string(kLinkSecret) +
                        "\"\nrate_limit = { events_per_second = 0.001, burst = 1 }\n") +
        file_destination_toml("files", dir.path() / "files", 10) +
        webhook_destination_toml("hook", sink.url("/events"), 10);
    server = std::make_unique<ServerProcess>(dir.path(), options);
  }

  HttpResponse post(std::string_view key, const std::string& body, const Headers& headers = {}) {
    HttpClient client(server->port());
    return client.request("POST", "/v1/webhook/" + std::string(key), headers, body);
  }

  std::string url_of(std::string_view key) const {
    return "http://127.0.0.1:" + std::to_string(server->port()) + "/v1/webhook/" + std::string(key);
  }
};

std::string mailgun_body(const std::string& fixture, const std::string& timestamp) {
  simdjson::dom::parser parser;
  simdjson::dom::element event_data;
  REQUIRE(parser.parse(fixture)["event-data"].get(event_data) == simdjson::SUCCESS);
  const std::string token = "token-" + timestamp + "-" + std::to_string(fixture.size());
  return R"({"signature":{"timestamp":")" + timestamp + R"(","token":")" + token +
         R"(","signature":")" + test::hmac_sha256_hex(kMailgunKey, timestamp + token) +
         R"("},"event-data":)" + simdjson::minify(event_data) + "}";
}

// Every stored event's name by the provider that reported it (context.integration.name).
std::map<std::string, std::multiset<std::string>> events_by_provider(const StoredLog& log) {
  std::map<std::string, std::multiset<std::string>> out;
  simdjson::dom::parser parser;
  for (const std::string& json : log.events) {
    simdjson::dom::element event;
    REQUIRE(parser.parse(json).get(event) == simdjson::SUCCESS);
    std::string_view provider;
    std::string_view name;
    REQUIRE(event["context"]["integration"]["name"].get_string().get(provider) ==
            simdjson::SUCCESS);
    if (event["event"].get_string().get(name) != simdjson::SUCCESS) name = "";
    out[std::string(provider)].insert(std::string(name));
  }
  return out;
}

std::set<std::string> sink_message_ids(const test::HttpSink& sink) {
  std::set<std::string> ids;
  simdjson::dom::parser parser;
  for (const auto& request : sink.requests()) {
    simdjson::dom::array batch;
    if (parser.parse(request.body)["batch"].get_array().get(batch) != simdjson::SUCCESS) continue;
    for (simdjson::dom::element event : batch) {
      std::string_view id;
      if (event["messageId"].get_string().get(id) == simdjson::SUCCESS) ids.emplace(id);
    }
  }
  return ids;
}

}  // namespace

TEST_CASE("Email provider webhooks become the six email events at every destination",
          "[integration][inbound]") {
  InboundServer inbound;

  // SendGrid: one signed array of ten events, seven of them among the six.
  const std::string sendgrid = test::read_email_fixture("sendgrid/events.json");
  const std::string timestamp = now_seconds();
  const auto sendgrid_headers = [&](const test::EcKeyPair& key) {
    return Headers{
        {"X-Twilio-Email-Event-Webhook-Timestamp", timestamp},
        {"X-Twilio-Email-Event-Webhook-Signature", key.sign_base64(timestamp + sendgrid)},
        {"Content-Type", "application/json"}};
  };
  check_error(inbound.post("wk_sendgrid", sendgrid, sendgrid_headers(test::EcKeyPair())), 400,
              "invalid_signature");
  HttpResponse answer =
      inbound.post("wk_sendgrid", sendgrid, sendgrid_headers(inbound.sendgrid_key));
  INFO(answer.body);
  CHECK(answer.status == 200);

  // Mailgun: one event a request, signed with the timestamp and a token.
  for (const char* name : {"delivered", "opened", "clicked", "failed-permanent", "failed-temporary",
                           "complained", "unsubscribed"}) {
    const std::string fixture = test::read_email_fixture(std::string("mailgun/") + name + ".json");
    answer = inbound.post("wk_mailgun", mailgun_body(fixture, now_seconds()));
    INFO(name << ": " << answer.body);
    CHECK(answer.status == 200);
  }
  const std::string stale = std::to_string(now_millis() / 1000 - 600);
  check_error(inbound.post("wk_mailgun",
                           mailgun_body(test::read_email_fixture("mailgun/opened.json"), stale)),
              400, "invalid_signature");

  // Postmark: credentials in the URL, which arrive as Basic auth.
  const Headers postmark_auth{{"Authorization", "Basic " + test::base64(kPostmarkCredentials)}};
  for (const char* name : {"delivery", "bounce-hard", "bounce-soft", "spam-complaint", "open",
                           "click", "subscription-change"}) {
    answer = inbound.post("wk_postmark",
                          test::read_email_fixture(std::string("postmark/") + name + ".json"),
                          postmark_auth);
    INFO(name << ": " << answer.body);
    CHECK(answer.status == 200);
  }
  check_error(inbound.post("wk_postmark", test::read_email_fixture("postmark/open.json"),
                           {{"Authorization", "Basic " + test::base64("hook:wrong")}}),
              400, "invalid_signature");

  // Mandrill: a form whose signature covers the URL it was posted to.
  const std::string events = test::read_email_fixture("mandrill/events.json");
  const std::string form = "mandrill_events=" + test::form_encode(events);
  const auto mandrill_headers = [&](std::string_view key) {
    return Headers{
        {"Content-Type", "application/x-www-form-urlencoded"},
        {"X-Mandrill-Signature",
         test::hmac_sha1_base64(key, inbound.url_of("wk_mandrill") + "mandrill_events" + events)}};
  };
  check_error(inbound.post("wk_mandrill", form, mandrill_headers("another-key")), 400,
              "invalid_signature");
  answer = inbound.post("wk_mandrill", form, mandrill_headers(kMandrillKey));
  INFO(answer.body);
  CHECK(answer.status == 200);
  {
    HttpClient client(inbound.server->port());
    CHECK(client.request("HEAD", "/v1/webhook/wk_mandrill").status == 200);
  }

  // Keys on the wrong endpoint, and bodies no provider sends.
  check_error(inbound.post("test_write_key", "[]"), 400, "wrong_source_kind");
  check_error(inbound.post("wk_unknown", "[]"), 400, "invalid_write_key");
  check_error(
      inbound.post("wk_sendgrid", R"({"not":"an array"})", sendgrid_headers(inbound.sendgrid_key)),
      400, "invalid_signature");
  {
    HttpClient client(inbound.server->port());
    check_error(client.request("POST", "/v1/track", {{"Authorization", basic_auth("wk_mailgun")}},
                               track_json("wrong-endpoint")),
                400, "wrong_source_kind");
  }

  const auto samples =
      parse_metrics(HttpClient(inbound.server->port()).request("GET", "/metrics").body);
  CHECK(metric_value(samples, "sluice_requests_refused_total",
                     {{"source", "sendgrid"}, {"reason", "invalid_signature"}}) == 2);
  CHECK(metric_value(samples, "sluice_email_events_unmapped_total", {{"source", "sendgrid"}}) == 3);
  CHECK(metric_value(samples, "sluice_email_events_unmapped_total", {{"source", "mandrill"}}) == 3);

  REQUIRE(wait_until_delivered(inbound.server->port(), "files", 30s));
  REQUIRE(wait_until_delivered(inbound.server->port(), "hook", 30s));
  REQUIRE(inbound.server->terminate().clean());

  const StoredLog log = read_stored_log(inbound.server->config_path());
  const auto by_provider = events_by_provider(log);
  const std::multiset<std::string> six{"Email Delivered",      "Email Opened",
                                       "Email Link Clicked",   "Email Bounced",
                                       "Email Marked as Spam", "Unsubscribe"};
  CHECK(by_provider.at("Mailgun") == six);
  CHECK(by_provider.at("Postmark") == six);
  std::multiset<std::string> sendgrid_events = six;
  sendgrid_events.insert("Unsubscribe");  // group_unsubscribe too
  CHECK(by_provider.at("SendGrid") == sendgrid_events);
  std::multiset<std::string> mandrill_events = six;
  mandrill_events.erase("Email Delivered");  // Mandrill's "send" is not a delivery
  CHECK(by_provider.at("Mandrill") == mandrill_events);
  CHECK(log.events.size() == 24);

  // The same events at both destinations, each once.
  const auto files = delivered_message_ids(inbound.dir.path() / "files");
  const auto hook = sink_message_ids(inbound.sink);
  CHECK(files.size() == 24);
  CHECK(hook.size() == 24);
  for (const auto& [id, count] : files) {
    CHECK(count == 1);
    CHECK(hook.contains(id));
  }

  // One event in detail: SendGrid's click.
  simdjson::dom::parser parser;
  simdjson::dom::element click;
  REQUIRE(parser.parse(log.event("Y2xpY2stMDAwMDAz")).get(click) == simdjson::SUCCESS);
  CHECK(click["event"].get_string().value() == "Email Link Clicked");
  CHECK(click["properties"]["provider_event"].get_string().value() == "click");
  CHECK_THAT(std::string(click["properties"]["link_url"].get_string().value()), Contains("http"));
  CHECK(click["context"]["integration"]["name"].get_string().value() == "SendGrid");
  CHECK(click["context"]["traits"]["email"].get_string().error() == simdjson::SUCCESS);
  CHECK(click["anonymousId"].get_string().error() == simdjson::SUCCESS);
}

TEST_CASE("A generic webhook maps its items by pointer and checks its HMAC",
          "[integration][inbound]") {
  InboundServer inbound;
  const std::string body =
      R"({"events":[)"
      R"({"id":"inv-1","kind":"Invoice Paid","customer":"cus_1","at":1700000000,"payload":{"amount":1200}},)"
      R"({"id":"inv-2","customer":"cus_2"},)"
      R"({"id":"inv-3","kind":"Invoice Voided","at":"2024-03-01T10:00:00Z"}]})";
  const auto signed_headers = [](const std::string& text) {
    return Headers{{"X-Billing-Signature", test::hmac_sha256_hex(kBillingSecret, text)}};
  };
  check_error(inbound.post("wk_billing", body), 400, "invalid_signature");
  check_error(inbound.post("wk_billing", body, signed_headers(body + " ")), 400,
              "invalid_signature");
  check_error(inbound.post("wk_billing", "not json", signed_headers("not json")), 400,
              "invalid_body");

  const HttpResponse answer = inbound.post("wk_billing", body, signed_headers(body));
  INFO(answer.body);
  CHECK(answer.status == 200);
  // The item without an event name is reported by its index among the items.
  CHECK_THAT(answer.body, Contains(R"("rejected":[{"index":1,"code":"no_event_name")"));
  // Sent again (a tool's retry), the items keep their ids, so they are not stored twice.
  const HttpResponse again = inbound.post("wk_billing", body, signed_headers(body));
  CHECK(again.status == 200);
  CHECK_THAT(again.body, Contains(R"("duplicates":[{"index":0,"messageId":"inv-1"},)"
                                  R"({"index":2,"messageId":"inv-3"}])"));

  REQUIRE(wait_until_delivered(inbound.server->port(), "files", 30s));
  REQUIRE(inbound.server->terminate().clean());
  const StoredLog log = read_stored_log(inbound.server->config_path());
  REQUIRE(log.events.size() == 2);
  CHECK(log.count("inv-1") == 1);
  CHECK(log.count("inv-3") == 1);
  simdjson::dom::parser parser;
  simdjson::dom::element paid;
  REQUIRE(parser.parse(log.event("inv-1")).get(paid) == simdjson::SUCCESS);
  CHECK(paid["type"].get_string().value() == "track");
  CHECK(paid["event"].get_string().value() == "Invoice Paid");
  CHECK(paid["userId"].get_string().value() == "cus_1");
  CHECK(paid["timestamp"].get_string().value() == "2023-11-14T22:13:20.000Z");
  CHECK(paid["properties"]["amount"].get_int64().value() == 1200);
  simdjson::dom::element voided;
  REQUIRE(parser.parse(log.event("inv-3")).get(voided) == simdjson::SUCCESS);
  CHECK(voided["anonymousId"].get_string().error() == simdjson::SUCCESS);
  CHECK(voided["timestamp"].get_string().value() == "2024-03-01T10:00:00.000Z");
}

TEST_CASE("Only signed click links are stored and redirected", "[integration][inbound]") {
  InboundServer inbound;
  const std::string target = "https://shop.example.com/sale?ref=mail";
  // The links name the server by server.public_host, given here as its variable.
  const std::string host = "127.0.0.1:" + std::to_string(inbound.server->port());
  const auto link_for = [&](std::string_view source, std::string_view url) {
    return run_sluice("email link --config " + shell_quote(inbound.server->config_path().string()) +
                          " --source " + std::string(source) + " --url " +
                          shell_quote(std::string(url)) + " --data " +
                          shell_quote(R"({"userId":"reader-1","properties":{"email_id":"m-1"}})"),
                      "SLUICE_SERVER_PUBLIC_HOST=" + host);
  };
  const CliRun link = link_for("newsletter", target);
  INFO(link.output);
  REQUIRE(link.exit_code == 0);
  const std::string prefix = "http://" + host;
  REQUIRE(link.output.starts_with(prefix + "/v1/email/click?"));
  std::string path = link.output.substr(prefix.size());
  path.pop_back();  // the newline

  HttpClient client(inbound.server->port());
  const HttpResponse redirected = client.request("GET", path, {{"User-Agent", "MailReader/1.0"}});
  CHECK(redirected.status == 302);
  CHECK(redirected.header("Location") == target);

  // A changed target, a missing signature, an unsigned source: refused, nothing stored.
  std::string tampered = path;
  tampered.replace(tampered.find("shop.example.com"), 16, "evil.example.net");
  check_error(client.request("GET", tampered), 400, "invalid_click");
  check_error(client.request("GET", path.substr(0, path.find("&s="))), 400, "invalid_click");
  CHECK(link_for("website", target).exit_code == 1);  // no link_secret
  CHECK(link_for("newsletter", "javascript:alert(1)").exit_code == 1);
  CHECK(client.request("HEAD", path).status == 405);  // HEAD must not store a click

  // Over its rate limit, a click still redirects, and is counted as lost.
  const CliRun limited = link_for("limited", target);
  REQUIRE(limited.exit_code == 0);
  std::string limited_path = limited.output.substr(prefix.size());
  limited_path.pop_back();
  CHECK(client.request("GET", limited_path).status == 302);
  const HttpResponse lost = client.request("GET", limited_path);
  CHECK(lost.status == 302);
  CHECK(lost.header("Location") == target);
  const auto samples = parse_metrics(client.request("GET", "/metrics").body);
  CHECK(metric_value(samples, "sluice_email_clicks_lost_total", {{"source", "limited"}}) == 1);
  // The changed link names its source; the one without a signature cannot be trusted to.
  CHECK(metric_value(samples, "sluice_requests_refused_total",
                     {{"source", "newsletter"}, {"reason", "invalid_click"}}) == 1);
  CHECK(metric_value(samples, "sluice_requests_refused_total",
                     {{"source", ""}, {"reason", "invalid_click"}}) == 1);

  REQUIRE(inbound.server->terminate().clean());
  const StoredLog log = read_stored_log(inbound.server->config_path());
  REQUIRE(log.events.size() == 2);
  simdjson::dom::parser parser;
  simdjson::dom::element click;
  REQUIRE(parser.parse(log.events[0]).get(click) == simdjson::SUCCESS);
  CHECK(click["event"].get_string().value() == "Email Link Clicked");
  CHECK(click["userId"].get_string().value() == "reader-1");
  CHECK(click["properties"]["link_url"].get_string().value() == target);
  CHECK(click["properties"]["email_id"].get_string().value() == "m-1");
  CHECK(click["context"]["userAgent"].get_string().value() == "MailReader/1.0");
  CHECK(click["context"]["ip"].get_string().value() == "127.0.0.1");
}

}  // namespace sluice::integration
