#pragma once

// Internal to sluice_config. Readers of one TOML value each, shared by every schema
// (settings_schema.cpp, destinations_schema.cpp, destination_kinds.cpp): a reader stores a valid
// value into `out`, or leaves `out` alone and returns a Mismatch that says what it would have
// accepted. Messages are worded by the caller (messages.hpp), which knows the key's full name.

#include <chrono>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <toml++/toml.h>

namespace sluice::config {

// Why a value was refused: the node to blame (the value, or one element of an array value), a
// suffix naming that element ("[2]", ".name", or empty), and what would have been accepted.
struct Mismatch {
  const toml::node* node = nullptr;
  std::string name_suffix;
  std::string expected;
};

// Far above any sensible timeout, and far below the point where a deadline computed in
// nanoseconds from now would overflow.
inline constexpr std::chrono::hours kMaxDuration{24};
inline constexpr std::chrono::hours kMaxRetention{24 * 3650};

std::optional<Mismatch> refuse(const toml::node& node, std::string expected);

template <typename T>
std::optional<Mismatch> read_integer(const toml::node& node, std::int64_t min, std::int64_t max,
                                     T& out) {
  const auto* value = node.as_integer();
  if (value == nullptr || value->get() < min) {
    return refuse(node, "an integer >= " + std::to_string(min));
  }
  if (value->get() > max) return refuse(node, "an integer <= " + std::to_string(max));
  out = static_cast<T>(value->get());
  return std::nullopt;
}

// A size string ("512KiB") or a positive integer number of bytes, at most max.
std::optional<Mismatch> read_byte_count(const toml::node& node, std::uint64_t max,
                                        std::uint64_t& out);

template <typename T>
std::optional<Mismatch> read_byte_size(const toml::node& node, T& out) {
  std::uint64_t bytes = 0;
  if (auto mismatch = read_byte_count(node, std::numeric_limits<T>::max(), bytes)) {
    return mismatch;
  }
  out = static_cast<T>(bytes);
  return std::nullopt;
}

// A duration string ("200ms", "10s", "5m", "1h") or integer seconds; nullopt when malformed or
// negative. Zero is returned as zero: the readers below decide whether it is allowed.
std::optional<std::chrono::milliseconds> duration_of(const toml::node& node);

// A duration > 0 and <= kMaxDuration.
std::optional<Mismatch> read_duration(const toml::node& node, std::chrono::milliseconds& out);
// A duration >= 0 and <= kMaxDuration ("0ms": do not wait).
std::optional<Mismatch> read_duration_or_zero(const toml::node& node,
                                              std::chrono::milliseconds& out);
// A retention period >= 0 (0: none) and <= kMaxRetention, in any unit up to days ("7d").
std::optional<Mismatch> read_retention(const toml::node& node, std::chrono::milliseconds& out);
// Whole seconds > 0 and <= kMaxDuration.
std::optional<Mismatch> read_whole_seconds(const toml::node& node, std::chrono::seconds& out);

std::optional<Mismatch> read_bool(const toml::node& node, bool& out);
std::optional<Mismatch> read_string(const toml::node& node, bool allow_empty, std::string& out);
std::optional<Mismatch> read_string_array(const toml::node& node, std::vector<std::string>& out);
// A table whose values are all strings, such as { Authorization = "Bearer x" }.
std::optional<Mismatch> read_string_table(const toml::node& node,
                                          std::map<std::string, std::string>& out);

}  // namespace sluice::config
