#include "config/inbound_settings_schema.hpp"

#include <algorithm>
#include <array>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "config/messages.hpp"
#include "config/value_readers.hpp"

namespace sluice::config {
namespace {

constexpr std::array<std::string_view, 17> kKeys{"link_secret",
                                                 "verification_key",
                                                 "signing_key",
                                                 "webhook_key",
                                                 "webhook_url",
                                                 "basic_auth",
                                                 "user_id_field",
                                                 "event_names",
                                                 "store_unmapped",
                                                 "items",
                                                 "event",
                                                 "event_name",
                                                 "user_id",
                                                 "timestamp",
                                                 "message_id",
                                                 "properties",
                                                 "hmac"};
// The keys of the tables inside the settings.
constexpr std::array<std::string_view, 6> kEventNameKeys{
    "delivered", "opened", "link_clicked", "bounced", "marked_as_spam", "unsubscribe"};
constexpr std::array<std::string_view, 3> kHmacKeys{"header", "secret", "encoding"};

// What is wrong with a SendGrid verification key (base64 of a DER public key), or empty.
std::string public_key_problem(std::string_view text) {
  std::string compact;
  for (const char c : text) {
    if (c != '\n' && c != '\r' && c != ' ') compact += c;
  }
  if (compact.empty() || compact.size() % 4 != 0) return "base64 text of a DER public key";
  std::string der(compact.size() / 4 * 3, '\0');
  const int length = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(der.data()),
                                     reinterpret_cast<const unsigned char*>(compact.data()),
                                     static_cast<int>(compact.size()));
  if (length <= 0) return "base64 text of a DER public key";
  const auto* bytes = reinterpret_cast<const unsigned char*>(der.data());
  EVP_PKEY* key = d2i_PUBKEY(nullptr, &bytes, length);
  if (key == nullptr) return "the base64 of a DER public key (SubjectPublicKeyInfo)";
  const bool elliptic = EVP_PKEY_base_id(key) == EVP_PKEY_EC;
  EVP_PKEY_free(key);
  return elliptic ? std::string() : "an elliptic-curve (ECDSA) public key";
}

class InboundReader {
 public:
  InboundReader(const std::string& name, ErrorSink& errors) : name_(name), errors_(errors) {}

  bool read(std::string_view key, const toml::node& node, SourceSettings& out) {
    const std::string name = name_ + "." + std::string(key);
    EmailSettings& email = out.email;
    WebhookItemSettings& webhook = out.webhook;
    if (key == "link_secret") return secret(name, node, out.link_secret);
    if (key == "verification_key") return verification_key(name, node, email.verification_key);
    if (key == "signing_key") return secret(name, node, email.signing_key);
    if (key == "webhook_key") return secret(name, node, email.webhook_key);
    if (key == "webhook_url") return url(name, node, email.webhook_url);
    if (key == "basic_auth") return basic_auth(name, node, email.basic_auth);
    if (key == "user_id_field") return secret(name, node, email.user_id_field);
    if (key == "event_names") return event_names(name, node, email.event_names);
    if (key == "store_unmapped") return report(name, read_bool(node, email.store_unmapped));
    if (key == "items") return pointer(name, node, webhook.items);
    if (key == "event") return pointer(name, node, webhook.event);
    if (key == "event_name") return secret(name, node, webhook.event_name);
    if (key == "user_id") return pointer(name, node, webhook.user_id);
    if (key == "timestamp") return pointer(name, node, webhook.timestamp);
    if (key == "message_id") return pointer(name, node, webhook.message_id);
    if (key == "properties") return pointer(name, node, webhook.properties);
    if (key == "hmac") return hmac(name, node, webhook.hmac);
    return false;
  }

 private:
  // true: the key was handled, whatever its value.
  bool report(const std::string& name, const std::optional<Mismatch>& mismatch) {
    if (mismatch) {
      errors_.at(mismatch->node->source(), expected_but_got(name + mismatch->name_suffix,
                                                            mismatch->expected, *mismatch->node));
    }
    return true;
  }

  void refuse_value(const std::string& name, const toml::node& node, std::string_view expected) {
    errors_.at(node.source(), expected_but_got(name, expected, node));
  }

  bool secret(const std::string& name, const toml::node& node, std::string& out) {
    return report(name, read_string(node, /*allow_empty=*/false, out));
  }

