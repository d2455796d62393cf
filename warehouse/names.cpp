#include "warehouse/names.hpp"

#include <cstdint>

namespace sluice::warehouse {
namespace {

// A cut name keeps this many bytes at most, then '_' and the 8 hex digits of its hash.
constexpr std::size_t kHashDigits = 8;
constexpr std::size_t kKeptBytes = kMaxIdentifierBytes - 1 - kHashDigits;

bool is_ascii_upper(char c) {
  return c >= 'A' && c <= 'Z';
}
bool is_ascii_lower(char c) {
  return c >= 'a' && c <= 'z';
}
bool is_ascii_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_continuation(unsigned char byte) {
  return (byte & 0xC0) == 0x80;
}

// The length of the well-formed UTF-8 sequence of two or more bytes that starts at name[at],
// or 0: overlong forms, surrogates and code points above U+10FFFF are not letters, and
// PostgreSQL would refuse them in a UTF-8 database anyway.
std::size_t utf8_sequence_length(std::string_view name, std::size_t at) {
  const auto lead = static_cast<unsigned char>(name[at]);
  std::size_t length = 0;
  unsigned char low = 0x80;  // the bounds of the second byte, narrower for some lead bytes
  unsigned char high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (at + length > name.size()) return 0;
  const auto second = static_cast<unsigned char>(name[at + 1]);
  if (second < low || second > high) return 0;
  for (std::size_t i = 2; i < length; ++i) {
    if (!is_continuation(static_cast<unsigned char>(name[at + i]))) return 0;
  }
  return length;
}

// Whether an upper-case letter at name[at] starts a new word: after a lower-case letter or a
// digit ("productId"), or as the last capital of a run followed by a lower-case letter, which
// is where the next word begins ("URLPath").
bool starts_camel_word(std::string_view name, std::size_t at) {
  if (at == 0 || !is_ascii_upper(name[at])) return false;
  const char previous = name[at - 1];
  if (is_ascii_lower(previous) || is_ascii_digit(previous)) return true;
  return is_ascii_upper(previous) && at + 1 < name.size() && is_ascii_lower(name[at + 1]);
}

// snake_case without the length limit.
std::string words_of(std::string_view name) {
  std::string out;
  out.reserve(name.size() + 4);
  bool separate = false;  // a '_' is owed before the next letter, unless it would lead
  auto keep = [&](std::string_view letters) {
    if (separate && !out.empty()) out += '_';
    separate = false;
    out += letters;
  };
  for (std::size_t at = 0; at < name.size();) {
    const char c = name[at];
    if (is_ascii_upper(c)) {
      if (starts_camel_word(name, at)) separate = true;
      const char lower = static_cast<char>(c - 'A' + 'a');
      keep(std::string_view(&lower, 1));
      ++at;
    } else if (is_ascii_lower(c) || is_ascii_digit(c)) {
      keep(name.substr(at, 1));
      ++at;
    } else if (const std::size_t length = utf8_sequence_length(name, at); length > 0) {
      keep(name.substr(at, length));
      at += length;
    } else {
      separate = true;
      ++at;
    }
  }
  if (out.empty()) return "_";
  // PostgreSQL identifiers cannot start with a digit unquoted; Segment prefixes them alike.
  if (is_ascii_digit(out.front())) out.insert(out.begin(), '_');
  return out;
}

// 32-bit FNV-1a: stable across runs and builds, so a cut name is the same on every load.
std::uint32_t fnv1a(std::string_view text) {
  std::uint32_t hash = 2166136261u;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 16777619u;
  }
  return hash;
}

// name itself when it fits, else its first bytes up to a character boundary and the hash of
// all of it. The hash covers the normalized name, so names that normalize alike still meet in
// one column however long they are, as short ones do.
std::string within_limit(std::string name) {
  if (name.size() <= kMaxIdentifierBytes) return name;
  const std::uint32_t hash = fnv1a(name);
  std::size_t kept = kKeptBytes;
  while (kept > 0 && is_continuation(static_cast<unsigned char>(name[kept]))) --kept;
  while (kept > 1 && name[kept - 1] == '_') --kept;  // "a__1f2e3d4c" reads as a typo
  name.resize(kept);
  name += '_';
  static constexpr char kHex[] = "0123456789abcdef";
  for (int shift = 28; shift >= 0; shift -= 4) name += kHex[(hash >> shift) & 0xF];
  return name;
}

}  // namespace

std::string snake_case(std::string_view name) {
  return within_limit(words_of(name));
}

std::string joined(std::string_view prefix, std::string_view name) {
  if (prefix.empty()) return within_limit(std::string(name));
  std::string full;
  full.reserve(prefix.size() + 1 + name.size());
  full += prefix;
  full += '_';
  full += name;
  return within_limit(std::move(full));
}

std::string quote_identifier(std::string_view name) {
  std::string quoted;
  quoted.reserve(name.size() + 2);
  quoted += '"';
  for (const char c : name) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

}  // namespace sluice::warehouse
