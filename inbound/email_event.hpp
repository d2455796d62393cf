#pragma once

// What an email service provider reports about one message, read out of its webhook body and
// mapped to the six email events (docs/sources/email.md). email_messages.hpp turns each into a
// track message; the provider readers (sendgrid.hpp, mailgun.hpp, postmark.hpp, mandrill.hpp)
// produce them. Plain data: no JSON, no settings.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "inbound/webhook_request.hpp"

namespace sluice::inbound {

// The six email events of the email spec, and everything else a provider reports.
enum class EmailEventKind : std::uint8_t {
  kDelivered,     // "Email Delivered"
  kOpened,        // "Email Opened"
  kLinkClicked,   // "Email Link Clicked"
  kBounced,       // "Email Bounced"
  kMarkedAsSpam,  // "Email Marked as Spam"
  kUnsubscribe,   // "Unsubscribe"
  kUnmapped,      // none of the six: counted, stored only when the source asks for it
};

struct EmailEvent {
  EmailEventKind kind = EmailEventKind::kUnmapped;
  std::string provider_event;  // the provider's own name for it: "delivered", "Bounce", ...
  // The provider's id of this event (not of the message), so that a provider's retry of the
  // same event carries the same id. Never empty: a reader derives one when the provider has none.
  std::string event_id;
  std::int64_t timestamp_ms = 0;  // when it happened, by the provider's clock; 0: not given
  std::string recipient;          // the address the message went to
  // The value of the source's user_id_field among the custom arguments or metadata the sender
  // attached to the message; empty when absent.
  std::string user_id;

  // The email spec's properties; empty when the provider does not give them.
  std::string email_id;  // the provider's id of the message
  std::string email_subject;
  std::string campaign_id;
  std::string campaign_name;
  std::string link_url;     // clicks
  std::string list_id;      // unsubscribes
  std::string reason;       // bounces, and other failures
  std::string bounce_type;  // bounces: the provider's classification ("hard", "HardBounce", ...)

  // The opener's or clicker's address and browser, when the provider saw them.
  std::string ip;
  std::string user_agent;
};

struct ProviderOutcome {
  ReadStatus status = ReadStatus::kOk;
  std::string message;  // what was wrong, for the 400's body; empty when kOk
  std::vector<EmailEvent> events;

  static ProviderOutcome invalid_signature(std::string why) {
    return ProviderOutcome{ReadStatus::kInvalidSignature, std::move(why), {}};
  }
  static ProviderOutcome invalid_body(std::string why) {
    return ProviderOutcome{ReadStatus::kInvalidBody, std::move(why), {}};
  }
};

}  // namespace sluice::inbound