  bool verification_key(const std::string& name, const toml::node& node, std::string& out) {
    std::string text;
    if (read_string(node, false, text)) return secret(name, node, out);
    if (std::string problem = public_key_problem(text); !problem.empty()) {
      refuse_value(name, node, problem + " (SendGrid's verification key)");
      return true;
    }
    // Kept without the line breaks a pasted key may carry, so that it decodes as it was checked.
    std::erase_if(text, [](char c) { return c == '\n' || c == '\r' || c == ' '; });
    out = std::move(text);
    return true;
  }

  bool url(const std::string& name, const toml::node& node, std::string& out) {
    std::string text;
    if (read_string(node, false, text) ||
        !(text.starts_with("https://") || text.starts_with("http://"))) {
      refuse_value(name, node, "an http:// or https:// URL");
      return true;
    }
    out = std::move(text);
    return true;
  }

  bool basic_auth(const std::string& name, const toml::node& node, std::string& out) {
    std::string text;
    if (read_string(node, false, text) || text.find(':') == std::string::npos) {
      refuse_value(name, node, R"("user:password")");
      return true;
    }
    out = std::move(text);
    return true;
  }

  bool pointer(const std::string& name, const toml::node& node, std::string& out) {
    std::string text;
    if (read_string(node, false, text) || text.front() != '/') {
      refuse_value(name, node, R"(a JSON pointer such as "/data/id")");
      return true;
    }
    out = std::move(text);
    return true;
  }

  bool event_names(const std::string& name, const toml::node& node,
                   std::map<std::string, std::string>& out) {
    std::map<std::string, std::string> names;
    if (read_string_table(node, names)) {
      refuse_value(name, node, R"(a table such as { unsubscribe = "Unsubscribed" })");
      return true;
    }
    bool valid = true;
    for (auto&& [key, value] : *node.as_table()) {
      if (std::find(kEventNameKeys.begin(), kEventNameKeys.end(), key.str()) ==
          kEventNameKeys.end()) {
        errors_.at(key.source(), unknown_key(key.str(), name, kEventNameKeys));
        valid = false;
      } else if (value.as_string()->get().empty()) {
        refuse_value(name + "." + std::string(key.str()), value, "a non-empty event name");
        valid = false;
      }
    }
    if (valid) out = std::move(names);
    return true;
  }

  bool hmac(const std::string& name, const toml::node& node, std::optional<BodyHmacConfig>& out) {
    const auto* table = node.as_table();
    if (table == nullptr) {
      refuse_value(
          name, node,
          R"(a table such as { header = "X-Signature", secret = "...", encoding = "hex" })");
      return true;
    }
    BodyHmacConfig config;
    bool valid = true;
    for (auto&& [key, value] : *table) {
      const std::string member = name + "." + std::string(key.str());
      if (key.str() == "header" || key.str() == "secret") {
        std::string& target = key.str() == "header" ? config.header : config.secret;
        if (read_string(value, false, target)) {
          refuse_value(member, value, "a non-empty string");
          valid = false;
        }
      } else if (key.str() == "encoding") {
        const auto* text = value.as_string();
        if (text != nullptr && text->get() == "hex") {
          config.encoding = SignatureEncoding::kHex;
        } else if (text != nullptr && text->get() == "base64") {
          config.encoding = SignatureEncoding::kBase64;
        } else {
          refuse_value(member, value, R"("hex" or "base64")");
          valid = false;
        }
      } else {
        errors_.at(key.source(), unknown_key(key.str(), name, kHmacKeys));
        valid = false;
      }
    }
    for (std::string_view required : {"header", "secret"}) {
      if (!table->contains(required)) {
        errors_.at(node.source(), name + ": missing required key " + quoted(required));
        valid = false;
      }
    }
    if (valid) out = std::move(config);
    return true;
  }

  const std::string& name_;
  ErrorSink& errors_;
};

}  // namespace

std::span<const std::string_view> inbound_setting_keys() {
  return kKeys;
}

bool read_inbound_setting(const std::string& name, std::string_view key, const toml::node& node,
                          SourceSettings& out, ErrorSink& errors) {
  return InboundReader(name, errors).read(key, node, out);
}

}  // namespace sluice::config
