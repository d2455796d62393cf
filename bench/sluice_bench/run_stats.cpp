#include "bench/sluice_bench/run_stats.hpp"

#include <boost/asio/error.hpp>
#include <boost/beast/http/error.hpp>

namespace sluice::bench {

std::string_view error_kind_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kConnect:
      return "connect";
    case ErrorKind::kTimeout:
      return "timeout";
    case ErrorKind::kReset:
      return "reset";
    case ErrorKind::kClosed:
      return "closed";
    case ErrorKind::kProtocol:
      return "protocol";
    case ErrorKind::kOther:
      return "other";
  }
  return "other";
}

ErrorKind classify_io_error(const boost::system::error_code& ec) {
  namespace error = boost::asio::error;
  namespace http = boost::beast::http;
  if (ec == error::connection_reset || ec == error::broken_pipe ||
      ec == error::connection_aborted) {
    return ErrorKind::kReset;
  }
  if (ec == error::eof || ec == http::error::end_of_stream || ec == http::error::partial_message) {
    return ErrorKind::kClosed;
  }
  if (ec == error::timed_out) return ErrorKind::kTimeout;
  if (ec.category() == make_error_code(http::error::end_of_stream).category()) {
    return ErrorKind::kProtocol;
  }
  return ErrorKind::kOther;
}

std::uint64_t RunStats::failed_requests() const {
  std::uint64_t failed = responses - ok_responses;
  for (std::uint64_t count : errors) failed += count;
  return failed;
}

void RunStats::merge(const RunStats& other) {
  responses += other.responses;
  ok_responses += other.ok_responses;
  events_sent += other.events_sent;
  events_acked += other.events_acked;
  events_rejected += other.events_rejected;
  bytes_sent += other.bytes_sent;
  connects += other.connects;
  late_responses += other.late_responses;
  for (std::size_t i = 0; i < statuses.size(); ++i) statuses[i] += other.statuses[i];
  for (std::size_t i = 0; i < errors.size(); ++i) errors[i] += other.errors[i];
  latency.merge(other.latency);
}

}  // namespace sluice::bench
