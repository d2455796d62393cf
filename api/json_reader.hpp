#pragma once

// One forward pass over a JSON text that checks it against RFC 8259 (as strictly as simdjson:
// no byte of it goes unchecked) and writes its minified copy as it goes. The message scanner
// drives it token by token, so that validating, minifying and slicing a request body are a
// single pass over its bytes; every slice it keeps points into the minified copy.
//
// Values whose number would not fit a double (1e400) are refused, as simdjson refuses them:
// destinations parse stored events again. Integers too wide for 64 bits are kept.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::api {

enum class JsonError : std::uint8_t {
  kNone,
  kInvalidUtf8,
  kUnexpectedEnd,
  kUnexpectedCharacter,
  kExpectedKey,
  kExpectedColon,
  kExpectedCommaOrBrace,
  kExpectedCommaOrBracket,
  kControlCharacter,
  kInvalidEscape,
  kLoneSurrogate,
  kInvalidNumber,
  kNumberOutOfRange,
  kInvalidLiteral,
  kTooDeep,
  kTrailingContent,
};

std::string_view describe(JsonError error);

// The first byte from in on that is not JSON whitespace, or end.
inline const char* skip_json_whitespace(const char* in, const char* end) {
  // SDKs send compact JSON: the next byte is almost always significant (any byte above ' ').
  if (in == end) return in;
  if (static_cast<unsigned char>(*in) > ' ') return in;
  while (in < end && (*in == ' ' || *in == '\n' || *in == '\r' || *in == '\t')) ++in;
  return in;
}

class JsonReader {
 public:
  // Deepest nesting accepted, as simdjson's default.
  static constexpr int kMaxDepth = 1024;

  // Reads input, writing the minified text to out, which must hold at least input.size()
  // bytes. Checks that input is UTF-8 first.
  void start(std::string_view input, char* out);

  JsonError error() const { return error_; }
  // Byte offset into the input where the first error was found.
  std::size_t error_offset() const { return static_cast<std::size_t>(error_at_ - begin_); }
  bool failed() const { return error_ != JsonError::kNone; }

  // The next significant byte (whitespace skipped), or '\0' at the end of the input.
  char peek() {
    skip_whitespace();
    return in_ < end_ ? *in_ : '\0';
  }
  bool at_end() {
    skip_whitespace();
    return in_ == end_;
  }
  // Where the next byte of minified output goes: slices are taken between two such points.
  const char* written() const { return out_; }

  // Copies c if it is the next significant byte.
  bool consume(char c) {
    if (peek() != c) return false;
    *out_++ = c;
    ++in_;
    return true;
  }

  // Each reads the value at the next significant byte, which must be of its kind, and copies
  // it. On error they return false and the reader stays failed.
  //
  // escaped is set when the string holds escape sequences (its text needs unescaping).
  bool read_string(bool& escaped);
  bool read_literal(std::string_view literal);
  // Any value, nested values included; depth is the nesting level of the value itself.
  bool skip_value(int depth);

  // Records err at the current position unless an error was recorded already; returns false.
  bool fail(JsonError err);

 private:
  void skip_whitespace() { in_ = skip_json_whitespace(in_, end_); }
  // Runs scan on a copy of the cursors, which it advances.
  template <typename Scan>
  bool run(Scan scan);

  const char* begin_ = nullptr;
  const char* in_ = nullptr;
  const char* end_ = nullptr;
  const char* error_at_ = nullptr;
  char* out_ = nullptr;
  JsonError error_ = JsonError::kNone;
};

// The text of a JSON string's contents as written between its quotes (already checked by
// JsonReader), with its escapes decoded, written at out; returns the decoded length, which is
// never more than the written length.
std::size_t unescape_json_string(std::string_view written, char* out);

}  // namespace sluice::api
