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

constexpr std::array<std::string_view, 6> kTopLevelNames{"server",  "storage",      "log",
                                                         "sources", "destinations", "admin"};

// Lists of tables, each read by its own reader (sources_schema.hpp, destinations_schema.hpp).
constexpr std::array<std::string_view, 2> kTableLists{"sources", "destinations"};

constexpr std::string_view kRequestBytes = "server.max_request_bytes";
constexpr std::string_view kMessageBytes = "server.max_message_bytes";
constexpr std::string_view kAdminListen = "admin.listen";
constexpr std::string_view kAdminToken = "admin.token";

constexpr std::array<std::string_view, 7> kLogLevels{"trace", "debug",    "info", "warn",
                                                     "error", "critical", "off"};

std::optional<Mismatch> read_listen(const toml::node& node, ServerConfig& server) {
  const auto* text = node.as_string();
  auto address = text != nullptr ? parse_listen_address(text->get()) : std::nullopt;
  if (!address) {
    return refuse(node,
                  R"("host:port" such as "127.0.0.1:8080" or "[::1]:8080", with port 0..65535)");
  }
  server.listen_host = std::move(address->host);
  server.listen_port = address->port;
  return std::nullopt;
}

std::optional<Mismatch> read_admin_listen(const toml::node& node, AdminConfig& admin) {
  const auto* text = node.as_string();
  auto address = text != nullptr ? parse_listen_address(text->get()) : std::nullopt;
  if (!address) {
    return refuse(node,
                  R"("host:port" such as "127.0.0.1:9090" or "[::1]:9090", with port 0..65535)");
  }
  admin.enabled = true;
  admin.listen_host = std::move(address->host);
  admin.listen_port = address->port;
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
    {"listen", true, [](const toml::node& v, Config& c) { return read_listen(v, c.server); }},
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
};

const SettingSchema kLogSettings[] = {
    {"level", true, [](const toml::node& v, Config& c) { return read_log_level(v, c.log.level); }},
};

// The token's length is checked once all of [admin] is read (check_admin), so that a refused
// token is never quoted back into a log.
const SettingSchema kAdminSettings[] = {
    {"listen", true, [](const toml::node& v, Config& c) { return read_admin_listen(v, c.admin); }},
    {"token", true,
     [](const toml::node& v, Config& c) { return read_string(v, false, c.admin.token); }},
};

const SectionSchema kSections[] = {
    {"server", kServerSettings},
    {"storage", kStorageSettings},
    {"log", kLogSettings},
    {"admin", kAdminSettings},
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

void report_unknown_keys(const SectionSchema& section, const toml::table& table,
                         ErrorSink& errors) {
  std::vector<std::string_view> known;
  for (const SettingSchema& setting : section.settings) known.push_back(setting.key);
  for (auto&& [key, node] : table) {
    bool is_known = false;
    for (std::string_view name : known) is_known |= name == key.str();
    if (!is_known) {
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
  // Caught here with a position rather than at startup as "address already in use".
  if (listen != nullptr && config.admin.listen_port != 0 &&
      config.admin.listen_port == config.server.listen_port &&
      config.admin.listen_host == config.server.listen_host) {
    errors.at(listen->value,
              "admin.listen must differ from server.listen: the admin API has "
              "its own listener");
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
  for (const SectionSchema& section : kSections) {
    const toml::table* table = root[section.name].as_table();
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
}

}  // namespace sluice::config
