#pragma once

// Turns a request body into MessageViews in one simdjson On-Demand pass, validating all of the
// JSON (nested values included) without building a DOM: members are kept as slices of the
// minified body so the event writer can copy them verbatim.
//
// One scanner per thread: it owns the simdjson parser, whose string buffer backs the `text` of
// every string Member until the next scan.

#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "api/message_view.hpp"

namespace sluice::api {

enum class ScanStatus {
  kOk,
  kInvalidJson,   // malformed JSON, the body is not an object, or `batch` is not an array
  kTooManyItems,  // the batch holds more than the allowed number of messages
};

struct ScanResult {
  ScanStatus status = ScanStatus::kOk;
  std::string detail;  // what was wrong, for the error message
};

class MessageScanner {
 public:
  // Validates body and minifies it into an internal padded buffer. Returns false if body is not
  // JSON enough to minify (e.g. an unterminated string); otherwise the scans report whether it
  // was valid JSON. The buffer stays valid until the next call.
  bool load(std::string_view body);
  std::string_view minified() const { return {buffer_.data(), size_}; }

  // The loaded body as one message.
  ScanResult scan_single(MessageView& message);

  // The loaded body as a batch envelope: envelope gets the envelope's members (`batch`
  // included, as a slice), items[0..count) the messages. items keeps its capacity between
  // calls so steady traffic does not allocate.
  ScanResult scan_batch(MessageView& envelope, std::vector<MessageView>& items, std::size_t& count,
                        std::size_t max_items);

 private:
  // Validation of original_ for a body the DOM parser refused only for an integer wider than
  // 64 bits.
  simdjson::error_code validate_by_walking(std::size_t size);

  simdjson::ondemand::parser parser_;
  simdjson::dom::parser validator_;
  simdjson::error_code validation_ = simdjson::UNINITIALIZED;
  std::string original_;  // the body as sent, padded for simdjson
  std::string buffer_;
  std::size_t size_ = 0;
};

}  // namespace sluice::api
