#pragma once

// Internal to sluice_config. Reads the settings of [sources.settings] that belong to the
// sources other tools post to: the email providers' credentials and naming, the "webhook"
// kind's pointers and HMAC, and the click links' secret (EmailSettings, WebhookItemSettings and
// link_secret in config.hpp). Whether a setting suits the source's kind is checked afterwards,
// on the whole settings (source_kinds.hpp), so that a PATCH is checked on its result.

#include <span>
#include <string>
#include <string_view>

#include <toml++/toml.h>

#include "config/config.hpp"
#include "config/error_sink.hpp"

namespace sluice::config {

// Every key read_inbound_setting knows, for "did you mean" suggestions.
std::span<const std::string_view> inbound_setting_keys();

// Reads key's value into out when key is one of them, and reports its problems to errors;
// false when key is none of them. name: how messages call the settings ("sources[0].settings").
bool read_inbound_setting(const std::string& name, std::string_view key, const toml::node& node,
                          SourceSettings& out, ErrorSink& errors);

}  // namespace sluice::config
