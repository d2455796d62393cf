#include "bench/sluice_bench/request_builder.hpp"

#include <charconv>

namespace sluice::bench {

RequestBuilder::RequestBuilder(const LoadOptions& options, const RequestHeads& heads,
                               PayloadGenerator generator)
    : options_(options),
      heads_(heads),
      generator_(std::move(generator)),
      gzip_(options.gzip_level) {}

bool RequestBuilder::build(OutgoingRequest& request) {
  Endpoint endpoint = Endpoint::kTrack;
  switch (options_.workload) {
    case Workload::kTrack:
      request.events = generator_.single(EventType::kTrack, request.body);
      break;
    case Workload::kBatch:
      endpoint = Endpoint::kBatch;
      request.events = generator_.batch(options_.batch_size, options_.mix, request.body);
      break;
    case Workload::kMix: {
      const EventType type = generator_.pick(options_.mix);
      endpoint = endpoint_of(type);
      request.events = generator_.single(type, request.body);
      break;
    }
  }

  std::string_view body = request.body;
  if (options_.gzip) {
    body = gzip_.encode(body, request.compressed);
    if (body.empty()) return false;
  }
  char digits[24];
  const auto length = std::to_chars(digits, digits + sizeof digits, body.size());
  request.length.assign(digits, length.ptr);
  request.length += "\r\n\r\n";

  const std::string_view head = heads_.prefix(endpoint);
  request.buffers = {boost::asio::buffer(head.data(), head.size()),
                     boost::asio::buffer(request.length),
                     boost::asio::buffer(body.data(), body.size())};
  request.wire_bytes = head.size() + request.length.size() + body.size();
  return true;
}

}  // namespace sluice::bench
