#pragma once

// A "webhook" source: any JSON a tool posts, turned into track messages by the source's
// pointers (config::WebhookItemSettings, docs/sources/webhook.md). Each item of the body (the
// array at settings.items, or the body itself) becomes one track message:
//   event       the string at settings.event, else settings.event_name
//   userId      the string (or number) at settings.user_id; when absent, an anonymousId
//               derived from the source's name and the item's messageId
//   timestamp   the value at settings.timestamp: Unix seconds (a number or a string of digits)
//               or ISO-8601; when absent, none (the receive time stands)
//   messageId   the string (or number) at settings.message_id; when absent, a digest of the
//               item's minified text, so a resent item gets the same id
//   properties  the object at settings.properties, else the whole item (a non-object item is
//               wrapped as {"value": item})
// With settings.hmac, the body's HMAC-SHA256 must match the named header first.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "inbound/webhook_request.hpp"

namespace sluice::inbound {

struct ItemsOutcome {
  ReadStatus status = ReadStatus::kOk;
  std::string message;  // what was wrong, when not kOk
  // One track message per item, each a JSON object's text, in the body's order. An item the
  // settings cannot make an event of (no event name where the pointer points, say) is not
  // here: it is in rejected, by its index among the items.
  std::vector<std::string> messages;
  struct Rejected {
    std::size_t index;
    std::string message;
  };
  std::vector<Rejected> rejected;
};

ItemsOutcome read_webhook_items(const WebhookRequest& request, std::string_view source_name,
                                const config::WebhookItemSettings& settings);

}  // namespace sluice::inbound
