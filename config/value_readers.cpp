#include "config/value_readers.hpp"

#include <limits>

#include "config/config.hpp"
#include "config/messages.hpp"

namespace sluice::config {
namespace {

using std::chrono::milliseconds;

std::string size_expectation(std::uint64_t max) {
  std::string expected = "a size > 0";
  if (max != std::numeric_limits<std::uint64_t>::max()) {
    expected += " and <= " + std::to_string(max) + " bytes";
  }
  return expected + R"( such as "600KiB" or "64MiB", or an integer number of bytes)";
}

}  // namespace

std::optional<Mismatch> refuse(const toml::node& node, std::string expected) {
  return Mismatch{&node, {}, std::move(expected)};
}

std::optional<Mismatch> read_byte_count(const toml::node& node, std::uint64_t max,
                                        std::uint64_t& out) {
  std::optional<std::uint64_t> bytes;
  if (const auto* integer = node.as_integer(); integer != nullptr && integer->get() > 0) {
    bytes = static_cast<std::uint64_t>(integer->get());
  } else if (const auto* text = node.as_string()) {
    bytes = parse_byte_size(text->get());
  }
  if (!bytes || *bytes == 0 || *bytes > max) return refuse(node, size_expectation(max));
  out = *bytes;
  return std::nullopt;
}

std::optional<milliseconds> duration_of(const toml::node& node) {
  if (const auto* seconds = node.as_integer()) {
    // Compared before converting, so a huge integer cannot overflow the conversion.
    if (seconds->get() < 0 || seconds->get() > std::chrono::seconds(kMaxDuration).count()) {
      return std::nullopt;
    }
    return std::chrono::seconds(seconds->get());
  }
  if (const auto* text = node.as_string()) return parse_duration(text->get());
  return std::nullopt;
}

std::optional<Mismatch> read_duration(const toml::node& node, milliseconds& out) {
  const auto duration = duration_of(node);
  if (!duration || *duration <= milliseconds::zero() || *duration > kMaxDuration) {
    return refuse(node,
                  R"(a duration > 0 and <= 24h such as "10s" or "200ms", or integer seconds)");
  }
  out = *duration;
  return std::nullopt;
}

std::optional<Mismatch> read_duration_or_zero(const toml::node& node, milliseconds& out) {
  const auto duration = duration_of(node);
  if (!duration || *duration > kMaxDuration) {
    return refuse(node,
                  R"(a duration >= 0 and <= 24h such as "200ms" or "0ms", or integer seconds)");
  }
  out = *duration;
  return std::nullopt;
}

std::optional<Mismatch> read_retention(const toml::node& node, milliseconds& out) {
  std::optional<milliseconds> duration;
  if (const auto* seconds = node.as_integer()) {
    if (seconds->get() >= 0 && seconds->get() <= std::chrono::seconds(kMaxRetention).count()) {
      duration = std::chrono::seconds(seconds->get());
    }
  } else if (const auto* text = node.as_string()) {
    duration = parse_duration(text->get());
  }
  if (!duration || *duration > kMaxRetention) {
    return refuse(node,
                  R"(a duration >= 0 and <= 3650d such as "7d" or "12h", or integer seconds)");
  }
  out = *duration;
  return std::nullopt;
}

// Retry-After is sent in whole seconds, so a finer value would be silently rounded.
std::optional<Mismatch> read_whole_seconds(const toml::node& node, std::chrono::seconds& out) {
  const auto duration = duration_of(node);
  if (!duration || *duration < std::chrono::seconds(1) || *duration > kMaxDuration ||
      *duration % std::chrono::seconds(1) != milliseconds::zero()) {
    return refuse(node, R"(whole seconds > 0 and <= 24h such as "5s" or "1m", or integer seconds)");
  }
  out = std::chrono::duration_cast<std::chrono::seconds>(*duration);
  return std::nullopt;
}

std::optional<Mismatch> read_bool(const toml::node& node, bool& out) {
  const auto* value = node.as_boolean();
  if (value == nullptr) return refuse(node, "true or false");
  out = value->get();
  return std::nullopt;
}

std::optional<Mismatch> read_string(const toml::node& node, bool allow_empty, std::string& out) {
  const auto* value = node.as_string();
  if (value == nullptr || (!allow_empty && value->get().empty())) {
    return refuse(node, allow_empty ? "a string" : "a non-empty string");
  }
  out = value->get();
  return std::nullopt;
}

std::optional<Mismatch> read_string_array(const toml::node& node, std::vector<std::string>& out) {
  const auto* array = node.as_array();
  if (array == nullptr) return refuse(node, R"(an array of strings such as ["*"])");
  std::vector<std::string> strings;
  for (std::size_t i = 0; i < array->size(); ++i) {
    const auto* element = (*array)[i].as_string();
    if (element == nullptr) {
      return Mismatch{&(*array)[i], bracketed(std::to_string(i)), "a string"};
    }
    strings.push_back(element->get());
  }
  out = std::move(strings);
  return std::nullopt;
}

std::optional<Mismatch> read_string_table(const toml::node& node,
                                          std::map<std::string, std::string>& out) {
  const auto* table = node.as_table();
  if (table == nullptr) return refuse(node, R"(a table of strings such as { Name = "value" })");
  std::map<std::string, std::string> strings;
  for (auto&& [key, value] : *table) {
    const auto* text = value.as_string();
    if (text == nullptr) {
      // A dotted name written bare (linger.ms = "5") is a nested table in TOML.
      return Mismatch{&value, "." + config::quoted(key.str()),
                      R"(a string (quote dotted names: "a.b"))"};
    }
    strings.emplace(std::string(key.str()), text->get());
  }
  out = std::move(strings);
  return std::nullopt;
}

}  // namespace sluice::config
