#include "config/messages.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <sstream>
#include <vector>

namespace sluice::config {
namespace {

// Long enough to recognise a value, short enough to keep one error on one line.
constexpr std::size_t kMaxQuotedChars = 60;

// Beyond this many edits a suggestion is more likely noise than the intended key.
constexpr std::size_t kMaxSuggestionDistance = 2;

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t substitute = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      diagonal = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, substitute});
    }
  }
  return row[b.size()];
}

template <typename T>
std::string streamed(const T& value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

}  // namespace

std::string bracketed(std::string_view text) {
  // Built by append: GCC 12 reports a false -Wrestrict for "[" + std::string&& (GCC bug 105329).
  return std::string("[").append(text).append("]");
}

std::string quoted(std::string_view text) {
  std::string out = "\"";
  const bool shortened = text.size() > kMaxQuotedChars;
  for (char c : text.substr(0, kMaxQuotedChars)) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
      out += escaped;
    } else {
      out += c;
    }
  }
  out += shortened ? "...\"" : "\"";
  return out;
}

std::string describe(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string:
      return "string " + quoted(node.as_string()->get());
    case toml::node_type::integer:
      return "integer " + std::to_string(node.as_integer()->get());
    case toml::node_type::floating_point:
      return "float " + streamed(*node.as_floating_point());
    case toml::node_type::boolean:
      return node.as_boolean()->get() ? "boolean true" : "boolean false";
    case toml::node_type::date:
      return "date " + streamed(*node.as_date());
    case toml::node_type::time:
      return "time " + streamed(*node.as_time());
    case toml::node_type::date_time:
      return "date-time " + streamed(*node.as_date_time());
    case toml::node_type::array:
      return "array";
    case toml::node_type::table:
      return "table";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

std::string expected_but_got(std::string_view name, std::string_view expected,
                             const toml::node& actual) {
  std::string message(name);
  message.append(": expected ").append(expected).append(", got ").append(describe(actual));
  return message;
}

std::string did_you_mean(std::string_view word, std::span<const std::string_view> known) {
  std::string_view best;
  std::size_t best_distance = kMaxSuggestionDistance + 1;
  for (std::string_view candidate : known) {
    const std::size_t distance = edit_distance(word, candidate);
    if (distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  if (best.empty()) return {};
  return "; did you mean " + quoted(best) + "?";
}

std::string unknown_key(std::string_view key, std::string_view where,
                        std::span<const std::string_view> known) {
  return "unknown key " + quoted(key) + " in " + std::string(where) + did_you_mean(key, known);
}

}  // namespace sluice::config
