#pragma once

// Reads the bodies of the admin API's source requests (admin/README.md):
//   POST  /v1/sources {"name":"ios-app","kind":"sendgrid","settings":{...}} PATCH
//   /v1/sources/{name}                    {"enabled":false,"settings":{...}} POST
//   /v1/sources/{name}/keys/{key}/revoke  {"after":"24h"} (or no body: now)
// PATCH also takes the settings' members at the top level ({"rate_limit":{...}}); a member
// given replaces that setting, a member given as null puts it back to its default, the others
// stay as they are. Members the request does not know are refused, so that a typo does not pass
// for a change.
//
// Pure functions of the body; each answer is the request or a message for the client.

#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "api/source_definition.hpp"
#include "common/status.hpp"
#include "config/config.hpp"

namespace sluice::admin {

struct CreateSource {
  std::string name;
  config::SourceKind kind = config::SourceKind::kTracking;
  config::SourceSettings settings;
};

struct SourcePatch {
  std::optional<bool> enabled;
  config::SourceSettings settings;              // the members in `replaced`
  std::set<std::string, std::less<>> replaced;  // settings given a value
  std::set<std::string, std::less<>> reset;     // settings given null

  // The patched source.
  void apply_to(api::SourceDefinition& source) const;
};

// kInvalidArgument with the message for the client when the body is not what is expected.
Result<CreateSource> parse_create_source(std::string_view body);
Result<SourcePatch> parse_source_patch(std::string_view body);
Result<std::chrono::milliseconds> parse_revoke(std::string_view body);

}  // namespace sluice::admin
