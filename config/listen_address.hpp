#pragma once

// Internal to sluice_config. Splits server.listen into host and port.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::config {

struct ListenAddress {
  std::string host;  // IPv4 address, host name, or IPv6 address without its brackets
  std::uint16_t port = 0;
};

// "127.0.0.1:8080", "localhost:0", "[::1]:8080"; nullopt when malformed. Checks the shape only:
// whether the host resolves or can be bound is known when the server starts.
std::optional<ListenAddress> parse_listen_address(std::string_view text);

}  // namespace sluice::config
