#include "config/listen_address.hpp"

#include <cctype>
#include <charconv>

namespace sluice::config {
namespace {

// RFC 1035 limits.
constexpr std::size_t kMaxHostNameChars = 253;
constexpr std::size_t kMaxLabelChars = 63;
constexpr std::size_t kMaxPortDigits = 5;

bool is_alnum(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0;
}

// Dotted labels of letters, digits and inner hyphens; an IPv4 address is one of these too.
bool is_host_name(std::string_view host) {
  if (host.empty() || host.size() > kMaxHostNameChars) return false;
  while (true) {
    const std::size_t dot = host.find('.');
    const std::string_view label = host.substr(0, dot);
    if (label.empty() || label.size() > kMaxLabelChars) return false;
    if (label.front() == '-' || label.back() == '-') return false;
    for (char c : label) {
      if (!is_alnum(c) && c != '-') return false;
    }
    if (dot == std::string_view::npos) return true;
    host.remove_prefix(dot + 1);
  }
}

// Loose on purpose: hex groups, colons, an embedded IPv4 tail and a "%zone" suffix are allowed
// by shape; the resolver gives the precise verdict at startup.
bool is_ipv6_literal(std::string_view host) {
  if (host.find(':') == std::string_view::npos) return false;
  const std::size_t percent = host.find('%');
  const std::string_view address = host.substr(0, percent);
  for (char c : address) {
    if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.') return false;
  }
  if (percent == std::string_view::npos) return true;
  const std::string_view zone = host.substr(percent + 1);
  if (zone.empty()) return false;
  for (char c : zone) {
    if (!is_alnum(c) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

std::optional<std::uint16_t> parse_port(std::string_view text) {
  if (text.empty() || text.size() > kMaxPortDigits) return std::nullopt;
  for (char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
  }
  unsigned value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  if (value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

}  // namespace

std::optional<ListenAddress> parse_listen_address(std::string_view text) {
  std::string_view host;
  std::string_view port;
  if (text.starts_with('[')) {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos || text.substr(close + 1, 1) != ":") return std::nullopt;
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
    if (!is_ipv6_literal(host)) return std::nullopt;
  } else {
    const std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    // An IPv6 address needs brackets, or its last group would be read as the port.
    if (!is_host_name(host)) return std::nullopt;
  }
  const auto port_number = parse_port(port);
  if (!port_number) return std::nullopt;
  return ListenAddress{std::string(host), *port_number};
}

}  // namespace sluice::config
