#include "config/settings_schema.hpp"

#include <array>
#include <cstdint>
#include <limits>
#include <map>
#include <vector>

#include "config/env_overrides.hpp"
#include "config/listen_address.hpp"
#include "config/messages.hpp"
#include "config/value_readers.hpp"

namespace sluice::config {
namespace {

// More IO threads than this is a typo, not a machine.
constexpr std::int64_t kMaxThreads = 1024;

constexpr std::array<std::string_view, 7> kTopLevelNames{
    "server", "storage", "log", "sources", "destinations", "admin", "ops"};

// Lists of tables, each read by its own reader (sources_schema.hpp, destinations_schema.hpp).
constexpr std::array<std::string_view, 2> kTableLists{"sources", "destinations"};

constexpr std::string_view kRequestBytes = "server.max_request_bytes";
constexpr std::string_view kMessageBytes = "server.max_message_bytes";
constexpr std::string_view kAdminListen = "admin.listen";
constexpr std::string_view kAdminToken = "admin.token";
constexpr std::string_view kListenPlain = "server.listen_plain";
constexpr std::string_view kOpsListen = "ops.listen";
constexpr std::string_view kTlsSection = "server.tls";
constexpr std::string_view kTlsCertFile = "server.tls.cert_file";
constexpr std::string_view kTlsKeyFile = "server.tls.key_file";

constexpr std::array<std::string_view, 7> kLogLevels{"trace", "debug",    "info", "warn",
                                                     "error", "critical", "off"};

// A "host:port" value; example_port shows up in the message when it is malformed.
std::optional<Mismatch> read_address(const toml::node& node, std::string_view example_port,
                                     std::string& host, std::uint16_t& port) {
  const auto* text = node.as_string();
  auto address = text != nullptr ? parse_listen_address(text->get()) : std::nullopt;
  if (!address) {
    const std::string port_text(example_port);
    return refuse(node, "\"host:port\" such as \"127.0.0.1:" + port_text +
                            "\" or \"[::1]:" + port_text + "\", with port 0..65535");
  }
  host = std::move(address->host);
  port = address->port;
  return std::nullopt;
}

std::optional<Mismatch> read_tls_version(const toml::node& node, TlsVersion& out) {
  const auto* text = node.as_string();
  if (text != nullptr && text->get() == "1.2") {
    out = TlsVersion::kTls12;
  } else if (text != nullptr && text->get() == "1.3") {
    out = TlsVersion::kTls13;
  } else {
    return refuse(node, R"("1.2" or "1.3")");
  }
  return std::nullopt;
}

std::optional<Mismatch> read_durability(const toml::node& node, Durability& out) {
  const auto* text = node.as_string();
  if (text != nullptr && text->get() == "fsync") {
    out = Durability::kFsync;
  } else if (text != nullptr && text->get() == "wal") {
    out = Durability::kWal;
  } else {
    return refuse(node, R"("fsync" or "wal")");
  }
  return std::nullopt;
}

std::optional<Mismatch> read_log_level(const toml::node& node, std::string& out) {
  const auto* text = node.as_string();
  for (std::string_view level : kLogLevels) {
    if (text != nullptr && text->get() == level) {
      out = level;
      return std::nullopt;
    }
  }
  return refuse(node, "one of trace, debug, info, warn, error, critical, off");
}

constexpr auto kMax = std::numeric_limits<std::int64_t>::max();

// Each entry: {key, text_only, reader}.
const SettingSchema kServerSettings[] = {
    {"listen", true,
     [](const toml::node& v, Config& c) {
       return read_address(v, "8080", c.server.listen_host, c.server.listen_port);
     }},
    {"listen_plain", true,
     [](const toml::node& v, Config& c) {
       c.server.listen_plain = true;
       return read_address(v, "8080", c.server.listen_plain_host, c.server.listen_plain_port);
     }},
    {"threads", false,
     [](const toml::node& v, Config& c) {
       return read_integer(v, 0, kMaxThreads, c.server.threads);
     }},
    {"max_request_bytes", false,
     [](const toml::node& v, Config& c) { return read_byte_size(v, c.server.max_request_bytes); }},
    {"max_message_bytes", false,
     [](const toml::node& v, Config& c) { return read_byte_size(v, c.server.max_message_bytes); }},
    {"max_batch_events", false,
     [](const toml::node& v, Config& c) {
       return read_integer(v, 1, kMax, c.server.max_batch_events);
     }},
    {"trust_forwarded_for", false,
     [](const toml::node& v, Config& c) { return read_bool(v, c.server.trust_forwarded_for); }},
    {"cors_allowed_origins", false,
     [](const toml::node& v, Config& c) {
       return read_string_array(v, c.server.cors_allowed_origins);
     }},
    {"public_host", true,
     [](const toml::node& v, Config& c) { return read_string(v, true, c.server.public_host); }},
    {"header_timeout", false,
     [](const toml::node& v, Config& c) { return read_duration(v, c.server.header_timeout); }},
    {"body_timeout", false,
     [](const toml::node& v, Config& c) { return read_duration(v, c.server.body_timeout); }},
    {"idle_timeout", false,
     [](const toml::node& v, Config& c) { return read_duration(v, c.server.idle_timeout); }},
    {"max_connections", false,
     [](const toml::node& v, Config& c) {
       return read_integer(v, 1, kMax, c.server.max_connections);
     }},
    {"retry_after", false,
     [](const toml::node& v, Config& c) { return read_whole_seconds(v, c.server.retry_after); }},
};

// The files are checked when the server starts, where a missing or unreadable one is reported
// with OpenSSL's reason.
const SettingSchema kTlsSettings[] = {
    {"cert_file", true,
     [](const toml::node& v, Config& c) { return read_string(v, false, c.server.tls.cert_file); }},
    {"key_file", true,
     [](const toml::node& v, Config& c) { return read_string(v, false, c.server.tls.key_file); }},
    {"min_version", true,
     [](const toml::node& v, Config& c) { return read_tls_version(v, c.server.tls.min_version); }},
};

const SettingSchema kStorageSettings[] = {
    {"path", true,
     [](const toml::node& v, Config& c) { return read_string(v, false, c.storage.path); }},
    {"durability", true,
     [](const toml::node& v, Config& c) { return read_durability(v, c.storage.durability); }},
    {"max_backlog_bytes", false,
     [](const toml::node& v, Config& c) { return read_byte_size(v, c.storage.max_backlog_bytes); }},
    {"max_pending_bytes", false,
     [](const toml::node& v, Config& c) { return read_byte_size(v, c.storage.max_pending_bytes); }},
    {"retention", false,
     [](const toml::node& v, Config& c) { return read_retention(v, c.storage.retention); }},
    {"dedup_window", false,
     [](const toml::node& v, Config& c) { return read_retention(v, c.storage.dedup_window); }},
    {"dedup_cache", false,
     [](const toml::node& v, Config& c) { return read_byte_size(v, c.storage.dedup_cache_bytes); }},
};

const SettingSchema kLogSettings[] = {
    {"level", true, [](const toml::node& v, Config& c) { return read_log_level(v, c.log.level); }},
};

// The token's length is checked once all of [admin] is read (check_admin), so that a refused
// token is never quoted back into a log.
const SettingSchema kAdminSettings[] = {
    {"listen", true,
     [](const toml::node& v, Config& c) {
       c.admin.enabled = true;
       return read_address(v, "9090", c.admin.listen_host, c.admin.listen_port);
     }},
    {"token", true,
     [](const toml::node& v, Config& c) { return read_string(v, false, c.admin.token); }},
};

const SettingSchema kOpsSettings[] = {
    {"listen", true,
     [](const toml::node& v, Config& c) {
       c.ops.enabled = true;
       return read_address(v, "9091", c.ops.listen_host, c.ops.listen_port);
     }},
};

// A section whose name has a dot is a table inside another: [server.tls] in [server].
const SectionSchema kSections[] = {
    {"server", kServerSettings}, {"server.tls", kTlsSettings}, {"storage", kStorageSettings},
    {"log", kLogSettings},       {"admin", kAdminSettings},    {"ops", kOpsSettings},
};

// A setting that was given, in the file or the environment: where, and whether it was refused.
// The checks across settings below only judge settings that were read.
struct GivenSetting {
  ValueRef value;
  bool refused = false;
};
using GivenSettings = std::map<std::string, GivenSetting, std::less<>>;

const GivenSetting* find_given(const GivenSettings& given, std::string_view name) {
  const auto it = given.find(name);
  return it == given.end() ? nullptr : &it->second;
}

std::string qualified(std::string_view section, std::string_view key) {
  return std::string(section).append(".").append(key);
}

void report_unknown_top_level(const toml::table& root, ErrorSink& errors) {
  for (auto&& [key, node] : root) {
    const std::string_view name = key.str();
    bool is_list = false;
    for (std::string_view list : kTableLists) is_list |= list == name;
    bool is_section = is_list;
    for (const SectionSchema& section : kSections) is_section |= section.name == name;
    if (is_section) {
      if (!is_list && !node.is_table()) {
        errors.at(node.source(),
                  expected_but_got(name, "a table [" + std::string(name) + "]", node));
      }
    } else if (node.is_table()) {
      errors.at(key.source(),
                "unknown section [" + std::string(name) + "]" + did_you_mean(name, kTopLevelNames));
    } else {
      errors.at(key.source(),
                unknown_key(name, "the top level (settings belong in a section)", kTopLevelNames));
    }
  }
}

// The name of a section inside `parent` ("tls" of "server.tls"), or empty.
std::string_view child_name(std::string_view parent, const SectionSchema& section) {
  if (section.name.size() <= parent.size() + 1 || !section.name.starts_with(parent) ||
      section.name[parent.size()] != '.') {
    return {};
  }
  return section.name.substr(parent.size() + 1);
}

void report_unknown_keys(const SectionSchema& section, const toml::table& table,
                         ErrorSink& errors) {
  std::vector<std::string_view> known;
  for (const SettingSchema& setting : section.settings) known.push_back(setting.key);
  std::vector<std::string_view> children;
  for (const SectionSchema& other : kSections) {
    if (const std::string_view child = child_name(section.name, other); !child.empty()) {
      children.push_back(child);
    }
  }
  for (auto&& [key, node] : table) {
    bool is_known = false;
    for (std::string_view name : known) is_known |= name == key.str();
    bool is_child = false;
    for (std::string_view name : children) is_child |= name == key.str();
    if (is_child) {
      if (!node.is_table()) {
        const std::string full = qualified(section.name, key.str());
        errors.at(node.source(), expected_but_got(full, "a table [" + full + "]", node));
      }
    } else if (!is_known) {
      known.insert(known.end(), children.begin(), children.end());
      errors.at(key.source(), unknown_key(key.str(), bracketed(section.name), known));
    }
  }
}

// A message larger than a whole request could never arrive; say so now rather than answer
// 413 to every batch later.
void check_byte_limits(const Config& config, const GivenSettings& given, ErrorSink& errors) {
  const GivenSetting* request_bytes = find_given(given, kRequestBytes);
  const GivenSetting* message_bytes = find_given(given, kMessageBytes);
  if ((request_bytes != nullptr && request_bytes->refused) ||
      (message_bytes != nullptr && message_bytes->refused)) {
    return;
  }
  if (config.server.max_message_bytes <= config.server.max_request_bytes) return;
  const GivenSetting* blamed = message_bytes != nullptr ? message_bytes : request_bytes;
  errors.at(blamed != nullptr ? blamed->value : ValueRef{},
            "server.max_message_bytes (" + std::to_string(config.server.max_message_bytes) +
                ") must be <= server.max_request_bytes (" +
                std::to_string(config.server.max_request_bytes) + ")");
}

// Caught here with a position rather than at startup as "address already in use".
bool same_address(const std::string& host_a, std::uint16_t port_a, const std::string& host_b,
                  std::uint16_t port_b) {
  return port_a != 0 && port_a == port_b && host_a == host_b;
}

// The admin API is either off or protected by a token that is hard to guess. The token's value
// is never part of a message.
void check_admin(const Config& config, const GivenSettings& given, ErrorSink& errors) {
  const GivenSetting* listen = find_given(given, kAdminListen);
  const GivenSetting* token = find_given(given, kAdminToken);
  if ((listen != nullptr && listen->refused) || (token != nullptr && token->refused)) return;
  const std::string min_chars = std::to_string(AdminConfig::kMinTokenChars);
  if (token != nullptr && config.admin.token.size() < AdminConfig::kMinTokenChars) {
    errors.at(token->value, "admin.token: must be at least " + min_chars +
                                " characters long, got " +
                                std::to_string(config.admin.token.size()) +
                                " (generate one with: openssl rand -hex 32)");
  }
  if (listen != nullptr && token == nullptr) {
    errors.at(listen->value,
              "admin.token is required when admin.listen is set: a bearer token of at least " +
                  min_chars + " characters (SLUICE_ADMIN_TOKEN keeps it out of the file)");
  }
  if (token != nullptr && listen == nullptr) {
    errors.at(token->value,
              "admin.token is set but admin.listen is not: set admin.listen to turn the admin "
              "API on, or remove the token");
  }
  if (listen != nullptr && same_address(config.admin.listen_host, config.admin.listen_port,
                                        config.server.listen_host, config.server.listen_port)) {
    errors.at(listen->value,
              "admin.listen must differ from server.listen: the admin API has "
              "its own listener");
  }
}

// [server.tls] needs both files; listen_plain is the plaintext companion of a TLS listener.
void check_tls(const Config& config, const GivenSettings& given, bool tls_given,
               ErrorSink& errors) {
  const GivenSetting* cert = find_given(given, kTlsCertFile);
  const GivenSetting* key = find_given(given, kTlsKeyFile);
  if (tls_given && cert == nullptr) {
    errors.at_file(
        "server.tls.cert_file is required in [server.tls]: the PEM file with the "
        "server's certificate and its chain");
  }
  if (tls_given && key == nullptr) {
    errors.at_file(
        "server.tls.key_file is required in [server.tls]: the PEM file with the "
        "certificate's private key");
  }
  const GivenSetting* plain = find_given(given, kListenPlain);
  if (plain == nullptr || plain->refused) return;
  if (!tls_given) {
    errors.at(plain->value,
              "server.listen_plain is a second, plaintext listener next to a TLS one: set "
              "[server.tls], or use server.listen alone");
  } else if (same_address(config.server.listen_plain_host, config.server.listen_plain_port,
                          config.server.listen_host, config.server.listen_port)) {
    errors.at(plain->value, "server.listen_plain must differ from server.listen");
  }
}

void check_ops(const Config& config, const GivenSettings& given, ErrorSink& errors) {
  const GivenSetting* listen = find_given(given, kOpsListen);
  if (listen == nullptr || listen->refused) return;
  const auto& ops = config.ops;
  if (same_address(ops.listen_host, ops.listen_port, config.server.listen_host,
                   config.server.listen_port) ||
      (config.server.listen_plain &&
       same_address(ops.listen_host, ops.listen_port, config.server.listen_plain_host,
                    config.server.listen_plain_port))) {
    errors.at(listen->value,
              "ops.listen must differ from the tracking API's listeners: /metrics, /health and "
              "/ready move to a listener of their own");
  } else if (config.admin.enabled &&
             same_address(ops.listen_host, ops.listen_port, config.admin.listen_host,
                          config.admin.listen_port)) {
    errors.at(listen->value, "ops.listen must differ from admin.listen");
  }
}

}  // namespace

std::span<const SectionSchema> settings_schema() {
  return kSections;
}

void read_settings(const toml::table& root, const EnvOverrides& overrides, Config& config,
                   ErrorSink& errors) {
  report_unknown_top_level(root, errors);
  GivenSettings given;
  bool tls_given = false;
  for (const SectionSchema& section : kSections) {
    const toml::table* table = root.at_path(section.name).as_table();
    if (section.name == kTlsSection) tls_given = table != nullptr;
    if (table != nullptr) report_unknown_keys(section, *table, errors);
    for (const SettingSchema& setting : section.settings) {
      ValueRef value = overrides.find(section.name, setting.key);
      if (value.node == nullptr && table != nullptr) value.node = table->get(setting.key);
      if (value.node == nullptr) continue;
      const std::string name = qualified(section.name, setting.key);
      const auto mismatch = setting.read(*value.node, config);
      if (mismatch) {
        errors.at(
            ValueRef{mismatch->node, value.env_var},
            expected_but_got(name + mismatch->name_suffix, mismatch->expected, *mismatch->node));
      }
      given.insert_or_assign(name, GivenSetting{value, mismatch.has_value()});
    }
  }
  check_byte_limits(config, given, errors);
  check_admin(config, given, errors);
  // [server.tls] is on when its table is there or its files are set from the environment.
  tls_given = tls_given || find_given(given, kTlsCertFile) != nullptr ||
              find_given(given, kTlsKeyFile) != nullptr;
  config.server.tls.enabled = tls_given;
  check_tls(config, given, tls_given, errors);
  check_ops(config, given, errors);
}

}  // namespace sluice::config
