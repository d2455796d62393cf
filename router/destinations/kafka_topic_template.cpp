#include "router/destinations/kafka_topic_template.hpp"

#include <cctype>

namespace sluice::router {
namespace {

// Kafka refuses longer topic names (and config/ the same for the literal part).
constexpr std::size_t kMaxTopicLength = 249;

constexpr std::string_view kSource = "{source}";
constexpr std::string_view kType = "{type}";

}  // namespace

KafkaTopicTemplate::KafkaTopicTemplate(std::string_view pattern) {
  while (!pattern.empty()) {
    Part::Kind kind = Part::Kind::kLiteral;
    if (pattern.starts_with(kSource)) {
      kind = Part::Kind::kSource;
      pattern.remove_prefix(kSource.size());
    } else if (pattern.starts_with(kType)) {
      kind = Part::Kind::kType;
      pattern.remove_prefix(kType.size());
    }
    if (kind != Part::Kind::kLiteral) {
      parts_.push_back(Part{kind, {}});
      constant_ = false;
      continue;
    }
    if (parts_.empty() || parts_.back().kind != Part::Kind::kLiteral) parts_.push_back(Part{});
    parts_.back().text.push_back(pattern.front());
    pattern.remove_prefix(1);
  }
}

bool KafkaTopicTemplate::render(std::string_view source, storage::EventType type,
                                std::string* topic) const {
  topic->clear();
  for (const Part& part : parts_) {
    switch (part.kind) {
      case Part::Kind::kLiteral:
        topic->append(part.text);
        break;
      case Part::Kind::kSource:
        topic->append(source);
        break;
      case Part::Kind::kType:
        topic->append(storage::to_string(type));
        break;
    }
  }
  return valid_topic(*topic);
}

bool KafkaTopicTemplate::valid_topic(std::string_view topic) {
  if (topic.empty() || topic.size() > kMaxTopicLength || topic == "." || topic == "..") {
    return false;
  }
  for (char c : topic) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') {
      return false;
    }
  }
  return true;
}

}  // namespace sluice::router
