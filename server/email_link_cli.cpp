#include "server/email_link_cli.hpp"

#include <algorithm>
#include <ostream>

#include "inbound/click_links.hpp"

namespace sluice::server {

std::string link_base(const config::ServerConfig& server) {
  const std::string scheme = server.tls.enabled ? "https://" : "http://";
  if (!server.public_host.empty()) {
    if (server.public_host.starts_with("http://") || server.public_host.starts_with("https://")) {
      return server.public_host;
    }
    return scheme + server.public_host;
  }
  const bool ipv6 = server.listen_host.find(':') != std::string::npos;
  const std::string host = ipv6 ? "[" + server.listen_host + "]" : server.listen_host;
  return scheme + host + ":" + std::to_string(server.listen_port);
}

int run_email_link(const EmailLinkCommand& command, const config::Config& config, std::ostream& out,
                   std::ostream& err) {
  const auto source =
      std::find_if(config.sources.begin(), config.sources.end(),
                   [&](const config::SourceConfig& entry) { return entry.name == command.source; });
  if (source == config.sources.end()) {
    err << "no source named \"" << command.source << "\" in the config\n";
    return 1;
  }
  if (source->settings.link_secret.empty()) {
    err << "the source \"" << source->name
        << "\" has no link_secret: set one in its [sources.settings] to sign click links\n";
    return 1;
  }
  std::string error;
  const auto link =
      inbound::signed_click_link(link_base(config.server), source->write_keys.front(),
                                 source->settings.link_secret, command.data, command.url, error);
  if (!link) {
    err << error << '\n';
    return 1;
  }
  out << *link << '\n';
  return 0;
}

}  // namespace sluice::server
