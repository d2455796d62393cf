#pragma once

// The parts of a webhook's http:// or https:// URL that a request needs, split once when the
// destination is built. config/ has already checked the URL's shape; this parser checks again,
// because it is what the connection relies on.

#include <string>
#include <string_view>

#include "common/status.hpp"

namespace sluice::router {

struct WebhookUrl {
  bool tls = false;       // https
  std::string host;       // lower-case name or address; an IPv6 address without its brackets
  std::string port;       // the explicit port, else "443" or "80"
  std::string target;     // path and query ("/" when the URL has none); the fragment is dropped
  std::string authority;  // the Host header: the host as written (IPv6 in brackets), plus
                          // ":port" when the port is not the scheme's default
};

// kInvalidArgument unless url is http(s)://host[:port][/path][?query][#fragment] with a valid
// host (a name, an IPv4 address or a bracketed IPv6 address) and port (1 to 65535). Credentials
// in the URL ("user@host") are refused: they belong in a configured header.
Result<WebhookUrl> parse_webhook_url(std::string_view url);

}  // namespace sluice::router
