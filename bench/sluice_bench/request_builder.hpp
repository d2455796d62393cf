#pragma once

// Makes the next request of a connection: picks the endpoint for the workload, generates the
// body, compresses it with --gzip, and points three buffers at head, length and body. All of
// it lands in the connection's OutgoingRequest, whose strings are reused from request to
// request, so building allocates nothing once they have grown to size.
//
// One builder per thread, shared by that thread's connections (each with its own
// OutgoingRequest). The options and heads must outlive it. Not thread-safe.

#include <array>
#include <string>
#include <string_view>

#include <boost/asio/buffer.hpp>

#include "bench/sluice_bench/gzip_encoder.hpp"
#include "bench/sluice_bench/load_options.hpp"
#include "bench/sluice_bench/payload_generator.hpp"
#include "bench/sluice_bench/request_heads.hpp"

namespace sluice::bench {

struct OutgoingRequest {
  std::string body;                                  // the JSON
  std::string compressed;                            // gzip scratch for --gzip
  std::string length;                                // "<Content-Length>\r\n\r\n"
  std::array<boost::asio::const_buffer, 3> buffers;  // head, length, body as sent
  std::size_t wire_bytes = 0;
  EventRange events;
};

class RequestBuilder {
 public:
  RequestBuilder(const LoadOptions& options, const RequestHeads& heads, PayloadGenerator generator);

  // False when gzip compression failed (never expected; the caller stops the run).
  bool build(OutgoingRequest& request);

  const PayloadGenerator& generator() const { return generator_; }

 private:
  const LoadOptions& options_;
  const RequestHeads& heads_;
  PayloadGenerator generator_;
  GzipEncoder gzip_;
};

}  // namespace sluice::bench
