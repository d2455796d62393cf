#pragma once

// Email events (email_event.hpp) as the track messages a source stores: the email spec's event
// names (or the source's own, config::EmailSettings::event_names), its properties, the
// recipient in context.traits.email and the provider in context.integration.name. Each
// message's messageId is the provider's event id, so a provider's retry of an event is the
// same message downstream.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "inbound/email_event.hpp"

namespace sluice::inbound {

struct EmailMessages {
  std::vector<std::string> messages;  // track messages, each a JSON object's text
  std::size_t unmapped = 0;           // events that are none of the six and were left out
};

// provider: the source's kind, one of the email providers.
EmailMessages email_messages(const std::vector<EmailEvent>& events, config::SourceKind provider,
                             const config::EmailSettings& settings);

// "Email Delivered", ... "Unsubscribe"; the key event_names overrides it by ("delivered", ...
// "unsubscribe"). Not for kUnmapped.
std::string_view spec_event_name(EmailEventKind kind);
std::string_view event_name_key(EmailEventKind kind);

// "SendGrid", "Mailgun", "Postmark", "Mandrill": context.integration.name.
std::string_view provider_name(config::SourceKind provider);

}  // namespace sluice::inbound
