#pragma once

// Write keys: where a request carries one besides its JSON body, and the order in which the
// carriers are tried (docs/protocol.md). The api module owns the whole order; the HTTP layer
// only hands over the raw header and query text.

#include <optional>
#include <string>
#include <string_view>

namespace sluice::api {

// Where a request may carry a write key outside its JSON body, as received.
struct KeyCarriers {
  std::string_view authorization;     // the Authorization header
  std::string_view write_key_header;  // X-Write-Key
  std::string_view query;             // the URL's query string, still percent-encoded
};

// One request's write key. In order: the Basic user name, then the body's writeKey, then
// X-Write-Key, then ?writeKey= (or ?writekey=). The Basic key is decoded at construction, the
// query only when nothing before it gave a key. The views it returns live as long as it does.
// One per request; not thread-safe.
class WriteKeyResolver {
 public:
  explicit WriteKeyResolver(const KeyCarriers& carriers);

  // The Basic user name; empty when there is none. A request whose Basic key is unknown is
  // refused before any JSON work.
  std::string_view basic_key() const { return basic_; }

  // The key that identifies the request, given its body's (empty when the body has none).
  // Empty when the request carries no key at all.
  std::string_view resolve(std::string_view body_key);

 private:
  KeyCarriers carriers_;
  std::string basic_;
  std::string from_query_;
};

// The write key of an `Authorization: Basic ...` header: the user name, i.e. the decoded text
// before the first ':' (all of it when there is no colon). The scheme is case-insensitive and
// missing base64 padding is tolerated. nullopt for other schemes (Bearer) or undecodable
// credentials, so the body's writeKey is used instead.
std::optional<std::string> write_key_from_authorization(std::string_view header);

// The value of `name` in a URL query string ("a=1&writeKey=k"), percent-decoded; nullopt when
// the parameter is absent.
std::optional<std::string> query_parameter(std::string_view query, std::string_view name);

// Percent-decoding of a query component ('+' is a space) or, with plus_is_space false, of a
// path segment. Malformed escapes are kept as is.
std::string percent_decode(std::string_view text, bool plus_is_space = true);

}  // namespace sluice::api
