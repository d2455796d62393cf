#include "api/json_reader.hpp"

#include <array>
#include <charconv>
#include <cstring>
#include <system_error>

#include <simdjson.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace sluice::api {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The code unit of the four hex digits at p, or -1.
int hex4(const char* p) {
  int value = 0;
  for (int i = 0; i < 4; ++i) {
    int digit = hex_value(p[i]);
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}

bool is_string_special(char c) {
  return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20;
}

// Whether a number whose grammar was checked is too large for a double. from_chars reports
// too large and too small alike; too small reads as zero (1e-400 is 0, as simdjson reads it),
// so the sign of the number's decimal magnitude tells them apart.
bool overflows_double(const char* begin, const char* end) {
  double value = 0;
  if (std::from_chars(begin, end, value).ec != std::errc::result_out_of_range) return false;
  const char* p = begin;
  if (*p == '-') ++p;
  long magnitude = 0;
  bool seen_nonzero = false;
  for (; p < end && is_digit(*p); ++p) {
    if (*p != '0') seen_nonzero = true;
    if (seen_nonzero) ++magnitude;
  }
  if (p < end && *p == '.') {
    for (++p; p < end && is_digit(*p); ++p) {
      if (*p != '0') seen_nonzero = true;
      if (!seen_nonzero) --magnitude;
    }
  }
  long exponent = 0;
  if (p < end && (*p == 'e' || *p == 'E')) {
    ++p;
    bool negative = *p == '-';
    if (*p == '-' || *p == '+') ++p;
    for (; p < end; ++p) {
      if (exponent < 100'000'000) exponent = exponent * 10 + (*p - '0');
    }
    if (negative) exponent = -exponent;
  }
  return magnitude + exponent > 0;
}

}  // namespace

std::string_view describe(JsonError error) {
  switch (error) {
    case JsonError::kNone:
      return "no error";
    case JsonError::kInvalidUtf8:
      return "the text is not valid UTF-8";
    case JsonError::kUnexpectedEnd:
      return "the text ends inside a value";
    case JsonError::kUnexpectedCharacter:
      return "expected a value";
    case JsonError::kExpectedKey:
      return "expected a string key";
    case JsonError::kExpectedColon:
      return "expected ':' after a key";
    case JsonError::kExpectedCommaOrBrace:
      return "expected ',' or '}' in an object";
    case JsonError::kExpectedCommaOrBracket:
      return "expected ',' or ']' in an array";
    case JsonError::kControlCharacter:
      return "unescaped control character in a string";
    case JsonError::kInvalidEscape:
      return "invalid escape sequence in a string";
    case JsonError::kLoneSurrogate:
      return "unpaired UTF-16 surrogate in a \\u escape";
    case JsonError::kInvalidNumber:
      return "invalid number";
    case JsonError::kNumberOutOfRange:
      return "number too large for a double";
    case JsonError::kInvalidLiteral:
      return "invalid literal (expected true, false or null)";
    case JsonError::kTooDeep:
      return "values nested too deep";
    case JsonError::kTrailingContent:
      return "unexpected content after the value";
  }
  return "unknown error";
}

namespace {

// The reading position, kept in locals by the scanning functions below (all inline): stores
// through `out` cannot then be taken to change the cursors, as they could JsonReader's members.
struct Cursor {
  const char* in;
  const char* end;
  char* out;
};

[[gnu::always_inline]] inline void skip_whitespace(Cursor& c) {
  c.in = skip_json_whitespace(c.in, c.end);
}

// The escape sequence at c.in (a backslash), copied.
inline JsonError scan_escape(Cursor& c) {
  if (c.end - c.in < 2) return JsonError::kUnexpectedEnd;
  std::size_t length = 2;
  switch (c.in[1]) {
    case '"':
    case '\\':
    case '/':
    case 'b':
    case 'f':
    case 'n':
    case 'r':
    case 't':
      break;
    case 'u': {
      if (c.end - c.in < 6) return JsonError::kUnexpectedEnd;
      const int unit = hex4(c.in + 2);
      if (unit < 0) return JsonError::kInvalidEscape;
      length = 6;
      if (unit >= 0xdc00 && unit <= 0xdfff) return JsonError::kLoneSurrogate;
      if (unit >= 0xd800 && unit <= 0xdbff) {
        // A high surrogate must be followed by the escaped low one.
        if (c.end - c.in < 12 || c.in[6] != '\\' || c.in[7] != 'u') {
          return JsonError::kLoneSurrogate;
        }
        const int low = hex4(c.in + 8);
        if (low < 0xdc00 || low > 0xdfff) return JsonError::kLoneSurrogate;
        length = 12;
      }
      break;
    }
    default:
      return JsonError::kInvalidEscape;
  }
  std::memcpy(c.out, c.in, length);
  c.out += length;
  c.in += length;
  return JsonError::kNone;
}

// The string at c.in (its opening quote), copied.
[[gnu::always_inline]] inline JsonError scan_string(Cursor& c, bool& escaped) {
  *c.out++ = *c.in++;
  for (;;) {
#if defined(__SSE2__)
    // 16 bytes at a time: copy them all, then keep the part before the first quote, backslash
    // or control byte. The output never runs ahead of the input, so the store stays inside it.
    while (c.end - c.in >= 16) {
      const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(c.in));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(c.out), chunk);
      const __m128i quote = _mm_cmpeq_epi8(chunk, _mm_set1_epi8('"'));
      const __m128i backslash = _mm_cmpeq_epi8(chunk, _mm_set1_epi8('\\'));
      const __m128i control =
          _mm_cmpeq_epi8(_mm_max_epu8(chunk, _mm_set1_epi8(0x1f)), _mm_set1_epi8(0x1f));
      const unsigned mask = static_cast<unsigned>(
          _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(quote, backslash), control)));
      if (mask != 0) {
        const int stop = __builtin_ctz(mask);
        c.in += stop;
        c.out += stop;
        break;
      }
      c.in += 16;
      c.out += 16;
    }
