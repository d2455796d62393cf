#pragma once

// A Kafka destination's topic: the configured name, in which {source} and {type} stand for an
// event's source name and message type ("track", "identify", ...). config/ checked the literal
// part; a source name may hold characters Kafka refuses, and a long one may take the name past
// Kafka's limit, so every rendered name is checked again.
//
// Immutable after construction; render() writes into the caller's string.

#include <string>
#include <string_view>
#include <vector>

#include "storage/event_type.hpp"

namespace sluice::router {

class KafkaTopicTemplate {
 public:
  explicit KafkaTopicTemplate(std::string_view pattern);

  // Writes the topic of an event from source, of type, to *topic. False when that is not a
  // name Kafka accepts (*topic then holds it anyway, for the error message).
  bool render(std::string_view source, storage::EventType type, std::string* topic) const;

  // Whether every event goes to the same topic (the pattern uses no placeholder).
  bool constant() const { return constant_; }

  // Letters, digits, '.', '_' and '-', 1 to 249 of them, and neither "." nor "..".
  static bool valid_topic(std::string_view topic);

 private:
  struct Part {
    enum class Kind { kLiteral, kSource, kType };
    Kind kind = Kind::kLiteral;
    std::string text;  // for a literal
  };

  std::vector<Part> parts_;
  bool constant_ = true;
};

}  // namespace sluice::router
