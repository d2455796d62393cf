#pragma once

// Writes text as a JSON string literal, for the tracking API's responses and pixel messages and
// for JsonWriter. Control characters, '"' and '\' are always escaped; what
// happens to bytes that are not UTF-8 is the caller's choice (InvalidUtf8).

#include <string>
#include <string_view>

namespace sluice::api {

enum class InvalidUtf8 {
  // Bytes from 0x80 up are copied as they are, whether or not they form valid UTF-8: the output
  // is valid JSON exactly when the text is valid UTF-8.
  kKeep,
  // A byte that does not start a valid UTF-8 sequence (RFC 3629: no overlong forms, surrogates
  // or code points above U+10FFFF) becomes U+FFFD, so the output is always valid JSON in valid
  // UTF-8, and a strict parser accepts it.
  kReplace,
};

// Appends text as a JSON string literal, quotes included.
void append_json_string(std::string& out, std::string_view text, InvalidUtf8 invalid);

}  // namespace sluice::api