#endif
    while (c.in < c.end && !is_string_special(*c.in)) *c.out++ = *c.in++;
    if (c.in == c.end) return JsonError::kUnexpectedEnd;
    if (*c.in == '"') {
      *c.out++ = *c.in++;
      return JsonError::kNone;
    }
    if (*c.in != '\\') return JsonError::kControlCharacter;
    escaped = true;
    if (auto error = scan_escape(c); error != JsonError::kNone) return error;
  }
}

// The number at c.in, copied.
inline JsonError scan_number(Cursor& c) {
  const char* start = c.in;
  const char* p = c.in;
  const char* const end = c.end;
  if (p < end && *p == '-') ++p;
  if (p == end) return JsonError::kInvalidNumber;
  if (*p == '0') {
    ++p;
  } else if (is_digit(*p)) {
    while (p < end && is_digit(*p)) ++p;
  } else {
    return JsonError::kInvalidNumber;
  }
  // A double holds up to about 1.8e308: only a number with more than 300 digits before its
  // point, counting the exponent, needs the exact check.
  long magnitude = p - start;
  if (p < end && *p == '.') {
    ++p;
    if (p == end || !is_digit(*p)) return JsonError::kInvalidNumber;
    while (p < end && is_digit(*p)) ++p;
  }
  if (p < end && (*p == 'e' || *p == 'E')) {
    ++p;
    const bool negative = p < end && *p == '-';
    if (p < end && (*p == '+' || *p == '-')) ++p;
    if (p == end || !is_digit(*p)) return JsonError::kInvalidNumber;
    long exponent = 0;
    for (; p < end && is_digit(*p); ++p) {
      if (exponent < 100'000'000) exponent = exponent * 10 + (*p - '0');
    }
    magnitude += negative ? -exponent : exponent;
  }
  const bool may_overflow = magnitude > 300;
  if (may_overflow && overflows_double(start, p)) return JsonError::kNumberOutOfRange;
  const auto length = static_cast<std::size_t>(p - start);
  std::memcpy(c.out, start, length);
  c.out += length;
  c.in = p;
  return JsonError::kNone;
}

inline JsonError scan_literal(Cursor& c, std::string_view literal) {
  if (static_cast<std::size_t>(c.end - c.in) < literal.size() ||
      std::memcmp(c.in, literal.data(), literal.size()) != 0) {
    return JsonError::kInvalidLiteral;
  }
  std::memcpy(c.out, c.in, literal.size());
  c.out += literal.size();
  c.in += literal.size();
  return JsonError::kNone;
}

// A scalar value at c.in (after whitespace), or kUnexpectedCharacter for what is not one.
inline JsonError scan_scalar(Cursor& c) {
  bool escaped = false;
  switch (*c.in) {
    case '"':
      return scan_string(c, escaped);
    case 't':
      return scan_literal(c, "true");
    case 'f':
      return scan_literal(c, "false");
    case 'n':
      return scan_literal(c, "null");
    default:
      if (*c.in == '-' || is_digit(*c.in)) return scan_number(c);
      return JsonError::kUnexpectedCharacter;
  }
}

