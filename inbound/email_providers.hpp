#pragma once

// The four email service providers' webhooks. Each reader checks the request's signature or
// credentials when the source has its key set (config::EmailSettings), then reads the events
// the body reports, mapped to the six email events (email_event.hpp). A request whose
// signature fails yields no events at all, whatever its body says.
//
// Their formats, as the providers document them:
//   SendGrid  a JSON array of events; ECDSA P-256 signature over timestamp + body in
//             X-Twilio-Email-Event-Webhook-Signature / -Timestamp
//   Mailgun   one JSON object {"signature": {timestamp, token, signature}, "event-data": {...}};
//             HMAC-SHA256 of timestamp + token, refused when older than five minutes
//   Postmark  one JSON object per request, by RecordType; credentials in the URL (Basic auth)
//   Mandrill  a form with mandrill_events, a JSON array; X-Mandrill-Signature is the base64
//             HMAC-SHA1 of the webhook URL followed by each POST parameter's name and value,
//             sorted by name

#include "config/config.hpp"
#include "inbound/email_event.hpp"
#include "inbound/webhook_request.hpp"

namespace sluice::inbound {

ProviderOutcome read_sendgrid(const WebhookRequest& request, const config::EmailSettings& settings);
ProviderOutcome read_mailgun(const WebhookRequest& request, const config::EmailSettings& settings);
ProviderOutcome read_postmark(const WebhookRequest& request, const config::EmailSettings& settings);
ProviderOutcome read_mandrill(const WebhookRequest& request, const config::EmailSettings& settings);

// How long a Mailgun signature stays valid after its timestamp, and how far ahead of this
// server's clock it may be.
inline constexpr std::int64_t kMailgunSignatureMaxAgeMs = 5 * 60 * 1000;

}  // namespace sluice::inbound
