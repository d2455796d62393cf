// parse_byte_size and parse_duration: the human-friendly quantities of sluice.toml.

#include <array>
#include <cctype>
#include <charconv>
#include <limits>

#include "config/config.hpp"

namespace sluice::config {
namespace {

struct Unit {
  std::string_view suffix;  // lower case; matched case-insensitively
  std::uint64_t factor;
};

// "KB" is 1000 and "KiB" 1024, as in IEC 80000-13, so that sizes copied from disk and network
// documentation mean what they say there.
constexpr std::array kByteUnits{
    Unit{"", 1},
    Unit{"b", 1},
    Unit{"kb", 1'000},
    Unit{"mb", 1'000'000},
    Unit{"gb", 1'000'000'000},
    Unit{"tb", 1'000'000'000'000},
    Unit{"kib", 1ull << 10},
    Unit{"mib", 1ull << 20},
    Unit{"gib", 1ull << 30},
    Unit{"tib", 1ull << 40},
};

// No bare number: "30" could be seconds or milliseconds, so a string must say which. (A TOML
// integer is taken as seconds by the loader.)
constexpr std::array kDurationUnits{
    Unit{"ms", 1}, Unit{"s", 1'000}, Unit{"m", 60'000}, Unit{"h", 3'600'000}, Unit{"d", 86'400'000},
};

bool equals_ignoring_case(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != lower[i]) return false;
  }
  return true;
}

// "<digits>[ ]*<unit>" scaled by the unit's factor; nullopt when malformed or over max.
template <std::size_t N>
std::optional<std::uint64_t> parse_quantity(std::string_view text, const std::array<Unit, N>& units,
                                            std::uint64_t max) {
  std::uint64_t number = 0;
  // from_chars takes no sign, spaces or "0x" for unsigned types, which is the strictness wanted.
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec != std::errc() || end == text.data()) return std::nullopt;
  std::string_view suffix = text.substr(static_cast<std::size_t>(end - text.data()));
  const std::size_t unit_start = suffix.find_first_not_of(' ');
  if (unit_start == std::string_view::npos) {
    if (!suffix.empty()) return std::nullopt;  // trailing spaces with no unit
  } else {
    suffix.remove_prefix(unit_start);
  }
  for (const Unit& unit : units) {
    if (!equals_ignoring_case(suffix, unit.suffix)) continue;
    if (number > max / unit.factor) return std::nullopt;
    return number * unit.factor;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::uint64_t> parse_byte_size(std::string_view text) {
  return parse_quantity(text, kByteUnits, std::numeric_limits<std::uint64_t>::max());
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  const auto millis = parse_quantity(text, kDurationUnits, kMax);
  if (!millis) return std::nullopt;
  return std::chrono::milliseconds(static_cast<std::int64_t>(*millis));
}

}  // namespace sluice::config
