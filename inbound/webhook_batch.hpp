#pragma once

// One webhook request of a source that is not a tracking source, turned into the body of a
// Tracking API batch ({"batch":[...]}), which then takes the same path as an SDK's batch:
// checked, enriched, stored, answered after the commit. The source's kind picks the reader:
// an email provider's (email_providers.hpp, then email_messages.hpp) or the generic webhook's
// (webhook_items.hpp).

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "inbound/webhook_items.hpp"
#include "inbound/webhook_request.hpp"

namespace sluice::inbound {

struct WebhookBatch {
  ReadStatus status = ReadStatus::kOk;
  std::string message;  // what was wrong, when not kOk

  std::string batch;  // {"batch":[...]}: the track messages to store
  // For a "webhook" source: the item each message of the batch came from, and the items no
  // message could be made of, so that rejections are reported by the item's index. Empty for
  // the email providers (whose events are not reported one by one).
  std::vector<std::size_t> item_of_message;
  std::vector<ItemsOutcome::Rejected> rejected_items;
  std::size_t unmapped = 0;  // email events that are none of the six and were left out
};

// kind must not be kTracking.
WebhookBatch webhook_batch(config::SourceKind kind, const config::SourceSettings& settings,
                           std::string_view source_name, const WebhookRequest& request);

}  // namespace sluice::inbound
