#pragma once

// Signed click links for mail a team sends itself (docs/sources/email.md):
//
//   GET /v1/email/click?d=<data>&u=<target URL>&s=<signature>
//
// d is the URL-safe base64 (no padding) of a JSON object {"writeKey", "userId" or
// "anonymousId", "properties"}; s is the URL-safe base64 (no padding) of the HMAC-SHA256 of
// d, a newline and u, keyed with the source's link_secret. The server stores an "Email Link
// Clicked" event and redirects to u only when s matches, so the endpoint never redirects
// anywhere a sender did not sign. (d is base64, so the newline cannot be moved between the
// two parts.)

#include <optional>
#include <string>
#include <string_view>

namespace sluice::inbound {

// A click request's parts, read from its query.
struct ClickRequest {
  std::string data;       // d as sent
  std::string target;     // u, percent-decoded
  std::string signature;  // s as sent
  std::string write_key;  // from d
  std::string user_id;    // from d; may be empty
  std::string anonymous_id;
  std::string properties;  // the JSON object text of d's properties; "{}" when absent
};

struct ClickParse {
  std::optional<ClickRequest> request;
  std::string error;  // what was wrong, when request is empty
};

ClickParse parse_click_query(std::string_view query);

// true when the request's signature is the one link_secret gives d and u.
bool click_signature_valid(const ClickRequest& request, std::string_view link_secret);

// What is wrong with a redirect target, or nullopt when it is an absolute http(s) URL with a
// host and nothing a browser would read differently (no spaces or control characters).
std::optional<std::string> check_click_target(std::string_view url);

// The track message a click stores: "Email Link Clicked" with properties.link_url.
std::string click_message_json(const ClickRequest& request);

// A signed link. base: "https://track.example.com" (scheme and host, no path); data_json: a
// JSON object with userId or anonymousId and optionally properties. nullopt, with error set,
// when data_json is not such an object or target is refused by check_click_target.
std::optional<std::string> signed_click_link(std::string_view base, std::string_view write_key,
                                             std::string_view link_secret,
                                             std::string_view data_json, std::string_view target,
                                             std::string& error);

// RFC 3986 percent-encoding of a query component: everything but unreserved characters.
std::string percent_encode(std::string_view text);

}  // namespace sluice::inbound
