#include "inbound/webhook_batch.hpp"

#include "inbound/email_messages.hpp"
#include "inbound/email_providers.hpp"

namespace sluice::inbound {
namespace {

std::string batch_of(const std::vector<std::string>& messages) {
  std::size_t size = 12;
  for (const std::string& message : messages) size += message.size() + 1;
  std::string batch;
  batch.reserve(size);
  batch = "{\"batch\":[";
  for (std::size_t i = 0; i < messages.size(); ++i) {
    if (i > 0) batch += ',';
    batch += messages[i];
  }
  batch += "]}";
  return batch;
}

ProviderOutcome read_provider(config::SourceKind kind, const WebhookRequest& request,
                              const config::EmailSettings& settings) {
  switch (kind) {
    case config::SourceKind::kSendgrid:
      return read_sendgrid(request, settings);
    case config::SourceKind::kMailgun:
      return read_mailgun(request, settings);
    case config::SourceKind::kPostmark:
      return read_postmark(request, settings);
    case config::SourceKind::kMandrill:
      return read_mandrill(request, settings);
    case config::SourceKind::kTracking:
    case config::SourceKind::kWebhook:
      break;
  }
  return ProviderOutcome::invalid_body("the source takes no email provider's webhooks");
}

WebhookBatch email_batch(config::SourceKind kind, const config::EmailSettings& settings,
                         const WebhookRequest& request) {
  WebhookBatch out;
  ProviderOutcome read = read_provider(kind, request, settings);
  if (read.status != ReadStatus::kOk) {
    out.status = read.status;
    out.message = std::move(read.message);
    return out;
  }
  EmailMessages messages = email_messages(read.events, kind, settings);
  out.unmapped = messages.unmapped;
  out.batch = batch_of(messages.messages);
  return out;
}

WebhookBatch items_batch(const config::WebhookItemSettings& settings, std::string_view source_name,
                         const WebhookRequest& request) {
  WebhookBatch out;
  ItemsOutcome read = read_webhook_items(request, source_name, settings);
  if (read.status != ReadStatus::kOk) {
    out.status = read.status;
    out.message = std::move(read.message);
    return out;
  }
  // Items that became messages, in order, skipping the rejected ones.
  std::size_t rejected = 0;
  for (std::size_t item = 0; out.item_of_message.size() < read.messages.size(); ++item) {
    if (rejected < read.rejected.size() && read.rejected[rejected].index == item) {
      ++rejected;
      continue;
    }
    out.item_of_message.push_back(item);
  }
  out.batch = batch_of(read.messages);
  out.rejected_items = std::move(read.rejected);
  return out;
}

}  // namespace

WebhookBatch webhook_batch(config::SourceKind kind, const config::SourceSettings& settings,
                           std::string_view source_name, const WebhookRequest& request) {
  if (kind == config::SourceKind::kWebhook) {
    return items_batch(settings.webhook, source_name, request);
  }
  return email_batch(kind, settings.email, request);
}

}  // namespace sluice::inbound
