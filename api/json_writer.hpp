#pragma once

// Builds one JSON document into a string, placing commas and colons itself so that callers
// write members and elements in order and nothing else. Strings are escaped here: the admin
// API echoes text that comes from outside (a destination's error answer, an operator's path),
// which may hold quotes, control characters or bytes that are not UTF-8; those bytes become
// U+FFFD (api::append_json_string with InvalidUtf8::kReplace), so every document is valid JSON.
//
// Not thread-safe; one writer per document. Misuse (a value where a key belongs, unbalanced
// ends) is a programmer mistake and asserted.

#include <concepts>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace sluice::api {

class JsonWriter {
 public:
  void begin_object();
  void end_object();
  void begin_array();
  void end_array();

  // The next member's name; its value follows.
  void key(std::string_view name);

  void string(std::string_view text);
  template <std::integral T>
  requires(!std::same_as<T, bool>) void number(T value) {
    before_value();
    out_ += std::to_string(value);
  }
  // A finite number, in the shortest text that reads back as the same double.
  void number(double value);
  void boolean(bool value);
  void null();
  // A value that is already valid JSON, copied verbatim.
  void raw(std::string_view json);

  // The document; every object and array must be closed.
  std::string take();

 private:
  void before_value();

  // An open object or array.
  struct Level {
    bool object = false;
    bool has_items = false;  // a member or element has been written to it
  };

  std::string out_;
  std::vector<Level> levels_;
  bool after_key_ = false;  // a key was written; its value comes next
};

}  // namespace sluice::api
