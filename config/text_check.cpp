#include "config/text_check.hpp"

#include <cstdint>

namespace sluice::config {
namespace {

// Where the scan is, as far as TOML's strings and comments go.
enum class Context { kBare, kComment, kBasic, kLiteral, kMultiBasic, kMultiLiteral };

// The length of the UTF-8 sequence at text[at], or 0 when it is not one (overlong forms,
// surrogates and code points past U+10FFFF included).
std::size_t utf8_length(std::string_view text, std::size_t at) {
  const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(text[i]); };
  const std::uint8_t lead = byte(at);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  std::uint32_t code = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    code = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    code = lead & 0x0F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    code = lead & 0x07;
  } else {
    return 0;
  }
  if (at + length > text.size()) return 0;
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(at + i) & 0xC0) != 0x80) return 0;
    code = code << 6 | (byte(at + i) & 0x3F);
  }
  const bool overlong = (length == 3 && code < 0x800) || (length == 4 && code < 0x10000);
  const bool surrogate = code >= 0xD800 && code <= 0xDFFF;
  if (overlong || surrogate || code > 0x10FFFF) return 0;
  return length;
}

}  // namespace

std::optional<ConfigError> check_config_text(std::string_view text, const std::string& origin) {
  Context context = Context::kBare;
  int line = 1;
  int column = 1;
  const auto error_here = [&](std::string message) {
    return ConfigError{origin, line, column, std::move(message)};
  };
  const auto starts = [&](std::size_t at, std::string_view token) {
    return text.substr(at, token.size()) == token;
  };
  std::size_t at = 0;
  while (at < text.size()) {
    const char c = text[at];
    if (c == '\0') return error_here("NUL byte in the config file");
    const std::size_t length = utf8_length(text, at);
    if (length == 0) return error_here("the config file is not valid UTF-8");
    if (length > 1 && (context == Context::kBare)) {
      return error_here("non-ASCII character outside a string or a comment");
    }
    std::size_t step = length;
    bool escape = false;  // a backslash in a basic string: it and the byte after it are one step
    switch (context) {
      case Context::kBare:
        if (c == '#') {
          context = Context::kComment;
        } else if (starts(at, R"(""")")) {
          context = Context::kMultiBasic;
          step = 3;
        } else if (starts(at, "'''")) {
          context = Context::kMultiLiteral;
          step = 3;
        } else if (c == '"') {
          context = Context::kBasic;
        } else if (c == '\'') {
          context = Context::kLiteral;
        }
        break;
      case Context::kComment:
        if (c == '\n') context = Context::kBare;
        break;
      case Context::kBasic:
        // A single-line string ends at its quote, or (unterminated: the parser says so) at the
        // end of the line.
        if (c == '\\' && at + 1 < text.size() && text[at + 1] != '\n') {
          escape = true;
        } else if (c == '"' || c == '\n') {
          context = Context::kBare;
        }
        break;
      case Context::kLiteral:
        if (c == '\'' || c == '\n') context = Context::kBare;
        break;
      case Context::kMultiBasic:
        if (c == '\\' && at + 1 < text.size() && text[at + 1] != '\n') {
          escape = true;
        } else if (starts(at, R"(""")")) {
          context = Context::kBare;
          step = 3;
        }
        break;
      case Context::kMultiLiteral:
        if (starts(at, "'''")) {
          context = Context::kBare;
          step = 3;
        }
        break;
    }
    // An escaped ASCII character is skipped with its backslash (so an escaped quote does not end
    // the string); anything else after a backslash is checked on its own in the next step.
    if (escape && text[at + 1] != '\0' && utf8_length(text, at + 1) == 1) step = 2;
    for (std::size_t i = 0; i < step; ++i) {
      if (text[at + i] == '\n') {
        ++line;
        column = 1;
      } else if ((static_cast<std::uint8_t>(text[at + i]) & 0xC0) != 0x80) {
        ++column;  // a column per character, not per byte
      }
    }
    at += step;
  }
  return std::nullopt;
}

}  // namespace sluice::config
