#pragma once

// `sluice email link`: prints a signed click link (inbound/click_links.hpp) for a source of the
// config file, so that a team can put tracked links into the mail it sends itself.
//
//   sluice email link --config FILE --source NAME --url URL --data '{"userId":"u1"}'
//
// The link's host is server.public_host when it is set (https when the tracking port speaks
// TLS), else the tracking listener's address. The source needs a link_secret; the link carries
// its first write key. Exit status: 0 printed, 1 refused (no such source, no link_secret, a
// target or data the endpoint would refuse), 2 the config could not be loaded.

#include <iosfwd>
#include <string>

#include "config/config.hpp"

namespace sluice::server {

struct EmailLinkCommand {
  std::string source;  // a [[sources]] name
  std::string url;     // the target the reader is sent to
  std::string data;    // a JSON object with userId or anonymousId, and properties
};

int run_email_link(const EmailLinkCommand& command, const config::Config& config, std::ostream& out,
                   std::ostream& err);

// "https://track.example.com": the scheme and host a link of this server starts with.
std::string link_base(const config::ServerConfig& server);

}  // namespace sluice::server
