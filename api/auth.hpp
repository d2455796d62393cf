#pragma once

// Write keys carried outside the JSON body.

#include <optional>
#include <string>
#include <string_view>

namespace sluice::api {

// The write key of an `Authorization: Basic ...` header: the user name, i.e. the decoded text
// before the first ':' (all of it when there is no colon). The scheme is case-insensitive and
// missing base64 padding is tolerated. nullopt for other schemes (Bearer) or undecodable
// credentials, so the body's writeKey is used instead.
std::optional<std::string> write_key_from_authorization(std::string_view header);

// The value of `name` in a URL query string ("a=1&writeKey=k"), percent-decoded; nullopt when
// the parameter is absent.
std::optional<std::string> query_parameter(std::string_view query, std::string_view name);

// Percent-decoding of a query component ('+' is a space). Malformed escapes are kept as is.
std::string percent_decode(std::string_view text);

}  // namespace sluice::api
