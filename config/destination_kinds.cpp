#include "config/destination_kinds.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <string_view>

#include "config/messages.hpp"
#include "config/table_reader.hpp"
#include "config/value_readers.hpp"

namespace sluice::config {
namespace {

// Kafka refuses longer topic names.
constexpr std::size_t kMaxTopicLength = 249;

constexpr std::array<std::string_view, 2> kTopicPlaceholders{"{source}", "{type}"};

bool starts_with_ignoring_case(std::string_view text, std::string_view lower_prefix) {
  if (text.size() < lower_prefix.size()) return false;
  for (std::size_t i = 0; i < lower_prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != lower_prefix[i]) return false;
  }
  return true;
}

bool is_port(std::string_view text) {
  unsigned port = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  return ec == std::errc() && end == text.data() + text.size() && port >= 1 && port <= 65535;
}

// http(s)://host[:port][/path...]: only what a webhook can use, so that a typo fails at startup
// rather than at the first delivery.
bool is_http_url(std::string_view url) {
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return false;
  }
  std::string_view rest;
  if (starts_with_ignoring_case(url, "https://")) {
    rest = url.substr(8);
  } else if (starts_with_ignoring_case(url, "http://")) {
    rest = url.substr(7);
  } else {
    return false;
  }
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.find('@') != std::string_view::npos) return false;  // credentials go in headers
  std::string_view port;
  if (authority.starts_with('[')) {  // [IPv6]
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos || close == 1) return false;
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty() && !after.starts_with(':')) return false;
    if (!after.empty()) port = after.substr(1);
    if (!after.empty() && port.empty()) return false;
  } else if (const std::size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    port = authority.substr(colon + 1);
    authority = authority.substr(0, colon);
    if (port.empty()) return false;
  }
  return !authority.empty() && (port.empty() || is_port(port));
}

// RFC 9110 token characters.
bool is_header_name(std::string_view name) {
  constexpr std::string_view kSymbols = "!#$%&'*+-.^_`|~";
  if (name.empty()) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) &&
        kSymbols.find(c) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

bool equals_ignoring_case(std::string_view a, std::string_view lower) {
  return a.size() == lower.size() && starts_with_ignoring_case(a, lower);
}

std::optional<Mismatch> read_url(const toml::node& node, WebhookDestinationConfig& out) {
  const auto* text = node.as_string();
  if (text == nullptr || !is_http_url(text->get())) {
    return refuse(node, R"(an http:// or https:// URL such as "https://example.com/collect")");
  }
  out.url = text->get();
  return std::nullopt;
}

std::optional<Mismatch> read_headers(const toml::node& node, WebhookDestinationConfig& out) {
  std::map<std::string, std::string> headers;
  if (auto mismatch = read_string_table(node, headers)) return mismatch;
  const auto& table = *node.as_table();
  for (const auto& [name, value] : headers) {
    const toml::node& value_node = *table.get(name);
    const std::string suffix = "." + config::quoted(name);
    if (!is_header_name(name)) {
      return Mismatch{&value_node, suffix,
                      "an HTTP header name (letters, digits and !#$%&'*+-.^_`|~)"};
    }
    // The webhook computes these itself; a configured value would break the request framing.
    if (equals_ignoring_case(name, "content-length") ||
        equals_ignoring_case(name, "transfer-encoding")) {
      return Mismatch{&value_node, suffix,
                      "a header other than Content-Length and Transfer-Encoding"};
    }
    // A line break in a value would let the config inject headers or split the request.
    if (value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
      return Mismatch{&value_node, suffix, "a header value without line breaks or NUL"};
    }
  }
  out.headers = std::move(headers);
  return std::nullopt;
}

std::optional<Mismatch> read_mode(const toml::node& node, WebhookDestinationConfig& out) {
  const auto* text = node.as_string();
  if (text != nullptr && text->get() == "batch") {
    out.mode = WebhookMode::kBatch;
  } else if (text != nullptr && text->get() == "event") {
    out.mode = WebhookMode::kEvent;
  } else {
    return refuse(node, R"("batch" or "event")");
  }
  return std::nullopt;
}

std::optional<Mismatch> read_topic(const toml::node& node, KafkaDestinationConfig& out) {
  constexpr std::string_view kExpected =
      R"(a topic name of letters, digits, '.', '_' and '-', at most 249 characters, which may )"
      R"(use {source} and {type})";
  const auto* text = node.as_string();
  if (text == nullptr || text->get().empty()) return refuse(node, std::string(kExpected));
  std::string_view rest = text->get();
  std::size_t literal_length = 0;
  while (!rest.empty()) {
    bool placeholder = false;
    for (std::string_view name : kTopicPlaceholders) {
      if (rest.starts_with(name)) {
        rest.remove_prefix(name.size());
        placeholder = true;
      }
    }
    if (placeholder) continue;
    const char c = rest.front();
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') {
      return refuse(node, std::string(kExpected));
    }
    ++literal_length;
    rest.remove_prefix(1);
  }
  if (literal_length > kMaxTopicLength) return refuse(node, std::string(kExpected));
  out.topic = text->get();
  return std::nullopt;
}

