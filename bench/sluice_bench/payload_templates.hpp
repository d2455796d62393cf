#pragma once

// The events sluice-bench sends, as pre-built JSON templates with a few slots: the SDK-shaped
// content (nested properties, context with library, page, userAgent, locale, campaign, device)
// is text fixed at startup, and only the ids and the timestamp are filled in per event. That
// keeps generating a payload at a few hundred nanoseconds, far from being the bottleneck.
//
// Each template is one message object without its closing brace, so the generator can append
// `"sentAt"` to single messages and close batch items as they are. A PayloadLibrary is built
// once per run and then only read, from any thread.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::bench {

// The message types sluice-bench sends, each to its own endpoint in the `mix` workload.
enum class EventType : std::uint8_t { kIdentify, kTrack, kPage, kGroup };
inline constexpr std::array kEventTypes{EventType::kIdentify, EventType::kTrack, EventType::kPage,
                                        EventType::kGroup};
inline constexpr std::size_t kEventTypeCount = kEventTypes.size();

std::string_view event_type_name(EventType type);

// What fills a slot. kEnd marks the last part, which has only literal text.
enum class Slot : std::uint8_t { kEnd, kUserId, kAnonymousId, kMessageId, kTimestamp };

struct TemplatePart {
  std::string literal;  // copied verbatim
  Slot slot;            // filled after the literal
};

using PayloadTemplate = std::vector<TemplatePart>;

// Splits text at its `{{userId}}`, `{{anonymousId}}`, `{{messageId}}` and `{{timestamp}}`
// placeholders. The texts are ours, so an unknown placeholder is a programmer mistake.
PayloadTemplate compile_template(std::string_view text);

class PayloadLibrary {
 public:
  // browser: the contexts of analytics.js in a browser, with `writeKey` and `_metadata` in
  // every message as analytics-next sends them; otherwise server, browser and mobile SDK
  // contexts mixed, and no key in the body.
  PayloadLibrary(bool browser, std::string_view write_key);

  // Never empty.
  const std::vector<PayloadTemplate>& templates(EventType type) const {
    return templates_[static_cast<std::size_t>(type)];
  }

 private:
  std::array<std::vector<PayloadTemplate>, kEventTypeCount> templates_;
};

}  // namespace sluice::bench
