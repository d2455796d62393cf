#pragma once

// What one thread of a load run counted, and the sum over threads: requests, responses by
// status, transport errors by kind, bytes, events and the latency histogram.
//
// Each worker thread owns one RunStats and updates it without synchronisation; it hands out
// copies (see Worker::snapshot) which the main thread merges. Not thread-safe.

#include <array>
#include <cstdint>
#include <string_view>

#include <boost/system/error_code.hpp>

#include "bench/sluice_bench/latency_histogram.hpp"

namespace sluice::bench {

// Why a request got no HTTP response.
enum class ErrorKind : std::uint8_t {
  kConnect,   // the TCP connection could not be made (refused, unreachable, ...)
  kTimeout,   // no complete response within --timeout
  kReset,     // the peer reset the connection (ECONNRESET, EPIPE)
  kClosed,    // the server closed the connection before answering
  kProtocol,  // the answer was not valid HTTP
  kOther,
};
inline constexpr std::size_t kErrorKindCount = 6;

std::string_view error_kind_name(ErrorKind kind);
// The kind of a failed write or read on an established connection (connect failures are
// kConnect whatever the code).
ErrorKind classify_io_error(const boost::system::error_code& ec);

struct RunStats {
  static constexpr std::size_t kStatusCodes = 600;

  std::uint64_t responses = 0;        // HTTP responses, any status
  std::uint64_t ok_responses = 0;     // 2xx
  std::uint64_t events_sent = 0;      // in every request written in full
  std::uint64_t events_acked = 0;     // in 2xx responses, less the rejected ones
  std::uint64_t events_rejected = 0;  // named in a 2xx body's "rejected" list
  std::uint64_t bytes_sent = 0;       // of those requests, head and body as on the wire
  std::uint64_t connects = 0;         // TCP connections opened (first ones and reconnects)
  // Responses that arrived after the measured window closed (requests in flight at the end):
  // acknowledged and logged, but not in the figures above.
  std::uint64_t late_responses = 0;
  std::array<std::uint64_t, kStatusCodes> statuses{};  // by code; 0 counts codes out of range
  std::array<std::uint64_t, kErrorKindCount> errors{};
  LatencyHistogram latency;  // µs, of every HTTP response in the window

  std::uint64_t failed_requests() const;  // non-2xx responses plus transport errors
  void merge(const RunStats& other);
};

}  // namespace sluice::bench
