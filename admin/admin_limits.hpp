#pragma once

// Bounds on what one admin server spends on its clients. The admin API serves a few operators
// and scripts, not traffic, so the defaults are small; they are not in the config file because
// nobody should need to change them (tests do).

#include <chrono>
#include <cstddef>

namespace sluice::admin {

struct AdminLimits {
  // When all are in use, a new connection closes the oldest one that has not authenticated; if
  // every one has, the new one is closed as soon as it is accepted.
  std::size_t max_connections = 32;
  std::size_t max_header_bytes = 16 * 1024;  // request line and headers
  std::size_t max_body_bytes = 64 * 1024;    // larger bodies get 413 and the connection closes
  // A request's header, for as long as the connection has not sent the token: idle or
  // token-less connections cannot hold a slot for longer.
  std::chrono::milliseconds header_timeout{3'000};
  std::chrono::milliseconds body_timeout{10'000};  // reading the body; also writing the answer
  std::chrono::milliseconds idle_timeout{30'000};  // keep-alive wait for the next request
  // stop() lets a request in progress finish for this long, then closes what is left.
  std::chrono::milliseconds drain_timeout{2'000};
};

}  // namespace sluice::admin