// Any value at c.in, containers walked with a stack of their kinds rather than by recursion.
[[gnu::always_inline]] inline JsonError walk_value(Cursor& c, int depth) {
  // Whether each open container is an object, by nesting level. Left uninitialized: a level is
  // written when its container opens, before it is read.
  std::array<bool, JsonReader::kMaxDepth + 2> in_object;
  int level = 0;  // containers open
  bool escaped = false;
  for (;;) {
    // A value is expected.
    skip_whitespace(c);
    if (c.in == c.end) return JsonError::kUnexpectedEnd;
    if (*c.in == '{' || *c.in == '[') {
      if (depth + level > JsonReader::kMaxDepth) return JsonError::kTooDeep;
      const bool object = *c.in == '{';
      const char close = object ? '}' : ']';
      *c.out++ = *c.in++;
      skip_whitespace(c);
      if (c.in < c.end && *c.in == close) {
        *c.out++ = *c.in++;
      } else {
        in_object[static_cast<std::size_t>(++level)] = object;
        if (object) {
          if (c.in == c.end || *c.in != '"') return JsonError::kExpectedKey;
          if (auto error = scan_string(c, escaped); error != JsonError::kNone) return error;
          skip_whitespace(c);
          if (c.in == c.end || *c.in != ':') return JsonError::kExpectedColon;
          *c.out++ = *c.in++;
        }
        continue;
      }
    } else if (auto error = scan_scalar(c); error != JsonError::kNone) {
      return error;
    }
    // A value ended: close what it ends, then expect the next member or element.
    for (;;) {
      if (level == 0) return JsonError::kNone;
      const bool object = in_object[static_cast<std::size_t>(level)];
      skip_whitespace(c);
      if (c.in < c.end && *c.in == (object ? '}' : ']')) {
        *c.out++ = *c.in++;
        --level;
        continue;
      }
      if (c.in == c.end || *c.in != ',') {
        return object ? JsonError::kExpectedCommaOrBrace : JsonError::kExpectedCommaOrBracket;
      }
      *c.out++ = *c.in++;
      if (object) {
        skip_whitespace(c);
        if (c.in == c.end || *c.in != '"') return JsonError::kExpectedKey;
        if (auto error = scan_string(c, escaped); error != JsonError::kNone) return error;
        skip_whitespace(c);
        if (c.in == c.end || *c.in != ':') return JsonError::kExpectedColon;
        *c.out++ = *c.in++;
      }
      break;
    }
  }
}

JsonError scan_value(Cursor& cursor, int depth) {
  // A local copy, so that the cursors stay in registers (see Cursor).
  Cursor c = cursor;
  const JsonError error = walk_value(c, depth);
  cursor = c;
  return error;
}

}  // namespace

void JsonReader::start(std::string_view input, char* out) {
  begin_ = in_ = input.data();
  end_ = input.data() + input.size();
  out_ = out;
  error_ = JsonError::kNone;
  error_at_ = begin_;
  if (!simdjson::validate_utf8(input.data(), input.size())) fail(JsonError::kInvalidUtf8);
}

bool JsonReader::fail(JsonError err) {
  if (error_ == JsonError::kNone) {
    error_ = err;
    error_at_ = in_;
  }
  // Nothing more is read: every later peek sees the end.
  in_ = end_;
  return false;
}

template <typename Scan>
bool JsonReader::run(Scan scan) {
  skip_whitespace();
  Cursor c{in_, end_, out_};
  const JsonError error = scan(c);
  in_ = c.in;
  out_ = c.out;
  return error == JsonError::kNone || fail(error);
}

bool JsonReader::read_string(bool& escaped) {
  escaped = false;
  if (peek() != '"') return fail(JsonError::kUnexpectedCharacter);
  return run([&](Cursor& c) { return scan_string(c, escaped); });
}

bool JsonReader::read_literal(std::string_view literal) {
  return run([&](Cursor& c) { return scan_literal(c, literal); });
}

bool JsonReader::skip_value(int depth) {
  return run([&](Cursor& c) { return scan_value(c, depth); });
}

std::size_t unescape_json_string(std::string_view written, char* out) {
  char* const start = out;
  const char* p = written.data();
  const char* const end = p + written.size();
  while (p < end) {
    if (*p != '\\') {
      *out++ = *p++;
      continue;
    }
    const char kind = p[1];
    p += 2;
    switch (kind) {
      case 'b':
        *out++ = '\b';
        continue;
      case 'f':
        *out++ = '\f';
        continue;
      case 'n':
        *out++ = '\n';
        continue;
      case 'r':
        *out++ = '\r';
        continue;
      case 't':
        *out++ = '\t';
        continue;
      case 'u':
        break;
      default:  // '"', '\\', '/'
        *out++ = kind;
        continue;
    }
    auto code_point = static_cast<std::uint32_t>(hex4(p));
    p += 4;
    if (code_point >= 0xd800 && code_point <= 0xdbff) {
      // The reader checked that the low surrogate follows.
      const auto low = static_cast<std::uint32_t>(hex4(p + 2));
      p += 6;
      code_point = 0x10000 + ((code_point - 0xd800) << 10) + (low - 0xdc00);
    }
    if (code_point < 0x80) {
      *out++ = static_cast<char>(code_point);
    } else if (code_point < 0x800) {
      *out++ = static_cast<char>(0xc0 | (code_point >> 6));
      *out++ = static_cast<char>(0x80 | (code_point & 0x3f));
    } else if (code_point < 0x10000) {
      *out++ = static_cast<char>(0xe0 | (code_point >> 12));
      *out++ = static_cast<char>(0x80 | ((code_point >> 6) & 0x3f));
      *out++ = static_cast<char>(0x80 | (code_point & 0x3f));
    } else {
      *out++ = static_cast<char>(0xf0 | (code_point >> 18));
      *out++ = static_cast<char>(0x80 | ((code_point >> 12) & 0x3f));
      *out++ = static_cast<char>(0x80 | ((code_point >> 6) & 0x3f));
      *out++ = static_cast<char>(0x80 | (code_point & 0x3f));
    }
  }
  return static_cast<std::size_t>(out - start);
}

}  // namespace sluice::api