const KeyReader<WebhookDestinationConfig> kWebhookKeys[] = {
    {"url", read_url},
    {"headers", read_headers},
    {"mode", read_mode},
    {"timeout",
     [](const toml::node& v, WebhookDestinationConfig& c) { return read_duration(v, c.timeout); }},
    {"ca_file", [](const toml::node& v,
                   WebhookDestinationConfig& c) { return read_string(v, false, c.ca_file); }},
};
constexpr std::array<std::string_view, 1> kWebhookRequired{"url"};

const KeyReader<FileDestinationConfig> kFileKeys[] = {
    {"path",
     [](const toml::node& v, FileDestinationConfig& c) { return read_string(v, false, c.path); }},
    {"rotate_bytes", [](const toml::node& v,
                        FileDestinationConfig& c) { return read_byte_size(v, c.rotate_bytes); }},
    {"rotate_interval",
     [](const toml::node& v, FileDestinationConfig& c) {
       return read_duration(v, c.rotate_interval);
     }},
    {"gzip", [](const toml::node& v, FileDestinationConfig& c) { return read_bool(v, c.gzip); }},
};
constexpr std::array<std::string_view, 1> kFileRequired{"path"};

const KeyReader<KafkaDestinationConfig> kKafkaKeys[] = {
    {"brokers", [](const toml::node& v,
                   KafkaDestinationConfig& c) { return read_string(v, false, c.brokers); }},
    {"topic", read_topic},
    {"properties", [](const toml::node& v,
                      KafkaDestinationConfig& c) { return read_string_table(v, c.properties); }},
};
constexpr std::array<std::string_view, 2> kKafkaRequired{"brokers", "topic"};

const KeyReader<PostgresDestinationConfig> kPostgresKeys[] = {
    {"dsn", [](const toml::node& v,
               PostgresDestinationConfig& c) { return read_string(v, false, c.dsn); }},
    {"schema_per_source",
     [](const toml::node& v, PostgresDestinationConfig& c) {
       return read_bool(v, c.schema_per_source);
     }},
};
constexpr std::array<std::string_view, 1> kPostgresRequired{"dsn"};

template <typename T, std::size_t N, std::size_t R>
bool read_kind(const toml::table& table, const std::string& name, std::string_view where,
               const KeyReader<T> (&readers)[N], const std::array<std::string_view, R>& required,
               T& out, ErrorSink& errors) {
  const bool present = require_keys(table, required, name, errors);
  const bool read = read_keys<T>(table, readers, {}, name, where, out, errors);
  return present && read;
}

}  // namespace

bool read_destination_kind(const toml::table& table, const std::string& name,
                           DestinationConfig& destination, ErrorSink& errors) {
  if (auto* webhook = std::get_if<WebhookDestinationConfig>(&destination.settings)) {
    return read_kind(table, name, "[destinations.webhook]", kWebhookKeys, kWebhookRequired,
                     *webhook, errors);
  }
  if (auto* file = std::get_if<FileDestinationConfig>(&destination.settings)) {
    return read_kind(table, name, "[destinations.file]", kFileKeys, kFileRequired, *file, errors);
  }
  if (auto* postgres = std::get_if<PostgresDestinationConfig>(&destination.settings)) {
    return read_kind(table, name, "[destinations.postgres]", kPostgresKeys, kPostgresRequired,
                     *postgres, errors);
  }
  auto& kafka = std::get<KafkaDestinationConfig>(destination.settings);
  return read_kind(table, name, "[destinations.kafka]", kKafkaKeys, kKafkaRequired, kafka, errors);
}

}  // namespace sluice::config
