// [[sources]].kind and the settings of the sources other tools post to: email providers,
// generic webhooks and signed click links.

#include "config/source_kinds.hpp"

#include <string>

#include <catch2/catch.hpp>

#include "config/config.hpp"
#include "load_results.hpp"

namespace sluice::config {
namespace {

using Catch::Contains;

// A P-256 public key (SubjectPublicKeyInfo, DER, base64), as SendGrid shows its verification key.
constexpr std::string_view kEcPublicKey =
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEqTQ9vLA6pwHc5l99tB4BFO7NRT1hdGlwCqO0fmEc/HP6s7mvaX3NtVG2"
    "BZs1t5gBK2nuDdVpn/Ty/Kn4h0+frA==";
// An RSA public key: a key, but not one SendGrid signs with.
constexpr std::string_view kRsaPublicKey =
    "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCyVvH2MselG70GiqcOZPXnUZZx1BBdZBGagscH+DSuC3wQq1SmCLl6"
    "aNIxfwezYxHGI2RAXuDBjpk31i5s7V61Hbj7dt1K+VqzjzpHdmAaPj3iuR+Ler99dPQYKmlbLpmuskxfaGdVNdPKV3rx"
    "AZVZBdhlgVakfFXD+9nKhyN7xwIDAQAB";

std::string source_of(std::string_view kind, std::string_view settings) {
  return "[[sources]]\nname = \"mail\"\nkind = \"" + std::string(kind) +
         "\"\nwrite_keys = [\"k1\"]\n[sources.settings]\n" + std::string(settings);
}

LoadResult load(const std::string& text) {
  return load_string(text, "test.toml", {});
}

}  // namespace

TEST_CASE("A source is a tracking source unless its kind says otherwise", "[config][kinds]") {
  const Config config =
      test::require_loaded(load("[[sources]]\nname = \"web\"\nwrite_keys = [\"k1\"]\n"));
  CHECK(config.sources.at(0).kind == SourceKind::kTracking);
}

TEST_CASE("Each email provider takes its own credential", "[config][kinds]") {
  SECTION("sendgrid") {
    const Config config = test::require_loaded(
        load(source_of("sendgrid", "verification_key = \"" + std::string(kEcPublicKey) + "\"\n")));
    CHECK(config.sources[0].kind == SourceKind::kSendgrid);
    CHECK(config.sources[0].settings.email.verification_key == kEcPublicKey);
  }
  SECTION("mailgun") {
    const Config config = test::require_loaded(load(source_of("mailgun", R"(
signing_key = "key-123"
user_id_field = "customer_id"
event_names = { unsubscribe = "Unsubscribed", bounced = "Mail Bounced" }
store_unmapped = true
)")));
    const EmailSettings& email = config.sources[0].settings.email;
    CHECK(email.signing_key == "key-123");
    CHECK(email.user_id_field == "customer_id");
    CHECK(email.event_names.at("unsubscribe") == "Unsubscribed");
    CHECK(email.event_names.at("bounced") == "Mail Bounced");
    CHECK(email.store_unmapped);
  }
  SECTION("postmark") {
    const Config config =
        test::require_loaded(load(source_of("postmark", "basic_auth = \"hook:s3cret\"\n")));
    CHECK(config.sources[0].settings.email.basic_auth == "hook:s3cret");
  }
  SECTION("mandrill") {
    const Config config = test::require_loaded(load(source_of(
        "mandrill",
        "webhook_key = \"abc\"\nwebhook_url = \"https://t.example.com/v1/webhook/k1\"\n")));
    CHECK(config.sources[0].settings.email.webhook_key == "abc");
    CHECK(config.sources[0].settings.email.webhook_url == "https://t.example.com/v1/webhook/k1");
  }
}

TEST_CASE("A verification key pasted over several lines is kept on one", "[config][kinds]") {
  const std::string key(kEcPublicKey);
  const Config config = test::require_loaded(
      load(source_of("sendgrid", "verification_key = \"\"\"\n" + key.substr(0, 40) + "\n" +
                                     key.substr(40) + "\n\"\"\"\n")));
  CHECK(config.sources[0].settings.email.verification_key == kEcPublicKey);
}

TEST_CASE("A credential of another provider is refused", "[config][kinds]") {
  const ConfigError error =
      test::require_one_error(load(source_of("sendgrid", R"(signing_key = "x")")));
  CHECK_THAT(error.message,
             Contains("settings.signing_key is a setting of kind \"mailgun\" sources only"));
}

TEST_CASE("Email settings on a tracking source are refused", "[config][kinds]") {
  const ConfigError error = test::require_one_error(load(
      "[[sources]]\nname = \"web\"\nwrite_keys = [\"k1\"]\n[sources.settings]\nstore_unmapped = "
      "true\n"));
  CHECK_THAT(error.message, Contains("settings.store_unmapped is a setting of email provider"));
}

TEST_CASE("A SendGrid verification key must be an elliptic-curve public key", "[config][kinds]") {
  SECTION("not base64") {
    const ConfigError error =
        test::require_one_error(load(source_of("sendgrid", R"(verification_key = "%%%")")));
    CHECK_THAT(error.message, Contains("base64 text of a DER public key"));
  }
  SECTION("an RSA key") {
    const ConfigError error = test::require_one_error(
        load(source_of("sendgrid", "verification_key = \"" + std::string(kRsaPublicKey) + "\"\n")));
    CHECK_THAT(error.message, Contains("an elliptic-curve (ECDSA) public key"));
  }
}

TEST_CASE("Malformed provider settings are refused with what was expected", "[config][kinds]") {
  CHECK_THAT(
      test::require_one_error(load(source_of("postmark", R"(basic_auth = "nocolon")"))).message,
      Contains(R"("user:password")"));
  CHECK_THAT(
      test::require_one_error(load(source_of("mandrill", R"(webhook_url = "ftp://x")"))).message,
      Contains("an http:// or https:// URL"));
  CHECK_THAT(
      test::require_one_error(load(source_of("mailgun", R"(event_names = { opend = "Opened" })")))
          .message,
      Contains("did you mean \"opened\""));
}

TEST_CASE("An unknown kind is refused with the kinds there are", "[config][kinds]") {
  const ConfigError error = test::require_one_error(
      load("[[sources]]\nname = \"m\"\nkind = \"sendgird\"\nwrite_keys = [\"k1\"]\n"));
  CHECK_THAT(error.message, Contains("tracking, sendgrid, mailgun"));
  CHECK_THAT(error.message, Contains("did you mean \"sendgrid\""));
}

TEST_CASE("A webhook source reads its pointers and HMAC", "[config][kinds]") {
  const Config config = test::require_loaded(load(source_of("webhook", R"(
items = "/events"
event = "/kind"
user_id = "/customer"
timestamp = "/at"
message_id = "/id"
properties = "/payload"
hmac = { header = "X-Signature", secret = "s3cret", encoding = "base64" }
)")));
  const WebhookItemSettings& webhook = config.sources[0].settings.webhook;
  CHECK(webhook.items == "/events");
  CHECK(webhook.event == "/kind");
  CHECK(webhook.user_id == "/customer");
  CHECK(webhook.timestamp == "/at");
  CHECK(webhook.message_id == "/id");
  CHECK(webhook.properties == "/payload");
  REQUIRE(webhook.hmac);
  CHECK(webhook.hmac->header == "X-Signature");
  CHECK(webhook.hmac->secret == "s3cret");
  CHECK(webhook.hmac->encoding == SignatureEncoding::kBase64);
}

TEST_CASE("A webhook source needs an event name rule", "[config][kinds]") {
  CHECK_THAT(test::require_one_error(load(source_of("webhook", R"(items = "/events")"))).message,
             Contains("needs settings.event"));
  // Both: the name stands in for items the pointer finds none in.
  const Config both = test::require_loaded(
      load(source_of("webhook", "event = \"/kind\"\nevent_name = \"Paid\"\n")));
  CHECK(both.sources[0].settings.webhook.event_name == "Paid");
}

TEST_CASE("Webhook pointers and HMAC are checked", "[config][kinds]") {
  CHECK_THAT(test::require_one_error(load(source_of("webhook", "event = \"kind\"\n"))).message,
             Contains("a JSON pointer"));
  CHECK_THAT(test::require_one_error(
                 load(source_of("webhook", "event = \"/k\"\nhmac = { header = \"X-Sig\" }\n")))
                 .message,
             Contains("missing required key \"secret\""));
  CHECK_THAT(
      test::require_one_error(load(source_of("webhook",
                                             "event = \"/k\"\nhmac = { header = \"X\", secret = "
                                             "\"s\", encoding = \"b32\" }\n")))
          .message,
      Contains(R"("hex" or "base64")"));
}

TEST_CASE("link_secret suits any kind", "[config][kinds]") {
  const Config config = test::require_loaded(
      load("[[sources]]\nname = \"web\"\nwrite_keys = [\"k1\"]\n[sources.settings]\nlink_secret = "
           "\"abc\"\n"));
  CHECK(config.sources[0].settings.link_secret == "abc");
}

TEST_CASE("settings_problems lists every misplaced setting", "[config][kinds]") {
  SourceSettings settings;
  settings.webhook.items = "/x";
  settings.email.signing_key = "k";
  const auto problems = settings_problems(SourceKind::kTracking, settings);
  CHECK(problems.size() == 2);
  CHECK(settings_problems(SourceKind::kTracking, SourceSettings{}).empty());
}

}  // namespace sluice::config
