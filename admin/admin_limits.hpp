#pragma once

// Bounds on what one admin server spends on its clients. The admin API serves a few operators
// and scripts, not traffic, so the defaults are small; they are not in the config file because
// nobody should need to change them (tests do).

#include <chrono>
#include <cstddef>

namespace sluice::admin {

// The live tail's (live_tail.hpp).
struct TailLimits {
  std::size_t max_subscribers = 16;
  std::size_t queue_bytes = 1 << 20;  // a subscriber's frames not yet written
  std::chrono::milliseconds tick{100};
  std::size_t read_records = 2000;  // a tick's read: 20,000 events/s at most
  std::size_t read_bytes = 4 << 20;
  // Further behind than this many ticks' reads, the follower skips to the newest events.
  std::size_t max_lag_ticks = 4;
  // A stream with nothing to send sends a comment this often, which also finds clients that
  // went away.
  std::chrono::milliseconds heartbeat{15'000};
};

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
  TailLimits tail;
};

}  // namespace sluice::admin
