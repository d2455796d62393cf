#pragma once

// The pixel API (docs/protocol.md §8): GET /v1/pixel/<type>?data=<base64 JSON> or flat query
// parameters with dotted paths (?userId=u1&event=Opened&properties.subject=Hi). Turns the query
// into the JSON text of one message, so it then takes the same path as a POSTed message.

#include <optional>
#include <string>
#include <string_view>

namespace sluice::api {

// The message's JSON: the decoded `data` object, with flat parameters applied on top (flat
// values are strings). nullopt when `data` is present but not base64 of a JSON object text, or
// a flat parameter's path is 32 or more levels deep.
std::optional<std::string> pixel_message_json(std::string_view query);

// The 43-byte transparent GIF every pixel request gets back.
std::string_view transparent_gif();

}  // namespace sluice::api
