#include "router/destinations/webhook_url.hpp"

#include <arpa/inet.h>
#include <cctype>
#include <charconv>
#include <netinet/in.h>

namespace sluice::router {
namespace {

bool starts_with_ignoring_case(std::string_view text, std::string_view lower_prefix) {
  if (text.size() < lower_prefix.size()) return false;
  for (std::size_t i = 0; i < lower_prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != lower_prefix[i]) return false;
  }
  return true;
}

std::optional<unsigned> read_port(std::string_view text) {
  unsigned port = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (ec != std::errc() || end != text.data() + text.size() || port < 1 || port > 65535) {
    return std::nullopt;
  }
  return port;
}

// A DNS name or an IPv4 address: letters, digits, '-', '.' and '_' (which some internal names
// use). Percent-encoded and international names are not supported; use their ASCII form.
bool is_host_name(std::string_view host) {
  if (host.empty()) return false;
  for (char c : host) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.' && c != '_') {
      return false;
    }
  }
  return true;
}

bool is_ipv6_address(const std::string& address) {
  in6_addr parsed{};
  return ::inet_pton(AF_INET6, address.c_str(), &parsed) == 1;
}

std::string lower_case(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

Result<WebhookUrl> parse_webhook_url(std::string_view url) {
  const auto refuse = [&](std::string_view why) -> Result<WebhookUrl> {
    return Status::invalid_argument("invalid webhook URL \"" + std::string(url) +
                                    "\": " + std::string(why));
  };
  for (char c : url) {
    // A space or control character would split or corrupt the request line.
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return refuse("it contains a space or a control character");
    }
  }
  WebhookUrl out;
  std::string_view rest;
  if (starts_with_ignoring_case(url, "https://")) {
    out.tls = true;
    rest = url.substr(8);
  } else if (starts_with_ignoring_case(url, "http://")) {
    rest = url.substr(7);
  } else {
    return refuse("it must start with http:// or https://");
  }
  const std::string_view default_port = out.tls ? "443" : "80";

  const std::size_t authority_end = rest.find_first_of("/?#");
  const std::string_view authority = rest.substr(0, authority_end);
  std::string_view path =
      authority_end == std::string_view::npos ? std::string_view{} : rest.substr(authority_end);
  path = path.substr(0, path.find('#'));  // the fragment is the client's, never sent

  if (authority.find('@') != std::string_view::npos) {
    return refuse("credentials in the URL are not supported; configure a header instead");
  }
  std::string_view host_as_written = authority;
  std::string_view port;
  if (authority.starts_with('[')) {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return refuse("an IPv6 address lacks its ']'");
    host_as_written = authority.substr(0, close + 1);
    out.host = lower_case(authority.substr(1, close - 1));
    if (!is_ipv6_address(out.host)) return refuse("the IPv6 address is not valid");
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (!after.starts_with(':')) return refuse("unexpected text after the IPv6 address");
      port = after.substr(1);
      if (port.empty()) return refuse("the port is empty");
    }
  } else {
    if (const std::size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      host_as_written = authority.substr(0, colon);
      if (port.empty()) return refuse("the port is empty");
    }
    if (!is_host_name(host_as_written)) return refuse("the host is missing or not valid");
    out.host = lower_case(host_as_written);
  }
  out.port = std::string(default_port);
  if (!port.empty()) {
    const std::optional<unsigned> number = read_port(port);
    if (!number) return refuse("the port must be a number from 1 to 65535");
    out.port = std::to_string(*number);  // "0080" is port 80
  }
  out.authority = lower_case(host_as_written);
  if (out.port != default_port) out.authority += ":" + out.port;
  out.target = path.empty() || path.front() == '?' ? "/" + std::string(path) : std::string(path);
  return out;
}

}  // namespace sluice::router
