#pragma once

// Turns a request body into MessageViews in one pass over its bytes (JsonReader) that checks
// all of the JSON, nested values included, minifies it and slices it: members are kept as slices
// of the minified body so the event writer can copy them verbatim.
//
// One scanner per thread: it owns the minified body and the decoded text of escaped strings,
// which back the views of every scan until the next one.

#include <string>
#include <string_view>
#include <vector>

#include "api/json_reader.hpp"
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
  // body as one message.
  ScanResult scan_single(std::string_view body, MessageView& message);

  // body as a batch envelope: envelope gets the envelope's members (`batch` included, as a
  // slice), items[0..count) the messages. items keeps its capacity between calls so steady
  // traffic does not allocate.
  ScanResult scan_batch(std::string_view body, MessageView& envelope,
                        std::vector<MessageView>& items, std::size_t& count, std::size_t max_items);

  // The minified body of the last successful scan.
  std::string_view minified() const { return {minified_.data(), size_}; }

 private:
  struct BatchTarget;

  void start(std::string_view body);
  // Checks that nothing follows the root value; the minified body is complete.
  bool finish();
  ScanResult malformed() const;
  ScanResult not_an_object();

  // Each reads the value at the reader's position; depth is its nesting level. Members of
  // `message` (null for other objects) are classified and indexed; batch, when not null, takes
  // the `batch` member's messages.
  bool read_members(std::vector<Member>& members, MessageView* message, int depth,
                    BatchTarget* batch);
  bool read_member_value(Member& member, std::vector<Member>* nested, int depth);
  bool read_message(MessageView& message, int depth);
  bool read_batch(Member& member, BatchTarget& batch, int depth);

  // The minified text written since begin.
  std::string_view since(const char* begin) const;
  // The text of a string token as read, decoded when it had escapes.
  std::string_view text_of(std::string_view string_token, bool escaped);

  JsonReader reader_;
  std::string minified_;
  std::size_t size_ = 0;
  std::string unescaped_;  // decoded strings that had escapes, back to back
  std::size_t unescaped_size_ = 0;
};

}  // namespace sluice::api
