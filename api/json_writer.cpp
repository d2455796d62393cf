#include "api/json_writer.hpp"

#include <cassert>
#include <charconv>
#include <cmath>

#include "api/json_string.hpp"

namespace sluice::api {

void JsonWriter::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (levels_.empty()) {
    assert(out_.empty() && "a JSON document holds one value");
    return;
  }
  assert(!levels_.back().object && "a value in an object needs its key first");
  if (levels_.back().has_items) out_ += ',';
  levels_.back().has_items = true;
}

void JsonWriter::begin_object() {
  before_value();
  out_ += '{';
  levels_.push_back(Level{true, false});
}

void JsonWriter::end_object() {
  assert(!levels_.empty() && levels_.back().object && !after_key_);
  out_ += '}';
  levels_.pop_back();
}

void JsonWriter::begin_array() {
  before_value();
  out_ += '[';
  levels_.push_back(Level{false, false});
}

void JsonWriter::end_array() {
  assert(!levels_.empty() && !levels_.back().object);
  out_ += ']';
  levels_.pop_back();
}

void JsonWriter::key(std::string_view name) {
  assert(!levels_.empty() && levels_.back().object && !after_key_);
  if (levels_.back().has_items) out_ += ',';
  levels_.back().has_items = true;
  append_json_string(out_, name, InvalidUtf8::kReplace);
  out_ += ':';
  after_key_ = true;
}

void JsonWriter::string(std::string_view text) {
  before_value();
  append_json_string(out_, text, InvalidUtf8::kReplace);
}

void JsonWriter::number(double value) {
  assert(std::isfinite(value) && "JSON has no text for NaN or infinity");
  before_value();
  char text[32];
  const auto [end, ec] = std::to_chars(text, text + sizeof text, value);
  assert(ec == std::errc());
  out_.append(text, end);
}

void JsonWriter::boolean(bool value) {
  before_value();
  out_ += value ? "true" : "false";
}

void JsonWriter::null() {
  before_value();
  out_ += "null";
}

void JsonWriter::raw(std::string_view json) {
  before_value();
  out_ += json;
}

std::string JsonWriter::take() {
  assert(levels_.empty() && !after_key_);
  return std::move(out_);
}

}  // namespace sluice::api
